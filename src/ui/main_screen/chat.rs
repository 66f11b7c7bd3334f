//! The open conversation's traffic with the worker: what it asks for, as commands, and the
//! signals around it (their typing, our read markers, our typing pausing on a timer), plus the
//! account's catch-up with the server's archive, shown while it lasts.

use super::{Event, Message, State};
use crate::model::{ChatId, ConnectionState, Contact, Typing};
use crate::ui::{conversation, theme};
use crate::worker::{Command, Event as WorkerEvent};
use iced::widget::{container, text};
use iced::{Element, Fill, Task};
use std::time::{Duration, Instant};

/// A catch-up that has said nothing for this long is taken to be over: the worker says when
/// it ends, but a connection lost on the way may end it silently.
pub const CATCH_UP_SILENCE: Duration = Duration::from_secs(60);

/// Catching up with the archive: messages taken in so far, and when the worker last said so.
#[derive(Debug, Clone, Copy)]
pub(super) struct CatchUp {
    fetched: usize,
    heard_at: Instant,
}

impl State {
    /// What the open conversation asks for: most of it is for the worker, via the parent;
    /// opening a link or a file and notices are done here.
    pub(super) fn conversation_event(
        &mut self,
        event: conversation::Event,
    ) -> (Task<Message>, Option<Event>) {
        let command = match event {
            event @ (conversation::Event::Search(_)
            | conversation::Event::ShowAround { .. }
            | conversation::Event::LoadLatest { .. }) => {
                return (Task::none(), super::search::conversation_search_event(self, event));
            }
            conversation::Event::Send { to, body } => Command::Send { to: to.0, body },
            conversation::Event::LoadOlder { chat, before } => {
                Command::LoadHistory { chat, before: Some(before), limit: conversation::PAGE }
            }
            conversation::Event::LoadNewer { chat, after } => {
                Command::LoadNewer { chat, after, limit: conversation::PAGE }
            }
            conversation::Event::RecentEmoji(recent) => {
                self.composing.recent = recent.clone();
                return (Task::none(), Some(Event::RecentEmoji(recent)));
            }
            conversation::Event::Smileys(on) => {
                self.composing.smileys = on;
                return (Task::none(), Some(Event::Smileys(on)));
            }
            conversation::Event::Styling(on) => {
                self.composing.styling = on;
                return (Task::none(), Some(Event::Styling(on)));
            }
            conversation::Event::SendAt { to, body, at } => Command::SendAt { to: to.0, body, at },
            conversation::Event::Correct { chat, body } => Command::Correct { chat, body },
            conversation::Event::Outbox(action) => Command::Outbox(action),
            conversation::Event::Reply { chat, message_id, body } => {
                Command::Reply { chat, message_id, body }
            }
            conversation::Event::React { chat, message_id, emojis } => {
                Command::React { chat, message_id, emojis }
            }
            conversation::Event::Retract { chat, message_id } => {
                Command::Retract { chat, message_id }
            }
            conversation::Event::Moderate { room, message_id, reason } => {
                Command::Moderate { room: room.0, message_id, reason }
            }
            conversation::Event::Typing { chat, typing } => Command::Typing { chat, typing },
            conversation::Event::SendFile { to, path } => Command::SendFile { to: to.0, path },
            conversation::Event::Download(message_id) => Command::Download { message_id },
            conversation::Event::CancelDownload(message_id) => {
                Command::CancelDownload { message_id }
            }
            conversation::Event::OpenLink(link) => return (Self::open_externally(link), None),
            conversation::Event::OpenFile(path) => return (Self::open_externally(path), None),
            conversation::Event::Notice(notice) => {
                self.notice = Some(notice);
                return (Task::none(), None);
            }
        };
        (Task::none(), Some(Event::Command(command)))
    }

