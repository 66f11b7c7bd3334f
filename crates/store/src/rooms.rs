//! The rooms we are in or have bookmarked, so the room list shows at once and autojoin works
//! before the server's bookmarks arrive.

use super::{Result, Store};
use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;

/// A remembered room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRoom {
    pub jid: String,
    pub name: Option<String>,
    pub nick: String,
    pub autojoin: bool,
    pub password: Option<String>,
}

impl Store {
    pub fn rooms(&self, account: &str) -> Result<Vec<StoredRoom>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT jid, name, nick, autojoin, password FROM rooms WHERE account = ?1 ORDER BY jid",
        )?;
        let rows = stmt.query_map([account], |row| {
            Ok(StoredRoom {
                jid: row.get("jid")?,
                name: row.get("name")?,
                nick: row.get("nick")?,
                autojoin: row.get("autojoin")?,
                password: row.get("password")?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn upsert_room(&self, account: &str, room: &StoredRoom) -> Result<()> {
        self.conn.execute(
            "INSERT INTO rooms (account, jid, name, nick, autojoin, password)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (account, jid) DO UPDATE SET name = excluded.name, nick = excluded.nick,
                 autojoin = excluded.autojoin, password = excluded.password",
            (account, &room.jid, &room.name, &room.nick, room.autojoin, &room.password),
        )?;
        Ok(())
    }

    /// Forget a room; its history stays.
    pub fn remove_room(&self, account: &str, jid: &str) -> Result<()> {
        self.conn.execute("DELETE FROM rooms WHERE account = ?1 AND jid = ?2", (account, jid))?;
        Ok(())
    }

    /// When the newest line of a conversation was written: a room is asked for history since.
    /// The archive id of the newest line stored from a room (its stanza-id): where catching up
    /// with the room's archive starts.
    pub fn newest_archive_id(&self, account: &str, chat: &str) -> Result<Option<String>> {
        let id = self
            .conn
            .query_row(
                "SELECT server_id FROM messages
                 WHERE account = ?1 AND chat = ?2 AND server_id IS NOT NULL
                 ORDER BY ts DESC, id DESC LIMIT 1",
                (account, chat),
                |row| row.get(0),
            )
            .optional()?;
        Ok(id)
    }

    pub fn last_message_time(&self, account: &str, chat: &str) -> Result<Option<DateTime<Utc>>> {
        let ms: Option<i64> = self
            .conn
            .query_row(
                "SELECT MAX(ts) FROM messages WHERE account = ?1 AND chat = ?2 AND kind = 0",
                (account, chat),
                |row| row.get(0),
            )
            .optional()?
            .flatten();
        Ok(ms.and_then(DateTime::from_timestamp_millis))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rooms_are_remembered_updated_and_forgotten() {
        let store = Store::open_in_memory().expect("store");
        let mut room = StoredRoom {
            jid: "tea@rooms.x".into(),
            name: None,
            nick: "me".into(),
            autojoin: true,
            password: None,
        };
        store.upsert_room("me@x", &room).expect("insert");
        room.name = Some("Tea".into());
        store.upsert_room("me@x", &room).expect("update");
        assert_eq!(store.rooms("me@x").expect("read"), [room]);
        assert!(store.rooms("other@x").expect("read").is_empty());
        store.remove_room("me@x", "tea@rooms.x").expect("remove");
        assert!(store.rooms("me@x").expect("read").is_empty());
        assert_eq!(store.last_message_time("me@x", "tea@rooms.x").expect("time"), None);
    }
}
