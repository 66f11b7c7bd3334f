//! The connection's life: starting the connector, stopping (politely when we can), what is
//! forgotten when the stream goes, taking new settings, and what the connector reports.

use super::Session;
use crate::config::{AccountConfig, Config};
use crate::model::{ConnectError, ConnectionState};
use crate::secrets::Secrets;
use crate::worker::Event;
use crate::worker::connect::{Connector, Report, Wire};
use crate::worker::proxy::Proxy;
use std::time::Duration;
use tokio::sync::mpsc;

/// How long a clean close may take before we give up on being polite.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// The account's proxy with its password, as the settings and the secrets have them.
pub(super) fn proxy_of(
    account: &AccountConfig,
    secrets: &Secrets,
) -> Result<Option<Proxy>, String> {
    let Some(url) = &account.proxy else { return Ok(None) };
    Proxy::parse(url, secrets.load(&account.proxy_secret())).map(Some)
}

impl Session {
    pub(super) fn start(&mut self) {
        if self.stream.is_some() {
            return;
        }
        let Some(password) = self.password.clone() else {
            self.set_state(ConnectionState::Failed(ConnectError::WrongPassword));
            return;
        };
        let connector = match Connector::new(&self.account, password, &self.session_pins) {
            Ok(connector) => connector
                .through(self.proxy.clone())
                .remembering(
                    [Wire::Tcp, Wire::Websocket, Wire::Bosh].map(|wire| self.strongest_login(wire)),
                    self.http_route_found(),
                )
                .known_as(self.client_id(), self.fast_token()),
            Err(error) => {
                self.set_state(ConnectionState::Failed(error));
                return;
            }
        };
        let (reports_tx, reports_rx) = mpsc::unbounded_channel();
        self.stream = Some(connector.into_stream(reports_tx));
        self.reports = Some(reports_rx);
        self.set_state(ConnectionState::Connecting);
    }

    /// Close the stream cleanly (so the server does not hold a hibernating session) and forget
    /// everything that was only true while online.
    pub(super) async fn stop(&mut self) {
        self.reports = None;
        if let Some(stream) = self.stream.take()
            && tokio::time::timeout(CLOSE_TIMEOUT, stream.close()).await.is_err()
        {
            tracing::warn!("{}: the stream did not close in time", self.account.jid);
        }
        self.went_offline();
    }

    /// Drop the stream without closing it (it is down or will never be up) and forget what
    /// was only true while online.
    pub(super) fn let_go_of_stream(&mut self) {
        self.reports = None;
        self.stream = None;
        self.went_offline();
    }

    pub(super) fn went_offline(&mut self) {
        self.contacts.offline();
        self.pending_iqs.clear();
        self.avatars.fetching.clear();
        self.directory.listing = None;
        self.rooms_offline();
        self.announce_rooms();
        self.outbox.in_flight.clear();
        self.own_retractions.offline();
        self.transfers.forget_slot_requests();
        self.older_offline();
        self.keep_cut_catch_ups();
        self.end_catch_up();
        self.bookmarks.offline();
        if let Err(e) = self.store.write(|store| store.clear_presence(&self.account.jid)) {
            tracing::warn!("{e}");
        }
    }

    /// Take the account's settings from the configuration file again and reconnect.
    pub(super) async fn reload(&mut self) {
        let reloaded = Config::load(&self.config_file).map_err(|e| e.to_string()).and_then(|c| {
            c.account(&self.account.jid).cloned().ok_or_else(|| "the account is gone".to_owned())
        });
        match reloaded {
            Ok(account) => match proxy_of(&account, &self.secrets) {
                Ok(proxy) => {
                    self.account = account;
                    self.proxy = proxy;
                    self.http = None;
                    self.restart().await;
                }
                Err(e) => self.emit(Event::Notice(format!("the new proxy cannot be used: {e}"))),
            },
            Err(e) => self.emit(Event::Notice(format!("the new settings could not be read: {e}"))),
        }
    }

    pub(super) async fn restart(&mut self) {
        self.stop().await;
        self.restart_at = None;
        self.start();
    }

    pub(super) fn report(&mut self, report: Report) {
        match report {
            Report::Connecting => self.set_state(ConnectionState::Connecting),
            Report::LoggedIn(method, how) => {
                if let Some(method) = method {
                    self.remember_login(method, how.wire);
                }
                self.remember_route(&how);
                self.keep_fast_token(&how.token);
            }
            Report::Retrying { error, retry_in } => self.set_state(ConnectionState::Offline {
                reason: error.to_string(),
                retry_in_secs: retry_in.as_secs(),
            }),
            Report::GaveUp(error) => {
                tracing::info!("{}: {error}", self.account.jid);
                // Its connector will not try again: let the stream go (the connector then ends
                // it quietly) and wait for the user.
                self.let_go_of_stream();
                self.set_state(ConnectionState::Failed(error));
            }
        }
    }
}
