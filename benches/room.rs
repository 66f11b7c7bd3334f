//! Joining a big room, measured against a local Prosody or ejabberd (`CONFAB_BENCH_SERVER`):
//! a room with `CROWD` occupants (1,000 by default, each its own account signed up in-band)
//! and 1,000 archived messages. Prints how long a newcomer's worker takes from "join" to being
//! in (all occupant presences taken in), to the full occupant list, and to the room's history
//! stored; the CPU time and memory the join cost this process. Prints figures; asserts
//! nothing about them.
//!
//! Run: `cargo bench --bench room` (`CROWD=200` for a quicker run;
//! `CONFAB_BENCH_TRANSPORT=websocket` for the newcomer over WebSocket).

#[path = "../tests/support/mod.rs"]
mod support;

use confab::model::{AccountId, ConnectionState, RoomPreset, RoomState};
use confab::paths::Paths;
use confab::worker::{self, Command, Event, RoomCommand};
use std::time::{Duration, Instant};
use support::{PASSWORD, Profile, ROOMS, Server};
use tokio::sync::mpsc::UnboundedReceiver;

const MESSAGES: usize = 1000;
/// The room's history has arrived when nothing more comes for this long after the last line.
const QUIET: Duration = Duration::from_millis(300);
/// Logins in flight at once while the crowd gathers.
const GATHER_AT_ONCE: usize = 50;

fn crowd() -> usize {
    std::env::var("CROWD").ok().and_then(|v| v.parse().ok()).unwrap_or(1000)
}

/// Sign-ups running at once while the crowd's accounts are made.
const SIGN_UPS_AT_ONCE: usize = 8;

fn main() {
    let server = Server::start(support::bench_server());
    for user in ["owner", "alice"] {
        server.register(user, PASSWORD);
    }
    let owner = Profile::new(&server, "owner", PASSWORD);
    let alice = Profile::new(&server, "alice", PASSWORD);
    support::bench_transport(&alice, &server);
    let started = Instant::now();
    let crowd = sign_up(&server);
    println!("{} accounts signed up in {:.1} s", crowd.len(), started.elapsed().as_secs_f64());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(owner, alice, crowd));
}

/// One account per occupant (XEP-0077 through `confab account register`), a few at a time.
fn sign_up(server: &Server) -> Vec<Profile> {
    let names: Vec<String> = (0..crowd()).map(|i| format!("guest{i}")).collect();
    let chunks: Vec<&[String]> = names.chunks(names.len().div_ceil(SIGN_UPS_AT_ONCE)).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|name| {
                            let profile = Profile::empty(name);
                            let out = profile.account(server, "register", PASSWORD, &[]);
                            assert!(out.status.success(), "{name} could not sign up");
                            profile
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().expect("sign-ups")).collect()
    })
}

