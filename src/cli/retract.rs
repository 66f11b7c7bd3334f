//! `confab retract JID MESSAGE-ID` and `confab moderate ROOM MESSAGE-ID [--reason TEXT]`: take
//! back one of our messages (XEP-0424), or as a room moderator remove someone's (XEP-0425).
//! MESSAGE-ID is the store's id, as `history --json` prints it. In a room the command waits
//! until the room is joined, since the room must relay it. `confab react JID MESSAGE-ID
//! EMOJI...` sets our reactions on a message the same way (XEP-0444).

use super::driver::{Driver, connection_failure};
use super::{SYNC_CONNECT_TIMEOUT, choose_account, open_store};
use crate::model::{ChatId, ConnectionState, RoomState, parse_bare_jid};
use crate::paths::Paths;
use crate::worker::{Command, Event};

/// Take back our message `message_id` in the conversation with `jid`.
pub(super) async fn retract(
    paths: Paths,
    account: Option<String>,
    jid: String,
    message_id: i64,
) -> Result<(), String> {
    let chat = ChatId(parse_bare_jid(&jid)?);
    let command = Command::Retract { chat: chat.clone(), message_id };
    run(paths, account, chat.as_str(), command).await
}

/// Set our reactions on message `message_id` in the conversation with `jid` to `emojis`
/// (none takes ours back).
pub(super) async fn react(
    paths: Paths,
    account: Option<String>,
    jid: String,
    message_id: i64,
    emojis: Vec<String>,
) -> Result<(), String> {
    let chat = ChatId(parse_bare_jid(&jid)?);
    let command = Command::React { chat: chat.clone(), message_id, emojis };
    run(paths, account, chat.as_str(), command).await
}

/// Ask `room` to remove its line `message_id`, with `reason` shown to everyone.
pub(super) async fn moderate(
    paths: Paths,
    account: Option<String>,
    room: String,
    message_id: i64,
    reason: Option<String>,
) -> Result<(), String> {
    let room = parse_bare_jid(&room)?;
    let command = Command::Moderate { room: room.clone(), message_id, reason };
    run(paths, account, &room, command).await
}

/// Connect, wait until `chat` can be written to (a room joined), give the command and report
/// the worker's outcome.
async fn run(
    paths: Paths,
    account: Option<String>,
    chat: &str,
    command: Command,
) -> Result<(), String> {
    let account = choose_account(&paths, account)?;
    let store = open_store(&paths)?;
    let rooms = store.rooms(&account).map_err(|e| store.locate(e).to_string())?;
    drop(store);
    let in_room = rooms.iter().any(|r| r.jid == chat);
    let mut driver = Driver::start(paths, account)?;
    let deadline = tokio::time::Instant::now() + SYNC_CONNECT_TIMEOUT;
    let (mut online, mut ready, mut sent) = (false, !in_room, false);
    let outcome = loop {
        if online && ready && !sent {
            sent = true;
            if let Err(e) = driver.handle.send(command.clone()) {
                break Err(e);
            }
        }
        let Some(event) = driver.next(deadline).await else {
            break Err(if online && !ready {
                format!("could not enter {chat} in time")
            } else {
                "the server did not answer in time".to_owned()
            });
        };
        match event {
            Event::Connection(ConnectionState::Online) => online = true,
            Event::Connection(state) => {
                if let Some(reason) = connection_failure(&state) {
                    break Err(reason);
                }
            }
            Event::Rooms(rooms) if !ready => {
                match rooms.iter().find(|r| r.jid == chat).map(|r| &r.state) {
                    Some(RoomState::Joined) => ready = true,
                    Some(RoomState::Failed(why)) => break Err(format!("{chat}: {why}")),
                    _ => {}
                }
            }
            Event::Outcome(result) if sent => {
                break result.map(|what| eprintln!("Done: {what}."));
            }
            _ => {}
        }
    };
    driver.finish().await;
    outcome
}
