//! The worker as the window uses it: events in order, and a dropped server connection that
//! comes back by itself.

mod support;

use confab::model::{AccountId, ConnectionState, Direction};
use confab::paths::Paths;
use confab::worker::{self, Command, Event};
use std::time::Duration;
use support::{PASSWORD, Profile, Server, wait_for};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnects_by_itself_after_the_server_comes_back() {
    for kind in support::servers() {
        let mut server = Server::start(kind);
        server.register("alice", PASSWORD);
        server.register("bob", PASSWORD);
        let alice = Profile::new(&server, "alice", PASSWORD);
        let bob = Profile::new(&server, "bob", PASSWORD);
        let (handle, mut events) = support::online(&alice).await;
        let online = |e: &Event| matches!(e, Event::Connection(ConnectionState::Online));

        server.stop();
        let offline = wait_for(&mut events, Duration::from_secs(30), "offline state", |e| {
            matches!(e, Event::Connection(ConnectionState::Offline { .. }))
        })
        .await;
        let Event::Connection(ConnectionState::Offline { retry_in_secs, .. }) = offline else {
            unreachable!()
        };
        assert!(retry_in_secs > 0, "the user is told when the next try comes");

        server.resume();
        wait_for(&mut events, Duration::from_secs(60), "login after the server returned", online)
            .await;

        // Still fully working: a message from Bob arrives as an event, already stored.
        let text = "are you back?";
        let bob_sends = tokio::task::spawn_blocking({
            let jid = alice.jid.clone();
            move || bob.ok(&["send", &jid, text])
        });
        let arrived = wait_for(
            &mut events,
            Duration::from_secs(30),
            "Bob's message",
            |e| matches!(e, Event::Message(m) if m.body == text),
        )
        .await;
        bob_sends.await.expect("bob's send finished");
        let Event::Message(message) = arrived else { unreachable!() };
        assert_eq!(message.direction, Direction::In);
        assert!(message.id > 0, "announced only after it was stored");

        handle.send(Command::Shutdown).expect("worker reachable");
        wait_for(&mut events, Duration::from_secs(15), "clean stop", |e| {
            matches!(e, Event::Stopped)
        })
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changed_server_settings_take_effect_on_reload() {
    for kind in support::servers() {
        let server = Server::start(kind);
        server.register("alice", PASSWORD);
        let alice = Profile::new(&server, "alice", PASSWORD);
        let paths = Paths::in_profile(alice.path());
        // A wrong port first, as a user might have typed.
        let mut config = confab::config::Config::load(&paths.config_file()).expect("config");
        let account = config.account_mut(&alice.jid).expect("alice");
        let right_port = account.port;
        account.port = Some(1);
        config.save(&paths.config_file()).expect("saved");
        let (handle, mut events) = worker::spawn(paths.clone(), AccountId(alice.jid.clone()));
        wait_for(&mut events, Duration::from_secs(20), "a failed attempt", |e| {
            matches!(e, Event::Connection(ConnectionState::Offline { .. }))
        })
        .await;

        let mut config = confab::config::Config::load(&paths.config_file()).expect("config");
        config.account_mut(&alice.jid).expect("alice").port = right_port;
        config.save(&paths.config_file()).expect("saved");
        handle.send(Command::Reload).expect("sent");
        wait_for(&mut events, Duration::from_secs(20), "login with the new settings", |e| {
            matches!(e, Event::Connection(ConnectionState::Online))
        })
        .await;
    }
}
