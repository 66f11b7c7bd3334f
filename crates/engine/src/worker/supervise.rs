//! Keeps an account's worker alive through a panic. A bug reached by something a stranger sent
//! must not end the account for good: the session that panicked is dropped (its stream closes
//! with it, an open store transaction rolls back), the user is told, and a fresh session starts
//! after a pause and reconnects. Everything that must survive lives outside the session: the
//! outbox and history in the store, and the queue of commands here, so the window's handle
//! stays valid and commands sent meanwhile are carried out by the next session.
//!
//! This relies on panics unwinding, which is why no Cargo profile sets `panic = "abort"`.

use super::{Command, Event};
use crate::model::ConnectionState;
use futures::FutureExt;
use futures::future::BoxFuture;
use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// The pause before the first restart after a panic.
const RESTART_FIRST: Duration = Duration::from_secs(1);
/// Panics in a row double the pause up to this, so a session that panics at every start costs
/// one attempt a minute, not a busy loop.
const RESTART_MAX: Duration = Duration::from_secs(60);
/// A session that ran this long before panicking counts as a fresh start: the pause goes back
/// to [`RESTART_FIRST`].
const STEADY: Duration = Duration::from_secs(300);
/// How much of a panic's message the user is shown (it may quote what a stranger sent).
const SHOWN_MESSAGE: usize = 200;

/// An account's commands, kept across the sessions that run one after another.
pub(super) struct Inbox {
    commands: mpsc::Receiver<Command>,
    /// A command that arrived while waiting to restart, for the next session to take first.
    held: Option<Command>,
}

impl Inbox {
    pub(super) fn new(commands: mpsc::Receiver<Command>) -> Self {
        Self { commands, held: None }
    }

    /// The next command; `None` once every handle is gone. Cancel-safe, for `select!`.
    pub(super) async fn recv(&mut self) -> Option<Command> {
        match self.held.take() {
            Some(command) => Some(command),
            None => self.commands.recv().await,
        }
    }
}

/// Run `session` until it returns; each time it panics instead, report it on `events` and run
/// it again after a pause. A shutdown (or every handle dropped) during the pause ends it with
/// [`Event::Stopped`]; any other command ends the pause early and goes to the new session.
pub(super) async fn supervise<F>(
    mut inbox: Inbox,
    events: mpsc::UnboundedSender<Event>,
    mut session: F,
) where
    F: for<'a> FnMut(&'a mut Inbox) -> BoxFuture<'a, ()>,
{
    let mut pause = None;
    loop {
        let began = Instant::now();
        let Err(panic) = AssertUnwindSafe(session(&mut inbox)).catch_unwind().await else {
            return;
        };
        let pause = *pause.insert(next_pause(pause, began.elapsed()));
        let what = panic_message(panic.as_ref());
        tracing::error!("the account's session panicked and starts again: {what}");
        let _ = events.send(Event::Notice(format!(
            "Confab hit an internal error and reconnects the account ({what}); queued messages \
             are kept."
        )));
        let _ = events.send(Event::Connection(ConnectionState::Offline {
            reason: "internal error".into(),
            retry_in_secs: pause.as_secs(),
        }));
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            command = inbox.commands.recv() => match command {
                None | Some(Command::Shutdown) => {
                    let _ = events.send(Event::Stopped);
                    return;
                }
                Some(command) => inbox.held = Some(command),
            },
        }
    }
}

/// The pause after a panic: the first one, or one after a session that had been running
/// steadily, waits [`RESTART_FIRST`]; one soon after the last waits twice as long as before.
fn next_pause(previous: Option<Duration>, ran_for: Duration) -> Duration {
    match previous {
        Some(previous) if ran_for < STEADY => (previous * 2).min(RESTART_MAX),
        _ => RESTART_FIRST,
    }
}

