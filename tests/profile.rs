//! Profiles and safety against real servers (Prosody and ejabberd): nicknames others can read, and a roster push
//! forged by another user that changes nothing.

mod support;

use confab::config::Config;
use confab::model::{AccountId, ConnectionState, Direction};
use confab::paths::Paths;
use confab::worker::{self, Event};
use std::time::Duration;
use support::{DOMAIN, PASSWORD, Profile, Server, befriend, wait_for};

#[test]
fn a_nickname_set_by_one_user_is_read_by_another() {
    for kind in support::servers() {
        let server = Server::start(kind);
        server.register("alice", PASSWORD);
        server.register("bob", PASSWORD);
        let alice = Profile::new(&server, "alice", PASSWORD);
        let bob = Profile::new(&server, "bob", PASSWORD);

        let empty = bob.ok(&["profile", "show", &alice.jid]);
        assert!(empty.contains("has not filled in a profile"), "{empty}");

        alice.ok(&["profile", "nickname", "Ally"]);
        let seen = bob.json_lines(&["profile", "show", &alice.jid, "--json"]);
        let entries = &seen[0]["entries"];
        let nickname = entries.as_array().and_then(|e| e.iter().find(|e| e["label"] == "Nickname"));
        assert_eq!(nickname.map(|e| e["value"].clone()), Some("Ally".into()), "{seen:?}");

        // Changing it again replaces it; the vCard keeps a single nickname.
        alice.ok(&["profile", "nickname", "Alice L."]);
        let own = alice.ok(&["profile", "show"]);
        assert!(own.contains("Nickname: Alice L."), "{own}");
        assert!(!own.contains("Ally"), "{own}");
    }
}

fn avatar_of(profile: &Profile, jid: &str) -> serde_json::Value {
    let roster = profile.json_lines(&["roster", "--json"]);
    roster
        .into_iter()
        .find(|c| c["jid"] == jid)
        .map_or(serde_json::Value::Null, |c| c["avatar"].clone())
}

#[test]
fn an_avatar_published_by_one_user_appears_for_the_other() {
    for kind in support::servers() {
        let server = Server::start(kind);
        server.register("alice", PASSWORD);
        server.register("bob", PASSWORD);
        let alice = Profile::new(&server, "alice", PASSWORD);
        let bob = Profile::new(&server, "bob", PASSWORD);
        befriend(&alice, &bob);

        // A 300×200 photo: published as a 192×192 PNG.
        let picture = alice.path().join("me.jpg");
        image::RgbImage::from_fn(300, 200, |x, y| image::Rgb([x as u8, y as u8, 128]))
            .save(&picture)
            .expect("test picture written");
        alice.ok(&["profile", "avatar", picture.to_str().expect("utf-8 path")]);

        bob.ok(&["sync", "--wait", "3"]);
        let hash = avatar_of(&bob, &alice.jid);
        let hash = hash.as_str().unwrap_or_else(|| panic!("bob knows alice's avatar: {hash}"));
        let cached = bob.path().join("cache/avatars").join(hash);
        let bytes = std::fs::read(&cached).expect("the picture is in bob's avatar cache");
        let png = image::load_from_memory(&bytes).expect("a picture");
        assert_eq!((png.width(), png.height()), (192, 192));

        alice.ok(&["profile", "avatar", "--remove"]);
        bob.ok(&["sync", "--wait", "3"]);
        assert_eq!(avatar_of(&bob, &alice.jid), serde_json::Value::Null, "the avatar is gone");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_roster_push_forged_by_another_user_changes_nothing() {
    for kind in support::servers() {
        let server = Server::start(kind);
        server.register("alice", PASSWORD);
        server.register("eve", PASSWORD);
        let alice = Profile::new(&server, "alice", PASSWORD);
        let eve = Profile::new(&server, "eve", PASSWORD);
        // A known resource, so that Eve can address Alice's client directly.
        let paths = Paths::in_profile(alice.path());
        let mut config = Config::load(&paths.config_file()).expect("config");
        config.account_mut(&alice.jid).expect("alice").resource = Some("desk".into());
        config.save(&paths.config_file()).expect("config saved");

        let (_handle, mut events) = worker::spawn(paths, AccountId(alice.jid.clone()));
        let online = |e: &Event| matches!(e, Event::Connection(ConnectionState::Online));
        wait_for(&mut events, Duration::from_secs(20), "login", online).await;

        let forged = format!(
            "<iq type='set' id='forged' to='{}/desk'><query xmlns='jabber:iq:roster'>\
             <item jid='mallory@{DOMAIN}' name='Mallory' subscription='both'/></query></iq>",
            alice.jid
        );
        let alice_jid = alice.jid.clone();
        tokio::task::spawn_blocking(move || {
            eve.ok(&["console", "send", &forged]);
            // Prosody hands Eve's stanzas to Alice's client in order: once this message is in,
            // the forged push has been dealt with.
            eve.ok(&["send", &alice_jid, "after the push"]);
        })
        .await
        .expect("eve's commands ran");
        wait_for(&mut events, Duration::from_secs(20), "eve's message", |e| {
            matches!(e, Event::Message(m) if m.direction == Direction::In && m.body == "after the push")
        })
        .await;

        let roster = tokio::task::spawn_blocking(move || alice.json_lines(&["roster", "--json"]))
            .await
            .expect("roster read");
        assert!(
            roster.iter().all(|c| c["jid"] != format!("mallory@{DOMAIN}")),
            "the forged push added nobody: {roster:?}"
        );
    }
}
