//! What happens to stored messages after the fact: receipts and markers move our messages to
//! delivered and read (never backwards), and corrections replace a message's text when they
//! come from whoever wrote it.

use super::{Result, Store};
use crate::model::{Author, Delivery, Message};
use rusqlite::params;

/// Lines sharing the id a correction names that are weighed, newest first. Ids are chosen by
/// senders, so a stranger can give many lines one id; beyond this many, a genuine correction
/// of an older line is not applied (a lost edit, never a forged one).
const CORRECTION_CANDIDATES: usize = 16;

/// State codes as stored (`history::encode_state`).
const PENDING: i64 = 0;
const SENT: i64 = 1;
const DELIVERED: i64 = 2;
const READ: i64 = 3;

impl Store {
    /// XEP-0184: our message `stanza_id` in `chat` reached the peer. Returns the message when
    /// its state moved.
    pub fn mark_delivered(
        &self,
        account: &str,
        chat: &str,
        stanza_id: &str,
    ) -> Result<Option<i64>> {
        let id = self.outgoing_by_stanza_id(account, chat, stanza_id)?;
        let Some(id) = id else { return Ok(None) };
        let changed = self.conn.execute(
            "UPDATE messages SET state = ?2 WHERE id = ?1 AND state IN (?3, ?4)",
            params![id, DELIVERED, PENDING, SENT],
        )?;
        // Received needs no more sending (a message queued again after its server went away).
        self.conn.execute("DELETE FROM outbox WHERE message_id = ?1", [id])?;
        Ok((changed > 0).then_some(id))
    }

    /// XEP-0333: the peer has seen our message `stanza_id` and everything we sent before it.
    /// Returns the messages whose state moved.
    pub fn mark_read(&mut self, account: &str, chat: &str, stanza_id: &str) -> Result<Vec<i64>> {
        let Some(id) = self.outgoing_by_stanza_id(account, chat, stanza_id)? else {
            return Ok(Vec::new());
        };
        let tx = self.conn.transaction()?;
        let moved = {
            let mut find = tx.prepare_cached(
                "SELECT m.id FROM messages m, messages upto
                 WHERE upto.id = ?3 AND m.account = ?1 AND m.chat = ?2 AND m.direction = 1
                   AND (m.ts, m.id) <= (upto.ts, upto.id) AND m.state IN (?4, ?5, ?6)",
            )?;
            let rows = find
                .query_map(params![account, chat, id, PENDING, SENT, DELIVERED], |r| {
                    r.get::<_, i64>(0)
                })?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        };
        for message in &moved {
            tx.execute("UPDATE messages SET state = ?2 WHERE id = ?1", params![message, READ])?;
            // Read means received: it needs no more sending.
            tx.execute("DELETE FROM outbox WHERE message_id = ?1", [message])?;
        }
        tx.commit()?;
        Ok(moved)
    }

    /// Our message in `chat` with this stanza id (or origin-id).
    pub fn outgoing_id(&self, account: &str, chat: &str, stanza_id: &str) -> Result<Option<i64>> {
        self.outgoing_by_stanza_id(account, chat, stanza_id)
    }

    /// The `id` the stanza of a stored message had: what receipts, markers and corrections name.
    pub fn stanza_id_attr(&self, message_id: i64) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row(
                "SELECT COALESCE(stanza_id_attr, origin_id) FROM messages WHERE id = ?1",
                [message_id],
                |row| row.get(0),
            )
            .optional()?
            .flatten())
    }

    fn outgoing_by_stanza_id(
        &self,
        account: &str,
        chat: &str,
        stanza_id: &str,
    ) -> Result<Option<i64>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM messages WHERE account = ?1 AND chat = ?2 AND direction = 1
                   AND (stanza_id_attr = ?3 OR origin_id = ?3)
                 ORDER BY id DESC LIMIT 1",
                params![account, chat, stanza_id],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// XEP-0308: replace the text of the message `replaced_id` in `chat` written by whoever
    /// sent the correction, as `is_author` judges from the message and who wrote it. Ids are
    /// the sender's to choose, so several lines may carry one: the newest line that passes is
    /// corrected, never merely the newest with that id. The new words come with whether their
    /// sender asked that they not be styled (XEP-0393 §6). Returns the corrected message.
    pub fn correct(
        &self,
        account: &str,
        chat: &str,
        replaced_id: &str,
        body: &str,
        unstyled: bool,
        is_author: impl Fn(&Message, &Author) -> bool,
    ) -> Result<Option<Message>> {
        let candidates = {
            let mut find = self.conn.prepare_cached(
                "SELECT id, occupant_id, author_jid, presence_id FROM messages
                 WHERE account = ?1 AND chat = ?2 AND kind = 0 AND removed = 0
                   AND (stanza_id_attr = ?3 OR origin_id = ?3)
                 ORDER BY id DESC LIMIT ?4",
            )?;
            let rows = find.query_map(
                params![account, chat, replaced_id, CORRECTION_CANDIDATES as i64],
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
            let Some(original) = self.message(id)? else { continue };
            if is_author(&original, &author) {
                self.conn.execute(
                    "UPDATE messages SET body = ?2, unstyled = ?3, edited = 1 WHERE id = ?1",
                    params![original.id, body, unstyled],
                )?;
                let body = body.to_owned();
                return Ok(Some(Message { body, unstyled, edited: true, ..original }));
            }
        }
        Ok(None)
    }

    /// Our last message in `chat`, the one Up in an empty composer corrects; a scheduled one is
    /// edited in the outbox instead. (One just sent and not yet acknowledged counts: the
    /// correction follows it on the same stream.)
    pub fn last_outgoing(&self, account: &str, chat: &str) -> Result<Option<Message>> {
        use rusqlite::OptionalExtension;
        let id: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM messages WHERE account = ?1 AND chat = ?2 AND kind = 0
                   AND removed = 0 AND id NOT IN (SELECT message_id FROM outbox WHERE due_at IS NOT NULL)
                 ORDER BY ts DESC, id DESC LIMIT 1",
                params![account, chat],
                |row| row.get(0),
            )
            .optional()?;
        let last = id.map(|id| self.message(id)).transpose()?.flatten();
        Ok(last.filter(|m| m.direction == crate::model::Direction::Out))
    }

    /// The delivery state of a stored message, for announcing a change.
    pub fn delivery(&self, message_id: i64) -> Result<Option<Delivery>> {
        Ok(self.message(message_id)?.map(|m| m.state))
    }
}

