//! The outbox: every outgoing message has a row here from the moment the user sends it until
//! the server acknowledges it. Rows survive restarts and go out in order when due.

use super::history::read_message;
use super::{Result, Store};
use crate::model::{Delivery, Message, NewMessage};
use chrono::{DateTime, Utc};
use rusqlite::params;

#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    pub message: Message,
    /// Not to be sent before this time (scheduled send).
    pub due_at: Option<DateTime<Utc>>,
    pub attempts: u32,
}

impl Store {
    /// Store an outgoing message and queue it, in one transaction.
    pub fn enqueue(
        &mut self,
        account: &str,
        message: &NewMessage,
        due_at: Option<DateTime<Utc>>,
    ) -> Result<Message> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO messages (account, chat, direction, sender, recipient, body, ts, state,
                                   origin_id, stanza_id_attr, nick)
             VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, 0, ?7, ?8, ?9)",
            params![
                account,
                message.chat.as_str(),
                message.from,
                message.to,
                message.body,
                message.timestamp.timestamp_millis(),
                message.origin_id,
                message.stanza_id_attr,
                message.nick,
            ],
        )?;
        let id = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO outbox (message_id, due_at) VALUES (?1, ?2)",
            params![id, due_at.map(|t| t.timestamp_millis())],
        )?;
        tx.commit()?;
        Ok(Message {
            id,
            chat: message.chat.clone(),
            kind: message.kind,
            nick: message.nick.clone(),
            direction: message.direction,
            from: message.from.clone(),
            to: message.to.clone(),
            body: message.body.clone(),
            timestamp: message.timestamp,
            state: Delivery::Pending,
            origin_id: message.origin_id.clone(),
        })
    }

    /// Everything queued for the account, oldest first.
    pub fn outbox(&self, account: &str) -> Result<Vec<OutboxEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.id, m.chat, m.direction, m.sender, m.recipient, m.body, m.ts, m.state,
                    m.error, m.origin_id, m.kind, m.nick, o.due_at, o.attempts
             FROM outbox o JOIN messages m ON m.id = o.message_id
             WHERE m.account = ?1 ORDER BY m.id",
        )?;
        let rows = stmt.query_map([account], |row| {
            Ok(OutboxEntry {
                message: read_message(row)?,
                due_at: row.get::<_, Option<i64>>(12)?.and_then(DateTime::from_timestamp_millis),
                attempts: row.get(13)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn note_attempt(&self, message_id: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1 WHERE message_id = ?1",
            [message_id],
        )?;
        Ok(())
    }

    /// The server has the message: it leaves the outbox and becomes `sent`.
    pub fn mark_acknowledged(&mut self, message_id: i64) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM outbox WHERE message_id = ?1", [message_id])?;
        tx.execute("UPDATE messages SET state = 1 WHERE id = ?1 AND state = 0", [message_id])?;
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{ChatId, Delivery, Direction, MessageKind, NewMessage};
    use crate::store::Store;

    fn outgoing(body: &str) -> NewMessage {
        NewMessage {
            chat: ChatId("bob@example.org".into()),
            kind: MessageKind::Message,
            nick: None,
            direction: Direction::Out,
            from: "me@example.org".into(),
            to: "bob@example.org".into(),
            body: body.into(),
            timestamp: chrono::Utc::now(),
            state: Delivery::Pending,
            stanza_id_attr: Some(format!("id-{body}")),
            origin_id: Some(format!("id-{body}")),
            server_id: None,
        }
    }

    #[test]
    fn queued_messages_stay_until_acknowledged() {
        let mut store = Store::open_in_memory().expect("store");
        let first = store.enqueue("me@example.org", &outgoing("one"), None).expect("enqueue");
        store.enqueue("me@example.org", &outgoing("two"), None).expect("enqueue");
        let queued = store.outbox("me@example.org").expect("outbox");
        assert_eq!(
            queued.iter().map(|e| e.message.body.as_str()).collect::<Vec<_>>(),
            ["one", "two"]
        );
        store.mark_acknowledged(first.id).expect("ack");
        let queued = store.outbox("me@example.org").expect("outbox");
        assert_eq!(queued.len(), 1);
        let stored = store.message(first.id).expect("read").expect("exists");
        assert_eq!(stored.state, Delivery::Sent);
    }
}
