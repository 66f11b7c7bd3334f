//! Disk trouble, through the real binary: a database file or folder Confab may not write, a
//! damaged database and a full disk each give one clear line (and exit 1) or a notice, never a
//! crash, and nothing already stored is lost. A full disk is a 1 MiB tmpfs (the tests run as
//! root, as the Prosody tests do), unmounted when the test ends.

mod support;

use confab::model::{
    AccountId, ChatId, ConnectError, ConnectionState, Delivery, Direction, MessageKind, NewMessage,
};
use confab::paths::Paths;
use confab::store::Store;
use confab::worker::{self, Command as WorkerCommand, Event};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;
use support::{PASSWORD, Profile, Server, wait_for};

const PEER: &str = "bob@confab.test";

/// Command lines to run, each as its arguments.
type Commands<'a> = &'a [&'a [&'a str]];

/// A profile whose account points at a closed port: everything here works offline.
fn offline_profile() -> Profile {
    let profile = Profile::empty("alice");
    let config = profile.path().join("config");
    std::fs::create_dir_all(&config).expect("config dir");
    let account =
        format!("[[account]]\njid = \"{}\"\nhost = \"127.0.0.1\"\nport = 1\n", profile.jid);
    std::fs::write(config.join("config.toml"), account).expect("config written");
    profile
}

fn database(profile: &Profile) -> PathBuf {
    Paths::in_profile(profile.path()).database()
}

/// `count` messages from Bob, stored the way the worker stores them.
fn store_history(profile: &Profile, count: usize) {
    let mut store = Store::open(&database(profile)).expect("store");
    let batch: Vec<NewMessage> = (0..count)
        .map(|i| NewMessage {
            chat: ChatId(PEER.into()),
            kind: MessageKind::Message,
            nick: None,
            direction: Direction::In,
            from: PEER.into(),
            to: profile.jid.clone(),
            body: format!("line {i:05} {}", "x".repeat(100)),
            timestamp: chrono::Utc::now(),
            state: Delivery::Received,
            stanza_id_attr: None,
            origin_id: None,
            server_id: Some(format!("archive-{i}")),
            attachment: None,
            author: Default::default(),
            replaces: None,
            reply: None,
            unstyled: false,
        })
        .collect();
    store.insert_messages(&profile.jid, &batch).expect("stored");
}

