//! Never losing a message, against real servers (Prosody and ejabberd): receipts and read markers, scheduled send,
//! archive catch-up without duplicates, carbons (and a forged one dropped), corrections only
//! from their author, typing, every message exactly once through a server restart, and a
//! message the server acknowledged and lost sent again.

mod support;

use confab::model::{ChatId, Delivery, Direction, Typing};
use confab::worker::{Command, Event};
use serde_json::Value;
use std::time::Duration;
use support::raw_client::RawClient;
use support::{DOMAIN, PASSWORD, Profile, WAIT, all_sent, befriend, caught_up, online, wait_for};
use tokio::sync::mpsc::UnboundedReceiver;

async fn heard(events: &mut UnboundedReceiver<Event>, body: &str) -> confab::model::Message {
    match wait_for(events, WAIT, body, |e| matches!(e, Event::Message(m) if m.body == body)).await {
        Event::Message(message) => message,
        _ => unreachable!(),
    }
}

/// The command line run for a profile directory, from a blocking task while workers run.
fn confab(dir: &std::path::Path, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_confab"))
        .arg("--profile")
        .arg(dir)
        .args(args)
        .env("CONFAB_PASSWORD_STORE", "file")
        .output()
        .expect("confab runs");
    assert!(out.status.success(), "confab {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn history(profile: &Profile, with: &str) -> Vec<Value> {
    profile.json_lines(&["history", with, "--json", "--limit", "5000"])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receipts_and_read_markers_move_the_state_forward() {
    for kind in support::servers() {
        let (_server, users) = support::server_with(kind, &["alice", "bob"]);
        befriend(&users[0], &users[1]);
        let (alice, mut alice_events) = online(&users[0]).await;
        let (bob, mut bob_events) = online(&users[1]).await;

        alice
            .send(Command::Send { to: users[1].jid.clone(), body: "did you get this?".into() })
            .expect("sent");
        let mine = heard(&mut alice_events, "did you get this?").await;
        heard(&mut bob_events, "did you get this?").await;
        wait_for(&mut alice_events, WAIT, "the receipt", |e| {
            matches!(e, Event::Delivery { message_id, state: Delivery::Delivered, .. } if *message_id == mine.id)
        })
        .await;

        bob.send(Command::MarkDisplayed { chat: ChatId(users[0].jid.clone()) }).expect("sent");
        wait_for(&mut alice_events, WAIT, "the read marker", |e| {
            matches!(e, Event::Delivery { message_id, state: Delivery::Read, .. } if *message_id == mine.id)
        })
        .await;

        bob.send(Command::Typing { chat: ChatId(users[0].jid.clone()), typing: Typing::Composing })
            .expect("sent");
        wait_for(&mut alice_events, WAIT, "bob typing", |e| {
            matches!(e, Event::Typing { typing: Typing::Composing, chat } if chat.as_str() == users[1].jid)
        })
        .await;
        drop((alice, bob));
        let stored = history(&users[0], &users[1].jid);
        assert_eq!(stored[0]["state"], "read", "{stored:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_message_goes_out_when_due_and_not_before() {
    for kind in support::servers() {
        let (_server, users) = support::server_with(kind, &["alice", "bob"]);
        let (alice, mut alice_events) = online(&users[0]).await;
        let (_bob, mut bob_events) = online(&users[1]).await;
        let at = chrono::Utc::now() + chrono::Duration::seconds(3);
        alice
            .send(Command::SendAt { to: users[1].jid.clone(), body: "later".into(), at })
            .expect("sent");
        let scheduled = heard(&mut alice_events, "later").await;
        assert_eq!(
            scheduled.scheduled_for.map(|t| t.timestamp_millis()),
            Some(at.timestamp_millis())
        );
        assert_eq!(scheduled.state, Delivery::Pending);

        let early =
            tokio::time::timeout(Duration::from_secs(2), heard(&mut bob_events, "later")).await;
        assert!(early.is_err(), "nothing arrives before the due time");
        let arrived = heard(&mut bob_events, "later").await;
        assert!(chrono::Utc::now() >= at, "delivered at {} for {at}", arrived.timestamp);
    }
}

#[test]
fn a_message_scheduled_from_the_command_line_waits_for_the_next_start() {
    for kind in support::servers() {
        let (_server, users) = support::server_with(kind, &["alice", "bob"]);
        let (alice, bob) = (&users[0], &users[1]);
        alice.ok(&["send", &bob.jid, "see you at noon", "--at", "+2s"]);
        let queued = alice.json_lines(&["outbox", "--json"]);
        assert_eq!(queued.len(), 1, "{queued:?}");
        assert!(queued[0]["due"].is_string());
        alice.ok(&["send", &bob.jid, "never mind", "--at", "+1h"]);
        let cancel = alice.json_lines(&["outbox", "--json"]);
        let id = cancel.iter().find(|m| m["body"] == "never mind").map(|m| m["id"].to_string());
        alice.ok(&["outbox", "cancel", &id.expect("queued")]);

        std::thread::sleep(Duration::from_secs(3));
        alice.ok(&["sync", "--wait", "2"]);
        bob.ok(&["sync", "--wait", "1"]);
        let got = history(bob, &alice.jid);
        assert_eq!(got.iter().map(|m| m["body"].clone()).collect::<Vec<_>>(), ["see you at noon"]);
        assert!(alice.json_lines(&["outbox", "--json"]).is_empty(), "the outbox is empty");
        assert!(
            alice.run(&["send", &bob.jid, "x", "--at", "2001-01-01T00:00:00Z"]).status.code()
                == Some(1)
        );
    }
}

#[test]
fn catching_up_brings_every_message_once_and_in_order() {
    for kind in support::servers() {
        let (_server, users) = support::server_with(kind, &["alice", "bob"]);
        let (alice, bob) = (&users[0], &users[1]);
        alice.ok(&["sync", "--wait", "0"]);
        for i in 0..30 {
            bob.ok(&["send", &alice.jid, &format!("note {i:02}")]);
        }
        alice.ok(&["sync", "--wait", "2"]);
        alice.ok(&["sync", "--wait", "1"]);
        let got = history(alice, &bob.jid);
        let bodies: Vec<String> =
            got.iter().filter_map(|m| m["body"].as_str().map(str::to_owned)).collect();
        let expected: Vec<String> = (0..30).map(|i| format!("note {i:02}")).collect();
        assert_eq!(
            bodies, expected,
            "offline storage and archive gave each message once, in order"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn carbons_from_our_other_client_show_as_ours_and_forged_ones_are_dropped() {
    for kind in support::servers() {
        let (server, users) = support::server_with(kind, &["alice", "bob", "eve"]);
        let (_alice, mut alice_events) = online(&users[0]).await;
        // A second client of alice's sends to bob: the first one gets a carbon.
        let phone = Profile::new(&server, "alice", PASSWORD);
        let bob_jid = users[1].jid.clone();
        tokio::task::spawn_blocking(move || phone.ok(&["send", &bob_jid, "sent from my phone"]))
            .await
            .expect("phone sent");
        let copy = heard(&mut alice_events, "sent from my phone").await;
        assert_eq!((copy.direction, copy.chat.as_str()), (Direction::Out, users[1].jid.as_str()));

        let forged = format!(
            "<message to='{alice}'><sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>\
             <message xmlns='jabber:client' from='{alice}/phone' to='bob@{DOMAIN}' type='chat'>\
             <body>forged by eve</body></message></forwarded></sent></message>",
            alice = users[0].jid
        );
        let (alice_jid, eve_dir) = (users[0].jid.clone(), users[2].path().to_owned());
        tokio::task::spawn_blocking(move || {
            confab(&eve_dir, &["console", "send", &forged]);
            // Prosody hands eve's stanzas over in order: once this is in, the forgery was handled.
            confab(&eve_dir, &["send", &alice_jid, "after the forgery"]);
        })
        .await
        .expect("eve's commands");
        let seen = wait_for(&mut alice_events, WAIT, "eve's plain message", |e| {
            matches!(e, Event::Message(m) if m.body == "after the forgery" || m.body == "forged by eve")
        })
        .await;
        assert!(
            matches!(seen, Event::Message(m) if m.body == "after the forgery"),
            "forged carbon dropped"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_author_can_correct_a_message() {
    for kind in support::servers() {
        let (_server, users) = support::server_with(kind, &["alice", "bob", "eve"]);
        let (alice, mut alice_events) = online(&users[0]).await;
        let (_bob, mut bob_events) = online(&users[1]).await;
        let bob_chat = ChatId(users[1].jid.clone());
        alice.send(Command::Send { to: users[1].jid.clone(), body: "helo".into() }).expect("sent");
        heard(&mut alice_events, "helo").await;
        let original = heard(&mut bob_events, "helo").await;
        alice.send(Command::Correct { chat: bob_chat, body: "hello".into() }).expect("sent");
        let fixed = match wait_for(&mut bob_events, WAIT, "the correction", |e| {
            matches!(e, Event::Edited(_))
        })
        .await
        {
            Event::Edited(message) => message,
            _ => unreachable!(),
        };
        assert_eq!((fixed.id, fixed.body.as_str(), fixed.edited), (original.id, "hello", true));

        // Eve claims to correct alice's message: bob keeps alice's text.
        let id = users[1]
            .json_lines(&["history", &users[0].jid, "--json"])
            .first()
            .map(|m| m["id"].clone())
            .expect("stored");
        let stanza_id = original.origin_id.clone().expect("alice's message has an id");
        let forged = format!(
            "<message to='{}' type='chat' id='x1'><body>I owe eve money</body>\
             <replace xmlns='urn:xmpp:message-correct:0' id='{stanza_id}'/></message>",
            users[1].jid
        );
        let eve_dir = users[2].path().to_owned();
        tokio::task::spawn_blocking(move || confab(&eve_dir, &["console", "send", &forged]))
            .await
            .expect("eve sent");
        heard(&mut bob_events, "I owe eve money").await;
        let alices = users[1].json_lines(&["history", &users[0].jid, "--json"]);
        assert_eq!(
            alices.iter().find(|m| m["id"] == id).map(|m| m["body"].clone()),
            Some("hello".into())
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_survives_a_server_restart_exactly_once_in_each_direction() {
    for kind in support::servers() {
        const BURST: usize = 1000;
        let (mut server, users) = support::server_with(kind, &["alice", "bob"]);
        // Contacts: each confirms what reaches it, which is how a message the server
        // acknowledged and then lost in its restart is found and sent again.
        befriend(&users[0], &users[1]);
        let (alice, mut alice_events) = online(&users[0]).await;
        let (bob, mut bob_events) = online(&users[1]).await;
        // The burst starts once both have caught up. Started at once, while both still read
        // their archives, it lost its very first message once on ejabberd (docs/testing.md).
        caught_up(&mut alice_events).await;
        caught_up(&mut bob_events).await;
        // Messages the server lost after acknowledging them are sent again only in a
        // conversation that has had a receipt (docs/decisions.md, "Acknowledged, then lost"):
        // a brand-new one lost its first messages on ejabberd when the restart came before any
        // receipt (CI, 2026-12-06). So each side has one message confirmed first.
        for (from, events, to) in
            [(&alice, &mut alice_events, &users[1]), (&bob, &mut bob_events, &users[0])]
        {
            let body = format!("hello {}", to.jid);
            from.send(Command::Send { to: to.jid.clone(), body }).expect("queued");
            wait_for(events, WAIT, "a first receipt", |e| {
                matches!(e, Event::Delivery { state: Delivery::Delivered, .. })
            })
            .await;
        }
        for i in 0..BURST {
            alice
                .send(Command::Send { to: users[1].jid.clone(), body: format!("a→b {i:04}") })
                .expect("queued");
            bob.send(Command::Send { to: users[0].jid.clone(), body: format!("b→a {i:04}") })
                .expect("queued");
            if i == BURST / 2 {
                server.stop();
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        server.resume();
        all_sent(&mut alice_events, BURST, "alice").await;
        all_sent(&mut bob_events, BURST, "bob").await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        drop((alice, bob));
        tokio::time::sleep(Duration::from_secs(1)).await;
        for (reader, writer, arrow) in
            [(&users[1], &users[0], "a→b"), (&users[0], &users[1], "b→a")]
        {
            let (reader_dir, writer_jid) = (reader.path().to_owned(), writer.jid.clone());
            let got = tokio::task::spawn_blocking(move || {
                confab(&reader_dir, &["sync", "--wait", "3"]);
                confab(&reader_dir, &["history", &writer_jid, "--json", "--limit", "5000"])
            })
            .await
            .expect("read back");
            let lines: Vec<Value> = got
                .lines()
                .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                .filter(|m| m["direction"] == "in")
                .filter(|m| m["body"].as_str().is_some_and(|b| b.starts_with(arrow)))
                .collect();
            let bodies: Vec<&str> = lines.iter().filter_map(|m| m["body"].as_str()).collect();
            let expected: Vec<String> = (0..BURST).map(|i| format!("{arrow} {i:04}")).collect();
            let (kept, missing): (Vec<&String>, Vec<&String>) =
                expected.iter().partition(|want| bodies.contains(&want.as_str()));
            assert!(missing.is_empty(), "{arrow}: every message arrived; missing: {missing:?}");
            assert_eq!(bodies.len(), kept.len(), "{arrow}: none arrived twice");
            if let Some(first) =
                bodies.iter().zip(&kept).position(|(got, want)| *got != want.as_str())
            {
                let around: Vec<String> = lines
                    [first.saturating_sub(3)..(first + 8).min(lines.len())]
                    .iter()
                    .map(|m| format!("{} {}", m["timestamp"], m["body"]))
                    .collect();
                let jumps: Vec<String> = lines
                    .windows(2)
                    .filter(|w| {
                        let n = |m: &Value| {
                            m["body"].as_str().and_then(|b| b[b.len() - 4..].parse::<i32>().ok())
                        };
                        n(&w[1]) != n(&w[0]).map(|x| x + 1)
                    })
                    .map(|w| {
                        format!(
                            "{} {} -> {} {}",
                            w[0]["timestamp"], w[0]["body"], w[1]["timestamp"], w[1]["body"]
                        )
                    })
                    .collect();
                panic!(
                    "{arrow}: out of order from line {first}:\n{}\nJUMPS\n{}",
                    around.join("\n"),
                    jumps.join("\n")
                );
            }
        }
    }
}

/// The id of the first message in `xml` whose body is `body`.
fn id_of(xml: &str, body: &str) -> String {
    let at = xml.find(&format!("<body>{body}</body>")).expect("the message");
    let start = xml[..at].rfind("<message").expect("its stanza");
    let tag = &xml[start..xml[start..].find('>').map_or(xml.len(), |end| start + end)];
    let value = tag.split(" id=").nth(1).expect("an id");
    let quote = value.chars().next().expect("quoted");
    value[1..].split(quote).next().expect("closed").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_acknowledged_but_never_confirmed_goes_out_again_after_a_restart() {
    for kind in support::servers() {
        let (mut server, users) = support::server_with(kind, &["alice", "bob"]);
        let mut bob = RawClient::login(&server, "bob", PASSWORD).await;
        let (alice, mut alice_events) = online(&users[0]).await;
        let to_bob = |body: &str| Command::Send { to: users[1].jid.clone(), body: body.into() };

        // Bob's client confirms the first message, and then one never reaches him: the server
        // took it, and lost it in its restart (here bob's client drops it, as ejabberd can).
        alice.send(to_bob("first")).expect("queued");
        let first = heard(&mut alice_events, "first").await;
        let seen = bob.read_until("first</body>").await;
        let receipt = format!(
            "<message to='{}'><received xmlns='urn:xmpp:receipts' id='{}'/></message>",
            users[0].jid,
            id_of(&seen, "first")
        );
        bob.send(&receipt).await;
        wait_for(&mut alice_events, WAIT, "the receipt", |e| {
            matches!(e, Event::Delivery { message_id, state: Delivery::Delivered, .. } if *message_id == first.id)
        })
        .await;
        alice.send(to_bob("second")).expect("queued");
        let second = heard(&mut alice_events, "second").await;
        let lost_id = id_of(&bob.read_until("second</body>").await, "second");
        wait_for(&mut alice_events, WAIT, "the server's acknowledgement", |e| {
            matches!(e, Event::Delivery { message_id, state: Delivery::Sent, .. } if *message_id == second.id)
        })
        .await;

        tokio::task::block_in_place(|| {
            server.stop();
            server.resume();
        });
        wait_for(&mut alice_events, Duration::from_secs(60), "second back in the outbox", |e| {
            matches!(e, Event::Delivery { message_id, state: Delivery::Pending, .. } if *message_id == second.id)
        })
        .await;
        wait_for(&mut alice_events, WAIT, "second acknowledged again", |e| {
            matches!(e, Event::Delivery { message_id, state: Delivery::Sent, .. } if *message_id == second.id)
        })
        .await;
        let mut bob = RawClient::login(&server, "bob", PASSWORD).await;
        let again = bob.read_until("second</body>").await;
        assert_eq!(id_of(&again, "second"), lost_id, "the same message, recognisable as such");
        let rest = bob.read_for(Duration::from_secs(2)).await;
        assert!(
            !format!("{again}{rest}").contains("first</body>"),
            "the confirmed one is not sent again"
        );
        bob.close().await;
    }
}
