//! `confab sync`: connect, send what waits in the outbox, take in the whole archive catch-up,
//! stay a while, disconnect cleanly.

use super::{Driver, SYNC_CONNECT_TIMEOUT, choose_account, connection_failure, open_store};
use crate::model::{ConnectionState, Delivery, Direction};
use crate::paths::Paths;
use crate::worker::Event;
use std::time::Duration;

/// The longest `sync` keeps catching up, however steadily pages come: a bound on the work one
/// run does (the next run goes on from where this one stopped).
const SYNC_CATCH_UP_LIMIT: Duration = Duration::from_secs(600);

pub(super) async fn sync(
    paths: Paths,
    account: Option<String>,
    wait: Duration,
) -> Result<(), String> {
    let account = choose_account(&paths, account)?;
    let store = open_store(&paths)?;
    let mut to_flush = store.outbox(&account).map_err(|e| store.locate(e).to_string())?.len();
    drop(store);
    let mut driver = Driver::start(paths, account.clone())?;
    let started = tokio::time::Instant::now();
    let mut connect_deadline = started + SYNC_CONNECT_TIMEOUT;
    let mut online = false;
    let mut roster_synced = false;
    // The lingering starts only once the archive catch-up is over: a sync that left while
    // pages were still coming took in only part of what waited (2,400 of a 3,000-message
    // flood after a crash), and the rest only on a second sync.
    let mut caught_up = false;
    let mut received = 0usize;
    let mut sent = 0usize;
    let mut linger_until: Option<tokio::time::Instant> = None;
    let outcome = loop {
        let deadline = linger_until.unwrap_or(connect_deadline);
        let Some(event) = driver.next(deadline).await else {
            break if linger_until.is_some() {
                Ok(())
            } else {
                Err("could not finish catching up in time".into())
            };
        };
        match event {
            Event::Connection(ConnectionState::Online) => online = true,
            Event::Connection(state) => {
                if let Some(reason) = connection_failure(&state) {
                    break Err(reason);
                }
            }
            // Messages that could not be stored stay in the server's archive for the next sync.
            Event::StoreFailed(why) => break Err(why),
            Event::Roster { from_server: true, .. } => roster_synced = true,
            Event::CatchUp { done: true, .. } => caught_up = true,
            // Each page taken in, and each queued message the server took, gives the next one
            // its own time, within the overall limit: a long outbox on a slow server is
            // progress, not a hang.
            Event::CatchUp { done: false, .. } => {
                connect_deadline = time_after_progress(started);
            }
            Event::Message(m) if m.direction == Direction::In => received += 1,
            Event::Delivery { state: Delivery::Sent, .. } => {
                sent += 1;
                to_flush = to_flush.saturating_sub(1);
                connect_deadline = time_after_progress(started);
            }
            _ => {}
        }
        if online && roster_synced && caught_up && to_flush == 0 && linger_until.is_none() {
            linger_until = Some(tokio::time::Instant::now() + wait);
        }
    };
    driver.finish().await;
    outcome?;
    eprintln!("{account}: {received} new message(s), {sent} queued message(s) sent");
    Ok(())
}

/// How long to wait for the next sign of progress: its own time, within the overall limit.
fn time_after_progress(started: tokio::time::Instant) -> tokio::time::Instant {
    (tokio::time::Instant::now() + SYNC_CONNECT_TIMEOUT).min(started + SYNC_CATCH_UP_LIMIT)
}
