//! Taking in a flood, measured against a local Prosody or ejabberd (`CONFAB_BENCH_SERVER`):
//! a peer sends `MESSAGES` (10,000 by default) while the receiver is offline, then the receiver catches up (offline storage and
//! archive); then a second flood arrives live. For each: wall time, messages per second, the
//! receiver's CPU seconds and peak memory (the receiver is `confab sync`, a child process).
//! Prints figures; asserts nothing about them.
//!
//! Run: `cargo bench --bench ingest` (`MESSAGES=2000` for a quicker run;
//! `CONFAB_BENCH_TRANSPORT=websocket` for the receiver over WebSocket).

#[path = "../tests/support/mod.rs"]
mod support;

use confab::model::ChatId;
use confab::paths::Paths;
use confab::store::Store;
use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};
use support::{PASSWORD, Profile, Server};

/// The longest any phase may take before the bench gives up and says so.
const PHASE_LIMIT: Duration = Duration::from_secs(300);

fn messages() -> usize {
    std::env::var("MESSAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000)
}

fn main() {
    let server = Server::start(support::bench_server());
    server.register("alice", PASSWORD);
    server.register("bob", PASSWORD);
    let alice = Profile::new(&server, "alice", PASSWORD);
    let bob = Profile::new(&server, "bob", PASSWORD);
    support::bench_transport(&alice, &server);
    alice.ok(&["sync", "--wait", "0"]);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");

    let sent = Instant::now();
    runtime.block_on(flood(&bob, &alice.jid, "offline"));
    println!(
        "{} messages sent while the receiver was offline in {:.1} s",
        messages(),
        sent.elapsed().as_secs_f64()
    );
    let catch_up = receive(&alice, &bob.jid, messages(), 0);
    report("catch-up (offline storage and archive)", &catch_up);

    // Live: the receiver is online and idle before the flood starts; only what it spends
    // while the flood comes in is counted.
    let mut receiver = spawn_sync(&alice, 600);
    std::thread::sleep(Duration::from_secs(3));
    let cpu_before = support::process_cpu(receiver.id());
    let started = Instant::now();
    let sender = std::thread::spawn({
        let runtime = std::sync::Arc::new(runtime);
        let (bob, to) = (bob.path().to_owned(), alice.jid.clone());
        move || runtime.block_on(flood_from(&bob, &to, "live"))
    });
    let (stored, seconds, peak_mib) =
        wait_stored_live(&alice, &bob.jid, messages(), 2 * messages(), started, receiver.id());
    let cpu = support::process_cpu(receiver.id()) - cpu_before;
    let _ = receiver.kill();
    let _ = receiver.wait();
    let _ = sender.join();
    report("live flood", &Figures { count: stored, seconds, cpu, peak_mib });
}

/// The live phase's count: messages stored beyond the `already` ones, until `expected` in
/// all; with the receiver's peak memory, sampled as it goes.
fn wait_stored_live(
    profile: &Profile,
    from: &str,
    already: usize,
    expected: usize,
    started: Instant,
    pid: u32,
) -> (usize, f64, f64) {
    let paths = Paths::in_profile(profile.path());
    let chat = ChatId(from.to_owned());
    let mut peak_kib = 0;
    let mut count = 0;
    while started.elapsed() < PHASE_LIMIT {
        peak_kib = peak_kib.max(peak_rss_kib(pid));
        if let Ok(store) = Store::open(&paths.database()) {
            count = store
                .history(&profile.jid, &chat, None, expected + 10)
                .map_or(0, |p| p.messages.len());
            if count >= expected {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    if count < expected {
        println!("gave up after {:?} with {count} of {expected} stored", PHASE_LIMIT);
    }
    (count.saturating_sub(already), started.elapsed().as_secs_f64(), peak_kib as f64 / 1024.0)
}

/// The highest resident memory a running process has reached (`VmHWM`), in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

struct Figures {
    count: usize,
    seconds: f64,
    cpu: f64,
    peak_mib: f64,
}

fn report(what: &str, f: &Figures) {
    println!(
        "{what}: {} messages stored in {:.2} s ({:.0}/s), receiver CPU {:.2} s, peak memory {:.1} MiB",
        f.count,
        f.seconds,
        f.count as f64 / f.seconds.max(0.001),
        f.cpu,
        f.peak_mib
    );
}

/// The peer sends `messages()` lines and waits until the server has them all.
async fn flood(from: &Profile, to: &str, tag: &str) {
    flood_from(from.path(), to, tag).await;
}

async fn flood_from(profile: &std::path::Path, to: &str, tag: &str) {
    support::send_many(profile, to, tag, messages(), PHASE_LIMIT).await;
}

/// `confab sync` takes in what waits; returns once `expected` messages are stored.
fn receive(profile: &Profile, from: &str, expected: usize, already: usize) -> Figures {
    let started = Instant::now();
    let mut child = spawn_sync(profile, 2);
    let (count, seconds) = wait_stored(profile, from, expected + already, started);
    let (cpu, peak_mib) = finish(&mut child);
    Figures { count: count - already, seconds, cpu, peak_mib }
}

fn spawn_sync(profile: &Profile, wait: u64) -> Child {
    Process::new(env!("CARGO_BIN_EXE_confab"))
        .arg("--profile")
        .arg(profile.path())
        .args(["sync", "--wait", &wait.to_string()])
        .env("CONFAB_PASSWORD_STORE", "file")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("confab runs")
}

/// Poll the receiver's store until it holds `expected` messages from `from`.
fn wait_stored(profile: &Profile, from: &str, expected: usize, started: Instant) -> (usize, f64) {
    let paths = Paths::in_profile(profile.path());
    let chat = ChatId(from.to_owned());
    let mut count = 0;
    while started.elapsed() < PHASE_LIMIT {
        if let Ok(store) = Store::open(&paths.database()) {
            count = store
                .history(&profile.jid, &chat, None, expected + 10)
                .map_or(0, |p| p.messages.len());
            if count >= expected {
                return (count, started.elapsed().as_secs_f64());
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    println!("gave up after {:?} with {count} of {expected} stored", PHASE_LIMIT);
    (count, started.elapsed().as_secs_f64())
}

/// Wait for the child and return its CPU seconds (from our children's totals) and the peak
/// resident memory it reached (sampled while it ran).
fn finish(child: &mut Child) -> (f64, f64) {
    let before = children_cpu();
    let mut peak_kib = 0u64;
    loop {
        peak_kib = peak_kib.max(peak_rss_kib(child.id()));
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    (children_cpu() - before, peak_kib as f64 / 1024.0)
}

/// User plus system CPU seconds of our waited-for children (`/proc/self/stat` fields 16–17).
fn children_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(13) + ticks(14)) / 100.0
}
