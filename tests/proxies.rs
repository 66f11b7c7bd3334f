//! Every connection through a real HTTP proxy (Debian's tinyproxy, with a user name and
//! password): XMPP over TCP, over WebSocket, over BOSH, and the HTTPS of file uploads. The proxy's log
//! proves the way; the settings file never holds its password.

mod support;

use support::tinyproxy::{PROXY_PASSWORD, Tinyproxy};
use support::{PASSWORD, Profile, Server, server_with, stderr};

fn through(profile: &Profile, server: &Server, proxy: &str, extra: &[&str]) {
    let out = profile.account(server, "add", PASSWORD, &[&["--proxy", proxy][..], extra].concat());
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn tcp_websocket_bosh_and_uploads_go_through_the_proxy() {
    for kind in support::servers() {
        let (server, users) = server_with(kind, &["alice", "bob"]);
        let (alice, bob) = (&users[0], &users[1]);
        let proxy = Tinyproxy::start();
        let described = format!("HTTP proxy 127.0.0.1:{}", proxy.port);

        through(alice, &server, &proxy.url_with(PROXY_PASSWORD), &[]);
        let settings = std::fs::read_to_string(alice.path().join("config").join("config.toml"))
            .expect("settings");
        assert!(settings.contains("proxy = \"http://proxyuser@127.0.0.1:"), "{settings}");
        assert!(
            !settings.contains(PROXY_PASSWORD),
            "no proxy password in the settings: {settings}"
        );

        alice.ok(&["send", &bob.jid, "through the proxy"]);
        let route = alice.last_route();
        assert_eq!(route["transport"], "TCP (STARTTLS)");
        assert_eq!(route["proxy"], described.as_str());
        assert!(proxy.log().contains(&format!("127.0.0.1:{}", server.port)), "{}", proxy.log());

        let file = alice.path().join("via proxy.txt");
        std::fs::write(&file, b"tunnelled").expect("written");
        alice.ok(&["send", &bob.jid, "--file", &file.display().to_string()]);
        assert!(proxy.log().contains(&format!(":{}", server.https_port)), "{}", proxy.log());

        let url = server.websocket_url();
        let switch = ["--transport", "websocket", "--url", url.as_str()];
        through(alice, &server, &proxy.url_with(PROXY_PASSWORD), &switch);
        alice.ok(&["send", &bob.jid, "websocket through the proxy"]);
        let route = alice.last_route();
        assert_eq!(route["transport"], "WebSocket");
        assert_eq!(route["proxy"], described.as_str());

        let url = server.bosh_url();
        let switch = ["--transport", "bosh", "--url", url.as_str()];
        through(alice, &server, &proxy.url_with(PROXY_PASSWORD), &switch);
        alice.ok(&["send", &bob.jid, "bosh through the proxy"]);
        let route = alice.last_route();
        assert_eq!(route["transport"], "BOSH");
        assert_eq!(route["proxy"], described.as_str());

        bob.ok(&["sync", "--wait", "1"]);
        let got = bob.json_lines(&["history", &alice.jid, "--json"]);
        let bodies: Vec<_> = got.iter().filter_map(|m| m["body"].as_str()).collect();
        for sent in ["through the proxy", "websocket through the proxy", "bosh through the proxy"] {
            assert!(bodies.contains(&sent), "{sent}: {bodies:?}");
        }
    }
}

#[test]
fn a_wrong_proxy_password_or_a_dead_proxy_is_named() {
    let (server, users) = server_with(support::Kind::Prosody, &["alice"]);
    let alice = &users[0];
    let proxy = Tinyproxy::start();
    through(alice, &server, &proxy.url_with("not it"), &[]);
    let out = alice.run(&["sync", "--wait", "0"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("refused the user name and password"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("not it"), "the password is not shown: {}", stderr(&out));

    let dead = format!("http://127.0.0.1:{}", support::free_port());
    through(alice, &server, &dead, &[]);
    let out = alice.run(&["sync", "--wait", "0"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("HTTP proxy 127.0.0.1:"), "{}", stderr(&out));
    assert!(stderr(&out).contains("could not be reached"), "{}", stderr(&out));
}
