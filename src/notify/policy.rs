//! When to notify, and with what words: a pure decision over what happened, what is on
//! screen and what the user asked for, so every rule is a unit test.

use super::Target;
use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use unicode_segmentation::UnicodeSegmentation;

/// The same event seen again within this time is not notified twice: a message arrives live
/// and again from the archive after a reconnection, or as a carbon on another resource.
pub const DEDUPE_WINDOW: Duration = Duration::from_secs(10 * 60);
/// At most this many events are remembered for deduplication, whatever the window says.
pub const DEDUPE_MAX: usize = 512;
/// At most [`BURST_MAX`] notifications in any [`BURST_WINDOW`]: catching up after a night
/// offline must not bury the desktop.
pub const BURST_WINDOW: Duration = Duration::from_secs(30);
pub const BURST_MAX: usize = 5;
/// One conversation notifies at most once in this time: a friend typing five short lines in a
/// row makes one notification (the unread count still says five).
pub const CHAT_QUIET: Duration = Duration::from_secs(5);
/// Titles and bodies are cut to these many characters (graphemes), ending in "…".
pub const TITLE_MAX_CHARS: usize = 80;
pub const BODY_MAX_CHARS: usize = 200;

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A one-to-one message, or a private message from a room occupant.
    DirectMessage,
    /// A room message naming our nickname (see [`mentions`]); `room` is the room's name.
    Mention { room: String },
    /// Someone asks to see our presence.
    SubscriptionRequest,
    /// Someone invites us into a room; `room` is its name or address.
    Invite { room: String },
}

/// Something that may deserve a notification, as the worker reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    pub kind: Kind,
    /// The conversation a click opens.
    pub target: Target,
    /// Who: a contact's name, an occupant's nickname, or an address.
    pub sender: String,
    /// The message, or an invitation's reason (may be empty).
    pub text: String,
    /// The same for the same event however often it arrives: a message's origin-id or
    /// stanza-id (or store row id), a requester's address, an invitation's room.
    pub key: String,
    /// The sender's avatar as a file, for servers that show a picture.
    pub picture: Option<PathBuf>,
}

/// What the user is looking at, and whether they asked for quiet.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Confab's window has the keyboard focus.
    pub focused: bool,
    /// The conversation on screen, if any.
    pub visible: Option<&'a Target>,
    /// The account's own status is Do Not Disturb.
    pub dnd: bool,
}

/// A notification to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub target: Target,
    pub title: String,
    pub body: String,
    pub picture: Option<PathBuf>,
}

/// Why nothing is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// Already notified (or skipped) within [`DEDUPE_WINDOW`].
    Duplicate,
    DoNotDisturb,
    Muted,
    /// The user is looking at it: the conversation is on screen in the focused window, or
    /// (for requests and invitations, shown in the window itself) the window is focused.
    OnScreen,
    /// Over [`BURST_MAX`] per [`BURST_WINDOW`], or within [`CHAT_QUIET`] of the last one for
    /// the same conversation.
    RateLimited,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Show(Notice),
    Skip(Skip),
}

/// The notification rules and the little memory they need. Per-conversation mute lives here
/// too, so the rules stay in one place; the caller stores [`Notifier::muted`] and gives it
/// back to [`Notifier::new`].
#[derive(Debug, Default)]
pub struct Notifier {
    muted: HashSet<Target>,
    /// Keys seen, oldest first, with when.
    seen: VecDeque<(Target, String, Instant)>,
    /// When each of the last notifications was shown, oldest first.
    shown: VecDeque<Instant>,
    /// When each conversation last notified (entries older than [`CHAT_QUIET`] are dropped).
    last_by_chat: HashMap<Target, Instant>,
}

impl Notifier {
    pub fn new(muted: impl IntoIterator<Item = Target>) -> Self {
        Self { muted: muted.into_iter().collect(), ..Self::default() }
    }

    pub fn set_muted(&mut self, target: Target, muted: bool) {
        if muted {
            self.muted.insert(target);
        } else {
            self.muted.remove(&target);
        }
    }

    pub fn is_muted(&self, target: &Target) -> bool {
        self.muted.contains(target)
    }

    /// The muted conversations, to store.
    pub fn muted(&self) -> impl Iterator<Item = &Target> {
        self.muted.iter()
    }

