//! Retraction (XEP-0424) and moderation (XEP-0425) against real servers (Prosody and
//! ejabberd): our own line taken back reaches the peer as a retraction, also one taken back
//! offline, once online again after a restart; a peer's retraction
//! blanks our copy and takes it out of the search; a forger retracting someone else's line, a
//! reused nick in a room and an occupant posing as a moderator change nothing; a room's own
//! moderation notice is honoured (only where the server can moderate, said when it cannot).

mod support;

use confab::model::Removal;
use confab::model::search::SearchQuery;
use confab::model::{ChatId, MessageKind};
use confab::worker::{Command, Event, Handle, RoomCommand};
use support::chat::{Events, gathered, join_as, line, register, sent, shut_down, store};
use support::raw_client::RawClient;
use support::{Kind, PASSWORD, Profile, ROOMS, Server, Setup, WAIT, online, wait_for};

async fn removed(events: &mut Events, id: i64) -> confab::model::Message {
    let what = format!("line {id} removed");
    let seen = wait_for(events, WAIT, &what, |e| {
        matches!(e, Event::Edited(m) if m.id == id && matches!(m.kind, MessageKind::Removed(_)))
    })
    .await;
    match seen {
        Event::Edited(message) => message,
        _ => unreachable!(),
    }
}

/// Wait for the line `body`, failing if any change to a line shows first: whatever was sent
/// before it has been taken in and refused.
async fn nothing_changed_before(events: &mut Events, body: &str) {
    let seen = wait_for(events, WAIT, body, |e| {
        matches!(e, Event::Edited(_)) || matches!(e, Event::Message(m) if m.body == body)
    })
    .await;
    assert!(!matches!(seen, Event::Edited(_)), "changed before {body:?}: {seen:?}");
}

fn found(profile: &Profile, words: &str) -> usize {
    let query = SearchQuery { text: words.into(), limit: 10, ..SearchQuery::default() };
    store(profile).search(&query).expect("searched").hits.len()
}

/// A raw chat message from a raw peer, with an origin-id.
fn chat(to: &str, id: &str, body: &str) -> String {
    format!(
        "<message type='chat' to='{to}' id='{id}'><body>{body}</body>\
         <origin-id xmlns='urn:xmpp:sid:0' id='{id}'/></message>"
    )
}

