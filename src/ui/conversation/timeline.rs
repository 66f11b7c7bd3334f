//! The conversation's lines: messages and quiet lines (presence changes, saved files) merged
//! in time order, each line keyed so it stays the same widget while pages come and go.

use super::body::Body;
use super::bubble::{self, Look};
use super::days::{self, DayBreaks};
use super::{Message, State, attachment, reactions, removal, reply, theme};
use crate::model::MessageKind;
use chrono::{DateTime, Datelike, Local, Utc};
use iced::widget::{column, container, keyed_column, row, text};
use iced::{Center, Element, Fill};
use std::collections::VecDeque;

/// Quiet lines kept for the open conversation.
const MAX_NOTES: usize = 50;

/// What keeps a line of the conversation the same widget while pages come and go, so a
/// thumbnail's notion of being in view follows its own message.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Line {
    Message(i64),
    /// A quiet line, by the order it was noted in (not its place in the list, which shifts
    /// when the oldest is dropped).
    Note(u64),
    /// The separator that opens a day, by the day's number.
    Day(i32),
}

/// Quiet lines seen while the conversation is open, oldest first, at most [`MAX_NOTES`].
#[derive(Debug, Default)]
pub(super) struct Notes {
    lines: VecDeque<(u64, DateTime<Utc>, String)>,
    noted: u64,
}

impl Notes {
    pub(super) fn push(&mut self, at: DateTime<Utc>, line: String) {
        self.lines.push_back((self.noted, at, line));
        self.noted += 1;
        if self.lines.len() > MAX_NOTES {
            self.lines.pop_front();
        }
    }
}

impl State {
    /// Messages and quiet lines, merged in time order, each day opened by its separator.
    pub(super) fn timeline(&self) -> Element<'_, Message> {
        let now = chrono::Local::now();
        let today = now.date_naive();
        let mut items = Vec::with_capacity(self.messages.len() + self.notes.lines.len() + 8);
        let mut breaks = DayBreaks::default();
        let mut new_day = |items: &mut Vec<_>, at: DateTime<Utc>| {
            if let Some(day) = breaks.before(at) {
                items.push((Line::Day(day.num_days_from_ce()), days::separator(day, today)));
            }
        };
        let mut notes = self.notes.lines.iter().peekable();
        let moderator = self.moderator();
        for message in &self.messages {
            while let Some((key, at, line)) = notes.next_if(|(_, at, _)| *at < message.timestamp) {
                new_day(&mut items, *at);
                items.push((Line::Note(*key), note(line, *at)));
            }
            new_day(&mut items, message.timestamp);
            let line = match message.kind {
                // Never a stored line (they change the line they name); nothing to draw.
                MessageKind::Reactions(_) => continue,
                MessageKind::Event => {
                    note(self.bodies.get(message.id).map_or("", Body::shown), message.timestamp)
                }
                MessageKind::Message | MessageKind::Removed(_) => {
                    let editing = self.outbox_edit.as_ref().filter(|(id, _)| *id == message.id);
                    let highlighted = self.highlighted(message);
                    let editing = editing.map(|(_, draft)| draft.as_str());
                    let files = attachment::Files {
                        thumbnails: &self.thumbnails,
                        transfer: self.transfers.get(&message.id),
                    };
                    let body = self.bodies.get(message.id);
                    let found = self.focused(message.id);
                    let removal = removal::question(message, moderator, self.removing.as_ref());
                    let reactions =
                        reactions::view(message, &self.reactions, &self.composing.recent);
                    let answers = message.reply.as_ref().map(reply::quote);
                    let look = Look {
                        highlighted,
                        found,
                        editing,
                        now,
                        files,
                        body,
                        removal,
                        reactions,
                        answers,
                    };
                    self.line_row(message, bubble::bubble(message, look))
                }
            };
            items.push((Line::Message(message.id), line));
        }
        for (key, at, line) in notes {
            new_day(&mut items, *at);
            items.push((Line::Note(*key), note(line, *at)));
        }
        let lines = items.into_iter().map(|(key, line)| (key, same_kind(line)));
        keyed_column(lines).spacing(theme::SPACE_S).padding(theme::SPACE_M).into()
    }
}

