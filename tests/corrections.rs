//! Corrections (XEP-0308) through every way a message comes back, against real servers (Prosody and ejabberd): the
//! archive catch-up after a reconnect, offline storage, both in one burst, and an older page
//! asked of the archive when the local history has nothing older. A conversation always holds
//! the corrected message once, marked edited, never the correction as a new line.

mod support;

use confab::model::{ChatId, ConnectionState, Delivery};
use confab::worker::{Command, Event, Handle};
use serde_json::Value;
use support::{Profile, WAIT, wait_for};
use tokio::sync::mpsc::UnboundedReceiver;

/// Online, and done catching up with the archive.
async fn online(profile: &Profile) -> (Handle, UnboundedReceiver<Event>) {
    let (handle, mut events) = support::online(profile).await;
    caught_up(&mut events).await;
    (handle, events)
}

/// The archive catch-up of this login is over.
async fn caught_up(events: &mut UnboundedReceiver<Event>) {
    wait_for(events, WAIT, "the end of the catch-up", |e| {
        matches!(e, Event::CatchUp { done: true, .. })
    })
    .await;
}

/// Go offline and come back: a new login, with its archive catch-up.
async fn reconnect(handle: &Handle, events: &mut UnboundedReceiver<Event>) {
    handle.send(Command::Disconnect).expect("worker reachable");
    wait_for(events, WAIT, "going offline", |e| {
        matches!(e, Event::Connection(ConnectionState::Idle))
    })
    .await;
    handle.send(Command::Connect).expect("worker reachable");
    wait_for(events, WAIT, "login again", |e| {
        matches!(e, Event::Connection(ConnectionState::Online))
    })
    .await;
    caught_up(events).await;
}

async fn stored(events: &mut UnboundedReceiver<Event>, body: &str) -> confab::model::Message {
    match wait_for(events, WAIT, body, |e| matches!(e, Event::Message(m) if m.body == body)).await {
        Event::Message(message) => message,
        _ => unreachable!(),
    }
}

async fn edited(events: &mut UnboundedReceiver<Event>) -> confab::model::Message {
    match wait_for(events, WAIT, "the correction", |e| matches!(e, Event::Edited(_))).await {
        Event::Edited(message) => message,
        _ => unreachable!(),
    }
}

