//! Discovery against real servers (Prosody and ejabberd): through `confab disco`, a server's
//! services, a conference service's identity and public rooms, a room's features, and an
//! address with nothing at it; through the worker, another client's paged list and a flood.

mod support;

use confab::model::{DiscoQuery, Discovered};
use confab::worker::{Command, Event};
use serde_json::Value;
use support::raw_client::RawClient;
use support::{
    DOMAIN, PASSWORD, Profile, ROOMS, Server, UPLOAD, WAIT, online, server_with, stderr, wait_for,
};

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

/// The value of `name` in the first element of `xml` that carries it.
fn attribute(xml: &str, name: &str) -> String {
    let at = xml.find(&format!("{name}=")).unwrap_or_else(|| panic!("no {name} in {xml}"));
    let rest = &xml[at + name.len() + 1..];
    let quote = rest.chars().next().expect("a quote");
    rest[1..].split(quote).next().expect("a value").to_owned()
}

/// Read until a request in `namespace` comes, and return it from its `<iq` on.
async fn request(peer: &mut RawClient, namespace: &str) -> String {
    let seen = peer.read_until(namespace).await;
    let query = seen.find(namespace).expect("seen");
    let start = seen[..query].rfind("<iq").expect("the request's iq");
    seen[start..].to_owned()
}

fn answer(request: &str, payload: &str) -> String {
    let (id, from) = (attribute(request, "id"), attribute(request, "from"));
    format!("<iq type='result' id='{id}' to='{from}'>{payload}</iq>")
}

async fn discovered(
    events: &mut tokio::sync::mpsc::UnboundedReceiver<Event>,
) -> Result<Discovered, String> {
    let event =
        wait_for(events, WAIT, "a discovery answer", |e| matches!(e, Event::Discovered { .. }))
            .await;
    let Event::Discovered { answer, .. } = event else { unreachable!("matched") };
    answer
}

/// Another client, through the real server, pages its list (XEP-0059) and then answers with
/// far more features than anyone announces: Confab follows the pages as the peer tells them
/// and keeps a bounded part of the flood, saying it was cut.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_pages_its_list_and_a_flood_of_features_stays_bounded() {
    for kind in support::servers() {
        let (server, users) = server_with(kind, &["alice", "mallory"]);
        let (alice, mut events) = online(&users[0]).await;
        let mut mallory = RawClient::login(&server, "mallory", PASSWORD).await;
        let peer = mallory.full_jid.clone();
        let items = |from: usize, to: usize| -> String {
            (from..to).map(|i| format!("<item jid='{peer}' node='n{i:03}'/>")).collect()
        };
        let page = |from: usize, to: usize| {
            format!(
                "<query xmlns='http://jabber.org/protocol/disco#items'>{}\
                 <set xmlns='http://jabber.org/protocol/rsm'><first index='{from}'>n{from:03}</first>\
                 <last>n{:03}</last><count>150</count></set></query>",
                items(from, to),
                to - 1
            )
        };

        let ask = |after: Option<&str>| Command::Discover {
            jid: peer.clone(),
            node: None,
            query: DiscoQuery::Items { after: after.map(str::to_owned) },
        };
        alice.send(ask(None)).expect("asked");
        let first = request(&mut mallory, "disco#items").await;
        assert!(first.contains("<max>100</max>"), "a page at a time: {first}");
        mallory.send(&answer(&first, &page(0, 100))).await;
        let Ok(Discovered::Items { items: got, next, more }) = discovered(&mut events).await else {
            panic!("items")
        };
        assert_eq!((got.len(), more, next.as_deref()), (100, true, Some("n099")), "{kind:?}");
        assert_eq!(got[0].node.as_deref(), Some("n000"));

        alice.send(ask(Some("n099"))).expect("asked");
        let second = request(&mut mallory, "disco#items").await;
        assert!(second.contains("<after>n099</after>"), "{second}");
        mallory.send(&answer(&second, &page(100, 150))).await;
        let Ok(Discovered::Items { items: got, next, more }) = discovered(&mut events).await else {
            panic!("items")
        };
        assert_eq!((got.len(), more, next), (50, false, None), "the last page ends the list");

        let info = Command::Discover { jid: peer.clone(), node: None, query: DiscoQuery::Info };
        alice.send(info).expect("asked");
        let asked = request(&mut mallory, "disco#info").await;
        let flood: String = (0..5_000).map(|i| format!("<feature var='urn:x:{i}'/>")).collect();
        let payload = format!(
            "<query xmlns='http://jabber.org/protocol/disco#info'>\
             <identity category='client' type='pc'/>{flood}</query>"
        );
        mallory.send(&answer(&asked, &payload)).await;
        let Ok(Discovered::Info(info)) = discovered(&mut events).await else { panic!("info") };
        assert_eq!(info.features.len(), 2_000, "{kind:?}");
        assert!(info.cut, "said to be cut");
        assert_eq!(info.identities.len(), 1);
    }
}
