//! Replies (XEP-0461) in the conversation: *Reply* beside a line or in its menu, or Ctrl+Up in the composer
//! (again for older lines, Ctrl+Down for newer), puts "Replying to …" above the composer
//! (Escape or Cancel gives up), Enter then sends the words as an answer to that line.
//! A reply shows the line it answers above its words, in a quote that goes to that line when
//! clicked, however far back it is (`Event::ShowAround`, as a search hit).

use super::{Event, Message, State, theme};
use crate::model::{Message as ChatMessage, MessageKind, Reply};
use iced::widget::{button, column, container, row, space, stack, text};
use iced::{Center, Element, Fill, Padding, Task};

/// The Reply button's label.
pub(super) const REPLY: &str = "Reply";
/// How many characters of the answered line the bar above the composer shows.
const BAR_QUOTE: usize = 80;

/// The line being answered, while the composer holds the answer.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Replying {
    pub id: i64,
    pub author: String,
    pub quote: String,
}

#[derive(Debug, Clone)]
pub enum ReplyMessage {
    /// Reply pressed under line `id`.
    Start(i64),
    /// Ctrl+Up: answer the line before the one being answered (the newest at first).
    Older,
    /// Ctrl+Down: answer the line after it; past the newest, answer none.
    Newer,
    /// Escape, or Cancel beside the bar.
    Cancel,
    /// A quote clicked: show the line it answers (the store's id).
    Show(i64),
}

/// A line that was written and is still there, not one waiting to go out.
pub(super) fn answerable(message: &ChatMessage) -> bool {
    message.kind == MessageKind::Message && message.scheduled_for.is_none()
}

/// The answered line above a reply's words: who wrote it and its first words, muted, behind
/// an accent bar; clicked, it shows that line in place when the store has it.
pub(super) fn quote<'a>(reply: &Reply) -> Element<'a, Message> {
    let author = reply
        .shown_author()
        .map(|author| text(author.to_owned()).size(theme::TEXT_SMALL).style(theme::nick(author)));
    let words = match reply.shown_text() {
        Some(words) => text(words.to_owned()).size(theme::TEXT_SMALL).style(theme::muted),
        None => text("Message deleted").size(theme::TEXT_SMALL).style(theme::muted),
    };
    // As tall as the quote: the first layer of a stack sizes it, the bar fills it.
    let bar = container(space()).width(theme::QUOTE_BAR_WIDTH).height(Fill).style(theme::quote_bar);
    let indent = Padding::ZERO.left(theme::QUOTE_BAR_WIDTH + theme::SPACE_S);
    let quoted = stack![container(column![author, words].spacing(1)).padding(indent), bar];
    let target = reply.line.as_ref().filter(|line| !line.removed).map(|line| line.id);
    button(quoted)
        .style(button::text)
        .padding(0)
        .on_press_maybe(target.map(|id| Message::Reply(ReplyMessage::Show(id))))
        .into()
}

impl State {
    pub(super) fn reply_message(
        &mut self,
        message: ReplyMessage,
    ) -> (Task<Message>, Option<Event>) {
        match message {
            ReplyMessage::Start(id) => {
                let Some(line) = self.messages.iter().find(|m| m.id == id) else {
                    return (Task::none(), None);
                };
                let author = match (&line.nick, line.direction) {
                    (Some(nick), _) => nick.clone(),
                    (None, crate::model::Direction::Out) => "yourself".to_owned(),
                    (None, crate::model::Direction::In) => self.peer_name(),
                };
                let quote = crate::model::quote_of(&line.body).replace('\n', " ");
                let quote = match quote.chars().count() > BAR_QUOTE {
                    true => format!("{}…", quote.chars().take(BAR_QUOTE - 1).collect::<String>()),
                    false => quote,
                };
                self.cancel_edit();
                self.replying = Some(Replying { id, author, quote });
                (super::State::focus_composer(), None)
            }
            ReplyMessage::Older | ReplyMessage::Newer if !self.can_write() => (Task::none(), None),
            ReplyMessage::Older => {
                let current = self.replying.as_ref().map(|r| r.id);
                let mut lines = self.messages.iter().rev().filter(|m| answerable(m));
                let older = match current {
                    Some(id) => lines.skip_while(|m| m.id != id).nth(1),
                    None => lines.next(),
                };
                match older.map(|m| m.id) {
                    Some(id) => self.reply_message(ReplyMessage::Start(id)),
                    None => (Task::none(), None),
                }
            }
            ReplyMessage::Newer => {
                let current = self.replying.as_ref().map(|r| r.id);
                let mut lines = self.messages.iter().filter(|m| answerable(m));
                let newer = current.and_then(|id| lines.find(|m| m.id == id).and(lines.next()));
                match newer.map(|m| m.id) {
                    Some(id) => self.reply_message(ReplyMessage::Start(id)),
                    None => self.reply_message(ReplyMessage::Cancel),
                }
            }
            ReplyMessage::Cancel => {
                self.replying = None;
                (Task::none(), None)
            }
            ReplyMessage::Show(id) => {
                (Task::none(), Some(Event::ShowAround { chat: self.chat.clone(), message_id: id }))
            }
        }
    }

    /// Enter while replying: the words as an answer to the line.
    pub(super) fn send_reply(&mut self) -> Option<Event> {
        let body = self.finished_draft();
        if body.is_empty() {
            return None;
        }
        let replying = self.replying.take()?;
        self.clear_draft();
        Some(Event::Reply { chat: self.chat.clone(), message_id: replying.id, body })
    }

