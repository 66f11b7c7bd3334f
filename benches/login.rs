//! How long a login takes over a slow link, classic SASL against SASL2 with Bind2, with the
//! password and with a FAST token: each run is `confab sync --wait 0` (start, log in, catch up,
//! end) through a loopback relay that delays every byte by half the round trip. The same work
//! follows every login, so the differences are the login's round trips. Prints figures;
//! asserts nothing about them.
//!
//! Run: `cargo bench --bench login` (needs Debian's Prosody and the Prosody 13 that
//! `tests/fetch-prosody-13.sh` unpacks). `RTT_MS=100` (the default) sets the round trip,
//! `RUNS=5` the runs per way (the median is printed).

#[path = "../tests/support/mod.rs"]
mod support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};
use support::{Kind, PASSWORD, Profile, Server, Setup};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let rtt = Duration::from_millis(env_number("RTT_MS", 100));
    let runs = env_number("RUNS", 5) as usize;
    let runtime = tokio::runtime::Runtime::new().expect("runtime");

    let classic = Server::start(Kind::Prosody);
    let modern =
        Server::start_with(Kind::Prosody, Setup { modern_login: true, ..Setup::default() });
    let classic_user = over_slow_link(&runtime, &classic, rtt);
    let modern_user = over_slow_link(&runtime, &modern, rtt);

    println!("login and catch-up over a {} ms round trip, median of {runs}:", rtt.as_millis());
    let sasl = median(runs, || timed_sync(&classic_user));
    println!("  SASL, restart, bind (Prosody 0.12): {sasl:.0} ms");
    let password = median(runs, || {
        let _ = std::fs::remove_file(token_file(&modern_user));
        timed_sync(&modern_user)
    });
    println!("  SASL2 and Bind2 with the password (Prosody 13): {password:.0} ms");
    timed_sync(&modern_user);
    let fast = median(runs, || timed_sync(&modern_user));
    println!("  SASL2 and Bind2 with a FAST token (Prosody 13): {fast:.0} ms");
    drop(runtime);
}

/// A user of `server` whose account goes through a relay delaying each way by `rtt / 2`.
fn over_slow_link(runtime: &tokio::runtime::Runtime, server: &Server, rtt: Duration) -> Profile {
    server.register("alice", PASSWORD);
    let target = SocketAddr::from(([127, 0, 0, 1], server.port));
    let relay = runtime.block_on(TcpListener::bind("127.0.0.1:0")).expect("relay listens");
    let port = relay.local_addr().expect("relay address").port().to_string();
    runtime.spawn(slow_relay(relay, target, rtt / 2));
    let profile = Profile::empty("alice");
    let ca = server.ca_file.display().to_string();
    let args = [
        "account",
        "add",
        profile.jid.as_str(),
        "--host",
        "127.0.0.1",
        "--port",
        &port,
        "--ca-file",
        &ca,
        "--password-stdin",
    ];
    let out = profile.run_with_stdin(&args, PASSWORD);
    assert!(out.status.success(), "{}", support::stderr(&out));
    profile
}

async fn slow_relay(listener: TcpListener, target: SocketAddr, delay: Duration) {
    while let Ok((inbound, _)) = listener.accept().await {
        let Ok(outbound) = TcpStream::connect(target).await else { continue };
        let (in_read, in_write) = inbound.into_split();
        let (out_read, out_write) = outbound.into_split();
        tokio::spawn(delayed(in_read, out_write, delay));
        tokio::spawn(delayed(out_read, in_write, delay));
    }
}

/// Copy `from` to `to`, each chunk leaving `delay` after it came: latency, not a slower line.
async fn delayed(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    delay: Duration,
) {
    let (chunks, mut queue) = tokio::sync::mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    tokio::spawn(async move {
        let mut buf = vec![0; 64 * 1024];
        while let Ok(n @ 1..) = from.read(&mut buf).await {
            if chunks.send((Instant::now(), buf[..n].to_vec())).is_err() {
                break;
            }
        }
    });
    while let Some((came, chunk)) = queue.recv().await {
        tokio::time::sleep_until((came + delay).into()).await;
        if to.write_all(&chunk).await.is_err() {
            break;
        }
    }
}

fn token_file(profile: &Profile) -> std::path::PathBuf {
    profile.path().join("config/passwords").join(format!("{}_FAST", profile.jid))
}

fn timed_sync(profile: &Profile) -> f64 {
    let started = Instant::now();
    profile.ok(&["sync", "--wait", "0"]);
    started.elapsed().as_secs_f64() * 1000.0
}

fn median(runs: usize, mut measure: impl FnMut() -> f64) -> f64 {
    let mut figures: Vec<f64> = (0..runs.max(1)).map(|_| measure()).collect();
    figures.sort_by(f64::total_cmp);
    figures[figures.len() / 2]
}
