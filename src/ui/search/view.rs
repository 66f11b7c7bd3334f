//! How the search looks: the words and the filters on top, then the hits, each with its
//! conversation, time, author and the words found marked in an excerpt of the line.

use super::{MAX_SHOWN, Message, QUERY_ID, State};
use crate::model::search::{self, SearchHit};
use crate::model::{AccountId, ChatId};
use crate::ui::theme;
use chrono::Local;
use iced::widget::text::Span;
use iced::widget::{
    Column, button, checkbox, column, container, rich_text, row, scrollable, span, text, text_input,
};
use iced::{Center, Element, Fill};
use std::ops::Range;

/// Characters of a line shown before its first word found.
const LEAD: usize = 60;
/// Characters of a line shown in all.
const EXCERPT: usize = 280;

impl State {
    /// `name_of`: how the conversation is called in the account it belongs to; `dark`: the
    /// window's theme is dark.
    pub fn view<'a>(
        &'a self,
        dark: bool,
        name_of: impl Fn(&AccountId, &ChatId) -> String,
    ) -> Element<'a, Message> {
        let header = row![
            text("Search").size(theme::TEXT_TITLE).width(Fill),
            button("Close").on_press(Message::Close),
        ]
        .align_y(Center);
        let words = text_input("Words to find in every conversation", &self.query)
            .id(QUERY_ID)
            .on_input(Message::Query)
            .padding(theme::SPACE_S);
        let filters = row![
            text_input("From", &self.from).on_input(Message::From),
            text_input("Since", &self.since).on_input(Message::Since),
            text_input("Until", &self.until).on_input(Message::Until),
            checkbox(self.with_image).label("With a picture").on_toggle(Message::WithImage),
        ]
        .spacing(theme::SPACE_S)
        .align_y(Center);
        let terms = search::terms(&self.query);
        let hits = Column::with_children(
            self.hits
                .iter()
                .enumerate()
                .map(|(index, hit)| self.hit(index, hit, &terms, &name_of, theme::author(dark))),
        )
        .spacing(theme::SPACE_XS);
        let more = (!self.more.is_empty() && self.hits.len() < MAX_SHOWN)
            .then(|| button("More").on_press(Message::More));
        let list = column![hits]
            .push(more)
            .spacing(theme::SPACE_S)
            .padding([0.0, theme::SCROLLBAR_GUTTER]);
        let body =
            column![header, words, filters, self.status(&terms), scrollable(list).height(Fill)]
                .spacing(theme::SPACE_S)
                .padding(theme::SPACE_M)
                .max_width(theme::BROWSER_MAX_WIDTH);
        container(body).center_x(Fill).into()
    }

    /// What the search came to, in words.
    fn status(&self, terms: &[&str]) -> Element<'_, Message> {
        if let Some(problem) = &self.problem {
            return text(problem.as_str()).style(theme::error_text).into();
        }
        let words = if terms.is_empty() && !self.query.trim().is_empty() {
            "Type a word: letters or digits, not only signs.".to_owned()
        } else if terms.is_empty() {
            "Type words to find them in every conversation of every account. A word finds the \
             words it begins (from four letters on); accents and case do not matter. From: an \
             address or a room nickname; Since and Until: a day, as YYYY-MM-DD."
                .to_owned()
        } else if self.searching && self.hits.is_empty() {
            "Searching…".to_owned()
        } else if self.hits.is_empty() {
            "No line holds all these words.".to_owned()
        } else if self.more.is_empty() {
            format!("{} found, newest first.", self.hits.len())
        } else {
            format!("{} found so far, newest first.", self.hits.len())
        };
        text(words).size(theme::TEXT_SMALL).style(theme::muted).into()
    }

    fn hit<'a>(
        &'a self,
        index: usize,
        hit: &'a SearchHit,
        terms: &[&str],
        name_of: &impl Fn(&AccountId, &ChatId) -> String,
        author: iced::Color,
    ) -> Element<'a, Message> {
        let message = &hit.message;
        let account = AccountId(hit.account.clone());
        let when = message.timestamp.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string();
        let place = row![
            text(name_of(&account, &message.chat)).size(theme::TEXT_BODY).width(Fill),
            text(when).size(theme::TEXT_SMALL).style(theme::muted),
        ]
        .spacing(theme::SPACE_S);
        let who = match message.direction {
            crate::model::Direction::Out => "You".to_owned(),
            crate::model::Direction::In => message
                .nick
                .clone()
                .unwrap_or_else(|| message.from.split('/').next().unwrap_or_default().to_owned()),
        };
        let (excerpt, marks) = excerpt(&message.body, terms);
        let mut spans = vec![span(format!("{who}: ")).color(author)];
        spans.extend(marked(excerpt, &marks));
        let line = rich_text(spans).size(theme::TEXT_BODY);
        button(column![place, line].spacing(theme::SPACE_XS))
            .width(Fill)
            .padding(theme::SPACE_S)
            .style(button::text)
            .on_press(Message::Open(index))
            .into()
    }
}

/// The part of `body` shown for a hit, starting a little before the first word found, and
/// where the words found are in it.
fn excerpt(body: &str, terms: &[&str]) -> (String, Vec<Range<usize>>) {
    let found = search::find(body, terms);
    let first = found.first().map_or(0, |range| range.start);
    let start = body[..first].char_indices().rev().nth(LEAD - 1).map_or(0, |(at, _)| at);
    let end = body[start..].char_indices().nth(EXCERPT).map_or(body.len(), |(at, _)| start + at);
    let lead = if start > 0 { "…" } else { "" };
    let tail = if end < body.len() { "…" } else { "" };
    let shown = format!("{lead}{}{tail}", &body[start..end]).replace(['\n', '\r'], " ");
    let shift = lead.len();
    let marks = found
        .into_iter()
        .filter(|range| range.start >= start && range.end <= end)
        .map(|range| range.start - start + shift..range.end - start + shift)
        .collect();
    (shown, marks)
}

/// `line` as spans, the `marks` on a highlight.
fn marked(line: String, marks: &[Range<usize>]) -> Vec<Span<'static, ()>> {
    let mut spans = Vec::with_capacity(2 * marks.len() + 1);
    let mut from = 0;
    for mark in marks {
        spans.push(span(line[from..mark.start].to_owned()));
        spans.push(span(line[mark.clone()].to_owned()).background(theme::FOUND));
        from = mark.end;
    }
    spans.push(span(line[from..].to_owned()));
    spans
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn an_excerpt_starts_shortly_before_the_first_word_found() {
        let body = format!("{} the word café is here", "x".repeat(500));
        let (shown, marks) = excerpt(&body, &["cafe"]);
        assert!(shown.starts_with('…'));
        assert!(shown.chars().count() <= super::EXCERPT + 2);
        assert_eq!(marks.len(), 1);
        assert_eq!(&shown[marks[0].clone()], "café");
        let (short, marks) = excerpt("Café\nau lait", &["cafe", "lait"]);
        assert_eq!(short, "Café au lait");
        assert_eq!(marks.len(), 2);
    }
}