#[cfg(test)]
mod tests {
    use super::CORRECTION_CANDIDATES;
    use crate::Store;
    use crate::model::{ChatId, Delivery, Direction, MessageKind, NewMessage};

    fn outgoing(id: &str, secs: i64) -> NewMessage {
        NewMessage {
            chat: ChatId("bob@x".into()),
            kind: MessageKind::Message,
            nick: None,
            direction: Direction::Out,
            from: "me@x".into(),
            to: "bob@x".into(),
            body: format!("body {id}"),
            timestamp: chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default(),
            state: Delivery::Pending,
            stanza_id_attr: Some(id.into()),
            origin_id: Some(id.into()),
            server_id: None,
            attachment: None,
            author: Default::default(),
            replaces: None,
            reply: None,
            unstyled: false,
        }
    }

    #[test]
    fn receipts_and_markers_only_move_forward() {
        let mut store = Store::open_in_memory().expect("store");
        let a = store.enqueue("me@x", &outgoing("a", 1), None).expect("a");
        let b = store.enqueue("me@x", &outgoing("b", 2), None).expect("b");
        let c = store.enqueue("me@x", &outgoing("c", 3), None).expect("c");
        store.mark_acknowledged(a.id, false).expect("ack");
        assert_eq!(store.mark_delivered("me@x", "bob@x", "a").expect("receipt"), Some(a.id));
        assert_eq!(store.mark_read("me@x", "bob@x", "b").expect("marker"), [a.id, b.id]);
        assert_eq!(store.mark_delivered("me@x", "bob@x", "a").expect("late receipt"), None);
        assert_eq!(store.delivery(a.id).expect("a"), Some(Delivery::Read));
        assert_eq!(store.delivery(c.id).expect("c"), Some(Delivery::Pending));
        assert_eq!(store.outbox("me@x").expect("outbox").len(), 1, "read ones left the outbox");
        assert_eq!(store.mark_delivered("me@x", "eve@x", "c").expect("wrong chat"), None);
    }

    #[test]
    fn unconfirmed_messages_go_back_to_the_outbox_only_where_receipts_come() {
        let mut store = Store::open_in_memory().expect("store");
        let a = store.enqueue("me@x", &outgoing("a", 1), None).expect("a");
        let b = store.enqueue("me@x", &outgoing("b", 2), None).expect("b");
        let mut to_eve = outgoing("e", 3);
        to_eve.chat = ChatId("eve@x".into());
        let e = store.enqueue("me@x", &to_eve, None).expect("e");
        for id in [a.id, b.id, e.id] {
            store.mark_acknowledged(id, false).expect("ack");
        }
        assert!(
            store.requeue_unconfirmed(&[b.id], &[]).expect("requeue").is_empty(),
            "no receipt yet"
        );
        store.mark_delivered("me@x", "bob@x", "a").expect("receipt");
        let queued = store.requeue_unconfirmed(&[a.id, b.id, e.id], &[]).expect("requeue");
        assert_eq!(queued, [b.id], "a was confirmed; eve never confirms anything");
        assert_eq!(store.delivery(b.id).expect("b"), Some(Delivery::Pending));
        assert_eq!(store.outbox("me@x").expect("outbox").len(), 1);
        store.mark_delivered("me@x", "bob@x", "b").expect("late receipt");
        assert!(store.outbox("me@x").expect("outbox").is_empty(), "received: not sent again");
        let confirming = ["eve@x".to_owned()];
        let queued = store.requeue_unconfirmed(&[e.id], &confirming).expect("requeue");
        assert_eq!(queued, [e.id], "eve's client says it confirms: sent again before any receipt");
    }

