//! Chat rooms against real servers (Prosody and ejabberd) with mod_muc and muc_mam: creating public and private
//! rooms (configured on the server, never left locked), talking, join and moderation events,
//! invitations, bookmarks that survive a restart, history without duplicates, private messages.

mod support;

use confab::model::{Direction, MessageKind, Moderation, RoomPreset, RoomState};
use confab::worker::{Command, Event, Handle, RoomCommand};
use serde_json::Value;
use std::net::SocketAddr;
use std::time::Duration;
use support::chat::{create_room, shut_down, store};
use support::web::{Relay, own_loopback};
use support::{PASSWORD, Profile, ROOMS, Server, Setup, WAIT, online, stderr, wait_for};
use tokio::sync::mpsc::UnboundedReceiver;

fn room(name: &str) -> String {
    format!("{name}@{ROOMS}")
}

/// An account's worker in this process, online.
async fn in_room(events: &mut UnboundedReceiver<Event>, jid: &str) {
    in_rooms(events, &[jid]).await;
}

/// Waits for a list of rooms in which all of `jids` are joined: each list is the whole
/// picture, so one that shows two rooms joined at once must count for both.
async fn in_rooms(events: &mut UnboundedReceiver<Event>, jids: &[&str]) {
    wait_for(events, WAIT, &format!("being in {}", jids.join(" and ")), |e| {
        matches!(e, Event::Rooms(rooms) if jids.iter().all(|jid| {
            rooms.iter().any(|r| r.jid == *jid && r.state == RoomState::Joined)
        }))
    })
    .await;
}

async fn join(handle: &Handle, events: &mut UnboundedReceiver<Event>, jid: &str) {
    let join = RoomCommand::Join { room: jid.into(), nick: None, password: None };
    handle.send(Command::Room(join)).expect("command taken");
    in_room(events, jid).await;
}

async fn line(
    events: &mut UnboundedReceiver<Event>,
    what: &str,
    body: &str,
) -> confab::model::Message {
    match wait_for(events, WAIT, what, |e| matches!(e, Event::Message(m) if m.body == body)).await {
        Event::Message(message) => message,
        _ => unreachable!(),
    }
}

fn config_value(config: &[Value], var: &str) -> Value {
    config.iter().find(|f| f["var"] == var).map_or(Value::Null, |f| f["values"][0].clone())
}

