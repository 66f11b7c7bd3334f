//! Reactions to lines (XEP-0444). Each set a reactor sends replaces their whole set on that
//! line, so a set is stored by deleting the reactor's rows and writing the new ones in one
//! transaction. A set older than the one kept (an archive bringing back a set since replaced)
//! changes nothing, so each reactor also keeps one row with an empty emoji saying when their
//! set was given, even when that set is empty. Who the reactor is (the key) is the caller's to establish from the stanza's
//! verified origin, never from its contents: the store only keeps sets apart by key.

use super::{Result, Store};
use crate::model::{OWN_REACTOR, ReactionCount, clean_reactions};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

/// The longest reactor name kept, in characters (a nick or an address, for the tooltip).
const MAX_REACTOR_NAME: usize = 256;
/// The most reactors named in one emoji's tooltip; the count stays exact.
const MAX_NAMED: usize = 20;

/// Who reacted: `key` tells reactors apart, `name` is how the conversation shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reactor {
    pub key: String,
    pub name: String,
}

impl Reactor {
    /// This account, from whichever of our clients.
    pub fn own(name: &str) -> Self {
        Self { key: OWN_REACTOR.to_owned(), name: name.to_owned() }
    }
}

impl Store {
    /// Replace `reactor`'s reactions on the line `named_id` names in `chat` with `reactions`
    /// (cleaned and bounded here). In a room the id is the room's stanza-id (XEP-0444 §4 with
    /// XEP-0359); elsewhere the sender's origin-id or the stanza's `id`. Only a written line
    /// still there can be reacted to: `None` when none is named (the set is dropped), else
    /// the line's row id.
    #[allow(clippy::too_many_arguments)]
    pub fn react(
        &mut self,
        account: &str,
        chat: &str,
        named_id: &str,
        in_room: bool,
        reactor: &Reactor,
        reactions: &[String],
        at: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        let line: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM messages
                 WHERE account = ?1 AND chat = ?2 AND kind = 0 AND removed = 0
                   AND CASE WHEN ?4 THEN server_id = ?3
                            ELSE (origin_id = ?3 OR stanza_id_attr = ?3) END
                 ORDER BY id DESC LIMIT 1",
                params![account, chat, named_id, in_room],
                |row| row.get(0),
            )
            .optional()?;
        let Some(line) = line else { return Ok(None) };
        self.set_reactions(line, reactor, reactions, at)?;
        Ok(Some(line))
    }

    /// Replace `reactor`'s reactions on line `message_id` (ours, from the window or the
    /// command line, or one the caller has found), unless the set kept was given after `at`.
    pub fn set_reactions(
        &mut self,
        message_id: i64,
        reactor: &Reactor,
        reactions: &[String],
        at: DateTime<Utc>,
    ) -> Result<()> {
        let reactions = clean_reactions(reactions);
        let name: String = reactor.name.chars().take(MAX_REACTOR_NAME).collect();
        let tx = self.conn.transaction()?;
        let kept: Option<i64> = tx.query_row(
            "SELECT max(at) FROM reactions WHERE message_id = ?1 AND reactor = ?2",
            params![message_id, reactor.key],
            |row| row.get(0),
        )?;
        if kept.is_some_and(|kept| kept > at.timestamp_millis()) {
            return Ok(());
        }
        tx.execute(
            "DELETE FROM reactions WHERE message_id = ?1 AND reactor = ?2",
            params![message_id, reactor.key],
        )?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO reactions (message_id, reactor, reactor_name, emoji, at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            // The empty emoji marks when the set was given (see the module comment).
            for emoji in std::iter::once("").chain(reactions.iter().map(String::as_str)) {
                insert.execute(params![
                    message_id,
                    reactor.key,
                    name,
                    emoji,
                    at.timestamp_millis()
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The reactions on each of `message_ids` that has any: each emoji once, first given
    /// first, with its count, whether we gave it and (some of) who gave it.
    pub fn reactions(&self, message_ids: &[i64]) -> Result<Vec<(i64, Vec<ReactionCount>)>> {
        let mut read = self.conn.prepare_cached(
            "SELECT emoji, reactor, reactor_name FROM reactions
             WHERE message_id = ?1 AND emoji != '' ORDER BY at, rowid",
        )?;
        let mut all = Vec::new();
        for &id in message_ids {
            let rows = read.query_map([id], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?))
            })?;
            let mut counts: Vec<ReactionCount> = Vec::new();
            for row in rows {
                let (emoji, reactor, name) = row?;
                let at = match counts.iter().position(|c| c.emoji == emoji) {
                    Some(at) => at,
                    None => {
                        counts.push(ReactionCount { emoji, count: 0, ours: false, who: vec![] });
                        counts.len() - 1
                    }
                };
                let count = &mut counts[at];
                count.count += 1;
                count.ours |= reactor == OWN_REACTOR;
                if count.who.len() < MAX_NAMED {
                    count.who.push(name);
                }
            }
            if !counts.is_empty() {
                all.push((id, counts));
            }
        }
        Ok(all)
    }

    /// Our own reactions on line `message_id`, as we last set them.
    pub fn own_reactions(&self, message_id: i64) -> Result<Vec<String>> {
        let mut read = self.conn.prepare_cached(
            "SELECT emoji FROM reactions WHERE message_id = ?1 AND reactor = ?2 AND emoji != ''
             ORDER BY at, rowid",
        )?;
        let rows = read.query_map(params![message_id, OWN_REACTOR], |row| row.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::Reactor;
    use crate::model::{Author, ChatId, Delivery, Direction, MessageKind, NewMessage};
    use crate::{Inserted, Store};

    fn line(chat: &str, id: &str) -> NewMessage {
        NewMessage {
            chat: ChatId(chat.into()),
            kind: MessageKind::Message,
            nick: None,
            direction: Direction::In,
            from: format!("{chat}/x"),
            to: "me@x".into(),
            body: "hi".into(),
            timestamp: chrono::DateTime::from_timestamp(1, 0).unwrap_or_default(),
            state: Delivery::Received,
            stanza_id_attr: Some(id.into()),
            origin_id: Some(format!("o-{id}")),
            server_id: Some(format!("s-{id}")),
            attachment: None,
            author: Author::default(),
            replaces: None,
            reply: None,
            unstyled: false,
        }
    }

    fn stored(store: &mut Store, line: NewMessage) -> i64 {
        match store.insert_messages("me@x", &[line]).expect("stored").pop() {
            Some(Inserted::New(m)) => m.id,
            _ => panic!("not stored"),
        }
    }

    fn set(reactions: &[&str]) -> Vec<String> {
        reactions.iter().map(|r| (*r).to_owned()).collect()
    }

    fn bob() -> Reactor {
        Reactor { key: "jid:bob@x".into(), name: "bob@x".into() }
    }

    #[test]
    fn each_set_replaces_the_reactors_last_and_others_stay() {
        let mut store = Store::open_in_memory().expect("store");
        let id = stored(&mut store, line("bob@x", "a"));
        let now = chrono::Utc::now();
        let react = |store: &mut Store, named: &str, who: &Reactor, r: &[&str]| {
            store.react("me@x", "bob@x", named, false, who, &set(r), now).expect("ok")
        };
        assert_eq!(react(&mut store, "o-a", &bob(), &["👍", "😂"]), Some(id));
        assert_eq!(react(&mut store, "a", &Reactor::own("me@x"), &["👍"]), Some(id));
        assert_eq!(react(&mut store, "s-a", &bob(), &["👍"]), None, "not a chat's id");
        assert_eq!(react(&mut store, "nothing", &bob(), &["👍"]), None, "unknown line");
        let counts = store.reactions(&[id]).expect("read");
        let [(read_id, counts)] = &counts[..] else { panic!("{counts:?}") };
        assert_eq!(*read_id, id);
        assert_eq!(counts[0].emoji, "👍");
        assert_eq!((counts[0].count, counts[0].ours), (2, true));
        assert_eq!(counts[0].who, ["bob@x", "me@x"]);
        assert_eq!((counts[1].emoji.as_str(), counts[1].ours), ("😂", false));

        react(&mut store, "o-a", &bob(), &["❤️"]);
        let counts = store.reactions(&[id]).expect("read");
        let emoji: Vec<_> = counts[0].1.iter().map(|c| (c.emoji.as_str(), c.count)).collect();
        assert_eq!(emoji, [("👍", 1), ("❤️", 1)], "bob's set replaced, ours kept");
        react(&mut store, "o-a", &bob(), &[]);
        react(&mut store, "a", &Reactor::own("me@x"), &[]);
        assert!(store.reactions(&[id]).expect("read").is_empty(), "empty sets remove all");
        assert!(store.own_reactions(id).expect("read").is_empty());
        // An older set coming back (from an archive) does not undo a newer one.
        let before = now - chrono::Duration::seconds(5);
        let older = store.react("me@x", "bob@x", "o-a", false, &bob(), &set(&["🐢"]), before);
        assert_eq!(older.expect("ok"), Some(id));
        assert!(store.reactions(&[id]).expect("read").is_empty(), "the newer empty set stays");
    }

    #[test]
    fn rooms_name_their_own_ids_and_sets_are_bounded() {
        let mut store = Store::open_in_memory().expect("store");
        let id = stored(&mut store, line("tea@rooms.x", "a"));
        let now = chrono::Utc::now();
        let who = Reactor { key: "occupant:1".into(), name: "bob".into() };
        let by_origin = store.react("me@x", "tea@rooms.x", "o-a", true, &who, &set(&["👍"]), now);
        assert_eq!(by_origin.expect("ok"), None, "rooms name the room's stanza-id");
        let many: Vec<String> = (0..100).map(|i| format!("{i}")).collect();
        let done = store.react("me@x", "tea@rooms.x", "s-a", true, &who, &many, now);
        assert_eq!(done.expect("ok"), Some(id));
        let counts = store.reactions(&[id]).expect("read");
        assert_eq!(counts[0].1.len(), crate::model::MAX_REACTIONS_PER_REACTOR);
        store.delete_account("me@x").expect("deleted");
        let rows: i64 =
            store.conn.query_row("SELECT count(*) FROM reactions", [], |r| r.get(0)).expect("n");
        assert_eq!(rows, 0, "reactions go with their lines");
    }
}
