//! Finding words in the open conversation (Ctrl+F) and showing a line in place.
//!
//! The find bar asks the store (through the worker) for the lines holding the words, newest
//! first, and goes to each in turn: Enter or ▲ to the next older one, ▼ back to a newer one. A
//! line is shown in place by loading the conversation around it (`Command::ShowAround`): it and
//! the page before it, with a few lines after, so that it sits near the bottom where the list is
//! anchored, marked. Until the user comes back to the latest lines ("Jump to latest", closing
//! the find bar, or scrolling down to them), the conversation holds that older stretch
//! (`stretch.rs`).

use super::stretch::LeftOut;
use super::{Event, Message, State, theme};
use crate::model::HistoryPage;
use crate::model::search::{MAX_HITS, SearchQuery, SearchResults};
use iced::widget::{button, container, row, text, text_input};
use iced::{Center, Element, Fill, Task};

pub const FIND_ID: &str = "find-in-conversation";

/// The find bar, while open.
#[derive(Debug, Default)]
pub(super) struct Find {
    query: String,
    /// The lines found, newest first, by id.
    hits: Vec<i64>,
    /// Which of `hits` is shown.
    at: Option<usize>,
    /// More lines hold the words than were listed.
    more: bool,
    /// Asked, and not answered yet.
    searching: bool,
    problem: Option<String>,
}

#[derive(Debug, Clone)]
pub enum FindMessage {
    Query(String),
    /// To the next older line found (Enter).
    Older,
    /// Back to the next newer line found.
    Newer,
    Close,
}

impl State {
    /// Ctrl+F: open the find bar, or focus it again.
    pub fn open_find(&mut self) -> Task<Message> {
        self.find.get_or_insert_with(Find::default);
        iced::widget::operation::focus(FIND_ID)
    }

    /// Whether the find bar is open (Escape closes it first).
    pub fn finding(&self) -> bool {
        self.find.is_some()
    }

    pub(super) fn find_message(&mut self, message: FindMessage) -> (Task<Message>, Option<Event>) {
        let Some(find) = &mut self.find else { return (Task::none(), None) };
        match message {
            FindMessage::Query(query) => {
                find.query = query;
                find.hits.clear();
                find.at = None;
                find.more = false;
                find.problem = None;
                find.searching = !crate::model::search::terms(&find.query).is_empty();
                let query = SearchQuery {
                    text: find.query.clone(),
                    chat: Some(self.chat.clone()),
                    limit: MAX_HITS,
                    ..SearchQuery::default()
                };
                (Task::none(), find.searching.then_some(Event::Search(query)))
            }
            FindMessage::Older => (Task::none(), self.go_to(|at| at.map_or(0, |at| at + 1))),
            FindMessage::Newer => {
                (Task::none(), self.go_to(|at| at.unwrap_or(0).saturating_sub(1)))
            }
            FindMessage::Close => (Task::none(), self.close_find()),
        }
    }

    /// Close the find bar; back to the latest lines if a line was shown in place.
    pub fn close_find(&mut self) -> Option<Event> {
        self.find = None;
        self.focus.take()?;
        self.away_from_latest().then(|| self.back_to_latest())
    }

    /// Show hit number `next(at)`, if there is one.
    fn go_to(&mut self, next: impl Fn(Option<usize>) -> usize) -> Option<Event> {
        let find = self.find.as_mut()?;
        let at = next(find.at);
        let id = *find.hits.get(at)?;
        find.at = Some(at);
        Some(Event::ShowAround { chat: self.chat.clone(), message_id: id })
    }

    /// The store's answer to the words in the find bar: shows the newest line found.
    pub fn found(&mut self, results: Result<SearchResults, String>) -> Option<Event> {
        let find = self.find.as_mut()?;
        find.searching = false;
        match results {
            Ok(results) => {
                find.more = results.more;
                find.hits = results.hits.into_iter().map(|hit| hit.message.id).collect();
                self.go_to(|_| 0)
            }
            Err(problem) => {
                find.problem = Some(problem);
                None
            }
        }
    }

    /// The conversation around a line, as asked for with [`Event::ShowAround`].
    pub fn around(&mut self, page: HistoryPage, focus: i64, newer: bool) {
        if page.chat != self.chat {
            return;
        }
        self.messages = page.messages;
        self.has_more = page.has_more;
        self.loading_older = false;
        self.bodies.keep(&self.messages);
        self.forget_gone_files();
        self.focus = Some(focus);
        self.left_out = newer.then(LeftOut::default);
    }

    /// Whether this line is the one shown in place.
    pub(super) fn focused(&self, id: i64) -> bool {
        self.focus == Some(id)
    }

