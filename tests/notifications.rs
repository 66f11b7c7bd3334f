//! A real notification server: dunst, under Xvfb, on a private session bus receives what
//! `notify::show` sends (title, body, picture, application name), and its default action — a
//! click on the notification — comes back as the conversation to open.
//!
//! The bus address reaches zbus only through the environment, which a test cannot change
//! for itself (no `unsafe`), so the test starts the bus and runs its other half in a child of
//! this binary. tests/run.sh installs the programs; missing ones fail the test.

use confab::model::{AccountId, ChatId};
use confab::notify::{self, Notice, Target};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Set in the child so its half knows it runs on the private bus.
const CHILD_ENV: &str = "CONFAB_NOTIFY_TEST_BUS";
/// Bounds every wait: start of Xvfb and dunst, the notification showing, the click arriving.
const PATIENCE: Duration = Duration::from_secs(20);
const TOOLS: [&str; 5] = ["dbus-daemon", "dbus-send", "dunst", "dunstctl", "Xvfb"];

fn on_path(program: &str) -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).any(|dir| dir.join(program).is_file())
}

#[test]
fn a_notification_reaches_the_daemon_and_a_click_opens_the_conversation() {
    let missing: Vec<&str> = TOOLS.into_iter().filter(|tool| !on_path(tool)).collect();
    assert!(
        missing.is_empty(),
        "missing {missing:?}: run tests/run.sh, which installs dbus-daemon, dunst and xvfb"
    );
    let (_bus, address) = start_bus();
    let exe = std::env::current_exe().expect("the test binary");
    let output = Command::new(exe)
        .args(["--exact", "on_a_private_bus", "--ignored", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, "1")
        .env("DBUS_SESSION_BUS_ADDRESS", address)
        .output()
        .expect("the test binary runs");
    let said = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "the private-bus half failed:\n{said}");
    assert!(said.contains("1 passed"), "the private-bus half did not run:\n{said}");
}

/// Ends a process this test started when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program).args(args).output().expect("runs")
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < PATIENCE, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A session bus of our own, so nothing reaches (or comes from) the desktop's.
fn start_bus() -> (Running, String) {
    let mut child = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--print-address=1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("dbus-daemon starts");
    let stdout = child.stdout.take().expect("dbus-daemon's stdout");
    let bus = Running(child);
    let mut address = String::new();
    BufReader::new(stdout).read_line(&mut address).expect("dbus-daemon gives its address");
    assert!(!address.trim().is_empty(), "dbus-daemon gave no address");
    (bus, address.trim().to_owned())
}

/// Xvfb on a display it picks itself (`-displayfd`), so parallel runs never collide.
fn start_xvfb() -> (Running, String) {
    let mut child = Command::new("Xvfb")
        .args(["-displayfd", "1", "-nolisten", "tcp", "-screen", "0", "640x480x24"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb starts");
    let stdout = child.stdout.take().expect("Xvfb's stdout");
    let xvfb = Running(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("Xvfb names its display");
    let display = format!(":{}", line.trim());
    assert!(display.len() > 1, "Xvfb named no display");
    (xvfb, display)
}

fn start_dunst(display: &str, dir: &Path) -> Running {
    // Long timeouts: the notification must still be there when the test clicks it.
    let config = dir.join("dunstrc");
    std::fs::write(&config, "[global]\n    timeout = 60\n    idle_threshold = 0\n")
        .expect("dunstrc written");
    let log = std::fs::File::create(dir.join("dunst.log")).expect("dunst log");
    let dunst = Command::new("dunst")
        .arg("-config")
        .arg(&config)
        .env("DISPLAY", display)
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .expect("dunst starts");
    let dunst = Running(dunst);
    // NameHasOwner never starts a server by activation, unlike a call to the name itself.
    wait_until("dunst to own org.freedesktop.Notifications", || {
        let reply = run(
            "dbus-send",
            &[
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.Notifications",
            ],
        );
        String::from_utf8_lossy(&reply.stdout).contains("boolean true")
    });
    dunst
}

fn dunstctl(args: &[&str]) -> String {
    let output = run("dunstctl", args);
    assert!(
        output.status.success(),
        "dunstctl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// A field of the newest notification in dunst's history (`dunstctl history` JSON).
fn latest(history: &Value, field: &str) -> String {
    history["data"][0][0][field]["data"].as_str().unwrap_or_default().to_owned()
}

#[test]
#[ignore = "the private-bus half of a_notification_reaches_the_daemon…, which runs it"]
fn on_a_private_bus() {
    assert!(
        std::env::var_os(CHILD_ENV).is_some(),
        "run by a_notification_reaches_the_daemon_and_a_click_opens_the_conversation"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let (_xvfb, display) = start_xvfb();
    let _dunst = start_dunst(&display, dir.path());
    let picture = dir.path().join("juliet.png");
    image::RgbImage::from_pixel(16, 16, image::Rgb([200, 30, 60])).save(&picture).expect("avatar");
    let target = Target {
        account: AccountId("romeo@montague.lit".into()),
        chat: ChatId("juliet@capulet.lit".into()),
    };
    let notice = Notice {
        target: target.clone(),
        // A stranger's nickname and text, with markup a server would draw or fetch.
        title: "<b>Juliet</b> & Nurse".into(),
        body: "Art thou there? <3 & more <img src=\"https://evil.example/t.png\">".into(),
        picture: Some(picture.clone()),
    };

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let clicked = runtime.block_on(async {
        let mut shown = tokio::spawn(notify::show(notice));
        wait_until("the notification to show", || dunstctl(&["count", "displayed"]) == "1");
        // Click until the answer comes: the sender starts listening right after the server
        // took the notification, which may be a moment after dunst draws it.
        let start = Instant::now();
        loop {
            dunstctl(&["action", "0"]);
            if let Ok(done) = tokio::time::timeout(Duration::from_millis(500), &mut shown).await {
                break done.expect("the sender's task");
            }
            assert!(start.elapsed() < PATIENCE, "the click never came back");
        }
    });
    assert_eq!(clicked, Ok(Some(target)), "a click opens the conversation");

    dunstctl(&["close"]);
    wait_until("the notification to reach the history", || dunstctl(&["count", "history"]) == "1");
    let history: Value = serde_json::from_str(&dunstctl(&["history"])).expect("history JSON");
    assert_eq!(latest(&history, "appname"), "Confab", "{history}");
    assert_eq!(latest(&history, "summary"), "‹b›Juliet‹/b› ＆ Nurse", "{history}");
    // dunst reads markup ("body-markup"), so the body went as markup that shows the text.
    let body =
        "Art thou there? &lt;3 &amp; more &lt;img src=&quot;https://evil.example/t.png&quot;&gt;";
    assert_eq!(latest(&history, "body"), body, "{history}");
    assert_eq!(latest(&history, "icon_path"), picture.to_string_lossy(), "{history}");
    assert_eq!(latest(&history, "category"), "im.received", "{history}");
}
