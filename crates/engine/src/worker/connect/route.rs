//! Which way to the server. TCP, WebSocket and BOSH accounts take their one route; the
//! automatic route (the default) takes TCP, and only where TCP cannot get through, HTTP: the
//! endpoint that worked before, the one configured, or those the server's host-meta names
//! (XEP-0156), WebSocket before BOSH. An error that another route cannot cure (a wrong
//! password, a distrusted certificate) is never answered with another route, and the user sees
//! TCP's reason when no route works, since that is the one they know.

use super::{Connector, Secured};
use crate::config::Transport;
use crate::model::ConnectError;
use crate::worker::host_meta;
use std::time::Duration;

/// How long the automatic route gives TCP and TLS before it looks for HTTP, so that a network
/// that drops packets (rather than refusing them) leaves time for the other routes within one
/// attempt.
const TCP_BEFORE_FALLBACK: Duration = Duration::from_secs(8);

impl Connector {
    /// A stream over a secure wire, by the account's route: what logging in and registering
    /// both start from.
    pub(in crate::worker) async fn secure_stream(&self) -> Result<Secured, ConnectError> {
        match self.account.transport {
            Transport::Tcp => self.tcp_stream().await,
            Transport::Websocket => {
                self.websocket_redirected(&self.endpoint("WebSocket", "wss")?).await
            }
            Transport::Bosh => self.bosh_stream(&self.endpoint("BOSH", "https")?).await,
            Transport::Auto => self.automatic().await,
        }
    }

    /// The configured endpoint of an HTTP transport, which it cannot do without.
    fn endpoint(&self, transport: &str, scheme: &str) -> Result<String, ConnectError> {
        self.account.url.clone().ok_or_else(|| {
            ConnectError::Other(format!("{transport} needs the server's {scheme}:// address"))
        })
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

    /// WebSocket or BOSH, by the endpoint's scheme.
    async fn http_stream(&self, url: &str) -> Result<Secured, ConnectError> {
        if url.starts_with("wss://") {
            self.websocket_redirected(url).await
        } else {
            self.bosh_stream(url).await
        }
    }

    async fn automatic(&self) -> Result<Secured, ConnectError> {
        let jid = &self.jid;
        let found = self.found.lock().ok().and_then(|found| found.clone());
        if let Some(url) = &found {
            match self.http_stream(url).await {
                Err(e) if e.is_transient() => {
                    tracing::info!("{jid}: the HTTP route that worked before did not: {e}");
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
        let endpoints = match &self.account.url {
            Some(url) => vec![url.clone()],
            None => {
                let domain = jid.domain().as_str();
                match host_meta::endpoints(&self.account, domain, self.proxy.as_ref()).await {
                    Ok(endpoints) => endpoints,
                    Err(why) => {
                        tracing::info!(
                            "{jid}: TCP failed ({tcp_error}) and no HTTP endpoint was found: {why}"
                        );
                        return Err(tcp_error);
                    }
                }
            }
        };
        for url in endpoints.into_iter().filter(|url| found.as_ref() != Some(url)) {
            match self.http_stream(&url).await {
                Ok(secured) => {
                    self.remember(Some(url));
                    return Ok(secured);
                }
                Err(e) if e.is_transient() => {
                    tracing::info!("{jid}: TCP failed ({tcp_error}), and {url} too: {e}");
                }
                Err(e) => return Err(e),
            }
        }
        Err(tcp_error)
    }

    fn remember(&self, endpoint: Option<String>) {
        if let Ok(mut found) = self.found.lock() {
            *found = endpoint;
        }
    }
}

/// Whether `url` is an endpoint `transport` can use: `wss://` for WebSocket, `https://` for
/// BOSH, either for the automatic route (which tells them apart by the scheme).
pub fn check_endpoint(transport: Transport, url: &str) -> Result<(), String> {
    use crate::worker::endpoint::{Endpoint, Web};
    let check = |web| Endpoint::parse(url, web).map(drop).map_err(|e| e.to_string());
    let (websocket, bosh) = (|| check(Web::Websocket), || check(Web::Bosh));
    match transport {
        Transport::Tcp => Err("TCP finds the server by its address, not by a URL".into()),
        Transport::Websocket => websocket(),
        Transport::Bosh => bosh(),
        Transport::Auto if url.starts_with("wss:") || url.starts_with("ws:") => websocket(),
        Transport::Auto if url.starts_with("https:") || url.starts_with("http:") => bosh(),
        Transport::Auto => Err(format!("“{url}” is neither a wss:// nor an https:// address")),
    }
}
