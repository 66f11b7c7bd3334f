//! Invitations to chat rooms, shown as cards above the contact list like subscription
//! requests. Nothing is joined until the user chooses Join: an invitation is someone else's
//! wish, and joining tells the room who we are.

use super::theme;
use crate::model::Invite;
use iced::widget::{Column, button, column, container, row, text};
use iced::{Element, Fill};

/// The invitations waiting for an answer.
#[derive(Debug, Default)]
pub struct State {
    /// Oldest first; one per room (a newer invitation to the same room replaces the older).
    invites: Vec<Invite>,
}

/// The cards' buttons.
#[derive(Debug, Clone)]
pub enum Message {
    /// Join the room this invitation is for (named by its address).
    Join(String),
    Decline(String),
}

/// The answer the main screen sends to the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Join(Invite),
    Decline(Invite),
}

impl State {
    pub fn push(&mut self, invite: Invite) {
        self.invites.retain(|known| known.room != invite.room);
        self.invites.push(invite);
    }

    /// Forget the invitation to a room, as when the room was joined another way.
    pub fn remove(&mut self, room: &str) {
        self.invites.retain(|known| known.room != room);
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        let (room, join) = match message {
            Message::Join(room) => (room, true),
            Message::Decline(room) => (room, false),
        };
        let at = self.invites.iter().position(|invite| invite.room == room)?;
        let invite = self.invites.remove(at);
        Some(if join { Event::Join(invite) } else { Event::Decline(invite) })
    }

    /// One card per invitation; nothing when there is none.
    pub fn view(&self) -> Option<Element<'_, Message>> {
        if self.invites.is_empty() {
            return None;
        }
        let cards = self.invites.iter().map(card);
        Some(Column::with_children(cards).spacing(theme::SPACE_S).into())
    }
}

fn card(invite: &Invite) -> Element<'_, Message> {
    let line = match invite.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(reason) => format!("{} invites you to {}: {reason}", invite.from, invite.room),
        None => format!("{} invites you to {}", invite.from, invite.room),
    };
    container(
        column![
            text(line).size(theme::TEXT_SMALL),
            row![
                button(text("Join").size(theme::TEXT_SMALL))
                    .on_press(Message::Join(invite.room.clone())),
                button(text("Decline").size(theme::TEXT_SMALL))
                    .style(button::secondary)
                    .on_press(Message::Decline(invite.room.clone())),
            ]
            .spacing(theme::SPACE_XS),
        ]
        .spacing(theme::SPACE_XS),
    )
    .padding(theme::SPACE_S)
    .width(Fill)
    .style(theme::card)
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invite(room: &str, reason: Option<&str>) -> Invite {
        Invite {
            room: room.into(),
            from: "eve@example.org".into(),
            reason: reason.map(str::to_owned),
            password: None,
            mediated: true,
        }
    }

    #[test]
    fn an_invitation_is_joined_or_declined_only_when_asked() {
        let mut state = State::default();
        state.push(invite("tea@muc.example.org", Some("come chat")));
        state.push(invite("work@muc.example.org", None));
        let mut ui = iced_test::simulator(state.view().expect("cards are shown"));
        ui.find("eve@example.org invites you to tea@muc.example.org: come chat")
            .expect("the card says who, where and why");
        ui.find("eve@example.org invites you to work@muc.example.org").expect("no reason given");
        let messages: Vec<_> = ui.into_messages().collect();
        assert!(messages.is_empty(), "showing the card does nothing");

        assert_eq!(
            state.update(Message::Join("tea@muc.example.org".into())),
            Some(Event::Join(invite("tea@muc.example.org", Some("come chat"))))
        );

        let mut ui = iced_test::simulator(state.view().expect("one card left"));
        ui.click("Decline").expect("decline button");
        let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
        assert_eq!(events, [Event::Decline(invite("work@muc.example.org", None))]);
        assert!(state.view().is_none(), "no card left");
    }

    #[test]
    fn clicking_join_joins_that_room() {
        let mut state = State::default();
        state.push(invite("tea@muc.example.org", None));
        state.push(invite("tea@muc.example.org", Some("again")));
        let mut ui = iced_test::simulator(state.view().expect("cards are shown"));
        ui.click("Join").expect("join button");
        let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
        assert_eq!(events, [Event::Join(invite("tea@muc.example.org", Some("again")))]);
    }
}