#[test]
fn public_and_private_rooms_are_configured_on_the_server() {
    for kind in support::servers() {
        let (_server, users) = support::server_with(kind, &["alice", "bob"]);
        let (alice, bob) = (&users[0], &users[1]);
        let (lounge, secret) = (room("lounge"), room("secret"));
        alice.ok(&["room", "create", &lounge, "--public", "--name", "The Lounge"]);
        alice.ok(&["room", "create", &secret, "--private"]);

        let public = alice.json_lines(&["room", "config", &lounge, "--json"]);
        assert_eq!(config_value(&public, "muc#roomconfig_publicroom"), "1", "{public:?}");
        assert_eq!(config_value(&public, "muc#roomconfig_membersonly"), "0", "{public:#?}");
        assert_eq!(config_value(&public, "muc#roomconfig_persistentroom"), "1");
        assert_eq!(config_value(&public, "muc#roomconfig_roomname"), "The Lounge");
        let private = alice.json_lines(&["room", "config", &secret, "--json"]);
        assert_eq!(config_value(&private, "muc#roomconfig_publicroom"), "0", "{private:?}");
        assert_eq!(config_value(&private, "muc#roomconfig_membersonly"), "1");
        assert_eq!(config_value(&private, "muc#roomconfig_whois"), "anyone");

        let listed = bob.json_lines(&["rooms", "--json"]);
        assert!(
            listed.iter().any(|r| r["jid"] == lounge && r["name"] == "The Lounge"),
            "{listed:?}"
        );
        assert!(listed.iter().all(|r| r["jid"] != secret), "a private room is not listed");
        let refused = bob.run(&["join", &secret]);
        assert!(!refused.status.success(), "a members-only room refuses strangers");
        assert!(
            support::stderr(&refused).contains("members only"),
            "{}",
            support::stderr(&refused)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_people_talk_in_a_room_without_duplicates() {
    for kind in support::servers() {
        let (_server, users) = support::server_with(kind, &["alice", "bob"]);
        let tea = room("tea");
        let (alice, mut alice_events) = online(&users[0]).await;
        create_room(&alice, &mut alice_events, &tea, RoomPreset::Public { moderated: false }).await;

        let (bob, mut bob_events) = online(&users[1]).await;
        join(&bob, &mut bob_events, &tea).await;
        let joined = line(&mut alice_events, "bob's join", "bob joined").await;
        assert_eq!(joined.kind, MessageKind::Event);

        bob.send(Command::Send { to: tea.clone(), body: "hello tea".into() }).expect("sent");
        let heard = line(&mut alice_events, "bob's message", "hello tea").await;
        assert_eq!((heard.nick.as_deref(), heard.direction), (Some("bob"), Direction::In));
        wait_for(&mut bob_events, WAIT, "bob's message acknowledged", |e| {
            matches!(e, Event::Delivery { .. })
        })
        .await;

        // Leave and come back: the room's history must not bring the message in twice.
        alice.send(Command::Room(RoomCommand::Leave { room: tea.clone() })).expect("sent");
        wait_for(
            &mut alice_events,
            WAIT,
            "left",
            |e| matches!(e, Event::Outcome(Ok(w)) if w.starts_with("left")),
        )
        .await;
        bob.send(Command::Send { to: tea.clone(), body: "while you were out".into() })
            .expect("sent");
        wait_for(&mut bob_events, WAIT, "acknowledged", |e| matches!(e, Event::Delivery { .. }))
            .await;
        join(&alice, &mut alice_events, &tea).await;
        line(&mut alice_events, "history since leaving", "while you were out").await;
        drop((alice, bob));

        let history = users[0].json_lines(&["history", &tea, "--json"]);
        let count = |body: &str| history.iter().filter(|m| m["body"] == body).count();
        assert_eq!(count("hello tea"), 1, "{history:#?}");
        assert_eq!(count("while you were out"), 1, "{history:#?}");
        let hello = history.iter().find(|m| m["body"] == "hello tea").expect("stored");
        assert_eq!(
            (hello["nick"].as_str(), hello["kind"].as_str()),
            (Some("bob"), Some("message"))
        );
        let bobs = users[1].json_lines(&["history", &tea, "--json"]);
        assert_eq!(
            bobs.iter().filter(|m| m["body"] == "hello tea").count(),
            1,
            "no reflected copy: {bobs:#?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitations_reach_the_invitee_directly_or_through_the_room() {
    for kind in support::servers() {
        let (_server, users) = support::server_with(kind, &["alice", "bob"]);
        let (open, closed) = (room("open"), room("closed"));
        let (alice, mut alice_events) = online(&users[0]).await;
        let (bob, mut bob_events) = online(&users[1]).await;
        create_room(&alice, &mut alice_events, &open, RoomPreset::Public { moderated: false })
            .await;
        create_room(&alice, &mut alice_events, &closed, RoomPreset::Private { password: None })
            .await;
        // The room's features are learnt once it is configured, and it is marked members only.
        wait_for(&mut alice_events, WAIT, "the room marked members only", |e| {
            matches!(e, Event::Rooms(rooms) if rooms.iter().any(|r| r.jid == closed && r.members_only))
        })
        .await;

        for (jid, mediated) in [(&open, false), (&closed, true)] {
            let reason = Some("come in".to_owned());
            let invite =
                RoomCommand::Invite { room: jid.clone(), jid: users[1].jid.clone(), reason };
            alice.send(Command::Room(invite)).expect("sent");
            let sent = wait_for(&mut alice_events, WAIT, "the invitation sent", |e| {
                matches!(e, Event::Outcome(_))
            })
            .await;
            assert!(matches!(&sent, Event::Outcome(Ok(_))), "{sent:?}");
            let got = wait_for(
                &mut bob_events,
                WAIT,
                "the invitation",
                |e| matches!(e, Event::Invite(i) if i.room == *jid),
            )
            .await;
            let Event::Invite(invite) = got else { unreachable!() };
            assert_eq!(invite.mediated, mediated, "{invite:?}");
            assert_eq!(invite.from, users[0].jid);
            assert_eq!(invite.reason.as_deref(), Some("come in"));
        }
        // Invited through the members-only room, bob is now a member and may enter.
        join(&bob, &mut bob_events, &closed).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kick_and_ban_take_effect_and_show_as_events() {
    for kind in support::servers() {
        let (_server, users) = support::server_with(kind, &["alice", "bob"]);
        let hall = room("hall");
        let (alice, mut alice_events) = online(&users[0]).await;
        create_room(&alice, &mut alice_events, &hall, RoomPreset::Public { moderated: false })
            .await;
        let (bob, mut bob_events) = online(&users[1]).await;
        join(&bob, &mut bob_events, &hall).await;
        line(&mut alice_events, "bob's join", "bob joined").await;

        let kick = |action| RoomCommand::Moderate {
            room: hall.clone(),
            nick: "bob".into(),
            action,
            reason: Some("spam".into()),
        };
        alice.send(Command::Room(kick(Moderation::Kick))).expect("sent");
        line(&mut alice_events, "the kick line", "bob was kicked: spam").await;
        wait_for(&mut bob_events, WAIT, "bob out", |e| {
            matches!(e, Event::Rooms(rooms) if rooms.iter().any(|r| r.jid == hall && matches!(&r.state, RoomState::Failed(why) if why.contains("kicked"))))
        })
        .await;

        join(&bob, &mut bob_events, &hall).await;
        // A ban names bob by his address, which alice learns from his presence as he comes back.
        line(&mut alice_events, "bob's return", "bob joined").await;
        alice.send(Command::Room(kick(Moderation::Ban))).expect("sent");
        line(&mut alice_events, "the ban line", "bob was banned: spam").await;
        let join = RoomCommand::Join { room: hall.clone(), nick: None, password: None };
        bob.send(Command::Room(join)).expect("sent");
        wait_for(&mut bob_events, WAIT, "refused", |e| {
            matches!(e, Event::Rooms(rooms) if rooms.iter().any(|r| r.jid == hall && matches!(&r.state, RoomState::Failed(why) if why.contains("banned"))))
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bookmarked_rooms_are_joined_again_after_a_restart_and_on_other_devices() {
    for kind in support::servers() {
        let (server, users) = support::server_with(kind, &["alice"]);
        let (den, lair) = (room("den"), room("lair"));
        // No worker runs yet, so the command line may block this test's thread. Two rooms:
        // a server that keeps one item per node by default would keep only the second.
        users[0].ok(&["join", &den]);
        users[0].ok(&["join", &lair]);
        let alice = Profile::new(&server, "alice", PASSWORD);

        let (_handle, mut events) = online(&users[0]).await;
        in_room(&mut events, &den).await;
        // Another device of the same account learns the rooms from the server's bookmarks.
        let (_other, mut other_events) = online(&alice).await;
        in_rooms(&mut other_events, &[&den, &lair]).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_message_reaches_only_its_occupant() {
    for kind in support::servers() {
        let (_server, users) = support::server_with(kind, &["alice", "bob", "carol"]);
        let club = room("club");
        let (alice, mut alice_events) = online(&users[0]).await;
        create_room(&alice, &mut alice_events, &club, RoomPreset::Public { moderated: false })
            .await;
        let (bob, mut bob_events) = online(&users[1]).await;
        join(&bob, &mut bob_events, &club).await;
        let (carol, mut carol_events) = online(&users[2]).await;
        join(&carol, &mut carol_events, &club).await;

        alice
            .send(Command::Send { to: format!("{club}/bob"), body: "just for you".into() })
            .expect("sent");
        let private = line(&mut bob_events, "the private message", "just for you").await;
        assert_eq!(private.chat.as_str(), format!("{club}/alice"));
        alice.send(Command::Send { to: club.clone(), body: "for everyone".into() }).expect("sent");
        let seen = wait_for(
            &mut carol_events,
            WAIT,
            "the room message",
            |e| matches!(e, Event::Message(m) if m.body == "for everyone" || m.body == "just for you"),
        )
        .await;
        assert!(
            matches!(seen, Event::Message(m) if m.body == "for everyone"),
            "carol never sees the private one"
        );
        drop(carol);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scrolling_back_fetches_what_came_before_joining_from_the_rooms_archive() {
    for kind in support::servers() {
        let (_server, users) = support::server_with(kind, &["alice", "bob"]);
        let den = room("den");
        let (alice, mut alice_events) = online(&users[0]).await;
        create_room(&alice, &mut alice_events, &den, RoomPreset::Public { moderated: false }).await;
        let said: Vec<String> = (0..60).map(|i| format!("line {i}")).collect();
        for body in &said {
            alice.send(Command::Send { to: den.clone(), body: body.clone() }).expect("sent");
        }
        line(&mut alice_events, "the last line reflected", "line 59").await;

        // Bob's first visit brings the room's recent history (20 lines by Prosody's default);
        // everything before is only in the room's archive.
        let (bob, mut bob_events) = online(&users[1]).await;
        join(&bob, &mut bob_events, &den).await;
        line(&mut bob_events, "recent history", "line 59").await;
        let chat = confab::model::ChatId(den.clone());
        let mut before = None;
        let mut seen: Vec<String> = Vec::new();
        for _ in 0..20 {
            let load = Command::LoadHistory { chat: chat.clone(), before, limit: 25 };
            bob.send(load).expect("sent");
            let page = loop {
                match tokio::time::timeout(WAIT, bob_events.recv()).await {
                    Ok(Some(Event::History(page))) => break page,
                    Ok(Some(Event::Message(m))) if m.body.starts_with("line ") => {
                        panic!("an archived line was announced as new: {}", m.body)
                    }
                    Ok(Some(_)) => {}
                    _ => panic!("no history page; had {seen:?}"),
                }
            };
            let bodies = page.messages.iter().filter(|m| m.kind == MessageKind::Message);
            let older: Vec<String> = bodies.map(|m| m.body.clone()).collect();
            seen.splice(0..0, older);
            before = page.messages.first().map(|m| m.id);
            if !page.has_more {
                break;
            }
        }
        assert_eq!(seen, said, "every line once, in order");
        drop((alice, bob));
    }
}

#[test]
fn members_and_bans_are_managed_by_address_while_they_are_away() {
    for kind in support::servers() {
        let (_server, users) = support::server_with(kind, &["alice", "bob", "carol"]);
        let (alice, bob, carol) = (&users[0], &users[1], &users[2]);
        let (secret, lounge) = (room("secret"), room("lounge"));
        alice.ok(&["room", "create", &secret, "--private"]);
        alice.ok(&["room", "create", &lounge, "--public"]);

        alice.ok(&["room", "affiliate", &secret, &bob.jid, "member"]);
        let members = alice.json_lines(&["room", "members", &secret, "--json"]);
        assert!(members.iter().any(|m| m["jid"] == bob.jid.as_str()), "{members:?}");
        bob.ok(&["join", &secret]);

        alice.ok(&["room", "affiliate", &lounge, &carol.jid, "outcast", "--reason", "spam"]);
        let banned =
            alice.json_lines(&["room", "members", &lounge, "--affiliation", "outcast", "--json"]);
        // Prosody 0.12 keeps the reason but does not list it.
        assert!(banned.iter().any(|m| m["jid"] == carol.jid.as_str()), "{banned:?}");
        let refused = carol.run(&["join", &lounge]);
        assert!(!refused.status.success(), "a banned person got in");

        alice.ok(&["room", "affiliate", &lounge, &carol.jid, "none"]);
        let banned =
            alice.json_lines(&["room", "members", &lounge, "--affiliation", "outcast", "--json"]);
        assert!(banned.is_empty(), "{banned:?}");
        carol.ok(&["join", &lounge]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coming_back_catches_up_with_more_than_the_rooms_history_holds() {
    for kind in support::servers() {
        let (_server, users) = support::server_with(kind, &["alice", "bob"]);
        let den = room("den");
        let (alice, mut alice_events) = online(&users[0]).await;
        let (bob, mut bob_events) = online(&users[1]).await;
        // More than the 20 lines Prosody's room history gives on joining, and more than two
        // of its archive's pages (50 lines each), so pages are asked for ahead of the answer
        // closing the one before.
        let talk = Talk { alice: &alice, alice_events: &mut alice_events, bob: &bob, room: &den };
        let said = talk.while_bob_is_away(&mut bob_events, 130).await;
        // Alice's last lines may still be on their way: those reach bob live while the archive
        // catches him up, and every line must still land once, in order.
        join(&bob, &mut bob_events, &den).await;
        all_lines_once(&users[1], bob, &den, &said).await;
        drop(alice);
    }
}

/// Alice and bob in a room of alice's.
struct Talk<'a> {
    alice: &'a Handle,
    alice_events: &'a mut UnboundedReceiver<Event>,
    bob: &'a Handle,
    room: &'a str,
}

impl Talk<'_> {
    /// Alice makes the room and says a first line to bob in it; bob leaves, and she says
    /// `count` lines while he is away, which this returns once the last is in the room.
    async fn while_bob_is_away(
        self,
        bob_events: &mut UnboundedReceiver<Event>,
        count: usize,
    ) -> Vec<String> {
        let (alice, room) = (self.alice, self.room.to_owned());
        create_room(alice, self.alice_events, &room, RoomPreset::Public { moderated: false }).await;
        join(self.bob, bob_events, &room).await;
        alice
            .send(Command::Send { to: room.clone(), body: "before you left".into() })
            .expect("sent");
        line(bob_events, "the first line", "before you left").await;
        self.bob.send(Command::Room(RoomCommand::Leave { room: room.clone() })).expect("sent");
        wait_for(
            bob_events,
            WAIT,
            "left",
            |e| matches!(e, Event::Outcome(Ok(w)) if w.starts_with("left")),
        )
        .await;
        let said: Vec<String> = (0..count).map(|i| format!("while away {i}")).collect();
        for body in &said {
            alice.send(Command::Send { to: room.clone(), body: body.clone() }).expect("sent");
        }
        let last = format!("while away {}", count - 1);
        line(self.alice_events, "the last line written", &last).await;
        said
    }
}

/// The words of `room`'s lines in `profile`'s store, oldest first (the newest 1,000 at most).
fn stored_lines(profile: &Profile, room: &str) -> Vec<String> {
    let chat = confab::model::ChatId(room.to_owned());
    store(profile)
        .history(&profile.jid, &chat, None, 1000)
        .map(|page| page.messages.into_iter().map(|m| m.body).collect())
        .unwrap_or_default()
}

/// Waits until every line of `said` is in `profile`'s store (the archive's last page is in),
/// then checks the room's history: the first line, then `said`, each once, in order.
async fn all_lines_once(profile: &Profile, handle: Handle, room: &str, said: &[String]) {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let stored = stored_lines(profile, room);
        let missing: Vec<&String> = said.iter().filter(|l| !stored.contains(l)).collect();
        if missing.is_empty() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never caught up with {missing:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(handle);
    let history = profile.json_lines(&["history", room, "--json", "--limit", "1000"]);
    let lines: Vec<&str> = history
        .iter()
        .filter(|m| m["kind"] == "message")
        .filter_map(|m| m["body"].as_str())
        .collect();
    let mut expected = vec!["before you left"];
    expected.extend(said.iter().map(String::as_str));
    assert_eq!(lines, expected, "every line once, in order");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catch_up_cut_short_by_a_lost_connection_goes_on_where_it_stopped() {
    for kind in support::servers() {
        let (server, users) = support::server_with(kind, &["alice", "bob"]);
        // Bob reaches the server through a relay the test severs, as a dropping network does.
        let ip = own_loopback();
        let c2s = SocketAddr::from(([127, 0, 0, 1], server.port));
        let relay = Relay::start(SocketAddr::new(ip, server.port), c2s).await;
        let (host, port) = (ip.to_string(), server.port.to_string());
        let ca = server.ca_file.display().to_string();
        let add = ["account", "add", &users[1].jid, "--host", &host, "--port", &port];
        let add = [&add[..], &["--ca-file", &ca, "--password-stdin"]].concat();
        let out = tokio::task::block_in_place(|| users[1].run_with_stdin(&add, PASSWORD));
        assert!(out.status.success(), "{}", stderr(&out));

        let den = room("den");
        let (alice, mut alice_events) = online(&users[0]).await;
        let (bob, mut bob_events) = online(&users[1]).await;
        // A dozen of Prosody's 50-line pages, three of ejabberd's 250.
        let talk = Talk { alice: &alice, alice_events: &mut alice_events, bob: &bob, room: &den };
        let said = talk.while_bob_is_away(&mut bob_events, 600).await;
        join(&bob, &mut bob_events, &den).await;
        // The room's history on join brought its newest lines; the archive's first page, its
        // oldest. The connection is lost there, with most of the archive still unread.
        line(&mut bob_events, "the archive's first page", "while away 0").await;
        relay.cut();
        // Every line comes, once and in order: those read after the cut go before the room's
        // newest lines, which came with its history on join before the cut.
        all_lines_once(&users[1], bob, &den, &said).await;
        drop(alice);
        assert!(relay.connections() >= 2, "bob came back after the cut");
    }
}

/// Quitting in the middle of a catch-up: the next start goes on where it stopped, and every
/// line comes, once and in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catch_up_cut_short_by_quitting_goes_on_after_a_restart() {
    for kind in support::servers() {
        let (_server, users) = support::server_with(kind, &["alice", "bob"]);
        let den = room("den");
        let (alice, mut alice_events) = online(&users[0]).await;
        let (bob, mut bob_events) = online(&users[1]).await;
        // Eighteen of Prosody's 50-line pages, four of ejabberd's 250 (and within the 1,000
        // lines `all_lines_once` reads back): bob quits long before the last.
        let talk = Talk { alice: &alice, alice_events: &mut alice_events, bob: &bob, room: &den };
        let said = talk.while_bob_is_away(&mut bob_events, 900).await;
        join(&bob, &mut bob_events, &den).await;
        line(&mut bob_events, "the archive's first page", "while away 0").await;
        shut_down(bob, bob_events).await;
        let stored = stored_lines(&users[1], &den).len();
        assert!(
            stored > 1 && stored < said.len(),
            "quit after the archive's first page, before the catch-up ended ({stored} stored)"
        );

        // The room is joined again on starting (it is bookmarked), and the catch-up goes on.
        let (bob, _bob_events) = online(&users[1]).await;
        all_lines_once(&users[1], bob, &den, &said).await;
        drop(alice);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_pep_bookmarks_live_in_private_storage_and_reach_other_devices() {
    for kind in support::servers() {
        let server = Server::start_with(kind, Setup { without_pep: true, ..Setup::default() });
        server.register("alice", PASSWORD);
        let laptop = Profile::new(&server, "alice", PASSWORD);
        let den = room("den");
        laptop.ok(&["room", "create", &den, "--public"]);
        laptop.ok(&["room", "create", &room("attic"), "--public"]);
        laptop.ok(&["leave", &room("attic")]);

        // A new device knows nothing but the account: the bookmarks come from the server.
        let phone = Profile::new(&server, "alice", PASSWORD);
        let (handle, mut events) = online(&phone).await;
        let rooms = wait_for(&mut events, WAIT, "the bookmarked room joined", |e| {
            matches!(e, Event::Rooms(rooms) if rooms.iter().any(|r| r.jid == den && r.state == RoomState::Joined))
        })
        .await;
        let Event::Rooms(rooms) = rooms else { unreachable!() };
        assert!(rooms.iter().all(|r| r.jid != room("attic")), "a left room came back: {rooms:?}");
        drop(handle);
    }
}
