//! Search (issue #18) against real servers (Prosody and ejabberd): what a contact wrote is found
//! by the worker and by `confab search` as soon as it is stored, folded (case, accents) and in
//! scripts without spaces; a corrected line is found by its new words only; a line is shown in
//! place among its neighbours.

mod support;

use confab::model::ChatId;
use confab::model::search::{SearchQuery, SearchResults};
use confab::worker::{Command, Event, Handle};
use serde_json::Value;
use support::{Profile, WAIT, wait_for};
use tokio::sync::mpsc::UnboundedReceiver;

async fn stored(events: &mut UnboundedReceiver<Event>, body: &str) -> confab::model::Message {
    match wait_for(events, WAIT, body, |e| matches!(e, Event::Message(m) if m.body == body)).await {
        Event::Message(message) => message,
        _ => unreachable!(),
    }
}

/// What the worker finds for `text` (in `chat`, when given), by body, newest first.
async fn found(
    handle: &Handle,
    events: &mut UnboundedReceiver<Event>,
    serial: u64,
    text: &str,
    chat: Option<&str>,
) -> Vec<String> {
    let query = SearchQuery {
        text: text.into(),
        chat: chat.map(|c| ChatId(c.into())),
        limit: 20,
        ..SearchQuery::default()
    };
    handle.send(Command::Search { serial, query }).expect("worker reachable");
    let answer = wait_for(
        events,
        WAIT,
        "the search's answer",
        |e| matches!(e, Event::SearchResults { serial: s, .. } if *s == serial),
    )
    .await;
    let Event::SearchResults { results, .. } = answer else { unreachable!() };
    let results: SearchResults = results.expect("searched");
    results.hits.into_iter().map(|hit| hit.message.body).collect()
}

