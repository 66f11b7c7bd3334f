//! Strangers who can reach us through the real server: whatever they send, Confab neither
//! crashes nor loses the conversation that follows (docs/security.md).

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;
use support::raw_client::RawClient;
use support::{PASSWORD, Profile, Prosody};

fn history(profile: &Profile, with: &str) -> Vec<serde_json::Value> {
    profile.json_lines(&["history", with, "--json"])
}

/// A presence nested 8,000 deep (about 56 KB) used to overflow the XML parser's stack and
/// abort the whole process; Prosody relays it. Alice must stay up and get the next message.
#[test]
fn a_presence_nested_thousands_deep_neither_crashes_nor_disconnects() {
    let server = Prosody::start();
    server.register("alice", PASSWORD);
    server.register("mallory", PASSWORD);
    let alice = Profile::new(&server, "alice", PASSWORD);
    let listening = Command::new(env!("CARGO_BIN_EXE_confab"))
        .arg("--profile")
        .arg(alice.path())
        .args(["sync", "--wait", "8"])
        .env("CONFAB_PASSWORD_STORE", "file")
        .stderr(Stdio::piped())
        .spawn()
        .expect("alice syncs");
    std::thread::sleep(Duration::from_secs(3));

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let mut mallory = RawClient::login(&server, "mallory", PASSWORD).await;
        let depth = 8000;
        let deep = format!(
            "<presence to='{alice}'><x xmlns='urn:example:deep'>{open}{close}</x></presence>",
            alice = alice.jid,
            open = "<a>".repeat(depth),
            close = "</a>".repeat(depth),
        );
        mallory.send(&deep).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        mallory
            .send(&format!(
                "<message to='{}' type='chat' id='after-deep'><body>still there?</body></message>",
                alice.jid
            ))
            .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        mallory.close().await;
    });

    let output = listening.wait_with_output().expect("alice's sync ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "alice's sync failed ({:?}): {stderr}", output.status);
    assert!(!stderr.contains("overflow"), "{stderr}");
    let got = history(&alice, &format!("mallory@{}", support::DOMAIN));
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["body"], "still there?");
}
