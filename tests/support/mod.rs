//! A real Prosody for the integration tests: started on free 127.0.0.1 ports with a throwaway
//! config, data directory and certificate (a small CA plus a leaf for the test domain), users
//! registered with `prosodyctl`, stopped when the guard is dropped.

#![allow(dead_code)]

pub mod fake_login;
pub mod raw_client;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const DOMAIN: &str = "confab.test";
/// The multi-user chat service (mod_muc with muc_mam) beside the test domain.
pub const ROOMS: &str = "rooms.confab.test";
pub const PASSWORD: &str = "correct horse";
/// The HTTP File Upload service (mod_http_file_share) beside the test domain.
pub const UPLOAD: &str = "upload.confab.test";
/// The largest file the upload service takes.
pub const UPLOAD_LIMIT: u64 = 256 * 1024;

pub struct Prosody {
    dir: tempfile::TempDir,
    child: Option<Child>,
    pub port: u16,
    pub tls_port: u16,
    /// HTTPS for uploaded files, on 127.0.0.1 (the certificate names that address too).
    pub https_port: u16,
    pub ca_file: PathBuf,
    /// SHA-256 fingerprint of the server's certificate, as Confab shows it.
    pub fingerprint: String,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// `prosody --version` starts a server, so look for the program on PATH instead.
fn require_prosody() {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path).any(|dir| dir.join("prosody").is_file());
    assert!(found, "Prosody is not installed; run the README's test command, which installs it");
}

impl Prosody {
    /// Start a server; `groups` is the content of a mod_groups file (shared roster groups).
    pub fn start_with_groups(groups: &str) -> Self {
        Self::start_with(groups, "")
    }

    /// Start a server with `extra` lines of global Prosody configuration (module options).
    pub fn start_with_config(extra: &str) -> Self {
        Self::start_with("", extra)
    }

    fn start_with(groups: &str, extra: &str) -> Self {
        require_prosody();
        let dir = tempfile::tempdir().expect("temp dir");
        let ca_file = dir.path().join("ca.pem");
        let fingerprint = write_certificates(dir.path(), &ca_file);
        std::fs::create_dir_all(dir.path().join("data")).expect("data dir");
        std::fs::write(dir.path().join("groups.txt"), groups).expect("groups file");
        let mut server = Self {
            dir,
            child: None,
            port: free_port(),
            tls_port: free_port(),
            https_port: free_port(),
            ca_file,
            fingerprint,
        };
        server.write_config(extra);
        server.resume();
        server
    }

    pub fn start() -> Self {
        Self::start_with_groups("")
    }

    /// The server's certificate chain and key (PEM), for fake servers that pose as it.
    pub fn certificate(&self) -> (PathBuf, PathBuf) {
        (self.dir.path().join("server.pem"), self.dir.path().join("server.key"))
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("prosody.cfg.lua")
    }

