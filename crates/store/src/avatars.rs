//! Who shows which picture. The pictures themselves are files in the avatar cache, named by
//! hash, so two contacts with the same picture share one file.

use super::{Result, Store};

impl Store {
    /// Record `jid`'s avatar (`None`: they removed it). True when this changed anything.
    pub fn set_avatar(&self, account: &str, jid: &str, hash: Option<&str>) -> Result<bool> {
        let changed = match hash {
            Some(hash) => self.conn.execute(
                "INSERT INTO avatars (account, jid, hash) VALUES (?1, ?2, ?3)
                 ON CONFLICT (account, jid) DO UPDATE SET hash = excluded.hash
                 WHERE hash != excluded.hash",
                (account, jid, hash),
            )?,
            None => self
                .conn
                .execute("DELETE FROM avatars WHERE account = ?1 AND jid = ?2", (account, jid))?,
        };
        Ok(changed > 0)
    }

    pub fn avatar(&self, account: &str, jid: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row(
                "SELECT hash FROM avatars WHERE account = ?1 AND jid = ?2",
                (account, jid),
                |row| row.get(0),
            )
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_avatar_is_set_changed_and_removed() {
        let store = Store::open_in_memory().expect("store");
        let (a, b) = ("a".repeat(40), "b".repeat(40));
        assert!(store.set_avatar("me@x", "bob@x", Some(&a)).expect("set"));
        assert!(!store.set_avatar("me@x", "bob@x", Some(&a)).expect("same"), "no change");
        assert!(store.set_avatar("me@x", "bob@x", Some(&b)).expect("changed"));
        assert_eq!(store.avatar("me@x", "bob@x").expect("read"), Some(b));
        assert!(store.set_avatar("me@x", "bob@x", None).expect("removed"));
        assert_eq!(store.avatar("me@x", "bob@x").expect("read"), None);
    }
}
