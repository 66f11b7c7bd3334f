//! Discovery against real servers (Prosody and ejabberd): through `confab disco`, a server's
//! services, a conference service's identity and public rooms, a room's features, and an
//! address with nothing at it; through the worker, another client's paged list and a flood,
//! and a contact's capabilities (XEP-0115) believed only by their hash.

mod support;

use confab::model::{DiscoQuery, Discovered};
use confab::worker::{Command, Event};
use serde_json::Value;
use support::raw_client::RawClient;
use support::{
    DOMAIN, PASSWORD, Profile, ROOMS, Server, UPLOAD, WAIT, befriend, online, server_with, stderr,
    wait_for,
};
use tokio_xmpp::parsers::caps;
use tokio_xmpp::parsers::disco::{DiscoInfoResult, Identity};
use tokio_xmpp::parsers::hashes::Algo;

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

/// Read until a request in `namespace` comes from `asker`'s client (the server, and its
/// publish-subscribe service for `asker`, ask things too), and return it from its `<iq` on.
async fn request_from(peer: &mut RawClient, asker: &str, namespace: &str) -> String {
    let mut seen = String::new();
    let mut searched = 0;
    loop {
        while let Some(at) = seen[searched..].find(namespace).map(|at| searched + at) {
            searched = at + namespace.len();
            let start = seen[..at].rfind("<iq").expect("the request's iq");
            let head = &seen[start..at];
            if head.contains(&format!("from='{asker}/"))
                || head.contains(&format!("from=\"{asker}/"))
            {
                return seen[start..].to_owned();
            }
        }
        seen.push_str(&peer.read_until(namespace).await);
    }
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
        let first = request_from(&mut mallory, &users[0].jid, "disco#items").await;
        assert!(first.contains("<max>100</max>"), "a page at a time: {first}");
        mallory.send(&answer(&first, &page(0, 100))).await;
        let Ok(Discovered::Items { items: got, next, more }) = discovered(&mut events).await else {
            panic!("items")
        };
        assert_eq!((got.len(), more, next.as_deref()), (100, true, Some("n099")), "{kind:?}");
        assert_eq!(got[0].node.as_deref(), Some("n000"));

        alice.send(ask(Some("n099"))).expect("asked");
        let second = request_from(&mut mallory, &users[0].jid, "disco#items").await;
        assert!(second.contains("<after>n099</after>"), "{second}");
        mallory.send(&answer(&second, &page(100, 150))).await;
        let Ok(Discovered::Items { items: got, next, more }) = discovered(&mut events).await else {
            panic!("items")
        };
        assert_eq!((got.len(), more, next), (50, false, None), "the last page ends the list");

        let info = Command::Discover { jid: peer.clone(), node: None, query: DiscoQuery::Info };
        alice.send(info).expect("asked");
        let asked = request_from(&mut mallory, &users[0].jid, "disco#info").await;
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

/// A `<c/>` announcing `info`'s hash (or, `forged`, the hash of something else).
fn caps_presence(info: &DiscoInfoResult, forged: bool) -> (String, String) {
    let mut hashed = info.clone();
    if forged {
        hashed.features.insert("urn:xmpp:jingle:1".into());
    }
    let hash = caps::hash_caps(&caps::compute_disco(&hashed), Algo::Sha_1).expect("hash");
    let hex: String = hash.hash.iter().map(|b| format!("{b:02x}")).collect();
    let ver = support::raw_client::base64(&hash.hash);
    let presence = format!(
        "<presence><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' \
         node='https://raw.example' ver='{ver}'/></presence>"
    );
    (presence, format!("sha-1 {hex}"))
}

/// A contact's client announces its capabilities by hash: Confab asks once, remembers the
/// answer only when it makes the announced hash, and asks again for neither a hash it knows
/// nor one that lied.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_s_capabilities_are_believed_by_their_hash_and_asked_once() {
    for kind in support::servers() {
        let (server, users) = server_with(kind, &["alice", "bob"]);
        befriend(&users[0], &users[1]);
        let (_alice, _events) = online(&users[0]).await;
        let mut bob = RawClient::login(&server, "bob", PASSWORD).await;
        let info = DiscoInfoResult {
            node: None,
            identities: vec![Identity::new("client", "pc", "en", "Raw")],
            features: ["http://jabber.org/protocol/caps", "urn:xmpp:receipts"]
                .map(str::to_owned)
                .into_iter()
                .collect(),
            extensions: Vec::new(),
        };
        let answer_with = |asked: &str| {
            let node = attribute(&asked[asked.find("<query").expect("query")..], "node");
            let mut answered = info.clone();
            answered.node = Some(node);
            answer(asked, &String::from(&tokio_xmpp::minidom::Element::from(answered)))
        };
        let remembered = |key: &str| {
            let database = confab::paths::Paths::in_profile(users[0].path()).database();
            let store = confab::store::Store::open(&database).expect("store");
            store.capabilities(key).expect("read")
        };

        let (lying, lie) = caps_presence(&info, true);
        bob.send(&lying).await;
        let asked = request_from(&mut bob, &users[0].jid, "disco#info").await;
        bob.send(&answer_with(&asked)).await;
        let (honest, truth) = caps_presence(&info, false);
        bob.send(&honest).await;
        let asked = request_from(&mut bob, &users[0].jid, "disco#info").await;
        assert!(asked.contains("https://raw.example#"), "asked by node and hash: {asked}");
        bob.send(&answer_with(&asked)).await;
        let deadline = std::time::Instant::now() + WAIT;
        while remembered(&truth).is_none() && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let features = remembered(&truth).unwrap_or_default();
        assert!(features.iter().any(|f| f == "urn:xmpp:receipts"), "{kind:?}: {features:?}");
        assert_eq!(remembered(&lie), None, "a hash the answer does not make is not remembered");

        bob.send(&honest.replace("<presence>", "<presence><show>away</show>")).await;
        bob.send(&lying).await;
        let later = bob.read_for(std::time::Duration::from_secs(2)).await;
        let client = [format!("from='{}/", users[0].jid), format!("from=\"{}/", users[0].jid)];
        let asked_again = later
            .split("<iq")
            .any(|iq| iq.contains("disco#info") && client.iter().any(|c| iq.contains(c.as_str())));
        assert!(!asked_again, "neither asked again: {later}");
    }
}

