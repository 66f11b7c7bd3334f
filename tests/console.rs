//! The XML console against real servers (Prosody and ejabberd): `confab console watch` shows
//! the stanzas in and out in order, and a password typed into a command's form never shows.

mod support;

use confab::model::{CommandAction, CommandStatus};
use confab::worker::{Command, Event};
use std::time::Duration;
use support::{ADMIN, DOMAIN, WAIT, online, server_with};

/// The value of `attribute` in the first tag of `line`, quoted either way.
fn attribute<'a>(line: &'a str, attribute: &str) -> Option<&'a str> {
    let tag = &line[..line.find('>')?];
    let at = tag.find(&format!(" {attribute}="))? + attribute.len() + 2;
    let quote = tag[at..].chars().next()?;
    let value = &tag[at + 1..];
    value.find(quote).map(|end| &value[..end])
}

#[test]
fn watching_shows_stanzas_in_and_out_in_order() {
    for kind in support::servers() {
        let (_server, users) = server_with(kind, &["alice", "bob"]);
        let (alice, bob) = (&users[0], &users[1]);
        let out = std::thread::scope(|scope| {
            let watcher = scope.spawn(|| alice.run(&["console", "watch", "--for", "15"]));
            std::thread::sleep(Duration::from_secs(4));
            bob.ok(&["send", &alice.jid, "hello console"]);
            watcher.join().expect("the watch ends")
        });
        assert!(out.status.success(), "{}", support::stderr(&out));
        let shown = String::from_utf8_lossy(&out.stdout).into_owned();
        let lines: Vec<&str> = shown.lines().collect();
        let incoming = lines.iter().position(|l| l.contains("← ") && l.contains("hello console"));
        assert!(incoming.is_some(), "bob's message came in: {shown}");
        assert!(lines.iter().any(|l| l.contains("→ <presence")), "our presence went out");

        let (asked, id) = lines
            .iter()
            .enumerate()
            .find_map(|(n, l)| {
                let xml = &l[l.find("→ <iq")? + "→ ".len()..];
                (attribute(xml, "type") == Some("get")).then(|| (n, attribute(xml, "id")))
            })
            .expect("a request went out");
        let id = id.expect("it has an id");
        let answered = lines.iter().position(|l| {
            l.find("← <iq").is_some_and(|at| attribute(&l[at + "← ".len()..], "id") == Some(id))
        });
        assert!(answered.is_some_and(|n| n > asked), "its answer came after it: {shown}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_typed_into_a_command_never_shows_in_the_console() {
    const SECRET: &str = "s3cret-words-9";
    const ADD_USER: &str = "http://jabber.org/protocol/admin#add-user";
    for kind in support::servers() {
        let (_server, users) = server_with(kind, &[ADMIN]);
        let (admin, mut events) = online(&users[0]).await;
        admin.send(Command::Console(true)).expect("worker");
        let step = |session, action, form| Command::RunCommand {
            jid: DOMAIN.into(),
            node: ADD_USER.into(),
            session,
            action,
            form,
        };
        admin.send(step(None, CommandAction::Execute, None)).expect("worker");
        let mut shown = Vec::new();
        let mut filled = false;
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let event = tokio::time::timeout_at(deadline, events.recv())
                .await
                .expect("the command ends in time")
                .expect("the worker runs");
            match event {
                Event::Stanza { xml, .. } => shown.push(xml),
                Event::CommandStage { answer, .. } => {
                    let stage = answer.expect("the administrator may");
                    if stage.status == CommandStatus::Completed {
                        assert!(filled);
                        break;
                    }
                    let mut form = stage.form.clone().expect("a form");
                    for (var, value) in [
                        ("accountjid", format!("newcomer@{DOMAIN}")),
                        ("password", SECRET.to_owned()),
                        ("password-verify", SECRET.to_owned()),
                    ] {
                        form.field_mut(var).expect(var).set_value(&value);
                    }
                    filled = true;
                    let forward = stage.forward();
                    admin.send(step(stage.session, forward, Some(form))).expect("worker");
                }
                _ => {}
            }
        }
        let submitted = shown.iter().find(|xml| xml.contains("newcomer@")).expect("the answers");
        assert!(submitted.contains("(hidden)"), "{submitted}");
        assert!(shown.iter().all(|xml| !xml.contains(SECRET)), "{shown:?}");
    }
}
