//! `confab retract JID MESSAGE-ID` and `confab moderate ROOM MESSAGE-ID [--reason TEXT]`: take
//! back one of our messages (XEP-0424), or as a room moderator remove someone's (XEP-0425).
//! MESSAGE-ID is the store's id, as `history --json` prints it. In a room the command waits
//! until the room is joined, since the room must relay it. A retraction made while the
//! account cannot go online (no server, a refused login) is still made: the message is deleted
//! here and the others are told on the next sync (the worker keeps it due in the store); the
//! command says so and fails, as `send` does for a message it could only queue.
//! `confab react JID MESSAGE-ID EMOJI...` sets our reactions on a message the same way
//! (XEP-0444).

use super::driver::{Driver, connection_failure};
use super::{SYNC_CONNECT_TIMEOUT, choose_account, open_store};
use crate::model::{ChatId, ConnectionState, RoomState, parse_bare_jid};
use crate::paths::Paths;
use crate::worker::{Command, Event};

/// How long the worker may take to answer a command given while the server is unreachable:
/// it only reads and writes the store.
const OFFLINE_ANSWER: std::time::Duration = std::time::Duration::from_secs(10);

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
    let kept_when_offline = matches!(command, Command::Retract { .. });
    let mut driver = Driver::start(paths, account)?;
    let mut deadline = tokio::time::Instant::now() + SYNC_CONNECT_TIMEOUT;
    let (mut online, mut ready, mut sent) = (false, !in_room, false);
    // Why the server could not be reached, once the command was given offline instead.
    let mut unreached: Option<String> = None;
    let outcome = loop {
        if online && ready && !sent {
            sent = true;
            if let Err(e) = driver.handle.send(command.clone()) {
                break Err(e);
            }
        }
        let failure = match driver.next(deadline).await {
            None if online && !ready => Some(format!("could not enter {chat} in time")),
            None => Some("the server did not answer in time".to_owned()),
            Some(Event::Connection(ConnectionState::Online)) => {
                online = true;
                None
            }
            // Given offline already: the worker's answer is awaited, not the server.
            Some(Event::Connection(_)) if unreached.is_some() => None,
            Some(Event::Connection(state)) => connection_failure(&state),
            Some(Event::Rooms(rooms)) if !ready => {
                match rooms.iter().find(|r| r.jid == chat).map(|r| &r.state) {
                    Some(RoomState::Joined) => ready = true,
                    Some(RoomState::Failed(why)) => break Err(format!("{chat}: {why}")),
                    _ => {}
                }
                None
            }
            Some(Event::Outcome(Ok(what))) if unreached.is_some() => {
                let reason = unreached.take().unwrap_or_default();
                break Err(format!("{what} (not online: {reason})"));
            }
            Some(Event::Outcome(result)) if sent => {
                break result.map(|what| eprintln!("Done: {what}."));
            }
            Some(_) => None,
        };
        let Some(reason) = failure else { continue };
        if !kept_when_offline || sent {
            break Err(reason);
        }
        sent = true;
        unreached = Some(reason);
        deadline = tokio::time::Instant::now() + OFFLINE_ANSWER;
        if let Err(e) = driver.handle.send(command.clone()) {
            break Err(e);
        }
    };
    driver.finish().await;
    outcome
}
