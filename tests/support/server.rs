//! A real XMPP server for the integration tests, Prosody or ejabberd, started on free
//! 127.0.0.1 ports with a throwaway configuration, data directory and certificate (a small CA
//! plus a leaf for the test domains), stopped when the guard is dropped.
//!
//! Which servers a test runs against comes from `CONFAB_TEST_SERVER` (`prosody`, `ejabberd` or
//! `both`, the default): every server test loops over [`servers`]. Both servers offer the same
//! services under the same names (see `DOMAIN`, `ROOMS`, `UPLOAD`), and a [`Setup`] names what a
//! test needs in the servers' common terms; each backend turns it into its own configuration.

use super::watchdog::{self, Watch};
use super::{DOMAIN, ejabberd, prosody};
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Prosody,
    Ejabberd,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Prosody => "prosody",
            Kind::Ejabberd => "ejabberd",
        }
    }
}

/// The servers chosen by `CONFAB_TEST_SERVER` (default: both), in a fixed order. Each one a
/// test runs against is announced on stderr, so a failure's output says which server it was.
pub fn servers() -> Vec<Kind> {
    let chosen = std::env::var("CONFAB_TEST_SERVER").unwrap_or_default();
    match chosen.trim() {
        "" | "both" => vec![Kind::Prosody, Kind::Ejabberd],
        "prosody" => vec![Kind::Prosody],
        "ejabberd" => vec![Kind::Ejabberd],
        other => panic!("CONFAB_TEST_SERVER={other}: use prosody, ejabberd or both"),
    }
}

/// The server a benchmark measures against: `CONFAB_BENCH_SERVER` (`prosody`, the default, or
/// `ejabberd`).
pub fn bench_server() -> Kind {
    bench_server_setup().0
}

/// The server a benchmark runs against and how: `CONFAB_BENCH_SERVER` = `prosody` (Debian's
/// 0.12, the default), `prosody13` (the Prosody 13 of `tests/fetch-prosody-13.sh`),
/// `prosody-sql` (0.12 with its archives in SQLite) or `ejabberd`.
pub fn bench_server_setup() -> (Kind, Setup) {
    match std::env::var("CONFAB_BENCH_SERVER").unwrap_or_default().trim() {
        "" | "prosody" => (Kind::Prosody, Setup::default()),
        "prosody13" => (Kind::Prosody, Setup { prosody_13: true, ..Setup::default() }),
        "prosody-sql" => (Kind::Prosody, Setup { sql_archives: true, ..Setup::default() }),
        "ejabberd" => (Kind::Ejabberd, Setup::default()),
        other => {
            panic!("CONFAB_BENCH_SERVER={other}: use prosody, prosody13, prosody-sql or ejabberd")
        }
    }
}

/// The chosen servers except `left_out`, which says on stderr why this test does not apply to
/// it. These exceptions are listed in docs/testing.md.
pub fn servers_except(left_out: Kind, why: &str) -> Vec<Kind> {
    let mut kinds = servers();
    if kinds.contains(&left_out) {
        eprintln!("not run against {}: {why}", left_out.name());
        kinds.retain(|kind| *kind != left_out);
    }
    kinds
}

/// What a test needs from the server beyond the common services, in terms both servers share.
#[derive(Clone, Debug, Default)]
pub struct Setup {
    /// Shared roster groups in mod_groups' file format: a `[Group]` line, then one `jid` or
    /// `jid=Name` line per member. Every member sees every other one as a contact.
    pub groups: String,
    /// Offer SASL PLAIN only.
    pub plain_only: bool,
    /// Hand out upload slots under this address instead of the server's own HTTPS.
    pub upload_base: Option<String>,
    /// No PEP (personal eventing): bookmarks and avatars must do without it.
    pub without_pep: bool,
    /// Registration asks for an email address as well (only Prosody can be told to).
    pub registration_wants_email: bool,
    /// Rooms give no occupant ids (XEP-0421). ejabberd 23.01 never gives them.
    pub without_occupant_ids: bool,
    /// Offer SASL2 with Bind2, inline stream management and FAST (XEP-0388, 0386, 0484).
    /// Only Prosody 13 with its community modules does here (`tests/fetch-prosody-13.sh`);
    /// ejabberd 23.01 has none of them.
    pub modern_login: bool,
    /// Let room moderators remove lines (XEP-0425, mod_muc_moderation). Only Prosody 13's
    /// community modules do here; Debian's 2023 modules are not installed with Prosody 0.12,
    /// and ejabberd 23.01 has no XEP-0425.
    pub moderation: bool,
    /// Run Prosody 13 even where no feature needs it, for benchmarks to compare with 0.12.
    pub prosody_13: bool,
    /// Speak TLS 1.2 only, where logins can be bound to the server's certificate
    /// (`tls-server-end-point`) but not to TLS 1.3's exporter. Prosody 13 only.
    pub tls_1_2: bool,
    /// Keep Prosody's archives (ours and the rooms') in SQLite, as its documentation advises
    /// for archives of any size, instead of its files (read whole for every archive query).
    /// Needs Debian's `lua-dbi-sqlite3`. For benchmarks.
    pub sql_archives: bool,
}

