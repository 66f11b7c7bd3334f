//! Messages: insert with deduplication, page backwards through a conversation, update states.

use super::replies::QUOTED_JOIN;
use super::{Result, Store};
use crate::model::{ChatId, Delivery, Direction, HistoryPage, Message, MessageKind, NewMessage};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

/// The outcome of storing one message.
#[derive(Debug, Clone, PartialEq)]
// Results live in one short vector per batch; boxing each new message would cost an allocation
// per message for nothing.
#[allow(clippy::large_enum_variant)]
pub enum Inserted {
    New(Message),
    /// Already stored (same origin-id or server stanza-id): a resend or an archive copy.
    Duplicate,
}

/// The columns [`read_message`] reads by name, from `messages m`, `outbox o`, `attachments a`
/// and the answered line `q` ([`super::replies::QUOTED_JOIN`]); no two share a name. Of the
/// answered line's words only the start is read: a quote is far shorter, and a huge line is
/// not read whole for a few words.
pub(super) const MESSAGE_COLUMNS: &str = "m.id, m.chat, m.direction, m.sender, m.recipient,
    m.body, m.ts, m.state, m.error, m.origin_id, m.kind, m.nick, m.edited, m.late, o.due_at,
    a.url, a.name, a.size, a.mime, a.local_path, m.removed, m.removed_by, m.removed_reason,
    m.reply_id, m.reply_room, m.reply_to, m.reply_quote, q.id AS quoted_id,
    m.unstyled,
    q.nick AS quoted_nick, q.sender AS quoted_sender, substr(q.body, 1, 2048) AS quoted_body,
    q.removed AS quoted_removed, q.direction AS quoted_direction";

/// A message with its outbox entry, if still queued, and its attachment, if any.
fn select_messages() -> String {
    format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages m LEFT JOIN outbox o ON o.message_id = m.id
         LEFT JOIN attachments a ON a.message_id = m.id {QUOTED_JOIN}"
    )
}

