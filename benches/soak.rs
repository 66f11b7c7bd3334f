//! An hour of ordinary life in the real window, under Xvfb against a local Prosody: a contact
//! writes every 2 s and changes status every 20 s, a busy room gets a line every second from
//! two people, and a picture arrives every minute. Every 30 s the window's resident memory and
//! CPU seconds are printed; at the end, the growth of memory after the warm-up (the first
//! tenth, at least a minute) and the CPU seconds per 1,000 messages in each quarter, which
//! stay level when CPU follows traffic. Prints figures; asserts nothing about them.
//!
//! Run: `cargo bench --bench soak` (an hour; needs prosody, Xvfb, xdotool).
//! `SOAK_SECS=300` for a short run; `SCREENSHOT=x.png` saves the window at the end.

mod desktop;
#[path = "../tests/support/mod.rs"]
mod support;

use confab::model::{AccountId, Presence, PresenceShow};
use confab::paths::Paths;
use confab::worker::{self, Command, Handle, RoomCommand};
use desktop::{Display, status_kib};
use std::time::{Duration, Instant};
use support::{DOMAIN, Kind, PASSWORD, Profile, ROOMS, Server};

const DISPLAY: &str = ":81";
const SAMPLE: Duration = Duration::from_secs(30);

fn soak() -> Duration {
    let secs = std::env::var("SOAK_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(3600);
    Duration::from_secs(secs)
}

fn main() {
    let display = Display::start(DISPLAY);
    let server = Server::start_with_groups(
        Kind::Prosody,
        &format!("[Team]\nalice@{DOMAIN}=Alice\nbob@{DOMAIN}=Bob\ncarol@{DOMAIN}=Carol\n"),
    );
    for user in ["alice", "bob", "carol", "dave"] {
        server.register(user, PASSWORD);
    }
    let profiles: Vec<Profile> = ["alice", "bob", "carol", "dave"]
        .into_iter()
        .map(|user| Profile::new(&server, user, PASSWORD))
        .collect();
    let room = format!("soak@{ROOMS}");
    profiles[2].ok(&["room", "create", &room, "--public"]);
    profiles[0].ok(&["join", &room]);
    let picture = profiles[1].path().join("picture.png");
    image::RgbImage::from_fn(640, 480, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]))
        .save(&picture)
        .expect("picture written");

    let mut app = display.launch(profiles[0].path());
    let window = display.wait_for_window();
    std::thread::sleep(Duration::from_secs(5));
    display.open_conversation(&window, "Bob");

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let peers: Vec<Handle> = runtime.block_on(async {
        let mut handles = Vec::new();
        for profile in &profiles[1..] {
            handles.push(online(profile).await);
        }
        for (handle, nick) in handles[1..].iter().zip(["carol", "dave"]) {
            let join =
                RoomCommand::Join { room: room.clone(), nick: Some(nick.into()), password: None };
            handle.send(Command::Room(join)).expect("join");
        }
        handles
    });

    let started = Instant::now();
    let warm_up = (soak() / 10).max(Duration::from_secs(60));
    let mut sent = 0usize;
    let mut tick = 0u64;
    let mut samples: Vec<(Duration, u64, f64, usize)> = Vec::new();
    let mut next_sample = started;
    while started.elapsed() < soak() {
        tick += 1;
        let to_room = |i: u64| Command::Send { to: room.clone(), body: format!("room line {i}") };
        let _ = peers[1 + (tick % 2) as usize].send(to_room(tick));
        sent += 1;
        if tick.is_multiple_of(2) {
            let body = format!("hello alice, message {tick}");
            let _ = peers[0].send(Command::Send { to: profiles[0].jid.clone(), body });
            sent += 1;
        }
        if tick.is_multiple_of(20) {
            let show =
                if tick.is_multiple_of(40) { PresenceShow::Away } else { PresenceShow::Online };
            let _ = peers[0].send(Command::SetPresence(Presence { show, status: None }));
        }
        if tick.is_multiple_of(60) {
            let file = Command::SendFile { to: profiles[0].jid.clone(), path: picture.clone() };
            let _ = peers[0].send(file);
            sent += 1;
        }
        if Instant::now() >= next_sample {
            let rss = status_kib(&app, "VmRSS:");
            let cpu = support::process_cpu(app.id());
            let at = started.elapsed();
            println!(
                "{:>5} s: VmRSS {:.1} MB, window CPU {cpu:.1} s, {sent} messages sent",
                at.as_secs(),
                rss as f64 / 1024.0
            );
            samples.push((at, rss, cpu, sent));
            next_sample += SAMPLE;
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    report(&samples, warm_up);
    if let Ok(path) = std::env::var("SCREENSHOT") {
        display.screenshot(&path);
    }
    let _ = app.kill();
    let _ = app.wait();
    for peer in peers {
        let _ = peer.send(Command::Shutdown);
    }
}

/// A peer's worker, online, its events drained in the background.
async fn online(profile: &Profile) -> Handle {
    let config = confab::config::Config::load(&Paths::in_profile(profile.path()).config_file())
        .expect("peer's config");
    let jid = config.accounts.first().map(|a| a.jid.clone()).expect("peer's account");
    let (handle, mut events) = worker::spawn(Paths::in_profile(profile.path()), AccountId(jid));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Some(worker::Event::Connection(confab::model::ConnectionState::Online))) => break,
            Ok(Some(_)) => {}
            _ => panic!("a peer did not get online"),
        }
    }
    tokio::spawn(async move { while events.recv().await.is_some() {} });
    handle
}

fn report(samples: &[(Duration, u64, f64, usize)], warm_up: Duration) {
    let after: Vec<_> = samples.iter().filter(|s| s.0 >= warm_up).collect();
    let (Some(first), Some(last)) = (after.first(), after.last()) else {
        println!("too short to report: no sample after the warm-up");
        return;
    };
    let peak = after.iter().map(|s| s.1).max().unwrap_or(0);
    let growth = (last.1 as f64 - first.1 as f64) / first.1.max(1) as f64 * 100.0;
    println!(
        "after warm-up: VmRSS {:.1} MB → {:.1} MB ({growth:+.1} %), peak {:.1} MB",
        first.1 as f64 / 1024.0,
        last.1 as f64 / 1024.0,
        peak as f64 / 1024.0
    );
    let quarter = after.len().div_ceil(4).max(1);
    for (i, part) in after.chunks(quarter).enumerate() {
        let (Some(a), Some(b)) = (part.first(), part.last()) else { continue };
        let messages = b.3.saturating_sub(a.3).max(1);
        println!(
            "quarter {}: {:.2} CPU-s per 1,000 messages ({messages} messages)",
            i + 1,
            (b.2 - a.2) / messages as f64 * 1000.0
        );
    }
}
