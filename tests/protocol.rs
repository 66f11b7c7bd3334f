//! Against a real Prosody: log in, fail to log in, exchange messages live and offline, read
//! the roster, survive a dead server, and refuse or pin an untrusted certificate (and refuse a
//! pinned one that changed or names another server).

mod support;

use support::{DOMAIN, PASSWORD, Profile, ROOMS, Server, stderr};

fn history(profile: &Profile, with: &str) -> Vec<serde_json::Value> {
    profile.json_lines(&["history", with, "--json"])
}

#[test]
fn login_works_and_a_wrong_password_says_so() {
    for kind in support::servers() {
        let server = Server::start(kind);
        server.register("alice", PASSWORD);
        let alice = Profile::new(&server, "alice", PASSWORD);
        alice.ok(&["sync", "--wait", "0"]);

        let mallory = Profile::new(&server, "alice", "not the password");
        let out = mallory.run(&["sync", "--wait", "0"]);
        assert!(!out.status.success());
        assert!(stderr(&out).contains("wrong password"), "{}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    }
}

#[test]
fn direct_tls_login_works() {
    for kind in support::servers() {
        let server = Server::start(kind);
        server.register("alice", PASSWORD);
        let alice = Profile::new(&server, "alice", PASSWORD);
        let port = server.tls_port.to_string();
        let ca = server.ca_file.display().to_string();
        let out = alice.run_with_stdin(
            &[
                "account",
                "add",
                &alice.jid,
                "--host",
                "127.0.0.1",
                "--port",
                &port,
                "--direct-tls",
                "--ca-file",
                &ca,
                "--password-stdin",
            ],
            PASSWORD,
        );
        assert!(out.status.success(), "{}", stderr(&out));
        alice.ok(&["sync", "--wait", "0"]);
    }
}

#[test]
fn untrusted_certificate_is_refused_with_its_fingerprint_until_pinned() {
    for kind in support::servers() {
        let server = Server::start(kind);
        server.register("alice", PASSWORD);
        let alice = Profile::new(&server, "alice", PASSWORD);
        let port = server.port.to_string();
        let add = |extra: &[&str]| {
            let mut args = vec![
                "account",
                "add",
                alice.jid.as_str(),
                "--host",
                "127.0.0.1",
                "--port",
                &port,
                "--password-stdin",
            ];
            args.extend_from_slice(extra);
            let out = alice.run_with_stdin(&args, PASSWORD);
            assert!(out.status.success(), "{}", stderr(&out));
        };
        add(&[]);
        let out = alice.run(&["sync", "--wait", "0"]);
        assert!(!out.status.success());
        let error = stderr(&out);
        assert!(error.contains("not trusted"), "{error}");
        assert!(error.contains(&server.fingerprint), "{error} should show {}", server.fingerprint);

        add(&["--trust-fingerprint", &server.fingerprint]);
        alice.ok(&["sync", "--wait", "0"]);
    }
}

/// `confab account add` for `jid` at the test server without its CA, with `extra` arguments.
fn add_without_ca(profile: &Profile, jid: &str, port: u16, extra: &[&str]) {
    let port = port.to_string();
    let mut args = vec!["account", "add", jid, "--host", "127.0.0.1", "--port", &port];
    args.extend_from_slice(&["--password-stdin"]);
    args.extend_from_slice(extra);
    let out = profile.run_with_stdin(&args, PASSWORD);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_certificate_other_than_the_pinned_one_is_refused_as_changed_with_both_fingerprints() {
    for kind in support::servers() {
        let server = Server::start(kind);
        server.register("alice", PASSWORD);
        let alice = Profile::empty("alice");
        let trusted_before = ["5A"; 32].join(":");
        add_without_ca(&alice, &alice.jid, server.port, &["--trust-fingerprint", &trusted_before]);
        let out = alice.run(&["sync", "--wait", "0"]);
        assert!(!out.status.success(), "a certificate other than the pinned one was accepted");
        let error = stderr(&out);
        assert!(error.contains("changed since you trusted it"), "{error}");
        assert!(error.contains(&trusted_before), "{error} should show the trusted fingerprint");
        assert!(error.contains(&server.fingerprint), "{error} should show the new fingerprint");
        assert!(
            !error.contains("not trusted ("),
            "not worded as a first-time certificate: {error}"
        );
    }
}

#[test]
fn a_pinned_certificate_must_still_carry_the_servers_name() {
    for kind in support::servers() {
        let server = Server::start(kind);
        let stranger = Profile::empty("alice");
        // The server's certificate names confab.test, and the server offers it for any other
        // name too (Direct TLS: the certificate comes before any stream header). An account
        // elsewhere that pinned it must not accept it.
        let jid = &format!("alice@{ROOMS}");
        let extra = ["--direct-tls", "--trust-fingerprint", server.fingerprint.as_str()];
        add_without_ca(&stranger, jid, server.tls_port, &extra);
        let out = stranger.run(&["sync", "--wait", "0"]);
        assert!(!out.status.success(), "a pinned certificate passed for a name it does not carry");
        let error = stderr(&out);
        assert!(error.contains("refused (issued for another server name)"), "{error}");
    }
}

#[test]
fn live_message_arrives_and_is_kept_with_direction_and_time() {
    for kind in support::servers() {
        let server = Server::start(kind);
        server.register("alice", PASSWORD);
        server.register("bob", PASSWORD);
        let alice = Profile::new(&server, "alice", PASSWORD);
        let bob = Profile::new(&server, "bob", PASSWORD);

        // Bob stays online for a while; Alice writes while he is there.
        let mut listening = std::process::Command::new(env!("CARGO_BIN_EXE_confab"))
            .arg("--profile")
            .arg(bob.path())
            .args(["sync", "--wait", "8"])
            .env("CONFAB_PASSWORD_STORE", "file")
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("bob syncs");
        std::thread::sleep(std::time::Duration::from_secs(3));
        let before = chrono::Utc::now();
        alice.ok(&["send", &bob.jid, "hello bob, live"]);
        let status = listening.wait().expect("bob's sync ends");
        assert!(status.success());

        let received = history(&bob, &alice.jid);
        assert_eq!(received.len(), 1, "{received:?}");
        let message = &received[0];
        assert_eq!(message["body"], "hello bob, live");
        assert_eq!(message["direction"], "in");
        assert_eq!(message["chat"], alice.jid.as_str());
        let stamp =
            chrono::DateTime::parse_from_rfc3339(message["timestamp"].as_str().expect("timestamp"))
                .expect("RFC 3339");
        let delay = stamp.with_timezone(&chrono::Utc) - before;
        assert!(delay.num_seconds().abs() < 10, "timestamp {stamp} is far from {before}");

        let sent = history(&alice, &bob.jid);
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0]["direction"], "out");
        assert_eq!(sent[0]["state"], "sent");

        // Closing and reopening the store keeps everything.
        assert_eq!(history(&bob, &alice.jid), received);
    }
}

#[test]
fn offline_message_arrives_later_with_its_original_time() {
    for kind in support::servers() {
        let server = Server::start(kind);
        server.register("alice", PASSWORD);
        server.register("bob", PASSWORD);
        let alice = Profile::new(&server, "alice", PASSWORD);
        let bob = Profile::new(&server, "bob", PASSWORD);

        alice.ok(&["send", &bob.jid, "while you were away"]);
        let sent_at = chrono::Utc::now();
        std::thread::sleep(std::time::Duration::from_secs(3));
        bob.ok(&["sync", "--wait", "1"]);

        let received = history(&bob, &alice.jid);
        assert_eq!(received.len(), 1, "{received:?}");
        assert_eq!(received[0]["body"], "while you were away");
        let stamp = chrono::DateTime::parse_from_rfc3339(
            received[0]["timestamp"].as_str().expect("timestamp"),
        )
        .expect("RFC 3339")
        .with_timezone(&chrono::Utc);
        assert!(
            (stamp - sent_at).num_milliseconds().abs() < 2000,
            "stamp {stamp} should be the send time {sent_at}, not the sync time"
        );
    }
}

#[test]
fn contact_added_on_the_server_shows_in_the_roster() {
    for kind in support::servers() {
        let groups = format!("[Team]\nalice@{DOMAIN}=Alice\nbob@{DOMAIN}=Bob\n");
        let server = Server::start_with_groups(kind, &groups);
        server.register("alice", PASSWORD);
        server.register("bob", PASSWORD);
        let alice = Profile::new(&server, "alice", PASSWORD);
        alice.ok(&["sync", "--wait", "0"]);

        let roster = alice.json_lines(&["roster", "--json"]);
        let bob = roster
            .iter()
            .find(|c| c["jid"] == format!("bob@{DOMAIN}"))
            .expect("bob is in the roster");
        assert_eq!(bob["name"], "Bob");
        assert_eq!(bob["groups"], serde_json::json!(["Team"]));
        assert_eq!(bob["subscription"], "both");
    }
}

#[test]
fn send_to_a_stopped_server_fails_keeps_the_message_and_delivers_it_on_sync() {
    for kind in support::servers() {
        let mut server = Server::start(kind);
        server.register("alice", PASSWORD);
        server.register("bob", PASSWORD);
        let alice = Profile::new(&server, "alice", PASSWORD);
        let bob = Profile::new(&server, "bob", PASSWORD);

        server.stop();
        let out = alice.run(&["send", &bob.jid, "queued while down"]);
        assert!(!out.status.success());
        assert!(stderr(&out).contains("queued"), "{}", stderr(&out));
        let queued = history(&alice, &bob.jid);
        assert_eq!(queued.len(), 1);
        assert_eq!(queued[0]["state"], "pending");

        server.resume();
        alice.ok(&["sync", "--wait", "0"]);
        let sent = history(&alice, &bob.jid);
        assert_eq!(sent.len(), 1, "still one message, not a copy: {sent:?}");
        assert_eq!(sent[0]["state"], "sent");

        bob.ok(&["sync", "--wait", "1"]);
        let received = history(&bob, &alice.jid);
        assert_eq!(received.len(), 1, "{received:?}");
        assert_eq!(received[0]["body"], "queued while down");
    }
}

#[test]
fn malformed_jid_and_unknown_account_fail_with_one_line() {
    let dir = tempfile::tempdir().expect("dir");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_confab"))
            .arg("--profile")
            .arg(dir.path())
            .args(args)
            .output()
            .expect("runs")
    };
    let out = run(&["history", "not a jid"]);
    assert!(!out.status.success());
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    let out = run(&["--account", "nobody@example.org", "roster"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("unknown account"), "{}", stderr(&out));
}

#[test]
fn a_new_account_can_be_registered_where_the_server_allows_it() {
    for kind in support::servers() {
        let server = Server::start(kind);
        let carol = Profile::empty("carol");
        let out = carol.account(&server, "register", "brand new secret", &[]);
        assert!(out.status.success(), "{}", stderr(&out));
        let sync = carol.run(&["sync", "--wait", "0"]);
        assert!(sync.status.success(), "the new account logs in: {}", stderr(&sync));

        let again = carol.account(&server, "register", "brand new secret", &[]);
        assert!(!again.status.success());
        assert!(stderr(&again).contains("already taken"), "{}", stderr(&again));
    }
}
