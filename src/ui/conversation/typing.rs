//! Typing, both ways (XEP-0085). The draft tells the peer: composing while it changes, paused
//! after a few quiet seconds, idle once cleared. The worker decides what actually goes out
//! (rate-limited, one-to-one chats only, and only if the privacy setting allows). Under the
//! conversation, "Bob is typing…" shows while they are.

use super::{Event, Message, State, theme};
use crate::model::Typing;
use iced::Element;
use iced::widget::{container, text};
use std::time::{Duration, Instant};

/// Typing that stops this long becomes "paused" (XEP-0085 §5.2 suggests about five seconds).
pub const PAUSE_AFTER: Duration = Duration::from_secs(5);
/// Their "is typing…" goes away after this without news, so that a "paused" lost on the way
/// (or a client that never sends one) does not leave it up for good.
pub const SHOWN_AT_MOST: Duration = Duration::from_secs(30);

/// What we last told the peer, and who is typing on their side.
#[derive(Debug)]
pub(super) struct Typists {
    told: Typing,
    /// When the draft last changed.
    typed_at: Option<Instant>,
    /// The peer's name while they are typing, and since when.
    peer: Option<(String, Instant)>,
}

impl Default for Typists {
    fn default() -> Self {
        Self { told: Typing::Idle, typed_at: None, peer: None }
    }
}

impl State {
    /// The draft changed: composing while there is something, idle once it is cleared. Never
    /// in rooms, nor while correcting (no new message is coming).
    pub(super) fn draft_typing(&mut self, now: Instant) -> Option<Event> {
        if self.room.is_some() || self.correcting.is_some() {
            return None;
        }
        let typing = if self.draft.trim().is_empty() {
            self.typists.typed_at = None;
            if self.typists.told == Typing::Idle {
                return None;
            }
            Typing::Idle
        } else {
            self.typists.typed_at = Some(now);
            Typing::Composing
        };
        self.typists.told = typing;
        Some(Event::Typing { chat: self.chat.clone(), typing })
    }

    /// The draft went out (or was taken back): the message itself ends the typing.
    pub(super) fn stop_typing(&mut self) {
        self.typists.told = Typing::Idle;
        self.typists.typed_at = None;
    }

    /// What we are telling the peer now.
    pub fn typing_told(&self) -> Typing {
        self.typists.told
    }

    /// The peer is typing, or stopped.
    pub fn peer_typing(&mut self, name: String, typing: Typing, now: Instant) {
        self.typists.peer = (typing == Typing::Composing).then_some((name, now));
    }

    /// The peer wrote: they are no longer typing that message.
    pub(super) fn peer_wrote(&mut self) {
        self.typists.peer = None;
    }

    /// Whether time alone will change something: a pause to tell, or their typing to expire.
    pub fn wants_tick(&self) -> bool {
        self.typists.told == Typing::Composing || self.typists.peer.is_some()
    }

    /// Time passed: pause our typing after a quiet while, and forget theirs after a long one.
    pub fn tick(&mut self, now: Instant) -> Option<Event> {
        if self
            .typists
            .peer
            .as_ref()
            .is_some_and(|(_, since)| now.duration_since(*since) >= SHOWN_AT_MOST)
        {
            self.typists.peer = None;
        }
        let quiet = self.typists.typed_at.is_some_and(|at| now.duration_since(at) >= PAUSE_AFTER);
        if self.typists.told == Typing::Composing && quiet {
            self.typists.told = Typing::Paused;
            return Some(Event::Typing { chat: self.chat.clone(), typing: Typing::Paused });
        }
        None
    }

    /// "Bob is typing…", while he is.
    pub(super) fn typing_line(&self) -> Option<Element<'_, Message>> {
        let (name, _) = self.typists.peer.as_ref()?;
        let line = text(format!("{name} is typing…")).size(theme::TEXT_SMALL).style(theme::muted);
        Some(container(line).padding([0.0, theme::SPACE_M]).into())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::message;
    use super::*;
    use crate::model::ChatId;
    use iced_test::{selector, simulator};

