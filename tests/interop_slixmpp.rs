//! Interoperability with an independent implementation: slixmpp (Python, its own XEP plugins)
//! as a peer through each real server. What it sends, Confab understands, and what Confab
//! sends, slixmpp's plugins understand: replies (XEP-0461 with the XEP-0428 fallback, stripped
//! by each side), reactions (XEP-0444) and retractions (XEP-0424); in rooms the same named by
//! the room's ids, and moderation (XEP-0425) either way where the server offers it.

mod support;

use confab::model::{Affiliation, ChatId, MessageKind, Removal};
use confab::worker::{Command, Event, Handle, RoomCommand};
use serde_json::{Value, json};
use support::chat::{Events, create, line, register, shut_down, store};
use support::slixmpp::SlixPeer;
use support::{Kind, PASSWORD, ROOMS, Server, Setup, WAIT, online, wait_for};

/// Whether `event` tells of reactions on line `id` that include someone else's `emoji`.
fn reacted(event: &Event, id: i64, emoji: &str) -> bool {
    matches!(event, Event::Reactions { reactions, .. }
        if reactions.iter().any(|(line, counts)| *line == id
            && counts.iter().any(|c| c.emoji == emoji && !c.ours)))
}

/// Wait until line `id` is removed, and say how.
async fn removed(events: &mut Events, id: i64) -> MessageKind {
    let seen = wait_for(events, WAIT, "the line removed", |e| {
        matches!(e, Event::Edited(m) if m.id == id && matches!(m.kind, MessageKind::Removed(_)))
    })
    .await;
    let Event::Edited(line) = seen else { unreachable!() };
    line.kind
}

/// `tea@rooms…`, created by alice's worker, with slixmpp in it as bob: her worker and events,
/// the peer and the room's address.
async fn in_a_room_with_slixmpp(server: &Server) -> (Handle, Events, SlixPeer, String) {
    let users = register(server, &["alice", "bob"]);
    let tea = format!("tea@{ROOMS}");
    let (alice, mut events) = online(&users[0]).await;
    create(&alice, &mut events, &tea).await;
    let mut bob = SlixPeer::login(server, "bob", PASSWORD);
    bob.command(json!({"op": "join", "room": tea, "nick": "bob"}));
    (alice, events, bob, tea)
}

