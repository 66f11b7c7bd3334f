//! ejabberd (Debian's 23.01) as the test server. Everything lives in the server's directory:
//! `ejabberd.yml`, an `ejabberdctl.cfg` of its own (the packaged one points at /etc), `vm.args`
//! with a fresh Erlang cookie, Mnesia's spool, the logs and the upload folder.
//!
//! Traps this works around, found when first trying it:
//! - Run as root, `ejabberdctl` would switch to the `ejabberd` user, who cannot read a private
//!   temp dir: `EXEC_CMD=as_current_user` keeps the calling user.
//! - Nodes would share epmd (port 4369) and a cookie: a fixed `ERL_DIST_PORT` needs no epmd,
//!   and the cookie is passed in `vm.args`, which every `ejabberdctl` call reads as well.
//! - 23.01 binds its ports while Mnesia and the modules are still starting; a connection then
//!   waits in the backlog, and a SIGTERM in that window can wreck Mnesia. Ready is when the log
//!   says "is started" and every listener logged "Start accepting".
//! - Mnesia ties the spool to the node name: a restart must use the same one.
//! - `registration_timeout` is a global option (not mod_register's); its default lets one
//!   address register only once every ten minutes.
//! - Users are registered in band (XEP-0077): each `ejabberdctl` call boots an Erlang VM
//!   (0.5–0.9 s), a registration over the stream takes milliseconds.

use super::server::Server;
use super::{ADMIN, DOMAIN, ROOMS, UPLOAD, UPLOAD_LIMIT};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

/// The listeners the configuration opens; each logs "Start accepting" once it really accepts.
const LISTENERS: usize = 3;

fn ejabberdctl() -> PathBuf {
    let packaged = Path::new("/usr/sbin/ejabberdctl");
    assert!(
        packaged.is_file(),
        "ejabberd is not installed; run the README's test command, which installs it"
    );
    packaged.to_owned()
}

fn node(server: &Server) -> String {
    format!("confab-test-{}@localhost", server.port)
}

fn ctl(server: &Server, args: &[&str]) -> Output {
    let dir = server.path();
    Command::new(ejabberdctl())
        .arg("--config-dir")
        .arg(dir)
        .arg("--config")
        .arg(dir.join("ejabberd.yml"))
        .arg("--spool")
        .arg(dir.join("spool"))
        .arg("--logs")
        .arg(dir.join("logs"))
        .arg("--node")
        .arg(node(server))
        .args(args)
        .output()
        .expect("ejabberdctl runs")
}

fn ctl_ok(server: &Server, args: &[&str]) {
    let out = ctl(server, args);
    assert!(
        out.status.success(),
        "ejabberdctl {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn configure(server: &Server) {
    let dir = server.path();
    for sub in ["spool", "logs", "upload"] {
        std::fs::create_dir_all(dir.join(sub)).expect("ejabberd folder");
    }
    let cookie: String =
        (0..24).map(|_| format!("{:02x}", rand_byte())).collect::<Vec<_>>().concat();
    std::fs::write(
        dir.join("vm.args"),
        format!("-setcookie {cookie}\n-kernel inet_dist_use_interface {{127,0,0,1}}\n"),
    )
    .expect("vm.args");
    // ejabberdctl points ERL_INETRC here; without the file every call complains.
    std::fs::write(
        dir.join("inetrc"),
        "{lookup,[\"file\",\"native\"]}.\n{host,{127,0,0,1}, [\"localhost\"]}.\n",
    )
    .expect("inetrc");
    std::fs::write(
        dir.join("ejabberdctl.cfg"),
        format!(
            "EXEC_CMD=as_current_user\nERLANG_NODE={node}\nERL_DIST_PORT={dist}\n\
             ERL_OPTIONS=\"-env ERL_CRASH_DUMP_BYTES 0\"\n\
             EJABBERD_PID_PATH={pid}\nEJABBERD_BYPASS_WARNINGS=true\n",
            node = node(server),
            dist = server.dist_port,
            pid = dir.join("ejabberd.pid").display(),
        ),
    )
    .expect("ejabberdctl.cfg");
    std::fs::write(dir.join("ejabberd.yml"), config(server)).expect("ejabberd.yml");
    create_database(server);
}

/// The SQL schema Debian's ejabberd ships for SQLite.
const SQLITE_SCHEMA: &str = "/usr/share/ejabberd/sql/lite.sql";

/// ejabberd keeps its data in SQLite, as its documentation recommends for a small server:
/// with Mnesia its archive (a disk table) takes in a few dozen messages a second, which is
/// the server's limit, not the client's. 23.01 does not create the tables by itself.
fn create_database(server: &Server) {
    let schema = std::fs::read_to_string(SQLITE_SCHEMA).unwrap_or_else(|e| {
        panic!("{SQLITE_SCHEMA}: {e}; run the README's test command, which installs it")
    });
    let database = rusqlite::Connection::open(server.path().join("ejabberd.db")).expect("db");
    database.execute_batch(&schema).expect("ejabberd's schema");
}

/// A byte from the kernel's random source, for the Erlang cookie.
fn rand_byte() -> u8 {
    let mut byte = [0u8; 1];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut byte))
        .expect("random byte");
    byte[0]
}