    /// Whether `incoming` is notified now, and how. Every call counts for deduplication,
    /// shown or not, so an event first seen on screen does not pop up when it comes again.
    pub fn decide(&mut self, incoming: Incoming, context: &Context<'_>, now: Instant) -> Decision {
        self.forget(now);
        let target = &incoming.target;
        let seen = self.seen.iter().any(|(t, key, _)| t == target && *key == incoming.key);
        if seen {
            return Decision::Skip(Skip::Duplicate);
        }
        self.seen.push_back((target.clone(), incoming.key.clone(), now));
        if self.seen.len() > DEDUPE_MAX {
            self.seen.pop_front();
        }
        if context.dnd {
            return Decision::Skip(Skip::DoNotDisturb);
        }
        if self.muted.contains(target) {
            return Decision::Skip(Skip::Muted);
        }
        let on_screen = match incoming.kind {
            Kind::DirectMessage | Kind::Mention { .. } => {
                context.focused && context.visible == Some(target)
            }
            Kind::SubscriptionRequest | Kind::Invite { .. } => context.focused,
        };
        if on_screen {
            return Decision::Skip(Skip::OnScreen);
        }
        if self.shown.len() >= BURST_MAX || self.last_by_chat.contains_key(target) {
            return Decision::Skip(Skip::RateLimited);
        }
        self.shown.push_back(now);
        self.last_by_chat.insert(target.clone(), now);
        Decision::Show(word(incoming))
    }

    /// Drops what has aged out of every window.
    fn forget(&mut self, now: Instant) {
        let older = |at: &Instant, window: Duration| now.saturating_duration_since(*at) >= window;
        while self.seen.front().is_some_and(|(_, _, at)| older(at, DEDUPE_WINDOW)) {
            self.seen.pop_front();
        }
        while self.shown.front().is_some_and(|at| older(at, BURST_WINDOW)) {
            self.shown.pop_front();
        }
        self.last_by_chat.retain(|_, at| !older(at, CHAT_QUIET));
    }
}

/// The title and body for what happened.
fn word(incoming: Incoming) -> Notice {
    let Incoming { kind, target, sender, text, picture, .. } = incoming;
    let text = one_line(&text);
    let (title, body) = match kind {
        Kind::DirectMessage => (sender, text),
        Kind::Mention { room } => (format!("{sender} in {room}"), text),
        Kind::SubscriptionRequest => (
            "Contact request".to_owned(),
            format!("{sender} would like to see when you are online."),
        ),
        Kind::Invite { room } if text.is_empty() => {
            (format!("Invitation to {room}"), format!("{sender} invites you to join."))
        }
        Kind::Invite { room } => (format!("Invitation to {room}"), format!("{sender}: {text}")),
    };
    Notice {
        target,
        title: truncate(&one_line(&title), TITLE_MAX_CHARS),
        body: truncate(&body, BODY_MAX_CHARS),
        picture,
    }
}

/// Whitespace runs (newlines included) become single spaces: a notification is a glimpse.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `max` graphemes, the last one "…" when cut, so an emoji or accent is never split.
fn truncate(text: &str, max: usize) -> String {
    let mut graphemes = text.grapheme_indices(true);
    match graphemes.nth(max.saturating_sub(1)) {
        Some((at, _)) if graphemes.next().is_some() => format!("{}…", text[..at].trim_end()),
        _ => text.to_owned(),
    }
}

