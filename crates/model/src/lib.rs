//! Plain data shared by every layer: the worker produces it, the store keeps it, the UI shows it.
//! Nothing here knows about sockets, SQL or widgets.

mod attachment;
mod color;
mod command;
mod entity;
mod form;
mod message;
mod profile;
mod reaction;
mod reply;
mod room;
mod roster;
mod route;
mod validation;

pub mod search;
pub mod styling;
pub mod text;

pub use attachment::{Attachment, Transfer, format_size, has_image_extension};
pub use color::rgb as consistent_color;
pub use command::{
    CommandAction, CommandStage, CommandStatus, Directory, DirectoryRow, DirectorySearch, NoteKind,
    ServiceRegistration,
};
pub use entity::{DiscoQuery, Discovered, EntityIdentity, EntityInfo, EntityItem};
pub use form::{FORM_TYPE, Field, FieldKind, Form, FormOption, MediaUri};
pub use message::{
    Author, ChatId, Delivery, Direction, HistoryPage, MAX_REMOVAL_BY, MAX_REMOVAL_REASON, Message,
    MessageKind, NewMessage, Removal, Typing,
};
pub use profile::{Profile, ProfileEntry, Services, UploadService};
pub use reaction::{
    MAX_REACTION_BYTES, MAX_REACTIONS_PER_REACTOR, OWN_REACTOR, ReactionCount, clean_reactions,
    toggled as toggled_reactions,
};
pub use reply::{
    MAX_QUOTE, MAX_REPLY_ID, QuotedLine, Reply, fallback_text, quote_from_fallback, quote_of,
};
pub use room::{
    Affiliated, Affiliation, Invite, Moderation, Occupant, PublicRoom, Role, Room, RoomPreset,
    RoomState,
};
pub use roster::{Contact, Presence, PresenceShow, Subscription};
pub use route::Route;
pub use validation::{Datatype, Validation};

use std::fmt;

/// A bare JID with a user part (a person's or a room's address), or a clear error.
pub fn parse_bare_jid(text: &str) -> Result<String, String> {
    match jid::BareJid::new(text.trim()) {
        Ok(jid) if jid.node().is_some() => Ok(jid.to_string()),
        Ok(_) => Err(format!("“{text}” is not an address of the form user@server")),
        Err(e) => Err(format!("“{text}” is not a valid address: {e}")),
    }
}

/// An account is identified by its bare JID (`user@domain`), which is also its config key.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct AccountId(pub String);

impl AccountId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the user sees about an account's link to its server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionState {
    /// Not trying to connect (no password yet, or stopped by the user).
    Idle,
    Connecting,
    Online,
    /// Lost or refused for a reason that may pass; the worker retries after `retry_in_secs`.
    Offline {
        reason: String,
        retry_in_secs: u64,
    },
    /// Will not be retried until the user acts (wrong password, distrusted certificate).
    Failed(ConnectError),
}

/// Why a connection attempt failed, in terms a user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectError {
    WrongPassword,
    /// The server's certificate is not trusted; the user may pin it by its SHA-256 fingerprint.
    CertificateUntrusted {
        fingerprint: String,
        reason: String,
    },
    /// Not the certificate the user pinned (`pinned`): renewed, or someone in between. Asked
    /// about with more caution than a first-time certificate.
    CertificateChanged {
        fingerprint: String,
        pinned: String,
        reason: String,
    },
    /// Wrong name or outside its validity period: refused, and no pin could change that.
    CertificateInvalid {
        fingerprint: String,
        reason: String,
    },
    Unreachable(String),
    /// The login was refused, by the server or by Confab for safety (a possible downgrade,
    /// a method the account does not allow); retrying alone would not change that.
    Refused(String),
    /// The account's history cannot be opened (a full disk, a read-only or damaged file);
    /// the text says why and what to do. Nothing connects until the user tries again.
    Storage(String),
    Other(String),
}

impl ConnectError {
    /// Whether retrying without the user's help could succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unreachable(_) | Self::Other(_))
    }
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongPassword => f.write_str("wrong password or unknown account"),
            Self::CertificateUntrusted { fingerprint, reason } => write!(
                f,
                "the server's certificate is not trusted ({reason}); SHA-256 fingerprint {fingerprint}"
            ),
            Self::CertificateChanged { fingerprint, pinned, reason } => write!(
                f,
                "the server's certificate changed since you trusted it ({reason}); trusted \
                 SHA-256 fingerprint {pinned}, now presented {fingerprint}"
            ),
            Self::CertificateInvalid { fingerprint, reason } => write!(
                f,
                "the server's certificate is refused ({reason}); SHA-256 fingerprint {fingerprint}"
            ),
            Self::Unreachable(why) | Self::Refused(why) | Self::Storage(why) => f.write_str(why),
            Self::Other(why) => f.write_str(why),
        }
    }
}
