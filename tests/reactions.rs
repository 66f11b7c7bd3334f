//! Reactions (XEP-0444) against real servers (Prosody and ejabberd): a raw peer's set is kept
//! and replaced by their next one; ours reaches the peer in XEP-0444 form; sets naming no line
//! we have are dropped; in a room, an occupant who took a departed member's nick cannot change
//! that member's reactions, and our own set reflected by the room stays ours.

mod support;

use confab::model::{ChatId, ReactionCount};
use confab::worker::{Command, Event, RoomCommand};
use support::chat::{Events, gathered, join_as, line, register, store};
use support::raw_client::RawClient;
use support::{PASSWORD, ROOMS, Server, WAIT, online, wait_for};

/// The next reactions the window is told of for line `id`, as (emoji, count, ours).
async fn reactions(events: &mut Events, id: i64) -> Vec<(String, usize, bool)> {
    let what = format!("reactions on line {id}");
    let seen = wait_for(events, WAIT, &what, |e| {
        matches!(e, Event::Reactions { reactions, .. } if reactions.iter().any(|(m, _)| *m == id))
    })
    .await;
    let Event::Reactions { reactions, .. } = seen else { unreachable!() };
    let counts: Vec<ReactionCount> =
        reactions.into_iter().find(|(m, _)| *m == id).map(|(_, c)| c).unwrap_or_default();
    counts.into_iter().map(|c| (c.emoji, c.count, c.ours)).collect()
}

/// Wait for the line `body`, failing if reactions change first: whatever was sent before it
/// has been taken in and dropped.
async fn no_reactions_before(events: &mut Events, body: &str) {
    let seen = wait_for(events, WAIT, body, |e| {
        matches!(e, Event::Reactions { .. }) || matches!(e, Event::Message(m) if m.body == body)
    })
    .await;
    assert!(!matches!(seen, Event::Reactions { .. }), "changed before {body:?}: {seen:?}");
}

fn chat(to: &str, id: &str, body: &str) -> String {
    format!(
        "<message type='chat' to='{to}' id='{id}'><body>{body}</body>\
         <origin-id xmlns='urn:xmpp:sid:0' id='{id}'/></message>"
    )
}

fn react(to: &str, kind: &str, named: &str, emojis: &[&str]) -> String {
    let set: String = emojis.iter().map(|e| format!("<reaction>{e}</reaction>")).collect();
    format!(
        "<message type='{kind}' to='{to}' id='x-{named}-{}'>\
         <reactions xmlns='urn:xmpp:reactions:0' id='{named}'>{set}</reactions>\
         <store xmlns='urn:xmpp:hints'/></message>",
        emojis.len()
    )
}

