//! A conversation of pictures in the real window, under Xvfb against a local Prosody: 200
//! photos (1600 × 1200 JPEG, each its own file) received from a contact, the conversation
//! opened and scrolled from the newest to the oldest and back. Prints the window's CPU
//! seconds, resident memory and its peak; asserts nothing about them.
//!
//! Run: `cargo bench --bench images` (needs prosody, Xvfb, xdotool; `SCREENSHOT=docs/x.png`
//! also saves a picture of the open conversation, which needs imagemagick's `import`;
//! `SCREENSHOT_OLDEST=x.png` one after scrolling up, which should show the first photo).
//! `PICTURES=N` changes the number of photos.

mod desktop;
#[path = "../tests/support/mod.rs"]
mod support;

use chrono::{Duration as Span, Utc};
use confab::model::{Attachment, ChatId, Delivery, Direction, MessageKind, NewMessage};
use desktop::{Display, status_kib};
use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};
use support::{DOMAIN, Kind, PASSWORD, Profile, Server};

const DISPLAY: &str = ":79";
/// Wheel clicks per step, and steps: enough to go through every picture.
const CLICKS_PER_STEP: &str = "20";
const STEPS: usize = 60;
/// Trips from the newest photo to the oldest and back: memory must not grow from one to the
/// next.
const ROUNDS: usize = 3;

fn pictures() -> usize {
    std::env::var("PICTURES").ok().and_then(|v| v.parse().ok()).unwrap_or(200)
}

fn main() {
    let display = Display::start(DISPLAY);

    let server = Server::start_with_groups(
        Kind::Prosody,
        &format!("[Team]\nalice@{DOMAIN}=Alice\nbob@{DOMAIN}=Bob Builder\n"),
    );
    server.register("alice", PASSWORD);
    server.register("bob", PASSWORD);
    let alice = Profile::new(&server, "alice", PASSWORD);
    let bob = Profile::new(&server, "bob", PASSWORD);
    let made = Instant::now();
    seed(&alice, &bob.jid, pictures());
    println!("{} photos written and stored in {:.1} s", pictures(), made.elapsed().as_secs_f64());

    let mut app = display.launch(alice.path());
    let window = display.wait_for_window();
    std::thread::sleep(Duration::from_secs(5));
    let cpu_idle = support::process_cpu(app.id());
    let rss_idle = status_kib(&app, "VmRSS:");

    // Open Bob's conversation, the only one, and let the newest pictures decode.
    display.open_conversation(&window, "Bob");
    wait_quiet(&app);
    let opened_cpu = support::process_cpu(app.id()) - cpu_idle;
    let rss_open = status_kib(&app, "VmRSS:");
    if let Ok(path) = std::env::var("SCREENSHOT") {
        display.screenshot(&path);
    }

    println!("VmRSS 5 s after login: {:.1} MB", rss_idle as f64 / 1024.0);
    println!(
        "conversation of {} photos opened: window CPU {opened_cpu:.2} s, VmRSS {:.1} MB",
        pictures(),
        rss_open as f64 / 1024.0
    );
    display.xdotool(&["windowfocus", "--sync", &window, "mousemove", "--sync", "640", "330"]);
    for round in 1..=ROUNDS {
        let scrolled = Instant::now();
        let cpu_before = support::process_cpu(app.id());
        for button in ["4", "5"] {
            for _ in 0..STEPS {
                display.xdotool(&["click", "--repeat", CLICKS_PER_STEP, "--delay", "15", button]);
            }
            let oldest = std::env::var("SCREENSHOT_OLDEST").ok();
            if let Some(path) = oldest.filter(|_| button == "4" && round == 1) {
                display.screenshot(&path);
            }
        }
        wait_quiet(&app);
        println!(
            "round {round}, to the oldest photo and back ({} wheel clicks, {:.1} s): window CPU {:.2} s, VmRSS {:.1} MB, peak {:.1} MB",
            2 * STEPS * CLICKS_PER_STEP.parse::<usize>().unwrap_or(0),
            scrolled.elapsed().as_secs_f64(),
            support::process_cpu(app.id()) - cpu_before,
            status_kib(&app, "VmRSS:") as f64 / 1024.0,
            status_kib(&app, "VmHWM:") as f64 / 1024.0
        );
    }

    let _ = app.kill();
    let _ = app.wait();
}