/// Whether a room message names `nick`: as a whole word, in any case ("Juliet:", "@juliet",
/// "thanks juliet!" do; "julietta" does not). An empty nickname names no one.
pub fn mentions(body: &str, nick: &str) -> bool {
    let nick = nick.trim().to_lowercase();
    if nick.is_empty() {
        return false;
    }
    let body = body.to_lowercase();
    body.match_indices(&nick).any(|(at, _)| {
        let before = body[..at].chars().next_back();
        let after = body[at + nick.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AccountId, ChatId};

    fn target(chat: &str) -> Target {
        Target { account: AccountId("me@x".into()), chat: ChatId(chat.into()) }
    }

    fn message(chat: &str, key: &str) -> Incoming {
        Incoming {
            kind: Kind::DirectMessage,
            target: target(chat),
            sender: "Juliet".into(),
            text: "Art thou there?".into(),
            key: key.into(),
            picture: None,
        }
    }

    const AWAY: Context<'static> = Context { focused: false, visible: None, dnd: false };

    fn shows(decision: &Decision) -> bool {
        matches!(decision, Decision::Show(_))
    }

    #[test]
    fn a_direct_message_is_worded_with_sender_and_text() {
        let mut notifier = Notifier::default();
        let mut incoming = message("juliet@x", "m1");
        incoming.picture = Some(PathBuf::from("/tmp/juliet.png"));
        let decision = notifier.decide(incoming, &AWAY, Instant::now());
        assert_eq!(
            decision,
            Decision::Show(Notice {
                target: target("juliet@x"),
                title: "Juliet".into(),
                body: "Art thou there?".into(),
                picture: Some(PathBuf::from("/tmp/juliet.png")),
            })
        );
    }

    #[test]
    fn nothing_while_the_conversation_is_on_screen_in_the_focused_window() {
        let now = Instant::now();
        let juliet = target("juliet@x");
        let watching = Context { focused: true, visible: Some(&juliet), dnd: false };
        let mut notifier = Notifier::default();
        assert_eq!(
            notifier.decide(message("juliet@x", "m1"), &watching, now),
            Decision::Skip(Skip::OnScreen)
        );
        // Another conversation, or the same one with the window in the background: notify.
        assert!(shows(&notifier.decide(message("romeo@x", "m2"), &watching, now)));
        let background = Context { focused: false, ..watching };
        assert!(shows(&notifier.decide(message("juliet@x", "m3"), &background, now)));
    }

    #[test]
    fn requests_and_invitations_only_when_the_window_is_not_focused() {
        let now = Instant::now();
        let focused = Context { focused: true, visible: None, dnd: false };
        let mut notifier = Notifier::default();
        let request = Incoming {
            kind: Kind::SubscriptionRequest,
            key: "nurse@x".into(),
            ..message("nurse@x", "")
        };
        assert_eq!(notifier.decide(request.clone(), &focused, now), Decision::Skip(Skip::OnScreen));
        let invite = Incoming {
            kind: Kind::Invite { room: "Balcony".into() },
            text: String::new(),
            key: "balcony@rooms.x".into(),
            ..message("balcony@rooms.x", "")
        };
        let Decision::Show(notice) = notifier.decide(invite, &AWAY, now) else {
            panic!("an invitation is shown when the window is in the background");
        };
        assert_eq!(notice.title, "Invitation to Balcony");
        assert_eq!(notice.body, "Juliet invites you to join.");
        let request = Incoming { key: "nurse2@x".into(), ..request };
        let Decision::Show(notice) = notifier.decide(request, &AWAY, now) else {
            panic!("a request is shown when the window is in the background");
        };
        assert_eq!(notice.title, "Contact request");
        assert_eq!(notice.body, "Juliet would like to see when you are online.");
    }

    #[test]
    fn a_mention_names_the_room() {
        let mut notifier = Notifier::default();
        let mention = Incoming {
            kind: Kind::Mention { room: "Capulets".into() },
            text: "juliet: come\n\n   down!".into(),
            ..message("capulets@rooms.x", "s1")
        };
        let Decision::Show(notice) = notifier.decide(mention, &AWAY, Instant::now()) else {
            panic!("shown");
        };
        assert_eq!(notice.title, "Juliet in Capulets");
        assert_eq!(notice.body, "juliet: come down!", "on one line");
    }

    #[test]
    fn the_same_event_twice_is_notified_once_within_the_window() {
        let now = Instant::now();
        let mut notifier = Notifier::default();
        assert!(shows(&notifier.decide(message("juliet@x", "m1"), &AWAY, now)));
        let later = now + CHAT_QUIET * 2;
        assert_eq!(
            notifier.decide(message("juliet@x", "m1"), &AWAY, later),
            Decision::Skip(Skip::Duplicate)
        );
        // The same key in another conversation is another event.
        assert!(shows(&notifier.decide(message("romeo@x", "m1"), &AWAY, later)));
        let much_later = now + DEDUPE_WINDOW + Duration::from_secs(1);
        assert!(shows(&notifier.decide(message("juliet@x", "m1"), &AWAY, much_later)));
    }

    #[test]
    fn seen_on_screen_first_is_not_notified_when_it_comes_again() {
        let now = Instant::now();
        let juliet = target("juliet@x");
        let watching = Context { focused: true, visible: Some(&juliet), dnd: false };
        let mut notifier = Notifier::default();
        notifier.decide(message("juliet@x", "m1"), &watching, now);
        assert_eq!(
            notifier.decide(message("juliet@x", "m1"), &AWAY, now),
            Decision::Skip(Skip::Duplicate)
        );
    }

    #[test]
    fn dedupe_memory_is_bounded() {
        let now = Instant::now();
        let mut notifier = Notifier::default();
        for i in 0..DEDUPE_MAX + 10 {
            notifier.decide(message("juliet@x", &format!("m{i}")), &AWAY, now);
        }
        assert_eq!(notifier.seen.len(), DEDUPE_MAX);
    }

    #[test]
    fn muted_conversations_stay_quiet() {
        let now = Instant::now();
        let mut notifier = Notifier::new([target("juliet@x")]);
        assert!(notifier.is_muted(&target("juliet@x")));
        assert_eq!(
            notifier.decide(message("juliet@x", "m1"), &AWAY, now),
            Decision::Skip(Skip::Muted)
        );
        notifier.set_muted(target("juliet@x"), false);
        assert!(shows(&notifier.decide(message("juliet@x", "m2"), &AWAY, now)));
        notifier.set_muted(target("romeo@x"), true);
        assert_eq!(notifier.muted().collect::<Vec<_>>(), [&target("romeo@x")]);
    }

    #[test]
    fn do_not_disturb_silences_everything() {
        let now = Instant::now();
        let dnd = Context { dnd: true, ..AWAY };
        let mut notifier = Notifier::default();
        assert_eq!(
            notifier.decide(message("juliet@x", "m1"), &dnd, now),
            Decision::Skip(Skip::DoNotDisturb)
        );
        let invite = Incoming { kind: Kind::Invite { room: "r".into() }, ..message("r@x", "i") };
        assert_eq!(notifier.decide(invite, &dnd, now), Decision::Skip(Skip::DoNotDisturb));
    }

    #[test]
    fn one_conversation_notifies_once_per_quiet_time() {
        let now = Instant::now();
        let mut notifier = Notifier::default();
        assert!(shows(&notifier.decide(message("juliet@x", "m1"), &AWAY, now)));
        let soon = now + CHAT_QUIET / 2;
        assert_eq!(
            notifier.decide(message("juliet@x", "m2"), &AWAY, soon),
            Decision::Skip(Skip::RateLimited)
        );
        assert!(shows(&notifier.decide(message("juliet@x", "m3"), &AWAY, now + CHAT_QUIET)));
    }

    #[test]
    fn bursts_are_capped() {
        let now = Instant::now();
        let mut notifier = Notifier::default();
        let shown = (0..BURST_MAX + 3)
            .filter(|i| shows(&notifier.decide(message(&format!("c{i}@x"), "m"), &AWAY, now)))
            .count();
        assert_eq!(shown, BURST_MAX);
        let after = now + BURST_WINDOW;
        assert!(shows(&notifier.decide(message("late@x", "m"), &AWAY, after)));
    }

    #[test]
    fn long_text_is_cut_without_splitting_an_emoji() {
        let mut notifier = Notifier::default();
        let long = Incoming {
            text: format!("{}👍🏽 and more", "a".repeat(BODY_MAX_CHARS - 2)),
            sender: "n".repeat(TITLE_MAX_CHARS + 5),
            ..message("juliet@x", "m1")
        };
        let Decision::Show(notice) = notifier.decide(long, &AWAY, Instant::now()) else {
            panic!("shown");
        };
        assert_eq!(notice.body, format!("{}👍🏽…", "a".repeat(BODY_MAX_CHARS - 2)));
        assert_eq!(notice.title.chars().count(), TITLE_MAX_CHARS);
        assert_eq!(truncate("short", BODY_MAX_CHARS), "short");
        assert_eq!(truncate("exactly", 7), "exactly");
        assert_eq!(truncate("exactly!", 7), "exactl…");
    }

    #[test]
    fn mentions_are_whole_words_in_any_case() {
        assert!(mentions("Juliet: come down", "juliet"));
        assert!(mentions("hey @juliet!", "Juliet"));
        assert!(mentions("thanks, JULIET", "juliet"));
        assert!(mentions("ask the Nurse Angelica", "nurse angelica"));
        assert!(!mentions("julietta is here", "juliet"));
        assert!(!mentions("romeojuliet", "juliet"));
        assert!(!mentions("anything", ""));
        assert!(!mentions("no one", "juliet"));
    }
}
