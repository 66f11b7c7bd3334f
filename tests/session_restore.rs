//! Session restore against real servers (Prosody and ejabberd): what was unread and which conversation was open
//! come back when Confab starts again, read from the store by the account's worker.

mod support;

use confab::model::{AccountId, ChatId};
use confab::paths::Paths;
use confab::worker::{self, Command, Event};
use support::{Profile, WAIT, online, wait_for};
use tokio::sync::mpsc::UnboundedReceiver;

/// `from` sends `body` to `to` from the command line; `events` (of `to`) hears it.
async fn receive(from: &Profile, to: &str, body: &str, events: &mut UnboundedReceiver<Event>) {
    let (dir, to, text) = (from.path().to_owned(), to.to_owned(), body.to_owned());
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_confab"))
            .arg("--profile")
            .arg(dir)
            .args(["send", &to, &text])
            .env("CONFAB_PASSWORD_STORE", "file")
            .output()
            .expect("confab runs")
    })
    .await
    .expect("sent");
    assert!(out.status.success(), "send: {}", String::from_utf8_lossy(&out.stderr));
    wait_for(events, WAIT, body, |e| matches!(e, Event::Message(m) if m.body == body)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unread_counts_and_the_open_conversation_survive_a_restart() {
    for kind in support::servers() {
        let (_server, users) = support::server_with(kind, &["alice", "bob"]);
        let (alice, bob) = (&users[0], &users[1]);
        let (handle, mut events) = online(alice).await;
        let with_bob = ChatId(bob.jid.clone());

        receive(bob, &alice.jid, "one", &mut events).await;
        handle.send(Command::Read { chat: with_bob.clone() }).expect("worker reachable");
        handle.send(Command::Opened { chat: with_bob.clone() }).expect("worker reachable");
        // Commands are taken in order: once this page is back, the two above are done.
        let page = Command::LoadHistory { chat: with_bob.clone(), before: None, limit: 5 };
        handle.send(page).expect("worker reachable");
        wait_for(&mut events, WAIT, "the page", |e| matches!(e, Event::History(_))).await;
        receive(bob, &alice.jid, "two", &mut events).await;
        receive(bob, &alice.jid, "three", &mut events).await;
        handle.send(Command::Shutdown).expect("worker reachable");
        wait_for(&mut events, WAIT, "the worker's end", |e| matches!(e, Event::Stopped)).await;

        let (_again, mut events) =
            worker::spawn(Paths::in_profile(alice.path()), AccountId(alice.jid.clone()));
        let reading = wait_for(&mut events, WAIT, "where alice left off", |e| {
            matches!(e, Event::Reading { .. })
        })
        .await;
        let Event::Reading { unread, open } = reading else { unreachable!() };
        assert_eq!(unread, [(with_bob.clone(), 2)], "two messages came after the read one");
        assert_eq!(open, Some(with_bob));
    }
}