/// How the server process is held: Prosody runs in the foreground as our child; ejabberd
/// detaches, and its pid comes from its pid file.
enum Running {
    Child(Child),
    Daemon(u32),
}

pub struct Server {
    pub kind: Kind,
    pub(super) dir: tempfile::TempDir,
    running: Option<Running>,
    pub(super) setup: Setup,
    pub port: u16,
    pub tls_port: u16,
    /// HTTPS for uploaded files, on 127.0.0.1 (the certificate names that address too).
    pub https_port: u16,
    /// ejabberd's Erlang distribution port (its command-line tool talks to the node there).
    pub(super) dist_port: u16,
    pub ca_file: PathBuf,
    /// SHA-256 fingerprint of the server's certificate, as Confab shows it.
    pub fingerprint: String,
    _watch: Watch,
}

/// A port nobody listens on now and that this process has not handed out before: tests run in
/// parallel, and a port freed here may be offered again by the kernel before its server binds it.
pub fn free_port() -> u16 {
    static GIVEN: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        if given.insert(port) {
            return port;
        }
    }
}

/// Whether the server on `port` answers a stream to the test domain with its features. An open
/// port is not enough: Prosody listens before its virtual host is loaded, and a client that
/// comes in between is turned away (`host-unknown`), which once failed a test on a busy machine.
fn serves_the_domain(port: u16) -> bool {
    let Ok(mut tcp) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = tcp.set_read_timeout(Some(Duration::from_secs(2)));
    let header = format!(
        "<?xml version='1.0'?><stream:stream to='{DOMAIN}' version='1.0' \
         xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"
    );
    if tcp.write_all(header.as_bytes()).is_err() {
        return false;
    }
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    while answer.len() < 64 * 1024 {
        match tcp.read(&mut chunk) {
            Ok(0) | Err(_) => return false,
            Ok(n) => answer.extend_from_slice(&chunk[..n]),
        }
        let text = String::from_utf8_lossy(&answer);
        if text.contains("</stream:features>") {
            return text.contains("starttls");
        }
    }
    false
}

impl Server {
    pub fn start(kind: Kind) -> Self {
        Self::start_with(kind, Setup::default())
    }

    /// Start a server whose users share these roster groups (see [`Setup::groups`]).
    pub fn start_with_groups(kind: Kind, groups: &str) -> Self {
        Self::start_with(kind, Setup { groups: groups.to_owned(), ..Setup::default() })
    }

    pub fn start_with(kind: Kind, setup: Setup) -> Self {
        eprintln!("— against {}", kind.name());
        let dir = tempfile::tempdir().expect("temp dir");
        let ca_file = dir.path().join("ca.pem");
        let fingerprint = write_certificates(dir.path(), &ca_file);
        let mut server = Self {
            kind,
            dir,
            running: None,
            setup,
            port: free_port(),
            tls_port: free_port(),
            https_port: free_port(),
            dist_port: free_port(),
            ca_file,
            fingerprint,
            _watch: watchdog::watch(format!("a test with {}", kind.name())),
        };
        match kind {
            Kind::Prosody => prosody::configure(&server),
            Kind::Ejabberd => ejabberd::configure(&server),
        }
        server.resume();
        if kind == Kind::Ejabberd {
            ejabberd::share_groups(&server);
        }
        server
    }

    pub(super) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The server's certificate chain and key (PEM), for fake servers that pose as it.
    pub fn certificate(&self) -> (PathBuf, PathBuf) {
        (self.path().join("server.pem"), self.path().join("server.key"))
    }

    /// The server's XMPP-over-WebSocket endpoint (RFC 7395), on its HTTPS port.
    pub fn websocket_url(&self) -> String {
        format!("wss://{DOMAIN}:{}/ws", self.https_port)
    }

    /// The server's BOSH endpoint (XEP-0206), on its HTTPS port.
    pub fn bosh_url(&self) -> String {
        format!("https://{DOMAIN}:{}/bosh", self.https_port)
    }

