//! A large roster, measured: time from starting the worker to a usable contact list with
//! 5,000 contacts served by Prosody, and the cost of filtering that list as the user types.
//! Prints figures; asserts nothing about them. Run: `cargo bench --bench roster`.

#[path = "../tests/support/mod.rs"]
mod support;

use confab::model::{AccountId, ConnectionState};
use confab::paths::Paths;
use confab::ui::sidebar;
use confab::worker::{self, Command, Event};
use std::time::{Duration, Instant};
use support::{DOMAIN, Kind, PASSWORD, Profile, Server};

const CONTACTS: usize = 5000;

fn main() {
    let mut groups = format!("[Everyone]\nalice@{DOMAIN}=Alice\n");
    for i in 0..CONTACTS {
        groups.push_str(&format!("user{i:04}@{DOMAIN}=Person {i:04}\n"));
    }
    let server = Server::start_with_groups(Kind::Prosody, &groups);
    server.register("alice", PASSWORD);
    let alice = Profile::new(&server, "alice", PASSWORD);

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (online, listed, contacts) = runtime.block_on(async {
        let started = Instant::now();
        let (handle, mut events) =
            worker::spawn(Paths::in_profile(alice.path()), AccountId(alice.jid.clone()));
        let mut online = None;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            match tokio::time::timeout_at(deadline, events.recv()).await {
                Ok(Some(Event::Connection(ConnectionState::Online))) => {
                    online = Some(started.elapsed())
                }
                Ok(Some(Event::Roster { contacts, from_server: true })) => {
                    let listed = started.elapsed();
                    let _ = handle.send(Command::Shutdown);
                    return (online.unwrap_or_default(), listed, contacts);
                }
                Ok(Some(_)) => {}
                _ => panic!("no roster within a minute"),
            }
        }
    });

    let mut list = sidebar::State::default();
    let shown = Instant::now();
    list.set_contacts(contacts.clone());
    let sort_and_group = shown.elapsed();

    let typed = "person 42";
    let mut per_key = Vec::new();
    for end in 1..=typed.len() {
        let start = Instant::now();
        list.update(sidebar::Message::Filter(typed[..end].to_owned()));
        per_key.push(start.elapsed());
    }
    let worst = per_key.iter().max().copied().unwrap_or_default();
    let mean = per_key.iter().sum::<Duration>() / per_key.len().max(1) as u32;

    println!("contacts received: {}", contacts.len());
    println!("worker start to online: {:.0} ms", online.as_secs_f64() * 1000.0);
    println!(
        "worker start to full roster stored and announced: {:.0} ms",
        listed.as_secs_f64() * 1000.0
    );
    println!(
        "sort and group {} contacts for the sidebar: {:.2} ms",
        contacts.len(),
        ms(sort_and_group)
    );
    println!(
        "filter as you type ({} keys): mean {:.2} ms, worst {:.2} ms",
        per_key.len(),
        ms(mean),
        ms(worst)
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
