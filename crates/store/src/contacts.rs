//! What belongs to contacts besides the roster: subscription requests waiting for the user,
//! and the block list (XEP-0191) as the server last told it.

use super::{Result, Store};
use rusqlite::params;

/// Requests waiting for an answer; beyond this the oldest are dropped (docs/security.md).
pub const MAX_SUBSCRIPTION_REQUESTS: usize = 200;

impl Store {
    /// Remember a request so it survives restarts until answered.
    /// Keep a request to see our presence. Anyone may ask, so at most
    /// [`MAX_SUBSCRIPTION_REQUESTS`] wait at once: a new one pushes out the oldest.
    pub fn add_subscription_request(&self, account: &str, jid: &str) -> Result<bool> {
        let changed = self.conn.execute(
            "INSERT INTO subscription_requests (account, jid, received_at) VALUES (?1, ?2, ?3)
             ON CONFLICT DO NOTHING",
            params![account, jid, chrono::Utc::now().timestamp_millis()],
        )?;
        if changed > 0 {
            self.conn.execute(
                "DELETE FROM subscription_requests WHERE account = ?1 AND jid NOT IN (
                     SELECT jid FROM subscription_requests WHERE account = ?1
                     ORDER BY received_at DESC, rowid DESC LIMIT ?2)",
                params![account, MAX_SUBSCRIPTION_REQUESTS],
            )?;
        }
        Ok(changed > 0)
    }

    pub fn remove_subscription_request(&self, account: &str, jid: &str) -> Result<()> {
        self.conn.execute(
            "DELETE FROM subscription_requests WHERE account = ?1 AND jid = ?2",
            (account, jid),
        )?;
        Ok(())
    }

    /// Pending requests, oldest first.
    pub fn subscription_requests(&self, account: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT jid FROM subscription_requests WHERE account = ?1 ORDER BY received_at, jid",
        )?;
        let rows = stmt.query_map([account], |row| row.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    pub fn replace_blocked(&mut self, account: &str, jids: &[String]) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM blocked WHERE account = ?1", [account])?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO blocked (account, jid) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            )?;
            for jid in jids {
                insert.execute((account, jid))?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub fn set_blocked(&self, account: &str, jid: &str, blocked: bool) -> Result<()> {
        if blocked {
            self.conn.execute(
                "INSERT INTO blocked (account, jid) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                (account, jid),
            )?;
        } else {
            self.conn
                .execute("DELETE FROM blocked WHERE account = ?1 AND jid = ?2", (account, jid))?;
        }
        Ok(())
    }

    pub fn blocked(&self, account: &str) -> Result<Vec<String>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT jid FROM blocked WHERE account = ?1 ORDER BY jid")?;
        let rows = stmt.query_map([account], |row| row.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

#[cfg(test)]
mod tests {
    use crate::Store;

    #[test]
    fn requests_are_kept_once_until_answered() {
        let store = Store::open_in_memory().expect("store");
        assert!(store.add_subscription_request("me@x", "eve@x").expect("add"));
        assert!(!store.add_subscription_request("me@x", "eve@x").expect("add again"));
        assert_eq!(store.subscription_requests("me@x").expect("list"), ["eve@x"]);
        store.remove_subscription_request("me@x", "eve@x").expect("remove");
        assert!(store.subscription_requests("me@x").expect("list").is_empty());
    }

    #[test]
    fn a_flood_of_requests_keeps_only_the_newest() {
        use crate::contacts::MAX_SUBSCRIPTION_REQUESTS;
        let store = Store::open_in_memory().expect("store");
        for i in 0..MAX_SUBSCRIPTION_REQUESTS + 50 {
            store.add_subscription_request("me@x", &format!("spam{i:04}@x")).expect("add");
        }
        let kept = store.subscription_requests("me@x").expect("list");
        assert_eq!(kept.len(), MAX_SUBSCRIPTION_REQUESTS);
        assert!(!kept.contains(&"spam0000@x".to_owned()));
        assert!(kept.contains(&format!("spam{:04}@x", MAX_SUBSCRIPTION_REQUESTS + 49)));
    }

    #[test]
    fn block_list_is_replaced_and_edited() {
        let mut store = Store::open_in_memory().expect("store");
        store.replace_blocked("me@x", &["a@x".into(), "b@x".into()]).expect("replace");
        store.set_blocked("me@x", "a@x", false).expect("unblock");
        store.set_blocked("me@x", "c@x", true).expect("block");
        assert_eq!(store.blocked("me@x").expect("list"), ["b@x", "c@x"]);
    }
}
