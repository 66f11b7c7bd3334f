//! Sharing files against real servers (Prosody and ejabberd) with mod_http_file_share over HTTPS on 127.0.0.1:
//! upload, the peer's history and a byte-identical download, the service's size limit, and
//! automatic downloads (only from contacts, only under a safe name, only over https). Small
//! stand-in file servers play the hostile host: redirects down to http or round in circles, a
//! certificate the account pinned presented under another host's name, a plain-http slot.

mod support;

use confab::model::{AccountId, Transfer};
use confab::paths::Paths;
use confab::worker::{self, Command, Event};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use support::{DOMAIN, Kind, PASSWORD, Profile, Server, Setup, UPLOAD_LIMIT, stderr};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_rustls::rustls::ServerConfig;

/// Bytes that no step could produce by accident.
fn sample(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 8) as u8).collect()
}

fn write_sample(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("sample written");
    path
}

fn server_with(kind: Kind, users: &[&str], groups: &str) -> Server {
    let server = Server::start_with_groups(kind, groups);
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
    for kind in support::servers() {
        let server = server_with(kind, &["alice", "bob"], "");
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
        // ejabberd's upload service replaces a space in a file's name; the name is the one
        // the address ends with.
        let name = if kind == Kind::Prosody { "field notes.bin" } else { "field_notes.bin" };
        assert_eq!(received["attachment"]["name"], name);
        assert!(
            received["attachment"]["local"].is_null(),
            "not a contact: nothing fetched unasked"
        );

        let id = received["id"].as_i64().expect("an id").to_string();
        let saved = PathBuf::from(bob.ok(&["download", &id]).trim());
        assert!(saved.starts_with(bob.path().join("cache").join("files")), "{}", saved.display());
        assert_eq!(std::fs::read(&saved).expect("downloaded file"), bytes);
        let again = only_message(&bob, &alice.jid);
        assert_eq!(again["attachment"]["local"], saved.display().to_string());
        assert_eq!(again["attachment"]["size"], 100_000);
    }
}

