//! Every released schema version must open, migrate and read back. One fixture database per
//! version lives in `tests/fixtures/`; add one with each new migration step.

use confab::model::search::SearchQuery;
use confab::model::{ChatId, Delivery, Direction, MessageKind, Subscription};
use confab::store::Store;

#[test]
fn schema_v1_fixture_migrates_and_reads_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("confab.sqlite3");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-v1.sqlite3");
    std::fs::copy(fixture, &copy).expect("fixture copied");

    let store = Store::open(&copy).expect("the v1 store opens");
    let account = "alice@example.org";
    let page =
        store.history(account, &ChatId("bob@example.org".into()), None, 10).expect("history");
    assert_eq!(page.messages.len(), 2);
    assert_eq!(page.messages[0].body, "hello from v1");
    assert_eq!(page.messages[0].direction, Direction::In);
    assert_eq!(page.messages[0].state, Delivery::Received);
    assert_eq!(page.messages[0].timestamp.to_rfc3339(), "2026-01-01T00:00:00+00:00");
    assert_eq!(page.messages[1].state, Delivery::Pending);

    let outbox = store.outbox(account).expect("outbox");
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].message.body, "queued in v1");

    let roster = store.roster(account).expect("roster");
    assert_eq!(roster[0].subscription, Subscription::Both);
    assert_eq!(roster[0].groups, ["Friends"]);
}

#[test]
fn schema_v2_fixture_reads_back_requests_and_blocks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("confab.sqlite3");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-v2.sqlite3");
    std::fs::copy(fixture, &copy).expect("fixture copied");

    let store = Store::open(&copy).expect("the v2 store opens");
    let account = "alice@example.org";
    let page =
        store.history(account, &ChatId("bob@example.org".into()), None, 10).expect("history");
    assert_eq!(page.messages[0].body, "hello from v2");
    let roster = store.roster(account).expect("roster");
    assert_eq!(roster[0].subscription, Subscription::To);
    assert!(roster[0].ask_subscribe);
    assert_eq!(store.subscription_requests(account).expect("requests"), ["eve@example.org"]);
    assert_eq!(store.blocked(account).expect("blocked"), ["spam@example.org"]);
}

#[test]
fn schema_v3_fixture_reads_back_avatars() {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("confab.sqlite3");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-v3.sqlite3");
    std::fs::copy(fixture, &copy).expect("fixture copied");

    let store = Store::open(&copy).expect("the v3 store opens");
    let account = "alice@example.org";
    let page =
        store.history(account, &ChatId("bob@example.org".into()), None, 10).expect("history");
    assert_eq!(page.messages[0].body, "hello from v3");
    let roster = store.roster(account).expect("roster");
    assert_eq!(roster[0].avatar.as_deref(), Some("da39a3ee5e6b4b0d3255bfef95601890afd80709"));
}

#[test]
fn schema_v4_fixture_reads_back_rooms_and_event_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("confab.sqlite3");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-v4.sqlite3");
    std::fs::copy(fixture, &copy).expect("fixture copied");

    let store = Store::open(&copy).expect("the v4 store opens");
    let account = "alice@example.org";
    let rooms = store.rooms(account).expect("rooms");
    assert_eq!(rooms[0].jid, "tea@rooms.example.org");
    assert!(rooms[0].autojoin);
    let tea = ChatId("tea@rooms.example.org".into());
    let page = store.history(account, &tea, None, 10).expect("history");
    assert_eq!(page.messages[0].kind, MessageKind::Event);
    assert_eq!(page.messages[0].nick.as_deref(), Some("bob"));
    let chat = store.history(account, &ChatId("bob@example.org".into()), None, 10).expect("chat");
    assert_eq!(chat.messages[0].kind, MessageKind::Message, "older lines are messages");
}

#[test]
fn schema_v5_fixture_reads_back_corrections() {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("confab.sqlite3");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-v5.sqlite3");
    std::fs::copy(fixture, &copy).expect("fixture copied");

    let store = Store::open(&copy).expect("the v5 store opens");
    let chat = ChatId("bob@example.org".into());
    let page = store.history("alice@example.org", &chat, None, 10).expect("history");
    assert_eq!(page.messages[0].body, "hello from v5 (fixed)");
    assert!(page.messages[0].edited);
    assert!(!page.messages[0].late);
}

