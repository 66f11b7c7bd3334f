//! Schema versions, applied in order and counted in `PRAGMA user_version`. Never edit a
//! released step: add a new one, and a fixture database for it under `tests/fixtures/`.

use super::{StoreError, Trouble};
use rusqlite::Connection;

const STEPS: &[&str] = &[
    // 1: messages, outbox, roster cache, per-account state.
    "CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        account TEXT NOT NULL,
        chat TEXT NOT NULL,
        direction INTEGER NOT NULL,      -- 0 incoming, 1 outgoing
        sender TEXT NOT NULL,
        recipient TEXT NOT NULL,
        body TEXT NOT NULL,
        ts INTEGER NOT NULL,             -- milliseconds since the epoch, UTC
        state INTEGER NOT NULL,
        error TEXT,
        stanza_id_attr TEXT,
        origin_id TEXT,
        server_id TEXT
    );
    CREATE INDEX messages_by_chat ON messages (account, chat, ts, id);
    CREATE UNIQUE INDEX messages_origin ON messages (account, chat, direction, origin_id)
        WHERE origin_id IS NOT NULL;
    CREATE UNIQUE INDEX messages_server_id ON messages (account, server_id)
        WHERE server_id IS NOT NULL;
    CREATE TABLE outbox (
        message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
        due_at INTEGER,
        attempts INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE roster (
        account TEXT NOT NULL,
        jid TEXT NOT NULL,
        name TEXT,
        subscription TEXT NOT NULL,
        ask INTEGER NOT NULL DEFAULT 0,
        groups TEXT NOT NULL DEFAULT '[]',
        show TEXT NOT NULL DEFAULT 'offline',
        status TEXT,
        PRIMARY KEY (account, jid)
    );
    CREATE TABLE state (
        account TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (account, key)
    );",
    // 2: incoming subscription requests awaiting an answer, and the server-side block list.
    "CREATE TABLE subscription_requests (
        account TEXT NOT NULL,
        jid TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (account, jid)
    );
    CREATE TABLE blocked (
        account TEXT NOT NULL,
        jid TEXT NOT NULL,
        PRIMARY KEY (account, jid)
    );",
    // 3: whose avatar is which picture (the bytes live in the cache directory, by hash).
    "CREATE TABLE avatars (
        account TEXT NOT NULL,
        jid TEXT NOT NULL,
        hash TEXT NOT NULL,              -- lowercase hex SHA-1 of the image bytes
        PRIMARY KEY (account, jid)
    );",
    // 4: chat rooms. Lines are messages or events (joins, kicks, subjects) with the sender's
    // nick; a room's stanza-ids are unique only within that room, so dedupe per chat; the
    // rooms we are in or have bookmarked are kept for a fast start.
    "ALTER TABLE messages ADD COLUMN kind INTEGER NOT NULL DEFAULT 0;  -- 0 message, 1 event
    ALTER TABLE messages ADD COLUMN nick TEXT;
    DROP INDEX messages_server_id;
    CREATE UNIQUE INDEX messages_server_id ON messages (account, chat, server_id)
        WHERE server_id IS NOT NULL;
    CREATE TABLE rooms (
        account TEXT NOT NULL,
        jid TEXT NOT NULL,
        name TEXT,
        nick TEXT NOT NULL,
        autojoin INTEGER NOT NULL DEFAULT 1,
        password TEXT,
        PRIMARY KEY (account, jid)
    );",
    // 5: corrected messages are marked edited; a scheduled message sent well after its time is
    // marked late; receipts and markers find messages by their stanza id.
    "ALTER TABLE messages ADD COLUMN edited INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE messages ADD COLUMN late INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX messages_by_stanza_id ON messages (account, chat, stanza_id_attr)
        WHERE stanza_id_attr IS NOT NULL;",
    // 6: files shared in messages. `url` is NULL while our upload is still to be done;
    // `local_path` is our copy (what we sent, or a finished download) in the cache directory.
    "CREATE TABLE attachments (
        message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
        url TEXT,
        name TEXT NOT NULL,
        size INTEGER,
        mime TEXT,
        local_path TEXT
    );",
    // 7: who wrote a room line, as the room vouched for it (XEP-0421 occupant id, real
    // address) and this client's token for the author's presence when the line came in live;
    // corrections are matched against them, never against the nick alone.
    "ALTER TABLE messages ADD COLUMN occupant_id TEXT;
    ALTER TABLE messages ADD COLUMN author_jid TEXT;
    ALTER TABLE messages ADD COLUMN presence_id TEXT;",
    // 8: what others' clients can do, by the verified hash of it (XEP-0115), shared by every
    // account and contact announcing the same hash; `features` one per line.
    "CREATE TABLE capabilities (
        hash TEXT PRIMARY KEY,
        features TEXT NOT NULL,
        learned INTEGER NOT NULL
    );",
    // 9: the full-text index of what people wrote (store::search). It holds no text of its own
    // (contentless), only the words, fed from `messages` by triggers through `search_words()`,
    // so every write to a line (new, corrected, edited in the outbox, deleted) keeps it in step.
    // `scope` holds words for the line's conversation and authors (`search_scope()`). Its rowid
    // is the line's id negated, so that the index's natural order is newest first.
    "CREATE VIRTUAL TABLE message_search USING fts5(
        body, scope, content = '', contentless_delete = 1,
        tokenize = 'unicode61 remove_diacritics 2'
    );
    INSERT INTO message_search (rowid, body, scope)
        SELECT -id, search_words(body), search_scope(chat, sender, author_jid, nick)
        FROM messages WHERE kind = 0;
    CREATE TRIGGER message_search_insert AFTER INSERT ON messages WHEN new.kind = 0 BEGIN
        INSERT INTO message_search (rowid, body, scope)
            VALUES (-new.id, search_words(new.body),
                    search_scope(new.chat, new.sender, new.author_jid, new.nick));
    END;
    CREATE TRIGGER message_search_update
        AFTER UPDATE OF body, kind, chat, sender, author_jid, nick ON messages
    BEGIN
        DELETE FROM message_search WHERE rowid = -old.id;
        INSERT INTO message_search (rowid, body, scope)
            SELECT -new.id, search_words(new.body),
                   search_scope(new.chat, new.sender, new.author_jid, new.nick)
            WHERE new.kind = 0;
    END;
    CREATE TRIGGER message_search_delete AFTER DELETE ON messages BEGIN
        DELETE FROM message_search WHERE rowid = -old.id;
    END;",
    // 10: lines whose words are gone (store::retraction): `removed` 1 when their author took
    // them back (XEP-0424), 2 when a room moderator removed them (XEP-0425), with the
    // moderator as the room named them and the reason given. The words themselves are blanked
    // in `body`, so step 9's triggers take them out of the search index too.
    "ALTER TABLE messages ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE messages ADD COLUMN removed_by TEXT;
    ALTER TABLE messages ADD COLUMN removed_reason TEXT;",
    // 11: reactions (store::reactions, XEP-0444): one row per reactor and emoji on a line,
    // `reactor` the key that tells reactors apart as far as the protocol lets us (see
    // session::reactions), `reactor_name` how they were shown, `at` when the set arrived (ms).
    // The account and the conversation are the line's; rows go with their line.
    "CREATE TABLE reactions (
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        reactor TEXT NOT NULL,
        reactor_name TEXT NOT NULL,
        emoji TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (message_id, reactor, emoji)
    );",
    // 12: replies (store::replies, XEP-0461): the id the answered line goes by as the replier
    // named it, whether that is a room's stanza-id, its author as named and the quote given.
    // The answered line is looked up when read, through the indexes on those ids.
    "ALTER TABLE messages ADD COLUMN reply_id TEXT;
    ALTER TABLE messages ADD COLUMN reply_room INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE messages ADD COLUMN reply_to TEXT;
    ALTER TABLE messages ADD COLUMN reply_quote TEXT;",
    // 13: our lines taken back (XEP-0424) whose retraction has not reached the server yet
    // (store::retraction): one taken back offline is told to the others once online, even
    // after a restart. The line's own row says how it is named; `in_room` 1 when it was said
    // in a room (or to an occupant), whose retraction goes only through the room.
    "CREATE TABLE retractions_due (
        message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
        in_room INTEGER NOT NULL
    );",
    // 14: where a room's catch-up with its archive stopped (store::room_catch_ups), kept
    // across a restart: the archive id to go on after, and where the lines stored so far end
    // (time in ms, and the row once stored).
    "CREATE TABLE room_catch_ups (
        account TEXT NOT NULL,
        room TEXT NOT NULL,
        resume TEXT NOT NULL,
        end_ts INTEGER,
        end_row INTEGER,
        PRIMARY KEY (account, room)
    );",
    // 15: its sender asked that the line's words never be styled (XEP-0393 §6, `<unstyled/>`);
    // a correction says it again for its new words.
    "ALTER TABLE messages ADD COLUMN unstyled INTEGER NOT NULL DEFAULT 0;",
];

