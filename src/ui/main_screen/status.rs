//! Our own status as the connection has it: what the window title says, and what the status
//! menu under the contact list shows beside it.

use super::State;
use crate::model::PresenceShow;
use crate::ui::contacts;

impl State {
    /// Our own status as others see it now, for the window title: the chosen one while
    /// online, else where the connection stands.
    pub fn summary(&self) -> &'static str {
        if self.banner.online() {
            self.contacts.own_show().unwrap_or(PresenceShow::Online).label()
        } else {
            self.banner.summary()
        }
    }

    /// The status menu says *Offline* when we are offline by choice; otherwise it shows the
    /// chosen status, with a word on the connection while that is not there yet.
    pub(super) fn link(&self) -> contacts::Link<'_> {
        let offline = self.banner.idle();
        let note = (!offline && !self.banner.online()).then(|| self.banner.summary());
        contacts::Link { offline, note, route: self.banner.route() }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Event;
    use super::super::chat::tests::{Lent, screen, window};
    use super::*;
    use crate::model::{AccountId, ChatId, ConnectionState, Contact, Presence, Subscription};
    use crate::worker::{Command, Event as WorkerEvent};
    use iced::Task;

    fn bob(status: &str) -> Contact {
        Contact {
            jid: "bob@x".into(),
            name: Some("Bob".into()),
            subscription: Subscription::Both,
            ask_subscribe: false,
            groups: Vec::new(),
            presence: Presence { show: PresenceShow::Online, status: Some(status.into()) },
            avatar: None,
        }
    }

    fn shows(state: &State, words: &str) -> bool {
        let lent = Lent::default();
        iced_test::simulator(lent.view(state)).find(words).is_ok()
    }

    #[test]
    fn contacts_presence_is_unknown_while_offline() {
        let mut state = screen();
        state.apply(WorkerEvent::Roster { contacts: vec![bob("at lunch")], from_server: true });
        let _ = state.open_chat(ChatId("bob@x".into()));
        assert!(shows(&state, "at lunch"), "his status in the list while online");
        assert!(shows(&state, "bob@x · Online — at lunch"), "and in the header");

        state.apply(WorkerEvent::Connection(ConnectionState::Idle));
        assert!(!shows(&state, "at lunch"), "old news is not shown");
        assert!(shows(&state, "bob@x · presence unknown while you are offline"));

        state.apply(WorkerEvent::Connection(ConnectionState::Online));
        assert!(!shows(&state, "bob@x · Online — at lunch"), "unknown until the server says");
        let back = Presence { show: PresenceShow::Online, status: Some("back".into()) };
        state.apply(WorkerEvent::Presences(vec![("bob@x".into(), back)]));
        assert!(shows(&state, "bob@x · Online — back"));
    }

    #[test]
    fn what_was_cached_is_not_shown_as_presence_before_connecting() {
        let mut state = State::new(AccountId("me@x".into()));
        state.apply(WorkerEvent::Roster { contacts: vec![bob("stale")], from_server: false });
        let _ = state.open_chat(ChatId("bob@x".into()));
        assert!(shows(&state, "Bob"), "the contact is listed");
        assert!(!shows(&state, "stale"), "but not as available");
    }

    #[test]
    fn the_title_says_our_own_status_as_others_see_it() {
        let mut state = State::new(AccountId("me@x".into()));
        assert_eq!(state.summary(), "Offline", "before the worker has said anything");
        state.apply(WorkerEvent::OwnPresence(Presence { show: PresenceShow::Away, status: None }));
        state.apply(WorkerEvent::Connection(ConnectionState::Connecting));
        assert_eq!(state.summary(), "Connecting…");
        state.apply(WorkerEvent::Connection(ConnectionState::Online));
        assert_eq!(state.summary(), "Away");
        state.apply(WorkerEvent::Connection(ConnectionState::Idle));
        assert_eq!(state.summary(), "Offline");
    }

    #[test]
    fn offline_in_the_status_menu_disconnects_and_a_status_connects_again() {
        let mut window = window(screen());
        window.click("Online");
        window.click("Offline");
        assert_eq!(window.state.events, [Event::Command(Command::Disconnect)]);
        window.change(|shown| {
            shown.main.apply(WorkerEvent::Connection(ConnectionState::Idle));
            Task::none()
        });
        window.state.events.clear();
        window.click("Offline");
        window.click("Do not disturb");
        let dnd = Presence { show: PresenceShow::Dnd, status: None };
        assert_eq!(
            window.state.events,
            [Event::Command(Command::SetPresence(dnd)), Event::Command(Command::Connect)],
            "the chosen status first, so the login shows it"
        );
    }

    #[test]
    fn the_route_of_the_login_shows_under_the_status_while_online() {
        let mut state = screen();
        state.apply(WorkerEvent::Route(crate::model::Route {
            transport: "BOSH".into(),
            endpoint: "https://x/bosh".into(),
            tls: "HTTPS".into(),
            proxy: Some("HTTP proxy 127.0.0.1:3128".into()),
            login: "SASL2 and Bind2, SCRAM-SHA-1".into(),
        }));
        assert!(shows(&state, "Connected over BOSH via HTTP proxy 127.0.0.1:3128"));
        state.apply(WorkerEvent::Connection(ConnectionState::Connecting));
        assert!(!shows(&state, "Connected over BOSH"), "not while reconnecting");
    }
}
