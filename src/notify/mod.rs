//! Desktop notifications and unread counts, behind one small surface:
//!
//! - [`Notifier`] decides, without any I/O, whether something that happened deserves a
//!   notification (the window and conversation on screen, per-conversation mute, Do Not
//!   Disturb, duplicates, bursts) and words it ([`Notice`]).
//! - [`show`] puts a [`Notice`] on the desktop off the UI thread and resolves to its
//!   conversation when the user clicks it. All of notify-rust's platform quirks live there.
//! - [`Unread`] counts unread messages per conversation, for the sidebar and the window title.

mod desktop;
mod policy;
mod unread;

pub use desktop::{ACTION_WAIT, show};
pub use policy::{
    BODY_MAX_CHARS, BURST_MAX, BURST_WINDOW, CHAT_QUIET, Context, DEDUPE_MAX, DEDUPE_WINDOW,
    Decision, Incoming, Kind, Notice, Notifier, Skip, TITLE_MAX_CHARS, mentions,
};
pub use unread::{UNREAD_SHOWN_MAX, Unread, Unseen, badge};

use crate::model::{AccountId, ChatId};

/// Where a notification leads and what an unread count belongs to: one conversation of one
/// account (a chat, a room, or a room's private chat; for a contact request, the requester's
/// address; for an invitation, the room).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    pub account: AccountId,
    pub chat: ChatId,
}
