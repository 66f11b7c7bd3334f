//! Coming back to a room in which `MESSAGES` lines (1,000 by default) were said while we were
//! away, measured against a local Prosody or ejabberd (`CONFAB_BENCH_SERVER`): from starting
//! the worker to online, to in the room with its newest lines (the room's history on join,
//! which fills the window first), and to every line said while away stored (the room's
//! archive caught up, `session::room_catch_up`), with the CPU time this process spent.
//! Prints figures; asserts nothing about them.
//!
//! Run: `cargo bench --bench room_catch_up`.

#[path = "../tests/support/mod.rs"]
mod support;

use confab::model::{AccountId, ChatId, ConnectionState, RoomState};
use confab::paths::Paths;
use confab::worker::{self, Command, Event};
use std::collections::HashSet;
use std::time::{Duration, Instant};
use support::chat::{create, join_as, line, shut_down, store};
use support::{PASSWORD, Profile, ROOMS, Server};

fn messages() -> usize {
    std::env::var("MESSAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(1000)
}

fn main() {
    let (kind, setup) = support::bench_server_setup();
    let server = Server::start_with(kind, setup);
    for user in ["alice", "bob"] {
        server.register(user, PASSWORD);
    }
    let alice = Profile::new(&server, "alice", PASSWORD);
    let bob = Profile::new(&server, "bob", PASSWORD);
    support::bench_transport(&alice, &server);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(&alice, &bob));
}

async fn run(alice: &Profile, bob: &Profile) {
    let room = format!("tea@{ROOMS}");
    let count = messages();
    let (handle, mut events) = support::online(alice).await;
    create(&handle, &mut events, &room).await;
    handle.send(Command::Send { to: room.clone(), body: "before the break".into() }).expect("sent");
    line(&mut events, "before the break").await;
    // The room's reflection gives our line the room's id, where the catch-up starts.
    tokio::time::sleep(Duration::from_secs(1)).await;
    shut_down(handle, events).await;

    let (bob_handle, mut bob_events) = support::online(bob).await;
    join_as(&bob_handle, &mut bob_events, &room, "bob").await;
    let sending = Instant::now();
    for i in 0..count {
        let body = format!("while away {i:05}");
        bob_handle.send(Command::Send { to: room.clone(), body }).expect("sent");
    }
    support::all_sent(&mut bob_events, count, "bob").await;
    passed_on(bob, &room).await;
    println!("{count} lines said in the room in {:.1} s", sending.elapsed().as_secs_f64());

    let cpu_before = support::process_cpu(std::process::id());
    let started = Instant::now();
    let (handle, mut events) =
        worker::spawn(Paths::in_profile(alice.path()), AccountId(alice.jid.clone()));
    let (mut online, mut joined, mut newest, mut first) = (None, None, None, None);
    let mut stored = HashSet::new();
    // When each hundredth line was stored: how the catch-up's pages came.
    let mut pages = Vec::new();
    let newest_body = format!("while away {:05}", count - 1);
    let give_up = tokio::time::Instant::now() + Duration::from_secs(120);
    while stored.len() < count {
        let Ok(Some(event)) = tokio::time::timeout_at(give_up, events.recv()).await else {
            println!("gave up after 120 s with {} of {count} lines", stored.len());
            break;
        };
        match event {
            Event::Connection(ConnectionState::Online) => {
                online = online.or(Some(started.elapsed()))
            }
            Event::Rooms(rooms)
                if rooms.iter().any(|r| r.jid == room && r.state == RoomState::Joined) =>
            {
                joined = joined.or(Some(started.elapsed()));
            }
            Event::Message(m) if m.chat.as_str() == room && m.body.starts_with("while away") => {
                first = first.or(Some(started.elapsed()));
                if m.body == newest_body {
                    newest = newest.or(Some(started.elapsed()));
                }
                if stored.insert(m.id) && stored.len().is_multiple_of(100) {
                    pages.push(started.elapsed().as_millis());
                }
            }
            _ => {}
        }
    }
    let all = started.elapsed();
    let cpu = support::process_cpu(std::process::id()) - cpu_before;
    let ms =
        |at: Option<Duration>| at.map_or("never".to_owned(), |at| format!("{} ms", at.as_millis()));
    println!(
        "back after {count} lines: online {}, in the room {}, first line {}, the newest line {}, \
         all {} stored in {} ms; {cpu:.2} CPU-s",
        ms(online),
        ms(joined),
        ms(first),
        ms(newest),
        stored.len(),
        all.as_millis()
    );
    let catch_up = joined.map(|joined| all.saturating_sub(joined));
    println!("the catch-up from in the room to every line stored: {}", ms(catch_up));
    println!("each hundredth line stored at (ms): {pages:?}");
    shut_down(handle, events).await;
}

/// Wait until the room has passed on `profile`'s last line (its copy came back with the room's
/// id). The server acknowledged every line long before: ejabberd's room then still archives
/// and passes them on one by one, and a rejoin sent meanwhile would be measured queueing
/// behind them.
async fn passed_on(profile: &Profile, room: &str) {
    let store = store(profile);
    let chat = ChatId(room.to_owned());
    let give_up = Instant::now() + Duration::from_secs(120);
    while Instant::now() < give_up {
        let last = store
            .history(&profile.jid, &chat, None, 1)
            .ok()
            .and_then(|mut page| page.messages.pop());
        if last.is_some_and(|m| store.server_id(m.id).ok().flatten().is_some()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!("the room never passed on the last line");
}
