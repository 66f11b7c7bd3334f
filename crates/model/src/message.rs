//! Messages as stored and shown.

use super::{Attachment, Reply};
use chrono::{DateTime, Utc};
use std::fmt;

/// A conversation: a one-to-one chat named by the peer's bare JID, a room named by its bare
/// JID, or a private chat with a room occupant named by `room@service/nick`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChatId(pub String);

impl ChatId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ChatId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    In,
    Out,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::In => "in",
            Self::Out => "out",
        }
    }
}

/// Where a message stands. Outgoing ones move pending → sent (server ack) → delivered → read;
/// incoming ones are `Received`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Pending,
    Sent,
    Delivered,
    Read,
    Failed(String),
    Received,
}

impl Delivery {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::Failed(_) => "failed",
            Self::Received => "received",
        }
    }
}

/// A line in a conversation: something someone wrote, something that happened (a join,
/// a kick, a new subject) told in words, or something someone wrote whose words are gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageKind {
    Message,
    Event,
    /// Taken back by its author (XEP-0424) or removed by a room moderator (XEP-0425): the
    /// store has blanked its words and dropped its file. On a [`NewMessage`] with `replaces`,
    /// a request to remove the line it names, honoured only as `session::retraction` rules.
    Removed(Removal),
    /// Only on a [`NewMessage`] with `replaces`: its sender's whole new set of reactions to
    /// the line it names (XEP-0444), empty when they took all back; never a line of its own.
    Reactions(Vec<String>),
}

impl MessageKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Message => "message",
            Self::Event => "event",
            Self::Removed(_) => "removed",
            Self::Reactions(_) => "reactions",
        }
    }

    /// Written by someone, whether or not its words are still there.
    pub fn is_written(&self) -> bool {
        matches!(self, Self::Message | Self::Removed(_))
    }
}

/// Why a line's words are gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removal {
    /// Its author took it back (XEP-0424).
    Retracted,
    /// A room moderator removed it (XEP-0425), as the room itself said: `by` is the moderator
    /// as the room named them (a nick or an address), `reason` what they gave, both bounded.
    Moderated { by: Option<String>, reason: Option<String> },
}

/// The longest moderation reason kept, in characters; a longer one is cut (a stranger's
/// moderator may write anything).
pub const MAX_REMOVAL_REASON: usize = 1024;
/// The longest name of a moderator kept, in characters.
pub const MAX_REMOVAL_BY: usize = 256;

impl Removal {
    /// What stands in place of the line's words, as a sentence: "Message deleted", "Removed by
    /// a moderator: reason". One wording for the window, the command line and exports.
    pub fn describe(&self) -> String {
        match self {
            Self::Retracted => "Message deleted".to_owned(),
            Self::Moderated { reason: Some(reason), .. } => {
                format!("Removed by a moderator: {reason}")
            }
            Self::Moderated { reason: None, .. } => "Removed by a moderator".to_owned(),
        }
    }

    /// A moderator's removal with its words cut to their limits and blank ones dropped.
    pub fn moderated(by: Option<&str>, reason: Option<&str>) -> Self {
        let keep = |text: Option<&str>, max: usize| {
            text.map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| t.chars().take(max).collect::<String>())
        };
        Self::Moderated { by: keep(by, MAX_REMOVAL_BY), reason: keep(reason, MAX_REMOVAL_REASON) }
    }
}

/// What someone is doing in a chat, as they say (XEP-0085).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typing {
    Composing,
    Paused,
    /// Active, inactive or gone: not typing.
    Idle,
}

/// A message before the store has given it a row id.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMessage {
    pub chat: ChatId,
    pub kind: MessageKind,
    /// The sender's nickname in a room.
    pub nick: Option<String>,
    pub direction: Direction,
    pub from: String,
    pub to: String,
    pub body: String,
    pub timestamp: DateTime<Utc>,
    pub state: Delivery,
    /// The `id` attribute of the stanza.
    pub stanza_id_attr: Option<String>,
    /// XEP-0359 origin-id, set by the sender; dedupes resends.
    pub origin_id: Option<String>,
    /// XEP-0359 stanza-id added by our own server; dedupes archive and live copies.
    pub server_id: Option<String>,
    pub attachment: Option<Attachment>,
    /// Who wrote a room line, as far as the room vouches for it; empty elsewhere.
    pub author: Author,
    /// XEP-0308: the id of the line this one corrects. However it arrives (live, carbon,
    /// offline, archive), it changes that line instead of adding one, if its author wrote it.
    /// With `kind` [`MessageKind::Removed`], the id of the line to remove (XEP-0424/0425);
    /// such a message is never a line of its own.
    pub replaces: Option<String>,
    /// XEP-0461: the line this one answers, as the replier named it.
    pub reply: Option<Reply>,
    /// XEP-0393 §6: its sender asked that its words be shown as written, never styled.
    pub unstyled: bool,
}

impl NewMessage {
    /// The message as the store keeps it under row `id`: neither edited nor scheduled yet.
    pub fn stored(&self, id: i64) -> Message {
        Message {
            id,
            chat: self.chat.clone(),
            kind: self.kind.clone(),
            nick: self.nick.clone(),
            edited: false,
            scheduled_for: None,
            late: false,
            direction: self.direction,
            from: self.from.clone(),
            to: self.to.clone(),
            body: self.body.clone(),
            timestamp: self.timestamp,
            state: self.state.clone(),
            origin_id: self.origin_id.clone(),
            attachment: self.attachment.clone(),
            reply: self.reply.clone(),
            unstyled: self.unstyled,
        }
    }
}

/// Who wrote a line in a room (or a private message from an occupant), beyond the nick, which
/// anyone may take once its holder has left. Corrections (XEP-0308) are matched against it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Author {
    /// XEP-0421 occupant id, kept only from a room that announces the feature.
    pub occupant_id: Option<String>,
    /// The author's real bare address, when the room showed it as the line came in.
    pub jid: Option<String>,
    /// This client's token for the author's presence in the room when the line came in live;
    /// someone taking the nick after its holder left gets a new one.
    pub presence: Option<String>,
}

/// A stored message.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub id: i64,
    pub chat: ChatId,
    pub kind: MessageKind,
    pub nick: Option<String>,
    /// Corrected by its sender after it was first shown (XEP-0308).
    pub edited: bool,
    /// Waiting in the outbox until this time ("send later").
    pub scheduled_for: Option<DateTime<Utc>>,
    /// A scheduled message that could only go out well after its time (Confab was closed).
    pub late: bool,
    pub direction: Direction,
    pub from: String,
    pub to: String,
    pub body: String,
    pub timestamp: DateTime<Utc>,
    pub state: Delivery,
    pub origin_id: Option<String>,
    pub attachment: Option<Attachment>,
    /// The line this one answers (XEP-0461), found in the store when read.
    pub reply: Option<Reply>,
    /// Its sender asked that its words never be styled (XEP-0393 §6).
    pub unstyled: bool,
}

/// A slice of a conversation, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryPage {
    pub chat: ChatId,
    pub messages: Vec<Message>,
    /// Whether older messages exist before the first one here.
    pub has_more: bool,
}

#[cfg(test)]
mod removal_tests {
    use super::Removal;

    #[test]
    fn a_removed_line_says_why_in_one_wording() {
        assert_eq!(Removal::Retracted.describe(), "Message deleted");
        let moderated = Removal::moderated(Some("mod"), Some("  off topic "));
        assert_eq!(moderated.describe(), "Removed by a moderator: off topic");
        assert_eq!(Removal::moderated(None, Some("")).describe(), "Removed by a moderator");
    }
}