/// The conversation as the window shows it: (body, edited) of each line, oldest first.
fn conversation(profile: &Profile, with: &str) -> Vec<(String, bool)> {
    let lines: Vec<Value> = profile.json_lines(&["history", with, "--json"]);
    lines
        .iter()
        .map(|m| {
            let body = m["body"].as_str().unwrap_or_default().to_owned();
            (body, m["edited"].as_bool().unwrap_or_default())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_own_corrected_message_stays_one_edited_message_after_a_reconnect() {
    for kind in support::servers() {
        let (_server, users) = support::server_with(kind, &["alice", "bob"]);
        let (alice, bob) = (&users[0], &users[1]);
        let (handle, mut events) = online(alice).await;
        handle.send(Command::Send { to: bob.jid.clone(), body: "helo".into() }).expect("sent");
        let mine = stored(&mut events, "helo").await;
        wait_for(&mut events, WAIT, "the server's ack", |e| {
            matches!(e, Event::Delivery { message_id, state: Delivery::Sent, .. } if *message_id == mine.id)
        })
        .await;
        handle
            .send(Command::Correct { chat: ChatId(bob.jid.clone()), body: "hello".into() })
            .expect("sent");
        assert_eq!(edited(&mut events).await.id, mine.id);

        // The new login's catch-up brings back both the original and the correction.
        reconnect(&handle, &mut events).await;
        assert_eq!(conversation(alice, &bob.jid), [("hello".to_owned(), true)]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correction_kept_for_us_while_away_corrects_the_message_we_have() {
    for kind in support::servers() {
        let (_server, users) = support::server_with(kind, &["alice", "bob"]);
        let (alice, bob) = (&users[0], &users[1]);
        let (alice_handle, mut alice_events) = online(alice).await;
        let (bob_handle, mut bob_events) = online(bob).await;
        alice_handle
            .send(Command::Send { to: bob.jid.clone(), body: "helo".into() })
            .expect("sent");
        let original = stored(&mut bob_events, "helo").await;

        bob_handle.send(Command::Disconnect).expect("worker reachable");
        wait_for(&mut bob_events, WAIT, "bob offline", |e| {
            matches!(e, Event::Connection(ConnectionState::Idle))
        })
        .await;
        let bob_chat = ChatId(bob.jid.clone());
        alice_handle.send(Command::Correct { chat: bob_chat, body: "hello".into() }).expect("sent");
        edited(&mut alice_events).await;
        // The server acknowledges in order: once this is taken, so is the correction.
        alice_handle
            .send(Command::Send { to: bob.jid.clone(), body: "there".into() })
            .expect("sent");
        let after = stored(&mut alice_events, "there").await;
        wait_for(&mut alice_events, WAIT, "the server's ack", |e| {
            matches!(e, Event::Delivery { message_id, state: Delivery::Sent, .. } if *message_id == after.id)
        })
        .await;

        bob_handle.send(Command::Connect).expect("worker reachable");
        // Offline storage and the archive both bring the correction, in either order.
        let (mut corrected, mut done) = (false, false);
        while !(corrected && done) {
            match wait_for(&mut bob_events, WAIT, "the correction and the catch-up", |e| {
                matches!(e, Event::Edited(_) | Event::CatchUp { done: true, .. })
            })
            .await
            {
                Event::Edited(message) => corrected |= message.id == original.id,
                _ => done = true,
            }
        }
        let expected = [("hello".to_owned(), true), ("there".to_owned(), false)];
        assert_eq!(conversation(bob, &alice.jid), expected);
    }
}

#[test]
fn a_message_and_its_correction_kept_while_away_make_one_edited_message() {
    for kind in support::servers() {
        let (_server, users) = support::server_with(kind, &["alice", "bob"]);
        let (alice, bob) = (&users[0], &users[1]);
        bob.ok(&["sync", "--wait", "0"]);
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        runtime.block_on(async {
            let (handle, mut events) = online(alice).await;
            handle.send(Command::Send { to: bob.jid.clone(), body: "helo".into() }).expect("sent");
            stored(&mut events, "helo").await;
            handle
                .send(Command::Correct { chat: ChatId(bob.jid.clone()), body: "hello".into() })
                .expect("sent");
            edited(&mut events).await;
            handle.send(Command::Shutdown).expect("worker reachable");
            wait_for(&mut events, WAIT, "the worker's end", |e| matches!(e, Event::Stopped)).await;
        });
        bob.ok(&["sync", "--wait", "2"]);
        assert_eq!(conversation(bob, &alice.jid), [("hello".to_owned(), true)]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_and_its_correction_in_an_older_page_make_one_edited_message() {
    for kind in support::servers() {
        let (_server, users) = support::server_with(kind, &["alice", "bob"]);
        let (alice, bob) = (&users[0], &users[1]);
        let (handle, mut events) = online(alice).await;
        handle.send(Command::Send { to: bob.jid.clone(), body: "helo".into() }).expect("sent");
        stored(&mut events, "helo").await;
        let chat = ChatId(bob.jid.clone());
        handle.send(Command::Correct { chat: chat.clone(), body: "hello".into() }).expect("sent");
        edited(&mut events).await;
        // The server acknowledges in order: once this is taken, the archive has all three.
        handle.send(Command::Send { to: bob.jid.clone(), body: "there".into() }).expect("sent");
        let last = stored(&mut events, "there").await;
        wait_for(&mut events, WAIT, "the server's ack", |e| {
            matches!(e, Event::Delivery { message_id, state: Delivery::Sent, .. } if *message_id == last.id)
        })
        .await;
        handle.send(Command::Shutdown).expect("worker reachable");
        wait_for(&mut events, WAIT, "the worker's end", |e| matches!(e, Event::Stopped)).await;

        // The conversation is gone from this computer, while the catch-up position stays past it:
        // only an older page from the server's archive can bring it back.
        let database = confab::paths::Paths::in_profile(alice.path()).database();
        let connection = rusqlite::Connection::open(database).expect("alice's database");
        let removed = connection
            .execute("DELETE FROM messages WHERE chat = ?1", [&bob.jid])
            .expect("history removed");
        assert_eq!(removed, 2, "the message and the one after it");
        drop(connection);

        let (handle, mut events) = online(alice).await;
        handle
            .send(Command::LoadHistory { chat: chat.clone(), before: None, limit: 50 })
            .expect("sent");
        let page = match wait_for(
            &mut events,
            WAIT,
            "the older page",
            |e| matches!(e, Event::History(page) if page.chat == chat && !page.messages.is_empty()),
        )
        .await
        {
            Event::History(page) => page,
            _ => unreachable!(),
        };
        let shown: Vec<_> = page.messages.iter().map(|m| (m.body.clone(), m.edited)).collect();
        let expected = [("hello".to_owned(), true), ("there".to_owned(), false)];
        assert_eq!(shown, expected);
        assert_eq!(conversation(alice, &bob.jid), expected);
    }
}
