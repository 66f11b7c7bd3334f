//! Invitations to chat rooms, shown as cards above the contact list like subscription
//! requests. Nothing is joined until the user chooses Join: an invitation is someone else's
//! wish, and joining tells the room who we are. Anyone may send invitations, so those not from
//! a contact are kept to the newest [`MAX_FROM_STRANGERS`].

use super::theme;
use crate::model::Invite;
use iced::widget::{Column, button, column, container, row, text};
use iced::{Element, Fill};

/// Invitations from people not in the roster (and every one through a room, whose inviter is
/// the room's claim) that wait at once; a newer one pushes the oldest out. A card per
/// invitation: more than this would bury the contact list.
pub const MAX_FROM_STRANGERS: usize = 20;

/// The invitations waiting for an answer.
#[derive(Debug, Default)]
pub struct State {
    /// Oldest first; one per room (a newer invitation to the same room replaces the older),
    /// each with whether a contact sent it.
    invites: Vec<(Invite, bool)>,
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
    pub fn push(&mut self, invite: Invite, from_contact: bool) {
        self.invites.retain(|(known, _)| known.room != invite.room);
        let strangers = self.invites.iter().filter(|(_, contact)| !contact).count();
        if !from_contact
            && strangers >= MAX_FROM_STRANGERS
            && let Some(oldest) = self.invites.iter().position(|(_, contact)| !contact)
        {
            self.invites.remove(oldest);
        }
        self.invites.push((invite, from_contact));
    }

    /// Forget the invitation to a room, as when the room was joined another way.
    pub fn remove(&mut self, room: &str) {
        self.invites.retain(|(known, _)| known.room != room);
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        let (room, join) = match message {
            Message::Join(room) => (room, true),
            Message::Decline(room) => (room, false),
        };
        let at = self.invites.iter().position(|(invite, _)| invite.room == room)?;
        let (invite, _) = self.invites.remove(at);
        Some(if join { Event::Join(invite) } else { Event::Decline(invite) })
    }

    /// One card per invitation; nothing when there is none.
    pub fn view(&self) -> Option<Element<'_, Message>> {
        if self.invites.is_empty() {
            return None;
        }
        let cards = self.invites.iter().map(|(invite, _)| card(invite));
        Some(Column::with_children(cards).spacing(theme::SPACE_S).into())
    }
}

fn card(invite: &Invite) -> Element<'_, Message> {
    // Through a room, the inviter is only what the room says.
    let via = if invite.mediated { " (via the room)" } else { "" };
    let line = match invite.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(reason) => format!("{} invites you to {}{via}: {reason}", invite.from, invite.room),
        None => format!("{} invites you to {}{via}", invite.from, invite.room),
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
        state.push(invite("tea@muc.example.org", Some("come chat")), false);
        state.push(invite("work@muc.example.org", None), false);
        let mut ui = iced_test::simulator(state.view().expect("cards are shown"));
        ui.find("eve@example.org invites you to tea@muc.example.org (via the room): come chat")
            .expect("the card says who (as the room claims), where and why");
        ui.find("eve@example.org invites you to work@muc.example.org (via the room)")
            .expect("no reason given");
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
        state.push(invite("tea@muc.example.org", None), false);
        state.push(invite("tea@muc.example.org", Some("again")), false);
        let mut ui = iced_test::simulator(state.view().expect("cards are shown"));
        ui.click("Join").expect("join button");
        let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
        assert_eq!(events, [Event::Join(invite("tea@muc.example.org", Some("again")))]);
    }

    #[test]
    fn a_direct_invitation_names_its_sender_plainly() {
        let mut state = State::default();
        let direct = Invite { mediated: false, ..invite("tea@muc.example.org", None) };
        state.push(direct, true);
        let mut ui = iced_test::simulator(state.view().expect("a card"));
        ui.find("eve@example.org invites you to tea@muc.example.org").expect("no via");
    }

    #[test]
    fn invitations_from_strangers_are_bounded_and_contacts_kept() {
        let mut state = State::default();
        let from_friend = Invite { mediated: false, ..invite("friends@muc.example.org", None) };
        state.push(from_friend.clone(), true);
        for i in 0..MAX_FROM_STRANGERS + 5 {
            state.push(invite(&format!("spam{i}@muc.example.org"), None), false);
        }
        assert_eq!(state.invites.len(), MAX_FROM_STRANGERS + 1);
        assert_eq!(state.invites[0].0, from_friend, "a contact's invitation stays");
        let rooms: Vec<&str> = state.invites[1..].iter().map(|(i, _)| i.room.as_str()).collect();
        assert_eq!(rooms.first(), Some(&"spam5@muc.example.org"), "the oldest went first");
        assert_eq!(rooms.last(), Some(&"spam24@muc.example.org"));
    }
}
