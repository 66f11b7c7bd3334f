//! Interoperability with an independent implementation: slixmpp (Python, its own XEP plugins)
//! as a peer through each real server. What it sends, Confab understands, and what Confab
//! sends, slixmpp's plugins understand: replies (XEP-0461 with the XEP-0428 fallback, stripped
//! by each side), reactions (XEP-0444) and retractions (XEP-0424).

mod support;

use confab::model::{ChatId, MessageKind};
use confab::worker::{Command, Event};
use serde_json::json;
use support::chat::{line, register, shut_down, store};
use support::slixmpp::SlixPeer;
use support::{PASSWORD, Server, WAIT, online, wait_for};

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

        handle.send(Command::Send { to: bob.jid.clone(), body: "hello bob".into() }).expect("sent");
        let ours = line(&mut events, "hello bob").await;
        let seen = bob.expect("our line", |e| e["event"] == "message" && e["body"] == "hello bob");
        let our_id = seen["id"].as_str().expect("an id").to_owned();
        bob.command(json!({"op": "react", "to": alice.jid, "id": our_id, "emojis": ["👍"]}));
        wait_for(&mut events, WAIT, "slixmpp's reaction", |e| {
            matches!(e, Event::Reactions { reactions, .. }
                if reactions.iter().any(|(id, counts)| *id == ours.id
                    && counts.iter().any(|c| c.emoji == "👍" && !c.ours)))
        })
        .await;
        bob.command(json!({"op": "retract", "to": alice.jid, "id": "s-1"}));
        wait_for(&mut events, WAIT, "the line taken back", |e| {
            matches!(e, Event::Edited(m) if m.id == theirs.id
                && matches!(m.kind, MessageKind::Removed(_)))
        })
        .await;

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
    }
}
