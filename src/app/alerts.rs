//! What the workers report, turned into desktop notifications and unread counts.
//!
//! An incoming message counts as unread unless its conversation is on screen in the focused
//! window; it notifies when it is a chat (or a private message in a room), or a room message
//! naming our nickname there. New contact requests and room invitations notify too. The rules
//! themselves (mute, Do Not Disturb, duplicates, bursts) are [`Notifier`]'s; this module only
//! gathers what it needs from the screens and routes a clicked notification back.

use super::{App, Message, Screen};
use crate::config::MutedChat;
use crate::model::{
    AccountId, ChatId, Direction, Invite, Message as ChatMessage, MessageKind, PresenceShow,
};
use crate::notify::{self, Context, Decision, Incoming, Kind, Notice, Notifier, Target, Unread};
use crate::ui::main_screen;
use crate::worker::Event as WorkerEvent;
use iced::{Task, window};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

/// The notification rules' state, the unread counts, and what they depend on.
#[derive(Debug, Default)]
pub(super) struct Alerts {
    pub(super) notifier: Notifier,
    pub(super) unread: Unread,
    /// Confab's window has the keyboard focus. False until the window says otherwise: at
    /// worst one notification too many, never a message silently taken as read.
    pub(super) focused: bool,
    /// Each account's pending contact requests as last reported. Absent until the first
    /// report, which is the list stored from earlier runs and notifies nothing.
    requests: HashMap<AccountId, HashSet<String>>,
}

impl Alerts {
    /// With the muted conversations from the settings.
    pub(super) fn new(muted: &[MutedChat]) -> Self {
        let muted = muted.iter().map(|m| Target {
            account: AccountId(m.account.clone()),
            chat: ChatId(m.chat.clone()),
        });
        Self { notifier: Notifier::new(muted), ..Self::default() }
    }

    /// The muted conversations as the settings keep them, in a stable order.
    pub(super) fn muted(&self) -> Vec<MutedChat> {
        let mut muted: Vec<MutedChat> = self
            .notifier
            .muted()
            .map(|t| MutedChat { account: t.account.0.clone(), chat: t.chat.0.clone() })
            .collect();
        muted.sort();
        muted
    }

    /// The account was removed: nothing of it is counted or muted any more.
    pub(super) fn forget(&mut self, account: &AccountId) {
        self.unread.forget(account);
        self.requests.remove(account);
        let muted: Vec<Target> =
            self.notifier.muted().filter(|t| &t.account == account).cloned().collect();
        for target in muted {
            self.notifier.set_muted(target, false);
        }
    }
}

impl App {
    /// The conversation the user would be looking at if the window had the focus.
    fn visible(&self) -> Option<Target> {
        if !matches!(self.screen, Screen::Main) {
            return None;
        }
        let main = self.main()?;
        let chat = main.visible_chat()?.clone();
        Some(Target { account: main.account.clone(), chat })
    }

    /// The conversation in front of the user is read: its unread count goes, and its sender
    /// is told what was seen (XEP-0333), when the user lets Confab say so.
    pub(super) fn mark_read(&mut self) {
        if !self.alerts.focused {
            return;
        }
        let Some(target) = self.visible() else { return };
        self.alerts.unread.clear(&target);
        // Quietly: a worker still starting misses one marker, and the next message brings
        // another.
        if !self.handles.contains_key(&target.account) {
            return;
        }
        let seen = self.main_mut().and_then(main_screen::State::take_displayed);
        if let (Some(chat), Some(handle)) = (seen, self.handles.get(&target.account)) {
            // Kept in the store, so the unread count after a restart starts here.
            let _ = handle.send(crate::worker::Command::Read { chat: chat.clone() });
            if self.config.privacy.read_markers {
                let _ = handle.send(crate::worker::Command::MarkDisplayed { chat });
            }
        }
    }

    /// Count and notify what `event` brings, before the screen applies it (a contact
    /// request is new only compared with the list the screen still shows).
    pub(super) fn alert(&mut self, account: &AccountId, event: &WorkerEvent) -> Task<Message> {
        Task::batch(
            self.notices(account, event)
                .into_iter()
                .map(|notice| Task::perform(notify::show(notice), Message::NotificationClicked)),
        )
    }

