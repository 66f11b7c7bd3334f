//! How the main screen fits the window: below a width, a conversation's header folds its
//! actions under "⋯", and a panel beside the conversation (a room's people, a profile, a
//! room's settings) covers its right side when asked for instead of squeezing the messages
//! and the message field into a strip.

use super::State;
use crate::ui::theme;
use crate::ui::widget::slot;
use iced::widget::{container, opaque, row, stack};
use iced::{Element, Fill};

impl State {
    /// The window is this wide now.
    pub fn set_width(&mut self, width: f32) {
        self.width = width;
        self.sidebar.fit(width);
        let beside = self.panels_beside();
        if let Some(room) = &mut self.room {
            room.fit(beside);
        }
    }

    fn conversation_width(&self) -> f32 {
        self.width - self.sidebar.width()
    }

    /// Too narrow for a header's actions in a row: they fold under "⋯".
    pub(super) fn narrow_header(&self) -> bool {
        self.conversation_width() < theme::HEADER_FOLD_WIDTH
    }

    /// Wide enough for a panel beside the conversation.
    pub(super) fn panels_beside(&self) -> bool {
        self.conversation_width() >= theme::PANEL_BESIDE_WIDTH
    }

    /// The messages with the open panel beside them, or over their right side when there is
    /// no room; one shape either way, so the message field keeps its focus.
    pub(super) fn with_panel<'a, M: 'a>(
        &self,
        messages: Element<'a, M>,
        panel: Option<Element<'a, M>>,
    ) -> Element<'a, M> {
        let (beside, over) = if self.panels_beside() { (panel, None) } else { (None, panel) };
        let over = over.map(|panel| container(opaque(panel)).align_right(Fill).height(Fill));
        stack![row![messages, beside].height(Fill), slot(over)].width(Fill).height(Fill).into()
    }
}

#[cfg(test)]
mod tests {
    use super::super::chat::tests::{Lent, screen, talking_to_bob};
    use super::super::{HeaderMessage, Message, State};
    use crate::model::{Affiliation, Role};
    use crate::ui::room;
    use crate::worker::Event as WorkerEvent;
    use iced::Size;

    /// The smallest window Confab is made for.
    const SMALL: Size = Size::new(640.0, 480.0);
    const LARGE: Size = Size::new(1024.0, 768.0);

    #[test]
    fn a_narrow_header_offers_every_action_under_more() {
        let mut state = talking_to_bob();
        let lent = Lent::default();
        let mut ui = lent.at(&mut state, SMALL);
        assert!(ui.find("Block").is_err(), "folded");
        let more = iced_test::selector::id(super::super::header::MORE_ID);
        ui.click(more).expect("the actions are one click away");
        let messages: Vec<_> = ui.into_messages().collect();
        for message in messages {
            let _ = state.update(message);
        }
        let mut ui = lent.at(&mut state, SMALL);
        for action in ["Mute", "Profile", "Rename", "Remove", "Block"] {
            ui.click(action).unwrap_or_else(|e| panic!("{action} within reach: {e:?}"));
        }
        let asked: Vec<_> = ui.into_messages().collect();
        assert!(matches!(asked.last(), Some(Message::Header(HeaderMessage::AskBlock))));
        let _ = state.update(Message::Header(HeaderMessage::AskBlock));
        let mut ui = lent.at(&mut state, SMALL);
        ui.find("Block Bob").expect("the question, under the folded actions");
        assert!(ui.find("Rename").is_err(), "a chosen action folds the menu again");
    }

    fn in_a_room(size: Size) -> State {
        let mut state = screen();
        state.set_width(size.width);
        let room = crate::ui::fixtures::joined_room("tea@muc.x");
        state.apply(WorkerEvent::Rooms(vec![room]));
        let me = crate::ui::fixtures::occupant("me", Role::Participant, Affiliation::None);
        state.apply(WorkerEvent::Occupants {
            room: "tea@muc.x".into(),
            present: vec![me],
            gone: Vec::new(),
            replace: true,
        });
        let _ = state
            .update(Message::Sidebar(crate::ui::sidebar::Message::OpenRoom("tea@muc.x".into())));
        state
    }

    #[test]
    fn the_people_in_a_room_fold_away_in_a_small_window_and_come_when_asked() {
        let lent = Lent::default();
        let mut wide = in_a_room(LARGE);
        assert!(lent.at(&mut wide, LARGE).find("In the room (1)").is_ok(), "beside it");

        let mut state = in_a_room(SMALL);
        assert!(lent.at(&mut state, SMALL).find("In the room (1)").is_err(), "folded away");
        let _ = state.update(Message::Room(room::Message::ToggleOccupants));
        assert!(lent.at(&mut state, SMALL).find("In the room (1)").is_ok(), "when asked");

        state.set_width(LARGE.width);
        let _ = state.update(Message::Room(room::Message::ToggleOccupants));
        state.set_width(SMALL.width);
        state.set_width(LARGE.width);
        assert!(lent.at(&mut state, LARGE).find("In the room (1)").is_err(), "closed stays closed");
    }

    #[test]
    fn a_small_window_narrows_the_contact_list_for_the_message_field() {
        let mut state = screen();
        state.set_width(LARGE.width);
        assert_eq!(state.sidebar.width(), crate::ui::theme::SIDEBAR_WIDTH);
        state.set_width(SMALL.width);
        assert_eq!(state.sidebar.width(), crate::ui::theme::SIDEBAR_MIN_WIDTH);
        assert!(state.conversation_width() >= 440.0, "the conversation keeps the rest");
    }
}
