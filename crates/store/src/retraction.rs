//! Lines whose words are gone: taken back by their author (XEP-0424) or removed by a room
//! moderator (XEP-0425). The row stays, so the conversation shows where the line was, but its
//! body is blanked (the search index follows through its triggers), its file row is dropped
//! and its outbox row too (a line not yet sent is not sent after all). The local copy of its
//! file is the caller's to delete: the store names it and touches no files.

use super::{Result, Store};
use crate::model::{Author, Message, MessageKind, Removal};
use rusqlite::{OptionalExtension, Row, params};
use std::path::PathBuf;

/// Lines sharing the id a retraction names that are weighed, newest first: ids are chosen by
/// senders, so a stranger can give many lines one id (as for corrections, a lost retraction
/// beyond this many, never a forged one).
const RETRACTION_CANDIDATES: usize = 16;

/// Codes of the `removed` column (schema step 10).
const RETRACTED: i64 = 1;
const MODERATED: i64 = 2;

/// A line just removed: as it now reads, and our copy of its file, which the caller deletes.
#[derive(Debug, Clone, PartialEq)]
pub struct Removed {
    pub message: Message,
    pub file: Option<PathBuf>,
}

/// One of our lines taken back, whose retraction has not reached the server yet.
#[derive(Debug, Clone, PartialEq)]
pub struct DueRetraction {
    pub line: Message,
    /// Said in a room or to an occupant: the retraction goes only through the room.
    pub in_room: bool,
}

/// The removal in a row read with [`super::history::MESSAGE_COLUMNS`], if it has one.
pub(super) fn read(row: &Row<'_>) -> rusqlite::Result<Option<Removal>> {
    Ok(match row.get::<_, i64>("removed")? {
        RETRACTED => Some(Removal::Retracted),
        MODERATED => Some(Removal::Moderated {
            by: row.get("removed_by")?,
            reason: row.get("removed_reason")?,
        }),
        _ => None,
    })
}

impl Store {
    /// Remove the line named `named_id` in `chat` as `removal` says, if `is_author` accepts
    /// it (judged from the line and who wrote it, as for corrections). A moderator's removal
    /// names the room's stanza-id (XEP-0425), so only that id is matched for one; an author's
    /// names the origin-id in chats and the room's stanza-id in rooms (XEP-0424 §4, §5), and
    /// older clients name the stanza's `id`, so any of the three is matched for one. Returns
    /// the removed line, or `None` when none passes or it was removed already.
    pub fn retract(
        &mut self,
        account: &str,
        chat: &str,
        named_id: &str,
        removal: &Removal,
        is_author: impl Fn(&Message, &Author) -> bool,
    ) -> Result<Option<Removed>> {
        let by_room = matches!(removal, Removal::Moderated { .. });
        let candidates = {
            let mut find = self.conn.prepare_cached(
                "SELECT id, occupant_id, author_jid, presence_id FROM messages
                 WHERE account = ?1 AND chat = ?2 AND kind = 0 AND removed = 0
                   AND (server_id = ?3
                        OR (NOT ?4 AND (origin_id = ?3 OR stanza_id_attr = ?3)))
                 ORDER BY id DESC LIMIT ?5",
            )?;
            let rows = find.query_map(
                params![account, chat, named_id, by_room, RETRACTION_CANDIDATES as i64],
                |row| {
                    let author = Author {
                        occupant_id: row.get("occupant_id")?,
                        jid: row.get("author_jid")?,
                        presence: row.get("presence_id")?,
                    };
                    Ok((row.get::<_, i64>("id")?, author))
                },
            )?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        };
        for (id, author) in candidates {
            let Some(line) = self.message(id)? else { continue };
            if is_author(&line, &author) {
                return self.remove_line(id, removal);
            }
        }
        Ok(None)
    }

    /// Remove line `message_id` as `removal` says: the caller has checked that it may (our
    /// own line, taken back from this account). `None` when there is no such line, it is an
    /// event, or it was removed already.
    pub fn remove_line(&mut self, message_id: i64, removal: &Removal) -> Result<Option<Removed>> {
        let tx = self.conn.transaction()?;
        let Some(file) = blank(&tx, message_id, removal)? else { return Ok(None) };
        tx.commit()?;
        self.removed(message_id, file)
    }