/// Every line in the same kind of widget. iced 0.14's keyed column hands each line the state
/// found at its place without checking that it belongs to the same kind of widget, as other
/// containers do; when a line is inserted where its search does not expect (a presence line
/// at the bottom after a reconnection), a quiet line met a bubble's state and the window
/// closed ("Downcast on stateless state"). A column checks its child's kind and starts afresh
/// when it differs.
fn same_kind(line: Element<'_, Message>) -> Element<'_, Message> {
    column![line].into()
}

/// A quiet line (someone joined or left, a file was saved) with its time, as messages have
/// theirs: "nurse left" means little without when.
fn note(line: &str, at: DateTime<Utc>) -> Element<'_, Message> {
    let time = at.with_timezone(&Local).format("%H:%M").to_string();
    let time = text(time).size(theme::TEXT_SMALL).style(theme::muted);
    let line = text(line).size(theme::TEXT_SMALL).style(theme::muted);
    let line = row![line, days::with_full_date(time, at)].spacing(theme::SPACE_S).align_y(Center);
    container(line).center_x(Fill).into()
}

#[cfg(test)]
mod tests {
    use super::super::tests::message;
    use super::*;
    use crate::model::HistoryPage;
    use crate::model::{ChatId, Message as ChatMessage};
    use crate::ui::frames::Window;
    use iced::Task;

    fn update(state: &mut State, message: Message) -> Task<Message> {
        state.update(message).0
    }

    #[test]
    fn a_quiet_line_below_the_messages_does_not_close_the_window() {
        let mut state = State::new(ChatId("bob@x".into()));
        let messages = vec![message(1, 10), message(2, 20), message(3, 30)];
        state.history(HistoryPage { chat: state.chat.clone(), messages, has_more: false });
        let mut window = Window::new(state, State::view, update);
        window.change(|state| {
            state.note("Bob went offline".into());
            Task::none()
        });
        window.change(|state| {
            state.note("Bob is online".into());
            Task::none()
        });
        assert!(window.find("Bob is online").is_some(), "the new line is shown");
        assert!(window.find("m3").is_some(), "and the messages still are");
    }

    #[test]
    fn each_day_opens_with_its_name() {
        let mut state = State::new(ChatId("bob@x".into()));
        let now = Utc::now().timestamp();
        let day = 24 * 3600;
        let messages = vec![
            message(1, now - 9 * day),
            message(2, now - 9 * day + 60),
            message(3, now - day),
            message(4, now),
        ];
        state.history(HistoryPage { chat: state.chat.clone(), messages, has_more: false });
        let mut window = Window::new(state, State::view, update);
        assert!(window.find("Today").is_some(), "today's message is under Today");
        assert!(window.find("Yesterday").is_some());
        let long_ago = (chrono::Local::now() - chrono::Duration::days(9)).date_naive();
        let name = days::label(long_ago, chrono::Local::now().date_naive());
        assert!(window.find(name.as_str()).is_some(), "{name} opens the oldest day");
    }

    #[test]
    fn joins_and_leaves_show_their_time_as_messages_do() {
        let mut state = State::new(ChatId("room@muc.x".into()));
        let at = Utc::now().timestamp() - 3600;
        let joined =
            ChatMessage { kind: MessageKind::Event, body: "nurse joined".into(), ..message(1, at) };
        state.history(HistoryPage {
            chat: state.chat.clone(),
            messages: vec![joined],
            has_more: false,
        });
        state.note("nurse left".into());
        let mut window = Window::new(state, State::view, update);
        let time = |secs: i64| {
            let at = DateTime::<Utc>::from_timestamp(secs, 0).unwrap_or_default();
            at.with_timezone(&chrono::Local).format("%H:%M").to_string()
        };
        assert!(window.find("nurse joined").is_some());
        assert!(window.find(time(at).as_str()).is_some(), "the stored line's time");
        let noted = window.state.notes.lines.back().map(|(_, at, _)| at.timestamp());
        let noted = noted.expect("the live line");
        assert!(window.find("nurse left").is_some());
        assert!(window.find(time(noted).as_str()).is_some(), "the live line's time");
    }

    #[test]
    fn quiet_lines_are_bounded_and_keep_their_keys() {
        let mut notes = Notes::default();
        for i in 0..(MAX_NOTES + 5) {
            notes.push(Utc::now(), format!("line {i}"));
        }
        assert_eq!(notes.lines.len(), MAX_NOTES);
        let first = notes.lines.front().map(|(key, _, line)| (*key, line.as_str()));
        assert_eq!(first, Some((5, "line 5")), "the oldest went, the others kept their keys");
    }
}