/// slixmpp's view of a room line: its words and the room's id for it.
fn room_line(peer: &mut SlixPeer, body: &str) -> Value {
    peer.expect(body, |e| e["event"] == "room_message" && e["body"] == body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_reactions_and_retractions_go_both_ways_with_slixmpp() {
    for kind in support::servers() {
        let server = Server::start(kind);
        let users = register(&server, &["alice", "bob"]);
        let alice = &users[0];
        let mut bob = SlixPeer::login(&server, "bob", PASSWORD);
        let (handle, mut events) = online(alice).await;
        let chat = ChatId(bob.jid.clone());

        // slixmpp → Confab: a line, a reply to it with slixmpp's own fallback, reactions on
        // ours, and the line taken back.
        bob.send(&alice.jid, "s-1", "cake at noon?");
        let theirs = line(&mut events, "cake at noon?").await;
        bob.command(json!({
            "op": "reply", "to": alice.jid, "author": bob.jid, "reply_id": "s-1",
            "quote": "cake at noon?", "nick": "bob", "id": "s-2", "body": "or at one",
        }));
        let answer = line(&mut events, "or at one").await;
        let answered = answer.reply.as_ref().and_then(|r| r.line.as_ref()).map(|l| l.id);
        assert_eq!(answered, Some(theirs.id), "{}: {answer:?}", kind.name());
        assert_eq!(answer.reply.and_then(|r| r.quote).as_deref(), Some("cake at noon?"));
        // A line its sender wants shown as typed (XEP-0393 §6), and one styled as usual.
        bob.command(json!({
            "op": "send", "to": alice.jid, "id": "s-p", "body": "*as typed*", "unstyled": true,
        }));
        let plain = line(&mut events, "*as typed*").await;
        assert!(plain.unstyled, "{}: {plain:?}", kind.name());
        bob.send(&alice.jid, "s-s", "*styled*");
        assert!(!line(&mut events, "*styled*").await.unstyled);

        handle.send(Command::Send { to: bob.jid.clone(), body: "hello bob".into() }).expect("sent");
        let ours = line(&mut events, "hello bob").await;
        let seen = bob.expect("our line", |e| e["event"] == "message" && e["body"] == "hello bob");
        let our_id = seen["id"].as_str().expect("an id").to_owned();
        bob.command(json!({"op": "react", "to": alice.jid, "id": our_id, "emojis": ["👍"]}));
        wait_for(&mut events, WAIT, "slixmpp's reaction", |e| reacted(e, ours.id, "👍")).await;
        bob.command(json!({"op": "retract", "to": alice.jid, "id": "s-1"}));
        assert_eq!(removed(&mut events, theirs.id).await, MessageKind::Removed(Removal::Retracted));

        // Confab → slixmpp: a reply, reactions and a retraction, as slixmpp's plugins read them.
        bob.send(&alice.jid, "s-3", "tea or coffee?");
        let question = line(&mut events, "tea or coffee?").await;
        let reply =
            Command::Reply { chat: chat.clone(), message_id: question.id, body: "tea".into() };
        handle.send(reply).expect("sent");
        let got = bob.expect("our reply", |e| e["event"] == "message" && e["reply_id"] == "s-3");
        assert_eq!(got["stripped"], "tea", "slixmpp strips our fallback: {got}");
        assert!(got["body"].as_str().is_some_and(|b| b.contains("> tea or coffee?")), "{got}");
        let react = Command::React {
            chat: chat.clone(),
            message_id: question.id,
            emojis: vec!["🎉".into()],
        };
        handle.send(react).expect("sent");
        let got = bob.expect("our reactions", |e| e["event"] == "reactions");
        assert_eq!((got["id"].as_str(), &got["values"]), (Some("s-3"), &json!(["🎉"])), "{got}");
        handle.send(Command::Retract { chat: chat.clone(), message_id: ours.id }).expect("sent");
        let got = bob.expect("our retraction", |e| e["event"] == "retract");
        assert_eq!(got["id"], our_id.as_str(), "{got}");

        drop(bob);
        shut_down(handle, events).await;
        let kept = store(alice).message(theirs.id).expect("read").expect("the line");
        assert!(matches!(kept.kind, MessageKind::Removed(_)), "{}: {kept:?}", kind.name());
        assert!(store(alice).message(plain.id).expect("read").is_some_and(|m| m.unstyled));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_room_replies_and_reactions_name_the_rooms_ids_both_ways_with_slixmpp() {
    for kind in support::servers() {
        let server = Server::start(kind);
        let (alice, mut events, mut bob, tea) = in_a_room_with_slixmpp(&server).await;
        let room = ChatId(tea.clone());

        bob.command(json!({"op": "room_send", "room": tea, "id": "s-1", "body": "tea is ready"}));
        let theirs = line(&mut events, "tea is ready").await;
        let bobs_id = room_line(&mut bob, "tea is ready")["stanza_id"].clone();
        let reply =
            Command::Reply { chat: room.clone(), message_id: theirs.id, body: "coming".into() };
        alice.send(reply).expect("sent");
        let ours = line(&mut events, "coming").await;
        let got =
            bob.expect("our reply", |e| e["event"] == "room_message" && e["reply_id"] == bobs_id);
        assert_eq!(got["stripped"], "coming", "{}: {got}", kind.name());
        let our_id = got["stanza_id"].clone();
        let react =
            Command::React {
                chat: room.clone(), message_id: theirs.id, emojis: vec!["👍".into()]
            };
        alice.send(react).expect("sent");
        let got = bob.expect("our reactions", |e| e["event"] == "reactions");
        assert_eq!((&got["id"], &got["values"]), (&bobs_id, &json!(["👍"])), "{got}");

        // slixmpp answers and reacts to our line by the room's id for it.
        bob.command(json!({
            "op": "room_reply", "room": tea, "author": format!("{tea}/alice"), "reply_id": our_id,
            "quote": "coming", "nick": "alice", "id": "s-2", "body": "great",
        }));
        let answer = line(&mut events, "great").await;
        let answered = answer.reply.as_ref().and_then(|r| r.line.as_ref()).map(|l| l.id);
        assert_eq!(answered, Some(ours.id), "{}: {answer:?}", kind.name());
        bob.command(json!({"op": "room_react", "room": tea, "id": our_id, "emojis": ["🎉"]}));
        wait_for(&mut events, WAIT, "slixmpp's reaction", |e| reacted(e, ours.id, "🎉")).await;
        drop(bob);
        shut_down(alice, events).await;
    }
}

/// Only Prosody 13's mod_muc_moderation moderates here (see `Setup::moderation`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moderation_goes_both_ways_with_slixmpp() {
    let why = "ejabberd 23.01 has no XEP-0425 moderation; Prosody 13 with mod_muc_moderation is";
    for kind in support::servers_except(Kind::Ejabberd, why) {
        let server = Server::start_with(kind, Setup { moderation: true, ..Setup::default() });
        let (alice, mut events, mut bob, tea) = in_a_room_with_slixmpp(&server).await;

        // We moderate: slixmpp is told the room removed its line.
        bob.command(json!({"op": "room_send", "room": tea, "id": "s-1", "body": "cheap pills"}));
        let spam = line(&mut events, "cheap pills").await;
        let spam_id = room_line(&mut bob, "cheap pills")["stanza_id"].clone();
        let reason = Some("spam".to_owned());
        alice
            .send(Command::Moderate { room: tea.clone(), message_id: spam.id, reason })
            .expect("sent");
        let got = bob.expect("the removal", |e| e["event"] == "moderated");
        assert_eq!((&got["id"], &got["reason"]), (&spam_id, &json!("spam")), "{got}");
        removed(&mut events, spam.id).await;

        // slixmpp, made an admin, moderates our line through the room.
        let admin = RoomCommand::SetAffiliation {
            room: tea.clone(),
            jid: bob.jid.clone(),
            affiliation: Affiliation::Admin,
            reason: None,
        };
        alice.send(Command::Room(admin)).expect("sent");
        wait_for(&mut events, WAIT, "bob made admin", |e| matches!(e, Event::Outcome(Ok(_)))).await;
        alice.send(Command::Send { to: tea.clone(), body: "oops".into() }).expect("sent");
        let ours = line(&mut events, "oops").await;
        let our_id = room_line(&mut bob, "oops")["stanza_id"].clone();
        bob.command(json!({"op": "moderate", "room": tea, "id": our_id, "reason": "off topic"}));
        match removed(&mut events, ours.id).await {
            MessageKind::Removed(Removal::Moderated { reason, .. }) => {
                assert_eq!(reason.as_deref(), Some("off topic"));
            }
            other => panic!("{other:?}"),
        }
        drop(bob);
        shut_down(alice, events).await;
    }
}
