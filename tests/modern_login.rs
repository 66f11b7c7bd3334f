//! Modern login (XEP-0388 SASL2 with XEP-0386 Bind2 and XEP-0484 FAST) against the one server
//! here that offers it, Prosody 13 with its community modules, and the fallback to SASL where a
//! server does not (Debian's Prosody 0.12 and ejabberd 23.01).

mod support;

use support::{Kind, Profile, Server, Setup, stderr};

fn modern_prosody(names: &[&str]) -> (Server, Vec<Profile>) {
    let setup = Setup { modern_login: true, ..Setup::default() };
    support::server_set_up(Kind::Prosody, setup, names)
}

/// How the last login went, as `confab account show` tells it.
fn login(profile: &Profile) -> String {
    profile.last_route()["login"].as_str().unwrap_or_default().to_owned()
}

/// Where the file secret store keeps the account's FAST token.
fn token_file(profile: &Profile) -> std::path::PathBuf {
    let name = format!("{}_FAST", profile.jid);
    profile.path().join("config/passwords").join(name)
}

fn history(profile: &Profile, with: &str) -> Vec<serde_json::Value> {
    profile.json_lines(&["history", with, "--json"])
}

#[test]
fn sasl2_and_bind2_log_in_and_carry_messages_both_ways() {
    let (_server, users) = modern_prosody(&["alice", "bob"]);
    let (alice, bob) = (&users[0], &users[1]);
    let sent = alice.run(&["send", &bob.jid, "over SASL2"]);
    assert!(sent.status.success(), "{}", stderr(&sent));
    let login = login(alice);
    assert!(login.starts_with("SASL2 and Bind2, SCRAM-SHA-"), "{login}: {}", stderr(&sent));
    assert!(login.ends_with("-PLUS (tls-exporter)"), "bound to the TLS 1.3 connection: {login}");

    bob.ok(&["sync", "--wait", "1"]);
    assert_eq!(history(bob, &alice.jid)[0]["body"], "over SASL2");
    bob.ok(&["send", &alice.jid, "and back"]);
    alice.ok(&["sync", "--wait", "1"]);
    let lines = history(alice, &bob.jid);
    assert_eq!(lines.last().map(|l| l["body"].clone()), Some("and back".into()), "{lines:?}");
}

#[test]
fn a_wrong_password_over_sasl2_says_so_and_keeps_the_message() {
    let (server, users) = modern_prosody(&["alice", "bob"]);
    let mallory = Profile::new(&server, "alice", "not the password");
    let out = mallory.run(&["send", &users[1].jid, "kept"]);
    assert!(!out.status.success());
    // SCRAM with channel binding cannot tell a wrong password from an intercepted connection.
    let said = stderr(&out);
    assert!(said.contains("wrong password") || said.contains("password is wrong"), "{said}");
    assert!(!said.contains("panicked"), "{said}");
    let kept = history(&mallory, &users[1].jid);
    assert_eq!(kept.len(), 1, "the message stays in the outbox: {kept:?}");
}

#[test]
fn servers_without_sasl2_get_the_classic_login() {
    for kind in support::servers() {
        let (server, users) = support::server_with(kind, &["alice"]);
        users[0].ok(&["sync", "--wait", "0"]);
        let login = login(&users[0]);
        assert!(login.starts_with("SASL, SCRAM-SHA-"), "{}: {login}", server.kind.name());
    }
}

/// TLS 1.2 has no exporter (RFC 9266 is for TLS 1.3); there the login is bound to the
/// server's certificate instead, which the server accepts only if our hash of its certificate
/// is the one it was told. Prosody's mod_sasl2 offers FAST only with the bindings it knows
/// itself (`tls-unique`, `tls-exporter`), so there no token is asked for: every login uses the
/// password, bound each time.
#[test]
fn over_tls_1_2_the_login_is_bound_to_the_server_s_certificate() {
    for modern_login in [false, true] {
        let setup = Setup { tls_1_2: true, modern_login, ..Setup::default() };
        let (_server, users) = support::server_set_up(Kind::Prosody, setup, &["alice", "bob"]);
        let (alice, bob) = (&users[0], &users[1]);
        alice.ok(&["send", &bob.jid, "bound to the certificate"]);
        let route = alice.last_route();
        assert_eq!(route["tls"], "TLS 1.2", "{route}");
        let how = login(alice);
        let profile = if modern_login { "SASL2 and Bind2, SCRAM-SHA-" } else { "SASL, SCRAM-SHA-" };
        assert!(how.starts_with(profile), "{how}");
        assert!(how.ends_with("-PLUS (tls-server-end-point)"), "{how}");
        bob.ok(&["sync", "--wait", "1"]);
        assert_eq!(history(bob, &alice.jid)[0]["body"], "bound to the certificate");
        assert!(!token_file(alice).exists(), "no token that this connection cannot bind");
        alice.ok(&["sync", "--wait", "0"]);
        assert_eq!(login(alice), how, "the second login is bound the same way");
    }
}

#[test]
fn from_the_second_login_on_a_fast_token_stands_in_for_the_password() {
    let (_server, users) = modern_prosody(&["alice", "bob"]);
    let (alice, bob) = (&users[0], &users[1]);
    alice.ok(&["sync", "--wait", "0"]);
    assert!(login(alice).starts_with("SASL2 and Bind2, SCRAM-SHA-"), "{}", login(alice));
    let kept = std::fs::read_to_string(token_file(alice)).expect("the token is kept");
    assert!(kept.starts_with("HT-SHA-256-EXPR\n"), "bound to the TLS connection: {kept}");

    alice.ok(&["send", &bob.jid, "logged in with a token"]);
    assert_eq!(login(alice), "SASL2 and Bind2, FAST HT-SHA-256-EXPR");
    bob.ok(&["sync", "--wait", "1"]);
    assert_eq!(history(bob, &alice.jid)[0]["body"], "logged in with a token");
}

#[test]
fn a_token_the_server_does_not_take_is_replaced_by_a_password_login() {
    let (_server, users) = modern_prosody(&["alice"]);
    let alice = &users[0];
    alice.ok(&["sync", "--wait", "0"]);
    let forged = "HT-SHA-256-EXPR\nsecret-token:fast-forged";
    std::fs::write(token_file(alice), forged).expect("token replaced");

    alice.ok(&["sync", "--wait", "0"]);
    assert!(login(alice).contains("SCRAM-SHA-"), "the password again: {}", login(alice));
    let kept = std::fs::read_to_string(token_file(alice)).expect("a new token is kept");
    assert_ne!(kept, forged);
    alice.ok(&["sync", "--wait", "0"]);
    assert_eq!(login(alice), "SASL2 and Bind2, FAST HT-SHA-256-EXPR");
}
