//! The HTTP under a BOSH session: `POST`s over HTTP/1.1 connections that the connector opens
//! like every other connection of the account (to its host when one is set, through its proxy
//! when there is one, TLS checked against the endpoint's host with the account's trust and
//! pins), kept alive and used again. A general HTTP client would ask a proxy for the
//! endpoint's host name and could not be told to use the account's host, as WebSocket and TCP
//! do (a server known only by its address, or a name only this machine resolves).

use super::session::{Failure, MAX_ANSWER};
use bytes::Bytes;
use futures::future::BoxFuture;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};

/// A connection to the endpoint, its TLS done.
pub trait Wire: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Wire for T {}

/// Opens one more connection to the endpoint, or says why it could not.
pub type Dial = Arc<dyn Fn() -> BoxFuture<'static, Result<Box<dyn Wire>, String>> + Send + Sync>;

/// Connections kept open between requests: a session has at most two requests out.
const MAX_IDLE: usize = 2;

pub struct Carrier {
    dial: Dial,
    /// `Host` header: the endpoint's host, with its port when not 443.
    authority: String,
    /// Path and query of the endpoint.
    target: String,
    idle: Mutex<Vec<SendRequest<Full<Bytes>>>>,
}

impl Carrier {
    /// `first` is a connection already open (the connector opens one to report a refusal,
    /// an untrusted certificate or an unreachable host as a login error); `dial` opens more.
    pub async fn new(
        dial: Dial,
        first: Box<dyn Wire>,
        authority: String,
        target: String,
    ) -> Result<Self, String> {
        let carrier = Self { dial, authority, target, idle: Mutex::new(Vec::new()) };
        let sender = carrier.handshake(first).await?;
        carrier.keep(sender);
        Ok(carrier)
    }

    /// Send `body` and read the answer, within `within`; at most [`MAX_ANSWER`] bytes.
    pub async fn post(&self, body: String, within: Duration) -> Result<Vec<u8>, Failure> {
        match tokio::time::timeout(within, self.exchange(body)).await {
            Ok(result) => result,
            Err(_) => Err(Failure::Lost("no answer in time".into())),
        }
    }

    async fn exchange(&self, body: String) -> Result<Vec<u8>, Failure> {
        let mut sender = self.sender().await.map_err(Failure::Lost)?;
        let request = hyper::Request::post(self.target.as_str())
            .header(hyper::header::HOST, self.authority.as_str())
            .header(hyper::header::CONTENT_TYPE, "text/xml; charset=utf-8")
            .header(hyper::header::USER_AGENT, concat!("Confab/", env!("CARGO_PKG_VERSION")))
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| Failure::Fatal(format!("cannot build a BOSH request: {e}")))?;
        let response = sender.send_request(request).await.map_err(|e| lost(&e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(Failure::Fatal(format!("the BOSH endpoint answered HTTP {status}")));
        }
        let length = response.headers().get(hyper::header::CONTENT_LENGTH);
        let claimed = length.and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
        if claimed.is_some_and(|n| n > MAX_ANSWER as u64) {
            return Err(Failure::Fatal(too_large()));
        }
        let mut body = response.into_body();
        let mut bytes = Vec::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| lost(&e))?;
            if let Ok(chunk) = frame.into_data() {
                if bytes.len() + chunk.len() > MAX_ANSWER {
                    return Err(Failure::Fatal(too_large()));
                }
                bytes.extend_from_slice(&chunk);
            }
        }
        self.keep(sender);
        Ok(bytes)
    }

    /// An idle connection that is still open, or a new one.
    async fn sender(&self) -> Result<SendRequest<Full<Bytes>>, String> {
        loop {
            let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
            let Some(mut sender) = idle else { break };
            if sender.ready().await.is_ok() {
                return Ok(sender);
            }
        }
        let wire = (self.dial)().await?;
        self.handshake(wire).await
    }

    async fn handshake(&self, wire: Box<dyn Wire>) -> Result<SendRequest<Full<Bytes>>, String> {
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(wire))
            .await
            .map_err(|e| format!("HTTP did not start: {e}"))?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!("a BOSH connection ended: {e}");
            }
        });
        Ok(sender)
    }

    fn keep(&self, sender: SendRequest<Full<Bytes>>) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < MAX_IDLE
            && !sender.is_closed()
        {
            idle.push(sender);
        }
    }
}

fn lost(error: &hyper::Error) -> Failure {
    Failure::Lost(format!("the connection was lost ({error})"))
}

pub(super) fn too_large() -> String {
    format!("the BOSH endpoint sent an answer larger than {} MiB", MAX_ANSWER / (1024 * 1024))
}