    fn chat() -> State {
        State::new(ChatId("bob@x".into()))
    }

    fn typing(typing: Typing) -> Option<Event> {
        Some(Event::Typing { chat: ChatId("bob@x".into()), typing })
    }

    #[test]
    fn their_typing_line_coming_and_going_leaves_the_cursor_in_our_field() {
        fn update(state: &mut State, message: Message) -> iced::Task<Message> {
            state.update(message).0
        }
        let mut window = crate::ui::frames::Window::new(chat(), State::view, update);
        window.click(selector::id(super::super::COMPOSER_ID));
        window.type_text("one");
        window.change(|state| {
            state.peer_typing("Bob".into(), Typing::Composing, Instant::now());
            iced::Task::none()
        });
        assert!(window.find("Bob is typing…").is_some());
        window.type_text(" two");
        window.change(|state| {
            state.peer_typing("Bob".into(), Typing::Idle, Instant::now());
            iced::Task::none()
        });
        window.type_text(" three");
        assert_eq!(window.state.draft, "one two three");
    }

    #[test]
    fn the_draft_says_composing_then_paused_then_idle() {
        let mut state = chat();
        let typed: Vec<Event> = {
            let messages: Vec<Message> = {
                let mut ui = simulator(state.view());
                ui.click(selector::id(super::super::COMPOSER_ID)).expect("the composer");
                ui.typewrite("hi");
                ui.into_messages().collect()
            };
            messages.into_iter().filter_map(|m| state.update(m).1).collect()
        };
        let composing = Event::Typing { chat: ChatId("bob@x".into()), typing: Typing::Composing };
        assert_eq!(typed, [composing.clone(), composing], "told at every change");
        assert!(state.wants_tick());
        let now = Instant::now();
        assert_eq!(state.tick(now), None, "still typing");
        assert_eq!(state.tick(now + PAUSE_AFTER), typing(Typing::Paused));
        assert_eq!(state.tick(now + PAUSE_AFTER * 2), None, "paused once");
        assert!(!state.wants_tick());
        assert_eq!(state.update(Message::Draft(String::new())).1, typing(Typing::Idle));
        assert_eq!(state.update(Message::Draft(" ".into())).1, None, "already idle");
    }

    #[test]
    fn sending_ends_typing_without_a_word() {
        let mut state = chat();
        let _ = state.update(Message::Draft("hello".into()));
        assert!(matches!(state.update(Message::Send).1, Some(Event::Send { .. })));
        assert_eq!(state.typing_told(), Typing::Idle);
        assert_eq!(state.tick(Instant::now() + PAUSE_AFTER), None);
    }

    #[test]
    fn rooms_are_not_told() {
        let mut state = State::new(ChatId("tea@muc.x".into()));
        state.set_room(super::super::RoomContext { joined: true, ..Default::default() });
        assert_eq!(state.update(Message::Draft("hello".into())).1, None);
    }

    #[test]
    fn their_typing_shows_until_they_stop_write_or_go_quiet() {
        let mut state = chat();
        let now = Instant::now();
        let shows = |state: &State| simulator(state.view()).find("Bob is typing…").is_ok();
        assert!(!shows(&state));
        state.peer_typing("Bob".into(), Typing::Composing, now);
        assert!(shows(&state));
        state.peer_typing("Bob".into(), Typing::Paused, now);
        assert!(!shows(&state), "paused");

        state.peer_typing("Bob".into(), Typing::Composing, now);
        state.push(message(1, 10));
        assert!(!shows(&state), "the message came");

        state.peer_typing("Bob".into(), Typing::Composing, now);
        assert!(state.wants_tick());
        let _ = state.tick(now + SHOWN_AT_MOST / 2);
        assert!(shows(&state));
        let _ = state.tick(now + SHOWN_AT_MOST);
        assert!(!shows(&state), "gone quiet too long");
        assert!(!state.wants_tick());
    }
}
