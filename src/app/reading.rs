//! Where the user left off: each worker reads it from the store when it starts (unread counts,
//! the conversation that was open) and the window shows it again; the other way, the worker
//! hears which conversation is open whenever that changes.

use super::{App, Message};
use crate::model::{AccountId, ChatId};
use crate::worker::Command;
use iced::Task;

impl App {
    /// An account's worker started: its unread counts replace what was counted, and the
    /// conversation that was open opens again, unless the user has opened one meanwhile.
    pub(super) fn restore_reading(
        &mut self,
        account: AccountId,
        unread: Vec<(ChatId, u32)>,
        open: Option<ChatId>,
    ) -> Task<Message> {
        self.alerts.unread.restore(&account, unread);
        let Some(chat) = open else { return Task::none() };
        let Some(main) = self.mains.get_mut(&account) else { return Task::none() };
        if main.visible_chat().is_some() {
            return Task::none();
        }
        self.opened.insert(account.clone(), chat.clone());
        let (task, event) = main.open_chat(chat);
        // The screen's own tasks (the composer's focus) matter only when it is on show.
        let task = if self.active.as_ref() == Some(&account) {
            task.map(Message::Main)
        } else {
            Task::none()
        };
        let follow_up = match event {
            Some(event) => self.main_event(account, event),
            None => Task::none(),
        };
        Task::batch([task, follow_up])
    }

    /// Tell the worker which conversation is open, once each time it changes (quietly: a
    /// worker still starting hears it at the next update).
    pub(super) fn remember_open(&mut self) {
        let Some(main) = self.main() else { return };
        let Some(chat) = main.visible_chat() else { return };
        let account = main.account.clone();
        if self.opened.get(&account) == Some(chat) {
            return;
        }
        let chat = chat.clone();
        let told =
            self.handles.get(&account).map(|h| h.send(Command::Opened { chat: chat.clone() }));
        if let Some(Ok(())) = told {
            self.opened.insert(account, chat);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::app_with;
    use super::*;
    use crate::model::{Contact, Presence, PresenceShow, Subscription};
    use crate::worker::{Event, Update};

    const ME: &str = "me@x";
    const EMPTY: &str = "Choose a contact or a room to start chatting.";

    fn report(app: &mut App, event: Event) {
        let _ = app
            .update(Message::Worker(Update { account: AccountId(ME.into()), events: vec![event] }));
    }

    fn juliet() -> Contact {
        Contact {
            jid: "juliet@x".into(),
            name: Some("Juliet".into()),
            subscription: Subscription::Both,
            ask_subscribe: false,
            groups: Vec::new(),
            presence: Presence { show: PresenceShow::Online, status: None },
            avatar: None,
        }
    }

    #[test]
    fn the_conversation_left_open_opens_again_with_the_unread_counts() {
        let (_dir, mut app) = app_with(&[ME]);
        report(&mut app, Event::Roster { contacts: vec![juliet()], from_server: false });
        let mut ui = iced_test::simulator(app.view());
        ui.find(EMPTY).expect("nothing open yet");
        drop(ui);

        let juliet = ChatId("juliet@x".into());
        let unread = vec![(juliet.clone(), 3), (ChatId("romeo@x".into()), 1)];
        report(&mut app, Event::Reading { unread, open: Some(juliet.clone()) });
        assert_eq!(app.main().and_then(|m| m.visible_chat()), Some(&juliet));
        assert_eq!(app.title(), "Confab (4) — me@x (Offline)", "counts from the last run");
        let mut ui = iced_test::simulator(app.view());
        assert!(ui.find(EMPTY).is_err(), "Juliet's conversation is open");
        ui.find("3").expect("Juliet's unread badge");
    }

    #[test]
    fn the_open_conversation_is_kept_for_the_next_start() {
        let (dir, mut app) = app_with(&[ME]);
        let paths = crate::paths::Paths::in_profile(dir.path());
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let (handle, mut events) = {
            let _inside = runtime.enter();
            crate::worker::spawn(paths.clone(), AccountId(ME.into()))
        };
        report(&mut app, Event::Ready(handle.clone()));
        report(&mut app, Event::Roster { contacts: vec![juliet()], from_server: false });
        let open = crate::ui::sidebar::Message::Open("juliet@x".into());
        let _ = app.update(Message::Main(crate::ui::main_screen::Message::Sidebar(open)));

        handle.send(Command::Shutdown).expect("worker reachable");
        runtime.block_on(async {
            while !matches!(events.recv().await, Some(Event::Stopped) | None) {}
        });
        let store = crate::store::Store::open(&paths.database()).expect("store");
        assert_eq!(store.open_chat(ME).expect("read"), Some(ChatId("juliet@x".into())));
    }

    #[test]
    fn a_conversation_opened_meanwhile_stays_open() {
        let (_dir, mut app) = app_with(&[ME]);
        report(&mut app, Event::Roster { contacts: vec![juliet()], from_server: false });
        let open = crate::ui::sidebar::Message::Open("juliet@x".into());
        let _ = app.update(Message::Main(crate::ui::main_screen::Message::Sidebar(open)));
        report(
            &mut app,
            Event::Reading { unread: Vec::new(), open: Some(ChatId("romeo@x".into())) },
        );
        assert_eq!(app.main().and_then(|m| m.visible_chat()), Some(&ChatId("juliet@x".into())));
    }
}
