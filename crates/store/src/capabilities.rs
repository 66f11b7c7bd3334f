//! What others' clients can do, remembered by the hash they announce it by (XEP-0115), so a
//! client seen again is not asked again. Only hashes the engine verified are written. Anyone
//! can make up new verified hashes, so the table keeps the most recently learned ones.

use super::{Result, Store};
use rusqlite::OptionalExtension;

/// Hashes remembered; the oldest learned go first.
const MAX_REMEMBERED: i64 = 2_000;

impl Store {
    /// The features behind a verified hash, if it was learned before.
    pub fn capabilities(&self, hash: &str) -> Result<Option<Vec<String>>> {
        let features: Option<String> = self
            .conn
            .query_row("SELECT features FROM capabilities WHERE hash = ?1", [hash], |row| {
                row.get(0)
            })
            .optional()?;
        Ok(features.map(|f| f.lines().map(str::to_owned).collect()))
    }

    /// Remember the features behind a verified hash.
    pub fn remember_capabilities(&self, hash: &str, features: &[String]) -> Result<()> {
        let now = chrono::Utc::now().timestamp_millis();
        self.conn.execute(
            "INSERT INTO capabilities (hash, features, learned) VALUES (?1, ?2, ?3)
             ON CONFLICT (hash) DO UPDATE SET learned = excluded.learned",
            (hash, features.join("\n"), now),
        )?;
        self.conn.execute(
            "DELETE FROM capabilities WHERE hash NOT IN
               (SELECT hash FROM capabilities ORDER BY learned DESC, rowid DESC LIMIT ?1)",
            [MAX_REMEMBERED],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_are_remembered_by_hash_and_the_oldest_make_room() {
        let store = Store::open_in_memory().expect("store");
        assert_eq!(store.capabilities("sha-1 00").expect("read"), None);
        let features = ["urn:xmpp:receipts".to_owned(), "urn:xmpp:ping".to_owned()];
        store.remember_capabilities("sha-1 00", &features).expect("written");
        assert_eq!(store.capabilities("sha-1 00").expect("read").as_deref(), Some(&features[..]));
        for i in 0..MAX_REMEMBERED {
            store.remember_capabilities(&format!("sha-1 {i:x}ff"), &features).expect("written");
        }
        assert_eq!(store.capabilities("sha-1 00").expect("read"), None, "made room");
        let kept: i64 = store
            .conn
            .query_row("SELECT count(*) FROM capabilities", [], |row| row.get(0))
            .expect("count");
        assert_eq!(kept, MAX_REMEMBERED);
    }
}