fn config(server: &Server) -> String {
    let setup = &server.setup;
    let dir = server.path().display();
    let mut disabled_sasl = vec!["digest-md5", "x-oauth2"];
    if setup.plain_only {
        disabled_sasl.extend([
            "scram-sha-1",
            "scram-sha-1-plus",
            "scram-sha-256",
            "scram-sha-256-plus",
            "scram-sha-512",
            "scram-sha-512-plus",
        ]);
    }
    let disabled_sasl: String = disabled_sasl.iter().map(|m| format!("  - \"{m}\"\n")).collect();
    assert!(
        !setup.registration_wants_email,
        "ejabberd 23.01 cannot ask for more than a name and a password at registration"
    );
    let https = server.https_port;
    let put_url = setup
        .upload_base
        .as_deref()
        .map(|base| base.trim_end_matches('/').to_owned())
        .unwrap_or_else(|| format!("https://127.0.0.1:{https}/upload"));
    let pubsub = if setup.without_pep {
        String::new()
    } else {
        "  mod_pubsub:\n    access_createnode: local\n    plugins:\n      - flat\n      - pep\n"
            .to_owned()
    };
    format!(
        r#"hosts:
  - {DOMAIN}
loglevel: info
log_rotate_count: 0
certfiles:
  - "{dir}/server.pem"
  - "{dir}/server.key"
  - "{dir}/ca.pem"
ca_file: "{dir}/ca.pem"
acme:
  auto: false
sql_type: sqlite
sql_database: "{dir}/ejabberd.db"
default_db: sql
auth_method: internal
auth_password_format: plain
disable_sasl_mechanisms:
{disabled_sasl}language: en
registration_timeout: infinity
s2s_access: none
listen:
  -
    port: {port}
    ip: "127.0.0.1"
    module: ejabberd_c2s
    max_stanza_size: 524288
    shaper: none
    access: c2s
    starttls_required: true
  -
    port: {tls_port}
    ip: "127.0.0.1"
    module: ejabberd_c2s
    max_stanza_size: 524288
    shaper: none
    access: c2s
    tls: true
  -
    port: {https}
    ip: "127.0.0.1"
    module: ejabberd_http
    tls: true
    request_handlers:
      /upload: mod_http_upload
      /bosh: mod_bosh
      /ws: ejabberd_http_ws
acl:
  admin:
    user:
      - "{ADMIN}@{DOMAIN}"
  local:
    user_regexp: ""
  loopback:
    ip:
      - 127.0.0.0/8
      - ::1/128
access_rules:
  configure:
    allow: admin
  local:
    allow: local
  c2s:
    allow: all
  register:
    allow: all
  trusted_network:
    allow: loopback
api_permissions:
  "console commands":
    from:
      - ejabberd_ctl
    who: all
    what: "*"
shaper_rules:
  max_user_sessions: 50
  max_user_offline_messages: 10000
  c2s_shaper: none
modules:
  mod_adhoc: {{}}
  mod_admin_extra: {{}}
  mod_configure: {{}}
  mod_blocking: {{}}
  mod_bosh: {{}}
  mod_caps: {{}}
  mod_carboncopy: {{}}
  mod_client_state: {{}}
  mod_disco: {{}}
  mod_last: {{}}
  mod_mam:
    assume_mam_usage: true
    default: always
  mod_muc:
    host: {ROOMS}
    access:
      - allow
    access_create: local
    access_persistent: local
    access_mam:
      - allow
    history_size: 100
    # ejabberd's default of 200 occupants a room would turn away the room bench's crowd.
    max_users: 5000
    default_room_options:
      max_users: 5000
      mam: true
      persistent: true
      public: false
  mod_offline:
    access_max_user_messages: max_user_offline_messages
  mod_ping: {{}}
  mod_privacy: {{}}
  mod_private: {{}}
{pubsub}  mod_register:
    ip_access: trusted_network
    access: register
    password_strength: 0
  mod_roster:
    versioning: true
  mod_shared_roster: {{}}
  mod_stream_mgmt:
    resend_on_timeout: if_offline
    resume_timeout: 30
  mod_vcard:
    search: true
  mod_vcard_xupdate: {{}}
  mod_http_upload:
    host: {UPLOAD}
    put_url: "{put_url}"
    docroot: "{dir}/upload"
    max_size: {UPLOAD_LIMIT}
"#,
        port = server.port,
        tls_port = server.tls_port,
    )
}

