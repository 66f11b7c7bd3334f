//! XMPP over BOSH (XEP-0124 with XEP-0206): long-polling HTTPS, for networks where nothing but
//! plain web requests gets out, not even a WebSocket.
//!
//! [`BoshIo`] is the byte stream tokio-xmpp reads and writes, as [`super::websocket::WsIo`] is
//! for WebSocket: what it writes is cut into units ([`super::units`]) and handed to a session
//! task ([`session`]) that wraps them in `<body/>` requests; what the server answers comes
//! back as bytes, with a stream header made up where the server's session (re)starts. So the
//! XML stream, the parser guard, SASL and stream management above it are the ones used over
//! TCP.
//!
//! The two sides share a [`Link`]: a queue of units one way, a buffer of bytes the other, both
//! bounded, and the reason the session ended.

mod body;
mod carrier;
mod session;

use super::endpoint::Endpoint;
use super::units::{Outgoing, Unit};
use carrier::Carrier;
pub use carrier::{Dial, Wire};
use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;

/// Units written but not yet taken by the session task before a write waits.
const MAX_QUEUED_UNITS: usize = 256;
/// Bytes answered but not yet read before the session stops asking for more.
const MAX_INBOX: usize = 4 * 1024 * 1024;

/// Start a BOSH session at `endpoint` over connections from `dial`, the first of them
/// `first` (the session is created when the stream header is written), and give its byte
/// stream.
pub async fn open(endpoint: &Endpoint, dial: Dial, first: Box<dyn Wire>) -> io::Result<BoshIo> {
    let (authority, target) = (endpoint.authority().to_owned(), endpoint.target().to_owned());
    let carrier = Carrier::new(dial, first, authority, target).await.map_err(io::Error::other)?;
    let link = Arc::new(Link::default());
    tokio::spawn(session::run(link.clone(), carrier));
    Ok(BoshIo { link, outgoing: Outgoing::default() })
}

/// How a session ended, for the reader once it has read everything before.
#[derive(Debug, Clone)]
enum Ending {
    /// The stream's end was read; further reads see the end of the bytes.
    Closed,
    Failed(String),
}

#[derive(Default)]
struct Shared {
    /// Units written, waiting for the session task.
    units: VecDeque<Unit>,
    /// A write waiting for room in `units`.
    writer: Option<Waker>,
    /// Bytes answered, and how much of them was read.
    inbox: Vec<u8>,
    taken: usize,
    /// A read waiting for bytes.
    reader: Option<Waker>,
    ended: Option<Ending>,
    /// The byte stream was dropped: the task ends the session and stops.
    dropped: bool,
}

/// What the byte stream and its session task share.
#[derive(Default)]
struct Link {
    shared: Mutex<Shared>,
    /// Wakes the task: units to send, room in the inbox, or the stream gone.
    task: Notify,
}

impl Link {
    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Everything written so far, for the task; a waiting write may go on.
    fn take_units(&self) -> Vec<Unit> {
        let mut shared = self.lock();
        if let Some(writer) = shared.writer.take() {
            writer.wake();
        }
        shared.units.drain(..).collect()
    }

    fn inbox_has_room(&self) -> bool {
        self.lock().inbox.len() < MAX_INBOX
    }

    fn dropped(&self) -> bool {
        self.lock().dropped
    }

    /// Bytes for the reader.
    fn deliver(&self, bytes: &[u8]) {
        let mut shared = self.lock();
        if shared.taken == shared.inbox.len() {
            shared.inbox.clear();
            shared.taken = 0;
        }
        shared.inbox.extend_from_slice(bytes);
        if let Some(reader) = shared.reader.take() {
            reader.wake();
        }
    }

    /// The session is over: readers see `ending` once the inbox is read, writers fail.
    fn end(&self, ending: Ending) {
        let mut shared = self.lock();
        shared.ended.get_or_insert(ending);
        for waker in [shared.reader.take(), shared.writer.take()].into_iter().flatten() {
            waker.wake();
        }
    }
}

/// A BOSH session seen as the byte stream of an XMPP connection.
pub struct BoshIo {
    link: Arc<Link>,
    outgoing: Outgoing,
}

impl AsyncRead for BoshIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let mut shared = self.link.lock();
        if shared.taken < shared.inbox.len() {
            let start = shared.taken;
            let n = buf.remaining().min(shared.inbox.len() - start);
            buf.put_slice(&shared.inbox[start..start + n]);
            shared.taken += n;
            if shared.taken == shared.inbox.len() {
                shared.inbox.clear();
                shared.taken = 0;
                self.link.task.notify_one();
            }
            return Poll::Ready(Ok(()));
        }
        match &shared.ended {
            Some(Ending::Closed) => Poll::Ready(Ok(())),
            Some(Ending::Failed(why)) => Poll::Ready(Err(io::Error::other(why.clone()))),
            None => {
                shared.reader = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl AsyncWrite for BoshIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let mut shared = this.link.lock();
        if let Some(ending) = &shared.ended {
            return Poll::Ready(Err(written_after(ending)));
        }
        if shared.units.len() >= MAX_QUEUED_UNITS {
            shared.writer = Some(cx.waker().clone());
            this.link.task.notify_one();
            return Poll::Pending;
        }
        this.outgoing.push(buf, &mut shared.units)?;
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let shared = self.link.lock();
        if let Some(Ending::Failed(why)) = &shared.ended {
            return Poll::Ready(Err(io::Error::other(why.clone())));
        }
        self.link.task.notify_one();
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.link.task.notify_one();
        Poll::Ready(Ok(()))
    }
}

fn written_after(ending: &Ending) -> io::Error {
    match ending {
        Ending::Closed => io::ErrorKind::BrokenPipe.into(),
        Ending::Failed(why) => io::Error::new(io::ErrorKind::BrokenPipe, why.clone()),
    }
}

impl Drop for BoshIo {
    fn drop(&mut self) {
        self.link.lock().dropped = true;
        self.link.task.notify_one();
    }
}

#[cfg(test)]
mod tests;
