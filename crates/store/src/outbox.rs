//! The outbox: every outgoing message has a row here from the moment the user sends it until
//! the server acknowledges it. Rows survive restarts and go out in order when due.

use super::history::{MESSAGE_COLUMNS, read_message};
use super::replies::QUOTED_JOIN;
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
                                   origin_id, stanza_id_attr, nick, reply_id, reply_room,
                                   reply_to, reply_quote)
             VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, 0, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
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
                message.reply.as_ref().map(|r| &r.id),
                message.reply.as_ref().is_some_and(|r| r.in_room),
                message.reply.as_ref().and_then(|r| r.to.as_ref()),
                message.reply.as_ref().and_then(|r| r.quote.as_ref()),
            ],
        )?;
        let id = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO outbox (message_id, due_at) VALUES (?1, ?2)",
            params![id, due_at.map(|t| t.timestamp_millis())],
        )?;
        if let Some(attachment) = &message.attachment {
            super::attachments::insert(&tx, id, attachment)?;
        }
        let stored = super::history::read_one(&tx, id)?;
        tx.commit()?;
        let written =
            Message { scheduled_for: due_at, state: Delivery::Pending, ..message.stored(id) };
        Ok(stored.unwrap_or(written))
    }

    /// Everything queued for the account, oldest first.
    pub fn outbox(&self, account: &str) -> Result<Vec<OutboxEntry>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {MESSAGE_COLUMNS}, o.attempts
             FROM outbox o JOIN messages m ON m.id = o.message_id
             LEFT JOIN attachments a ON a.message_id = m.id {QUOTED_JOIN}
             WHERE m.account = ?1 ORDER BY m.id"
        ))?;
        let rows = stmt.query_map([account], |row| {
            Ok(OutboxEntry {
                message: read_message(row)?,
                due_at: row
                    .get::<_, Option<i64>>("due_at")?
                    .and_then(DateTime::from_timestamp_millis),
                attempts: row.get("attempts")?,
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
    /// `late`: a scheduled message that went out well after its time.
    pub fn mark_acknowledged(&mut self, message_id: i64, late: bool) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM outbox WHERE message_id = ?1", [message_id])?;
        tx.execute(
            "UPDATE messages SET state = 1, late = ?2 WHERE id = ?1 AND state = 0",
            params![message_id, late],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The server refused the message for good: it leaves the outbox (so it is not sent again
    /// by itself) and says why; [`Store::requeue`] is the user's Retry.
    pub fn fail_message(&mut self, message_id: i64, reason: &str) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM outbox WHERE message_id = ?1", [message_id])?;
        tx.execute(
            "UPDATE messages SET state = 4, error = ?2 WHERE id = ?1 AND direction = 1",
            params![message_id, reason],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Queue a failed outgoing message again, to be sent now.
    pub fn requeue(&mut self, message_id: i64) -> Result<bool> {
        let tx = self.conn.transaction()?;
        let changed = tx.execute(
            "UPDATE messages SET state = 0, error = NULL WHERE id = ?1 AND direction = 1 AND state = 4",
            [message_id],
        )?;
        if changed > 0 {
            tx.execute("INSERT OR IGNORE INTO outbox (message_id) VALUES (?1)", [message_id])?;
        }
        tx.commit()?;
        Ok(changed > 0)
    }

    /// Put messages the server acknowledged but their recipient never confirmed back in the
    /// outbox, where the recipient confirms what reaches it: a message of the same
    /// conversation was confirmed, or the conversation is one of `confirming` (the contact's
    /// client says it sends receipts). The server went away before handing them on (see
    /// docs/decisions.md, "Acknowledged, then lost"). Returns the ids queued again.
    pub fn requeue_unconfirmed(
        &mut self,
        message_ids: &[i64],
        confirming: &[String],
    ) -> Result<Vec<i64>> {
        let confirming = serde_json::to_string(confirming).unwrap_or_else(|_| "[]".into());
        let tx = self.conn.transaction()?;
        let mut queued = Vec::new();
        {
            let mut unconfirm = tx.prepare_cached(
                "UPDATE messages SET state = 0
                 WHERE id = ?1 AND direction = 1 AND state = 1
                   AND (chat IN (SELECT value FROM json_each(?2))
                        OR EXISTS (SELECT 1 FROM messages c
                                   WHERE c.account = messages.account AND c.chat = messages.chat
                                     AND c.direction = 1 AND c.state IN (2, 3)))",
            )?;
            let mut enqueue =
                tx.prepare_cached("INSERT OR IGNORE INTO outbox (message_id) VALUES (?1)")?;
            for &id in message_ids {
                if unconfirm.execute((id, &confirming))? > 0 {
                    enqueue.execute([id])?;
                    queued.push(id);
                }
            }
        }
        tx.commit()?;
        Ok(queued)
    }

    /// Take a message that has not gone out yet back: it disappears. False once it has left.
    pub fn cancel_queued(&mut self, message_id: i64) -> Result<bool> {
        let tx = self.conn.transaction()?;
        let queued = tx.execute("DELETE FROM outbox WHERE message_id = ?1", [message_id])?;
        if queued > 0 {
            tx.execute("DELETE FROM messages WHERE id = ?1", [message_id])?;
        }
        tx.commit()?;
        Ok(queued > 0)
    }

    /// Change the text of a message still waiting in the outbox.
    pub fn edit_queued(&self, message_id: i64, body: &str) -> Result<bool> {
        let changed = self.conn.execute(
            "UPDATE messages SET body = ?2
             WHERE id = ?1 AND id IN (SELECT message_id FROM outbox)",
            params![message_id, body],
        )?;
        Ok(changed > 0)
    }

    /// Move a scheduled message's time (`None`: due now).
    pub fn reschedule(&self, message_id: i64, due_at: Option<DateTime<Utc>>) -> Result<bool> {
        let changed = self.conn.execute(
            "UPDATE outbox SET due_at = ?2 WHERE message_id = ?1",
            params![message_id, due_at.map(|t| t.timestamp_millis())],
        )?;
        Ok(changed > 0)
    }

    /// When the next scheduled message of the account falls due.
    pub fn next_due(&self, account: &str) -> Result<Option<DateTime<Utc>>> {
        let ms: Option<i64> = self.conn.query_row(
            "SELECT MIN(o.due_at) FROM outbox o JOIN messages m ON m.id = o.message_id
             WHERE m.account = ?1 AND o.due_at IS NOT NULL",
            [account],
            |row| row.get(0),
        )?;
        Ok(ms.and_then(DateTime::from_timestamp_millis))
    }
}

#[cfg(test)]
mod tests {
    use crate::Store;
    use crate::model::{ChatId, Delivery, Direction, MessageKind, NewMessage};

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
            attachment: None,
            author: Default::default(),
            replaces: None,
            reply: None,
            unstyled: false,
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
        store.mark_acknowledged(first.id, false).expect("ack");
        let queued = store.outbox("me@example.org").expect("outbox");
        assert_eq!(queued.len(), 1);
        let stored = store.message(first.id).expect("read").expect("exists");
        assert_eq!(stored.state, Delivery::Sent);
    }
}