    /// The find bar, while open.
    pub(super) fn find_bar(&self) -> Option<Element<'_, Message>> {
        let find = self.find.as_ref()?;
        let count = match (&find.problem, find.at) {
            (Some(problem), _) => problem.clone(),
            _ if find.searching => "Searching…".to_owned(),
            _ if find.query.trim().is_empty() => String::new(),
            _ if find.hits.is_empty() => "Not found".to_owned(),
            (None, at) => {
                let total = if find.more {
                    format!("{}+", find.hits.len())
                } else {
                    find.hits.len().to_string()
                };
                format!("{} of {total}", at.map_or(0, |at| at + 1))
            }
        };
        let input = text_input("Find in this conversation", &find.query)
            .id(FIND_ID)
            .on_input(|query| Message::Find(FindMessage::Query(query)))
            .on_submit(Message::Find(FindMessage::Older))
            .width(Fill);
        let older = find.at.map_or(!find.hits.is_empty(), |at| at + 1 < find.hits.len());
        let newer = find.at.is_some_and(|at| at > 0);
        let bar = row![
            input,
            text(count).size(theme::TEXT_SMALL).style(theme::muted),
            button("▲").on_press_maybe(older.then_some(Message::Find(FindMessage::Older))),
            button("▼").on_press_maybe(newer.then_some(Message::Find(FindMessage::Newer))),
            button("Close").on_press(Message::Find(FindMessage::Close)),
        ]
        .spacing(theme::SPACE_S)
        .align_y(Center);
        Some(container(bar).padding([theme::SPACE_XS, theme::SPACE_M]).width(Fill).into())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::message;
    use super::*;
    use crate::model::ChatId;
    use crate::model::search::SearchHit;
    use iced_test::simulator;

    fn results(ids: &[i64]) -> Result<SearchResults, String> {
        let hits = ids
            .iter()
            .map(|&id| SearchHit { account: "me@x".into(), message: message(id, id) })
            .collect();
        Ok(SearchResults { hits, more: false })
    }

    fn page(ids: std::ops::RangeInclusive<i64>) -> HistoryPage {
        HistoryPage {
            chat: ChatId("bob@x".into()),
            messages: ids.map(|id| message(id, id)).collect(),
            has_more: true,
        }
    }

    fn show(id: i64) -> Option<Event> {
        Some(Event::ShowAround { chat: ChatId("bob@x".into()), message_id: id })
    }

    #[test]
    fn typed_words_search_this_conversation_and_the_newest_line_found_is_shown() {
        let mut state = State::new(ChatId("bob@x".into()));
        state.history(page(90..=99));
        let _ = state.open_find();
        let (_, event) = state.update(Message::Find(FindMessage::Query("lunch".into())));
        let Some(Event::Search(query)) = event else { panic!("expected a search, got {event:?}") };
        assert_eq!((query.text.as_str(), query.chat), ("lunch", Some(ChatId("bob@x".into()))));
        assert_eq!(state.found(results(&[42, 17, 3])), show(42));
        assert_eq!(state.update(Message::Find(FindMessage::Older)).1, show(17));
        assert_eq!(state.update(Message::Find(FindMessage::Older)).1, show(3));
        assert_eq!(state.update(Message::Find(FindMessage::Older)).1, None, "no older one");
        assert_eq!(state.update(Message::Find(FindMessage::Newer)).1, show(17));
    }

    #[test]
    fn a_line_in_an_older_stretch_holds_new_lines_back_until_jumping_to_the_latest() {
        let mut state = State::new(ChatId("bob@x".into()));
        state.history(page(90..=99));
        state.around(page(10..=20), 17, true);
        assert!(state.focused(17));
        state.push(message(100, 100));
        state.push(message(101, 101));
        assert!(!state.messages.iter().any(|m| m.id >= 100), "not mixed into the older stretch");
        let mut ui = simulator(state.view());
        ui.find("Jump to latest (2 new)").expect("the way back, with what came");
        ui.click("Jump to latest (2 new)").expect("clickable");
        let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m).1).collect();
        assert_eq!(events, [Event::LoadLatest { chat: ChatId("bob@x".into()) }]);
        assert!(state.messages.is_empty() && !state.focused(17));
    }

    #[test]
    fn sending_from_an_older_stretch_goes_back_to_the_latest_lines_first() {
        let mut state = State::new(ChatId("bob@x".into()));
        state.around(page(10..=20), 17, true);
        let _ = state.update(Message::Draft("found it".into()));
        let (_, event) = state.update(Message::Send);
        assert_eq!(event, Some(Event::LoadLatest { chat: ChatId("bob@x".into()) }));
        // The send itself comes next (a task), from the latest lines, the draft intact.
        let (_, event) = state.update(Message::Send);
        assert!(matches!(event, Some(Event::Send { body, .. }) if body == "found it"));
    }

    #[test]
    fn closing_the_find_bar_comes_back_to_the_latest_lines() {
        let mut state = State::new(ChatId("bob@x".into()));
        let _ = state.open_find();
        assert!(state.finding());
        state.around(page(10..=20), 17, true);
        assert_eq!(state.close_find(), Some(Event::LoadLatest { chat: ChatId("bob@x".into()) }));
        assert!(!state.finding());
        // A line shown that reaches the newest: nothing to come back to.
        let _ = state.open_find();
        state.around(page(90..=99), 99, false);
        assert_eq!(state.close_find(), None);
    }

    #[test]
    fn the_find_bar_says_how_far_it_is() {
        let mut state = State::new(ChatId("bob@x".into()));
        state.history(page(1..=3));
        let _ = state.open_find();
        let _ = state.update(Message::Find(FindMessage::Query("m1".into())));
        let _ = state.found(results(&[3, 2]));
        {
            let mut ui = simulator(state.view());
            ui.find("1 of 2").expect("the count");
        }
        let _ = state.update(Message::Find(FindMessage::Query("absent".into())));
        let _ = state.found(results(&[]));
        let mut ui = simulator(state.view());
        ui.find("Not found").expect("said");
    }
}