#[test]
fn schema_v6_fixture_reads_back_a_shared_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("confab.sqlite3");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-v6.sqlite3");
    std::fs::copy(fixture, &copy).expect("fixture copied");

    let store = Store::open(&copy).expect("the v6 store opens");
    let chat = ChatId("bob@example.org".into());
    let page = store.history("alice@example.org", &chat, None, 10).expect("history");
    let shared = page.messages.last().expect("the message with a file");
    let attachment = shared.attachment.as_ref().expect("its attachment");
    assert_eq!(attachment.name, "cat.png");
    assert_eq!(attachment.size, Some(1234));
    assert_eq!(attachment.url.as_deref(), Some("https://upload.example.org/v6/cat.png"));
}

#[test]
fn schema_v7_fixture_keeps_who_wrote_a_room_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("confab.sqlite3");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-v7.sqlite3");
    std::fs::copy(fixture, &copy).expect("fixture copied");

    let store = Store::open(&copy).expect("the v7 store opens");
    let account = "alice@example.org";
    let tea = "tea@rooms.example.org";
    let page = store.history(account, &ChatId(tea.into()), None, 10).expect("history");
    assert_eq!(page.messages.last().map(|m| m.body.as_str()), Some("hello from v7"));
    let by = |occupant_id: &'static str| {
        move |_: &confab::model::Message, author: &confab::model::Author| {
            author.occupant_id.as_deref() == Some(occupant_id)
                && author.jid.as_deref() == Some("bob@example.org")
        }
    };
    let forged =
        store.correct(account, tea, "m-7", "forged", false, by("oid-mallory")).expect("ok");
    assert_eq!(forged, None, "another occupant id");
    let fixed = store.correct(account, tea, "m-7", "fixed", false, by("oid-bob")).expect("ok");
    assert_eq!(fixed.map(|m| m.body), Some("fixed".into()));
}

#[test]
fn schema_v8_fixture_remembers_a_client_s_capabilities() {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("confab.sqlite3");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-v8.sqlite3");
    std::fs::copy(fixture, &copy).expect("fixture copied");

    let store = Store::open(&copy).expect("the v8 store opens");
    let features = store
        .capabilities("sha-1 f3b9baacbc01b5809adb05b32285189d9783695d")
        .expect("read")
        .unwrap_or_default();
    assert_eq!(features, ["http://jabber.org/protocol/caps", "urn:xmpp:receipts"]);
    let page = store
        .history("alice@example.org", &ChatId("tea@rooms.example.org".into()), None, 10)
        .expect("history");
    assert_eq!(page.messages.last().map(|m| m.body.as_str()), Some("hello from v7"));
}

#[test]
fn schema_v8_lines_are_searchable_once_migrated() {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("confab.sqlite3");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-v8.sqlite3");
    std::fs::copy(fixture, &copy).expect("fixture copied");

    let store = Store::open(&copy).expect("the v8 store opens");
    let query = SearchQuery { text: "hello".into(), limit: 10, ..SearchQuery::default() };
    let bodies: Vec<_> = store
        .search(&query)
        .expect("searched")
        .hits
        .into_iter()
        .map(|hit| hit.message.body)
        .collect();
    // Both lines written before the index existed; the join event is not a line anyone wrote.
    assert_eq!(bodies, ["hello from v7", "hello from v5 (fixed)"]);
}

#[test]
fn schema_v9_fixture_finds_what_was_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("confab.sqlite3");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-v9.sqlite3");
    std::fs::copy(fixture, &copy).expect("fixture copied");

    let store = Store::open(&copy).expect("the v9 store opens");
    for words in ["cafe", "東京", "rendez v9"] {
        let query = SearchQuery { text: words.into(), limit: 10, ..SearchQuery::default() };
        let hits = store.search(&query).expect("searched").hits;
        assert_eq!(hits.len(), 1, "{words}");
        assert_eq!(hits[0].account, "alice@example.org");
        assert_eq!(hits[0].message.body, "Rendez-vous au café à 東京 (from v9)");
    }
    let in_bob = SearchQuery {
        text: "cafe".into(),
        account: Some("alice@example.org".into()),
        chat: Some(ChatId("bob@example.org".into())),
        limit: 10,
        ..SearchQuery::default()
    };
    assert_eq!(store.search(&in_bob).expect("searched").hits.len(), 1);
}

