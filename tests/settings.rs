//! What the settings do while Confab runs: a privacy setting changed in the window reaches the
//! running worker without a restart (against a real Prosody), and an account that does not
//! connect at start says it is offline, so the window never shows it as anything else.

mod support;

use confab::config::{AccountConfig, Config, Privacy};
use confab::model::{AccountId, ChatId, ConnectionState, Typing};
use confab::paths::Paths;
use confab::worker::{self, Command, Event};
use support::{Profile, WAIT, online, wait_for};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_turned_on_while_running_is_told_at_once() {
    let (_server, users) = support::server_with(&["alice", "bob"]);
    let config_file = Paths::in_profile(users[1].path()).config_file();
    let mut config = Config::load(&config_file).expect("bob's settings");
    config.privacy = Privacy { typing: false, ..Privacy::default() };
    config.save(&config_file).expect("saved");
    let (_alice, mut alice_events) = online(&users[0]).await;
    let (bob, _bob_events) = online(&users[1]).await;

    bob.send(Command::SetPrivacy(Privacy::default())).expect("sent");
    let typing = Command::Typing { chat: ChatId(users[0].jid.clone()), typing: Typing::Composing };
    bob.send(typing).expect("sent");
    wait_for(&mut alice_events, WAIT, "bob typing", |e| {
        matches!(e, Event::Typing { typing: Typing::Composing, chat } if chat.as_str() == users[1].jid)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_that_does_not_connect_at_start_says_it_is_offline() {
    let profile = Profile::empty("me");
    let paths = Paths::in_profile(profile.path());
    let mut config = Config::default();
    config.upsert_account(AccountConfig { enabled: false, ..AccountConfig::new(&profile.jid) });
    config.save(&paths.config_file()).expect("saved");
    let (_handle, mut events) = worker::spawn(paths, AccountId(profile.jid.clone()));
    wait_for(&mut events, WAIT, "the offline state", |e| {
        matches!(e, Event::Connection(ConnectionState::Idle))
    })
    .await;
}