impl Store {
    /// Store a burst of messages in one transaction; duplicates are skipped.
    pub fn insert_messages(
        &mut self,
        account: &str,
        batch: &[NewMessage],
    ) -> Result<Vec<Inserted>> {
        let tx = self.conn.transaction()?;
        let mut out = Vec::with_capacity(batch.len());
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO messages (account, chat, direction, sender, recipient, body, ts, state,
                                       error, stanza_id_attr, origin_id, server_id, kind, nick,
                                       occupant_id, author_jid, presence_id, reply_id,
                                       reply_room, reply_to, reply_quote, unstyled)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                         ?17, ?18, ?19, ?20, ?21, ?22)
                 ON CONFLICT DO NOTHING",
            )?;
            let mut adopt = tx.prepare_cached(
                "UPDATE OR IGNORE messages SET server_id = ?4
                 WHERE account = ?1 AND chat = ?2 AND direction = 1 AND origin_id = ?3
                   AND server_id IS NULL",
            )?;
            for message in batch {
                // A removal or a set of reactions names a line; it is never one
                // (`Store::retract` and `Store::react` apply them).
                if matches!(message.kind, MessageKind::Removed(_) | MessageKind::Reactions(_)) {
                    out.push(Inserted::Duplicate);
                    continue;
                }
                let (state, error) = encode_state(&message.state);
                let changed = insert.execute(params![
                    account,
                    message.chat.as_str(),
                    encode_direction(message.direction),
                    message.from,
                    message.to,
                    message.body,
                    message.timestamp.timestamp_millis(),
                    state,
                    error,
                    message.stanza_id_attr,
                    message.origin_id,
                    message.server_id,
                    encode_kind(&message.kind),
                    message.nick,
                    message.author.occupant_id,
                    message.author.jid,
                    message.author.presence,
                    message.reply.as_ref().map(|r| &r.id),
                    message.reply.as_ref().is_some_and(|r| r.in_room),
                    message.reply.as_ref().and_then(|r| r.to.as_ref()),
                    message.reply.as_ref().and_then(|r| r.quote.as_ref()),
                    message.unstyled,
                ])?;
                out.push(if changed == 0 {
                    // Our line coming back (a room's reflection, our archive's copy) brings
                    // the id its archive gave it, which a room retraction must name
                    // (XEP-0424 §5: the room's stanza-id).
                    if message.direction == Direction::Out
                        && let (Some(origin), Some(server)) =
                            (&message.origin_id, &message.server_id)
                    {
                        adopt.execute(params![account, message.chat.as_str(), origin, server])?;
                    }
                    Inserted::Duplicate
                } else {
                    let id = tx.last_insert_rowid();
                    if let Some(attachment) = &message.attachment {
                        super::attachments::insert(&tx, id, attachment)?;
                    }
                    // A reply is read back, which finds the line it answers.
                    match &message.reply {
                        Some(_) => {
                            Inserted::New(read_one(&tx, id)?.unwrap_or_else(|| message.stored(id)))
                        }
                        None => Inserted::New(message.stored(id)),
                    }
                });
            }
        }
        tx.commit()?;
        Ok(out)
    }

    /// Up to `limit` messages before message `before` (or the newest), oldest first.
    pub fn history(
        &self,
        account: &str,
        chat: &ChatId,
        before: Option<i64>,
        limit: usize,
    ) -> Result<HistoryPage> {
        let cursor = match before {
            Some(id) => self
                .conn
                .query_row("SELECT ts, id FROM messages WHERE id = ?1", [id], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
                })
                .optional()?,
            None => None,
        };
        let (ts, id) = cursor.unwrap_or((i64::MAX, i64::MAX));
        let mut stmt = self.conn.prepare_cached(&format!(
            "{}
             WHERE m.account = ?1 AND m.chat = ?2 AND (m.ts, m.id) < (?3, ?4)
             ORDER BY m.ts DESC, m.id DESC LIMIT ?5",
            select_messages()
        ))?;
        let fetch = limit as i64 + 1;
        let mut messages = stmt
            .query_map(params![account, chat.as_str(), ts, id, fetch], read_message)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let has_more = messages.len() > limit;
        messages.truncate(limit);
        messages.reverse();
        Ok(HistoryPage { chat: chat.clone(), messages, has_more })
    }

    /// The lines around message `focus` of `chat`, for showing it in place (a search hit): it
    /// and up to `older` lines before it, up to `newer` after it, oldest first; whether more
    /// exist past those after it. `None` when the message is not one of this conversation's.
    pub fn history_around(
        &self,
        account: &str,
        chat: &ChatId,
        focus: i64,
        older: usize,
        newer: usize,
    ) -> Result<Option<(HistoryPage, bool)>> {
        let cursor = self
            .conn
            .query_row(
                "SELECT ts, id FROM messages WHERE id = ?1 AND account = ?2 AND chat = ?3",
                params![focus, account, chat.as_str()],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
            )
            .optional()?;
        let Some((ts, id)) = cursor else { return Ok(None) };
        let mut before = self.conn.prepare_cached(&format!(
            "{}
             WHERE m.account = ?1 AND m.chat = ?2 AND (m.ts, m.id) <= (?3, ?4)
             ORDER BY m.ts DESC, m.id DESC LIMIT ?5",
            select_messages()
        ))?;
        let mut messages = before
            .query_map(params![account, chat.as_str(), ts, id, older as i64 + 2], read_message)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let has_more = messages.len() > older + 1;
        messages.truncate(older + 1);
        messages.reverse();
        let mut after = self.conn.prepare_cached(&format!(
            "{}
             WHERE m.account = ?1 AND m.chat = ?2 AND (m.ts, m.id) > (?3, ?4)
             ORDER BY m.ts, m.id LIMIT ?5",
            select_messages()
        ))?;
        let mut later = after
            .query_map(params![account, chat.as_str(), ts, id, newer as i64 + 1], read_message)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let has_newer = later.len() > newer;
        later.truncate(newer);
        messages.extend(later);
        Ok(Some((HistoryPage { chat: chat.clone(), messages, has_more }, has_newer)))
    }

    /// When the oldest message kept of a conversation was written.
    pub fn oldest_time(&self, account: &str, chat: &ChatId) -> Result<Option<DateTime<Utc>>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT ts FROM messages WHERE account = ?1 AND chat = ?2 ORDER BY ts, id LIMIT 1",
        )?;
        let ms: Option<i64> =
            stmt.query_row(params![account, chat.as_str()], |row| row.get(0)).optional()?;
        Ok(ms.map(millis_to_time))
    }

    /// Conversations with their newest message time, newest first.
    pub fn recent_chats(&self, account: &str) -> Result<Vec<(ChatId, DateTime<Utc>)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT chat, MAX(ts) AS last FROM messages WHERE account = ?1
             GROUP BY chat ORDER BY last DESC",
        )?;
        let rows = stmt
            .query_map([account], |row| Ok((ChatId(row.get(0)?), millis_to_time(row.get(1)?))))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn set_delivery(&self, message_id: i64, state: &Delivery) -> Result<()> {
        let (state, error) = encode_state(state);
        self.conn.execute(
            "UPDATE messages SET state = ?2, error = ?3 WHERE id = ?1",
            params![message_id, state, error],
        )?;
        Ok(())
    }

    pub fn message(&self, message_id: i64) -> Result<Option<Message>> {
        Ok(read_one(&self.conn, message_id)?)
    }
}