/// A panic's message, shortened for showing: panics carry a `&str` or a `String`.
fn panic_message(panic: &(dyn Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message");
    text.chars().take(SHOWN_MESSAGE).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    const WITHIN: Duration = Duration::from_secs(10);

    fn send(body: &str) -> Command {
        Command::Send { to: "bob@example.org".into(), body: body.into() }
    }

    /// Gives a closure the session's higher-ranked signature (closures do not infer it alone).
    fn as_session<F>(session: F) -> F
    where
        F: for<'a> FnMut(&'a mut Inbox) -> BoxFuture<'a, ()>,
    {
        session
    }

    /// Runs the supervisor over `session`, with `commands` already queued.
    fn supervised<F>(
        commands: Vec<Command>,
        session: F,
    ) -> (tokio::task::JoinHandle<()>, mpsc::Sender<Command>, mpsc::UnboundedReceiver<Event>)
    where
        F: for<'a> FnMut(&'a mut Inbox) -> BoxFuture<'a, ()> + Send + 'static,
    {
        let (tx, rx) = mpsc::channel(16);
        for command in commands {
            tx.try_send(command).expect("queued");
        }
        let (events_tx, events) = mpsc::unbounded_channel();
        (tokio::spawn(supervise(Inbox::new(rx), events_tx, session)), tx, events)
    }

    #[tokio::test]
    async fn a_session_that_panics_is_started_again_and_keeps_the_queue() {
        let runs = Arc::new(Mutex::new(0));
        let handled = Arc::new(Mutex::new(Vec::new()));
        let session = {
            let (runs, handled) = (runs.clone(), handled.clone());
            as_session(move |inbox| {
                let (runs, handled) = (runs.clone(), handled.clone());
                Box::pin(async move {
                    let run = {
                        let mut runs = runs.lock().expect("runs");
                        *runs += 1;
                        *runs
                    };
                    while let Some(command) = inbox.recv().await {
                        if command == Command::Shutdown {
                            return;
                        }
                        assert!(run > 1, "a hostile stanza hit a bug");
                        handled.lock().expect("handled").push(command);
                    }
                })
            })
        };
        let (task, commands, mut events) =
            supervised(vec![send("poison"), send("after"), Command::Shutdown], session);
        tokio::time::timeout(WITHIN, task).await.expect("ends").expect("no panic escapes");

        assert_eq!(*runs.lock().expect("runs"), 2, "started again once");
        assert_eq!(*handled.lock().expect("handled"), vec![send("after")]);
        let mut seen = Vec::new();
        while let Ok(event) = events.try_recv() {
            seen.push(event);
        }
        assert!(
            matches!(&seen[..], [Event::Notice(n), Event::Connection(ConnectionState::Offline { .. })]
                if n.contains("a hostile stanza hit a bug")),
            "{seen:?}"
        );
        assert!(commands.send(send("late")).await.is_err(), "the worker has ended");
    }

    #[tokio::test]
    async fn shutdown_while_waiting_to_restart_ends_the_worker() {
        let runs = Arc::new(Mutex::new(0));
        let session = {
            let runs = runs.clone();
            as_session(move |_| {
                *runs.lock().expect("runs") += 1;
                Box::pin(async { panic!("fails at every start") })
            })
        };
        let (task, _commands, mut events) = supervised(vec![Command::Shutdown], session);
        tokio::time::timeout(RESTART_FIRST / 2, task)
            .await
            .expect("no pause before stopping")
            .expect("no panic escapes");
        assert_eq!(*runs.lock().expect("runs"), 1);
        let mut last = None;
        while let Ok(event) = events.try_recv() {
            last = Some(event);
        }
        assert!(matches!(last, Some(Event::Stopped)), "{last:?}");
    }

    #[test]
    fn panics_in_a_row_wait_longer_up_to_a_minute() {
        let quick = Duration::from_millis(10);
        let mut pause = None;
        let mut pauses = Vec::new();
        for _ in 0..9 {
            let next = next_pause(pause, quick);
            pauses.push(next.as_secs());
            pause = Some(next);
        }
        assert_eq!(pauses, vec![1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(next_pause(pause, STEADY), RESTART_FIRST, "a steady run starts afresh");
    }

    #[test]
    fn a_long_panic_message_is_cut_for_showing() {
        let long: Box<dyn Any + Send> = Box::new("é".repeat(10_000));
        assert_eq!(panic_message(long.as_ref()).chars().count(), SHOWN_MESSAGE);
        let none: Box<dyn Any + Send> = Box::new(42);
        assert_eq!(panic_message(none.as_ref()), "no message");
    }
}
