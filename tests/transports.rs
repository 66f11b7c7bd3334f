//! Reaching the server by another way than XMPP's own TCP port: XMPP over WebSocket (RFC 7395)
//! and BOSH (XEP-0206) at the real servers' own endpoints (Prosody's mod_websocket and
//! mod_bosh, ejabberd's), over HTTPS with the harness certificate, chosen by hand or found
//! through host-meta. Everything above the connection must work as it
//! does over TCP.

mod support;

use std::net::{IpAddr, SocketAddr};
use support::web::{Answer, Https, Relay, own_loopback};
use support::{Kind, PASSWORD, Profile, ROOMS, Server, befriend, server_with, stderr};

fn history(profile: &Profile, with: &str) -> Vec<serde_json::Value> {
    profile.json_lines(&["history", with, "--json"])
}

/// Switch `profile`'s account to `transport` at `url`.
fn over_http(profile: &Profile, server: &Server, transport: &str, url: &str) {
    let out = profile.account(server, "add", PASSWORD, &["--transport", transport, "--url", url]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// How an HTTP transport is asked for, shown, and where it is on a server.
struct Way {
    name: &'static str,
    shown: &'static str,
    url: fn(&Server) -> String,
}

const WEBSOCKET: Way = Way { name: "websocket", shown: "WebSocket", url: Server::websocket_url };
const BOSH: Way = Way { name: "bosh", shown: "BOSH", url: Server::bosh_url };

#[test]
fn websocket_carries_login_contacts_chat_rooms_and_files() {
    carries_everything(&WEBSOCKET);
}

#[test]
fn bosh_carries_login_contacts_chat_rooms_and_files() {
    carries_everything(&BOSH);
}

fn carries_everything(way: &Way) {
    for kind in support::servers() {
        let (server, users) = server_with(kind, &["alice", "bob"]);
        let (alice, bob) = (&users[0], &users[1]);
        over_http(alice, &server, way.name, &(way.url)(&server));

        alice.ok(&["sync", "--wait", "0"]);
        let route = alice.last_route();
        assert_eq!(route["transport"], way.shown, "{route}");
        assert_eq!(route["endpoint"], (way.url)(&server));
        assert!(route["tls"].as_str().is_some_and(|tls| tls.starts_with("TLS 1.")), "{route}");

        befriend(alice, bob);
        let roster = alice.json_lines(&["roster", "--json"]);
        assert!(roster.iter().any(|c| c["jid"] == bob.jid.as_str()), "{roster:?}");

        alice.ok(&["send", &bob.jid, "over the web"]);
        bob.ok(&["sync", "--wait", "1"]);
        let received = history(bob, &alice.jid);
        assert_eq!(received.last().map(|m| &m["body"]), Some(&"over the web".into()));
        // Alice listens over the web while Bob answers.
        let mut listening = alice.spawn(&["sync", "--wait", "8"]);
        std::thread::sleep(std::time::Duration::from_secs(3));
        bob.ok(&["send", &alice.jid, "back over tcp"]);
        assert!(listening.wait().expect("alice's sync ends").success());
        let chat = history(alice, &bob.jid);
        let bodies: Vec<_> = chat.iter().map(|m| (&m["direction"], &m["body"])).collect();
        assert_eq!(
            bodies,
            [(&"out".into(), &"over the web".into()), (&"in".into(), &"back over tcp".into())]
        );
        let state = &chat[0]["state"];
        assert!(state == "sent" || state == "delivered", "acknowledged: {state}");

        let lounge = format!("lounge@{ROOMS}");
        alice.ok(&["room", "create", &lounge, "--public", "--name", "Web Lounge"]);
        let config = alice.json_lines(&["room", "config", &lounge, "--json"]);
        assert!(!config.is_empty(), "the room's form came back");

        let file = alice.path().join("note.txt");
        std::fs::write(&file, b"carried over the web").expect("written");
        alice.ok(&["send", &bob.jid, "--file", &file.display().to_string()]);
        let sent = history(alice, &bob.jid);
        let shared = sent.last().expect("the file's message");
        assert!(shared["attachment"]["url"].as_str().is_some_and(|u| u.ends_with("note.txt")));
        assert_ne!(shared["state"], "pending", "the upload's message was acknowledged");
        drop(server);
    }
}

#[test]
fn an_unencrypted_or_wrong_websocket_address_is_refused_with_a_reason() {
    let server = Server::start(Kind::Prosody);
    let alice = Profile::empty("alice");
    let plain = "ws://127.0.0.1/ws";
    let out =
        alice.account(&server, "add", PASSWORD, &["--transport", "websocket", "--url", plain]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not encrypted"), "{}", stderr(&out));
    let missing = alice.account(&server, "add", PASSWORD, &["--transport", "websocket"]);
    assert!(stderr(&missing).contains("--url wss://"), "{}", stderr(&missing));

    // An HTTPS address that is no WebSocket endpoint: the server's answer is named.
    server.register("alice", PASSWORD);
    let nowhere = format!("wss://{}:{}/nothing-here", support::DOMAIN, server.https_port);
    let out =
        alice.account(&server, "add", PASSWORD, &["--transport", "websocket", "--url", &nowhere]);
    assert!(out.status.success(), "{}", stderr(&out));
    let sync = alice.run(&["sync", "--wait", "0"]);
    assert!(!sync.status.success());
    assert!(stderr(&sync).contains("HTTP 404"), "{}", stderr(&sync));
}

/// XEP-0156's XRD document naming this WebSocket endpoint and, if given, this BOSH one.
fn host_meta(websocket: &str, bosh: Option<&str>) -> String {
    let bosh = bosh.map_or_else(String::new, |url| {
        format!("<Link rel='urn:xmpp:alt-connections:xbosh' href='{url}'/>")
    });
    format!(
        "<?xml version='1.0' encoding='utf-8'?>\
         <XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'>\
         <Link rel='urn:xmpp:alt-connections:websocket' href='{websocket}'/>{bosh}</XRD>"
    )
}

/// The account reaches its server at `ip`, where only the HTTPS port is open (relayed to the
/// server): XMPP's own port is closed, as on a network that lets only HTTPS out.
fn behind_https_only(profile: &Profile, server: &Server, ip: IpAddr, extra: &[&str]) {
    let (host, port, ca) =
        (ip.to_string(), server.port.to_string(), server.ca_file.display().to_string());
    let args = ["account", "add", &profile.jid, "--host", &host, "--port", &port];
    let args = [&args[..], &["--ca-file", &ca, "--password-stdin"], extra].concat();
    let out = profile.run_with_stdin(&args, PASSWORD);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// What a test of the automatic route keeps running: the server, its users, the relay to its
/// HTTPS port and the web server with host-meta.
type Found = (Server, Vec<Profile>, Relay, Https);

/// Alice behind a network that lets only HTTPS out, her server's host-meta being `document`:
/// her message goes out over `way` at its endpoint, and bob gets it.
fn finds_through_host_meta(
    runtime: &tokio::runtime::Runtime,
    kind: Kind,
    document: impl Fn(&Server) -> String,
    way: &Way,
) -> Found {
    let (server, users) = server_with(kind, &["alice", "bob"]);
    let (alice, bob) = (&users[0], &users[1]);
    let ip = own_loopback();
    let https = SocketAddr::from(([127, 0, 0, 1], server.https_port));
    let relay = runtime.block_on(Relay::start(SocketAddr::new(ip, server.https_port), https));
    let answer = Answer::Reply(200, "application/xrd+xml", document(&server));
    let documents = [("/.well-known/host-meta", answer)];
    let web = runtime.block_on(Https::serve(&server, SocketAddr::new(ip, 443), &documents));
    behind_https_only(alice, &server, ip, &[]);

    let body = format!("found {}", way.shown);
    alice.ok(&["send", &bob.jid, &body]);
    let route = alice.last_route();
    assert_eq!(route["transport"], way.shown, "{route}");
    assert_eq!(route["endpoint"], (way.url)(&server));
    bob.ok(&["sync", "--wait", "1"]);
    assert_eq!(history(bob, &alice.jid)[0]["body"], body.as_str());
    (server, users, relay, web)
}

#[test]
fn automatic_finds_websocket_through_host_meta_where_tcp_is_closed_and_keeps_it() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    for kind in support::servers() {
        let document = |server: &Server| host_meta(&server.websocket_url(), None);
        let (_server, users, _relay, web) =
            finds_through_host_meta(&runtime, kind, document, &WEBSOCKET);
        // The way found is kept: it works without asking host-meta again.
        drop(web);
        users[0].ok(&["sync", "--wait", "0"]);
        assert_eq!(users[0].last_route()["transport"], "WebSocket");
    }
}

#[test]
fn automatic_finds_bosh_through_host_meta_where_tcp_and_websocket_are_closed() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    for kind in support::servers() {
        // The network lets HTTPS out, but the WebSocket endpoint answers 404.
        let document = |server: &Server| {
            let closed = server.websocket_url().replace("/ws", "/no-websocket-here");
            host_meta(&closed, Some(&server.bosh_url()))
        };
        finds_through_host_meta(&runtime, kind, document, &BOSH);
    }
}

#[test]
fn automatic_tries_tcp_first_and_names_tcps_failure_when_nothing_else_is_found() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (server, users) = server_with(Kind::Prosody, &["alice"]);
    let alice = &users[0];
    alice.ok(&["sync", "--wait", "0"]);
    assert_eq!(alice.last_route()["transport"], "TCP (STARTTLS)");

    // Where XMPP's port is closed and host-meta is garbage, the user hears about TCP.
    let ip = own_loopback();
    let garbage = [
        (
            "/.well-known/host-meta",
            Answer::Reply(200, "text/html", "<html>hotel wifi</html>".into()),
        ),
        ("/.well-known/host-meta.json", Answer::Claims(2 << 30)),
    ];
    let _web = runtime.block_on(Https::serve(&server, SocketAddr::new(ip, 443), &garbage));
    behind_https_only(alice, &server, ip, &[]);
    let sync = alice.run(&["sync", "--wait", "0"]);
    assert!(!sync.status.success());
    assert!(stderr(&sync).contains("refused the connection"), "{}", stderr(&sync));
}

/// Alice sends through each broken `endpoint` (path, what it answers, what she must be told)
/// of a fake HTTPS server over `transport`: each send fails with its reason, and every
/// message waits in the outbox.
fn each_refused_with_its_reason(
    transport: &str,
    scheme: &str,
    endpoints: Vec<(&str, Answer, &str)>,
) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (server, users) = server_with(Kind::Prosody, &["alice"]);
    let alice = &users[0];
    let ip = own_loopback();
    let answers: Vec<(&str, Answer)> =
        endpoints.iter().map(|(path, answer, _)| (*path, answer.clone())).collect();
    let _web = runtime.block_on(Https::serve(&server, SocketAddr::new(ip, 443), &answers));
    for (path, _, said) in &endpoints {
        let url = format!("{scheme}://{}{path}", support::DOMAIN);
        behind_https_only(alice, &server, ip, &["--transport", transport, "--url", &url]);
        let sent = alice.run(&["send", "bob@confab.test", &format!("kept through {path}")]);
        assert!(!sent.status.success(), "{path}: not sent");
        assert!(stderr(&sent).contains(said), "{path}: {}", stderr(&sent));
    }
    let outbox = alice.json_lines(&["outbox", "--json"]);
    assert_eq!(outbox.len(), endpoints.len(), "every message waits in the outbox: {outbox:?}");
}