    /// Typing and catch-up reports; the connection state ends a catch-up too.
    pub(super) fn apply_signal(&mut self, event: WorkerEvent) {
        match event {
            WorkerEvent::Typing { chat, typing } => {
                let name = self.sidebar.contact(chat.as_str()).map_or_else(
                    || chat.as_str().split('@').next().unwrap_or_default().to_owned(),
                    |contact| Contact::display_name(contact).to_owned(),
                );
                if let Some(open) = self.conversation.as_mut().filter(|c| c.chat == chat) {
                    open.peer_typing(name, typing, Instant::now());
                }
            }
            WorkerEvent::CatchUp { fetched, done } => {
                self.catch_up = (!done).then(|| CatchUp { fetched, heard_at: Instant::now() });
            }
            WorkerEvent::Connection(state) => {
                if state != ConnectionState::Online {
                    self.catch_up = None;
                }
                self.sidebar.set_presence_known(state == ConnectionState::Online);
                self.banner.set(state);
            }
            WorkerEvent::Route(route) => self.banner.set_route(route),
            _ => {}
        }
    }

    /// Whether time alone changes what is shown or said, so the parent should tick.
    pub fn wants_tick(&self) -> bool {
        self.catch_up.is_some()
            || self.conversation.as_ref().is_some_and(conversation::State::wants_tick)
    }

    /// Time passed: our typing may pause, theirs and a silent catch-up expire.
    pub fn tick(&mut self, now: Instant) -> (Task<Message>, Option<Event>) {
        if self.catch_up.is_some_and(|c| now.duration_since(c.heard_at) >= CATCH_UP_SILENCE) {
            self.catch_up = None;
        }
        match self.conversation.as_mut().and_then(|c| c.tick(now)) {
            Some(event) => self.conversation_event(event),
            None => (Task::none(), None),
        }
    }

    /// The visible conversation, when its newest incoming message is in view and has not been
    /// reported: call only while the window has the focus, then tell the worker it was seen.
    pub fn take_displayed(&mut self) -> Option<ChatId> {
        if self.browser.is_some() {
            return None;
        }
        let conversation = self.conversation.as_mut()?;
        conversation.take_displayed().map(|_| conversation.chat.clone())
    }

    /// Before leaving a conversation: its peer must hear we stopped typing there, if we said
    /// we were.
    pub(super) fn leave_conversation(&self) -> Task<Message> {
        match self.conversation.as_ref().filter(|open| open.typing_told() != Typing::Idle) {
            Some(open) => Task::done(Message::StoppedTyping(open.chat.clone())),
            None => Task::none(),
        }
    }

    /// "Catching up… 120 messages", while the archive is read.
    pub(super) fn catch_up_line(&self) -> Option<Element<'_, Message>> {
        let catch_up = self.catch_up?;
        let line = match catch_up.fetched {
            0 => "Catching up with the server…".to_owned(),
            1 => "Catching up with the server… 1 message".to_owned(),
            n => format!("Catching up with the server… {n} messages"),
        };
        let line = text(line).size(theme::TEXT_SMALL);
        Some(
            container(line)
                .padding([theme::SPACE_XS, theme::SPACE_M])
                .width(Fill)
                .style(theme::banner_info)
                .into(),
        )
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::model::HistoryPage;
    use crate::model::{AccountId, Delivery, Direction, Message as ChatMessage, MessageKind};
    use crate::model::{Contact, Presence, PresenceShow, Subscription};
    use crate::notify::Unread;
    use crate::ui::frames::Window;
    use crate::ui::pictures::Pictures;
    use crate::ui::sidebar;
    use iced::keyboard::key::Named;
    use iced_test::selector;

    pub(in crate::ui::main_screen) fn screen() -> State {
        let mut state = State::new(AccountId("me@x".into()));
        state.apply(WorkerEvent::Connection(ConnectionState::Online));
        state
    }

    /// The main screen in a window that keeps its widgets between views, with what its
    /// parent gives it, remembering what it asked of its parent.
    pub(in crate::ui::main_screen) struct Shown {
        pub main: State,
        pub events: Vec<Event>,
        pictures: Pictures,
        unread: Unread,
    }

