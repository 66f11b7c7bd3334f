//! Sharing files against a real Prosody with mod_http_file_share over HTTPS on 127.0.0.1:
//! upload, the peer's history and a byte-identical download, the service's size limit, and
//! automatic downloads (only from contacts, only under a safe name).

mod support;

use confab::model::{AccountId, Transfer};
use confab::paths::Paths;
use confab::worker::{self, Command, Event};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;
use support::{DOMAIN, PASSWORD, Profile, Prosody, UPLOAD_LIMIT, stderr};

/// Bytes that no step could produce by accident.
fn sample(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 8) as u8).collect()
}

fn write_sample(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("sample written");
    path
}

fn server_with(users: &[&str], groups: &str) -> Prosody {
    let server = Prosody::start_with_groups(groups);
    for user in users {
        server.register(user, PASSWORD);
    }
    server
}

fn only_message(profile: &Profile, peer: &str) -> Value {
    let history = profile.json_lines(&["history", peer, "--json"]);
    assert_eq!(history.len(), 1, "{history:#?}");
    history[0].clone()
}

#[test]
fn a_file_goes_up_and_arrives_byte_identical() {
    let server = server_with(&["alice", "bob"], "");
    let alice = Profile::new(&server, "alice", PASSWORD);
    let bob = Profile::new(&server, "bob", PASSWORD);
    let bytes = sample(100_000, 7);
    let original = write_sample(alice.path(), "field notes.bin", &bytes);

    alice.ok(&["send", &bob.jid, "--file", &original.display().to_string()]);
    let sent = only_message(&alice, &bob.jid);
    assert_eq!(sent["state"], "sent");
    let url = sent["attachment"]["url"].as_str().expect("the upload's address").to_owned();
    assert!(url.starts_with(&format!("https://127.0.0.1:{}/", server.https_port)), "{url}");
    assert_eq!(sent["body"], url, "clients without out-of-band data see the address");

    bob.ok(&["sync", "--wait", "1"]);
    let received = only_message(&bob, &alice.jid);
    assert_eq!(received["attachment"]["url"], url);
    assert_eq!(received["attachment"]["name"], "field notes.bin");
    assert!(received["attachment"]["local"].is_null(), "not a contact: nothing fetched unasked");

    let id = received["id"].as_i64().expect("an id").to_string();
    let saved = PathBuf::from(bob.ok(&["download", &id]).trim());
    assert!(saved.starts_with(bob.path().join("cache").join("files")), "{}", saved.display());
    assert_eq!(std::fs::read(&saved).expect("downloaded file"), bytes);
    let again = only_message(&bob, &alice.jid);
    assert_eq!(again["attachment"]["local"], saved.display().to_string());
    assert_eq!(again["attachment"]["size"], 100_000);
}

#[test]
fn a_file_over_the_services_limit_is_refused_with_the_limit() {
    let server = server_with(&["alice", "bob"], "");
    let alice = Profile::new(&server, "alice", PASSWORD);
    let too_big = write_sample(alice.path(), "video.bin", &sample(300 * 1024, 1));

    let out =
        alice.run(&["send", &format!("bob@{DOMAIN}"), "--file", &too_big.display().to_string()]);
    assert!(!out.status.success(), "an over-size file was accepted");
    let said = stderr(&out);
    assert!(said.contains("video.bin is 300 KiB"), "{said}");
    assert!(said.contains(&format!("accepts files up to {} KiB", UPLOAD_LIMIT / 1024)), "{said}");
    let kept = only_message(&alice, &format!("bob@{DOMAIN}"));
    assert_eq!(kept["state"], "failed", "the message stays, marked failed, for Retry");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_files_download_by_themselves_under_safe_names_and_strangers_do_not() {
    let groups = format!("[Team]\nalice@{DOMAIN}\nbob@{DOMAIN}\n");
    let server = server_with(&["alice", "bob", "carol"], &groups);
    let alice = Profile::new(&server, "alice", PASSWORD);
    let bob = Profile::new(&server, "bob", PASSWORD);
    let carol = Profile::new(&server, "carol", PASSWORD);
    let picture = sample(20_000, 3);
    let stranger_file = write_sample(carol.path(), "free money.bin", &sample(5_000, 9));
    carol.ok(&["send", &bob.jid, "--file", &stranger_file.display().to_string()]);
    let file = write_sample(alice.path(), "cat.png", &picture);
    alice.ok(&["send", &bob.jid, "--file", &file.display().to_string()]);
    let url = only_message(&alice, &bob.jid)["attachment"]["url"].as_str().expect("url").to_owned();
    // A hostile sender names the same file with a path that climbs out of any folder; the
    // server serves it by its slot, whatever the name after it.
    let (slot, _) = url.rsplit_once('/').expect("a path");
    let hostile = format!("{slot}/..%2F..%2F.config%2Fautostart%2Fevil.desktop");
    let raw = format!(
        "<message to='{}' type='chat' id='hostile-1'><body>{hostile}</body>\
         <x xmlns='jabber:x:oob'><url>{hostile}</url></x></message>",
        bob.jid
    );
    alice.ok(&["console", "send", &raw]);

    let (handle, mut events) =
        worker::spawn(Paths::in_profile(bob.path()), AccountId(bob.jid.clone()));
    let mut carols = None;
    let mut touched_carols = false;
    let mut done: Vec<PathBuf> = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while done.len() < 2 {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Some(Event::Message(message))) if message.from.starts_with("carol@") => {
                carols = Some(message.id);
            }
            Ok(Some(Event::Transfer { message_id, transfer, .. })) => {
                touched_carols |= Some(message_id) == carols;
                match transfer {
                    Transfer::Done(attachment) => {
                        done.push(attachment.local.expect("a local copy"));
                    }
                    Transfer::Failed(why) => panic!("a download failed: {why}"),
                    _ => {}
                }
            }
            Ok(Some(_)) => {}
            _ => panic!("the contact's files were not fetched; got {done:?}"),
        }
    }
    handle.send(Command::Shutdown).expect("worker reachable");
    assert!(carols.is_some(), "carol's message arrived");
    assert!(!touched_carols, "a stranger's file was fetched unasked");

    let files = bob.path().join("cache").join("files");
    let names: Vec<String> =
        done.iter().map(|p| p.file_name().unwrap_or_default().to_string_lossy().into()).collect();
    assert!(names.contains(&"cat.png".to_owned()), "{names:?}");
    assert!(names.contains(&"evil.desktop".to_owned()), "{names:?}");
    for path in &done {
        assert_eq!(
            path.parent().and_then(Path::parent),
            Some(files.as_path()),
            "{}",
            path.display()
        );
        assert_eq!(std::fs::read(path).expect("downloaded"), picture);
    }
    assert!(!bob.path().join(".config").exists(), "a file escaped the downloads folder");
}
