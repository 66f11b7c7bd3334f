//! The local SQLite store: the only crate that speaks SQL. It keeps history, the outbox and
//! the roster cache, and knows where Confab keeps its files (`paths`). Writes that arrive in
//! bursts go through one transaction per batch.

pub mod paths;

mod archive_lines;
mod attachments;
mod avatars;
mod capabilities;
mod contacts;
mod delivery;
mod export;
mod history;
mod migrations;
mod outbox;
mod reactions;
mod reading;
mod replies;
mod retraction;
mod room_catch_ups;
mod rooms;
mod roster;
mod search;
mod trouble;

pub use archive_lines::StoredLine;
pub use history::Inserted;
pub use outbox::OutboxEntry;
pub use reactions::Reactor;
pub use retraction::{DueRetraction, Removed};
pub use room_catch_ups::UnfinishedCatchUp;
pub use rooms::StoredRoom;
pub use trouble::{StoreError, Trouble};

use confab_model as model;
use paths::private;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a writer waits for another process (the CLI beside the GUI) to finish its write.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

pub type Result<T> = std::result::Result<T, StoreError>;

/// The journals SQLite keeps beside the database in WAL mode; it creates them with the
/// database file's mode.
const JOURNAL_SUFFIXES: [&str; 3] = ["-wal", "-shm", "-journal"];

/// One connection to the store. Each worker and each CLI command opens its own.
pub struct Store {
    conn: Connection,
    /// The database file, named in messages about it; none in memory.
    path: Option<PathBuf>,
}

impl Store {
    /// Open (creating if needed) the database file and bring its schema up to date. A file
    /// that cannot be used is left as it is, and the error says why (see [`trouble`]).
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent() {
            private::create_dir_all(dir)
                .map_err(|e| StoreError::io(&format!("creating {}", dir.display()), path, &e))?;
        }
        make_private(path)?;
        let mut conn = Connection::open(path).map_err(|e| StoreError::from(e).at(path))?;
        match Self::prepare(&mut conn) {
            Ok(()) => Ok(Self { conn, path: Some(path.to_owned()) }),
            Err(e) => Err(diagnose(&conn, e).at(path)),
        }
    }

    /// A private store in memory, for tests.
    pub fn open_in_memory() -> Result<Self> {
        let mut conn = Connection::open_in_memory()?;
        Self::prepare_schema(&mut conn)?;
        Ok(Self { conn, path: None })
    }

    /// Settings for a file, then the schema.
    fn prepare(conn: &mut Connection) -> Result<()> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        Self::prepare_schema(conn)
    }

    fn prepare_schema(conn: &mut Connection) -> Result<()> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        search::register(conn)?;
        migrations::migrate(conn)
    }

    /// Names this store's file in an error about it.
    pub fn locate(&self, e: StoreError) -> StoreError {
        match &self.path {
            Some(path) => e.at(path),
            None => e,
        }
    }

    /// Forget everything stored for an account: history, outbox, roster, requests, state.
    pub fn delete_account(&mut self, account: &str) -> Result<()> {
        let tx = self.conn.transaction()?;
        let tables =
            ["messages", "roster", "state", "subscription_requests", "blocked", "avatars", "rooms"];
        for table in tables {
            // Outbox rows go with their messages (ON DELETE CASCADE).
            tx.execute(&format!("DELETE FROM {table} WHERE account = ?1"), [account])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Read a per-account value (roster version, cursors).
    pub fn get_state(&self, account: &str, key: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM state WHERE account = ?1 AND key = ?2",
                (account, key),
                |row| row.get(0),
            )
            .optional()?)
    }

    pub fn delete_state(&self, account: &str, key: &str) -> Result<()> {
        self.conn.execute("DELETE FROM state WHERE account = ?1 AND key = ?2", (account, key))?;
        Ok(())
    }

    pub fn set_state(&self, account: &str, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO state (account, key, value) VALUES (?1, ?2, ?3)
             ON CONFLICT (account, key) DO UPDATE SET value = excluded.value",
            (account, key, value),
        )?;
        Ok(())
    }
}