fn mine(emoji: &str, count: usize, ours: bool) -> (String, usize, bool) {
    (emoji.to_owned(), count, ours)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_chat_each_set_replaces_the_last_and_ours_reaches_the_peer() {
    for kind in support::servers() {
        let server = Server::start(kind);
        let users = register(&server, &["alice", "bob", "mallory"]);
        let (alice, bob) = (&users[0], &users[1]);
        let mut bob_raw = RawClient::login(&server, "bob", PASSWORD).await;
        let mut mallory_raw = RawClient::login(&server, "mallory", PASSWORD).await;
        let (handle, mut events) = online(alice).await;

        bob_raw.send(&chat(&alice.jid, "b-1", "react to me")).await;
        let theirs = line(&mut events, "react to me").await;
        bob_raw.send(&react(&alice.jid, "chat", "b-1", &["👍", "😂"])).await;
        let seen = reactions(&mut events, theirs.id).await;
        assert_eq!(seen, [mine("👍", 1, false), mine("😂", 1, false)], "{}", kind.name());
        // The next set replaces the whole last one.
        bob_raw.send(&react(&alice.jid, "chat", "b-1", &["❤️"])).await;
        assert_eq!(reactions(&mut events, theirs.id).await, [mine("❤️", 1, false)]);

        // Sets naming nothing we have in that chat are dropped: an unknown id, and bob's
        // line named from mallory's chat.
        bob_raw.send(&react(&alice.jid, "chat", "nothing-like-it", &["👎"])).await;
        mallory_raw.send(&react(&alice.jid, "chat", "b-1", &["👎"])).await;
        bob_raw.send(&chat(&alice.jid, "b-2", "after the strays")).await;
        no_reactions_before(&mut events, "after the strays").await;

        // Ours: stored, shown as ours, and sent to bob naming his origin-id.
        let ours = Command::React {
            chat: ChatId(bob.jid.clone()),
            message_id: theirs.id,
            emojis: vec!["👍".into()],
        };
        handle.send(ours).expect("sent");
        assert_eq!(
            reactions(&mut events, theirs.id).await,
            [mine("❤️", 1, false), mine("👍", 1, true)]
        );
        let seen = bob_raw.read_until("urn:xmpp:reactions:0").await;
        let named = seen.contains("id='b-1'") || seen.contains("id=\"b-1\"");
        assert!(named && seen.contains("<reaction>👍</reaction>"), "{seen}");

        // The command line shows who reacted with what.
        let lines: Vec<serde_json::Value> = alice.json_lines(&["history", &bob.jid, "--json"]);
        let reacted = lines.iter().find(|l| l["id"] == theirs.id).expect("the line");
        assert_eq!(reacted["reactions"]["❤️"], serde_json::json!([bob.jid]), "{reacted}");
        assert_eq!(reacted["reactions"]["👍"], serde_json::json!([alice.jid]), "{reacted}");
        bob_raw.close().await;
        mallory_raw.close().await;
        handle.send(Command::Shutdown).expect("sent");
        while events.recv().await.is_some() {}

        // `confab react` takes ours back.
        let output = alice.run(&["react", &bob.jid, &theirs.id.to_string()]);
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{said}");
        let left = store(alice).reactions(&[theirs.id]).expect("read");
        assert!(left.iter().flat_map(|r| &r.1).all(|c| !c.ours), "{said} {left:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_room_a_reused_nick_cannot_change_a_departed_members_reactions() {
    for kind in support::servers() {
        let server = Server::start(kind);
        let users = register(&server, &["alice", "bob", "mallory"]);
        let tea = format!("tea@{ROOMS}");
        let Ok([(alice, mut alice_events), (bob, mut bob_events)]) =
            <[_; 2]>::try_from(gathered(&users[..2], &tea).await)
        else {
            panic!("two in the room")
        };

        // Bob reacts to alice's line (someone else's: that is what reactions are for).
        alice.send(Command::Send { to: tea.clone(), body: "tea is ready".into() }).expect("sent");
        let alices = line(&mut alice_events, "tea is ready").await;
        let bobs_copy = line(&mut bob_events, "tea is ready").await;
        let set = Command::React {
            chat: ChatId(tea.clone()),
            message_id: bobs_copy.id,
            emojis: vec!["👍".into()],
        };
        for _ in 0..50 {
            bob.send(set.clone()).expect("sent");
            let outcome =
                wait_for(&mut bob_events, WAIT, "the outcome", |e| matches!(e, Event::Outcome(_)))
                    .await;
            match outcome {
                Event::Outcome(Ok(_)) => break,
                Event::Outcome(Err(why)) if why.contains("no id") => {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await
                }
                other => panic!("{other:?}"),
            }
        }
        let seen = reactions(&mut alice_events, alices.id).await;
        assert_eq!(seen, [mine("👍", 1, false)], "{}", kind.name());
        // Bob's set reflected by the room stays his own, not a second reactor's.
        bob.send(Command::Send { to: tea.clone(), body: "bob's marker".into() }).expect("sent");
        line(&mut bob_events, "bob's marker").await;
        let bobs_view = store(&users[1]).reactions(&[bobs_copy.id]).expect("read");
        assert_eq!(bobs_view[0].1.len(), 1, "{bobs_view:?}");
        assert_eq!((bobs_view[0].1[0].count, bobs_view[0].1[0].ours), (1, true));

        // Bob leaves; mallory takes his nick and tries to take back or change his reaction.
        let named = store(&users[0]).server_id(alices.id).expect("read").expect("the room's id");
        bob.send(Command::Room(RoomCommand::Leave { room: tea.clone() })).expect("sent");
        line(&mut alice_events, "bob left").await;
        let (mallory, mut mallory_events) = online(&users[2]).await;
        join_as(&mallory, &mut mallory_events, &tea, "bob").await;
        // First a set naming nothing in the room: dropped.
        mallory.send(Command::SendRaw(react(&tea, "groupchat", "nope", &["👎"]))).expect("sent");
        mallory.send(Command::Send { to: tea.clone(), body: "hi all".into() }).expect("sent");
        no_reactions_before(&mut alice_events, "hi all").await;
        mallory.send(Command::SendRaw(react(&tea, "groupchat", &named, &[]))).expect("sent");
        let after_empty = reactions(&mut alice_events, alices.id).await;
        assert_eq!(after_empty, [mine("👍", 1, false)], "bob's stays: {}", kind.name());
        mallory.send(Command::SendRaw(react(&tea, "groupchat", &named, &["😂"]))).expect("sent");
        let seen = reactions(&mut alice_events, alices.id).await;
        assert_eq!(seen, [mine("👍", 1, false), mine("😂", 1, false)], "{}", kind.name());
        for (handle, mut events) in
            [(alice, alice_events), (bob, bob_events), (mallory, mallory_events)]
        {
            handle.send(Command::Shutdown).expect("sent");
            while events.recv().await.is_some() {}
        }
    }
}