/// Message `id` as the store reads it, also within a transaction.
pub(super) fn read_one(conn: &Connection, id: i64) -> rusqlite::Result<Option<Message>> {
    conn.prepare_cached(&format!("{} WHERE m.id = ?1", select_messages()))?
        .query_row([id], read_message)
        .optional()
}

/// The one conversion from a row of [`MESSAGE_COLUMNS`] to a [`Message`].
pub(super) fn read_message(row: &Row<'_>) -> rusqlite::Result<Message> {
    Ok(Message {
        id: row.get("id")?,
        chat: ChatId(row.get("chat")?),
        kind: match (row.get::<_, i64>("kind")?, super::retraction::read(row)?) {
            (1, _) => MessageKind::Event,
            (_, Some(removal)) => MessageKind::Removed(removal),
            _ => MessageKind::Message,
        },
        nick: row.get("nick")?,
        edited: row.get("edited")?,
        late: row.get("late")?,
        scheduled_for: row
            .get::<_, Option<i64>>("due_at")?
            .and_then(DateTime::from_timestamp_millis),
        direction: if row.get::<_, i64>("direction")? == 0 {
            Direction::In
        } else {
            Direction::Out
        },
        from: row.get("sender")?,
        to: row.get("recipient")?,
        body: row.get("body")?,
        timestamp: millis_to_time(row.get("ts")?),
        state: decode_state(row.get("state")?, row.get("error")?),
        origin_id: row.get("origin_id")?,
        attachment: super::attachments::read(row)?,
        reply: super::replies::read(row)?,
        unstyled: row.get("unstyled")?,
    })
}

pub(super) fn millis_to_time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

pub(super) fn encode_direction(direction: Direction) -> i64 {
    match direction {
        Direction::In => 0,
        Direction::Out => 1,
    }
}

pub(super) fn encode_kind(kind: &MessageKind) -> i64 {
    match kind {
        // A removed line is still a line someone wrote; the `removed` columns say the rest.
        // Never stored as a line (`insert_messages` skips them); 0 keeps the match whole.
        MessageKind::Message | MessageKind::Removed(_) | MessageKind::Reactions(_) => 0,
        MessageKind::Event => 1,
    }
}

fn encode_state(state: &Delivery) -> (i64, Option<&str>) {
    match state {
        Delivery::Pending => (0, None),
        Delivery::Sent => (1, None),
        Delivery::Delivered => (2, None),
        Delivery::Read => (3, None),
        Delivery::Failed(reason) => (4, Some(reason)),
        Delivery::Received => (5, None),
    }
}