/// `confab search … --json`, as bodies with their account.
fn searched_on_the_command_line(profile: &Profile, args: &[&str]) -> Vec<(String, String)> {
    let mut all = vec!["search"];
    all.extend_from_slice(args);
    all.push("--json");
    let lines: Vec<Value> = profile.json_lines(&all);
    lines
        .iter()
        .map(|m| {
            let text = |key: &str| m[key].as_str().unwrap_or_default().to_owned();
            (text("body"), text("account"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_contact_wrote_is_found_as_it_arrives_and_as_it_was_corrected() {
    for kind in support::servers() {
        let (_server, users) = support::server_with(kind, &["alice", "bob", "carol"]);
        let (alice, bob, carol) = (&users[0], &users[1], &users[2]);
        let (alice_handle, mut alice_events) = support::online(alice).await;
        let (bob_handle, mut bob_events) = support::online(bob).await;
        let (carol_handle, mut carol_events) = support::online(carol).await;

        for body in ["Rendez-vous au Café demain", "明日は東京都に行きます", "teh lunch"]
        {
            bob_handle
                .send(Command::Send { to: alice.jid.clone(), body: body.into() })
                .expect("sent");
            stored(&mut bob_events, body).await;
            stored(&mut alice_events, body).await;
        }
        carol_handle
            .send(Command::Send { to: alice.jid.clone(), body: "cafe with carol".into() })
            .expect("sent");
        stored(&mut carol_events, "cafe with carol").await;
        stored(&mut alice_events, "cafe with carol").await;

        let h = &alice_handle;
        let e = &mut alice_events;
        assert_eq!(
            found(h, e, 1, "CAFE", None).await,
            ["cafe with carol", "Rendez-vous au Café demain"]
        );
        assert_eq!(found(h, e, 2, "cafe", Some(&bob.jid)).await, ["Rendez-vous au Café demain"]);
        assert_eq!(found(h, e, 3, "東京", None).await, ["明日は東京都に行きます"]);
        assert!(found(h, e, 4, "\" *", None).await.is_empty(), "signs alone are no words");

        // Bob corrects his last line: it is found by what it says now.
        bob_handle
            .send(Command::Correct { chat: ChatId(alice.jid.clone()), body: "the lunch".into() })
            .expect("sent");
        wait_for(
            e,
            WAIT,
            "the correction",
            |ev| matches!(ev, Event::Edited(m) if m.body == "the lunch"),
        )
        .await;
        assert!(found(h, e, 5, "teh", None).await.is_empty(), "the old words are gone");
        assert_eq!(found(h, e, 6, "lunch", None).await, ["the lunch"]);

        // The command line finds the same, with the account it is in.
        let account = alice.jid.clone();
        assert_eq!(
            searched_on_the_command_line(alice, &["cafe", "--in", &bob.jid]),
            [("Rendez-vous au Café demain".to_owned(), account.clone())]
        );
        assert_eq!(
            searched_on_the_command_line(alice, &["cafe", "--from", &carol.jid]),
            [("cafe with carol".to_owned(), account)]
        );
        assert!(searched_on_the_command_line(alice, &["cafe", "--since", "2999-01-01"]).is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_found_is_shown_among_its_neighbours() {
    for kind in support::servers() {
        let (_server, users) = support::server_with(kind, &["alice", "bob"]);
        let (alice, bob) = (&users[0], &users[1]);
        let (alice_handle, mut alice_events) = support::online(alice).await;
        let (bob_handle, mut bob_events) = support::online(bob).await;
        let mut ids = Vec::new();
        for n in 0..8 {
            let body = format!("line {n}");
            bob_handle
                .send(Command::Send { to: alice.jid.clone(), body: body.clone() })
                .expect("sent");
            stored(&mut bob_events, &body).await;
            ids.push(stored(&mut alice_events, &body).await.id);
        }
        let chat = ChatId(bob.jid.clone());
        alice_handle
            .send(Command::ShowAround { chat: chat.clone(), message_id: ids[2] })
            .expect("worker reachable");
        let around = wait_for(&mut alice_events, WAIT, "the line among its neighbours", |e| {
            matches!(e, Event::Around { .. })
        })
        .await;
        let Event::Around { page, focus, newer } = around else { unreachable!() };
        assert_eq!(focus, ids[2]);
        let bodies: Vec<_> = page.messages.iter().map(|m| m.body.as_str()).collect();
        // Everything before it, and three lines after it; more are left for "Jump to latest".
        assert_eq!(bodies, ["line 0", "line 1", "line 2", "line 3", "line 4", "line 5"]);
        assert!(newer && !page.has_more);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_is_exported_as_a_page_as_text_and_as_json() {
    for kind in support::servers() {
        let (_server, users) = support::server_with(kind, &["alice", "bob"]);
        let (alice, bob) = (&users[0], &users[1]);
        let (alice_handle, mut alice_events) = support::online(alice).await;
        let (bob_handle, mut bob_events) = support::online(bob).await;
        for body in ["<b>not bold</b> & more", "second line"] {
            bob_handle
                .send(Command::Send { to: alice.jid.clone(), body: body.into() })
                .expect("sent");
            stored(&mut bob_events, body).await;
            stored(&mut alice_events, body).await;
        }
        let out = tempfile::tempdir().expect("dir");
        let dir = out.path().to_str().expect("a path");
        let mut files = Vec::new();
        for format in ["html", "txt", "json"] {
            let printed = alice.ok(&["export", &bob.jid, "--format", format, "--out", dir]);
            let file = std::path::PathBuf::from(printed.trim());
            assert!(file.starts_with(out.path()), "written where asked: {}", file.display());
            files.push(std::fs::read_to_string(&file).expect("the export is there"));
        }
        assert!(files[0].contains("&lt;b&gt;not bold&lt;/b&gt; &amp; more"), "words, not markup");
        assert!(files[1].contains(": <b>not bold</b> & more"));
        let json: Value = serde_json::from_str(&files[2]).expect("valid JSON");
        let bodies: Vec<_> =
            json["messages"].as_array().expect("lines").iter().map(|m| m["body"].clone()).collect();
        assert_eq!(bodies, ["<b>not bold</b> & more", "second line"]);
        assert_eq!(json["chat"], Value::from(bob.jid.as_str()));

        // The window's way: the worker writes it and says where.
        let export = Command::Export {
            chat: ChatId(bob.jid.clone()),
            title: "Bob".into(),
            format: confab::export::Format::Html,
            into: out.path().join("from the window"),
        };
        alice_handle.send(export).expect("worker reachable");
        let told = wait_for(
            &mut alice_events,
            WAIT,
            "the export's outcome",
            |e| matches!(e, Event::Notice(n) if n.contains("xported")),
        )
        .await;
        let Event::Notice(notice) = told else { unreachable!() };
        assert!(notice.starts_with("Exported 2 messages and 0 files to "), "{notice}");
        let page = notice.rsplit(" to ").next().unwrap_or_default();
        let page = std::fs::read_to_string(page).expect("the page is where the notice says");
        assert!(page.contains("<h1>Bob</h1>"));
    }
}
