//! What Confab leaves on this machine, through the real binary and a real Prosody: a profile
//! only the user can open, and logs that never hold the password, even at trace level.

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use support::{PASSWORD, Profile, Server, Setup};

/// `confab ARGS` in `profile` with the log filter `CONFAB_LOG=log`.
fn run_logged(profile: &Profile, log: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_confab"))
        .arg("--profile")
        .arg(profile.path())
        .args(args)
        .env("CONFAB_PASSWORD_STORE", "file")
        .env("CONFAB_LOG", log)
        .env_remove("CONFAB_PROFILE")
        .stdin(Stdio::null())
        .output()
        .expect("confab runs")
}

#[test]
fn a_trace_log_of_a_plain_login_never_holds_the_password() {
    for kind in support::servers() {
        // PLAIN only: the <auth> element then carries "\0alice\0password" in base64.
        let server = Server::start_with(kind, Setup { plain_only: true, ..Setup::default() });
        server.register("alice", PASSWORD);
        let alice = Profile::empty("alice");
        let added = alice.account(&server, "add", PASSWORD, &["--allow-plain"]);
        assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
        let out = run_logged(&alice, "trace", &["sync", "--wait", "1"]);
        let log = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "logged in and synced: {log}");
        assert!(log.contains("TRACE"), "trace logging was on: {log}");
        // "\0alice\0correct horse" in base64, and the start of it, which no padding shifts.
        for secret in ["AGFsaWNlAGNvcnJlY3QgaG9yc2U=", "AGFsaWNl", PASSWORD] {
            assert!(!log.contains(secret), "{secret} is in the log");
        }
    }
}

#[cfg(unix)]
#[test]
fn the_profile_is_only_the_users_and_is_closed_again_at_start() {
    for kind in support::servers() {
        use std::os::unix::fs::PermissionsExt;
        let mode =
            |path: &Path| std::fs::metadata(path).expect("there").permissions().mode() & 0o777;
        let chmod = |path: &Path, mode: u32| {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod")
        };
        let server = Server::start(kind);
        server.register("bob", PASSWORD);
        let bob = Profile::new(&server, "bob", PASSWORD);
        bob.ok(&["sync", "--wait", "1"]);
        let profile = bob.path();
        let dirs = ["config", "config/passwords", "data"].map(|dir| profile.join(dir));
        let files =
            ["config/config.toml", "config/passwords/bob@confab.test", "data/confab.sqlite3"]
                .map(|file| profile.join(file));
        for dir in &dirs {
            assert_eq!(mode(dir), 0o700, "{}", dir.display());
        }
        for file in &files {
            assert_eq!(mode(file), 0o600, "{}", file.display());
        }

        // Opened up by hand, or by an older version: the next start closes it again.
        dirs.iter().for_each(|dir| chmod(dir, 0o755));
        files.iter().for_each(|file| chmod(file, 0o644));
        bob.ok(&["roster"]);
        for dir in &dirs {
            assert_eq!(mode(dir), 0o700, "{} again", dir.display());
        }
        for file in &files {
            assert_eq!(mode(file), 0o600, "{} again", file.display());
        }
    }
}