fn log_file(server: &Server) -> PathBuf {
    server.path().join("logs").join("ejabberd.log")
}

/// The log's length when this start began: only what it appends tells whether it is ready.
fn log_mark(server: &Server) -> PathBuf {
    server.path().join("log-mark")
}

/// Start the node detached and return its pid (from its pid file).
pub fn spawn(server: &Server) -> u32 {
    let length = std::fs::metadata(log_file(server)).map(|m| m.len()).unwrap_or(0);
    std::fs::write(log_mark(server), length.to_string()).expect("log mark");
    let pid_file = server.path().join("ejabberd.pid");
    let _ = std::fs::remove_file(&pid_file);
    ctl_ok(server, &["start"]);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(pid) =
            std::fs::read_to_string(&pid_file).ok().and_then(|text| text.trim().parse().ok())
        {
            return pid;
        }
        assert!(std::time::Instant::now() < deadline, "ejabberd wrote no pid file");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// This start's part of the log says the node is started and every listener accepts.
pub fn ready(server: &Server) -> bool {
    let mark: u64 = std::fs::read_to_string(log_mark(server))
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(0);
    let Ok(log) = std::fs::read(log_file(server)) else {
        return false;
    };
    let new = String::from_utf8_lossy(log.get(mark as usize..).unwrap_or_default());
    assert!(!new.contains("Failed to start ejabberd"), "ejabberd failed to start:\n{new}");
    new.contains("is started in the node") && new.matches("Start accepting").count() >= LISTENERS
}

/// Shared roster groups (mod_shared_roster), from the groups text of [`super::Setup`]. Each
/// member sees all the others. ejabberd names a shared contact by the full name in its vCard,
/// so `jid=Name` sets that.
pub fn share_groups(server: &Server) {
    let mut group = None;
    for line in server.setup.groups.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let id = name.to_lowercase().replace(' ', "-");
            ctl_ok(server, &["srg_create", &id, DOMAIN, name, name, &id]);
            group = Some(id);
            continue;
        }
        let (member, name) = line.split_once('=').map_or((line, None), |(m, n)| (m, Some(n)));
        let (user, host) = member.split_once('@').expect("a member's address");
        let id = group.as_deref().expect("a [Group] line before its members");
        ctl_ok(server, &["srg_user_add", user, host, id, DOMAIN]);
        if let Some(name) = name {
            ctl_ok(server, &["set_vcard", user, host, "FN", name]);
        }
    }
}

/// Register `user` in band (XEP-0077) over Direct TLS.
pub fn register(server: &Server, user: &str, password: &str) {
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
    use tokio_rustls::rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(&server.ca_file).expect("CA file") {
        roots.add(cert.expect("CA certificate")).expect("CA added");
    }
    let provider = std::sync::Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = ServerName::try_from(DOMAIN.to_owned()).expect("server name");
    let connection = ClientConnection::new(std::sync::Arc::new(config), name).expect("TLS client");
    let tcp = std::net::TcpStream::connect(("127.0.0.1", server.tls_port)).expect("TCP");
    tcp.set_read_timeout(Some(Duration::from_secs(10))).expect("read timeout");
    let mut tls = StreamOwned::new(connection, tcp);
    let mut say = |xml: &str, until: &str| -> String {
        if let Err(e) = tls.write_all(xml.as_bytes()) {
            panic!("registering {user}: {e}\n{}", tail(&server.log()));
        }
        let mut seen = Vec::new();
        let mut chunk = [0u8; 4096];
        // The answer is complete once the marker came and the text ends with a tag.
        while !(String::from_utf8_lossy(&seen).contains(until) && seen.ends_with(b">")) {
            let n = tls
                .read(&mut chunk)
                .unwrap_or_else(|e| panic!("registering {user}: {e}\n{}", tail(&server.log())));
            assert!(n > 0, "ejabberd closed the stream: {}", String::from_utf8_lossy(&seen));
            seen.extend_from_slice(&chunk[..n]);
        }
        String::from_utf8_lossy(&seen).into_owned()
    };
    say(
        &format!(
            "<?xml version='1.0'?><stream:stream to='{DOMAIN}' version='1.0' \
             xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"
        ),
        "</stream:features>",
    );
    let answer = say(
        &format!(
            "<iq type='set' id='reg1'><query xmlns='jabber:iq:register'>\
             <username>{user}</username><password>{password}</password></query></iq>",
            password = escape(password),
        ),
        "id='reg1'",
    );
    assert!(
        answer.contains("type='result'") || answer.contains("type=\"result\""),
        "ejabberd refused to register {user}: {answer}"
    );
    let _ = tls.write_all(b"</stream:stream>");
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('\'', "&apos;")
}

/// The end of a log, enough to see why something failed.
fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}
