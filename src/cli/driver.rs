//! A worker driven from the command line: started for one account, given commands once
//! online, its events read until the answer comes, and shut down cleanly.

use super::{SYNC_CONNECT_TIMEOUT, choose_account, open_store};
use crate::model::ConnectionState;
use crate::paths::Paths;
use crate::worker::{self, Command, Event};
use std::time::Duration;
use tokio::sync::mpsc;

/// A running worker, driven from the command line.
pub(super) struct Driver {
    pub(super) handle: worker::Handle,
    events: mpsc::UnboundedReceiver<Event>,
}

impl Driver {
    /// The store is opened here first, so a database Confab cannot use ends the command with
    /// its own message instead of a timeout.
    pub(super) fn start(paths: Paths, account: String) -> Result<Self, String> {
        open_store(&paths)?;
        let (handle, events) = worker::spawn(paths, crate::model::AccountId(account));
        Ok(Self { handle, events })
    }

    pub(super) async fn next(&mut self, until: tokio::time::Instant) -> Option<Event> {
        tokio::time::timeout_at(until, self.events.recv()).await.ok().flatten()
    }

    /// Close the stream cleanly and wait for the worker to end.
    pub(super) async fn finish(mut self) {
        if self.handle.send(Command::Shutdown).is_ok() {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
            while let Some(event) = self.next(deadline).await {
                if matches!(event, Event::Stopped) {
                    break;
                }
            }
        }
    }
}

/// A connection state that ends a command-line attempt, as a message for the user.
pub(super) fn connection_failure(state: &ConnectionState) -> Option<String> {
    match state {
        ConnectionState::Offline { reason, .. } => Some(reason.clone()),
        ConnectionState::Failed(error) => Some(error.to_string()),
        _ => None,
    }
}

/// Connect, give the worker `command`, and report its outcome.
pub(super) async fn act(
    paths: Paths,
    account: Option<String>,
    command: Command,
) -> Result<(), String> {
    let account = choose_account(&paths, account)?;
    act_until(paths, account, command, |event| match event {
        Event::Outcome(result) => Some(result.map(|what| eprintln!("Done: {what}."))),
        _ => None,
    })
    .await
}

/// Connect, give the worker `command` once online, and wait until `done` recognises the
/// answer among the worker's events.
pub(super) async fn act_until(
    paths: Paths,
    account: String,
    command: Command,
    mut done: impl FnMut(Event) -> Option<Result<(), String>>,
) -> Result<(), String> {
    let mut driver = Driver::start(paths, account)?;
    let deadline = tokio::time::Instant::now() + SYNC_CONNECT_TIMEOUT;
    let mut sent = false;
    let outcome = loop {
        let Some(event) = driver.next(deadline).await else {
            break Err("the server did not answer in time".to_owned());
        };
        match event {
            Event::Connection(ConnectionState::Online) if !sent => {
                sent = true;
                if let Err(e) = driver.handle.send(command.clone()) {
                    break Err(e);
                }
            }
            Event::Connection(state) => {
                if let Some(reason) = connection_failure(&state) {
                    break Err(reason);
                }
            }
            event if sent => {
                if let Some(result) = done(event) {
                    break result;
                }
            }
            _ => {}
        }
    };
    driver.finish().await;
    outcome
}
