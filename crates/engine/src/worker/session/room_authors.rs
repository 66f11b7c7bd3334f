//! Who wrote a room line, and which corrections (XEP-0308) may change it.
//!
//! A nick is only a seat: once its holder leaves, anyone may sit down under it and send a
//! correction naming the earlier holder's message. So each line from a room, or private
//! message from an occupant, is attributed to its author in up to three ways, strongest first,
//! and a correction changes an earlier line only when both share the strongest one they both
//! have; when that one differs, nothing weaker is consulted:
//!
//! 1. the XEP-0421 occupant id, kept only from a room whose disco#info announces
//!    `urn:xmpp:occupant-id:0` (such a room replaces whatever a sender put there; any other
//!    room would pass a forged one through, so there it is ignored);
//! 2. the author's real bare address, as the room shows it in the occupant's presence
//!    (non-anonymous rooms, or to moderators), for lines that came in live;
//! 3. this client's token for the author's stay: a line that comes in live from a nick
//!    present in the room carries the token of that presence, and a new token is made each
//!    time the nick appears. A correction under a nick thus applies only to a line written in
//!    the same stay, its author not having left since. Lines from a room's history or archive
//!    get no token (we did not see who held the nick then), and a reconnection ends every
//!    stay, so those are corrected only by occupant id or address.
//!
//! "Ours" in a room means sent by this account: a line under our nick whose id is one of the
//! messages or corrections we sent (the room reflecting it), or one carrying our own occupant
//! id or our address. Our nick alone proves nothing. Only lines that are ours are changed by
//! our corrections, and only lines that are not ours by anyone else's.

use super::Session;
use crate::model::{Author, Delivery, Direction, NewMessage};
use std::collections::{HashMap, VecDeque};
use tokio_xmpp::jid::BareJid;

/// Corrections we sent to a room that are remembered, to know their reflections as ours.
/// Corrections replace the last message, so a reflection comes within a few of them.
const OWN_CORRECTIONS: usize = 32;

/// What a room session knows about who writes in it.
#[derive(Default)]
pub(super) struct RoomAuthors {
    /// The room announced XEP-0421 occupant ids: they are believed.
    pub occupant_ids: bool,
    /// Our own occupant id, from our presence coming back.
    own_occupant_id: Option<String>,
    /// The token of each present occupant's current stay, by nick; one per occupant, so
    /// bounded as the occupant list is.
    stays: HashMap<String, String>,
    /// Ids of the corrections and retractions we sent, newest last.
    own_corrections: VecDeque<String>,
    /// Which moderation (XEP-0425) the room offers: who may remove lines is the room's to
    /// say, and how to ask depends on its version.
    pub moderation: crate::worker::retraction::Moderation,
}

impl RoomAuthors {
    /// `nick` appeared in the room: a new stay begins.
    pub fn arrived(&mut self, nick: &str) {
        self.stays.insert(nick.to_owned(), uuid::Uuid::new_v4().to_string());
    }

    /// `nick` left (or changed nick): its stay is over.
    pub fn left(&mut self, nick: &str) {
        self.stays.remove(nick);
    }

    /// We are out of the room (or entering it again): every stay is over, and what the room
    /// announces is learnt again.
    pub fn reset(&mut self) {
        self.stays.clear();
        self.occupant_ids = false;
        self.own_occupant_id = None;
    }

    pub fn set_own_occupant_id(&mut self, id: Option<String>) {
        self.own_occupant_id = id;
    }

    /// We sent a correction (or a retraction) with this id into the room.
    pub fn sent_correction(&mut self, id: String) {
        if self.own_corrections.len() == OWN_CORRECTIONS {
            self.own_corrections.pop_front();
        }
        self.own_corrections.push_back(id);
    }

    fn is_own_occupant_id(&self, id: Option<&str>) -> bool {
        self.occupant_ids && id.is_some() && id == self.own_occupant_id.as_deref()
    }
}

/// Whether the author of `correction` wrote `original` (the rule in the module comment).
pub(super) fn same_author(original: &Author, correction: &Author) -> bool {
    if let (Some(a), Some(b)) = (&original.occupant_id, &correction.occupant_id) {
        return a == b;
    }
    if let (Some(a), Some(b)) = (&original.jid, &correction.jid) {
        return a == b;
    }
    matches!((&original.presence, &correction.presence), (Some(a), Some(b)) if a == b)
}