    #[test]
    fn only_the_author_corrects() {
        let mut store = Store::open_in_memory().expect("store");
        let a = store.enqueue("me@x", &outgoing("a", 1), None).expect("a");
        store.mark_acknowledged(a.id, false).expect("sent");
        let later = chrono::DateTime::from_timestamp(100, 0);
        store.enqueue("me@x", &outgoing("scheduled", 50), later).expect("scheduled");
        let refused = store
            .correct("me@x", "bob@x", "a", "hacked", false, |m, _| m.from == "bob@x")
            .expect("ok");
        assert_eq!(refused, None);
        let fixed = store
            .correct("me@x", "bob@x", "a", "fixed", false, |m, _| m.from == "me@x")
            .expect("ok");
        assert_eq!(fixed.map(|m| (m.body, m.edited)), Some(("fixed".into(), true)));
        assert_eq!(store.message(a.id).expect("read").map(|m| m.body), Some("fixed".into()));
        let last = store.last_outgoing("me@x", "bob@x").expect("last").map(|m| m.id);
        assert_eq!(last, Some(a.id), "a scheduled message is edited in the outbox, not corrected");
    }

    #[test]
    fn the_wish_for_plain_words_is_kept_and_a_correction_says_it_again() {
        let mut store = Store::open_in_memory().expect("store");
        let line = NewMessage {
            direction: Direction::In,
            from: "bob@x/phone".into(),
            state: Delivery::Received,
            unstyled: true,
            ..outgoing("b1", 1)
        };
        let inserted = store.insert_messages("me@x", &[line]).expect("stored");
        let [crate::Inserted::New(stored)] = inserted.as_slice() else { panic!("one new line") };
        assert!(stored.unstyled);
        assert!(store.message(stored.id).expect("read").is_some_and(|m| m.unstyled), "read back");
        let fixed = store.correct("me@x", "bob@x", "b1", "*now*", false, |_, _| true).expect("ok");
        assert!(fixed.is_some_and(|m| !m.unstyled), "the correction came without the hint");
        assert!(store.message(stored.id).expect("read").is_some_and(|m| !m.unstyled));
    }

    #[test]
    fn a_room_correction_finds_its_authors_line_not_the_newest_with_that_id() {
        let mut store = Store::open_in_memory().expect("store");
        let line = |body: &str, occupant_id: &str| NewMessage {
            chat: ChatId("tea@rooms.x".into()),
            nick: Some("alice".into()),
            direction: Direction::In,
            from: "tea@rooms.x/alice".into(),
            body: body.into(),
            state: Delivery::Received,
            origin_id: None,
            author: crate::model::Author {
                occupant_id: Some(occupant_id.into()),
                ..Default::default()
            },
            ..outgoing("same", 1)
        };
        let inserted = store
            .insert_messages("me@x", &[line("alice's", "oid-a"), line("mallory's", "oid-m")])
            .expect("stored");
        let alices = match &inserted[0] {
            crate::Inserted::New(m) => m.id,
            other => panic!("{other:?}"),
        };
        let by_alice = |_: &crate::model::Message, a: &crate::model::Author| {
            a.occupant_id.as_deref() == Some("oid-a")
        };
        let fixed =
            store.correct("me@x", "tea@rooms.x", "same", "fixed", false, by_alice).expect("ok");
        assert_eq!(fixed.map(|m| m.id), Some(alices));
        let nobody = |_: &crate::model::Message, _: &crate::model::Author| false;
        let refused =
            store.correct("me@x", "tea@rooms.x", "same", "forged", false, nobody).expect("ok");
        assert_eq!(refused, None);
    }

    #[test]
    fn a_correction_weighs_a_bounded_number_of_lines_sharing_its_id() {
        let line = |oid: &str| NewMessage {
            chat: ChatId("tea@rooms.x".into()),
            nick: Some("n".into()),
            direction: Direction::In,
            state: Delivery::Received,
            origin_id: None,
            author: crate::model::Author { occupant_id: Some(oid.into()), ..Default::default() },
            ..outgoing("same", 1)
        };
        let by_alice = |_: &crate::model::Message, a: &crate::model::Author| {
            a.occupant_id.as_deref() == Some("oid-a")
        };
        for (flood, corrected) in
            [(CORRECTION_CANDIDATES - 1, true), (CORRECTION_CANDIDATES, false)]
        {
            let mut store = Store::open_in_memory().expect("store");
            let mut lines = vec![line("oid-a")];
            lines.extend((0..flood).map(|_| line("oid-m")));
            store.insert_messages("me@x", &lines).expect("stored");
            let fixed = store.correct("me@x", "tea@rooms.x", "same", "fixed", false, by_alice);
            assert_eq!(fixed.expect("ok").is_some(), corrected, "behind {flood} lines");
        }
    }
}
