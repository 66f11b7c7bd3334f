//! Contacts against real servers (Prosody and ejabberd): adding and approving, declining, removing, renaming and
//! regrouping, blocking, and presence seen by the other side.

mod support;

use confab::model::{AccountId, Presence, PresenceShow};
use confab::paths::Paths;
use confab::worker::{self, Command, Event};
use serde_json::Value;
use std::time::Duration;
use support::{DOMAIN, Kind, PASSWORD, Profile, Server, wait_for};

fn entry(profile: &Profile, jid: &str) -> Option<Value> {
    profile.json_lines(&["roster", "--json"]).into_iter().find(|c| c["jid"] == jid)
}

fn pair(kind: Kind) -> (Server, Profile, Profile) {
    let server = Server::start(kind);
    server.register("alice", PASSWORD);
    server.register("bob", PASSWORD);
    let alice = Profile::new(&server, "alice", PASSWORD);
    let bob = Profile::new(&server, "bob", PASSWORD);
    (server, alice, bob)
}

#[test]
fn add_then_approve_both_ways_makes_both_subscribed() {
    for kind in support::servers() {
        let (_server, alice, bob) = pair(kind);
        alice.ok(&["contact", "add", &bob.jid, "--name", "Bob", "--group", "Friends"]);
        let asked = entry(&alice, &bob.jid).expect("bob is in alice's roster");
        assert_eq!(asked["pending_out"], true);
        assert_eq!(asked["subscription"], "none");
        assert_eq!(asked["name"], "Bob");

        bob.ok(&["sync", "--wait", "1"]);
        let request = entry(&bob, &alice.jid).expect("alice's request is listed");
        assert_eq!(request["pending_in"], true);
        assert_eq!(request["subscription"], "none", "a request never adds a stranger by itself");

        bob.ok(&["contact", "approve", &alice.jid, "--add-back"]);
        alice.ok(&["sync", "--wait", "1"]);
        assert_eq!(entry(&alice, &bob.jid).expect("bob")["pending_in"], true, "bob asked back");
        alice.ok(&["contact", "approve", &bob.jid]);

        alice.ok(&["sync", "--wait", "1"]);
        bob.ok(&["sync", "--wait", "1"]);
        let at_alice = entry(&alice, &bob.jid).expect("bob");
        let at_bob = entry(&bob, &alice.jid).expect("alice");
        assert_eq!(at_alice["subscription"], "both", "{at_alice}");
        assert_eq!(at_bob["subscription"], "both", "{at_bob}");
        assert_eq!(at_alice["pending_in"], false);
        assert_eq!(at_bob["pending_in"], false);
    }
}

#[test]
fn deny_leaves_nothing_behind() {
    for kind in support::servers() {
        let (_server, alice, bob) = pair(kind);
        alice.ok(&["contact", "add", &bob.jid]);
        bob.ok(&["sync", "--wait", "1"]);
        bob.ok(&["contact", "deny", &alice.jid]);
        alice.ok(&["sync", "--wait", "1"]);

        let at_alice = entry(&alice, &bob.jid).expect("bob stays in alice's own list");
        assert_eq!(at_alice["subscription"], "none");
        assert_eq!(at_alice["pending_out"], false, "the request was answered");
        bob.ok(&["sync", "--wait", "0"]);
        assert_eq!(
            entry(&bob, &alice.jid),
            None,
            "nothing left at bob's: {:?}",
            entry(&bob, &alice.jid)
        );
    }
}