async fn run(owner: Profile, alice: Profile, guests: Vec<Profile>) {
    let room = format!("big@{ROOMS}");

    let (owner_worker, mut owner_events) =
        online(&owner.jid, Paths::in_profile(owner.path())).await;
    let preset = RoomPreset::Public { moderated: false };
    owner_worker
        .send(Command::Room(RoomCommand::Create { room: room.clone(), preset, name: None }))
        .expect("create");
    until(&mut owner_events, |e| matches!(e, Event::Outcome(Ok(w)) if w.starts_with("created")))
        .await;
    let started = Instant::now();
    for i in 0..MESSAGES {
        let body = format!("archived message {i}");
        owner_worker.send(Command::Send { to: room.clone(), body }).expect("send");
    }
    let mut acked = 0;
    while acked < MESSAGES {
        until(&mut owner_events, |e| matches!(e, Event::Delivery { .. })).await;
        acked += 1;
    }
    println!("{MESSAGES} messages sent to the room in {:.1} s", started.elapsed().as_secs_f64());

    let gathered = Instant::now();
    let present = gather(&guests, &room).await;
    println!("{present} occupants gathered in {:.1} s", gathered.elapsed().as_secs_f64());

    let (alice_worker, mut alice_events) =
        online(&alice.jid, Paths::in_profile(alice.path())).await;
    let (cpu_before, rss_before) = (cpu_seconds(), rss_mib());
    let asked = Instant::now();
    let join =
        RoomCommand::Join { room: room.clone(), nick: Some("newcomer".into()), password: None };
    alice_worker.send(Command::Room(join)).expect("join");
    let mut joined = None;
    let mut listed = None;
    let mut lines = 0usize;
    // The crowd that made it in, the owner, and the newcomer.
    let expected = present + 2;
    let mut most_listed = 0;
    let mut nicks = std::collections::HashSet::new();
    let give_up = tokio::time::Instant::now() + Duration::from_secs(120);
    let mut last_line = None;
    loop {
        let done = joined.is_some() && listed.is_some();
        let wait = if done { tokio::time::Instant::now() + QUIET } else { give_up };
        let Ok(Some(event)) = tokio::time::timeout_at(wait.min(give_up), alice_events.recv()).await
        else {
            if done {
                break;
            }
            println!(
                "gave up after 120 s: joined {joined:?}, at most {most_listed} occupants listed, {lines} history lines"
            );
            break;
        };
        match event {
            Event::Rooms(rooms)
                if joined.is_none()
                    && rooms.iter().any(|r| r.jid == room && r.state == RoomState::Joined) =>
            {
                joined = Some(asked.elapsed());
            }
            Event::Occupants { present, gone, replace, .. } => {
                if replace {
                    nicks.clear();
                }
                for nick in gone {
                    nicks.remove(&nick);
                }
                nicks.extend(present.into_iter().map(|o| o.nick));
                most_listed = most_listed.max(nicks.len());
                if nicks.len() >= expected {
                    listed.get_or_insert(asked.elapsed());
                }
            }
            Event::Message(message) if message.body.starts_with("archived message") => {
                lines += 1;
                last_line = Some(asked.elapsed());
            }
            _ => {}
        }
    }
    let usable = last_line.max(listed);
    let (cpu, rss) = (cpu_seconds() - cpu_before, rss_mib() - rss_before);
    let ms = |d: Option<Duration>| d.map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0);
    println!("join → in the room: {:.0} ms", ms(joined));
    println!("join → all {expected} occupants listed: {:.0} ms", ms(listed));
    println!("join → {lines} history lines stored (room usable): {:.0} ms", ms(usable));
    println!("CPU time of this process during the join: {cpu:.2} s (the crowd's workers included)");
    println!("resident memory grew by {rss:.1} MiB during the join");
}

async fn online(jid: &str, paths: Paths) -> (worker::Handle, UnboundedReceiver<Event>) {
    let (handle, mut events) = worker::spawn(paths, AccountId(jid.to_owned()));
    until(&mut events, |e| matches!(e, Event::Connection(ConnectionState::Online))).await;
    (handle, events)
}

async fn until(events: &mut UnboundedReceiver<Event>, mut wanted: impl FnMut(&Event) -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Some(event)) if wanted(&event) => return,
            Ok(Some(_)) => {}
            _ => panic!("the expected event did not come"),
        }
    }
}

/// Every occupant's worker in the room; returns how many made it in.
async fn gather(crowd: &[Profile], room: &str) -> usize {
    let mut joined = tokio::task::JoinSet::new();
    let mut present = 0;
    for (i, profile) in crowd.iter().enumerate() {
        let (jid, paths, room) =
            (profile.jid.clone(), Paths::in_profile(profile.path()), room.to_owned());
        joined.spawn(async move {
            let (handle, mut events) = online(&jid, paths).await;
            let join = RoomCommand::Join { room: room.clone(), nick: Some(format!("guest-{i}")), password: None };
            handle.send(Command::Room(join)).expect("join");
            let inside = |e: &Event| {
                matches!(e, Event::Rooms(rooms) if rooms.iter().any(|r| r.jid == room && r.state == RoomState::Joined))
            };
            let deadline = tokio::time::Instant::now() + Duration::from_secs(300);
            let mut joined = false;
            while let Ok(Some(event)) = tokio::time::timeout_at(deadline, events.recv()).await {
                if inside(&event) {
                    joined = true;
                    break;
                }
            }
            // Keep the worker and keep its events flowing for the rest of the run.
            tokio::spawn(async move {
                let _handle = handle;
                while events.recv().await.is_some() {}
            });
            joined
        });
        if joined.len() >= GATHER_AT_ONCE
            && let Some(Ok(true)) = joined.join_next().await
        {
            present += 1;
        }
    }
    while let Some(result) = joined.join_next().await {
        present += usize::from(matches!(result, Ok(true)));
    }
    present
}

/// User plus system CPU seconds of this process (Linux `/proc/self/stat`, 100 ticks a second).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}
