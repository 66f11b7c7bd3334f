//! Deleting a line: ours, taken back from everyone (XEP-0424, "Delete"), or, for a room's
//! moderator, someone's removed from the room with a reason (XEP-0425, "Remove"). Either is
//! asked for from the line's menu (`line_actions.rs`) and confirmed in the bubble before it
//! goes, since it cannot be undone.

use super::{Event, Message, State, theme};
use crate::model::{Delivery, Direction, Message as ChatMessage, MessageKind};
use crate::ui::widget;
use iced::widget::{column, text_input};
use iced::{Element, Task};

/// The menu entry taking back our own line.
pub(super) const DELETE: &str = "Delete";
/// The menu entry removing someone's line as a moderator.
pub(super) const REMOVE: &str = "Remove";

/// The reason field's id, focused when a moderator asks to remove a line.
pub(super) const REASON_ID: &str = "removal-reason";

const DELETE_QUESTION: &str =
    "Delete this message for everyone? Their clients are asked to remove it; some may keep it.";
const REMOVE_QUESTION: &str = "Remove this message for everyone in the room?";

/// A delete or remove under way, waiting for the user's word.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Removing {
    pub id: i64,
    /// As a moderator (someone else's line), with a reason; else our own line taken back.
    pub moderate: bool,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub enum RemovalMessage {
    /// Delete (ours) or Remove (a moderator's) pressed on line `id`.
    Ask(i64),
    Reason(String),
    Confirm,
    Cancel,
}

/// What may be done to `message` here: `Some(false)` take it back (ours, gone out),
/// `Some(true)` remove it as a moderator (someone else's in a room we moderate).
pub(super) fn offered(message: &ChatMessage, moderator: bool) -> Option<bool> {
    if message.kind != MessageKind::Message {
        return None;
    }
    match message.direction {
        Direction::Out => {
            let gone_out =
                matches!(message.state, Delivery::Sent | Delivery::Delivered | Delivery::Read);
            (gone_out && message.scheduled_for.is_none()).then_some(false)
        }
        // Only room lines: a private message from an occupant is not the room's to remove.
        Direction::In => (moderator && !message.chat.as_str().contains('/')).then_some(true),
    }
}

/// The question, under the line being asked about.
pub(super) fn question<'a>(
    message: &ChatMessage,
    moderator: bool,
    removing: Option<&'a Removing>,
) -> Option<Element<'a, Message>> {
    offered(message, moderator)?;
    let removal = Message::Removal;
    let asked = removing.filter(|r| r.id == message.id)?;
    if asked.moderate {
        let reason = text_input("Reason (shown to everyone)", &asked.reason)
            .id(REASON_ID)
            .on_input(|r| Message::Removal(RemovalMessage::Reason(r)))
            .on_submit(removal(RemovalMessage::Confirm))
            .size(theme::TEXT_SMALL);
        let question = widget::confirm(
            REMOVE_QUESTION.into(),
            REMOVE.into(),
            removal(RemovalMessage::Confirm),
            removal(RemovalMessage::Cancel),
        );
        Some(column![reason, question].spacing(theme::SPACE_XS).into())
    } else {
        Some(widget::confirm(
            DELETE_QUESTION.into(),
            DELETE.into(),
            removal(RemovalMessage::Confirm),
            removal(RemovalMessage::Cancel),
        ))
    }
}

impl State {
    /// Whether we moderate this conversation's room.
    pub(super) fn moderator(&self) -> bool {
        self.room.as_ref().is_some_and(|room| room.moderator && room.joined)
    }

