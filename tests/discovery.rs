//! `confab disco` against real servers (Prosody and ejabberd): a server's services, a conference
//! service's identity and public rooms, a room's features, and an address with nothing at it.

mod support;

use serde_json::Value;
use support::{DOMAIN, PASSWORD, Profile, ROOMS, Server, UPLOAD, stderr};

fn items(profile: &Profile, jid: &str) -> Vec<String> {
    let lines = profile.json_lines(&["disco", jid, "--items", "--json"]);
    lines.iter().filter_map(|item| item["jid"].as_str().map(str::to_owned)).collect()
}

fn info(profile: &Profile, jid: &str) -> Value {
    let out = profile.ok(&["disco", jid, "--json"]);
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn features(info: &Value) -> Vec<&str> {
    info["features"].as_array().into_iter().flatten().filter_map(Value::as_str).collect()
}

#[test]
fn a_server_its_services_and_a_room_describe_themselves() {
    for kind in support::servers() {
        let server = Server::start(kind);
        server.register("alice", PASSWORD);
        let alice = Profile::new(&server, "alice", PASSWORD);

        let services = items(&alice, DOMAIN);
        assert!(services.iter().any(|s| s == ROOMS), "{services:?}");
        assert!(services.iter().any(|s| s == UPLOAD), "{services:?}");

        let own = info(&alice, DOMAIN);
        let identities = own["identities"].as_array().cloned().unwrap_or_default();
        assert!(identities.iter().any(|i| i["category"] == "server"), "{own}");
        assert!(features(&own).contains(&"urn:xmpp:ping"), "{own}");

        let conference = info(&alice, ROOMS);
        let identities = conference["identities"].as_array().cloned().unwrap_or_default();
        assert!(
            identities.iter().any(|i| i["category"] == "conference" && i["type"] == "text"),
            "{conference}"
        );
        assert!(features(&conference).contains(&"http://jabber.org/protocol/muc"), "{conference}");

        let room = format!("lounge@{ROOMS}");
        alice.ok(&["room", "create", &room, "--public", "--name", "The Lounge"]);
        assert!(items(&alice, ROOMS).contains(&room), "a public room is listed");
        let lounge = info(&alice, &room);
        assert!(features(&lounge).contains(&"muc_public"), "{lounge}");

        let text = alice.ok(&["disco", &room]);
        assert!(text.contains("conference/text"), "{text}");
        assert!(text.contains("feature http://jabber.org/protocol/muc"), "{text}");
    }
}

#[test]
fn an_address_with_nothing_at_it_says_so() {
    for kind in support::servers() {
        let server = Server::start(kind);
        server.register("alice", PASSWORD);
        let alice = Profile::new(&server, "alice", PASSWORD);
        let ghost = format!("nobody-here@{ROOMS}");
        let out = alice.run(&["disco", &ghost]);
        assert!(!out.status.success());
        let why = stderr(&out);
        // Prosody gives no text, so Confab's words; ejabberd its own.
        let told = ["there is nothing at this address", "does not exist"];
        assert!(why.contains(&format!("{ghost}: ")), "the address: {why}");
        assert!(told.iter().any(|t| why.contains(t)), "why: {why}");
        let out = alice.run(&["disco", "not an address"]);
        assert!(!out.status.success());
        assert!(stderr(&out).contains("not a valid address"), "{}", stderr(&out));
    }
}
