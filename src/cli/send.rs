//! `send`, `reply` and `download`: connect, hand the worker one message, reply or file, and
//! wait until the server has it (or the file is here), with upload and download progress on a
//! terminal.

use super::{Driver, SEND_TIMEOUT, choose_account, connection_failure};
use crate::media::safe_file_name;
use crate::model::parse_bare_jid;
use crate::model::{ChatId, Delivery, Direction, Message, Transfer, format_size};
use crate::paths::Paths;
use crate::worker::{Command, Event};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// What `send` sends.
pub enum Outgoing {
    Text(String),
    File(PathBuf),
    /// An answer to message `message_id` (the store's id) in the conversation (XEP-0461).
    Reply {
        message_id: i64,
        body: String,
    },
}

impl Outgoing {
    fn command(&self, to: String) -> Command {
        match self {
            Self::Text(body) => Command::Send { to, body: body.clone() },
            Self::File(path) => Command::SendFile { to, path: path.clone() },
            Self::Reply { message_id, body } => {
                Command::Reply { chat: ChatId(to), message_id: *message_id, body: body.clone() }
            }
        }
    }

    /// Whether the worker's new message is the one we asked for.
    fn is(&self, message: &Message) -> bool {
        if message.direction != Direction::Out {
            return false;
        }
        match self {
            Self::Text(body) | Self::Reply { body, .. } => message.body == *body,
            Self::File(path) => message.attachment.as_ref().is_some_and(|a| {
                a.url.is_none()
                    && a.name
                        == safe_file_name(&path.file_name().unwrap_or_default().to_string_lossy())
            }),
        }
    }
}

/// Progress on standard error, rewritten in place, when it is a terminal.
struct ProgressLine {
    shown: bool,
}

impl ProgressLine {
    fn new() -> Self {
        Self { shown: false }
    }

    fn show(&mut self, verb: &str, done: u64, total: Option<u64>) {
        let mut stderr = std::io::stderr();
        if !stderr.is_terminal() {
            return;
        }
        let text = match total {
            Some(total) if total > 0 => {
                format!(
                    "{verb} {}% ({} of {})",
                    done * 100 / total,
                    format_size(done),
                    format_size(total)
                )
            }
            _ => format!("{verb} {}", format_size(done)),
        };
        let _ = write!(stderr, "\r{text}\x1b[K");
        let _ = stderr.flush();
        self.shown = true;
    }

    fn end(&mut self) {
        if std::mem::take(&mut self.shown) {
            eprintln!();
        }
    }
}

pub async fn send(
    paths: Paths,
    account: Option<String>,
    jid: String,
    outgoing: Outgoing,
) -> Result<(), String> {
    let account = choose_account(&paths, account)?;
    let to = parse_bare_jid(&jid)?;
    let mut driver = Driver::start(paths, account)?;
    driver.handle.send(outgoing.command(to))?;
    let mut deadline = tokio::time::Instant::now() + SEND_TIMEOUT;
    let mut queued: Option<i64> = None;
    let mut progress = ProgressLine::new();
    // A connection failure can be reported before the worker has stored the message; the
    // answer waits until it has, so the user learns that the message is kept.
    let mut failure: Option<String> = None;
    let outcome = loop {
        let Some(event) = driver.next(deadline).await else {
            break Err(failure.unwrap_or_else(|| "the server did not acknowledge in time".into()));
        };
        match event {
            Event::Message(m) if queued.is_none() && outgoing.is(&m) => {
                queued = Some(m.id);
                if let Some(reason) = failure.take() {
                    break Err(reason);
                }
            }
            Event::Transfer { message_id, transfer: Transfer::Running { done, total }, .. }
                if Some(message_id) == queued =>
            {
                // A moving upload may take longer than a message; a stalled one gives up.
                deadline = tokio::time::Instant::now() + SEND_TIMEOUT;
                progress.show("Uploading", done, total);
            }
            Event::Delivery { message_id, state: Delivery::Failed(reason), .. }
                if Some(message_id) == queued =>
            {
                progress.end();
                driver.finish().await;
                return Err(format!("not sent: {reason}"));
            }
            Event::Delivery { message_id, state, .. }
                if Some(message_id) == queued && state != Delivery::Pending =>
            {
                break Ok(());
            }
            Event::Connection(state) => match connection_failure(&state) {
                Some(reason) if queued.is_some() => break Err(reason),
                Some(reason) => failure = Some(reason),
                None => {}
            },
            Event::Notice(notice) | Event::Outcome(Err(notice)) if queued.is_none() => {
                break Err(notice);
            }
            Event::StoreFailed(why) => break Err(why),
            _ => {}
        }
    };
    progress.end();
    driver.finish().await;
    outcome.map_err(|reason| match queued {
        Some(_) => format!(
            "not sent yet ({reason}); the message stays queued and goes out on the next sync"
        ),
        None => reason,
    })
}

/// Fetch a message's file into the cache and print where it is.
pub async fn download(
    paths: Paths,
    account: Option<String>,
    message_id: i64,
) -> Result<(), String> {
    let account = choose_account(&paths, account)?;
    let mut driver = Driver::start(paths, account)?;
    driver.handle.send(Command::Download { message_id })?;
    let mut deadline = tokio::time::Instant::now() + SEND_TIMEOUT;
    let mut progress = ProgressLine::new();
    let outcome = loop {
        let Some(event) = driver.next(deadline).await else {
            break Err("the download did not finish in time".to_owned());
        };
        match event {
            Event::Transfer { message_id: id, transfer, .. } if id == message_id => {
                match transfer {
                    Transfer::Running { done, total } => {
                        deadline = tokio::time::Instant::now() + SEND_TIMEOUT;
                        progress.show("Downloading", done, total);
                    }
                    Transfer::Done(attachment) => match attachment.local {
                        Some(path) => break Ok(path),
                        None => break Err("the download left no file".to_owned()),
                    },
                    Transfer::Failed(why) => break Err(why),
                    Transfer::Cancelled => break Err("the download was cancelled".to_owned()),
                }
            }
            Event::Notice(notice) | Event::StoreFailed(notice) => break Err(notice),
            _ => {}
        }
    };
    progress.end();
    driver.finish().await;
    let path = outcome?;
    println!("{}", path.display());
    Ok(())
}
