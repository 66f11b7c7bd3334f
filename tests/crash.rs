//! Crash safety against real servers (Prosody and ejabberd): Confab killed with SIGKILL in the middle of taking in a
//! flood, and in the middle of sending a full outbox. After the restart the store passes
//! SQLite's integrity check, nothing is lost or doubled, and a single `confab sync` finishes
//! the job.
//!
//! The flood is 3,000 messages rather than 5,000: the debug build takes them in at a few hundred
//! a second, and 3,000 already spans 30 archive pages, so the first sync after the crash has a
//! long catch-up to complete; 5,000 would only make the test slower.

mod support;

use confab::model::{ChatId, Delivery, Direction, MessageKind, NewMessage};
use confab::paths::Paths;
use confab::store::Store;
use rusqlite::{Connection, OpenFlags};
use std::collections::HashSet;
use std::process::Child;
use std::time::{Duration, Instant};
use support::Profile;

const FLOOD: usize = 3_000;
const OUTBOX: usize = 1_000;
/// How long the flood (and its acknowledgements) may take.
const FLOOD_LIMIT: Duration = Duration::from_secs(45);
/// How long a test waits for the killed process to have done part of its work.
const PART_LIMIT: Duration = Duration::from_secs(30);

/// The profile's database, opened read-only, as the test's own window on what was stored.
fn database(profile: &Profile) -> Connection {
    let path = Paths::in_profile(profile.path()).database();
    Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("the database opens read-only")
}

fn integrity(profile: &Profile) -> String {
    database(profile)
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("integrity check runs")
}

/// Bodies of the messages stored in `direction` that start with `tag`, one entry per row.
fn bodies(profile: &Profile, direction: Direction, tag: &str) -> Vec<String> {
    let direction = match direction {
        Direction::In => 0,
        Direction::Out => 1,
    };
    let conn = database(profile);
    let mut stmt = conn
        .prepare("SELECT body FROM messages WHERE direction = ?1 AND body LIKE ?2 || ' %'")
        .expect("query");
    stmt.query_map(rusqlite::params![direction, tag], |row| row.get(0))
        .expect("rows")
        .collect::<rusqlite::Result<Vec<String>>>()
        .expect("bodies")
}

fn outbox_len(profile: &Profile) -> usize {
    database(profile)
        .query_row("SELECT count(*) FROM outbox", [], |row| row.get::<_, i64>(0))
        .map(|n| usize::try_from(n).unwrap_or(0))
        .unwrap_or(usize::MAX)
}

/// Poll until `done` holds, or fail after [`PART_LIMIT`] with `what`.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + PART_LIMIT;
    while !done() {
        assert!(Instant::now() < deadline, "{what} did not happen within {PART_LIMIT:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// SIGKILL: no clean close, no flush, the stream left hibernating on the server.
fn kill(mut child: Child) {
    child.kill().expect("SIGKILL sent");
    child.wait().expect("the killed process is reaped");
}

/// Every body `"{tag} 00000"`… once: no line lost, none doubled.
fn assert_each_once(stored: &[String], tag: &str, count: usize) {
    let distinct: HashSet<&str> = stored.iter().map(String::as_str).collect();
    let missing: Vec<String> = (0..count)
        .map(|i| format!("{tag} {i:05}"))
        .filter(|body| !distinct.contains(body.as_str()))
        .take(5)
        .collect();
    assert!(missing.is_empty(), "{} of {count} stored; missing e.g. {missing:?}", distinct.len());
    assert_eq!(stored.len(), count, "{} rows for {count} messages", stored.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_during_a_flood_is_caught_up_by_the_next_sync_exactly_once() {
    for kind in support::servers() {
        let (_server, users) = support::server_with(kind, &["alice", "bob"]);
        let (alice, bob) = (&users[0], &users[1]);
        let listening = bob.spawn(&["sync", "--wait", "30"]);
        std::thread::sleep(Duration::from_secs(2));
        let flood = tokio::spawn({
            let alice = alice.path().to_owned();
            let to = bob.jid.clone();
            async move { support::send_many(&alice, &to, "flood", FLOOD, FLOOD_LIMIT).await }
        });
        let taken_in = || bodies(bob, Direction::In, "flood").len();
        wait_until("bob taking in part of the flood", || taken_in() >= FLOOD / 10);
        kill(listening);
        assert!(taken_in() < FLOOD, "the kill came after the whole flood; nothing to test");
        flood.await.expect("the flood was sent");

        bob.ok(&["sync"]);

        assert_eq!(integrity(bob), "ok");
        assert_each_once(&bodies(bob, Direction::In, "flood"), "flood", FLOOD);
    }
}

/// Queue `count` messages to `to` in the profile's outbox, as `confab send` does offline.
fn queue(profile: &Profile, to: &str, tag: &str, count: usize) {
    let mut store =
        Store::open(&Paths::in_profile(profile.path()).database()).expect("the store opens");
    for i in 0..count {
        let id = uuid::Uuid::new_v4().to_string();
        let message = NewMessage {
            chat: ChatId(to.to_owned()),
            kind: MessageKind::Message,
            nick: None,
            direction: Direction::Out,
            from: profile.jid.clone(),
            to: to.to_owned(),
            body: format!("{tag} {i:05}"),
            timestamp: chrono::Utc::now(),
            state: Delivery::Pending,
            stanza_id_attr: Some(id.clone()),
            origin_id: Some(id),
            server_id: None,
            attachment: None,
            author: Default::default(),
            replaces: None,
            reply: None,
            unstyled: false,
        };
        store.enqueue(&profile.jid, &message, None).expect("queued");
    }
}

#[test]
fn a_kill_while_sending_the_outbox_sends_each_message_once() {
    for kind in support::servers() {
        let (_server, users) = support::server_with(kind, &["alice", "bob"]);
        let (alice, bob) = (&users[0], &users[1]);
        queue(alice, &bob.jid, "queued", OUTBOX);
        assert_eq!(outbox_len(alice), OUTBOX);

        let sending = alice.spawn(&["sync", "--wait", "30"]);
        wait_until("alice's first acknowledged message", || outbox_len(alice) < OUTBOX);
        kill(sending);
        let left = outbox_len(alice);
        assert!(left > 0, "the kill came after the whole outbox went; nothing to test");

        alice.ok(&["sync"]);
        assert_eq!(integrity(alice), "ok");
        assert_eq!(outbox_len(alice), 0, "the outbox went on and emptied");
        assert_each_once(&bodies(alice, Direction::Out, "queued"), "queued", OUTBOX);

        bob.ok(&["sync"]);
        assert_eq!(integrity(bob), "ok");
        assert_each_once(&bodies(bob, Direction::In, "queued"), "queued", OUTBOX);
    }
}