#[test]
fn rename_regroup_and_remove_persist() {
    for kind in support::servers() {
        let (_server, alice, bob) = pair(kind);
        alice.ok(&["contact", "add", &bob.jid, "--name", "Bob", "--group", "Friends"]);
        alice.ok(&[
            "contact", "edit", &bob.jid, "--name", "Robert", "--group", "Work", "--group", "Family",
        ]);
        // A later session (roster versioning may skip the download) still knows the change.
        alice.ok(&["sync", "--wait", "0"]);
        let edited = entry(&alice, &bob.jid).expect("bob");
        assert_eq!(edited["name"], "Robert");
        let mut groups: Vec<String> = edited["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .filter_map(|g| g.as_str().map(Into::into))
            .collect();
        groups.sort();
        assert_eq!(groups, ["Family", "Work"]);

        alice.ok(&["contact", "remove", &bob.jid]);
        assert_eq!(entry(&alice, &bob.jid), None);
        alice.ok(&["sync", "--wait", "0"]);
        assert_eq!(entry(&alice, &bob.jid), None, "still gone after a new session");
    }
}

#[test]
fn block_stops_messages_until_unblocked() {
    for kind in support::servers() {
        let (_server, alice, bob) = pair(kind);
        alice.ok(&["contact", "block", &bob.jid]);
        assert_eq!(entry(&alice, &bob.jid).expect("listed as blocked")["blocked"], true);

        let _ = bob.run(&["send", &alice.jid, "can you hear me?"]);
        alice.ok(&["sync", "--wait", "1"]);
        assert!(
            alice.json_lines(&["history", &bob.jid, "--json"]).is_empty(),
            "blocked message arrived"
        );

        alice.ok(&["contact", "unblock", &bob.jid]);
        assert_eq!(entry(&alice, &bob.jid), None, "no longer blocked, never a contact");
        bob.ok(&["send", &alice.jid, "and now?"]);
        alice.ok(&["sync", "--wait", "1"]);
        let history = alice.json_lines(&["history", &bob.jid, "--json"]);
        assert_eq!(history.len(), 1, "{history:?}");
        assert_eq!(history[0]["body"], "and now?");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_change_is_seen_by_the_other_side() {
    for kind in support::servers() {
        let groups = format!("[Team]\nalice@{DOMAIN}\nbob@{DOMAIN}\n");
        let server = Server::start_with_groups(kind, &groups);
        server.register("alice", PASSWORD);
        server.register("bob", PASSWORD);
        let alice = Profile::new(&server, "alice", PASSWORD);
        let bob = Profile::new(&server, "bob", PASSWORD);

        let (handle, mut events) = support::online(&alice).await;
        // Bob stays connected: a client that logs out right after changing its status would let
        // alice's worker fold "away" and "offline" into one burst, and only the last one counts.
        let (bob_handle, _bob_events) = support::online(&bob).await;
        let away = Presence { show: PresenceShow::Away, status: Some("at lunch".into()) };
        bob_handle.send(Command::SetPresence(away)).expect("bob's worker reachable");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        let mut seen = Vec::new();
        loop {
            match tokio::time::timeout_at(deadline, events.recv()).await {
                Ok(Some(Event::Presences(changes))) => {
                    let of_bob = changes.into_iter().find(|(jid, _)| *jid == bob.jid);
                    if let Some((_, presence)) = of_bob {
                        if presence.show == PresenceShow::Away {
                            assert_eq!(presence.status.as_deref(), Some("at lunch"));
                            break;
                        }
                        seen.push(presence);
                    }
                }
                Ok(Some(_)) => {}
                _ => panic!("alice never saw bob away; saw {seen:?}"),
            }
        }
        bob_handle.send(Command::Shutdown).expect("bob's worker reachable");
        handle.send(Command::Shutdown).expect("worker reachable");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invisibility_is_refused_where_the_server_cannot_hide_us() {
    for kind in support::servers() {
        let server = Server::start(kind);
        server.register("alice", PASSWORD);
        let alice = Profile::new(&server, "alice", PASSWORD);
        let (handle, mut events) =
            worker::spawn(Paths::in_profile(alice.path()), AccountId(alice.jid.clone()));
        // Prosody 0.12 offers no XEP-0186: once discovery says so, the choice is refused, clearly.
        wait_for(&mut events, Duration::from_secs(20), "discovery", |e| {
            matches!(e, Event::Services(_))
        })
        .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        handle.send(Command::SetInvisible(true)).expect("sent");
        let answer = wait_for(&mut events, Duration::from_secs(20), "the answer", |e| {
            matches!(e, Event::Outcome(_))
        })
        .await;
        let Event::Outcome(Err(why)) = answer else { panic!("refused, got {answer:?}") };
        assert!(why.contains("cannot make you invisible"), "{why}");
    }
}
