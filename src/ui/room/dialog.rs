//! The small forms a room's header actions open: invite someone, set the subject, change our
//! nickname, or leave or destroy the room (which ask first).

use super::{Event, Message, State};
use crate::model::Room;
use crate::ui::{theme, widget};
use crate::worker::RoomCommand;
use iced::widget::{button, column, row, text, text_input};
use iced::{Center, Element, Task};

/// The first field of whichever form is open, which takes the cursor when it opens.
const FIRST_FIELD_ID: &str = "room-dialog";

/// A header action waiting for its details.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Dialog {
    Invite {
        jid: String,
        reason: String,
        error: Option<String>,
    },
    Subject(String),
    Nick(String),
    /// Destroying asks first; the reason is told to the occupants.
    Destroy(String),
    /// Leaving asks first: the room is also no longer joined at start.
    Leave,
}

impl State {
    /// The cursor in the form `message` opens, if it opens one.
    pub fn focus_for<M: Send + 'static>(message: &Message) -> Task<M> {
        match message {
            Message::Invite | Message::Subject | Message::Nick | Message::Destroy => {
                iced::widget::operation::focus(FIRST_FIELD_ID)
            }
            _ => Task::none(),
        }
    }

    pub(super) fn open(&mut self, dialog: Dialog) -> Option<Event> {
        self.dialog = Some(dialog);
        None
    }

    pub(super) fn submit(&mut self) -> Option<Event> {
        let room = self.jid.clone();
        let trimmed = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let command = match self.dialog.as_mut()? {
            Dialog::Invite { jid, reason, error } => match crate::model::parse_bare_jid(jid) {
                Ok(jid) => RoomCommand::Invite { room, jid, reason: trimmed(reason) },
                Err(e) => {
                    *error = Some(e);
                    return None;
                }
            },
            Dialog::Subject(subject) => {
                RoomCommand::SetSubject { room, subject: subject.trim().to_owned() }
            }
            Dialog::Nick(nick) => RoomCommand::ChangeNick { room, nick: trimmed(nick)? },
            Dialog::Destroy(reason) => RoomCommand::Destroy { room, reason: trimmed(reason) },
            Dialog::Leave => RoomCommand::Leave { room },
        };
        self.dialog = None;
        Some(Event::Room(command))
    }

    pub(super) fn dialog<'a>(&'a self, dialog: &'a Dialog) -> Element<'a, Message> {
        let input = |placeholder: &'a str, value: &'a str| {
            text_input(placeholder, value)
                .id(FIRST_FIELD_ID)
                .on_input(Message::Draft)
                .on_submit(Message::Submit)
                .padding(theme::SPACE_XS)
        };
        let cancel = button(text("Cancel").size(theme::TEXT_SMALL))
            .style(button::secondary)
            .on_press(Message::Cancel);
        let submit = |label: &'static str| {
            button(text(label).size(theme::TEXT_SMALL)).on_press(Message::Submit)
        };
        let line = match dialog {
            Dialog::Leave => {
                let name = self.room.as_ref().map_or(self.jid.as_str(), Room::display_name);
                return widget::confirm(
                    format!(
                        "Leave {name}? Its messages stop coming, and Confab no longer joins it \
                         at start. Its history stays."
                    ),
                    format!("Leave {name}"),
                    Message::Submit,
                    Message::Cancel,
                );
            }
            Dialog::Invite { jid, reason, error } => {
                let fields = row![
                    text_input("Who (name@server)", jid)
                        .id(FIRST_FIELD_ID)
                        .on_input(Message::InviteJid)
                        .on_submit(Message::Submit)
                        .padding(theme::SPACE_XS),
                    text_input("Why (optional)", reason)
                        .on_input(Message::Draft)
                        .on_submit(Message::Submit)
                        .padding(theme::SPACE_XS),
                    submit("Invite"),
                    cancel,
                ]
                .spacing(theme::SPACE_XS)
                .align_y(Center);
                let error = error
                    .as_deref()
                    .map(|e| text(e).size(theme::TEXT_SMALL).style(theme::error_text));
                return column![fields, error].spacing(theme::SPACE_XS).into();
            }
            Dialog::Subject(subject) => {
                row![input("The room's subject", subject), submit("Set subject"), cancel]
            }
            Dialog::Nick(nick) => row![input("Your nickname here", nick), submit("Change"), cancel],
            Dialog::Destroy(reason) => row![
                text("Destroy this room for everyone? This cannot be undone.")
                    .size(theme::TEXT_SMALL),
                input("Why (optional)", reason),
                button(text("Destroy").size(theme::TEXT_SMALL))
                    .style(button::danger)
                    .on_press(Message::Submit),
                cancel,
            ],
        };
        line.spacing(theme::SPACE_XS).align_y(Center).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::ui::frames::Window;

    fn view(state: &State) -> Element<'_, Message> {
        state.header(false, false)
    }

    fn update(state: &mut State, message: Message) -> Task<Message> {
        let focus = State::focus_for(&message);
        let _ = state.update(message);
        focus
    }

    #[test]
    fn each_form_takes_the_cursor_when_it_opens() {
        let room = crate::ui::fixtures::joined_room("tea@muc.x");
        let mut window =
            Window::new(State::new("tea@muc.x".into(), Some(room), Vec::new()), view, update);
        window.click("Subject");
        window.type_text("Oolong");
        assert_eq!(window.state.dialog, Some(Dialog::Subject("Oolong".into())));
        window.click("Cancel");
        window.click("Nickname");
        window.type_text("2");
        assert_eq!(window.state.dialog, Some(Dialog::Nick("me2".into())));
        window.click("Cancel");
        window.click("Invite");
        window.type_text("eve@x");
        let invite = Dialog::Invite { jid: "eve@x".into(), reason: String::new(), error: None };
        assert_eq!(window.state.dialog, Some(invite));
    }
}