#[test]
fn a_file_over_the_services_limit_is_refused_with_the_limit() {
    for kind in support::servers() {
        let server = server_with(kind, &["alice", "bob"], "");
        let alice = Profile::new(&server, "alice", PASSWORD);
        let too_big = write_sample(alice.path(), "video.bin", &sample(300 * 1024, 1));

        let out = alice.run(&[
            "send",
            &format!("bob@{DOMAIN}"),
            "--file",
            &too_big.display().to_string(),
        ]);
        assert!(!out.status.success(), "an over-size file was accepted");
        let said = stderr(&out);
        assert!(said.contains("video.bin is 300 KiB"), "{said}");
        assert!(
            said.contains(&format!("accepts files up to {} KiB", UPLOAD_LIMIT / 1024)),
            "{said}"
        );
        let kept = only_message(&alice, &format!("bob@{DOMAIN}"));
        assert_eq!(kept["state"], "failed", "the message stays, marked failed, for Retry");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_files_download_by_themselves_under_safe_names_and_strangers_do_not() {
    for kind in support::servers() {
        let groups = format!("[Team]\nalice@{DOMAIN}\nbob@{DOMAIN}\n");
        let server = server_with(kind, &["alice", "bob", "carol"], &groups);
        let alice = Profile::new(&server, "alice", PASSWORD);
        let bob = Profile::new(&server, "bob", PASSWORD);
        let carol = Profile::new(&server, "carol", PASSWORD);
        let picture = sample(20_000, 3);
        let stranger_file = write_sample(carol.path(), "free money.bin", &sample(5_000, 9));
        carol.ok(&["send", &bob.jid, "--file", &stranger_file.display().to_string()]);
        let file = write_sample(alice.path(), "cat.png", &picture);
        alice.ok(&["send", &bob.jid, "--file", &file.display().to_string()]);
        let url =
            only_message(&alice, &bob.jid)["attachment"]["url"].as_str().expect("url").to_owned();
        // A hostile sender names the same file with a path that climbs out of any folder;
        // Prosody serves it by its slot, whatever the name after it. ejabberd serves a file
        // only under its own name, so there no such address leads to a file.
        let hostile_name = kind == Kind::Prosody;
        if hostile_name {
            let (slot, _) = url.rsplit_once('/').expect("a path");
            let hostile = format!("{slot}/..%2F..%2F.config%2Fautostart%2Fevil.desktop");
            let raw = format!(
                "<message to='{}' type='chat' id='hostile-1'><body>{hostile}</body>\
                 <x xmlns='jabber:x:oob'><url>{hostile}</url></x></message>",
                bob.jid
            );
            alice.ok(&["console", "send", &raw]);
        }

        let (handle, mut events) =
            worker::spawn(Paths::in_profile(bob.path()), AccountId(bob.jid.clone()));
        let mut carols = None;
        let mut touched_carols = false;
        let mut done: Vec<PathBuf> = Vec::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while done.len() < 1 + usize::from(hostile_name) {
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
        let names: Vec<String> = done
            .iter()
            .map(|p| p.file_name().unwrap_or_default().to_string_lossy().into())
            .collect();
        assert!(names.contains(&"cat.png".to_owned()), "{names:?}");
        assert!(!hostile_name || names.contains(&"evil.desktop".to_owned()), "{names:?}");
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
}

/// A stand-in file server on 127.0.0.1: answers every request with what `answer` makes of its
/// own port, over https when it has a certificate, and counts the connections it got.
struct FakeServer {
    port: u16,
    hits: Arc<AtomicUsize>,
}

impl FakeServer {
    async fn start(
        tls: Option<Arc<ServerConfig>>,
        answer: impl Fn(u16) -> Vec<u8> + Send + Sync + 'static,
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let port = listener.local_addr().expect("its address").port();
        let hits = Arc::new(AtomicUsize::new(0));
        let counted = hits.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                let reply = answer(port);
                match tls.clone() {
                    Some(config) => {
                        let accepted = tokio_rustls::TlsAcceptor::from(config).accept(tcp).await;
                        if let Ok(stream) = accepted {
                            tokio::spawn(respond(stream, reply));
                        }
                    }
                    None => {
                        tokio::spawn(respond(tcp, reply));
                    }
                }
            }
        });
        Self { port, hits }
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// Read the request head, send `reply`, close.
async fn respond(mut io: impl AsyncRead + AsyncWrite + Unpin, reply: Vec<u8>) {
    let mut head = Vec::new();
    let mut byte = [0; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
        match io.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let _ = io.write_all(&reply).await;
    let _ = io.shutdown().await;
}

fn redirect(to: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .into_bytes()
}

fn ok(body: &[u8]) -> Vec<u8> {
    let mut reply =
        format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len())
            .into_bytes();
    reply.extend_from_slice(body);
    reply
}

/// A self-signed certificate for 127.0.0.1 and localhost, and its SHA-256 fingerprint.
fn fake_certificate() -> (Arc<ServerConfig>, String) {
    use tokio_rustls::rustls::pki_types::PrivateKeyDer;
    let key = rcgen::KeyPair::generate().expect("key");
    let params =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .expect("params");
    let cert = params.self_signed(&key).expect("certificate");
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .expect("server config");
    (Arc::new(config), confab::worker::fingerprint(cert.der()))
}

/// Send `to` a message whose out-of-band data points at `url`, as a hostile client would.
fn send_link(from: &Profile, to: &str, url: &str, id: &str) {
    let raw = format!(
        "<message to='{to}' type='chat' id='{id}'><body>{url}</body>\
         <x xmlns='jabber:x:oob'><url>{url}</url></x></message>"
    );
    from.ok(&["console", "send", &raw]);
}

/// The message (by its URL) in `profile`'s history with `peer`.
fn message_with_url(profile: &Profile, peer: &str, url: &str) -> Value {
    let history = profile.json_lines(&["history", peer, "--json"]);
    history.into_iter().find(|m| m["attachment"]["url"] == url).expect("the message")
}

/// Every file under the profile's downloads folder (none at all when it was never made).
fn downloaded_files(profile: &Profile) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![profile.path().join("cache").join("files")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() { folders.push(path) } else { found.push(path) }
        }
    }
    found
}

/// `download` of the message carrying `url` must fail; returns what it said.
fn refused_download(profile: &Profile, peer: &str, url: &str) -> String {
    let message = message_with_url(profile, peer, url);
    let id = message["id"].as_i64().expect("an id").to_string();
    let out = profile.run(&["download", &id]);
    assert!(!out.status.success(), "{url} was downloaded");
    assert!(message_with_url(profile, peer, url)["attachment"]["local"].is_null());
    stderr(&out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_down_to_http_or_round_in_circles_are_refused_and_nothing_is_kept() {
    for kind in support::servers() {
        let server = server_with(kind, &["alice", "bob"], "");
        let alice = Profile::new(&server, "alice", PASSWORD);
        let bob = Profile::empty("bob");
        let (tls, print) = fake_certificate();
        let added = bob.account(&server, "add", PASSWORD, &["--trust-fingerprint", &print]);
        assert!(added.status.success(), "{}", stderr(&added));
        let plain = FakeServer::start(None, |_| ok(b"readable by anyone on the way")).await;
        let plain_url = format!("http://127.0.0.1:{}/cat.png", plain.port);
        let downgrade = FakeServer::start(Some(tls.clone()), move |_| redirect(&plain_url)).await;
        let circle = FakeServer::start(Some(tls), |port| {
            redirect(&format!("https://127.0.0.1:{port}/again.png"))
        })
        .await;
        let to_http = format!("https://127.0.0.1:{}/cat.png", downgrade.port);
        let round = format!("https://127.0.0.1:{}/loop.png", circle.port);
        send_link(&alice, &bob.jid, &to_http, "down-1");
        send_link(&alice, &bob.jid, &round, "loop-1");
        bob.ok(&["sync", "--wait", "1"]);

        let said = refused_download(&bob, &alice.jid, &to_http);
        assert!(said.contains("redirected from https to unencrypted http"), "{said}");
        assert_eq!(plain.hits(), 0, "the plain http address was fetched");
        let said = refused_download(&bob, &alice.jid, &round);
        assert!(said.contains("redirected more than 5 times"), "{said}");
        assert_eq!(circle.hits(), 6, "the first request and five redirects, no more");
        assert_eq!(downloaded_files(&bob), Vec::<PathBuf>::new());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_accounts_pin_vouches_for_its_own_server_and_no_other_host() {
    for kind in support::servers() {
        let server = server_with(kind, &["alice", "bob"], "");
        let alice = Profile::new(&server, "alice", PASSWORD);
        let bob = Profile::empty("bob");
        let (tls, print) = fake_certificate();
        let added = bob.account(&server, "add", PASSWORD, &["--trust-fingerprint", &print]);
        assert!(added.status.success(), "{}", stderr(&added));
        let bytes = sample(4_000, 5);
        let served = bytes.clone();
        let files = FakeServer::start(Some(tls), move |_| ok(&served)).await;
        // 127.0.0.1 is the host the account connects to; localhost is the same machine under
        // another name, standing in for a stranger's server that presents the pinned certificate.
        let own = format!("https://127.0.0.1:{}/notes.bin", files.port);
        let other = format!("https://localhost:{}/notes.bin", files.port);
        send_link(&alice, &bob.jid, &own, "own-1");
        send_link(&alice, &bob.jid, &other, "other-1");
        bob.ok(&["sync", "--wait", "1"]);

        let id = message_with_url(&bob, &alice.jid, &own)["id"].as_i64().expect("id").to_string();
        let saved = PathBuf::from(bob.ok(&["download", &id]).trim());
        assert_eq!(
            std::fs::read(&saved).expect("the file"),
            bytes,
            "the pin counts for its server"
        );
        let said = refused_download(&bob, &alice.jid, &other);
        assert!(said.contains("cannot reach localhost: its certificate is not trusted"), "{said}");
        assert_eq!(downloaded_files(&bob), vec![saved], "only the own server's file was kept");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_slot_at_a_plain_http_address_is_refused_and_nothing_is_sent() {
    for kind in support::servers() {
        let plain = FakeServer::start(None, |_| {
            b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n".to_vec()
        })
        .await;
        // The upload service hands out slots under this address: plain http.
        let upload_base = Some(format!("http://127.0.0.1:{}/", plain.port));
        let server = Server::start_with(kind, Setup { upload_base, ..Setup::default() });
        for user in ["alice", "bob"] {
            server.register(user, PASSWORD);
        }
        let alice = Profile::new(&server, "alice", PASSWORD);
        let file = write_sample(alice.path(), "diary.txt", &sample(2_000, 4));

        let out =
            alice.run(&["send", &format!("bob@{DOMAIN}"), "--file", &file.display().to_string()]);
        assert!(!out.status.success(), "the file went up over plain http");
        let said = stderr(&out);
        assert!(said.contains("offered an address that is not https (http://127.0.0.1:"), "{said}");
        assert_eq!(plain.hits(), 0, "the file was sent to the plain http address");
        let kept = only_message(&alice, &format!("bob@{DOMAIN}"));
        assert_eq!(kept["state"], "failed", "the message stays, marked failed");
        assert!(kept["attachment"]["url"].is_null(), "no address went out");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contacts_file_at_a_plain_http_address_is_not_fetched_by_itself() {
    for kind in support::servers() {
        let groups = format!("[Team]\nalice@{DOMAIN}\nbob@{DOMAIN}\n");
        let server = server_with(kind, &["alice", "bob"], &groups);
        let alice = Profile::new(&server, "alice", PASSWORD);
        let bob = Profile::new(&server, "bob", PASSWORD);
        let plain = FakeServer::start(None, |_| ok(b"seen by everyone on the way")).await;
        let http_url = format!("http://127.0.0.1:{}/cat.png", plain.port);
        send_link(&alice, &bob.jid, &http_url, "plain-1");
        let file = write_sample(alice.path(), "dog.png", &sample(3_000, 8));
        alice.ok(&["send", &bob.jid, "--file", &file.display().to_string()]);

        let (handle, mut events) =
            worker::spawn(Paths::in_profile(bob.path()), AccountId(bob.jid.clone()));
        let mut plain_message = None;
        let mut touched_plain = false;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            match tokio::time::timeout_at(deadline, events.recv()).await {
                Ok(Some(Event::Message(message)))
                    if message.attachment.as_ref().and_then(|a| a.url.as_deref())
                        == Some(http_url.as_str()) =>
                {
                    plain_message = Some(message.id);
                }
                Ok(Some(Event::Transfer { message_id, transfer, .. })) => {
                    touched_plain |= Some(message_id) == plain_message;
                    if let Transfer::Done(_) = transfer {
                        break;
                    }
                }
                Ok(Some(_)) => {}
                _ => panic!("the contact's https file was not fetched"),
            }
        }
        handle.send(Command::Shutdown).expect("worker reachable");
        assert!(plain_message.is_some(), "the plain http link arrived first");
        assert!(!touched_plain, "a plain http file was fetched unasked");
        assert_eq!(plain.hits(), 0);
    }
}