    /// The notifications `event` deserves; counts unread messages on the way.
    fn notices(&mut self, account: &AccountId, event: &WorkerEvent) -> Vec<Notice> {
        let Some(main) = self.mains.get(account) else { return Vec::new() };
        let incoming = match event {
            WorkerEvent::Message(message) => {
                if message.direction != Direction::In || message.kind != MessageKind::Message {
                    return Vec::new();
                }
                let target = Target { account: account.clone(), chat: message.chat.clone() };
                let visible = self.visible();
                if !(self.alerts.focused && visible.as_ref() == Some(&target)) {
                    if names_us(main, message) {
                        self.alerts.unread.add_mention(target.clone());
                    } else {
                        self.alerts.unread.add(target.clone());
                    }
                }
                let avatars = self.paths.avatar_dir();
                message_incoming(main, target, message, &avatars).into_iter().collect()
            }
            WorkerEvent::SubscriptionRequests(requests) => {
                let now: HashSet<String> = requests.iter().cloned().collect();
                match self.alerts.requests.insert(account.clone(), now) {
                    Some(before) => requests
                        .iter()
                        .filter(|jid| !before.contains(*jid))
                        .map(|jid| request_incoming(main, account, jid))
                        .collect(),
                    None => Vec::new(),
                }
            }
            WorkerEvent::Invite(invite) => vec![invite_incoming(main, account, invite)],
            _ => Vec::new(),
        };
        let visible = self.visible();
        let context = Context {
            focused: self.alerts.focused,
            visible: visible.as_ref(),
            dnd: main.own_show() == Some(PresenceShow::Dnd),
        };
        let now = Instant::now();
        incoming
            .into_iter()
            .filter_map(|incoming| match self.alerts.notifier.decide(incoming, &context, now) {
                Decision::Show(notice) => Some(notice),
                Decision::Skip(why) => {
                    tracing::debug!("no notification: {why:?}");
                    None
                }
            })
            .collect()
    }

    /// A notification was clicked: show its conversation, in front.
    pub(super) fn notification_clicked(
        &mut self,
        clicked: Result<Option<Target>, String>,
    ) -> Task<Message> {
        let target = match clicked {
            Ok(Some(target)) => target,
            Ok(None) => return Task::none(),
            Err(e) => {
                tracing::warn!("a notification could not be shown: {e}");
                return Task::none();
            }
        };
        if matches!(self.screen, Screen::Broken(_)) || !self.mains.contains_key(&target.account) {
            return Task::none();
        }
        if matches!(self.screen, Screen::Setup(_)) {
            // As Cancel would: the sign-up's connection goes with the form.
            self.registration = None;
        }
        self.screen = Screen::Main;
        self.active = Some(target.account.clone());
        self.alerts.unread.clear(&target);
        let Some(main) = self.main_mut() else { return Task::none() };
        let (task, event) = main.open_chat(target.chat);
        let follow_up = match event {
            Some(event) => self.main_event(target.account, event),
            None => Task::none(),
        };
        let raise = window::latest().and_then(window::gain_focus);
        Task::batch([task.map(Message::Main), follow_up, self.request_pictures(), raise])
    }
}

/// Whether a room message names our nickname there (and is not our own).
fn names_us(main: &main_screen::State, message: &ChatMessage) -> bool {
    main.room(message.chat.as_str()).is_some_and(|room| {
        message.nick.as_deref() != Some(room.nick.as_str())
            && notify::mentions(&message.body, &room.nick)
    })
}

