//! Where the user left off: how far each conversation was read, and which one was open. Unread
//! counts are derived from a "read up to" mark per conversation rather than kept as counters,
//! so they stay true across restarts, crashes and messages that arrived while Confab was closed.

use super::{Result, Store};
use crate::model::ChatId;
use chrono::Utc;
use rusqlite::params;

/// The per-account state key prefix of a conversation's read mark (a message id).
const READ_UP_TO: &str = "read.up_to:";
/// Since when (milliseconds) messages of a conversation without a read mark count as unread:
/// set on first use, so history from before read marks existed is not suddenly all unread.
const READ_SINCE: &str = "read.since";
/// The conversation open when the window last showed this account.
const OPEN_CHAT: &str = "ui.open_chat";

impl Store {
    /// The user has read `chat` up to message `message_id` (and everything before it).
    pub fn set_read_up_to(&self, account: &str, chat: &ChatId, message_id: i64) -> Result<()> {
        self.set_state(account, &format!("{READ_UP_TO}{}", chat.as_str()), &message_id.to_string())
    }

    /// Unread messages per conversation: incoming messages (not room events) written after
    /// the conversation's read mark, in conversation order (time, then arrival).
    pub fn unread_counts(&self, account: &str) -> Result<Vec<(ChatId, u32)>> {
        let since = match self.get_state(account, READ_SINCE)?.and_then(|s| s.parse().ok()) {
            Some(since) => since,
            None => {
                let now = Utc::now().timestamp_millis();
                self.set_state(account, READ_SINCE, &now.to_string())?;
                now
            }
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.chat, COUNT(*) FROM messages m
             LEFT JOIN state s ON s.account = m.account AND s.key = ?2 || m.chat
             LEFT JOIN messages r ON r.id = CAST(s.value AS INTEGER)
             WHERE m.account = ?1 AND m.direction = 0 AND m.kind = 0
               AND CASE WHEN r.id IS NULL THEN m.ts > ?3
                        ELSE m.ts > r.ts OR (m.ts = r.ts AND m.id > r.id) END
             GROUP BY m.chat ORDER BY m.chat",
        )?;
        let rows = stmt.query_map(params![account, READ_UP_TO, since], |row| {
            Ok((ChatId(row.get(0)?), u32::try_from(row.get::<_, i64>(1)?).unwrap_or(u32::MAX)))
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Remember `chat` as the conversation open for `account`.
    pub fn set_open_chat(&self, account: &str, chat: &ChatId) -> Result<()> {
        self.set_state(account, OPEN_CHAT, chat.as_str())
    }

    /// The conversation open when the window last showed `account`.
    pub fn open_chat(&self, account: &str) -> Result<Option<ChatId>> {
        Ok(self.get_state(account, OPEN_CHAT)?.map(ChatId))
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{ChatId, Delivery, Direction, MessageKind, NewMessage};
    use crate::{Inserted, Store};
    use chrono::{DateTime, Utc};

    const ME: &str = "me@x";

    fn line(chat: &str, body: &str, at: DateTime<Utc>, direction: Direction) -> NewMessage {
        NewMessage {
            chat: ChatId(chat.into()),
            kind: MessageKind::Message,
            nick: None,
            direction,
            from: format!("{chat}/phone"),
            to: ME.into(),
            body: body.into(),
            timestamp: at,
            state: Delivery::Received,
            stanza_id_attr: None,
            origin_id: None,
            server_id: None,
            attachment: None,
            author: Default::default(),
            replaces: None,
            reply: None,
            unstyled: false,
        }
    }

    fn stored_ids(store: &mut Store, batch: &[NewMessage]) -> Vec<i64> {
        let inserted = store.insert_messages(ME, batch).expect("insert");
        inserted
            .into_iter()
            .filter_map(|i| match i {
                Inserted::New(m) => Some(m.id),
                Inserted::Duplicate => None,
            })
            .collect()
    }

    #[test]
    fn unread_counts_follow_the_read_mark_and_survive_reopening() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("store.sqlite3");
        let bob = ChatId("bob@x".into());
        {
            let mut store = Store::open(&path).expect("open");
            assert_eq!(store.unread_counts(ME).expect("counts"), []);
            let now = Utc::now() + chrono::Duration::seconds(1);
            let ids = stored_ids(
                &mut store,
                &[
                    line("bob@x", "one", now, Direction::In),
                    line("bob@x", "two", now, Direction::In),
                    line("bob@x", "mine", now, Direction::Out),
                    line("bob@x", "three", now, Direction::In),
                    line("carol@x", "hi", now, Direction::In),
                ],
            );
            store.set_read_up_to(ME, &bob, ids[0]).expect("read mark");
            store.set_open_chat(ME, &bob).expect("open chat");
        }
        let store = Store::open(&path).expect("reopen");
        let expected = [(bob.clone(), 2), (ChatId("carol@x".into()), 1)];
        assert_eq!(store.unread_counts(ME).expect("counts"), expected);
        assert_eq!(store.open_chat(ME).expect("open chat"), Some(bob));
    }

    #[test]
    fn history_from_before_read_marks_is_not_unread() {
        let mut store = Store::open_in_memory().expect("store");
        let long_ago = Utc::now() - chrono::Duration::days(3);
        stored_ids(&mut store, &[line("bob@x", "old", long_ago, Direction::In)]);
        assert_eq!(store.unread_counts(ME).expect("counts"), []);
        // An older page fetched later is not unread either: its time is before the mark.
        let bob = ChatId("bob@x".into());
        let now = Utc::now() + chrono::Duration::seconds(1);
        let ids = stored_ids(&mut store, &[line("bob@x", "new", now, Direction::In)]);
        assert_eq!(store.unread_counts(ME).expect("counts"), [(bob.clone(), 1)]);
        store.set_read_up_to(ME, &bob, ids[0]).expect("read mark");
        let older = long_ago - chrono::Duration::days(1);
        stored_ids(&mut store, &[line("bob@x", "older", older, Direction::In)]);
        assert_eq!(store.unread_counts(ME).expect("counts"), []);
    }
}