/// Alice's store holds `count` photos from Bob, a minute apart, each downloaded to its own file,
/// with a few words and emoji between them.
fn seed(alice: &Profile, bob: &str, count: usize) {
    let dir = alice.path().join("photos");
    std::fs::create_dir_all(&dir).expect("photo directory");
    let chat = ChatId(bob.to_owned());
    let start = Utc::now() - Span::minutes(2 * count as i64 + 10);
    let mut batch = Vec::with_capacity(2 * count);
    for i in 0..count {
        let name = format!("launch-{i:03}.jpg");
        let path = dir.join(&name);
        let size = write_photo(&path, i);
        let url = format!("https://upload.{DOMAIN}/share/{i}/{name}");
        let at = start + Span::minutes(2 * i as i64);
        let attachment = Attachment {
            url: Some(url.clone()),
            name,
            size,
            mime: Some("image/jpeg".into()),
            local: Some(path),
        };
        batch.push(line(&chat, bob, url, at, Some(attachment)));
        let words = ["What a night 🎉", "The cake! 🍰😋", "Ship it 🚀", "Team photo 📸👍"];
        batch.push(line(&chat, bob, words[i % words.len()].into(), at + Span::seconds(20), None));
    }
    let database = confab::paths::Paths::in_profile(alice.path()).database();
    let mut store = confab::store::Store::open(&database).expect("alice's store");
    store.insert_messages(&alice.jid, &batch).expect("photos stored");
}

fn line(
    chat: &ChatId,
    bob: &str,
    body: String,
    at: chrono::DateTime<Utc>,
    attachment: Option<Attachment>,
) -> NewMessage {
    NewMessage {
        chat: chat.clone(),
        kind: MessageKind::Message,
        nick: None,
        direction: Direction::In,
        from: bob.to_owned(),
        to: String::new(),
        body,
        timestamp: at,
        state: Delivery::Received,
        stanza_id_attr: None,
        origin_id: None,
        server_id: None,
        attachment,
        author: Default::default(),
        replaces: None,
        reply: None,
        unstyled: false,
    }
}

/// A 1600 × 1200 photo-like picture (gradients and a sun), different for each `seed`.
fn write_photo(path: &Path, seed: usize) -> Option<u64> {
    let hue = (seed * 47 % 360) as f32;
    let picture = image::RgbImage::from_fn(1600, 1200, |x, y| {
        let (fx, fy) = (x as f32 / 1600.0, y as f32 / 1200.0);
        let (cx, cy) = (0.3 + 0.4 * ((seed % 7) as f32 / 7.0), 0.35);
        let sun = ((fx - cx) * 1600.0).hypot((fy - cy) * 1200.0) < 100.0;
        if sun {
            return image::Rgb([255, 220, 120]);
        }
        let sky = fy < 0.6;
        let shade = if sky { 1.0 - fy } else { 0.5 + 0.5 * fy };
        let base = hue_rgb(if sky { hue } else { (hue + 120.0) % 360.0 });
        image::Rgb(base.map(|c| (c as f32 * shade) as u8))
    });
    picture.save(path).expect("photo written");
    std::fs::metadata(path).ok().map(|m| m.len())
}

fn hue_rgb(hue: f32) -> [u8; 3] {
    let x = 1.0 - ((hue / 60.0) % 2.0 - 1.0).abs();
    let (r, g, b) = match (hue / 60.0) as u32 {
        0 => (1.0, x, 0.0),
        1 => (x, 1.0, 0.0),
        2 => (0.0, 1.0, x),
        3 => (0.0, x, 1.0),
        4 => (x, 0.0, 1.0),
        _ => (1.0, 0.0, x),
    };
    [r, g, b].map(|c| (60.0 + 180.0 * c) as u8)
}

/// Wait until the window has spent no CPU for a second (at most a minute).
fn wait_quiet(app: &Child) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut last = support::process_cpu(app.id());
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_secs(1));
        let now = support::process_cpu(app.id());
        if now - last < 0.02 {
            return;
        }
        last = now;
    }
}