impl Session {
    /// Complete a room line's author from what we know of the room now, and make the line
    /// ours when it is. `live`: said just now (no delay stamp), so the nick's present holder
    /// wrote it.
    pub(super) fn attribute(&self, room: &BareJid, line: &mut NewMessage, live: bool) {
        let Some(nick) = line.nick.as_deref() else { return };
        let Some(session) = self.rooms.get(room) else { return };
        if live
            && session.joined
            && let Some(occupant) = session.occupants.get(nick)
        {
            line.author.jid = occupant.jid.clone();
            line.author.presence = session.authors.stays.get(nick).cloned();
        }
        // A private message from an occupant is never ours: the room does not reflect those.
        if line.chat.as_str() != room.as_str() {
            return;
        }
        let authors = &session.authors;
        let ids = [line.origin_id.as_deref(), line.stanza_id_attr.as_deref()];
        let sent_by_us = |id: &str| {
            authors.own_corrections.iter().any(|c| c == id)
                || matches!(
                    self.store.read(|store| store.outgoing_id(
                        self.account_key(),
                        room.as_str(),
                        id
                    )),
                    Ok(Some(_))
                )
        };
        let ours = authors.is_own_occupant_id(line.author.occupant_id.as_deref())
            || line.author.jid.as_deref() == Some(self.own.as_str())
            || (nick == session.room.nick && ids.into_iter().flatten().any(sent_by_us));
        if ours {
            line.direction = Direction::Out;
            line.state = Delivery::Sent;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn author(occupant_id: Option<&str>, jid: Option<&str>, presence: Option<&str>) -> Author {
        Author {
            occupant_id: occupant_id.map(str::to_owned),
            jid: jid.map(str::to_owned),
            presence: presence.map(str::to_owned),
        }
    }

    #[test]
    fn the_strongest_shared_attribution_decides() {
        let alice = author(Some("oid-a"), Some("alice@x"), Some("stay-1"));
        assert!(same_author(&alice, &alice));
        // Another occupant id: the same address or stay cannot outweigh it.
        assert!(!same_author(&alice, &author(Some("oid-m"), Some("alice@x"), Some("stay-1"))));
        // No occupant id on one side: the address decides, then the stay.
        assert!(same_author(&alice, &author(None, Some("alice@x"), Some("stay-9"))));
        assert!(!same_author(&alice, &author(None, Some("mallory@x"), Some("stay-1"))));
        assert!(same_author(
            &author(None, None, Some("stay-1")),
            &author(None, None, Some("stay-1"))
        ));
    }

    #[test]
    fn a_nick_taken_after_its_holder_left_is_not_the_author() {
        let mut room = RoomAuthors::default();
        room.arrived("alice");
        let first_stay = room.stays.get("alice").cloned();
        room.left("alice");
        room.arrived("alice");
        let second_stay = room.stays.get("alice").cloned();
        assert_ne!(first_stay, second_stay);
        let original = author(None, None, first_stay.as_deref());
        let correction = author(None, None, second_stay.as_deref());
        assert!(!same_author(&original, &correction));
        // A line from history (no stay, no address, no occupant id) is corrected by no one.
        assert!(!same_author(&Author::default(), &correction));
        assert!(!same_author(&Author::default(), &Author::default()));
    }

    #[test]
    fn our_occupant_id_counts_only_where_the_room_announces_them() {
        let mut room = RoomAuthors::default();
        room.set_own_occupant_id(Some("oid-me".into()));
        assert!(!room.is_own_occupant_id(Some("oid-me")), "not announced: not believed");
        room.occupant_ids = true;
        assert!(room.is_own_occupant_id(Some("oid-me")));
        assert!(!room.is_own_occupant_id(Some("oid-other")));
        assert!(!room.is_own_occupant_id(None));
    }

    #[test]
    fn remembered_corrections_are_bounded() {
        let mut room = RoomAuthors::default();
        for i in 0..OWN_CORRECTIONS + 5 {
            room.sent_correction(format!("c{i}"));
        }
        assert_eq!(room.own_corrections.len(), OWN_CORRECTIONS);
        assert_eq!(room.own_corrections.front().map(String::as_str), Some("c5"));
    }
}
