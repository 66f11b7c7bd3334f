//! What the integration tests share: real servers (Prosody and ejabberd, see `server.rs`),
//! Confab profiles driven through the real binary, and workers driven in this process.

#![allow(dead_code)]

pub mod chat;
mod ejabberd;
pub mod fake_login;
mod prosody;
pub mod raw_client;
mod server;
pub mod slixmpp;
pub mod tinyproxy;
mod watchdog;
pub mod web;

// Each test binary uses its own part of these.
#[allow(unused_imports)]
pub use server::{
    Kind, Server, Setup, bench_server, bench_server_setup, free_port, servers, servers_except,
};

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

pub const DOMAIN: &str = "confab.test";
/// The multi-user chat service (with its archive) beside the test domain.
pub const ROOMS: &str = "rooms.confab.test";
pub const PASSWORD: &str = "correct horse";
/// The user both test servers make their administrator (ad-hoc admin commands, XEP-0133).
pub const ADMIN: &str = "admin";
/// The HTTP File Upload service beside the test domain.
pub const UPLOAD: &str = "upload.confab.test";
/// The largest file the upload service takes.
pub const UPLOAD_LIMIT: u64 = 256 * 1024;

/// A Confab profile directory for one user, driven through the real binary.
pub struct Profile {
    pub dir: tempfile::TempDir,
    pub jid: String,
}

impl Profile {
    /// A fresh profile for `user@confab.test` with no account configured yet.
    pub fn empty(user: &str) -> Self {
        Self { dir: tempfile::tempdir().expect("profile dir"), jid: format!("{user}@{DOMAIN}") }
    }

    /// Add the account `user@confab.test` (trusting the test CA) to a fresh profile.
    pub fn new(server: &Server, user: &str, password: &str) -> Self {
        let profile = Self::empty(user);
        let out = profile.account(server, "add", password, &[]);
        assert!(
            out.status.success(),
            "account add failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        profile
    }

    /// `confab account add|register` for this profile's address at `server` on 127.0.0.1,
    /// trusting the test CA, with `extra` arguments and the password on standard input.
    pub fn account(&self, server: &Server, verb: &str, password: &str, extra: &[&str]) -> Output {
        let port = server.port.to_string();
        let ca = server.ca_file.display().to_string();
        let mut args =
            vec!["account", verb, self.jid.as_str(), "--host", "127.0.0.1", "--port", &port];
        args.extend_from_slice(&["--ca-file", &ca, "--password-stdin"]);
        args.extend_from_slice(extra);
        self.run_with_stdin(&args, password)
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_confab"));
        command
            .arg("--profile")
            .arg(self.dir.path())
            .args(args)
            .env("CONFAB_PASSWORD_STORE", "file")
            .env_remove("CONFAB_PROFILE");
        command
    }

    /// Start `confab ARGS` and return at once (a sync that listens while a test acts).
    pub fn spawn(&self, args: &[&str]) -> Child {
        self.command(args).stdin(Stdio::null()).stderr(Stdio::piped()).spawn().expect("confab runs")
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).stdin(Stdio::null()).output().expect("confab runs")
    }

    pub fn run_with_stdin(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write;
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("confab runs");
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(format!("{input}\n").as_bytes()).expect("stdin written");
        }
        child.wait_with_output().expect("confab finishes")
    }

    /// Run and require success, returning stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "confab {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// How the last connection got through, as `account show --json` reports it.
    pub fn last_route(&self) -> serde_json::Value {
        self.json_lines(&["account", "show", "--json"])[0]["last_route"].clone()
    }

    /// Lines of `--json` output, parsed.
    pub fn json_lines(&self, args: &[&str]) -> Vec<serde_json::Value> {
        self.ok(args).lines().map(|line| serde_json::from_str(line).expect("a JSON line")).collect()
    }
}

