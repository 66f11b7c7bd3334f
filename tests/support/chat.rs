//! Steps the conversation tests share: accounts on a server, lines as the worker tells them,
//! a profile's store, and rooms created and joined through the worker.

use super::{PASSWORD, Profile, Server, WAIT, wait_for};
use confab::model::{Delivery, Message, RoomPreset, RoomState};
use confab::paths::Paths;
use confab::worker::{Command, Event, Handle, RoomCommand};
use tokio::sync::mpsc::UnboundedReceiver;

pub type Events = UnboundedReceiver<Event>;

/// Accounts `names` on `server`, each with a profile of its own.
pub fn register(server: &Server, names: &[&str]) -> Vec<Profile> {
    names
        .iter()
        .map(|name| {
            server.register(name, PASSWORD);
            Profile::new(server, name, PASSWORD)
        })
        .collect()
}

/// The next line the worker tells of whose words are `body`.
pub async fn line(events: &mut Events, body: &str) -> Message {
    match wait_for(events, WAIT, body, |e| matches!(e, Event::Message(m) if m.body == body)).await {
        Event::Message(message) => message,
        _ => unreachable!(),
    }
}

/// Send `body` to `to` and wait until the server has it: the stored line.
pub async fn sent(handle: &Handle, events: &mut Events, to: &str, body: &str) -> Message {
    handle.send(Command::Send { to: to.to_owned(), body: body.to_owned() }).expect("sent");
    let mine = line(events, body).await;
    wait_for(events, WAIT, "the server's ack", |e| {
        matches!(e, Event::Delivery { message_id, state: Delivery::Sent, .. } if *message_id == mine.id)
    })
    .await;
    mine
}

/// The profile's store, opened beside its worker.
pub fn store(profile: &Profile) -> confab::store::Store {
    let database = Paths::in_profile(profile.path()).database();
    confab::store::Store::open(&database).expect("store")
}

/// Create the public room `jid` and wait until the worker says so.
pub async fn create(handle: &Handle, events: &mut Events, jid: &str) {
    create_room(handle, events, jid, RoomPreset::Public { moderated: false }).await;
}

/// Create the room `jid` as `preset` says and wait until the worker says so.
pub async fn create_room(handle: &Handle, events: &mut Events, jid: &str, preset: RoomPreset) {
    let create = RoomCommand::Create { room: jid.into(), preset, name: None };
    handle.send(Command::Room(create)).expect("command taken");
    wait_for(
        events,
        WAIT,
        "the room created",
        |e| matches!(e, Event::Outcome(Ok(what)) if what.starts_with("created")),
    )
    .await;
}

/// Join `jid` as `nick` and wait until in.
pub async fn join_as(handle: &Handle, events: &mut Events, jid: &str, nick: &str) {
    let join = RoomCommand::Join { room: jid.into(), nick: Some(nick.into()), password: None };
    handle.send(Command::Room(join)).expect("command taken");
    wait_for(events, WAIT, &format!("being in {jid}"), |e| {
        matches!(e, Event::Rooms(rooms) if rooms.iter().any(|r| r.jid == jid && r.state == RoomState::Joined))
    })
    .await;
}

/// Stop a worker and wait until it has stored everything and closed.
pub async fn shut_down(handle: Handle, mut events: Events) {
    handle.send(Command::Shutdown).expect("sent");
    while events.recv().await.is_some() {}
}

/// The public room `jid` created by the first of `users` and joined by the others under their
/// user names: each one's worker and events, in the order given.
pub async fn gathered(users: &[Profile], jid: &str) -> Vec<(Handle, Events)> {
    let mut workers = Vec::with_capacity(users.len());
    for (i, user) in users.iter().enumerate() {
        let (handle, mut events) = super::online(user).await;
        if i == 0 {
            create(&handle, &mut events, jid).await;
        } else {
            let nick = user.jid.split('@').next().unwrap_or(&user.jid);
            join_as(&handle, &mut events, jid, nick).await;
        }
        workers.push((handle, events));
    }
    workers
}