    /// "Replying to Anna: “cake?”" with Cancel, above the composer while replying.
    pub(super) fn reply_bar(&self) -> Option<Element<'_, Message>> {
        let replying = self.replying.as_ref()?;
        let words =
            format!("Replying to {}: “{}” — Esc to cancel", replying.author, replying.quote);
        let cancel = button(text("Cancel").size(theme::TEXT_SMALL))
            .style(button::text)
            .on_press(Message::Reply(ReplyMessage::Cancel));
        let words = text(words).size(theme::TEXT_SMALL).style(theme::muted).width(Fill);
        Some(row![words, cancel].spacing(theme::SPACE_XS).align_y(Center).into())
    }

    /// Whether the composer holds an answer to a line.
    pub fn is_replying(&self) -> bool {
        self.replying.is_some()
    }

    /// How a one-to-one conversation's peer is named in the bar: the address's user part.
    fn peer_name(&self) -> String {
        let chat = self.chat.as_str();
        chat.split(['@', '/']).next().unwrap_or(chat).to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{message, room, room_line};
    use super::*;
    use crate::model::{ChatId, HistoryPage, QuotedLine};
    use crate::ui::frames::Window;
    use iced::keyboard::key::Named;

    /// The conversation, with what it asked of its parent.
    struct Open {
        chat: State,
        events: Vec<Event>,
    }

    fn open(chat: State) -> Window<Open, Message> {
        let update = |open: &mut Open, message: Message| {
            let (task, event) = open.chat.update(message);
            open.events.extend(event);
            task
        };
        Window::new(Open { chat, events: Vec::new() }, |open: &Open| open.chat.view(), update)
    }

    #[test]
    fn reply_under_a_line_answers_it_and_escape_gives_up() {
        let mut state = room(&["anna", "me"]);
        let lines = vec![room_line(1, "anna", "cake at noon?", MessageKind::Message)];
        state.history(HistoryPage { chat: state.chat.clone(), messages: lines, has_more: false });
        let mut window = open(state);
        window.hover("cake at noon?");
        window.click(REPLY);
        let bar = "Replying to anna: “cake at noon?” — Esc to cancel";
        assert!(window.find(bar).is_some(), "the bar names the line");
        window.tap(Named::Escape);
        assert!(window.find(bar).is_none(), "Esc gave up");
        assert!(!window.state.chat.is_replying());

        window.click(REPLY);
        window.type_text("yes");
        window.tap(Named::Enter);
        let sent: Vec<_> =
            window.state.events.iter().filter(|e| !matches!(e, Event::Typing { .. })).collect();
        let chat = window.state.chat.chat.clone();
        assert_eq!(sent, [&Event::Reply { chat, message_id: 1, body: "yes".into() }]);
        assert!(!window.state.chat.is_replying() && window.state.chat.draft.is_empty());
        assert!(window.find(bar).is_none());
    }

    #[test]
    fn ctrl_up_and_down_pick_the_line_to_answer() {
        let mut state = room(&["anna", "bob", "me"]);
        let lines = vec![
            room_line(1, "anna", "first", MessageKind::Message),
            room_line(2, "bob", "bob joined", MessageKind::Event),
            room_line(3, "bob", "second", MessageKind::Message),
        ];
        state.history(HistoryPage { chat: state.chat.clone(), messages: lines, has_more: false });
        let mut window = open(state);
        let answering =
            |window: &Window<Open, Message>| window.state.chat.replying.as_ref().map(|r| r.id);
        window.click(iced_test::selector::id(super::super::COMPOSER_ID));
        let ctrl = iced::keyboard::Modifiers::CTRL;
        window.tap_with(Named::ArrowUp, ctrl);
        assert_eq!(answering(&window), Some(3), "the newest line first");
        window.tap_with(Named::ArrowUp, ctrl);
        assert_eq!(answering(&window), Some(1), "then older, past the room's events");
        window.tap_with(Named::ArrowUp, ctrl);
        assert_eq!(answering(&window), Some(1), "the oldest stays");
        window.tap_with(Named::ArrowDown, ctrl);
        assert_eq!(answering(&window), Some(3));
        window.tap_with(Named::ArrowDown, ctrl);
        assert_eq!(answering(&window), None, "past the newest: no reply");
    }

    #[test]
    fn a_reply_shows_the_line_it_answers_and_a_click_goes_there() {
        let mut state = State::new(ChatId("bob@x".into()));
        let answer = ChatMessage {
            body: "noon suits me".into(),
            reply: Some(Reply {
                id: "o1".into(),
                quote: Some("what the fallback said".into()),
                line: Some(QuotedLine {
                    id: 7,
                    author: "bob@x".into(),
                    ours: false,
                    body: "cake at noon?".into(),
                    removed: false,
                }),
                ..Reply::default()
            }),
            ..message(9, 90)
        };
        let orphan = ChatMessage {
            body: "still true".into(),
            reply: Some(Reply {
                id: "gone".into(),
                quote: Some("an old line".into()),
                ..Reply::default()
            }),
            ..message(10, 100)
        };
        let lines = vec![answer, orphan];
        state.history(HistoryPage { chat: state.chat.clone(), messages: lines, has_more: false });
        let mut window = open(state);
        assert!(window.find("cake at noon?").is_some(), "the stored line, not the fallback");
        assert!(window.find("an old line").is_some(), "a line not here: its quote");
        window.click("cake at noon?");
        let chat = ChatId("bob@x".into());
        assert_eq!(window.state.events, [Event::ShowAround { chat, message_id: 7 }]);
        window.click("an old line");
        assert_eq!(window.state.events.len(), 1, "nothing to go to");
    }
}
