//! Which way to the server. TCP and WebSocket accounts take their one route; the automatic
//! route (the default) takes TCP, and only where TCP cannot get through, WebSocket: at the
//! endpoint that worked before, the one configured, or the one the server's host-meta names
//! (XEP-0156). An error that another route cannot cure (a wrong password, a distrusted
//! certificate) is never answered with another route, and the user sees TCP's reason when no
//! route works, since that is the one they know.

use super::{Connector, Secured};
use crate::config::Transport;
use crate::model::ConnectError;
use crate::worker::host_meta;
use std::time::Duration;

/// How long the automatic route gives TCP and TLS before it looks for WebSocket, so that a
/// network that drops packets (rather than refusing them) leaves time for the other route
/// within one attempt.
const TCP_BEFORE_FALLBACK: Duration = Duration::from_secs(8);

impl Connector {
    /// A stream over a secure wire, by the account's route: what logging in and registering
    /// both start from.
    pub(in crate::worker) async fn secure_stream(&self) -> Result<Secured, ConnectError> {
        match self.transport {
            Transport::Tcp => self.tcp_stream().await,
            Transport::Websocket => {
                let url = self.url.clone().ok_or_else(|| {
                    ConnectError::Other("WebSocket needs the server's wss:// address".into())
                })?;
                self.websocket_redirected(&url).await
            }
            Transport::Auto => self.automatic().await,
        }
    }

    /// WebSocket at `url`, or where a redirect sent us. RFC 7395 §3.6.1: a server may send us
    /// elsewhere instead of opening; go there once (it must be wss:// as well), and back to
    /// `url` after that.
    async fn websocket_redirected(&self, url: &str) -> Result<Secured, ConnectError> {
        let redirected = self.redirect.lock().ok().and_then(|mut slot| slot.take());
        let first = self.websocket_stream(redirected.as_deref().unwrap_or(url)).await;
        match self.redirect.lock().ok().and_then(|mut slot| slot.take()) {
            Some(elsewhere) if first.is_err() => self.websocket_stream(&elsewhere).await,
            _ => first,
        }
    }

    async fn automatic(&self) -> Result<Secured, ConnectError> {
        let jid = &self.jid;
        let found = self.found.lock().ok().and_then(|found| found.clone());
        if let Some(url) = &found {
            match self.websocket_redirected(url).await {
                Err(e) if e.is_transient() => {
                    tracing::info!("{jid}: the WebSocket route that worked before did not: {e}");
                }
                done => return done,
            }
        }
        let tcp_error = match tokio::time::timeout(TCP_BEFORE_FALLBACK, self.tcp_stream()).await {
            Ok(Ok(secured)) => {
                self.remember(None);
                return Ok(secured);
            }
            Ok(Err(e)) if !e.is_transient() => return Err(e),
            Ok(Err(e)) => e,
            Err(_) => ConnectError::Unreachable("the server did not answer in time".into()),
        };
        let url = match &self.url {
            Some(url) => url.clone(),
            None => match host_meta::websocket_endpoint(
                &self.account,
                jid.domain().as_str(),
                self.proxy.as_ref(),
            )
            .await
            {
                Ok(url) => url,
                Err(why) => {
                    tracing::info!(
                        "{jid}: TCP failed ({tcp_error}) and no WebSocket was found: {why}"
                    );
                    return Err(tcp_error);
                }
            },
        };
        if found.as_ref() == Some(&url) {
            return Err(tcp_error);
        }
        match self.websocket_redirected(&url).await {
            Ok(secured) => {
                self.remember(Some(url));
                Ok(secured)
            }
            Err(e) if e.is_transient() => {
                tracing::info!("{jid}: TCP failed ({tcp_error}), and WebSocket at {url}: {e}");
                Err(tcp_error)
            }
            Err(e) => Err(e),
        }
    }

    fn remember(&self, websocket: Option<String>) {
        if let Ok(mut found) = self.found.lock() {
            *found = websocket;
        }
    }
}
