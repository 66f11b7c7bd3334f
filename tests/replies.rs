//! Replies (XEP-0461) against real servers (Prosody and ejabberd): a raw peer's reply shows
//! its words without the quote and points at the line it answers; ours reaches the peer with
//! the line named and quoted for clients without replies; in a room only the room's id names a
//! line, so an occupant naming someone's line by its sender's own id points at nothing.

mod support;

use confab::model::{ChatId, Message};
use confab::worker::{Command, Event, Handle};
use support::chat::{Events, gathered, line, register, shut_down};
use support::raw_client::RawClient;
use support::{PASSWORD, ROOMS, Server, WAIT, online, wait_for};

fn chat(to: &str, id: &str, body: &str) -> String {
    format!(
        "<message type='chat' to='{to}' id='{id}'><body>{body}</body>\
         <origin-id xmlns='urn:xmpp:sid:0' id='{id}'/></message>"
    )
}

/// A reply as other clients send it: "> quote" first, marked as the reply's fallback.
fn reply(kind: &str, to: &str, id: &str, named: &str, quote: &str, body: &str) -> String {
    let fallback = format!("&gt; {quote}\n");
    let end = format!("> {quote}\n").chars().count();
    format!(
        "<message type='{kind}' to='{to}' id='{id}'><body>{fallback}{body}</body>\
         <origin-id xmlns='urn:xmpp:sid:0' id='{id}'/>\
         <reply xmlns='urn:xmpp:reply:0' id='{named}'/>\
         <fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:reply:0'>\
         <body start='0' end='{end}'/></fallback></message>"
    )
}

/// Where a line's reply points in this store, if anywhere.
fn answered(message: &Message) -> Option<i64> {
    message.reply.as_ref().and_then(|r| r.line.as_ref()).map(|line| line.id)
}

/// Ask for a reply until the line has the id others name it by (a room's line gets it when
/// the room reflects it).
async fn reply_when_named(handle: &Handle, events: &mut Events, command: Command) {
    for _ in 0..50 {
        handle.send(command.clone()).expect("sent");
        let seen = wait_for(events, WAIT, "the reply queued", |e| {
            matches!(e, Event::Outcome(Err(_)))
                || matches!(e, Event::Message(m) if m.reply.is_some())
        })
        .await;
        match seen {
            Event::Message(_) => return,
            Event::Outcome(Err(why)) if why.contains("no id") => {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await
            }
            other => panic!("{other:?}"),
        }
    }
    panic!("the line never got its id");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_chat_a_reply_points_at_its_line_and_ours_reaches_the_peer_quoted() {
    for kind in support::servers() {
        let server = Server::start(kind);
        let users = register(&server, &["alice", "bob"]);
        let (alice, bob) = (&users[0], &users[1]);
        let mut bob_raw = RawClient::login(&server, "bob", PASSWORD).await;
        let (handle, mut events) = online(alice).await;

        bob_raw.send(&chat(&alice.jid, "b-1", "cake at noon?")).await;
        let theirs = line(&mut events, "cake at noon?").await;
        bob_raw.send(&reply("chat", &alice.jid, "b-2", "b-1", "cake at noon?", "or at one")).await;
        let answer = line(&mut events, "or at one").await;
        assert_eq!(answered(&answer), Some(theirs.id), "{}: {answer:?}", kind.name());
        // A reply to a line we never had still says what it answered.
        bob_raw.send(&reply("chat", &alice.jid, "b-3", "gone", "an old line", "still true")).await;
        let orphan = line(&mut events, "still true").await;
        let orphan_reply = orphan.reply.expect("a reply");
        assert_eq!((orphan_reply.line, orphan_reply.quote.as_deref()), (None, Some("an old line")));

        // Ours names bob's line by his id and quotes it first for clients without replies.
        let ours = Command::Reply {
            chat: ChatId(bob.jid.clone()),
            message_id: theirs.id,
            body: "noon!".into(),
        };
        handle.send(ours).expect("sent");
        let sent = line(&mut events, "noon!").await;
        assert_eq!(answered(&sent), Some(theirs.id));
        let seen = bob_raw.read_until("urn:xmpp:reply:0").await;
        assert!(seen.contains("id='b-1'") || seen.contains("id=\"b-1\""), "{seen}");
        assert!(seen.contains("; cake at noon?\nnoon!</body>"), "{seen}");
        assert!(seen.contains("urn:xmpp:fallback:0"), "{seen}");
        bob_raw.close().await;
        shut_down(handle, events).await;

        // The command line shows what each line answers, and replies too.
        let lines: Vec<serde_json::Value> = alice.json_lines(&["history", &bob.jid, "--json"]);
        let shown = lines.iter().find(|l| l["body"] == "or at one").expect("the reply");
        assert_eq!(shown["reply_to"]["message_id"], theirs.id, "{shown}");
        assert_eq!(shown["reply_to"]["text"], "cake at noon?", "{shown}");
        alice.ok(&["reply", &bob.jid, &theirs.id.to_string(), "from the command line"]);
        let lines: Vec<serde_json::Value> = alice.json_lines(&["history", &bob.jid, "--json"]);
        let shown = lines.iter().find(|l| l["body"] == "from the command line").expect("ours");
        assert_eq!(shown["reply_to"]["message_id"], theirs.id, "{shown}");
        assert_eq!(shown["state"], "sent", "{shown}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_room_only_the_rooms_id_names_the_line_a_reply_answers() {
    for kind in support::servers() {
        let server = Server::start(kind);
        let users = register(&server, &["alice", "bob", "mallory"]);
        let tea = format!("tea@{ROOMS}");
        let Ok([(alice, mut alice_events), (bob, mut bob_events), (mallory, mallory_events)]) =
            <[_; 3]>::try_from(gathered(&users, &tea).await)
        else {
            panic!("three in the room")
        };

        alice.send(Command::Send { to: tea.clone(), body: "tea is ready".into() }).expect("sent");
        let alices = line(&mut alice_events, "tea is ready").await;
        let bobs_copy = line(&mut bob_events, "tea is ready").await;
        let ask = Command::Reply {
            chat: ChatId(tea.clone()),
            message_id: bobs_copy.id,
            body: "coming".into(),
        };
        reply_when_named(&bob, &mut bob_events, ask).await;
        let answer = line(&mut alice_events, "coming").await;
        assert_eq!(answered(&answer), Some(alices.id), "{}: {answer:?}", kind.name());

        // Mallory names alice's line by alice's own id: the room vouches for no such id.
        let origin = alices.origin_id.clone().expect("our id");
        let raw = reply("groupchat", &tea, "m-1", &origin, "tea is ready", "by her own id");
        mallory.send(Command::SendRaw(raw)).expect("sent");
        let stray = line(&mut alice_events, "by her own id").await;
        assert_eq!(answered(&stray), None, "{}: {stray:?}", kind.name());
        assert_eq!(stray.reply.and_then(|r| r.quote).as_deref(), Some("tea is ready"));
        for (handle, events) in
            [(alice, alice_events), (bob, bob_events), (mallory, mallory_events)]
        {
            shut_down(handle, events).await;
        }
    }
}