#[test]
fn schema_v10_fixture_keeps_what_was_taken_back_and_what_a_moderator_removed() {
    use confab::model::Removal;
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("confab.sqlite3");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-v10.sqlite3");
    std::fs::copy(fixture, &copy).expect("fixture copied");

    let store = Store::open(&copy).expect("the v10 store opens");
    let account = "alice@example.org";
    let bob = store.history(account, &ChatId("bob@example.org".into()), None, 10).expect("chat");
    let taken_back = bob.messages.last().expect("the retracted line");
    assert_eq!(taken_back.kind, MessageKind::Removed(Removal::Retracted));
    assert_eq!(taken_back.body, "");
    let tea = ChatId("tea@rooms.example.org".into());
    let room = store.history(account, &tea, None, 10).expect("room");
    let removed = room.messages.last().expect("the moderated line");
    let expected = Removal::Moderated {
        by: Some("tea@rooms.example.org/bob".into()),
        reason: Some("spam (v10)".into()),
    };
    assert_eq!(removed.kind, MessageKind::Removed(expected));
    for words in ["taken back", "spam"] {
        let query = SearchQuery { text: words.into(), limit: 10, ..SearchQuery::default() };
        assert!(store.search(&query).expect("searched").hits.is_empty(), "{words}");
    }
    // What was not removed is still found.
    let query = SearchQuery { text: "cafe".into(), limit: 10, ..SearchQuery::default() };
    assert_eq!(store.search(&query).expect("searched").hits.len(), 1);
}

#[test]
fn schema_v11_fixture_keeps_reactions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("confab.sqlite3");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-v11.sqlite3");
    std::fs::copy(fixture, &copy).expect("fixture copied");

    let store = Store::open(&copy).expect("the v11 store opens");
    let account = "alice@example.org";
    let bob = store.history(account, &ChatId("bob@example.org".into()), None, 10).expect("chat");
    let first = bob.messages.first().expect("the line reacted to").id;
    let counts = store.reactions(&[first]).expect("read");
    let [(_, counts)] = &counts[..] else { panic!("{counts:?}") };
    let read: Vec<_> = counts.iter().map(|c| (c.emoji.as_str(), c.count, c.ours)).collect();
    assert_eq!(read, [("👍", 2, true), ("🎉", 1, true)]);
    assert_eq!(store.own_reactions(first).expect("ours"), ["👍", "🎉"]);
    // A v10 store gains the table empty, and reactions can then be kept.
    let v10 = dir.path().join("v10.sqlite3");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-v10.sqlite3");
    std::fs::copy(fixture, &v10).expect("fixture copied");
    let mut old = Store::open(&v10).expect("the v10 store opens");
    assert!(old.reactions(&[first]).expect("read").is_empty());
    let own = confab::store::Reactor::own(account);
    old.set_reactions(first, &own, &["👍".to_owned()], chrono::Utc::now()).expect("kept");
    assert_eq!(old.own_reactions(first).expect("ours"), ["👍"]);
    old.set_reactions(first, &own, &[], chrono::Utc::now()).expect("taken back");
    assert!(old.reactions(&[first]).expect("read").is_empty());
}

/// Schema 12 keeps what a line answers (XEP-0461); a v11 store gains the columns empty.
#[test]
fn a_v12_store_keeps_a_reply_and_finds_the_line_it_answers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("v12.sqlite3");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-v12.sqlite3");
    std::fs::copy(fixture, &copy).expect("fixture copied");
    let store = Store::open(&copy).expect("the v12 store opens");
    let bob = store
        .history("alice@example.org", &ChatId("bob@example.org".into()), None, 10)
        .expect("chat");
    let reply = bob.messages.iter().find_map(|m| m.reply.clone()).expect("the reply");
    assert_eq!(reply.quote.as_deref(), Some("hello from v5"));
    let answered = reply.line.expect("the answered line is found");
    assert_eq!(answered.body, "hello from v5 (fixed)");
    assert_eq!(Some(answered.id), bob.messages.first().map(|m| m.id));

    let v11 = dir.path().join("v11.sqlite3");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-v11.sqlite3");
    std::fs::copy(fixture, &v11).expect("fixture copied");
    let old = Store::open(&v11).expect("the v11 store opens");
    let bob = old
        .history("alice@example.org", &ChatId("bob@example.org".into()), None, 10)
        .expect("chat");
    assert!(bob.messages.iter().all(|m| m.reply.is_none()));
}

