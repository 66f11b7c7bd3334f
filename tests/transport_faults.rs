//! Never losing a message over WebSocket and BOSH: a burst both ways while the connection is
//! cut (a relay the test severs, as a dropping network does: over BOSH it takes the HTTP
//! requests under way) and the server restarts. Every message must arrive exactly once and in
//! order, as over TCP (`tests/delivery.rs`).

mod support;

use confab::worker::Command;
use std::net::SocketAddr;
use std::time::Duration;
use support::web::{Relay, own_loopback};
use support::{Kind, PASSWORD, Profile, Server, all_sent, caught_up, online, stderr};

const BURST: usize = 500;

/// The bodies `reader` received from `writer`, after a sync.
fn received(reader: &Profile, writer: &Profile) -> Vec<String> {
    reader.ok(&["sync", "--wait", "3"]);
    let history = reader.json_lines(&["history", &writer.jid, "--json", "--limit", "5000"]);
    let incoming = history.into_iter().filter(|m| m["direction"] == "in");
    incoming.filter_map(|m| m["body"].as_str().map(str::to_owned)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_over_websocket_survives_a_cut_and_a_restart_exactly_once_in_order() {
    for kind in support::servers() {
        survives_a_cut_and_a_restart(kind, "websocket", Server::websocket_url).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_over_bosh_survives_a_cut_and_a_restart_exactly_once_in_order() {
    for kind in support::servers() {
        survives_a_cut_and_a_restart(kind, "bosh", Server::bosh_url).await;
    }
}

/// Alice on `transport` through a relay the test cuts; bob over TCP.
async fn survives_a_cut_and_a_restart(kind: Kind, transport: &str, url: fn(&Server) -> String) {
    let (mut server, users) = support::server_with(kind, &["alice", "bob"]);
    // Contacts, who confirm what reaches them (see tests/delivery.rs).
    support::befriend(&users[0], &users[1]);
    let ip = own_loopback();
    let https = SocketAddr::from(([127, 0, 0, 1], server.https_port));
    let relay = Relay::start(SocketAddr::new(ip, server.https_port), https).await;
    let (host, url) = (ip.to_string(), url(&server));
    let switch = ["--transport", transport, "--url", &url];
    let ca = server.ca_file.display().to_string();
    let args = [&["account", "add", &users[0].jid, "--host", &host][..], &switch[..]].concat();
    let args = [&args[..], &["--ca-file", &ca, "--password-stdin"]].concat();
    let out = tokio::task::block_in_place(|| users[0].run_with_stdin(&args, PASSWORD));
    assert!(out.status.success(), "{}", stderr(&out));

    let (alice, mut alice_events) = online(&users[0]).await;
    let (bob, mut bob_events) = online(&users[1]).await;
    // As in tests/delivery.rs: the burst starts once both have caught up.
    caught_up(&mut alice_events).await;
    caught_up(&mut bob_events).await;
    for i in 0..BURST {
        let to_bob = Command::Send { to: users[1].jid.clone(), body: format!("a→b {i:04}") };
        alice.send(to_bob).expect("queued");
        let to_alice = Command::Send { to: users[0].jid.clone(), body: format!("b→a {i:04}") };
        bob.send(to_alice).expect("queued");
        if i == BURST / 3 {
            relay.cut();
        }
        if i == 2 * BURST / 3 {
            tokio::task::block_in_place(|| server.stop());
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    tokio::task::block_in_place(|| server.resume());
    all_sent(&mut alice_events, BURST, "alice").await;
    all_sent(&mut bob_events, BURST, "bob").await;
    assert!(relay.connections() >= 3, "alice came back after the cut and the restart");
    tokio::time::sleep(Duration::from_secs(3)).await;
    drop((alice, bob));
    tokio::time::sleep(Duration::from_secs(1)).await;

    for (reader, writer, arrow) in [(&users[1], &users[0], "a→b"), (&users[0], &users[1], "b→a")]
    {
        let got = tokio::task::block_in_place(|| received(reader, writer));
        let expected: Vec<String> = (0..BURST).map(|i| format!("{arrow} {i:04}")).collect();
        let (kept, missing): (Vec<String>, Vec<String>) =
            expected.into_iter().partition(|want| got.contains(want));
        assert!(missing.is_empty(), "{arrow}: every message arrived; missing: {missing:?}");
        assert_eq!(got, kept, "{arrow}: each once, in order");
    }
}