/// The schema version this build writes.
pub const CURRENT_VERSION: usize = STEPS.len();

/// Brings the schema up to date, one transaction per step, so a step that fails (a full
/// disk, a damaged page) leaves the file at the step before.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    // The header's version is a signed 32-bit number: below zero, only damage wrote it.
    let Ok(version) = usize::try_from(version) else {
        return Err(StoreError::new(Trouble::Damaged, format!("its header says schema {version}")));
    };
    if version > CURRENT_VERSION {
        return Err(StoreError::new(
            Trouble::Newer,
            format!(
                "the store was written by a newer Confab (schema {version}, this one knows \
                 {CURRENT_VERSION})"
            ),
        ));
    }
    for (index, step) in STEPS.iter().enumerate().skip(version) {
        let tx = conn.transaction()?;
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", index + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::model::ChatId;
    use crate::{Store, Trouble};

    /// Damage of many kinds at many places: 256 bytes overwritten, the file cut short, the schema
    /// version in the header made negative or too new.
    fn damaged_copies(good: &[u8]) -> Vec<(String, Vec<u8>)> {
        let mut copies = Vec::new();
        for at in (0..good.len()).step_by(3067) {
            let mut bytes = good.to_vec();
            let end = (at + 256).min(bytes.len());
            bytes[at..end].fill(0xa5);
            copies.push((format!("256 bytes overwritten at {at}"), bytes));
        }
        for len in (1..good.len()).step_by(8191) {
            copies.push((format!("cut at {len}"), good[..len].to_vec()));
        }
        for version in [[0xff; 4], [0x00, 0x00, 0x10, 0x00]] {
            let mut bytes = good.to_vec();
            bytes[60..64].copy_from_slice(&version);
            copies.push((format!("schema version {version:?}"), bytes));
        }
        copies
    }

    /// The migration of a damaged file of any released version never panics: it opens (the
    /// damage missed what it reads) or fails saying the file is damaged (or newer).
    #[test]
    fn damaged_files_of_every_version_fail_cleanly() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("confab.sqlite3");
        for version in 1..=super::CURRENT_VERSION {
            let fixture = format!(
                "{}/../../tests/fixtures/schema-v{version}.sqlite3",
                env!("CARGO_MANIFEST_DIR")
            );
            let good = std::fs::read(&fixture).expect("fixture");
            for (how, bytes) in damaged_copies(&good) {
                for journal in ["-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{journal}", path.display()));
                }
                std::fs::write(&path, &bytes).expect("written");
                match Store::open(&path) {
                    Ok(store) => {
                        // Whatever it reads back, it must not panic either.
                        let chat = ChatId("bob@example.org".into());
                        let _ = store.history("alice@example.org", &chat, None, 50);
                        let _ = store.outbox("alice@example.org");
                        let _ = store.roster("alice@example.org");
                    }
                    Err(e) => assert!(
                        matches!(e.trouble(), Trouble::Damaged | Trouble::Newer),
                        "v{version}, {how}: {e}"
                    ),
                }
            }
        }
    }
}
