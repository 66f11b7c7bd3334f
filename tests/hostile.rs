//! Strangers who can reach us through the real server: whatever they send, Confab neither
//! crashes nor loses the conversation that follows (docs/security.md).

mod support;

use std::time::Duration;
use support::raw_client::RawClient;
use support::{Kind, PASSWORD, Profile, Server};

fn history(profile: &Profile, with: &str) -> Vec<serde_json::Value> {
    profile.json_lines(&["history", with, "--json"])
}

/// A presence nested 8,000 deep (about 56 KB) used to overflow the XML parser's stack and
/// abort the whole process; Prosody relays it. Alice must stay up and get the next message.
#[test]
fn a_presence_nested_thousands_deep_neither_crashes_nor_disconnects() {
    let why = "ejabberd 23.01 itself goes down when it relays a presence nested 5,000 deep to \
               someone online, so nothing reaches Confab";
    for kind in support::servers_except(Kind::Ejabberd, why) {
        let server = Server::start(kind);
        server.register("alice", PASSWORD);
        server.register("mallory", PASSWORD);
        let alice = Profile::new(&server, "alice", PASSWORD);
        let listening = alice.spawn(&["sync", "--wait", "8"]);
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
}

/// `confab account add` for alice, pointed at a fake server on `port` (Direct TLS).
fn point_at(alice: &Profile, server: &Server, port: u16, extra: &[&str]) {
    let port = port.to_string();
    let ca = server.ca_file.display().to_string();
    let mut args = vec!["account", "add", &alice.jid, "--host", "127.0.0.1", "--port", &port];
    args.extend_from_slice(&["--direct-tls", "--ca-file", &ca, "--password-stdin"]);
    args.extend_from_slice(extra);
    let out = alice.run_with_stdin(&args, PASSWORD);
    assert!(out.status.success(), "{}", support::stderr(&out));
}

fn plain_payload(user: &str) -> String {
    support::raw_client::base64(format!("\0{user}\0{PASSWORD}").as_bytes())
}

/// On TLS 1.3 the old login only accepted `-PLUS` SCRAM, so a server offering plain SCRAM and
/// PLAIN was sent the password itself. Now it gets SCRAM, flagged `y` (RFC 5802: "I could have
/// bound the channel"), so a stripped `-PLUS` would be noticed.
#[test]
fn a_server_offering_scram_and_plain_gets_scram_never_the_password() {
    // Only the fake server is talked to; the real one lends its certificate.
    let server = Server::start(Kind::Prosody);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let fake =
        support::fake_login::FakeLogin::start(&runtime, &server, &["PLAIN", "SCRAM-SHA-1"], "");
    let alice = Profile::empty("alice");
    point_at(&alice, &server, fake.port, &["--allow-plain"]);
    let out = alice.run(&["sync", "--wait", "0"]);
    assert!(!out.status.success());
    let auths = fake.auths();
    assert_eq!(auths.len(), 1, "{auths:?}");
    assert!(auths[0].contains("mechanism='SCRAM-SHA-1'"), "{}", auths[0]);
    // base64("y,,") is "eSws": the GS2 header that says we support channel binding.
    assert!(auths[0].contains(">eSws"), "{}", auths[0]);
    assert!(!auths[0].contains(&plain_payload("alice")));
}

/// The iteration count is the server's to choose, and PBKDF2 runs on the account's worker: a
/// server asking for four billion would have hung the account for hours. It is refused at once
/// with a message saying why, and no proof is sent; an ordinary count is answered.
#[test]
fn a_server_asking_for_endless_login_work_is_refused_at_once() {
    let server = Server::start(Kind::Prosody);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let start = |rest: &str| {
        let mechanisms = ["SCRAM-SHA-1"];
        support::fake_login::FakeLogin::start_with_challenge(
            &runtime,
            &server,
            &mechanisms,
            "",
            Some(rest),
        )
    };
    let greedy = start(",s=QSXCR+Q6sek8bf92,i=4294967295");
    let alice = Profile::empty("alice");
    point_at(&alice, &server, greedy.port, &[]);
    let started = std::time::Instant::now();
    let out = alice.run(&["sync", "--wait", "0"]);
    assert!(!out.status.success());
    let said = support::stderr(&out);
    assert!(said.contains("4294967295 iterations"), "{said}");
    assert!(!said.contains("panicked"), "{said}");
    assert_eq!(greedy.auths().len(), 1);
    assert!(greedy.responses().is_empty(), "{:?}", greedy.responses());
    eprintln!("refused in {:?}", started.elapsed());

    let ordinary = start(",s=QSXCR+Q6sek8bf92,i=4096");
    point_at(&alice, &server, ordinary.port, &[]);
    let out = alice.run(&["sync", "--wait", "0"]);
    assert!(support::stderr(&out).contains("wrong password"), "{}", support::stderr(&out));
    let responses = ordinary.responses();
    assert_eq!(responses.len(), 1, "the proof is sent: {responses:?}");
}

/// PLAIN-only servers are refused unless the account allows PLAIN, and an account that logged
/// in with SCRAM before refuses a later PLAIN-only offer as a possible downgrade.
#[test]
fn plain_is_opt_in_and_a_downgrade_after_scram_is_refused() {
    for kind in support::servers() {
        let server = Server::start(kind);
        server.register("alice", PASSWORD);
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let fake = support::fake_login::FakeLogin::start(&runtime, &server, &["PLAIN"], "");

        let bob = Profile::empty("bob");
        point_at(&bob, &server, fake.port, &[]);
        let out = bob.run(&["sync", "--wait", "0"]);
        assert!(!out.status.success());
        assert!(
            support::stderr(&out).contains("allow that in the account's settings"),
            "{}",
            support::stderr(&out)
        );
        assert_eq!(fake.connections(), 1, "refused once, not retried");
        assert!(fake.auths().is_empty(), "nothing was sent: {:?}", fake.auths());
        point_at(&bob, &server, fake.port, &["--allow-plain"]);
        let _ = bob.run(&["sync", "--wait", "0"]);
        assert_eq!(fake.auths().len(), 1);
        assert!(fake.auths()[0].contains(&plain_payload("bob")));

        // Alice logs in to the real server (SCRAM), then "her server" offers only PLAIN.
        let alice = Profile::new(&server, "alice", PASSWORD);
        alice.ok(&["sync", "--wait", "0"]);
        point_at(&alice, &server, fake.port, &["--allow-plain"]);
        let out = alice.run(&["sync", "--wait", "0"]);
        assert!(!out.status.success());
        let said = support::stderr(&out);
        // The strongest SCRAM each server offers: Prosody 0.12 has SHA-1, ejabberd SHA-256.
        let scram = if kind == Kind::Prosody { "SCRAM-SHA-1" } else { "SCRAM-SHA-256" };
        assert!(said.contains("possible attack") && said.contains(scram), "{said}");
        assert_eq!(fake.auths().len(), 1, "alice sent nothing: {:?}", fake.auths());
        point_at(&alice, &server, fake.port, &["--allow-plain", "--forget-login-method"]);
        let _ = alice.run(&["sync", "--wait", "0"]);
        assert_eq!(fake.auths().len(), 2);
        assert!(fake.auths()[1].contains(&plain_payload("alice")));
    }
}

/// A stranger announcing vCard photo hashes used to make Confab fetch each picture and keep
/// it for ever; only contacts' pictures are fetched now, so nothing reaches the cache.
#[test]
fn a_strangers_avatar_is_not_fetched_or_kept() {
    for kind in support::servers() {
        let server = Server::start(kind);
        server.register("alice", PASSWORD);
        server.register("mallory", PASSWORD);
        let alice = Profile::new(&server, "alice", PASSWORD);
        let listening = alice.spawn(&["sync", "--wait", "6"]);
        std::thread::sleep(Duration::from_secs(2));
        let picture = {
            let mut png = std::io::Cursor::new(Vec::new());
            image::RgbImage::from_pixel(8, 8, image::Rgb([200, 30, 30]))
                .write_to(&mut png, image::ImageFormat::Png)
                .expect("PNG");
            png.into_inner()
        };
        let hash = {
            use sha1::Digest;
            sha1::Sha1::digest(&picture).iter().map(|b| format!("{b:02x}")).collect::<String>()
        };
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        runtime.block_on(async {
            let mut mallory = RawClient::login(&server, "mallory", PASSWORD).await;
            let vcard = format!(
                "<iq type='set' id='v1'><vCard xmlns='vcard-temp'><PHOTO><TYPE>image/png</TYPE>\
                 <BINVAL>{}</BINVAL></PHOTO></vCard></iq>",
                support::raw_client::base64(&picture)
            );
            mallory.ask(&vcard, "v1").await;
            mallory
                .send(&format!(
                    "<presence to='{}'><x xmlns='vcard-temp:x:update'><photo>{hash}</photo></x>\
                     </presence>",
                    alice.jid
                ))
                .await;
            tokio::time::sleep(Duration::from_secs(2)).await;
            mallory.close().await;
        });
        let output = listening.wait_with_output().expect("alice's sync ends");
        assert!(output.status.success());
        let cached = alice.path().join("cache/avatars").join(&hash);
        assert!(!cached.exists(), "a stranger's picture was fetched and kept");
    }
}
