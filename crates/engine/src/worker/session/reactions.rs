//! Reactions (XEP-0444): others' sets kept, ours stored first and then sent.
//!
//! Each set replaces its reactor's whole set on the line it names, so the reactor key decides
//! whose set a stanza may replace. It is derived only from where the stanza verifiably came
//! from, never from what it says, so nobody can change anyone else's reactions:
//!
//! - ours (sent from here, a carbon of another of our clients, or a room's reflection known
//!   as ours by `room_authors`): [`OWN_REACTOR`];
//! - in a chat: the sender's bare address (`jid:…`), which their server vouches for;
//! - in a room (and in private messages through it): the author as `room_authors` records it,
//!   strongest first: the XEP-0421 occupant id where the room announces them (`occupant:…`),
//!   else the real address the room showed (`jid:…`), else this client's token for the nick's
//!   current stay (`stay:…`), so someone who takes a departed member's nick gets a new key
//!   and sets only their own reactions. A set from a room with none of the three (a room's
//!   archive without occupant ids) names nobody we can tell apart and is dropped.
//!
//! However a set arrives (live, carbon, offline, archive, a room's catch-up), it reaches the
//! store through `store_incoming` after the lines of its burst; one naming no line we have is
//! dropped. The window hears of each change as `Event::Reactions`.

use super::Session;
use crate::model::{ChatId, Direction, MessageKind, NewMessage, ReactionCount};
use crate::store::Reactor;
use crate::worker::reactions::reactions_message;
use crate::worker::{Event, stanza};
use tokio_xmpp::Stanza;
use tokio_xmpp::jid::Jid;

/// The bare address in a full one (`bob@x/phone` → `bob@x`).
fn bare(jid: &str) -> &str {
    jid.split_once('/').map_or(jid, |(bare, _)| bare)
}

/// Who sent the set `line` carries, as the module comment says, or `None` when the room gave
/// us nothing to tell its sender apart by. `own` is our bare address.
pub(super) fn reactor(line: &NewMessage, own: &str) -> Option<Reactor> {
    if line.direction == Direction::Out {
        return Some(Reactor::own(own));
    }
    let Some(nick) = &line.nick else {
        let from = bare(&line.from);
        return Some(Reactor { key: format!("jid:{from}"), name: from.to_owned() });
    };
    let author = &line.author;
    let key = if let Some(id) = &author.occupant_id {
        format!("occupant:{id}")
    } else if let Some(jid) = &author.jid {
        format!("jid:{jid}")
    } else {
        format!("stay:{}", author.presence.as_ref()?)
    };
    Some(Reactor { key, name: nick.clone() })
}

impl Session {
    /// Keep the sets of reactions of a stored burst, each as its reactor's.
    pub(super) fn apply_reactions(&mut self, sets: Vec<NewMessage>) {
        let account = self.account.jid.clone();
        let own = self.own.to_string();
        for line in sets {
            let (MessageKind::Reactions(set), Some(named)) = (&line.kind, &line.replaces) else {
                continue;
            };
            let chat = line.chat.as_str();
            let Some(reactor) = reactor(&line, &own) else {
                tracing::debug!("{chat}: reactions from a sender we cannot tell apart, dropped");
                continue;
            };
            // A room's line is named by the room's id; a private one through it by the
            // sender's, as in chats.
            let in_room = line.nick.is_some() && !chat.contains('/');
            let at = line.timestamp;
            match self
                .store
                .transaction(|store| store.react(&account, chat, named, in_room, &reactor, set, at))
            {
                Ok(Some(message_id)) => self.emit_reactions(&line.chat, &[message_id]),
                Ok(None) => tracing::debug!("{chat}: reactions to {named}, an unknown line"),
                Err(e) => tracing::warn!("{e}"),
            }
        }
    }

    /// Tell the window the reactions on `message_ids` as the store has them now (an empty
    /// list for a line that has none left).
    pub(super) fn emit_reactions(&self, chat: &ChatId, message_ids: &[i64]) {
        match self.store.read(|store| store.reactions(message_ids)) {
            Ok(found) => {
                let mut reactions: Vec<(i64, Vec<ReactionCount>)> = message_ids
                    .iter()
                    .map(|id| {
                        let counts = found.iter().find(|(f, _)| f == id);
                        (*id, counts.map(|(_, c)| c.clone()).unwrap_or_default())
                    })
                    .collect();
                if message_ids.len() > 1 {
                    // A page: only the lines that have some.
                    reactions.retain(|(_, counts)| !counts.is_empty());
                }
                if !reactions.is_empty() {
                    self.emit(Event::Reactions { chat: chat.clone(), reactions });
                }
            }
            Err(e) => tracing::warn!("{e}"),
        }
    }