/// An error that says nothing about the file (a table missing, a value of the wrong type)
/// may come from damage SQLite did not notice on its own: a quick check tells, and a file
/// that fails it is reported damaged.
fn diagnose(conn: &Connection, e: StoreError) -> StoreError {
    if e.trouble() != Trouble::Other {
        return e;
    }
    let check: rusqlite::Result<String> =
        conn.query_row("PRAGMA quick_check(1)", [], |row| row.get(0));
    match check {
        Ok(verdict) if verdict == "ok" => e,
        Ok(verdict) => StoreError::new(Trouble::Damaged, verdict),
        Err(check) => {
            let check = StoreError::from(check);
            if check.trouble() == Trouble::Other { e } else { check }
        }
    }
}

/// Creates the database file private before SQLite does (SQLite's own mode is 0644, and its
/// journals copy the database's), and closes it and its journals if they are open to others.
fn make_private(path: &Path) -> Result<()> {
    let cannot = |e: std::io::Error| StoreError::io("cannot open it for writing", path, &e);
    private::file_options().create(true).truncate(false).open(path).map_err(cannot)?;
    private::restrict(path).map_err(cannot)?;
    for suffix in JOURNAL_SUFFIXES {
        let mut journal = path.as_os_str().to_owned();
        journal.push(suffix);
        private::restrict(Path::new(&journal)).map_err(cannot)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Store;
    use crate::model::{ChatId, Delivery, Direction, MessageKind, NewMessage};

    #[cfg(unix)]
    #[test]
    fn the_database_and_its_journals_are_only_the_users() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &std::path::Path| {
            std::fs::metadata(path).expect("there").permissions().mode() & 0o777
        };
        let temp = tempfile::tempdir().expect("dir");
        let path = temp.path().join("data/confab.sqlite3");
        let store = Store::open(&path).expect("store");
        store.set_state("a@x", "k", "v").expect("written");
        let wal = temp.path().join("data/confab.sqlite3-wal");
        let shm = temp.path().join("data/confab.sqlite3-shm");
        assert_eq!(mode(&temp.path().join("data")), 0o700);
        assert_eq!((mode(&path), mode(&wal), mode(&shm)), (0o600, 0o600, 0o600));
        drop(store);

        // Left open to others by an older version: closed again, and so is the new journal.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let store = Store::open(&path).expect("opened again");
        store.set_state("a@x", "k", "w").expect("written");
        assert_eq!(store.get_state("a@x", "k").expect("read").as_deref(), Some("w"));
        assert_eq!((mode(&path), mode(&wal)), (0o600, 0o600));
    }

    #[test]
    fn deleting_an_account_leaves_the_others() {
        let mut store = Store::open_in_memory().expect("store");
        for account in ["a@x", "b@x"] {
            let message = NewMessage {
                chat: ChatId("peer@x".into()),
                kind: MessageKind::Message,
                nick: None,
                direction: Direction::Out,
                from: account.into(),
                to: "peer@x".into(),
                body: "hi".into(),
                timestamp: chrono::Utc::now(),
                state: Delivery::Pending,
                stanza_id_attr: None,
                origin_id: Some(format!("o-{account}")),
                server_id: None,
                attachment: None,
                author: Default::default(),
                replaces: None,
                reply: None,
                unstyled: false,
            };
            store.enqueue(account, &message, None).expect("enqueue");
            store.set_state(account, "k", "v").expect("state");
        }
        store.delete_account("a@x").expect("delete");
        let peer = ChatId("peer@x".into());
        assert!(store.history("a@x", &peer, None, 10).expect("history").messages.is_empty());
        assert!(store.outbox("a@x").expect("outbox").is_empty());
        assert_eq!(store.get_state("a@x", "k").expect("state"), None);
        assert_eq!(store.history("b@x", &peer, None, 10).expect("history").messages.len(), 1);
        assert_eq!(store.outbox("b@x").expect("outbox").len(), 1);
    }
}