fn internal_error() -> Answer {
    Answer::Reply(500, "text/html", "<html><h1>Internal error</h1></html>".into())
}

#[test]
fn a_broken_websocket_endpoint_gets_a_clear_error_and_nothing_is_lost() {
    each_refused_with_its_reason(
        "websocket",
        "wss",
        vec![
            ("/error", internal_error(), "HTTP 500"),
            ("/huge", Answer::Claims(2 << 30), "HTTP 200"),
            ("/stall", Answer::Stall, "did not answer in time"),
        ],
    );
}

#[test]
fn a_broken_bosh_endpoint_gets_a_clear_error_and_nothing_is_lost() {
    let portal = "<html><body>Log in to the Wi-Fi</body></html>".to_owned();
    let no_session = "<body xmlns='http://jabber.org/protocol/httpbind'/>".to_owned();
    each_refused_with_its_reason(
        "bosh",
        "https",
        vec![
            ("/error", internal_error(), "HTTP 500"),
            ("/html", Answer::Reply(200, "text/html", portal), "not a BOSH answer"),
            ("/huge", Answer::Claims(2 << 30), "larger than 4 MiB"),
            ("/stall", Answer::Stall, "did not answer in time"),
            ("/nosid", Answer::Reply(200, "text/xml", no_session), "created no session"),
        ],
    );
}

#[test]
fn a_bosh_answer_for_another_session_or_an_unsent_request_ends_the_session_with_a_reason() {
    let created = format!(
        "<body xmlns='http://jabber.org/protocol/httpbind' xmlns:xmpp='urn:xmpp:xbosh' \
         xmlns:stream='http://etherx.jabber.org/streams' sid='s1' wait='60' hold='1' \
         requests='2' from='{}' xmpp:version='1.0'><stream:features>\
         <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism>\
         </mechanisms></stream:features></body>",
        support::DOMAIN
    );
    let other = "<body xmlns='http://jabber.org/protocol/httpbind' sid='s2'/>".to_owned();
    let unsent =
        format!("<body xmlns='http://jabber.org/protocol/httpbind' sid='s1' ack='{}'/>", u64::MAX);
    each_refused_with_its_reason(
        "bosh",
        "https",
        vec![
            ("/other", Answer::turns(&[created.clone(), other]), "answered for another session"),
            ("/unsent", Answer::turns(&[created, unsent]), "which was never sent"),
        ],
    );
}
