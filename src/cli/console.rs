//! `confab console watch`: the stanzas in and out, as the XML console shows them (secrets
//! hidden), printed while connected.

use super::{Driver, connection_failure};
use crate::model::ConnectionState;
use crate::paths::Paths;
use crate::worker::{Command, Event};
use std::time::Duration;

/// What to watch, and for how long (until stopped when not given).
pub(super) struct Watch {
    pub filter: Option<String>,
    pub seconds: Option<u64>,
}

pub(super) async fn watch(paths: Paths, account: String, watch: Watch) -> Result<(), String> {
    let filter = watch.filter.map(|f| f.to_lowercase());
    let mut driver = Driver::start(paths, account)?;
    driver.handle.send(Command::Console(true))?;
    let far = Duration::from_secs(100 * 365 * 24 * 3600);
    let until = tokio::time::Instant::now() + watch.seconds.map_or(far, Duration::from_secs);
    let outcome = loop {
        let Some(event) = driver.next(until).await else { break Ok(()) };
        match event {
            Event::Stanza { outgoing, xml }
                if filter.as_ref().is_none_or(|f| xml.to_lowercase().contains(f)) =>
            {
                let time = chrono::Local::now().format("%H:%M:%S%.3f");
                let arrow = if outgoing { "→" } else { "←" };
                println!("{time} {arrow} {xml}");
            }
            Event::Connection(ConnectionState::Failed(error)) => break Err(error.to_string()),
            Event::Connection(state) => {
                if let Some(reason) = connection_failure(&state) {
                    eprintln!("{reason}");
                }
            }
            _ => {}
        }
    };
    driver.finish().await;
    outcome
}