/// The route a benchmark's receiver takes, from `CONFAB_BENCH_TRANSPORT`: `tcp` (the
/// default), `websocket` or `bosh` (the server's own endpoints).
pub fn bench_transport(profile: &Profile, server: &Server) {
    let transport = std::env::var("CONFAB_BENCH_TRANSPORT").unwrap_or_default();
    let url = match transport.trim() {
        "" | "tcp" => return,
        "websocket" => server.websocket_url(),
        "bosh" => server.bosh_url(),
        other => panic!("CONFAB_BENCH_TRANSPORT={other}: use tcp, websocket or bosh"),
    };
    let switch = ["--transport", transport.trim(), "--url", &url];
    let out = profile.account(server, "add", PASSWORD, &switch);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// A fresh server with these users registered, each with a profile of their own.
pub fn server_with(kind: Kind, names: &[&str]) -> (Server, Vec<Profile>) {
    server_set_up(kind, Setup::default(), names)
}

/// As [`server_with`], for a server started with `setup`.
pub fn server_set_up(kind: Kind, setup: Setup, names: &[&str]) -> (Server, Vec<Profile>) {
    let server = Server::start_with(kind, setup);
    let profiles = names
        .iter()
        .map(|name| {
            server.register(name, PASSWORD);
            Profile::new(&server, name, PASSWORD)
        })
        .collect();
    (server, profiles)
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Make `a` and `b` mutual contacts through the command line: both see each other's presence
/// (receipts, read markers and avatars go only to people who may see ours).
pub fn befriend(a: &Profile, b: &Profile) {
    a.ok(&["contact", "add", &b.jid]);
    b.ok(&["sync", "--wait", "1"]);
    b.ok(&["contact", "approve", &a.jid, "--add-back"]);
    a.ok(&["sync", "--wait", "1"]);
    a.ok(&["contact", "approve", &b.jid]);
}

/// How long a test waits for what a worker should do at once.
pub const WAIT: Duration = Duration::from_secs(20);

/// A worker for the account in `profile`, in this process, once it is online.
pub async fn online(
    profile: &Profile,
) -> (confab::worker::Handle, tokio::sync::mpsc::UnboundedReceiver<confab::worker::Event>) {
    use confab::model::{AccountId, ConnectionState};
    use confab::worker::Event;
    let paths = confab::paths::Paths::in_profile(profile.path());
    let (handle, mut events) = confab::worker::spawn(paths, AccountId(profile.jid.clone()));
    wait_for(&mut events, WAIT, "login", |e| {
        matches!(e, Event::Connection(ConnectionState::Online))
    })
    .await;
    (handle, events)
}

/// Wait until the worker has read its archive up to now, so that what follows comes live.
pub async fn caught_up(events: &mut tokio::sync::mpsc::UnboundedReceiver<confab::worker::Event>) {
    wait_for(events, WAIT, "the catch-up's end", |e| {
        matches!(e, confab::worker::Event::CatchUp { done: true, .. })
    })
    .await;
}

/// Wait until `count` messages written in this worker have left its outbox for good: each
/// acknowledged by the server or confirmed by its recipient, none queued again (a message the
/// server acknowledged and then lost goes back to the outbox after a restart).
pub async fn all_sent(
    events: &mut tokio::sync::mpsc::UnboundedReceiver<confab::worker::Event>,
    count: usize,
    who: &str,
) {
    use confab::model::{Delivery, Direction};
    use confab::worker::Event;
    let mut sent: std::collections::HashMap<i64, bool> = std::collections::HashMap::new();
    let done = |sent: &std::collections::HashMap<i64, bool>| {
        sent.len() >= count && sent.values().all(|sent| *sent)
    };
    while !done(&sent) {
        let what =
            format!("{who}'s messages sent ({} of {count})", sent.values().filter(|s| **s).count());
        let event = wait_for(events, Duration::from_secs(90), &what, |e| {
            matches!(e, Event::Delivery { .. })
                || matches!(e, Event::Message(m) if m.direction == Direction::Out)
        })
        .await;
        match event {
            Event::Message(message) => {
                sent.entry(message.id).or_insert(false);
            }
            Event::Delivery { message_id, state, .. } => {
                let out = matches!(state, Delivery::Sent | Delivery::Delivered | Delivery::Read);
                sent.insert(message_id, out);
            }
            _ => {}
        }
    }
}

/// Wait for the first event that matches, failing with what was seen instead.
pub async fn wait_for(
    events: &mut tokio::sync::mpsc::UnboundedReceiver<confab::worker::Event>,
    within: Duration,
    what: &str,
    mut matches: impl FnMut(&confab::worker::Event) -> bool,
) -> confab::worker::Event {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Some(event)) if matches(&event) => return event,
            Ok(Some(event)) => seen.push(format!("{event:?}")),
            _ => panic!("no {what} within {within:?}; saw: {seen:#?}"),
        }
    }
}

/// Send `count` lines (`"{tag} 00042"`) from the account in `profile` to `to` through a worker
/// in this process, and wait until the server acknowledged them all (benches' floods).
pub async fn send_many(profile: &Path, to: &str, tag: &str, count: usize, limit: Duration) {
    use confab::model::{AccountId, ConnectionState, Delivery};
    use confab::paths::Paths;
    use confab::worker::{self, Command, Event};
    let paths = Paths::in_profile(profile);
    let config = confab::config::Config::load(&paths.config_file()).expect("sender's config");
    let jid = config.accounts.first().map(|a| a.jid.clone()).expect("sender's account");
    let (handle, mut events) = worker::spawn(paths, AccountId(jid));
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Some(Event::Connection(ConnectionState::Online))) => break,
            Ok(Some(_)) => {}
            _ => panic!("the sender did not get online"),
        }
    }
    for i in 0..count {
        let command = Command::Send { to: to.to_owned(), body: format!("{tag} {i:05}") };
        // The command queue is bounded: wait for room rather than fail.
        loop {
            match handle.send(command.clone()) {
                Ok(()) => break,
                Err(e) if e.contains("busy") => tokio::time::sleep(Duration::from_millis(5)).await,
                Err(e) => panic!("{e}"),
            }
        }
    }
    // A contact's receipt or read marker can overtake the server's acknowledgement, so any
    // state past pending counts, once per message.
    let mut acked = std::collections::HashSet::new();
    while acked.len() < count {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Some(Event::Delivery { state: Delivery::Failed(why), .. })) => panic!("{why}"),
            Ok(Some(Event::Delivery { message_id, state, .. })) if state != Delivery::Pending => {
                acked.insert(message_id);
            }
            Ok(Some(_)) => {}
            _ => panic!("only {} of {count} messages were acknowledged", acked.len()),
        }
    }
    let _ = handle.send(Command::Shutdown);
    while events.recv().await.is_some() {}
}

/// User plus system CPU seconds a running process has used (`/proc/PID/stat` fields 14–15).
pub fn process_cpu(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after_name = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}