    /// Take back our own line `message_id`: removed here as [`Self::remove_line`] does, and
    /// kept among the retractions due until the others are told (XEP-0424), however long we
    /// stay offline and across restarts. `in_room`: said in a room or to an occupant.
    pub fn retract_own_line(&mut self, message_id: i64, in_room: bool) -> Result<Option<Removed>> {
        let tx = self.conn.transaction()?;
        let Some(file) = blank(&tx, message_id, &Removal::Retracted)? else { return Ok(None) };
        tx.execute(
            "INSERT OR IGNORE INTO retractions_due (message_id, in_room) VALUES (?1, ?2)",
            params![message_id, in_room],
        )?;
        tx.commit()?;
        self.removed(message_id, file)
    }

    /// Our lines taken back whose retraction has not been sent yet, oldest first.
    pub fn retractions_due(&self, account: &str) -> Result<Vec<DueRetraction>> {
        let rows = {
            let mut find = self.conn.prepare_cached(
                "SELECT d.message_id, d.in_room FROM retractions_due d
                 JOIN messages m ON m.id = d.message_id
                 WHERE m.account = ?1 ORDER BY d.message_id",
            )?;
            let rows = find.query_map([account], |row| Ok((row.get(0)?, row.get(1)?)))?;
            rows.collect::<rusqlite::Result<Vec<(i64, bool)>>>()?
        };
        let mut due = Vec::with_capacity(rows.len());
        for (id, in_room) in rows {
            due.extend(self.message(id)?.map(|line| DueRetraction { line, in_room }));
        }
        Ok(due)
    }

    /// The retraction of line `message_id` reached the server.
    pub fn retraction_sent(&self, message_id: i64) -> Result<()> {
        self.conn.execute("DELETE FROM retractions_due WHERE message_id = ?1", [message_id])?;
        Ok(())
    }

    fn removed(&self, message_id: i64, file: Option<String>) -> Result<Option<Removed>> {
        let message = self.message(message_id)?;
        debug_assert!(message.as_ref().is_none_or(|m| matches!(m.kind, MessageKind::Removed(_))));
        Ok(message.map(|message| Removed { message, file: file.map(PathBuf::from) }))
    }

    /// The id the archive of `message_id`'s conversation gave it (XEP-0359 stanza-id: the
    /// room's, for a room line), which a retraction in a room and a moderation must name.
    pub fn server_id(&self, message_id: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT server_id FROM messages WHERE id = ?1", [message_id], |row| {
                row.get(0)
            })
            .optional()?
            .flatten())
    }
}

