//! What other clients may ask of a running Confab through real servers (Prosody and ejabberd):
//! its software version (XEP-0092), local time (XEP-0202) and idle time (XEP-0012), answered
//! to contacts who see our presence and refused to strangers; the operating system only when
//! the user allows it.

mod support;

use confab::config::Privacy;
use confab::worker::Command;
use support::raw_client::RawClient;
use support::{PASSWORD, befriend, online, server_with};

/// Ask `iq` (which carries `id='ID'`) and read until its whole answer is in; returns it.
async fn ask_whole(client: &mut RawClient, iq: &str, id: &str) -> String {
    let mut seen = client.ask(iq, id).await;
    let marker = format!("id='{id}'");
    let start = |seen: &str| seen.find(&marker).and_then(|at| seen[..at].rfind("<iq"));
    let start = |seen: &str| start(seen).unwrap_or(0);
    while !seen[start(&seen)..].contains("</iq>") {
        seen.push_str(&client.read_until("</iq>").await);
    }
    let from = start(&seen);
    let end = seen[from..].find("</iq>").map_or(seen.len(), |e| from + e + "</iq>".len());
    seen[from..end].to_owned()
}

/// The full address `bare` is online at, from the presence `client` was sent.
async fn full_jid_of(client: &mut RawClient, bare: &str) -> String {
    let seen = client.read_until(&format!("{bare}/")).await;
    let at = seen.find(&format!("{bare}/")).expect("the address");
    let tail = &seen[at..];
    let end = tail.find(['\'', '"']).unwrap_or(tail.len());
    tail[..end].to_owned()
}

fn version_query(to: &str, id: &str) -> String {
    format!("<iq type='get' id='{id}' to='{to}'><query xmlns='jabber:iq:version'/></iq>")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_learn_our_software_and_time_and_strangers_learn_nothing() {
    for kind in support::servers() {
        let (server, users) = server_with(kind, &["alice", "bob", "mallory"]);
        befriend(&users[0], &users[1]);
        let (alice, _events) = online(&users[0]).await;
        let mut bob = RawClient::login(&server, "bob", PASSWORD).await;
        let alice_full = full_jid_of(&mut bob, &users[0].jid).await;

        let version = ask_whole(&mut bob, &version_query(&alice_full, "v1"), "v1").await;
        assert!(version.contains("type='result'"), "{version}");
        assert!(version.contains("<name>Confab</name>"), "{version}");
        let release = format!("<version>{}</version>", env!("CARGO_PKG_VERSION"));
        assert!(version.contains(&release), "{version}");
        assert!(!version.contains("<os>"), "the system is withheld by default: {version}");

        let time = ask_whole(
            &mut bob,
            &format!("<iq type='get' id='t1' to='{alice_full}'><time xmlns='urn:xmpp:time'/></iq>"),
            "t1",
        )
        .await;
        assert!(time.contains("<tzo>") && time.contains("<utc>"), "{time}");
        let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
        assert!(time.contains(&today), "our time is now: {time}");

        let last = ask_whole(
            &mut bob,
            &format!(
                "<iq type='get' id='l1' to='{alice_full}'><query xmlns='jabber:iq:last'/></iq>"
            ),
            "l1",
        )
        .await;
        let seconds = last.split("seconds='").nth(1).and_then(|rest| rest.split('\'').next());
        let seconds: u64 = seconds.and_then(|s| s.parse().ok()).unwrap_or(u64::MAX);
        assert!(seconds < 120, "alice acted moments ago: {last}");

        let mut mallory = RawClient::login(&server, "mallory", PASSWORD).await;
        let refused = ask_whole(&mut mallory, &version_query(&alice_full, "v2"), "v2").await;
        assert!(refused.contains("type='error'"), "{refused}");
        assert!(refused.contains("service-unavailable"), "{refused}");
        assert!(!refused.contains("Confab"), "{refused}");
        let query = format!(
            "<iq type='get' id='l2' to='{alice_full}'><query xmlns='jabber:iq:last'/></iq>"
        );
        let refused = ask_whole(&mut mallory, &query, "l2").await;
        assert!(refused.contains("type='error'") && !refused.contains("seconds"), "{refused}");

        let sharing = Privacy { share_os: true, ..Privacy::default() };
        alice.send(Command::SetPrivacy(sharing)).expect("worker");
        let version = ask_whole(&mut bob, &version_query(&alice_full, "v3"), "v3").await;
        assert!(version.contains("<os>"), "the user allowed it: {version}");
        drop(alice);
    }
}
