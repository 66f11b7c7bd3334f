//! `confab send … --at`, `confab outbox` and `confab outbox cancel`: messages for later, and
//! what is still waiting to go out.

use super::{Driver, choose_account, open_store};
use crate::model::Direction;
use crate::paths::Paths;
use crate::worker::{Command, Event, OutboxAction};
use chrono::{DateTime, Duration as Span, Utc};
use clap::Subcommand;
use std::time::Duration;

/// How long the worker may take to store a scheduled message or change the outbox.
const STORE_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Subcommand)]
pub enum OutboxCli {
    /// Take back a message that has not gone out yet.
    Cancel { id: i64 },
}

/// `at` as an RFC 3339 time, or `+N` with `s`, `m`, `h` or `d` ("in N minutes").
pub fn parse_when(at: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let at = at.trim();
    let when = if let Some(span) = at.strip_prefix('+') {
        let (number, unit) =
            span.split_at(span.find(|c: char| !c.is_ascii_digit()).unwrap_or(span.len()));
        let n: i64 = number.parse().map_err(|_| format!("“{at}” is not a time like +10m"))?;
        let span = match unit {
            "s" => Span::seconds(n),
            "m" | "" => Span::minutes(n),
            "h" => Span::hours(n),
            "d" => Span::days(n),
            _ => return Err(format!("“{at}”: use s, m, h or d after the number")),
        };
        now + span
    } else {
        DateTime::parse_from_rfc3339(at)
            .map_err(|_| {
                format!("“{at}” is not a time (RFC 3339 like 2026-11-24T18:00:00+01:00, or +10m)")
            })?
            .with_timezone(&Utc)
    };
    if when <= now {
        return Err(format!("{} has already passed", when.to_rfc3339()));
    }
    Ok(when)
}

/// Store a message for later; nothing needs to be online for that.
pub async fn send_at(
    paths: Paths,
    account: Option<String>,
    to: String,
    body: String,
    at: DateTime<Utc>,
) -> Result<(), String> {
    let account = choose_account(&paths, account)?;
    let mut driver = Driver::start(paths, account)?;
    driver.handle.send(Command::SendAt { to, body: body.clone(), at })?;
    let deadline = tokio::time::Instant::now() + STORE_TIMEOUT;
    let outcome = loop {
        match driver.next(deadline).await {
            None => break Err("the message could not be stored in time".to_owned()),
            Some(Event::Message(m)) if m.direction == Direction::Out && m.body == body => {
                eprintln!(
                    "Scheduled (outbox id {}): it goes out at {} when Confab or `confab sync` runs.",
                    m.id,
                    at.to_rfc3339()
                );
                break Ok(());
            }
            Some(Event::Notice(notice) | Event::StoreFailed(notice)) => break Err(notice),
            Some(_) => {}
        }
    };
    driver.finish().await;
    outcome
}

pub fn list(paths: &Paths, account: Option<String>, json: bool) -> Result<(), String> {
    let account = choose_account(paths, account)?;
    let store = open_store(paths)?;
    let queued = store.outbox(&account).map_err(|e| store.locate(e).to_string())?;
    for entry in queued {
        let message = entry.message;
        let due = entry.due_at.map(|d| d.to_rfc3339());
        if json {
            let value = serde_json::json!({
                "id": message.id,
                "to": message.to,
                "body": message.body,
                "due": due,
                "attempts": entry.attempts,
                "state": message.state.as_str(),
            });
            println!("{value}");
        } else {
            let when = due.map_or_else(|| "as soon as online".to_owned(), |d| format!("at {d}"));
            println!("{} → {} ({when}): {}", message.id, message.to, message.body);
        }
    }
    Ok(())
}

pub async fn change(
    paths: Paths,
    account: Option<String>,
    action: OutboxAction,
) -> Result<(), String> {
    let account = choose_account(&paths, account)?;
    let mut driver = Driver::start(paths, account)?;
    driver.handle.send(Command::Outbox(action))?;
    let deadline = tokio::time::Instant::now() + STORE_TIMEOUT;
    let outcome = loop {
        match driver.next(deadline).await {
            None => break Err("the worker did not answer in time".to_owned()),
            Some(Event::Outcome(result)) => break result.map(|what| eprintln!("Done: {what}.")),
            Some(_) => {}
        }
    };
    driver.finish().await;
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_absolute_or_from_now_and_never_past() {
        let now =
            DateTime::parse_from_rfc3339("2026-11-24T10:00:00Z").map(|t| t.with_timezone(&Utc));
        let now = now.unwrap_or_default();
        assert_eq!(parse_when("+10m", now), Ok(now + Span::minutes(10)));
        assert_eq!(parse_when("+2h", now), Ok(now + Span::hours(2)));
        assert_eq!(parse_when("+30s", now), Ok(now + Span::seconds(30)));
        assert_eq!(parse_when("+5", now), Ok(now + Span::minutes(5)), "minutes by default");
        let later = parse_when("2026-11-24T12:00:00+01:00", now);
        assert_eq!(later, Ok(now + Span::hours(1)));
        assert!(parse_when("2026-11-24T09:00:00Z", now).is_err(), "the past");
        assert!(parse_when("+0m", now).is_err());
        assert!(parse_when("+10y", now).is_err());
        assert!(parse_when("tomorrow", now).is_err());
    }
}