fn retraction(to: &str, kind: &str, named: &str) -> String {
    format!(
        "<message type='{kind}' to='{to}' id='r-{named}'>\
         <retract xmlns='urn:xmpp:message-retract:1' id='{named}'/>\
         <fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:message-retract:1'/>\
         <body>This person attempted to retract a previous message.</body></message>"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_chat_only_the_author_takes_a_line_back() {
    for kind in support::servers() {
        let server = Server::start(kind);
        let users = register(&server, &["alice", "bob", "mallory"]);
        let (alice, bob) = (&users[0], &users[1]);
        let mut bob_raw = RawClient::login(&server, "bob", PASSWORD).await;
        let mut mallory_raw = RawClient::login(&server, "mallory", PASSWORD).await;
        let (handle, mut events) = online(alice).await;

        // Ours, taken back: the peer gets the retraction naming the origin-id we gave it.
        let mine = sent(&handle, &mut events, &bob.jid, "wrong chat").await;
        bob_raw.read_until("wrong chat").await;
        let retract = Command::Retract { chat: ChatId(bob.jid.clone()), message_id: mine.id };
        handle.send(retract).expect("sent");
        let gone = removed(&mut events, mine.id).await;
        assert_eq!((gone.body.as_str(), gone.kind), ("", MessageKind::Removed(Removal::Retracted)));
        let origin = mine.origin_id.clone().expect("our line has an origin-id");
        let seen = bob_raw.read_until("urn:xmpp:message-retract:1").await;
        assert!(
            seen.contains(&format!("id='{origin}'")) || seen.contains(&format!("id=\"{origin}\"")),
            "{seen}"
        );
        assert!(seen.contains("urn:xmpp:fallback:0"), "{seen}");

        // The peer takes back theirs: blanked here and no longer found.
        bob_raw.send(&chat(&alice.jid, "b-1", "bob's secret plan")).await;
        let theirs = line(&mut events, "bob's secret plan").await;
        assert_eq!(found(alice, "secret plan"), 1);
        bob_raw.send(&retraction(&alice.jid, "chat", "b-1")).await;
        removed(&mut events, theirs.id).await;
        assert_eq!(found(alice, "secret plan"), 0, "out of the search");

        // Someone else's line, or ours, cannot be taken back by a forger.
        bob_raw.send(&chat(&alice.jid, "b-2", "bob keeps this")).await;
        line(&mut events, "bob keeps this").await;
        handle
            .send(Command::Send { to: bob.jid.clone(), body: "ours stays".into() })
            .expect("sent");
        let ours = line(&mut events, "ours stays").await;
        let ours_id = ours.origin_id.clone().expect("origin-id");
        mallory_raw.send(&retraction(&alice.jid, "chat", "b-2")).await;
        bob_raw.send(&retraction(&alice.jid, "chat", &ours_id)).await;
        bob_raw.send(&chat(&alice.jid, "b-3", "after the forgeries")).await;
        nothing_changed_before(&mut events, "after the forgeries").await;
        assert_eq!(found(alice, "keeps this"), 1);
        assert_eq!(found(alice, "ours stays"), 1);

        // The command line shows what was removed.
        let lines: Vec<serde_json::Value> = alice.json_lines(&["history", &bob.jid, "--json"]);
        let removed: Vec<_> = lines.iter().filter(|l| l["removed"] == "retracted").collect();
        assert_eq!(removed.len(), 2, "{lines:?}");
        assert!(removed.iter().all(|l| l["body"] == "" && l["kind"] == "message"));
        bob_raw.close().await;
        mallory_raw.close().await;
        handle.send(Command::Shutdown).expect("sent");
        while events.recv().await.is_some() {}
    }
}

/// Taken back while offline: gone here at once, and the peer is told once we are online,
/// even after a restart in between (the retraction waits in the store, not in memory).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_taken_back_offline_reaches_the_peer_after_a_restart() {
    use confab::model::ConnectionState;
    for kind in support::servers() {
        let server = Server::start(kind);
        let users = register(&server, &["alice", "bob"]);
        let (alice, bob) = (&users[0], &users[1]);
        let mut bob_raw = RawClient::login(&server, "bob", PASSWORD).await;
        let (handle, mut events) = online(alice).await;
        let mine = sent(&handle, &mut events, &bob.jid, "said too soon").await;
        bob_raw.read_until("said too soon").await;

        handle.send(Command::Disconnect).expect("sent");
        wait_for(&mut events, WAIT, "offline", |e| {
            matches!(e, Event::Connection(ConnectionState::Idle))
        })
        .await;
        let retract = Command::Retract { chat: ChatId(bob.jid.clone()), message_id: mine.id };
        handle.send(retract).expect("sent");
        let gone = removed(&mut events, mine.id).await;
        assert_eq!(gone.kind, MessageKind::Removed(Removal::Retracted), "gone here at once");
        let outcome =
            wait_for(&mut events, WAIT, "the outcome", |e| matches!(e, Event::Outcome(_)));
        let outcome = outcome.await;
        assert!(
            matches!(&outcome, Event::Outcome(Ok(said)) if said.contains("once you are online")),
            "{outcome:?}"
        );
        assert_eq!(found(alice, "too soon"), 0, "out of the search");
        shut_down(handle, events).await;
        let due = store(alice).retractions_due(&alice.jid).expect("listed");
        let due: Vec<_> = due.iter().map(|d| (d.line.id, d.in_room)).collect();
        assert_eq!(due, [(mine.id, false)], "kept across the stop");

        let (handle, events) = online(alice).await;
        let origin = mine.origin_id.clone().expect("our line has an origin-id");
        let seen = bob_raw.read_until("urn:xmpp:message-retract:1").await;
        assert!(seen.contains(&origin), "the retraction names our line: {seen}");
        let deadline = std::time::Instant::now() + WAIT;
        while !store(alice).retractions_due(&alice.jid).expect("listed").is_empty() {
            assert!(std::time::Instant::now() < deadline, "the server never took the retraction");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        bob_raw.close().await;
        shut_down(handle, events).await;
    }
}

/// `confab retract` while the server cannot be reached: the line is deleted here and the
/// command says that the others are told later, and fails; the next sync tells them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_takes_a_line_back_while_the_server_is_down() {
    for kind in support::servers() {
        let mut server = Server::start(kind);
        let users = register(&server, &["alice", "bob"]);
        let (alice, bob) = (&users[0], &users[1]);
        let (handle, mut events) = online(alice).await;
        let mine = sent(&handle, &mut events, &bob.jid, "posted by mistake").await;
        shut_down(handle, events).await;

        server.stop();
        let out = alice.run(&["retract", &bob.jid, &mine.id.to_string()]);
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{}: not told yet, so not done: {said}", kind.name());
        assert!(said.contains("once you are online"), "{said}");
        assert!(said.contains("not online"), "{said}");
        let history = alice.json_lines(&["history", &bob.jid, "--json"]);
        let line = history.iter().find(|l| l["id"] == mine.id).expect("our line");
        assert_eq!(line["removed"], "retracted", "deleted here at once: {line}");
        let due = store(alice).retractions_due(&alice.jid).expect("listed");
        assert_eq!(due.iter().map(|d| d.line.id).collect::<Vec<_>>(), [mine.id]);

        server.resume();
        let mut bob_raw = RawClient::login(&server, "bob", PASSWORD).await;
        alice.ok(&["sync", "--wait", "1"]);
        let origin = mine.origin_id.clone().expect("our line has an origin-id");
        let seen = bob_raw.read_until("urn:xmpp:message-retract:1").await;
        assert!(seen.contains(&origin), "the retraction names our line: {seen}");
        assert!(store(alice).retractions_due(&alice.jid).expect("listed").is_empty());
        bob_raw.close().await;
    }
}

/// Retract our room line once the room has reflected it (and so given it its id).
async fn retract_in_room(handle: &Handle, events: &mut Events, room: &str, id: i64) {
    for _ in 0..50 {
        handle.send(Command::Retract { chat: ChatId(room.into()), message_id: id }).expect("sent");
        let outcome =
            wait_for(events, WAIT, "the retraction's outcome", |e| matches!(e, Event::Outcome(_)))
                .await;
        match outcome {
            Event::Outcome(Ok(_)) => return,
            Event::Outcome(Err(why))
                if why.contains("not confirmed") || why.contains("not gone out") =>
            {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            other => panic!("{other:?}"),
        }
    }
    panic!("the room never reflected our line");
}

/// The room's stanza-id of a line, as `who` stored it.
fn room_id(who: &Profile, message_id: i64) -> String {
    store(who).server_id(message_id).expect("read").expect("the room gave the line an id")
}

/// Prosody 0.12 gives occupant ids; ejabberd 23.01 does not, so there the author's stay in the
/// room tells a reused nick apart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_room_a_reused_nick_or_an_occupant_posing_as_moderator_removes_nothing() {
    for kind in support::servers() {
        let server = Server::start(kind);
        let users = register(&server, &["alice", "bob", "mallory"]);
        let tea = format!("tea@{ROOMS}");
        let Ok([(alice, mut alice_events), (bob, mut bob_events)]) =
            <[_; 2]>::try_from(gathered(&users[..2], &tea).await)
        else {
            panic!("two in the room")
        };

        // Alice takes back her own line: bob's copy is blanked.
        alice.send(Command::Send { to: tea.clone(), body: "wrong room".into() }).expect("sent");
        let mine = line(&mut alice_events, "wrong room").await;
        let bobs_copy = line(&mut bob_events, "wrong room").await;
        retract_in_room(&alice, &mut alice_events, &tea, mine.id).await;
        removed(&mut bob_events, bobs_copy.id).await;

        // Bob's line, then bob leaves and mallory sits down under his nick.
        bob.send(Command::Send { to: tea.clone(), body: "bob was here".into() }).expect("sent");
        let bobs = line(&mut alice_events, "bob was here").await;
        let named = room_id(&users[0], bobs.id);
        bob.send(Command::Room(RoomCommand::Leave { room: tea.clone() })).expect("sent");
        line(&mut alice_events, "bob left").await;
        let (mallory, mut mallory_events) = online(&users[2]).await;
        join_as(&mallory, &mut mallory_events, &tea, "bob").await;
        mallory.send(Command::SendRaw(retraction(&tea, "groupchat", &named))).expect("sent");
        // And poses as a moderator, in both versions of XEP-0425.
        let posing = format!(
            "<message type='groupchat' to='{tea}' id='posing'>\
             <retract xmlns='urn:xmpp:message-retract:1' id='{named}'>\
             <moderated xmlns='urn:xmpp:message-moderate:1' by='{tea}/boss'/>\
             <reason>spam</reason></retract>\
             <apply-to xmlns='urn:xmpp:fasten:0' id='{named}'>\
             <moderated xmlns='urn:xmpp:message-moderate:0' by='{tea}/boss'>\
             <retract xmlns='urn:xmpp:message-retract:0'/></moderated></apply-to></message>"
        );
        mallory.send(Command::SendRaw(posing)).expect("sent");
        mallory.send(Command::Send { to: tea.clone(), body: "hi all".into() }).expect("sent");
        nothing_changed_before(&mut alice_events, "hi all").await;
        assert_eq!(found(&users[0], "bob was here"), 1, "{}", kind.name());
        for (handle, mut events) in
            [(alice, alice_events), (bob, bob_events), (mallory, mallory_events)]
        {
            handle.send(Command::Shutdown).expect("sent");
            while events.recv().await.is_some() {}
        }
    }
}

/// Only Prosody 13's mod_muc_moderation can moderate here (see `Setup::moderation`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moderator_removes_a_line_through_the_room() {
    let why =
        "ejabberd 23.01 has no XEP-0425 moderation; Prosody 13 with mod_muc_moderation is tested";
    for kind in support::servers_except(Kind::Ejabberd, why) {
        let setup = Setup { moderation: true, ..Setup::default() };
        let server = Server::start_with(kind, setup);
        let users = register(&server, &["alice", "bob"]);
        let tea = format!("tea@{ROOMS}");
        let Ok([(alice, mut alice_events), (bob, mut bob_events)]) =
            <[_; 2]>::try_from(gathered(&users[..2], &tea).await)
        else {
            panic!("two in the room")
        };
        bob.send(Command::Send { to: tea.clone(), body: "buy cheap pills".into() }).expect("sent");
        let spam = line(&mut alice_events, "buy cheap pills").await;
        let bobs_own = line(&mut bob_events, "buy cheap pills").await;

        // Bob is no moderator: the room refuses him.
        let refused =
            Command::Moderate { room: tea.clone(), message_id: bobs_own.id, reason: None };
        bob.send(refused).expect("sent");
        wait_for(&mut bob_events, WAIT, "the room's refusal", |e| {
            matches!(e, Event::Outcome(Err(_)))
        })
        .await;

        let reason = Some("spam".to_owned());
        alice
            .send(Command::Moderate { room: tea.clone(), message_id: spam.id, reason })
            .expect("sent");
        let gone = removed(&mut bob_events, bobs_own.id).await;
        match gone.kind {
            MessageKind::Removed(Removal::Moderated { reason, .. }) => {
                assert_eq!(reason.as_deref(), Some("spam"));
            }
            other => panic!("{other:?}"),
        }
        removed(&mut alice_events, spam.id).await;
        assert_eq!(found(&users[1], "cheap pills"), 0);
        let lines: Vec<serde_json::Value> = users[1].json_lines(&["history", &tea, "--json"]);
        assert!(
            lines.iter().any(|l| l["removed"] == "moderated" && l["removed_reason"] == "spam"),
            "{lines:?}"
        );
        for (handle, mut events) in [(alice, alice_events), (bob, bob_events)] {
            handle.send(Command::Shutdown).expect("sent");
            while events.recv().await.is_some() {}
        }
    }
}