/// A received message as a possible notification: chats and private messages in rooms
/// always, room messages only when they name our nickname there.
fn message_incoming(
    main: &main_screen::State,
    target: Target,
    message: &ChatMessage,
    avatars: &Path,
) -> Option<Incoming> {
    let chat = message.chat.as_str();
    let (kind, sender, picture) = if let Some(room) = main.room(chat) {
        if !names_us(main, message) {
            return None;
        }
        let nick = message.nick.as_deref().unwrap_or_default();
        (Kind::Mention { room: room.display_name().to_owned() }, nick.to_owned(), None)
    } else if let Some((room, nick)) =
        chat.split_once('/').and_then(|(room, nick)| Some((main.room(room)?, nick)))
    {
        (Kind::DirectMessage, format!("{nick} ({})", room.display_name()), None)
    } else {
        let contact = main.contact(chat);
        let sender = contact.map_or(chat, |c| c.display_name()).to_owned();
        // The cached file, named by its hash (media/avatar_cache.rs), when it is there.
        let picture = contact
            .and_then(|c| c.avatar.as_deref())
            .map(|hash| avatars.join(hash))
            .filter(|path| path.is_file());
        (Kind::DirectMessage, sender, picture)
    };
    Some(Incoming {
        kind,
        target,
        sender,
        text: message.body.clone(),
        key: message.origin_id.clone().unwrap_or_else(|| message.id.to_string()),
        picture,
    })
}

fn request_incoming(main: &main_screen::State, account: &AccountId, jid: &str) -> Incoming {
    Incoming {
        kind: Kind::SubscriptionRequest,
        target: Target { account: account.clone(), chat: ChatId(jid.to_owned()) },
        sender: main.contact(jid).map_or(jid, |c| c.display_name()).to_owned(),
        text: String::new(),
        key: jid.to_owned(),
        picture: None,
    }
}