    /// Set our reactions on line `message_id` in `chat` to `emojis` (XEP-0444): stored here
    /// first, then sent as our whole new set; an empty set takes ours back.
    pub(super) async fn react(&mut self, chat: &ChatId, message_id: i64, emojis: Vec<String>) {
        let refuse = |this: &Self, why: &str| this.emit(Event::Outcome(Err(why.to_owned())));
        if !self.is_online() {
            return refuse(self, "not connected; try again once online");
        }
        let line = self.store.read(|store| store.message(message_id)).ok().flatten();
        let Some(line) = line.filter(|m| &m.chat == chat && m.kind == MessageKind::Message) else {
            return refuse(self, "there is no such message to react to in that conversation");
        };
        let Ok(to) = Jid::new(chat.as_str()) else {
            return refuse(self, "that conversation has no valid address");
        };
        let route = self.route(&to);
        let Some(named) = self.id_to_name(route, &line) else {
            return refuse(self, "that message has no id to name it by yet; try again shortly");
        };
        let emojis = crate::model::clean_reactions(&emojis);
        let own = Reactor::own(self.own.as_str());
        let now = chrono::Utc::now();
        if let Err(e) =
            self.store.transaction(|store| store.set_reactions(message_id, &own, &emojis, now))
        {
            return self.store_failed("the reaction was not kept", e);
        }
        let id = uuid::Uuid::new_v4().to_string();
        if route == stanza::Route::Room
            && let Some(room) = self.rooms.get_mut(&to.to_bare())
        {
            // Its reflection is then known as ours.
            room.authors.sent_correction(id.clone());
        }
        let message = reactions_message(to, &id, route, &named, &emojis);
        self.send(Stanza::Message(message)).await;
        self.emit_reactions(chat, &[message_id]);
        let what = if emojis.is_empty() { "took back your reactions" } else { "reacted" };
        self.emit(Event::Outcome(Ok(what.into())));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Author, Delivery};

    fn set(chat: &str, from: &str, nick: Option<&str>, author: Author) -> NewMessage {
        NewMessage {
            chat: ChatId(chat.into()),
            kind: MessageKind::Reactions(vec!["👍".into()]),
            nick: nick.map(str::to_owned),
            direction: Direction::In,
            from: from.into(),
            to: "me@x".into(),
            body: String::new(),
            timestamp: chrono::Utc::now(),
            state: Delivery::Received,
            stanza_id_attr: None,
            origin_id: None,
            server_id: None,
            attachment: None,
            author,
            replaces: Some("o1".into()),
            reply: None,
            unstyled: false,
        }
    }

    #[test]
    fn the_reactor_is_who_the_stanza_came_from() {
        let key = |line: &NewMessage| reactor(line, "me@x").map(|r| r.key);
        let chat = set("bob@x", "bob@x/phone", None, Author::default());
        assert_eq!(key(&chat).as_deref(), Some("jid:bob@x"));
        let mut ours = chat.clone();
        ours.direction = Direction::Out;
        assert_eq!(key(&ours).as_deref(), Some(crate::model::OWN_REACTOR));
        let room = |author| set("tea@r.x", "tea@r.x/bob", Some("bob"), author);
        let full = Author {
            occupant_id: Some("o".into()),
            jid: Some("bob@x".into()),
            presence: Some("p".into()),
        };
        assert_eq!(key(&room(full.clone())).as_deref(), Some("occupant:o"));
        let no_id = Author { occupant_id: None, ..full.clone() };
        assert_eq!(key(&room(no_id)).as_deref(), Some("jid:bob@x"));
        let stay = Author { presence: Some("p".into()), ..Author::default() };
        assert_eq!(key(&room(stay)).as_deref(), Some("stay:p"));
        assert_eq!(key(&room(Author::default())), None, "nothing to tell them apart by");
        assert_eq!(reactor(&room(full), "me@x").map(|r| r.name).as_deref(), Some("bob"));
    }
}