/// Registering with what discovery finds (XEP-0077): a room's nickname on Prosody, the
/// conference service's nickname on ejabberd. The form is the service's own; once sent, the
/// service says we are registered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nickname_is_registered_with_a_room_or_conference_service() {
    use confab::model::{FieldKind, ServiceRegistration};
    for kind in support::servers() {
        let (_server, users) = server_with(kind, &["alice"]);
        let room = format!("tea@{ROOMS}");
        users[0].ok(&["room", "create", &room, "--public"]);
        let target = match kind {
            support::Kind::Prosody => room.clone(),
            support::Kind::Ejabberd => ROOMS.to_owned(),
        };
        let (alice, mut events) = online(&users[0]).await;
        let ask = |form| {
            alice.send(Command::RegisterWith { jid: target.clone(), form }).expect("sent");
        };
        ask(None);
        let registration = wait_for(&mut events, WAIT, "the service's form", |e| {
            matches!(e, Event::ServiceRegistration { .. })
        })
        .await;
        let Event::ServiceRegistration {
            answer: Ok(ServiceRegistration::Asked { mut form, registered }),
            ..
        } = registration
        else {
            panic!("{kind:?}: {registration:?}")
        };
        assert!(!registered, "{kind:?}");
        let shown = format!("{form:?}");
        let nick = form
            .fields
            .iter_mut()
            .find(|f| f.kind == FieldKind::TextSingle)
            .unwrap_or_else(|| panic!("{kind:?}: a nickname field in {shown}"));
        nick.set_value("Ally");
        ask(Some(form));
        let done = wait_for(&mut events, WAIT, "the registration", |e| {
            matches!(e, Event::ServiceRegistration { .. })
        })
        .await;
        assert!(
            matches!(
                done,
                Event::ServiceRegistration { answer: Ok(ServiceRegistration::Done), .. }
            ),
            "{kind:?}: {done:?}"
        );
        ask(None);
        let again = wait_for(&mut events, WAIT, "the form again", |e| {
            matches!(e, Event::ServiceRegistration { .. })
        })
        .await;
        let Event::ServiceRegistration {
            answer: Ok(ServiceRegistration::Asked { form, registered }),
            ..
        } = again
        else {
            panic!("{kind:?}: {again:?}")
        };
        assert!(registered, "{kind:?}: {form:?}");
        assert!(
            form.fields.iter().any(|f| f.values.iter().any(|v| v == "Ally")),
            "{kind:?}: the registered nickname is shown: {form:?}"
        );
    }
}

/// A user directory (XEP-0055, ejabberd's; Prosody has none): its form, a search by nickname,
/// and the person found with their address. Prosody is left out: it offers no directory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_directory_finds_people_by_nickname() {
    use confab::model::{DirectorySearch, FieldKind};
    for kind in support::servers_except(support::Kind::Prosody, "Prosody has no user directory") {
        let (_server, users) = server_with(kind, &["alice", "bob"]);
        users[1].ok(&["profile", "nickname", "Builder"]);
        let directory = format!("vjud.{DOMAIN}");
        let (alice, mut events) = online(&users[0]).await;
        let ask = |form| {
            let command = Command::SearchDirectory { jid: directory.clone(), form };
            alice.send(command).expect("sent");
        };
        ask(None);
        let asked = wait_for(&mut events, WAIT, "the directory's form", |e| {
            matches!(e, Event::DirectorySearch { .. })
        })
        .await;
        let Event::DirectorySearch { answer: Ok(DirectorySearch::Asked(mut form)), .. } = asked
        else {
            panic!("{kind:?}: {asked:?}")
        };
        let shown = format!("{form:?}");
        let nick = form
            .fields
            .iter_mut()
            .find(|f| f.var == "nick" && f.kind == FieldKind::TextSingle)
            .unwrap_or_else(|| panic!("{kind:?}: a nickname field in {shown}"));
        nick.set_value("Builder");
        ask(Some(form));
        let found = wait_for(&mut events, WAIT, "the results", |e| {
            matches!(e, Event::DirectorySearch { .. })
        })
        .await;
        let Event::DirectorySearch { answer: Ok(DirectorySearch::Found(table)), .. } = found else {
            panic!("{kind:?}: {found:?}")
        };
        let bob = table.rows.iter().find(|r| r.jid.as_deref() == Some(users[1].jid.as_str()));
        assert!(bob.is_some_and(|r| r.cells.iter().any(|c| c == "Builder")), "{table:?}");
        assert!(!table.rows.iter().any(|r| r.jid.as_deref() == Some(users[0].jid.as_str())));
    }
}
