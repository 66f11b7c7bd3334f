//! A whole conversation read oldest first, a page at a time, for exporting it: the export
//! writes each page out before asking for the next, so a conversation of any length costs one
//! page of memory.

use super::history::{MESSAGE_COLUMNS, read_message};
use super::replies::QUOTED_JOIN;
use super::{Result, Store};
use crate::model::{ChatId, Message};
use rusqlite::params;

impl Store {
    /// Up to `limit` messages of `chat` after message `after` (from the first without it),
    /// oldest first, in the order the conversation shows them.
    pub fn history_forward(
        &self,
        account: &str,
        chat: &ChatId,
        after: Option<&Message>,
        limit: usize,
    ) -> Result<Vec<Message>> {
        let (ts, id) =
            after.map_or((i64::MIN, i64::MIN), |m| (m.timestamp.timestamp_millis(), m.id));
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m
             LEFT JOIN outbox o ON o.message_id = m.id
             LEFT JOIN attachments a ON a.message_id = m.id {QUOTED_JOIN}
             WHERE m.account = ?1 AND m.chat = ?2 AND (m.ts, m.id) > (?3, ?4)
             ORDER BY m.ts, m.id LIMIT ?5"
        ))?;
        let messages = stmt
            .query_map(params![account, chat.as_str(), ts, id, limit as i64], read_message)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(messages)
    }
}

#[cfg(test)]
mod tests {
    use crate::Store;
    use crate::model::{ChatId, Delivery, Direction, MessageKind, NewMessage};

    #[test]
    fn a_conversation_is_read_forwards_a_page_at_a_time() {
        let mut store = Store::open_in_memory().expect("store");
        let lines: Vec<_> = (1..=7)
            .map(|n| NewMessage {
                chat: ChatId("bob@x".into()),
                kind: MessageKind::Message,
                nick: None,
                direction: Direction::In,
                from: "bob@x".into(),
                to: "me@x".into(),
                body: format!("m{n}"),
                // Out of order on purpose: read back by time, not by row.
                timestamp: chrono::DateTime::from_timestamp(100 - n, 0).unwrap_or_default(),
                state: Delivery::Received,
                stanza_id_attr: None,
                origin_id: None,
                server_id: None,
                attachment: None,
                author: Default::default(),
                replaces: None,
                reply: None,
                unstyled: false,
            })
            .collect();
        store.insert_messages("me@x", &lines).expect("stored");
        let chat = ChatId("bob@x".into());
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = store.history_forward("me@x", &chat, after.as_ref(), 3).expect("page");
            if page.is_empty() {
                break;
            }
            seen.extend(page.iter().map(|m| m.body.clone()));
            after = page.last().cloned();
        }
        assert_eq!(seen, ["m7", "m6", "m5", "m4", "m3", "m2", "m1"]);
    }
}
