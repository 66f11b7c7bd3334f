//! Correcting our last message (XEP-0308): Up in an empty composer brings its text back,
//! Enter sends the new text in its place, Escape gives up. As the worker checks too, only the
//! conversation's last message can be corrected, and only when it is ours and has gone out.

use super::bubble::is_scheduled;
use super::{COMPOSER_ID, Event, Message, State};
use crate::model::{Delivery, Direction, Message as ChatMessage, MessageKind};
use iced::Task;

impl State {
    /// What Up would correct: the last message (not counting scheduled ones, which are edited
    /// in place), when it is ours, the server has it, and it is words (a file's message is
    /// its address, nothing to reword).
    fn correctable(&self) -> Option<&ChatMessage> {
        self.messages
            .iter()
            .rev()
            .find(|m| m.kind == MessageKind::Message && !is_scheduled(m))
            .filter(|m| m.direction == Direction::Out && m.attachment.is_none())
            .filter(|m| matches!(m.state, Delivery::Sent | Delivery::Delivered | Delivery::Read))
    }

    /// Up in the empty composer: put our last message in it, to be corrected.
    pub(super) fn edit_last(&mut self) -> Task<Message> {
        if !self.draft.is_empty() || self.correcting.is_some() {
            return Task::none();
        }
        let Some(last) = self.correctable() else { return Task::none() };
        let (id, body) = (last.id, last.body.clone());
        self.correcting = Some(id);
        self.draft = body;
        self.caret = self.draft.len();
        self.completion = None;
        self.emoji_completion = None;
        iced::widget::operation::move_cursor_to_end(COMPOSER_ID)
    }

    /// Escape, or Cancel beside the hint: the message stays as it was.
    pub(super) fn cancel_edit(&mut self) {
        if self.correcting.take().is_some() {
            self.clear_draft();
        }
    }

    /// Enter while correcting: the new text, unless it is the same or empty.
    pub(super) fn send_correction(&mut self) -> Option<Event> {
        let id = self.correcting?;
        let body = self.finished_draft();
        if body.is_empty() {
            return None;
        }
        self.correcting = None;
        self.clear_draft();
        let unchanged = self.messages.iter().any(|m| m.id == id && m.body == body);
        (!unchanged).then(|| Event::Correct { chat: self.chat.clone(), body })
    }

    /// Whether the composer is correcting our last message.
    pub fn is_correcting(&self) -> bool {
        self.correcting.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::message;
    use super::*;
    use crate::model::ChatId;
    use crate::model::HistoryPage;
    use iced::keyboard::key::Named;
    use iced_test::{selector, simulator};

    fn ours(id: i64, body: &str) -> ChatMessage {
        let base = message(id, id * 10);
        ChatMessage { direction: Direction::Out, state: Delivery::Sent, body: body.into(), ..base }
    }

    fn showing(messages: Vec<ChatMessage>) -> State {
        let mut state = State::new(ChatId("bob@x".into()));
        state.history(HistoryPage { chat: state.chat.clone(), messages, has_more: false });
        state
    }

    /// Focuses the composer, taps `keys`, and feeds what comes out back in.
    fn keys(state: &mut State, keys: &[Named]) -> Vec<Event> {
        let messages: Vec<Message> = {
            let mut ui = simulator(state.view());
            ui.click(selector::id(COMPOSER_ID)).expect("the composer");
            for key in keys {
                ui.tap_key(*key);
            }
            ui.into_messages().collect()
        };
        let mut events = Vec::new();
        for message in messages {
            let (_, event) = state.update(message);
            events.extend(event);
        }
        events
    }

    #[test]
    fn up_in_an_empty_composer_corrects_our_last_message() {
        let mut state = showing(vec![message(1, 10), ours(2, "see you at 5")]);
        assert!(keys(&mut state, &[Named::ArrowUp]).is_empty());
        assert!(state.is_correcting());
        assert_eq!(state.draft, "see you at 5");
        let mut ui = simulator(state.view());
        ui.find("Editing your last message — Esc to cancel").expect("the hint");
        drop(ui);
        let _ = state.update(Message::Draft("see you at 6".into()));
        let events = keys(&mut state, &[Named::Enter]);
        let chat = ChatId("bob@x".into());
        assert_eq!(events, [Event::Correct { chat, body: "see you at 6".into() }]);
        assert!(!state.is_correcting() && state.draft.is_empty());
    }

    #[test]
    fn escape_gives_up_and_nothing_is_sent() {
        let mut state = showing(vec![ours(1, "hello")]);
        let _ = keys(&mut state, &[Named::ArrowUp]);
        assert!(state.is_correcting());
        assert!(keys(&mut state, &[Named::Escape]).is_empty());
        assert!(!state.is_correcting() && state.draft.is_empty());
        let _ = keys(&mut state, &[Named::ArrowUp]);
        assert!(keys(&mut state, &[Named::Enter]).is_empty(), "unchanged: nothing to send");
    }

    #[test]
    fn only_our_last_message_that_went_out_is_corrected() {
        let mut theirs_last = showing(vec![ours(1, "hi"), message(2, 20)]);
        let _ = keys(&mut theirs_last, &[Named::ArrowUp]);
        assert!(!theirs_last.is_correcting(), "they answered since");

        let pending = ChatMessage { state: Delivery::Pending, ..ours(1, "hi") };
        let mut not_sent = showing(vec![pending]);
        let _ = keys(&mut not_sent, &[Named::ArrowUp]);
        assert!(!not_sent.is_correcting(), "not out yet");

        let mut typing = showing(vec![ours(1, "hi")]);
        let _ = typing.update(Message::Draft("draft".into()));
        let _ = keys(&mut typing, &[Named::ArrowUp]);
        assert!(!typing.is_correcting(), "the draft is kept");
        assert_eq!(typing.draft, "draft");

        let file = crate::model::Attachment {
            url: Some("https://up.x/cat.png".into()),
            name: "cat.png".into(),
            size: Some(10),
            mime: Some("image/png".into()),
            local: None,
        };
        let sent_file = ChatMessage { attachment: Some(file), ..ours(1, "https://up.x/cat.png") };
        let mut after_file = showing(vec![sent_file]);
        let _ = keys(&mut after_file, &[Named::ArrowUp]);
        assert!(!after_file.is_correcting(), "a file's address is not reworded");
    }
}
