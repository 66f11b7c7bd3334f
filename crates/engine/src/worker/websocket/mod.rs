//! XMPP over WebSocket (RFC 7395), for networks that let only HTTPS out.
//!
//! [`WsIo`] turns a WebSocket into the byte stream tokio-xmpp reads and writes, translating
//! frames at its edge ([`framing`]), so the XML stream, the parser guard, SASL and stream
//! management above it are the very ones used over TCP. The connector does DNS and TLS itself,
//! with the account's verifier and pins, then runs the HTTP upgrade here.

mod framing;

use super::endpoint::Endpoint;
use super::units::{Outgoing, Unit};
use super::xml_guard::MAX_STANZA_BYTES;
use crate::model::ConnectError;
use framing::Incoming;
use futures::{Sink, Stream};
use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};

/// Frames written but not yet handed to the socket before a write waits for them to go.
const MAX_QUEUED_FRAMES: usize = 256;
/// RFC 7395 §3.1: the subprotocol both sides must name.
const SUBPROTOCOL: &str = "xmpp";

/// Where the server asked us to go instead (`see-other-uri`), read by the connector after the
/// stream ended.
pub type Redirect = Arc<Mutex<Option<String>>>;

/// Run the WebSocket upgrade over an established TLS connection and check the subprotocol.
pub async fn upgrade<S>(
    endpoint: &Endpoint,
    tls: S,
    redirect: Redirect,
) -> Result<WsIo<S>, ConnectError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut request = endpoint.uri.clone().into_client_request().map_err(handshake_error)?;
    request.headers_mut().insert("Sec-WebSocket-Protocol", HeaderValue::from_static(SUBPROTOCOL));
    let limits = WebSocketConfig::default()
        .max_message_size(Some(MAX_STANZA_BYTES))
        .max_frame_size(Some(MAX_STANZA_BYTES));
    let (ws, response) = tokio_tungstenite::client_async_with_config(request, tls, Some(limits))
        .await
        .map_err(handshake_error)?;
    let agreed = response.headers().get("Sec-WebSocket-Protocol").and_then(|v| v.to_str().ok());
    if agreed != Some(SUBPROTOCOL) {
        return Err(ConnectError::Other(format!(
            "{} is a WebSocket but not an XMPP one (it did not agree to “{SUBPROTOCOL}”)",
            endpoint.uri
        )));
    }
    Ok(WsIo {
        ws,
        outgoing: Outgoing::default(),
        frames: VecDeque::new(),
        inbox: Vec::new(),
        taken: 0,
        ended: false,
        redirect,
    })
}

fn handshake_error(e: tungstenite::Error) -> ConnectError {
    use tungstenite::Error as E;
    use tungstenite::error::ProtocolError as P;
    match e {
        E::Protocol(P::SecWebSocketSubProtocolError(_)) => ConnectError::Other(
            "the address is a WebSocket but not an XMPP one (it did not agree to “xmpp”)".into(),
        ),
        E::Http(response) => ConnectError::Unreachable(format!(
            "the WebSocket endpoint answered HTTP {} instead of upgrading",
            response.status()
        )),
        E::Io(io) => ConnectError::Unreachable(format!("the WebSocket connection failed: {io}")),
        other => ConnectError::Unreachable(format!("the WebSocket handshake failed: {other}")),
    }
}

/// A WebSocket seen as the byte stream of an XMPP connection.
pub struct WsIo<S> {
    ws: WebSocketStream<S>,
    outgoing: Outgoing,
    /// What was written, cut into units, waiting to go to the socket as frames.
    frames: VecDeque<Unit>,
    /// The frame being read, and how much of it was taken.
    inbox: Vec<u8>,
    taken: usize,
    /// The server closed the stream: what is left in `inbox` is the last to read.
    ended: bool,
    redirect: Redirect,
}

impl<S: AsyncRead + AsyncWrite + Unpin> WsIo<S> {
    /// Hand the queued frames to the socket (which may buffer them until a flush).
    fn poll_send_frames(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.frames.is_empty() {
            ready!(Pin::new(&mut self.ws).poll_ready(cx)).map_err(io_error)?;
            if let Some(unit) = self.frames.pop_front() {
                let frame = Message::text(framing::frame(unit));
                Pin::new(&mut self.ws).start_send(frame).map_err(io_error)?;
            }
        }
        Poll::Ready(Ok(()))
    }

    fn take_frame(&mut self, text: &str) -> io::Result<()> {
        match framing::incoming(text)? {
            Incoming::Bytes(bytes) => self.inbox = bytes,
            Incoming::Close { see_other_uri } => {
                if let (Some(uri), Ok(mut slot)) = (see_other_uri, self.redirect.lock()) {
                    *slot = Some(uri);
                }
                self.inbox = b"</stream:stream>".to_vec();
                self.ended = true;
            }
        }
        self.taken = 0;
        Ok(())
    }
}

fn io_error(e: tungstenite::Error) -> io::Error {
    use tungstenite::Error as E;
    match e {
        E::Io(io) => io,
        E::Capacity(capacity) => io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "the server sent more than {MAX_STANZA_BYTES} bytes in one message ({capacity})"
            ),
        ),
        E::ConnectionClosed | E::AlreadyClosed => io::ErrorKind::BrokenPipe.into(),
        other => io::Error::other(other.to_string()),
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for WsIo<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if this.taken < this.inbox.len() {
                let n = buf.remaining().min(this.inbox.len() - this.taken);
                buf.put_slice(&this.inbox[this.taken..this.taken + n]);
                this.taken += n;
                return Poll::Ready(Ok(()));
            }
            if this.ended {
                return Poll::Ready(Ok(()));
            }
            match ready!(Pin::new(&mut this.ws).poll_next(cx)) {
                Some(Ok(Message::Text(text))) => this.take_frame(text.as_str())?,
                Some(Ok(Message::Binary(_))) => {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "the server sent a binary WebSocket message, which XMPP never uses",
                    )));
                }
                Some(Ok(Message::Close(_))) | None => this.ended = true,
                Some(Ok(_)) => {}
                Some(Err(e)) => return Poll::Ready(Err(io_error(e))),
            }
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for WsIo<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.frames.len() >= MAX_QUEUED_FRAMES {
            ready!(this.poll_send_frames(cx))?;
        }
        this.outgoing.push(buf, &mut this.frames)?;
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_send_frames(cx))?;
        Pin::new(&mut this.ws).poll_flush(cx).map_err(io_error)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_send_frames(cx))?;
        match ready!(Pin::new(&mut this.ws).poll_close(cx)) {
            Ok(())
            | Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                Poll::Ready(Ok(()))
            }
            Err(e) => Poll::Ready(Err(io_error(e))),
        }
    }
}

#[cfg(test)]
mod tests;