/// Blank line `message_id` as `removal` says, within `tx`: `None` when there is no such line,
/// it is an event, or it was removed already, else the local copy of its file, if any.
fn blank(
    tx: &rusqlite::Transaction<'_>,
    message_id: i64,
    removal: &Removal,
) -> Result<Option<Option<String>>> {
    let found: Option<(i64, i64, Option<String>)> = tx
        .query_row(
            "SELECT m.kind, m.removed, a.local_path FROM messages m
             LEFT JOIN attachments a ON a.message_id = m.id WHERE m.id = ?1",
            [message_id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    let Some((0, 0, file)) = found else { return Ok(None) };
    let (code, by, reason) = match removal {
        Removal::Retracted => (RETRACTED, None, None),
        Removal::Moderated { by, reason } => (MODERATED, by.as_deref(), reason.as_deref()),
    };
    tx.execute(
        "UPDATE messages SET body = '', removed = ?2, removed_by = ?3, removed_reason = ?4
         WHERE id = ?1",
        params![message_id, code, by, reason],
    )?;
    tx.execute("DELETE FROM attachments WHERE message_id = ?1", [message_id])?;
    tx.execute("DELETE FROM outbox WHERE message_id = ?1", [message_id])?;
    Ok(Some(file))
}

#[cfg(test)]
mod tests {
    use super::RETRACTION_CANDIDATES;
    use crate::model::search::SearchQuery;
    use crate::model::{
        Attachment, Author, ChatId, Delivery, Direction, Message, MessageKind, NewMessage, Removal,
    };
    use crate::{Inserted, Store};

    fn line(chat: &str, from: &str, body: &str, id: &str) -> NewMessage {
        NewMessage {
            chat: ChatId(chat.into()),
            kind: MessageKind::Message,
            nick: None,
            direction: Direction::In,
            from: from.into(),
            to: "me@x".into(),
            body: body.into(),
            timestamp: chrono::DateTime::from_timestamp(1, 0).unwrap_or_default(),
            state: Delivery::Received,
            stanza_id_attr: Some(id.into()),
            origin_id: Some(id.into()),
            server_id: Some(format!("s-{id}")),
            attachment: None,
            author: Author::default(),
            replaces: None,
            reply: None,
            unstyled: false,
        }
    }

    fn stored(store: &mut Store, lines: &[NewMessage]) -> Vec<i64> {
        let inserted = store.insert_messages("me@x", lines).expect("stored");
        inserted
            .into_iter()
            .map(|i| match i {
                Inserted::New(m) => m.id,
                Inserted::Duplicate => panic!("duplicate"),
            })
            .collect()
    }

    fn found(store: &Store, words: &str) -> usize {
        let query = SearchQuery { text: words.into(), limit: 10, ..SearchQuery::default() };
        store.search(&query).expect("searched").hits.len()
    }

    fn by_bob(m: &Message, _: &Author) -> bool {
        m.from.starts_with("bob@x")
    }

    #[test]
    fn a_retracted_line_loses_its_words_its_file_and_its_place_in_the_index() {
        let mut store = Store::open_in_memory().expect("store");
        let mut with_file = line("bob@x", "bob@x/phone", "look at this secret", "a");
        with_file.attachment = Some(Attachment {
            url: Some("https://up.x/cat.png".into()),
            name: "cat.png".into(),
            size: Some(10),
            mime: None,
            local: Some("/cache/files/cat.png".into()),
        });
        let [id] = stored(&mut store, &[with_file])[..] else { panic!() };
        assert_eq!(found(&store, "secret"), 1);

        let forged = store.retract("me@x", "bob@x", "a", &Removal::Retracted, |_, _| false);
        assert_eq!(forged.expect("ok"), None, "not the author");
        let removed = store
            .retract("me@x", "bob@x", "a", &Removal::Retracted, by_bob)
            .expect("ok")
            .expect("removed");
        assert_eq!(removed.message.id, id);
        assert_eq!(removed.message.kind, MessageKind::Removed(Removal::Retracted));
        assert_eq!(removed.message.body, "");
        assert_eq!(removed.message.attachment, None);
        assert_eq!(removed.file.as_deref(), Some(std::path::Path::new("/cache/files/cat.png")));
        assert_eq!(found(&store, "secret"), 0, "the index forgot it");
        let again = store.retract("me@x", "bob@x", "a", &Removal::Retracted, by_bob);
        assert_eq!(again.expect("ok"), None, "removed once");
        let read = store.message(id).expect("read").expect("the row stays");
        assert_eq!(read.kind, MessageKind::Removed(Removal::Retracted));
        let fixed =
            store.correct("me@x", "bob@x", "a", "back again", false, |_, _| true).expect("ok");
        assert_eq!(fixed, None, "a removed line is not corrected back");
    }

    #[test]
    fn a_moderation_names_only_the_rooms_id_and_keeps_who_and_why() {
        let mut store = Store::open_in_memory().expect("store");
        let ids = stored(&mut store, &[line("tea@rooms.x", "tea@rooms.x/bob", "spam", "o1")]);
        let removal = Removal::moderated(Some("mod"), Some("  off topic "));
        let by_origin = store.retract("me@x", "tea@rooms.x", "o1", &removal, |_, _| true);
        assert_eq!(by_origin.expect("ok"), None, "the room names its own stanza-id");
        let removed = store
            .retract("me@x", "tea@rooms.x", "s-o1", &removal, |_, _| true)
            .expect("ok")
            .expect("removed");
        assert_eq!(removed.message.id, ids[0]);
        let expected =
            Removal::Moderated { by: Some("mod".into()), reason: Some("off topic".into()) };
        assert_eq!(removed.message.kind, MessageKind::Removed(expected));
    }

    #[test]
    fn a_moderators_words_are_bounded() {
        let long = "é".repeat(crate::model::MAX_REMOVAL_REASON + 10);
        let Removal::Moderated { by, reason } = Removal::moderated(Some(&long), Some(&long)) else {
            panic!()
        };
        assert_eq!(by.map(|b| b.chars().count()), Some(crate::model::MAX_REMOVAL_BY));
        assert_eq!(reason.map(|r| r.chars().count()), Some(crate::model::MAX_REMOVAL_REASON));
        assert_eq!(
            Removal::moderated(None, Some(" ")),
            Removal::Moderated { by: None, reason: None }
        );
    }

    #[test]
    fn a_retraction_weighs_a_bounded_number_of_lines_sharing_its_id() {
        for (flood, removed) in [(RETRACTION_CANDIDATES - 1, true), (RETRACTION_CANDIDATES, false)]
        {
            let mut store = Store::open_in_memory().expect("store");
            let mut lines = vec![line("bob@x", "bob@x/phone", "mine", "same")];
            lines.extend((0..flood).map(|i| {
                let mut forged = line("bob@x", "mallory@x", "forged", "same");
                forged.origin_id = Some(format!("f{i}"));
                forged.server_id = None;
                forged
            }));
            store.insert_messages("me@x", &lines).expect("stored");
            let done = store.retract("me@x", "bob@x", "same", &Removal::Retracted, by_bob);
            assert_eq!(done.expect("ok").is_some(), removed, "behind {flood} lines");
        }
    }

    #[test]
    fn our_line_coming_back_brings_its_archive_id_and_a_removal_is_never_stored_as_a_line() {
        let mut store = Store::open_in_memory().expect("store");
        let mut ours = line("tea@rooms.x", "me@x", "hi", "o1");
        ours.direction = Direction::Out;
        ours.server_id = None;
        let [id] = stored(&mut store, &[ours.clone()])[..] else { panic!() };
        assert_eq!(store.server_id(id).expect("read"), None);
        let mut reflected = ours.clone();
        reflected.server_id = Some("room-sid".into());
        let mut removal = line("tea@rooms.x", "tea@rooms.x/bob", "", "r1");
        removal.kind = MessageKind::Removed(Removal::Retracted);
        removal.replaces = Some("s-zz".into());
        let inserted = store.insert_messages("me@x", &[reflected, removal]).expect("stored");
        assert_eq!(inserted, [Inserted::Duplicate, Inserted::Duplicate]);
        assert_eq!(store.server_id(id).expect("read").as_deref(), Some("room-sid"));
        let removed = store.remove_line(id, &Removal::Retracted).expect("ok");
        assert_eq!(removed.map(|r| r.message.id), Some(id));
        assert_eq!(store.remove_line(id, &Removal::Retracted).expect("ok"), None);
    }

    #[test]
    fn our_line_taken_back_is_due_until_its_retraction_is_sent() {
        let mut store = Store::open_in_memory().expect("store");
        let ours = NewMessage {
            direction: Direction::Out,
            from: "me@x/desk".into(),
            to: "bob@x".into(),
            state: Delivery::Sent,
            ..line("bob@x", "me@x/desk", "sent in haste", "o1")
        };
        let [id, theirs] = stored(&mut store, &[ours, line("bob@x", "bob@x/a", "hi", "b1")])[..]
        else {
            panic!()
        };
        let removed = store.retract_own_line(id, false).expect("ok").expect("removed");
        assert_eq!(removed.message.kind, MessageKind::Removed(Removal::Retracted));
        assert_eq!(found(&store, "haste"), 0);
        let due = store.retractions_due("me@x").expect("listed");
        assert_eq!(due.iter().map(|d| (d.line.id, d.in_room)).collect::<Vec<_>>(), [(id, false)]);
        let named = due[0].line.origin_id.as_deref();
        assert_eq!(named, Some("o1"), "still named as the others know it");
        assert!(store.retractions_due("other@x").expect("listed").is_empty(), "per account");
        assert_eq!(store.retract_own_line(id, false).expect("ok"), None, "taken back once");
        store.retraction_sent(id).expect("sent");
        assert!(store.retractions_due("me@x").expect("listed").is_empty());
        assert!(store.message(theirs).expect("read").is_some_and(|m| m.body == "hi"));
    }
}
