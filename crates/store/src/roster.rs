//! The roster cache, so the contact list shows at once and works offline.

use super::{Result, Store};
use crate::model::{Contact, Presence, PresenceShow, Subscription};
use rusqlite::{OptionalExtension, params};

impl Store {
    /// Replace the whole cached roster (a full roster result).
    pub fn replace_roster(&mut self, account: &str, contacts: &[Contact]) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM roster WHERE account = ?1", [account])?;
        {
            let mut insert = tx.prepare_cached(UPSERT)?;
            for contact in contacts {
                insert.execute(contact_params(account, contact))?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Add or change one contact (a roster push); presence already known is kept.
    pub fn upsert_contact(&self, account: &str, contact: &Contact) -> Result<()> {
        self.conn.prepare_cached(UPSERT)?.execute(contact_params(account, contact))?;
        Ok(())
    }

    pub fn remove_contact(&self, account: &str, jid: &str) -> Result<()> {
        self.conn.execute("DELETE FROM roster WHERE account = ?1 AND jid = ?2", (account, jid))?;
        Ok(())
    }

    /// Several presences in one transaction (a burst at login).
    pub fn set_presences(&mut self, account: &str, presences: &[(String, Presence)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut update = tx.prepare_cached(
                "UPDATE roster SET show = ?3, status = ?4 WHERE account = ?1 AND jid = ?2",
            )?;
            for (jid, presence) in presences {
                update.execute(params![account, jid, presence.show.as_str(), presence.status])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Everyone goes offline in the cache when we do: we no longer know better.
    pub fn clear_presence(&self, account: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE roster SET show = 'offline', status = NULL WHERE account = ?1",
            [account],
        )?;
        Ok(())
    }

    /// The subscription of one contact, `None` when not in the roster: one indexed lookup, for
    /// decisions made per message.
    pub fn subscription(&self, account: &str, jid: &str) -> Result<Option<Subscription>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT subscription FROM roster WHERE account = ?1 AND jid = ?2")?;
        let found: Option<String> = stmt.query_row([account, jid], |row| row.get(0)).optional()?;
        Ok(found.map(|s| Subscription::parse(&s)))
    }

    pub fn roster(&self, account: &str) -> Result<Vec<Contact>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.jid, r.name, r.subscription, r.ask, r.groups, r.show, r.status, a.hash
             FROM roster r LEFT JOIN avatars a ON a.account = r.account AND a.jid = r.jid
             WHERE r.account = ?1 ORDER BY r.jid",
        )?;
        let rows = stmt.query_map([account], |row| {
            let groups: String = row.get("groups")?;
            Ok(Contact {
                jid: row.get("jid")?,
                name: row.get("name")?,
                subscription: Subscription::parse(&row.get::<_, String>("subscription")?),
                ask_subscribe: row.get("ask")?,
                groups: serde_json::from_str(&groups).unwrap_or_default(),
                presence: Presence {
                    show: PresenceShow::parse(&row.get::<_, String>("show")?),
                    status: row.get("status")?,
                },
                avatar: row.get("hash")?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

const UPSERT: &str = "INSERT INTO roster (account, jid, name, subscription, ask, groups)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
     ON CONFLICT (account, jid) DO UPDATE SET name = excluded.name,
         subscription = excluded.subscription, ask = excluded.ask, groups = excluded.groups";

fn contact_params<'a>(account: &'a str, contact: &'a Contact) -> impl rusqlite::Params + 'a {
    let groups = serde_json::to_string(&contact.groups).unwrap_or_else(|_| "[]".into());
    (
        account,
        contact.jid.as_str(),
        contact.name.as_deref(),
        contact.subscription.as_str(),
        contact.ask_subscribe,
        groups,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(jid: &str) -> Contact {
        Contact {
            jid: jid.into(),
            name: Some("Bob".into()),
            subscription: Subscription::Both,
            ask_subscribe: false,
            groups: vec!["Friends".into()],
            presence: Presence::offline(),
            avatar: None,
        }
    }

    #[test]
    fn push_keeps_presence_and_replace_drops_others() {
        let mut store = Store::open_in_memory().expect("store");
        store.replace_roster("me@x", &[contact("bob@x"), contact("carol@x")]).expect("replace");
        let away = Presence { show: PresenceShow::Away, status: Some("lunch".into()) };
        store.set_presences("me@x", &[("bob@x".into(), away.clone())]).expect("presence");
        store.upsert_contact("me@x", &contact("bob@x")).expect("push");
        let roster = store.roster("me@x").expect("read");
        assert_eq!(roster[0].presence, away);
        assert_eq!(roster[0].groups, ["Friends"]);
        store.replace_roster("me@x", &[contact("bob@x")]).expect("replace");
        assert_eq!(store.roster("me@x").expect("read").len(), 1);
    }
}
