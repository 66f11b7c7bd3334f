//! Lines taken back (XEP-0424) and removed by room moderators (XEP-0425): others' honoured,
//! and a moderator's removal asked of the room (ours taken back are `own_retractions.rs`'s). Who may remove what:
//!
//! - a line's author, the same way corrections are matched (`room_authors::same_author` in
//!   rooms and for occupants' private messages; the sender's bare address in chats), never a
//!   line of ours from anyone else nor someone else's line from us;
//! - a room moderator, only as the room itself tells it: the notice comes from the room's bare
//!   address (the conversion refuses one from an occupant, `Dropped::Misplaced`) and names
//!   the room's stanza-id of the line, the only id matched for it.
//!
//! However a removal arrives (live, a carbon, offline storage, an archive, a room's catch-up),
//! it reaches the store through `store_incoming` after the lines of its burst, so it finds a
//! line that came with it. One naming nothing we have is dropped: its fallback text is never a
//! line. The store blanks the line first; the window hears of it afterwards (`Event::Edited`).

use super::Session;
use super::room_authors;
use crate::model::{Author, Direction, Message, MessageKind, NewMessage, Removal};
use crate::store::Removed;
use crate::worker::retraction as stanza_retraction;
use crate::worker::{Event, stanza};

/// The bare address in a full one (`bob@x/phone` → `bob@x`).
fn bare(jid: &str) -> &str {
    jid.split_once('/').map_or(jid, |(bare, _)| bare)
}

/// Whether the sender of `line` (a correction or an author's removal) wrote `original`; `own`
/// is our bare address. The one rule for both, so they cannot drift apart.
pub(super) fn written_by_sender<'a>(
    line: &'a NewMessage,
    own: &'a str,
) -> impl Fn(&Message, &Author) -> bool + 'a {
    let in_room = line.nick.is_some();
    move |original: &Message, author: &Author| {
        if in_room && line.direction == Direction::Out {
            // Ours, reflected by the room (or from another of our clients).
            original.direction == Direction::Out
        } else if in_room {
            original.direction == Direction::In && room_authors::same_author(author, &line.author)
        } else if line.direction == Direction::Out {
            original.direction == Direction::Out && bare(&original.from) == own
        } else {
            original.direction == Direction::In && bare(&original.from) == bare(&line.from)
        }
    }
}

impl Session {
    /// Apply the removals of a stored burst, each only where the rule in the module comment
    /// allows it.
    pub(super) fn apply_removals(&mut self, removals: Vec<NewMessage>) {
        let account = self.account.jid.clone();
        let own = self.own.to_string();
        for line in removals {
            let (MessageKind::Removed(removal), Some(named)) = (&line.kind, &line.replaces) else {
                continue;
            };
            let by_room = matches!(removal, Removal::Moderated { .. });
            let rule = written_by_sender(&line, &own);
            let may = |original: &Message, author: &Author| by_room || rule(original, author);
            let chat = line.chat.as_str();
            match self.store.transaction(|store| store.retract(&account, chat, named, removal, may))
            {
                Ok(Some(removed)) => self.removed(removed),
                Ok(None) => tracing::debug!("{chat}: a removal of {named} matched no line"),
                Err(e) => tracing::warn!("{e}"),
            }
        }
    }

    /// A line is removed in the store: its file goes, and the window is told.
    pub(super) fn removed(&mut self, removed: Removed) {
        if let Some(file) = removed.file {
            self.delete_copy(&file);
        }
        self.emit(Event::Edited(removed.message));
    }

    /// Delete our copy of a removed line's file, only inside our files folder (the path comes
    /// from the store, which only we write, but a path outside it is never ours to delete),
    /// with the folder made for it when it is left empty.
    fn delete_copy(&self, file: &std::path::Path) {
        if !file.starts_with(&self.files_dir) || file.components().any(|c| c.as_os_str() == "..") {
            return;
        }
        match std::fs::remove_file(file) {
            Ok(()) => {
                if let Some(folder) = file.parent().filter(|f| *f != self.files_dir) {
                    // Fails harmlessly when something else is in it.
                    let _ = std::fs::remove_dir(folder);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!("the file of a removed message stays: {e}"),
        }
    }

    /// Ask `room` to remove line `message_id` as a moderator (XEP-0425). The line changes here
    /// when the room tells everyone, as for any moderation; the room's refusal is shown.
    pub(super) async fn moderate(&mut self, room: &str, message_id: i64, reason: Option<String>) {
        let refuse = |this: &Self, why: &str| this.emit(Event::Outcome(Err(why.to_owned())));
        if !self.is_online() {
            return refuse(self, "not connected; try again once online");
        }
        let Ok(room_jid) = tokio_xmpp::jid::BareJid::new(room) else {
            return refuse(self, "that is not a room's address");
        };
        let Some(version) = self.rooms.get(&room_jid).map(|r| r.authors.moderation) else {
            return refuse(self, "that is not a room you are in");
        };
        let line = self.store.read(|store| store.message(message_id)).ok().flatten();
        if !line.is_some_and(|m| m.chat.as_str() == room && m.kind == MessageKind::Message) {
            return refuse(self, "there is no such message in that room");
        }
        let Some(stanza_id) = self.store.read(|store| store.server_id(message_id)).ok().flatten()
        else {
            return refuse(self, "the room gave that message no id to name it by");
        };
        let reason = reason
            .as_deref()
            .map(|r| r.chars().take(crate::model::MAX_REMOVAL_REASON).collect::<String>());
        let id = self.next_id("moderate");
        let Some(iq) =
            stanza_retraction::moderate(id, &room_jid, &stanza_id, reason.as_deref(), version)
        else {
            return refuse(self, "this room does not offer to remove messages (XEP-0425)");
        };
        let what = format!("removed the message from {room}");
        self.send_iq(iq, super::requests::PendingIq::Change(what)).await;
    }
}

impl Session {
    /// How others name our copy of `line` when they refer to it (XEP-0424, XEP-0444): a room's
    /// line by the room's stanza-id, any other by its origin-id, else its stanza's id. `None`
    /// until the room has confirmed the line.
    pub(super) fn id_to_name(&self, route: stanza::Route, line: &Message) -> Option<String> {
        let named = match route {
            stanza::Route::Room => self.store.read(|store| store.server_id(line.id)),
            stanza::Route::Chat | stanza::Route::RoomPrivate => match &line.origin_id {
                Some(origin_id) => Ok(Some(origin_id.clone())),
                None => self.store.read(|store| store.stanza_id_attr(line.id)),
            },
        };
        named.ok().flatten()
    }
}