    fn write_config(&self, extra: &str) {
        let dir = self.dir.path().display();
        let config = format!(
            r#"
pidfile = "{dir}/prosody.pid"
data_path = "{dir}/data"
run_as_root = true
log = {{ {{ levels = {{ min = "info" }}, to = "file", filename = "{dir}/prosody.log" }} }}
interfaces = {{ "127.0.0.1" }}
c2s_ports = {{ {port} }}
c2s_direct_tls_ports = {{ {tls_port} }}
modules_enabled = {{
  "roster"; "saslauth"; "tls"; "disco"; "carbons"; "mam"; "smacks"; "offline";
  "ping"; "private"; "pep"; "blocklist"; "vcard_legacy"; "groups"; "posix"; "register";
}}
modules_disabled = {{ "s2s" }}
groups_file = "{dir}/groups.txt"
allow_registration = true
c2s_require_encryption = true
allow_unencrypted_plain_auth = false
authentication = "internal_hashed"
storage = "internal"
smacks_hibernation_time = 30
ssl = {{ certificate = "{dir}/server.pem"; key = "{dir}/server.key" }}
c2s_direct_tls_ssl = {{ certificate = "{dir}/server.pem"; key = "{dir}/server.key" }}
http_ports = {{ }}
https_ports = {{ {https_port} }}
https_interfaces = {{ "127.0.0.1" }}
https_ssl = {{ certificate = "{dir}/server.pem"; key = "{dir}/server.key" }}
http_external_url = "https://127.0.0.1:{https_port}/"
http_default_host = "{UPLOAD}"
{extra}
VirtualHost "{DOMAIN}"

Component "{ROOMS}" "muc"
  modules_enabled = {{ "muc_mam" }}
  restrict_room_creation = false
  muc_room_default_public = false
  muc_room_default_persistent = true
  max_history_messages = 100

Component "{UPLOAD}" "http_file_share"
  http_file_share_size_limit = {UPLOAD_LIMIT}
"#,
            port = self.port,
            tls_port = self.tls_port,
            https_port = self.https_port,
        );
        std::fs::write(self.config(), config).expect("config written");
    }

    /// Start (again) with the same ports and data.
    pub fn resume(&mut self) {
        let log = std::fs::File::create(self.dir.path().join("stdout.log")).expect("log file");
        let child = Command::new("prosody")
            .arg("--config")
            .arg(self.config())
            .arg("-F")
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("prosody starts");
        self.child = Some(child);
        self.wait_listening();
    }

    fn wait_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            let plain = std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok();
            let tls = std::net::TcpStream::connect(("127.0.0.1", self.tls_port)).is_ok();
            let https = std::net::TcpStream::connect(("127.0.0.1", self.https_port)).is_ok();
            if plain && tls && https {
                return;
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                panic!("prosody exited with {status}:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("prosody did not start listening:\n{}", self.log());
    }

    /// Stop the server (as a crash or shutdown would look to clients).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn log(&self) -> String {
        let read =
            |name: &str| std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default();
        format!("{}\n{}", read("stdout.log"), read("prosody.log"))
    }

    pub fn register(&self, user: &str, password: &str) {
        let output = Command::new("prosodyctl")
            .arg("--config")
            .arg(self.config())
            .args(["register", user, DOMAIN, password])
            .output()
            .expect("prosodyctl runs");
        assert!(
            output.status.success(),
            "prosodyctl register failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

impl Drop for Prosody {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A CA and a leaf certificate for the test domain; returns the leaf's SHA-256 fingerprint.
fn write_certificates(dir: &Path, ca_file: &Path) -> String {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "Confab test CA");
    let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().expect("leaf key");
    let mut leaf_params = CertificateParams::new(vec![DOMAIN.to_owned(), "127.0.0.1".to_owned()])
        .expect("leaf params");
    leaf_params.distinguished_name.push(DnType::CommonName, DOMAIN);
    let leaf = leaf_params.signed_by(&leaf_key, &issuer).expect("leaf certificate");
    std::fs::write(ca_file, ca_cert.pem()).expect("CA written");
    std::fs::write(dir.join("server.pem"), leaf.pem()).expect("certificate written");
    std::fs::write(dir.join("server.key"), leaf_key.serialize_pem()).expect("key written");
    confab::worker::fingerprint(leaf.der())
}

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
    pub fn new(server: &Prosody, user: &str, password: &str) -> Self {
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
    pub fn account(&self, server: &Prosody, verb: &str, password: &str, extra: &[&str]) -> Output {
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

    /// Lines of `--json` output, parsed.
    pub fn json_lines(&self, args: &[&str]) -> Vec<serde_json::Value> {
        self.ok(args).lines().map(|line| serde_json::from_str(line).expect("a JSON line")).collect()
    }
}

/// A fresh server with these users registered, each with a profile of their own.
pub fn server_with(names: &[&str]) -> (Prosody, Vec<Profile>) {
    let server = Prosody::start();
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