    fn view(shown: &Shown) -> Element<'_, Message> {
        shown.main.view(super::super::Context {
            all: vec![shown.main.account.clone()],
            enabled: true,
            pictures: &shown.pictures,
            unread: &shown.unread,
            muted: false,
            privacy: crate::config::Privacy::default(),
            theme: crate::config::ThemeChoice::System,
            dark: false,
        })
    }

    fn update(shown: &mut Shown, message: Message) -> Task<Message> {
        let (task, event) = shown.main.update(message);
        shown.events.extend(event);
        task
    }

    pub(in crate::ui::main_screen) fn window(main: State) -> Window<Shown, Message> {
        let (pictures, unread) = (Pictures::default(), Unread::default());
        Window::new(Shown { main, events: Vec::new(), pictures, unread }, view, update)
    }

    /// The screen, online, with Bob in the contacts and his conversation open.
    pub(in crate::ui::main_screen) fn talking_to_bob() -> State {
        let mut state = screen();
        let bob = Contact {
            jid: "bob@x".into(),
            name: Some("Bob".into()),
            subscription: Subscription::Both,
            ask_subscribe: false,
            groups: Vec::new(),
            presence: Presence { show: PresenceShow::Online, status: None },
            avatar: None,
        };
        state.apply(WorkerEvent::Roster { contacts: vec![bob], from_server: true });
        let _ = state.open_chat(ChatId("bob@x".into()));
        let messages = vec![incoming(1), incoming(2), incoming(3)];
        state.apply(WorkerEvent::History(HistoryPage {
            chat: ChatId("bob@x".into()),
            messages,
            has_more: false,
        }));
        state
    }

    fn bob_is(show: PresenceShow) -> WorkerEvent {
        WorkerEvent::Presences(vec![("bob@x".into(), Presence { show, status: None })])
    }

    /// The tester's sequence: offline with a conversation open (the status set to Offline),
    /// then Connect, while a draft is being typed.
    #[test]
    fn going_offline_and_back_with_a_conversation_open_keeps_the_window_and_the_draft() {
        let mut window = window(talking_to_bob());
        window.click(selector::id(conversation::COMPOSER_ID));
        window.type_text("half a");
        window.change(|shown| {
            shown.main.apply(WorkerEvent::Connection(ConnectionState::Idle));
            shown.main.apply(bob_is(PresenceShow::Offline));
            Task::none()
        });
        assert!(window.find("You are offline.").is_some());
        window.type_text(" thou");
        window.click("Connect");
        assert!(window.state.events.contains(&Event::Command(Command::Connect)));
        window.change(|shown| {
            shown.main.apply(WorkerEvent::Connection(ConnectionState::Connecting));
            shown.main.apply(WorkerEvent::Connection(ConnectionState::Online));
            shown.main.apply(bob_is(PresenceShow::Online));
            Task::none()
        });
        assert!(window.find("Bob is online").is_some(), "the window is still there");
        // Back to the field the way opening a conversation puts the cursor there; clicking it
        // again this soon would be a double click, selecting a word.
        window.run(conversation::State::focus_composer());
        window.type_text("ght");
        window.tap(Named::Enter);
        let send = Command::Send { to: "bob@x".into(), body: "half a thought".into() };
        assert!(window.state.events.contains(&Event::Command(send)), "{:?}", window.state.events);
    }

    #[test]
    fn the_message_field_keeps_the_cursor_while_bars_come_and_go_above_it() {
        let mut window = window(talking_to_bob());
        window.click(selector::id(conversation::COMPOSER_ID));
        window.type_text("one");
        window.change(|shown| {
            shown.main.apply(WorkerEvent::CatchUp { fetched: 10, done: false });
            shown.main.apply(WorkerEvent::Notice("Something to know".into()));
            shown.main.apply(WorkerEvent::Connection(ConnectionState::Connecting));
            Task::none()
        });
        window.type_text(" two");
        window.change(|shown| {
            shown.main.apply(WorkerEvent::Connection(ConnectionState::Online));
            shown.main.apply(WorkerEvent::CatchUp { fetched: 20, done: true });
            Task::none()
        });
        window.type_text(" three");
        window.tap(Named::Enter);
        let send = Command::Send { to: "bob@x".into(), body: "one two three".into() };
        assert!(window.state.events.contains(&Event::Command(send)), "{:?}", window.state.events);
    }

    fn shows(state: &State, words: &str) -> bool {
        let lent = Lent::default();
        iced_test::simulator(lent.view(state)).find(words).is_ok()
    }

    /// What the parent lends the screen's view, for tests that look at it once.
    #[derive(Default)]
    pub(in crate::ui::main_screen) struct Lent {
        pictures: Pictures,
        unread: Unread,
    }

    impl Lent {
        pub(in crate::ui::main_screen) fn view<'a>(
            &'a self,
            state: &'a State,
        ) -> Element<'a, Message> {
            state.view(super::super::Context {
                all: vec![state.account.clone()],
                enabled: true,
                pictures: &self.pictures,
                unread: &self.unread,
                muted: false,
                privacy: crate::config::Privacy::default(),
                theme: crate::config::ThemeChoice::System,
                dark: false,
            })
        }

        /// The view in a window of `size`, as the app lays it out for that width.
        pub(in crate::ui::main_screen) fn at<'a>(
            &'a self,
            state: &'a mut State,
            size: iced::Size,
        ) -> iced_test::Simulator<'a, Message> {
            state.set_width(size.width);
            iced_test::Simulator::with_size(iced::Settings::default(), size, self.view(state))
        }
    }

    fn incoming(id: i64) -> ChatMessage {
        ChatMessage {
            id,
            chat: ChatId("bob@x".into()),
            kind: MessageKind::Message,
            nick: None,
            edited: false,
            scheduled_for: None,
            late: false,
            direction: Direction::In,
            from: "bob@x/phone".into(),
            to: "me@x".into(),
            body: format!("hello {id}"),
            timestamp: chrono::Utc::now(),
            state: Delivery::Received,
            origin_id: None,
            attachment: None,
            reply: None,
            unstyled: false,
        }
    }

    #[test]
    fn catching_up_shows_how_far_until_done_or_offline() {
        let mut state = screen();
        state.apply(WorkerEvent::CatchUp { fetched: 120, done: false });
        assert!(shows(&state, "Catching up with the server… 120 messages"));
        assert!(state.wants_tick());
        state.apply(WorkerEvent::CatchUp { fetched: 180, done: true });
        assert!(!shows(&state, "Catching up with the server… 180 messages"));
        assert!(!state.wants_tick());

        state.apply(WorkerEvent::CatchUp { fetched: 10, done: false });
        state.apply(WorkerEvent::Connection(ConnectionState::Connecting));
        assert!(!shows(&state, "Catching up with the server… 10 messages"), "cut off");

        state.apply(WorkerEvent::CatchUp { fetched: 10, done: false });
        let _ = state.tick(Instant::now() + CATCH_UP_SILENCE);
        assert!(state.catch_up.is_none(), "silent for too long");
    }

    #[test]
    fn their_typing_is_shown_by_name_in_their_conversation_only() {
        let mut state = screen();
        let _ = state.update(Message::Sidebar(sidebar::Message::Open("bob@x".into())));
        state
            .apply(WorkerEvent::Typing { chat: ChatId("eve@x".into()), typing: Typing::Composing });
        assert!(!shows(&state, "eve is typing…"), "not in this conversation");
        state
            .apply(WorkerEvent::Typing { chat: ChatId("bob@x".into()), typing: Typing::Composing });
        assert!(shows(&state, "bob is typing…"));
        state.apply(WorkerEvent::Message(incoming(1)));
        assert!(!shows(&state, "bob is typing…"), "the message came");
    }

    #[test]
    fn seen_messages_are_marked_displayed_once() {
        let mut state = screen();
        let _ = state.update(Message::Sidebar(sidebar::Message::Open("bob@x".into())));
        assert_eq!(state.take_displayed(), None, "nothing from them yet");
        state.apply(WorkerEvent::Message(incoming(1)));
        assert_eq!(state.take_displayed(), Some(ChatId("bob@x".into())));
        assert_eq!(state.take_displayed(), None, "already told");
        state.apply(WorkerEvent::Message(incoming(2)));
        assert_eq!(state.take_displayed(), Some(ChatId("bob@x".into())));
    }

    #[test]
    fn our_typing_becomes_commands_and_stops_when_leaving() {
        let mut state = screen();
        let _ = state.update(Message::Sidebar(sidebar::Message::Open("bob@x".into())));
        let draft = conversation::Message::Draft("hi".into());
        let (_, event) = state.update(Message::Conversation(draft));
        let typing =
            |typing| Some(Event::Command(Command::Typing { chat: ChatId("bob@x".into()), typing }));
        assert_eq!(event, typing(Typing::Composing));
        assert_eq!(
            state.tick(Instant::now() + conversation::PAUSE_AFTER).1,
            typing(Typing::Paused)
        );
        let _ = state.leave_conversation();
        let (_, event) = state.update(Message::StoppedTyping(ChatId("bob@x".into())));
        assert_eq!(event, typing(Typing::Idle));
    }
}