/// Schema 13 keeps our retractions that have not reached the server; a v12 store gains none.
#[test]
fn a_v13_store_keeps_a_retraction_due_until_sent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("v13.sqlite3");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-v13.sqlite3");
    std::fs::copy(fixture, &copy).expect("fixture copied");
    let store = Store::open(&copy).expect("the v13 store opens");
    let due = store.retractions_due("alice@example.org").expect("listed");
    assert_eq!(due.len(), 1);
    let line = &due[0].line;
    assert_eq!(line.origin_id.as_deref(), Some("v13-1"), "named as bob knows it");
    assert_eq!(line.kind, MessageKind::Removed(confab::model::Removal::Retracted));
    assert_eq!(line.body, "", "its words are gone");
    assert!(!due[0].in_room, "a chat line");
    store.retraction_sent(line.id).expect("sent");
    assert!(store.retractions_due("alice@example.org").expect("listed").is_empty());

    let v12 = dir.path().join("v12.sqlite3");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-v12.sqlite3");
    std::fs::copy(fixture, &v12).expect("fixture copied");
    let old = Store::open(&v12).expect("the v12 store opens");
    assert!(old.retractions_due("alice@example.org").expect("listed").is_empty());
}

/// Schema 14 keeps where a room's catch-up stopped across a restart; a v13 store has none.
#[test]
fn a_v14_store_keeps_where_a_catch_up_stopped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("v14.sqlite3");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-v14.sqlite3");
    std::fs::copy(fixture, &copy).expect("fixture copied");
    let store = Store::open(&copy).expect("the v14 store opens");
    let (account, room) = ("alice@example.org", "tea@rooms.example.org");
    let kept = store.unfinished_catch_up(account, room).expect("read").expect("kept");
    assert_eq!(kept.resume, "arch-14");
    assert_eq!(
        kept.end.map(|(at, row)| (at.timestamp_millis(), row)),
        Some((1_767_225_600_000, Some(3)))
    );
    store.catch_up_finished(account, room).expect("finished");
    assert_eq!(store.unfinished_catch_up(account, room).expect("read"), None);

    let v13 = dir.path().join("v13.sqlite3");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-v13.sqlite3");
    std::fs::copy(fixture, &v13).expect("fixture copied");
    let old = Store::open(&v13).expect("the v13 store opens");
    assert_eq!(old.unfinished_catch_up(account, room).expect("read"), None);
}

/// Schema 15 keeps a sender's wish that a line's words not be styled; a v14 store's lines are
/// styled as before.
#[test]
fn a_v15_store_keeps_lines_their_senders_wanted_unstyled() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bob = ChatId("bob@example.org".into());
    let copy = dir.path().join("v15.sqlite3");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-v15.sqlite3");
    std::fs::copy(fixture, &copy).expect("fixture copied");
    let store = Store::open(&copy).expect("the v15 store opens");
    let page = store.history("alice@example.org", &bob, None, 10).expect("chat");
    let read: Vec<_> = page.messages.iter().map(|m| (m.body.as_str(), m.unstyled)).collect();
    assert_eq!(read, [("*as typed*", true), ("*styled*", false)]);

    let v14 = dir.path().join("v14.sqlite3");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-v14.sqlite3");
    std::fs::copy(fixture, &v14).expect("fixture copied");
    let old = Store::open(&v14).expect("the v14 store opens");
    let page = old.history("alice@example.org", &bob, None, 10).expect("chat");
    assert!(!page.messages.is_empty(), "the v14 store has lines with bob");
    assert!(page.messages.iter().all(|m| !m.unstyled));
}
