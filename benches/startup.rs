//! Start-up and memory of the real window, measured under Xvfb against a local Prosody:
//! time from launch to a visible window, and resident memory 10 s after login with a
//! 500-contact roster and an open conversation. Prints figures; asserts nothing about them.
//!
//! Run: `cargo bench --bench startup` (needs prosody, Xvfb, xdotool; `SCREENSHOT=docs/x.png`
//! also saves a picture of the window, which needs imagemagick's `import`). `FLOOD=5000` then
//! has Bob send that many messages into the open conversation and prints the window's CPU
//! seconds until they are all stored and shown.

mod desktop;
#[path = "../tests/support/mod.rs"]
mod support;

use desktop::{Display, status_kib};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::{DOMAIN, Kind, PASSWORD, Profile, Server};

/// Roster size; `CONTACTS=5000 cargo bench --bench startup` for the large-roster figure.
fn contacts() -> usize {
    std::env::var("CONTACTS").ok().and_then(|v| v.parse().ok()).unwrap_or(500)
}
const DISPLAY: &str = ":77";

fn main() {
    let display = Display::start(DISPLAY);

    let mut groups = format!("[Team]\nalice@{DOMAIN}=Alice\nbob@{DOMAIN}=Bob Builder\n");
    for i in 0..contacts() - 1 {
        groups.push_str(&format!("user{i:04}@{DOMAIN}=Contact {i:04}\n"));
    }
    let server = Server::start_with_groups(Kind::Prosody, &groups);
    server.register("alice", PASSWORD);
    server.register("bob", PASSWORD);
    let alice = Profile::new(&server, "alice", PASSWORD);
    let bob = Profile::new(&server, "bob", PASSWORD);
    for text in [
        "Hi Alice! Are you coming to the launch tonight?",
        "I'll bring the cake.",
        "Confab's first release is out.",
    ] {
        bob.ok(&["send", &alice.jid, text]);
    }
    // Bob stays online so he shows as available.
    let mut bob_online = Command::new(env!("CARGO_BIN_EXE_confab"))
        .arg("--profile")
        .arg(bob.path())
        .args(["sync", "--wait", "40"])
        .env("CONFAB_PASSWORD_STORE", "file")
        .stderr(Stdio::null())
        .spawn()
        .expect("bob online");
    std::thread::sleep(Duration::from_secs(2));

    let started = Instant::now();
    let mut app = display.launch(alice.path());
    let window = display.wait_for_window();
    let to_window = started.elapsed();
    std::thread::sleep(Duration::from_secs(10));
    let rss_idle = status_kib(&app, "VmRSS:");

    // Open Bob's conversation from the search and say something.
    display.open_conversation(&window, "Bob");
    std::thread::sleep(Duration::from_millis(800));
    display.xdotool(&["windowfocus", "--sync", &window]);
    display.xdotool(&["type", "--delay", "20", "See you there, I'll bring the drinks!"]);
    display.xdotool(&["key", "Return"]);
    std::thread::sleep(Duration::from_secs(2));
    assert!(said_to(&alice, &bob.jid, "See you there"), "Bob's conversation did not open");
    let rss_chat = status_kib(&app, "VmRSS:");
    if let Ok(path) = std::env::var("SCREENSHOT") {
        display.screenshot(&path);
    }

    println!("launch to visible window: {:.0} ms", to_window.as_secs_f64() * 1000.0);
    println!(
        "VmRSS 10 s after login ({} contacts): {:.1} MB",
        contacts(),
        rss_idle as f64 / 1024.0
    );
    println!("VmRSS with a conversation open: {:.1} MB", rss_chat as f64 / 1024.0);
    if let Some(count) = std::env::var("FLOOD").ok().and_then(|v| v.parse().ok()) {
        flood_into_open_chat(&app, &alice, &bob, count);
    }

    let _ = app.kill();
    let _ = app.wait();
    let _ = bob_online.kill();
    let _ = bob_online.wait();
}

/// Bob sends `count` messages while Alice's window shows his conversation: the window's CPU
/// seconds from the first until all are stored and it has gone quiet again.
fn flood_into_open_chat(app: &Child, alice: &Profile, bob: &Profile, count: usize) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let cpu_before = support::process_cpu(app.id());
    let started = Instant::now();
    runtime.block_on(support::send_many(bob.path(), &alice.jid, "flood", count, LIMIT));
    let database = confab::paths::Paths::in_profile(alice.path()).database();
    let chat = confab::model::ChatId(bob.jid.clone());
    while started.elapsed() < LIMIT {
        let stored = confab::store::Store::open(&database)
            .and_then(|store| store.history(&alice.jid, &chat, None, count + 10))
            .map_or(0, |page| {
                page.messages.iter().filter(|m| m.body.starts_with("flood ")).count()
            });
        if stored >= count {
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    let stored_after = started.elapsed();
    // Quiet: no CPU spent over half a second.
    let mut last = support::process_cpu(app.id());
    loop {
        std::thread::sleep(Duration::from_millis(500));
        let now = support::process_cpu(app.id());
        if now - last < 0.01 || started.elapsed() > LIMIT {
            break;
        }
        last = now;
    }
    println!(
        "{count} messages into the open conversation: window CPU {:.2} s, all stored after {:.1} s, VmRSS then {:.1} MB",
        support::process_cpu(app.id()) - cpu_before,
        stored_after.as_secs_f64(),
        status_kib(app, "VmRSS:") as f64 / 1024.0
    );
}

/// How long the flood may take before the bench reports what it has.
const LIMIT: Duration = Duration::from_secs(300);

/// Whether Alice's store holds a message to `peer` starting with `words`: the click opened
/// the conversation and the typing went into it.
fn said_to(alice: &Profile, peer: &str, words: &str) -> bool {
    let database = confab::paths::Paths::in_profile(alice.path()).database();
    let chat = confab::model::ChatId(peer.to_owned());
    confab::store::Store::open(&database)
        .and_then(|store| store.history(&alice.jid, &chat, None, 20))
        .is_ok_and(|page| page.messages.iter().any(|m| m.body.starts_with(words)))
}
