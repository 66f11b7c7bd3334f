//! An open room's header: its name, subject and where we stand, and what we may do there.
//! Leaving and destroying ask first and look dangerous; in a narrow window the actions fold
//! under "⋯".

use super::{Message, State};
use crate::model::{Room, RoomState};
use crate::ui::widget::slot;
use crate::ui::{theme, widget};
use iced::widget::{Row, button, column, container, row, text};
use iced::{Center, Element, Fill, Length, Right};

impl State {
    /// The header; `muted` says whether the room's notifications are off, `narrow` that the
    /// actions do not fit beside the name.
    pub fn header(&self, muted: bool, narrow: bool) -> Element<'_, Message> {
        let name = self.room.as_ref().map_or(self.jid.as_str(), Room::display_name);
        let title = column![
            text(name).size(theme::TEXT_TITLE),
            text(self.subtitle()).size(theme::TEXT_SMALL).style(theme::muted),
        ];
        let (actions, unfolded) = if narrow {
            let more = button(text("⋯").size(theme::TEXT_SMALL))
                .style(button::secondary)
                .on_press(Message::Fold);
            (Row::new().push(more), self.unfolded.then(|| self.actions(muted)))
        } else {
            (self.actions(muted), None)
        };
        // The title keeps a third of the width, so an owner's many actions wrap onto a
        // second line instead of squeezing the room's name to nothing; folded, all but "⋯".
        let (title_share, actions_share) = if narrow {
            (Length::Fill, Length::Shrink)
        } else {
            (Length::FillPortion(1), Length::FillPortion(2))
        };
        let top = row![
            widget::room_avatar(&self.jid, name),
            container(title).width(title_share),
            container(actions.wrap().align_x(Right)).width(actions_share).align_x(Right),
        ]
        .spacing(theme::SPACE_S)
        .align_y(Center);
        let unfolded = unfolded.map(|actions| actions.wrap());
        let dialog = self.dialog.as_ref().map(|dialog| self.dialog(dialog));
        container(column![top, slot(unfolded), slot(dialog)].spacing(theme::SPACE_S))
            .padding([theme::SPACE_S, theme::SPACE_M])
            .width(Fill)
            .style(theme::header)
            .into()
    }

    fn subtitle(&self) -> String {
        let Some(room) = &self.room else { return format!("{} · not in your rooms", self.jid) };
        match &room.state {
            RoomState::Joined => {
                let people = match self.occupants.all().len() {
                    1 => "1 person".to_owned(),
                    n => format!("{n} people"),
                };
                match room.subject.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    Some(subject) => format!("{subject} · {people}"),
                    None => format!("{} · {people}", room.jid),
                }
            }
            RoomState::Joining => format!("{} · joining…", room.jid),
            RoomState::Failed(reason) => format!("Could not join: {reason}"),
            RoomState::Left => format!("{} · not joined", room.jid),
        }
    }

    /// What we may do in the room: the dangerous actions last, in the danger colour.
    fn actions(&self, muted: bool) -> Row<'_, Message> {
        let action = |label: &'static str, message: Message| {
            button(text(label).size(theme::TEXT_SMALL)).style(button::secondary).on_press(message)
        };
        let danger = |label: &'static str, message: Message| {
            button(text(label).size(theme::TEXT_SMALL)).style(button::danger).on_press(message)
        };
        let state = self.room.as_ref().map(|r| &r.state);
        let mute = if muted {
            action("Unmute", Message::Mute(false))
        } else {
            action("Mute", Message::Mute(true))
        };
        let mut actions: Vec<Element<'_, Message>> = vec![
            mute.into(),
            action("Discover", Message::Discover).into(),
            action("Export", Message::Export).into(),
        ];
        match state {
            Some(RoomState::Joined) => {
                actions.push(action("Occupants", Message::ToggleOccupants).into());
                actions.push(action("Invite", Message::Invite).into());
                actions.push(action("Subject", Message::Subject).into());
                actions.push(action("Nickname", Message::Nick).into());
                if self.admin() {
                    actions.push(action("Members and bans", Message::OpenMembers).into());
                }
                if self.owner() {
                    actions.push(action("Configure", Message::Configure).into());
                }
                actions.push(danger("Leave", Message::Leave).into());
                if self.owner() {
                    actions.push(danger("Destroy", Message::Destroy).into());
                }
            }
            Some(RoomState::Joining) => actions.push(danger("Leave", Message::Leave).into()),
            Some(RoomState::Left | RoomState::Failed(_)) | None => {
                actions.push(
                    button(text("Join").size(theme::TEXT_SMALL)).on_press(Message::Join).into(),
                );
            }
        }
        Row::with_children(actions).spacing(theme::SPACE_XS)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Event;
    use super::*;
    use crate::worker::RoomCommand;
    use iced_test::simulator;

    fn clicked(state: &mut State, label: &str) -> Vec<Event> {
        let mut ui = simulator(state.header(false, false));
        ui.click(label).expect(label);
        let messages: Vec<_> = ui.into_messages().collect();
        messages.into_iter().filter_map(|m| state.update(m)).collect()
    }

    #[test]
    fn leaving_asks_first() {
        let room = crate::ui::fixtures::joined_room("tea@muc.x");
        let mut state = State::new("tea@muc.x".into(), Some(room), Vec::new());
        assert_eq!(clicked(&mut state, "Leave"), [], "the first click only asks");
        let mut ui = simulator(state.header(false, false));
        ui.find("Leave Tea? Its messages stop coming, and Confab no longer joins it at start. Its history stays.")
            .expect("what leaving does");
        drop(ui);
        assert_eq!(clicked(&mut state, "Cancel"), []);
        assert_eq!(clicked(&mut state, "Leave"), []);
        let leave = RoomCommand::Leave { room: "tea@muc.x".into() };
        assert_eq!(clicked(&mut state, "Leave Tea"), [Event::Room(leave)]);
    }
}