fn invite_incoming(main: &main_screen::State, account: &AccountId, invite: &Invite) -> Incoming {
    let from = invite.from.split('/').next().unwrap_or(&invite.from);
    Incoming {
        kind: Kind::Invite { room: invite.room.clone() },
        target: Target { account: account.clone(), chat: ChatId(invite.room.clone()) },
        sender: match main.contact(from).map_or(invite.from.as_str(), |c| c.display_name()) {
            // Through a room, the inviter is only what the room says.
            name if invite.mediated => format!("{name} (via the room)"),
            name => name.to_owned(),
        },
        text: invite.reason.clone().unwrap_or_default(),
        key: invite.room.clone(),
        picture: None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::app_with;
    use super::*;
    use crate::model::{Contact, Delivery, Presence, Room, RoomState, Subscription};
    use crate::ui::{room, sidebar};
    use crate::worker::Update;

    const ME: &str = "me@x";
    const ROOM: &str = "tea@muc.x";

    fn account() -> AccountId {
        AccountId(ME.into())
    }

    fn target(chat: &str) -> Target {
        Target { account: account(), chat: ChatId(chat.into()) }
    }

    /// What `App::worker_event` does with `event`, returning the notifications instead of
    /// showing them.
    fn report(app: &mut App, event: WorkerEvent) -> Vec<Notice> {
        let notices = app.notices(&account(), &event);
        if let Some(main) = app.mains.get_mut(&account()) {
            main.apply(event);
        }
        app.mark_read();
        notices
    }

    fn incoming(id: i64, chat: &str, nick: Option<&str>, body: &str) -> ChatMessage {
        ChatMessage {
            edited: false,
            late: false,
            scheduled_for: None,
            id,
            chat: ChatId(chat.into()),
            kind: MessageKind::Message,
            nick: nick.map(str::to_owned),
            direction: Direction::In,
            from: format!("{chat}/phone"),
            to: ME.into(),
            body: body.into(),
            timestamp: chrono::Utc::now(),
            state: Delivery::Received,
            origin_id: Some(format!("o{id}")),
            attachment: None,
            reply: None,
            unstyled: false,
        }
    }

    fn app() -> (tempfile::TempDir, App) {
        let (dir, mut app) = app_with(&[ME]);
        let juliet = Contact {
            jid: "juliet@x".into(),
            name: Some("Juliet".into()),
            subscription: Subscription::Both,
            ask_subscribe: false,
            groups: Vec::new(),
            presence: Presence { show: PresenceShow::Online, status: None },
            avatar: None,
        };
        report(&mut app, WorkerEvent::Roster { contacts: vec![juliet], from_server: true });
        report(
            &mut app,
            WorkerEvent::Rooms(vec![Room {
                jid: ROOM.into(),
                name: Some("Tea".into()),
                nick: "romeo".into(),
                autojoin: true,
                state: RoomState::Joined,
                subject: None,
                members_only: false,
            }]),
        );
        (dir, app)
    }

    fn open(app: &mut App, jid: &str) {
        let open = if jid == ROOM {
            sidebar::Message::OpenRoom(jid.into())
        } else {
            sidebar::Message::Open(jid.into())
        };
        let _ = app.update(Message::Main(main_screen::Message::Sidebar(open)));
    }

    #[test]
    fn a_chat_message_notifies_counts_and_clears_once_read() {
        let (_dir, mut app) = app();
        let notices = report(&mut app, WorkerEvent::Message(incoming(1, "juliet@x", None, "hi")));
        assert_eq!(notices.len(), 1);
        assert_eq!((notices[0].title.as_str(), notices[0].body.as_str()), ("Juliet", "hi"));
        assert_eq!(notices[0].target, target("juliet@x"));
        let event = WorkerEvent::Message(incoming(2, "juliet@x", None, "there?"));
        let _ = app.update(Message::Worker(Update { account: account(), events: vec![event] }));
        assert_eq!(app.alerts.unread.count(&target("juliet@x")), 2, "counted on the way in");
        assert_eq!(app.title(), "Confab (2) — me@x (Offline)");
        let mut ui = iced_test::simulator(app.view());
        ui.find("2").expect("the badge beside Juliet");
        drop(ui);

        let _ = app.update(Message::WindowFocused(true));
        open(&mut app, "juliet@x");
        assert_eq!(app.alerts.unread.total(), 0, "opened in the focused window: read");
        let notices = report(&mut app, WorkerEvent::Message(incoming(3, "juliet@x", None, "!")));
        assert!(notices.is_empty(), "on screen: no notification");
        assert_eq!(app.alerts.unread.total(), 0, "and nothing unread");

        let _ = app.update(Message::WindowFocused(false));
        report(&mut app, WorkerEvent::Message(incoming(4, "juliet@x", None, "?")));
        assert_eq!(app.alerts.unread.total(), 1, "the window is in the background");
        let _ = app.update(Message::WindowFocused(true));
        assert_eq!(app.alerts.unread.total(), 0, "read once the window is back");
    }

    #[test]
    fn our_own_messages_and_room_events_count_for_nothing() {
        let (_dir, mut app) = app();
        let sent = ChatMessage { direction: Direction::Out, ..incoming(1, "juliet@x", None, "x") };
        let joined = ChatMessage {
            kind: MessageKind::Event,
            ..incoming(2, ROOM, Some("nurse"), "nurse joined")
        };
        assert!(report(&mut app, WorkerEvent::Message(sent)).is_empty());
        assert!(report(&mut app, WorkerEvent::Message(joined)).is_empty());
        assert_eq!(app.alerts.unread.total(), 0);
    }

    #[test]
    fn rooms_notify_only_when_they_name_us() {
        let (_dir, mut app) = app();
        let chatter = incoming(1, ROOM, Some("nurse"), "the tea is ready");
        assert!(report(&mut app, WorkerEvent::Message(chatter)).is_empty());
        let mention = incoming(2, ROOM, Some("nurse"), "Romeo, your tea");
        let notices = report(&mut app, WorkerEvent::Message(mention));
        assert_eq!(notices.len(), 1);
        assert_eq!(notices[0].title, "nurse in Tea");
        assert_eq!(app.alerts.unread.count(&target(ROOM)), 2, "both are unread");
        let private = incoming(3, &format!("{ROOM}/nurse"), Some("nurse"), "psst");
        let notices = report(&mut app, WorkerEvent::Message(private));
        assert_eq!(notices.len(), 1, "a private message in a room is a direct message");
        assert_eq!(notices[0].title, "nurse (Tea)");
    }

    #[test]
    fn a_mention_marks_the_rooms_unread_badge() {
        let (_dir, mut app) = app();
        let chatter = incoming(1, ROOM, Some("nurse"), "the tea is ready");
        report(&mut app, WorkerEvent::Message(chatter));
        let mut ui = iced_test::simulator(app.view());
        ui.find("1").expect("one unread message");
        assert!(ui.find("@1").is_err(), "that does not name us");
        drop(ui);
        let mention = incoming(2, ROOM, Some("nurse"), "Romeo, your tea");
        report(&mut app, WorkerEvent::Message(mention));
        let later = incoming(3, ROOM, Some("nurse"), "it is getting cold");
        report(&mut app, WorkerEvent::Message(later));
        let mut ui = iced_test::simulator(app.view());
        ui.find("@3").expect("the badge says we were named, until the room is read");
    }

    #[test]
    fn muting_keeps_quiet_persists_and_still_counts() {
        let (dir, mut app) = app();
        open(&mut app, ROOM);
        let mute = room::Message::Mute(true);
        let _ = app.update(Message::Main(main_screen::Message::Room(mute)));
        assert!(app.alerts.notifier.is_muted(&target(ROOM)));
        let muted = MutedChat { account: ME.into(), chat: ROOM.into() };
        assert_eq!(app.config.muted, [muted]);
        let mut ui = iced_test::simulator(app.view());
        ui.find("Unmute").expect("the header offers to unmute");
        drop(ui);
        let mention = incoming(1, ROOM, Some("nurse"), "romeo!");
        assert!(report(&mut app, WorkerEvent::Message(mention)).is_empty());
        assert_eq!(app.alerts.unread.count(&target(ROOM)), 1, "unread all the same");

        app.config.save(&app.paths.config_file()).expect("saved");
        let (again, _) = App::new(crate::paths::Paths::in_profile(dir.path()));
        assert!(again.alerts.notifier.is_muted(&target(ROOM)), "kept across runs");
    }

    #[test]
    fn do_not_disturb_silences_but_counts() {
        let (_dir, mut app) = app();
        let dnd = Presence { show: PresenceShow::Dnd, status: None };
        report(&mut app, WorkerEvent::OwnPresence(dnd));
        assert!(
            report(&mut app, WorkerEvent::Message(incoming(1, "juliet@x", None, "hi"))).is_empty()
        );
        assert_eq!(app.alerts.unread.total(), 1);
    }

    #[test]
    fn only_new_contact_requests_notify_and_invitations_do() {
        let (_dir, mut app) = app();
        let stored = WorkerEvent::SubscriptionRequests(vec!["old@x".into()]);
        assert!(report(&mut app, stored).is_empty(), "the list from earlier runs");
        let arrived = WorkerEvent::SubscriptionRequests(vec!["old@x".into(), "new@x".into()]);
        let notices = report(&mut app, arrived);
        assert_eq!(notices.len(), 1);
        assert_eq!(notices[0].target, target("new@x"));
        let invite = Invite {
            room: "den@muc.x".into(),
            from: "juliet@x/phone".into(),
            reason: Some("come".into()),
            password: None,
            mediated: false,
        };
        let notices = report(&mut app, WorkerEvent::Invite(invite));
        assert_eq!(notices.len(), 1);
        assert_eq!(notices[0].title, "Invitation to den@muc.x");
        assert_eq!(notices[0].body, "Juliet: come");
    }

    #[test]
    fn a_click_opens_the_conversation_of_its_account_and_reads_it() {
        let (_dir, mut app) = app_with(&["other@y", ME]);
        report(&mut app, WorkerEvent::Message(incoming(1, "juliet@x", None, "hi")));
        assert_eq!(app.active, Some(AccountId("other@y".into())));
        let _ = app.update(Message::NotificationClicked(Ok(Some(target("juliet@x")))));
        assert_eq!(app.active, Some(account()), "switched to the message's account");
        let shown = app.main().and_then(main_screen::State::visible_chat).cloned();
        assert_eq!(shown, Some(ChatId("juliet@x".into())));
        assert_eq!(app.alerts.unread.total(), 0);
        let _ = app.update(Message::NotificationClicked(Err("no server".into())));
        let _ = app.update(Message::NotificationClicked(Ok(None)));
        assert_eq!(app.active, Some(account()));
    }
}
