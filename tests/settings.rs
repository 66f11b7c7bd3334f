//! What the settings do while Confab runs: a privacy setting changed in the window reaches the
//! running worker without a restart (against real servers (Prosody and ejabberd)), and an account that does not
//! connect at start says it is offline, so the window never shows it as anything else.

mod support;

use confab::config::{AccountConfig, Config, Privacy};
use confab::model::{AccountId, ChatId, ConnectionState, Delivery, Typing};
use confab::paths::Paths;
use confab::worker::{self, Command, Event, Handle};
use support::{Profile, WAIT, online, wait_for};
use tokio::sync::mpsc::UnboundedReceiver;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_turned_on_while_running_is_told_at_once() {
    for kind in support::servers() {
        let (_server, users) = support::server_with(kind, &["alice", "bob"]);
        let config_file = Paths::in_profile(users[1].path()).config_file();
        let mut config = Config::load(&config_file).expect("bob's settings");
        config.privacy = Privacy { typing: false, ..Privacy::default() };
        config.save(&config_file).expect("saved");
        let (_alice, mut alice_events) = online(&users[0]).await;
        let (bob, _bob_events) = online(&users[1]).await;

        bob.send(Command::SetPrivacy(Privacy::default())).expect("sent");
        let typing =
            Command::Typing { chat: ChatId(users[0].jid.clone()), typing: Typing::Composing };
        bob.send(typing).expect("sent");
        wait_for(&mut alice_events, WAIT, "bob typing", |e| {
            matches!(e, Event::Typing { typing: Typing::Composing, chat } if chat.as_str() == users[1].jid)
        })
        .await;
    }
}

/// One user's worker in this process, online.
struct Online {
    jid: String,
    handle: Handle,
    events: UnboundedReceiver<Event>,
}

impl Online {
    async fn start(profile: &Profile) -> Self {
        let (handle, events) = online(profile).await;
        Self { jid: profile.jid.clone(), handle, events }
    }
}

/// Alice writes `body` to Bob, Bob answers, and Alice learns whether a receipt came first:
/// Bob's receipt would leave before his answer, so once the answer is in, it would have too.
async fn receipt_before_answer(alice: &mut Online, bob: &mut Online, body: &str) -> bool {
    alice.handle.send(Command::Send { to: bob.jid.clone(), body: body.into() }).expect("sent");
    wait_for(&mut bob.events, WAIT, body, |e| matches!(e, Event::Message(m) if m.body == body))
        .await;
    let answer = format!("answer to {body}");
    bob.handle.send(Command::Send { to: alice.jid.clone(), body: answer.clone() }).expect("sent");
    let mut written = None;
    let mut receipt = false;
    wait_for(&mut alice.events, WAIT, &answer, |e| match e {
        Event::Message(m) if m.body == body => {
            written = Some(m.id);
            false
        }
        Event::Delivery { message_id, state: Delivery::Delivered, .. } => {
            receipt |= Some(*message_id) == written;
            false
        }
        Event::Message(m) => m.body == answer,
        _ => false,
    })
    .await;
    receipt
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receipts_turned_off_while_running_stop_at_once() {
    for kind in support::servers() {
        let (_server, users) = support::server_with(kind, &["alice", "bob"]);
        support::befriend(&users[0], &users[1]);
        let mut alice = Online::start(&users[0]).await;
        let mut bob = Online::start(&users[1]).await;

        assert!(
            receipt_before_answer(&mut alice, &mut bob, "with receipts").await,
            "receipts are on by default"
        );
        let off = Privacy { receipts: false, ..Privacy::default() };
        bob.handle.send(Command::SetPrivacy(off)).expect("sent");
        assert!(
            !receipt_before_answer(&mut alice, &mut bob, "without receipts").await,
            "a receipt left after receipts were turned off"
        );
    }
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

/// `confab config`: the settings by their dotted names, each change checked before it is
/// written, and written where the window and the workers read them.
#[test]
fn the_command_line_reads_and_changes_settings_by_name() {
    let profile = Profile::empty("alice");
    let config_file = Paths::in_profile(profile.path()).config_file();
    assert_eq!(profile.ok(&["config", "get", "appearance.theme"]).trim(), "system");
    profile.ok(&["config", "set", "appearance.theme", "dark"]);
    profile.ok(&["config", "set", "privacy.typing", "false"]);
    assert_eq!(profile.ok(&["config", "get", "appearance.theme"]).trim(), "dark");
    let config = Config::load(&config_file).expect("settings");
    assert_eq!(config.appearance.theme, confab::config::ThemeChoice::Dark);
    assert!(!config.privacy.typing);

    let listed = profile.json_lines(&["config", "list", "--json"]);
    let typing = listed.iter().find(|s| s["key"] == "privacy.typing").expect("listed");
    assert_eq!(typing["value"], "false");
    assert!(listed.iter().all(|s| s["about"].as_str().is_some_and(|a| !a.is_empty())));

    let unknown = profile.run(&["config", "set", "appearance.colour", "red"]);
    assert!(!unknown.status.success());
    assert!(support::stderr(&unknown).contains("confab config list"), "{unknown:?}");
    let bad = profile.run(&["config", "set", "media.auto_download_mib", "a lot"]);
    assert!(!bad.status.success());
    let said = support::stderr(&bad);
    assert!(said.contains("from 0 to 4096"), "{said}");
    let unchanged = Config::load(&config_file).expect("settings");
    assert_eq!(unchanged, config, "a refused change writes nothing");
}