fn decode_state(code: i64, error: Option<String>) -> Delivery {
    match code {
        0 => Delivery::Pending,
        1 => Delivery::Sent,
        2 => Delivery::Delivered,
        3 => Delivery::Read,
        4 => Delivery::Failed(error.unwrap_or_default()),
        _ => Delivery::Received,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incoming(chat: &str, body: &str, secs: i64, server_id: Option<&str>) -> NewMessage {
        NewMessage {
            chat: ChatId(chat.into()),
            kind: MessageKind::Message,
            nick: None,
            direction: Direction::In,
            from: format!("{chat}/phone"),
            to: "me@example.org".into(),
            body: body.into(),
            timestamp: DateTime::from_timestamp(secs, 0).unwrap_or_default(),
            state: Delivery::Received,
            stanza_id_attr: None,
            origin_id: None,
            server_id: server_id.map(Into::into),
            attachment: None,
            author: Default::default(),
            replaces: None,
            reply: None,
            unstyled: false,
        }
    }

    #[test]
    fn a_page_read_forward_ends_before_the_next_line_it_does_not_hold() {
        let mut store = Store::open_in_memory().expect("store");
        let room = ChatId("den@rooms.example.org".into());
        let lines: Vec<_> = [("start", 10, "a0"), ("in the page", 20, "a5"), ("history", 20, "a9")]
            .iter()
            .map(|&(body, secs, id)| incoming(room.as_str(), body, secs, Some(id)))
            .collect();
        store.insert_messages("me@example.org", &lines).expect("insert");
        let at = |id| store.archived_line("me@example.org", &room, id).expect("read");
        let (start, held, history) = (at("a0"), at("a5"), at("a9"));
        let (Some(start), Some(held), Some(history)) = (start, held, history) else {
            panic!("all three stored")
        };
        let after = (start.at, start.id);
        let next = |passing: &[i64]| {
            store.next_line_time("me@example.org", &room, after, passing).expect("read")
        };
        assert_eq!(next(&[]), Some(held.at));
        assert_eq!(next(&[held.id]), Some(history.at), "the page's own lines are passed over");
        assert_eq!(next(&[held.id, history.id]), None);
        assert_eq!(store.archived_line("me@example.org", &room, "a7").expect("read"), None);
    }

    #[test]
    fn duplicates_by_server_id_are_skipped() {
        let mut store = Store::open_in_memory().expect("store");
        let a = incoming("bob@example.org", "hi", 10, Some("s1"));
        let result = store.insert_messages("me@example.org", &[a.clone(), a]).expect("insert");
        assert!(matches!(result[0], Inserted::New(_)));
        assert_eq!(result[1], Inserted::Duplicate);
    }

    #[test]
    fn pages_go_backwards_in_time_and_come_out_oldest_first() {
        let mut store = Store::open_in_memory().expect("store");
        let chat = ChatId("bob@example.org".into());
        let batch: Vec<_> =
            (0..25).map(|i| incoming(chat.as_str(), &format!("m{i}"), 100 + i, None)).collect();
        store.insert_messages("me@example.org", &batch).expect("insert");
        let newest = store.history("me@example.org", &chat, None, 10).expect("page");
        assert_eq!(newest.messages.first().map(|m| m.body.as_str()), Some("m15"));
        assert_eq!(newest.messages.last().map(|m| m.body.as_str()), Some("m24"));
        assert!(newest.has_more);
        let older = store
            .history("me@example.org", &chat, newest.messages.first().map(|m| m.id), 10)
            .expect("page");
        assert_eq!(older.messages.last().map(|m| m.body.as_str()), Some("m14"));
        let oldest = store
            .history("me@example.org", &chat, older.messages.first().map(|m| m.id), 10)
            .expect("page");
        assert_eq!(oldest.messages.len(), 5);
        assert!(!oldest.has_more);
    }

    #[test]
    fn a_line_is_shown_with_its_neighbours() {
        let mut store = Store::open_in_memory().expect("store");
        let lines: Vec<_> = (1..=9).map(|n| incoming("bob@x", &format!("m{n}"), n, None)).collect();
        let ids: Vec<i64> = store
            .insert_messages("me@x", &lines)
            .expect("stored")
            .into_iter()
            .filter_map(|i| match i {
                Inserted::New(m) => Some(m.id),
                Inserted::Duplicate => None,
            })
            .collect();
        let chat = ChatId("bob@x".into());
        let (page, newer) =
            store.history_around("me@x", &chat, ids[4], 2, 2).expect("read").expect("found");
        let bodies: Vec<_> = page.messages.iter().map(|m| m.body.as_str()).collect();
        assert_eq!(bodies, ["m3", "m4", "m5", "m6", "m7"]);
        assert!(page.has_more && newer);
        let (page, newer) =
            store.history_around("me@x", &chat, ids[8], 20, 20).expect("read").expect("found");
        assert_eq!(page.messages.len(), 9);
        assert!(!page.has_more && !newer);
        let elsewhere = ChatId("carol@x".into());
        assert_eq!(store.history_around("me@x", &elsewhere, ids[0], 2, 2).expect("read"), None);
    }

    #[test]
    fn history_survives_reopening_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("store.sqlite3");
        {
            let mut store = Store::open(&path).expect("open");
            store
                .insert_messages("me@example.org", &[incoming("bob@example.org", "kept", 5, None)])
                .expect("insert");
        }
        let store = Store::open(&path).expect("reopen");
        let page = store
            .history("me@example.org", &ChatId("bob@example.org".into()), None, 10)
            .expect("page");
        assert_eq!(page.messages.len(), 1);
        assert_eq!(page.messages[0].body, "kept");
        assert_eq!(page.messages[0].timestamp.timestamp(), 5);
    }

    #[test]
    fn a_line_is_known_by_its_archive_id_or_its_origin_id_in_its_direction() {
        let mut store = Store::open_in_memory().expect("store");
        let mut sent = incoming("bob@example.org", "ours", 7, None);
        sent.direction = Direction::Out;
        sent.origin_id = Some("o1".into());
        let live = incoming("bob@example.org", "theirs", 8, Some("s1"));
        store.insert_messages("me@example.org", &[sent.clone(), live.clone()]).expect("insert");
        let mut archived_copy = sent.clone();
        archived_copy.server_id = Some("s0".into());
        let mut theirs_same_origin = sent;
        theirs_same_origin.direction = Direction::In;
        let new = incoming("bob@example.org", "new", 9, Some("s2"));
        let page = [archived_copy, live, theirs_same_origin, new];
        let chat = ChatId("bob@example.org".into());
        let found = store.stored_lines("me@example.org", &chat, &page).expect("read");
        let secs: Vec<Option<(i64, bool)>> =
            found.iter().map(|l| l.map(|l| (l.at.timestamp(), l.incoming))).collect();
        assert_eq!(
            secs,
            [Some((7, false)), Some((8, true)), None, None],
            "their id is not ours; new is new"
        );
        assert!(store.stored_lines("me@example.org", &chat, &[]).expect("read").is_empty());
    }

    #[test]
    fn retimed_lines_are_read_back_in_their_new_order() {
        let mut store = Store::open_in_memory().expect("store");
        let lines = [
            incoming("bob@example.org", "first", 7, Some("s1")),
            incoming("bob@example.org", "second", 8, Some("s2")),
        ];
        store.insert_messages("me@example.org", &lines).expect("insert");
        let chat = ChatId("bob@example.org".into());
        let first = store.stored_lines("me@example.org", &chat, &lines[..1]).expect("read")[0]
            .expect("stored");
        let later = DateTime::from_timestamp(9, 0).expect("time");
        store.retime(&[(first.id, later)]).expect("retime");
        let page = store.history("me@example.org", &chat, None, 10).expect("page");
        let bodies: Vec<&str> = page.messages.iter().map(|m| m.body.as_str()).collect();
        assert_eq!(bodies, ["second", "first"]);
    }
}