    /// Start (again) with the same ports and data.
    pub fn resume(&mut self) {
        self.running = Some(match self.kind {
            Kind::Prosody => Running::Child(prosody::spawn(self)),
            Kind::Ejabberd => Running::Daemon(ejabberd::spawn(self)),
        });
        self.wait_listening();
    }

    fn wait_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let open = |port| std::net::TcpStream::connect(("127.0.0.1", port)).is_ok();
            let ready_in_log = self.kind == Kind::Prosody || ejabberd::ready(self);
            if ready_in_log
                && serves_the_domain(self.port)
                && open(self.tls_port)
                && open(self.https_port)
            {
                return;
            }
            if !self.is_running() {
                panic!("{} exited:\n{}", self.kind.name(), self.log());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{} did not start listening:\n{}", self.kind.name(), self.log());
    }

    fn is_running(&mut self) -> bool {
        match self.running.as_mut() {
            Some(Running::Child(child)) => matches!(child.try_wait(), Ok(None)),
            Some(Running::Daemon(pid)) => process_alive(*pid),
            None => false,
        }
    }

    /// Stop the server as a shutdown looks to clients (SIGTERM, then wait until it is gone).
    pub fn stop(&mut self) {
        self.signal_and_wait("TERM", Duration::from_secs(15));
    }

    fn signal_and_wait(&mut self, signal: &str, within: Duration) {
        let pid = match self.running.as_ref() {
            Some(Running::Child(child)) => child.id(),
            Some(Running::Daemon(pid)) => *pid,
            None => return,
        };
        let kill = |signal: &str| {
            let _ = std::process::Command::new("kill")
                .arg(format!("-{signal}"))
                .arg(pid.to_string())
                .status();
        };
        kill(signal);
        let deadline = Instant::now() + within;
        while Instant::now() < deadline && self.is_running() {
            std::thread::sleep(Duration::from_millis(50));
        }
        if self.is_running() {
            kill("KILL");
        }
        match self.running.take() {
            // Reaped: its pid may be anyone's now.
            Some(Running::Child(mut child)) => {
                let _ = child.wait();
            }
            _ => {
                while process_alive(pid) {
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        }
    }

    pub fn log(&self) -> String {
        let read = |name: &str| std::fs::read_to_string(self.path().join(name)).unwrap_or_default();
        match self.kind {
            Kind::Prosody => format!("{}\n{}", read("stdout.log"), read("prosody.log")),
            Kind::Ejabberd => format!("{}\n{}", read("logs/ejabberd.log"), read("logs/error.log")),
        }
    }

    pub fn register(&self, user: &str, password: &str) {
        match self.kind {
            Kind::Prosody => prosody::register(self, user, password),
            Kind::Ejabberd => ejabberd::register(self, user, password),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // A throwaway server's data goes with it, so ejabberd need not shut down in order
        // (which takes it seconds); Prosody stops at once either way.
        match self.kind {
            Kind::Prosody => self.stop(),
            Kind::Ejabberd => self.signal_and_wait("KILL", Duration::from_secs(5)),
        }
    }
}

/// A process that exists and is not a zombie waiting to be reaped.
fn process_alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| {
            let state = stat.rsplit(')').next().unwrap_or_default().split_whitespace().next();
            state != Some("Z")
        })
        .unwrap_or(false)
}

/// A CA and a leaf certificate for the test domains; returns the leaf's SHA-256 fingerprint.
/// Both are valid from yesterday for 30 days: ejabberd sets an Erlang timer for the expiry,
/// and one beyond 49 days (rcgen's default runs to the year 4096) stops it from starting.
fn write_certificates(dir: &Path, ca_file: &Path) -> String {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let now = std::time::SystemTime::now();
    let validity = |params: &mut CertificateParams| {
        params.not_before = (now - Duration::from_secs(86_400)).into();
        params.not_after = (now + Duration::from_secs(30 * 86_400)).into();
    };
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    validity(&mut ca_params);
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "Confab test CA");
    let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().expect("leaf key");
    let mut leaf_params = CertificateParams::new(vec![DOMAIN.to_owned(), "127.0.0.1".to_owned()])
        .expect("leaf params");
    validity(&mut leaf_params);
    leaf_params.distinguished_name.push(DnType::CommonName, DOMAIN);
    let leaf = leaf_params.signed_by(&leaf_key, &issuer).expect("leaf certificate");
    std::fs::write(ca_file, ca_cert.pem()).expect("CA written");
    std::fs::write(dir.join("server.pem"), leaf.pem()).expect("certificate written");
    std::fs::write(dir.join("server.key"), leaf_key.serialize_pem()).expect("key written");
    confab::worker::fingerprint(leaf.der())
}