/// The bodies `confab history` shows for the chat with Bob.
fn bodies(profile: &Profile) -> Vec<String> {
    profile
        .json_lines(&["history", PEER, "--limit", "10000", "--json"])
        .iter()
        .map(|line| line["body"].as_str().expect("a body").to_owned())
        .collect()
}

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// `confab ARGS` as an ordinary user would run it: as root, without the power to write what
/// file modes forbid (CAP_DAC_OVERRIDE), so a read-only file is read-only.
fn run_as_user(profile: &Profile, args: &[&str]) -> Output {
    let mut command = if is_root() {
        let mut setpriv = Command::new("setpriv");
        setpriv.args(["--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]);
        setpriv.arg(env!("CARGO_BIN_EXE_confab"));
        setpriv
    } else {
        Command::new(env!("CARGO_BIN_EXE_confab"))
    };
    command
        .arg("--profile")
        .arg(profile.path())
        .args(args)
        .env("CONFAB_PASSWORD_STORE", "file")
        .env_remove("CONFAB_PROFILE")
        .stdin(Stdio::null())
        .output()
        .expect("confab runs")
}

/// The command failed with exit code 1 and one `confab:` line, which is returned.
fn one_clear_line(out: &Output) -> String {
    let stderr = support::stderr(out);
    assert_eq!(out.status.code(), Some(1), "exit 1, no crash: {stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("confab: ")).collect();
    assert_eq!(lines.len(), 1, "one line for the user: {stderr}");
    lines[0].to_owned()
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn a_read_only_database_or_folder_is_named_and_its_history_kept() {
    let alice = offline_profile();
    alice.ok(&["send", "--at", "+1d", PEER, "kept"]);
    let file = database(&alice);
    let folder = file.parent().expect("data folder").to_owned();

    chmod(&file, 0o400);
    let line = one_clear_line(&run_as_user(&alice, &["history", PEER]));
    assert!(line.contains("may not write its history"), "{line}");
    assert!(line.contains(&file.display().to_string()), "names the file: {line}");
    assert!(line.contains("Nothing stored is lost"), "{line}");

    chmod(&file, 0o600);
    chmod(&folder, 0o500);
    let line = one_clear_line(&run_as_user(&alice, &["send", "--at", "+1d", PEER, "refused"]));
    assert!(line.contains("may not write its history"), "{line}");
    assert!(line.contains(&file.display().to_string()), "names the file: {line}");

    chmod(&folder, 0o700);
    assert_eq!(bodies(&alice), ["kept"]);
}

/// SQLite's page size, which the store keeps at its default.
const PAGE: usize = 4096;

#[test]
fn a_damaged_database_is_named_and_left_untouched() {
    let alice = offline_profile();
    store_history(&alice, 3000);
    let file = database(&alice);
    let good = std::fs::read(&file).expect("the database");
    // A write that touches only sound pages is not refused (finding damage anywhere would
    // mean reading the whole file at every start), so only reads meet the middle damage.
    let history = &["history", PEER, "--limit", "10000"][..];
    let send = &["send", "--at", "+1d", PEER, "x"][..];
    let damages: [(&str, Vec<u8>, Commands); 3] = [
        (
            "overwritten in the middle",
            {
                // The head of every page in the file's middle half: whichever of the lines and
                // the search index lie there (where each goes shifts with the schema), reading
                // every line meets damage.
                let mut bytes = good.clone();
                for page in (good.len() / 4..3 * good.len() / 4).step_by(PAGE) {
                    let start = page - page % PAGE;
                    bytes[start..start + 64].fill(0xa5);
                }
                bytes
            },
            &[history],
        ),
        ("truncated", good[..good.len() / 3].to_vec(), &[history, send]),
        (
            "not SQLite at all",
            b"these are my notes, not a database\n".repeat(2000),
            &[history, send],
        ),
    ];
    for (how, damaged, commands) in damages {
        for journal in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{journal}", file.display()));
        }
        std::fs::write(&file, &damaged).expect("damaged");
        for &args in commands {
            let out = alice.run(args);
            let line = one_clear_line(&out);
            assert!(line.contains("is damaged"), "{how}, {args:?}: {line}");
            assert!(line.contains(&file.display().to_string()), "{how}: {line}");
            assert_eq!(std::fs::read(&file).expect("still there"), damaged, "{how}: untouched");
        }
    }
    std::fs::write(&file, &good).expect("restored");
    assert_eq!(bodies(&alice).len(), 3000, "the history is whole again");
}

/// A 1 MiB tmpfs over a folder, unmounted when dropped.
struct SmallDisk {
    dir: PathBuf,
}

impl SmallDisk {
    fn mount(dir: &Path) -> Self {
        std::fs::create_dir_all(dir).expect("mount point");
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs"])
            .arg(dir)
            .status()
            .expect("mount runs");
        assert!(status.success(), "mounting a 1 MiB tmpfs (the tests run as root)");
        Self { dir: dir.to_owned() }
    }

    /// Takes all the free space but `spare` bytes, in a file that [`SmallDisk::free`] removes.
    fn fill(&self, spare: u64) {
        let path = self.dir.join("filler");
        let mut filler = std::fs::File::create(&path).expect("filler");
        let chunk = [0u8; 4096];
        while filler.write_all(&chunk).is_ok() {}
        let len = filler.metadata().expect("filler size").len();
        filler.set_len(len.saturating_sub(spare)).expect("room left");
    }

    fn free(&self) {
        std::fs::remove_file(self.dir.join("filler")).expect("filler removed");
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_that_meet_a_full_disk_are_fetched_again_once_there_is_room() {
    for kind in support::servers() {
        let server = Server::start(kind);
        server.register("alice", PASSWORD);
        server.register("bob", PASSWORD);
        let alice = Profile::new(&server, "alice", PASSWORD);
        let bob = Profile::new(&server, "bob", PASSWORD);
        let disk = SmallDisk::mount(&alice.path().join("data"));
        // A first message sets where Alice's archive catch-up stands.
        bob.ok(&["send", &alice.jid, "before"]);
        alice.ok(&["sync", "--wait", "1"]);
        assert_eq!(bodies(&alice), ["before"]);

        // No room at all: the account cannot start, and says why, until the user tries again.
        disk.fill(0);
        let paths = Paths::in_profile(alice.path());
        let (handle, mut events) = worker::spawn(paths.clone(), AccountId(alice.jid.clone()));
        let failed = wait_for(&mut events, Duration::from_secs(10), "a failed start", |e| {
            matches!(e, Event::Connection(ConnectionState::Failed(_)))
        })
        .await;
        let Event::Connection(ConnectionState::Failed(ConnectError::Storage(why))) = failed else {
            panic!("not a storage failure: {failed:?}")
        };
        assert!(why.contains("the disk is full"), "{why}");
        disk.free();

        // Room to open the database (its 32 KiB shared-memory index), not to store a burst.
        disk.fill(48 * 1024);
        support::send_many(bob.path(), &alice.jid, "while full", 100, Duration::from_secs(60))
            .await;
        handle.send(WorkerCommand::Connect).expect("worker reachable");
        let failed = wait_for(&mut events, Duration::from_secs(30), "a store failure", |e| {
            matches!(e, Event::StoreFailed(_))
        })
        .await;
        let Event::StoreFailed(why) = failed else { unreachable!() };
        assert!(why.contains("the disk is full"), "{why}");
        assert!(why.contains(&paths.database().display().to_string()), "names the file: {why}");
        wait_for(&mut events, Duration::from_secs(30), "the end of the catch-up", |e| {
            assert!(
                !matches!(e, Event::Message(m) if m.body.starts_with("while full")),
                "shown although not stored: {e:?}"
            );
            matches!(e, Event::CatchUp { done: true, .. })
        })
        .await;
        handle.send(WorkerCommand::Shutdown).expect("worker reachable");
        wait_for(&mut events, Duration::from_secs(15), "clean stop", |e| {
            matches!(e, Event::Stopped)
        })
        .await;
        assert_eq!(bodies(&alice), ["before"], "nothing half-stored, nothing lost");

        // The command line says the same in one line.
        bob.ok(&["send", &alice.jid, "still full"]);
        let line = one_clear_line(&alice.run(&["sync", "--wait", "1"]));
        assert!(line.contains("the disk is full"), "{line}");

        disk.free();
        alice.ok(&["sync", "--wait", "1"]);
        let stored = bodies(&alice);
        let mut expected: Vec<String> = vec!["before".into()];
        expected.extend((0..100).map(|i| format!("while full {i:05}")));
        expected.push("still full".into());
        let mut sorted = stored.clone();
        sorted.sort();
        expected.sort();
        assert_eq!(sorted, expected, "every message, once: {stored:?}");
    }
}