    pub(super) fn removal(&mut self, message: RemovalMessage) -> (Task<Message>, Option<Event>) {
        match message {
            RemovalMessage::Ask(id) => {
                let moderator = self.moderator();
                let Some(moderate) =
                    self.messages.iter().find(|m| m.id == id).and_then(|m| offered(m, moderator))
                else {
                    return (Task::none(), None);
                };
                self.removing = Some(Removing { id, moderate, reason: String::new() });
                let focus =
                    if moderate { iced::widget::operation::focus(REASON_ID) } else { Task::none() };
                (focus, None)
            }
            RemovalMessage::Reason(reason) => {
                if let Some(removing) = &mut self.removing {
                    removing.reason =
                        reason.chars().take(crate::model::MAX_REMOVAL_REASON).collect();
                }
                (Task::none(), None)
            }
            RemovalMessage::Cancel => {
                self.removing = None;
                (Task::none(), None)
            }
            RemovalMessage::Confirm => {
                let Some(removing) = self.removing.take() else { return (Task::none(), None) };
                let chat = self.chat.clone();
                let event = if removing.moderate {
                    let reason = Some(removing.reason.trim().to_owned()).filter(|r| !r.is_empty());
                    Event::Moderate { room: chat, message_id: removing.id, reason }
                } else {
                    Event::Retract { chat, message_id: removing.id }
                };
                (Task::none(), Some(event))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{message, room, room_line};
    use super::*;
    use crate::model::{ChatId, HistoryPage, Removal};
    use crate::ui::frames::Window;

    fn update(state: &mut State, message: Message) -> Task<Message> {
        state.update(message).0
    }

    fn ours_sent(id: i64) -> ChatMessage {
        ChatMessage { direction: Direction::Out, state: Delivery::Sent, ..message(id, id * 10) }
    }

    #[test]
    fn our_message_is_deleted_only_after_confirming() {
        let mut state = State::new(ChatId("bob@x".into()));
        let messages = vec![message(1, 10), ours_sent(2)];
        state.history(HistoryPage { chat: state.chat.clone(), messages, has_more: false });
        let mut window = Window::new(state, State::view, update);
        window.right_click("m2");
        window.click(DELETE);
        assert!(window.find(DELETE_QUESTION).is_some());
        window.click("Cancel");
        assert!(window.find(DELETE_QUESTION).is_none(), "asked again before anything goes");
        window.right_click("m2");
        window.click(DELETE);
        let (_, event) = window.state.update(Message::Removal(RemovalMessage::Confirm));
        assert_eq!(event, Some(Event::Retract { chat: ChatId("bob@x".into()), message_id: 2 }));

        let theirs = State::new(ChatId("bob@x".into()));
        let mut window = Window::new(theirs, State::view, update);
        window.change(|state| {
            let messages = vec![message(1, 10)];
            state.history(HistoryPage { chat: state.chat.clone(), messages, has_more: false });
            Task::none()
        });
        window.right_click("m1");
        assert!(window.find(DELETE).is_none(), "only ours");
    }

    #[test]
    fn a_removed_line_reads_as_removed_and_a_moderator_removes_with_a_reason() {
        let mut state = room(&["mallory", "me"]);
        let mut context = state.room.clone().unwrap_or_default();
        context.moderator = true;
        state.set_room(context);
        let spam = room_line(1, "mallory", "buy pills", MessageKind::Message);
        let mut gone = room_line(2, "alice", "", MessageKind::Message);
        gone.kind = MessageKind::Removed(Removal::moderated(Some("boss"), Some("off topic")));
        let mut taken_back = ours_sent(3);
        taken_back.kind = MessageKind::Removed(Removal::Retracted);
        let messages = vec![spam, gone, taken_back];
        state.history(HistoryPage { chat: state.chat.clone(), messages, has_more: false });
        let mut window = Window::new(state, State::view, update);
        assert!(window.find("Removed by a moderator: off topic").is_some());
        assert!(window.find("Message deleted").is_some());
        window.right_click("Message deleted");
        assert!(window.find(DELETE).is_none(), "nothing left to delete");
        window.right_click("buy pills");
        window.click(REMOVE);
        assert!(window.find(REMOVE_QUESTION).is_some());
        window.type_text("spam");
        let (_, event) = window.state.update(Message::Removal(RemovalMessage::Confirm));
        let expected = Event::Moderate {
            room: ChatId("tea@muc.x".into()),
            message_id: 1,
            reason: Some("spam".into()),
        };
        assert_eq!(event, Some(expected));
    }
}
