//! Prosody as the test server: a Lua configuration in the server's directory, `prosody -F` as
//! our child process, users registered with `prosodyctl`.

use super::server::Server;
use super::{ADMIN, DOMAIN, ROOMS, UPLOAD, UPLOAD_LIMIT};
use std::path::PathBuf;
use std::process::{Child, Command};

/// `prosody --version` starts a server, so look for the program on PATH instead.
fn require_prosody() {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path).any(|dir| dir.join("prosody").is_file());
    assert!(found, "Prosody is not installed; run the README's test command, which installs it");
}

fn config_file(server: &Server) -> PathBuf {
    server.path().join("prosody.cfg.lua")
}

pub fn configure(server: &Server) {
    require_prosody();
    let setup = &server.setup;
    let dir = server.path().display();
    std::fs::create_dir_all(server.path().join("data")).expect("data dir");
    std::fs::write(server.path().join("groups.txt"), &setup.groups).expect("groups file");
    let mut extra = String::new();
    if setup.plain_only {
        extra +=
            "disable_sasl_mechanisms = { \"SCRAM-SHA-1\", \"SCRAM-SHA-1-PLUS\", \"DIGEST-MD5\" }\n";
    }
    if setup.registration_wants_email {
        extra += "additional_registration_fields = { \"email+\" }\n";
    }
    if setup.without_occupant_ids {
        extra += "muc_occupant_id = false\n";
    }
    let modern = if setup.modern_login {
        "\n  \"sasl2\"; \"sasl2_bind2\"; \"sasl2_sm\"; \"sasl2_fast\";"
    } else {
        ""
    };
    let room_modules =
        if setup.moderation { "\"muc_mam\"; \"muc_moderation\"" } else { "\"muc_mam\"" };
    let disabled = if setup.without_pep { "\"s2s\"; \"pep\"" } else { "\"s2s\"" };
    let storage = if setup.sql_archives {
        format!(
            "default_storage = \"internal\"\nstorage = {{ archive = \"sql\"; muc_log = \"sql\" }}\n\
             sql = {{ driver = \"SQLite3\"; database = \"{dir}/data/archives.sqlite\" }}"
        )
    } else {
        "storage = \"internal\"".to_owned()
    };
    if uses_prosody_13(setup) {
        // Offer channel binding to the certificate as well as to TLS 1.3's exporter. The hash
        // is given, not "auto": Prosody 13.0.1 forgets "auto" after the first connection (it
        // overwrites the option), and its FAST handler never sees the binding. The leaf is
        // signed with SHA-256, so its binding hash is its SHA-256 fingerprint.
        let hash = server.fingerprint.replace(':', "").to_lowercase();
        extra += &format!("tls_server_end_point_hash = \"{hash}\"\n");
    }
    let protocol = if setup.tls_1_2 { "; protocol = \"tlsv1_2\"" } else { "" };
    let https_port = server.https_port;
    let external_url =
        setup.upload_base.clone().unwrap_or_else(|| format!("https://127.0.0.1:{https_port}/"));
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
  "websocket"; "bosh"; "adhoc"; "admin_adhoc";{modern}
}}
admins = {{ "{ADMIN}@{DOMAIN}" }}
http_paths = {{ websocket = "/ws"; bosh = "/bosh" }}
modules_disabled = {{ {disabled} }}
groups_file = "{dir}/groups.txt"
allow_registration = true
c2s_require_encryption = true
allow_unencrypted_plain_auth = false
authentication = "internal_hashed"
{storage}
smacks_hibernation_time = 30
ssl = {{ certificate = "{dir}/server.pem"; key = "{dir}/server.key"{protocol} }}
c2s_direct_tls_ssl = {{ certificate = "{dir}/server.pem"; key = "{dir}/server.key"{protocol} }}
http_ports = {{ }}
https_ports = {{ {https_port} }}
https_interfaces = {{ "127.0.0.1" }}
https_ssl = {{ certificate = "{dir}/server.pem"; key = "{dir}/server.key"{protocol} }}
http_external_url = "{external_url}"
http_default_host = "{UPLOAD}"
{extra}
VirtualHost "{DOMAIN}"

Component "{ROOMS}" "muc"
  modules_enabled = {{ {room_modules} }}
  restrict_room_creation = false
  muc_room_default_public = false
  muc_room_default_persistent = true
  max_history_messages = 100

Component "{UPLOAD}" "http_file_share"
  http_file_share_size_limit = {UPLOAD_LIMIT}
"#,
        port = server.port,
        tls_port = server.tls_port,
    );
    std::fs::write(config_file(server), config).expect("config written");
}

/// Modern login, room moderation and channel binding to the certificate need the Prosody 13
/// that `tests/fetch-prosody-13.sh` unpacked: its mod_sasl2 does not run on 0.12, its
/// mod_muc_moderation speaks XEP-0425 v0.3, and 0.12 has no `tls-server-end-point`.
fn uses_prosody_13(setup: &super::Setup) -> bool {
    setup.modern_login || setup.moderation || setup.prosody_13 || setup.tls_1_2
}

/// Debian's Prosody, or the Prosody 13 where the setup needs it.
fn program(server: &Server, name: &str) -> PathBuf {
    if !uses_prosody_13(&server.setup) {
        return PathBuf::from(name);
    }
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/test-servers/prosody-13/bin")
        .join(name);
    assert!(path.is_file(), "{} is missing; run the README's test command", path.display());
    path
}

pub fn spawn(server: &Server) -> Child {
    let log = std::fs::File::create(server.path().join("stdout.log")).expect("log file");
    Command::new(program(server, "prosody"))
        .arg("--config")
        .arg(config_file(server))
        .arg("-F")
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .expect("prosody starts")
}

pub fn register(server: &Server, user: &str, password: &str) {
    let output = Command::new(program(server, "prosodyctl"))
        .arg("--config")
        .arg(config_file(server))
        .args(["register", user, DOMAIN, password])
        .output()
        .expect("prosodyctl runs");
    assert!(
        output.status.success(),
        "prosodyctl register failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
