//! A seam between tokio-xmpp's XML stream and the bytes under it, for the two steps of a SASL2
//! login (XEP-0388) that tokio-xmpp cannot take itself.
//!
//! tokio-xmpp's XML stream decides which elements it can read when a stream starts and changes
//! that only at a restart; SASL2 has no restart, and its elements are not among the ones a
//! logged-in stream reads. Its stanza stream also insists on binding a resource itself, which
//! Bind2 (XEP-0386) already did inside the login. So the login performs restarts that only
//! tokio-xmpp sees: the header it writes is kept from the server and a header "from the server"
//! is read in its place ([`Splice::restart_unseen`]); and once Bind2 bound the resource,
//! tokio-xmpp's bind request is answered here with the address the server gave
//! ([`Splice::answer_bind`]). Everything else passes through untouched.

use std::io;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
use tokio::io::{AsyncBufRead, AsyncRead, AsyncWrite, ReadBuf};

/// The id tokio-xmpp 6 gives its bind request (`stanzastream::negotiation`).
const BIND_REQUEST_ID: &str = "resource-binding";
/// Longest bind request we wait for; tokio-xmpp's is under 200 bytes. Anything longer is not
/// one, and goes to the server as it is.
const MAX_BIND_REQUEST: usize = 4096;

/// What the next writes are.
#[derive(Debug, Default)]
enum Expect {
    #[default]
    Nothing,
    /// tokio-xmpp's stream header, which the server must not see.
    Header,
    /// tokio-xmpp's bind request, to be answered with this full address.
    BindRequest(String),
}

/// Set from outside (through the XML stream's shared reference), taken up by the next read or
/// write.
#[derive(Debug, Default)]
struct Armed {
    expect: Option<Expect>,
    read_first: Vec<u8>,
}

pub struct Splice<Io> {
    inner: Io,
    armed: Mutex<Armed>,
    expect: Expect,
    /// Bytes read before the inner stream's, from `offset` on.
    injected: Vec<u8>,
    offset: usize,
    /// Written bytes held until we know what they are.
    held: Vec<u8>,
    /// Held bytes that turned out to be for the server, sent before anything newer.
    unsent: Vec<u8>,
}

impl<Io> Splice<Io> {
    pub fn new(inner: Io) -> Self {
        Splice {
            inner,
            armed: Mutex::new(Armed::default()),
            expect: Expect::Nothing,
            injected: Vec::new(),
            offset: 0,
            held: Vec::new(),
            unsent: Vec::new(),
        }
    }

    pub fn into_inner(self) -> Io {
        self.inner
    }

    /// The next stream header written is kept from the server, and `header` (a server's stream
    /// header for this stream) is read ahead of whatever the server sent.
    pub fn restart_unseen(&self, header: String) {
        self.arm(Expect::Header, header.into_bytes());
    }

    /// The next bind request written is answered with `jid` instead of going to the server.
    pub fn answer_bind(&self, jid: String) {
        self.arm(Expect::BindRequest(jid), Vec::new());
    }

    fn arm(&self, expect: Expect, read_first: Vec<u8>) {
        if let Ok(mut armed) = self.armed.lock() {
            armed.expect = Some(expect);
            armed.read_first.extend(read_first);
        }
    }

    /// Take up what was armed since the last read or write.
    fn take_armed(&mut self) {
        let Ok(armed) = self.armed.get_mut() else { return };
        if let Some(expect) = armed.expect.take() {
            self.expect = expect;
        }
        if !armed.read_first.is_empty() {
            self.injected.drain(..self.offset);
            self.offset = 0;
            self.injected.append(&mut armed.read_first);
        }
    }

    /// Look at what is held: pass on what is for the server, answer or drop what is ours.
    fn sort_held(&mut self) {
        match std::mem::take(&mut self.expect) {
            Expect::Nothing => self.unsent.append(&mut self.held),
            Expect::Header => match header_end(&self.held) {
                Some(end) => {
                    self.unsent.extend_from_slice(&self.held[end..]);
                    self.held.clear();
                }
                None => self.expect = Expect::Header,
            },
            Expect::BindRequest(jid) => match find(&self.held, b"</iq>") {
                Some(at) if find(&self.held[..at], BIND_REQUEST_ID.as_bytes()).is_some() => {
                    let end = at + b"</iq>".len();
                    self.unsent.extend_from_slice(&self.held[end..]);
                    self.held.clear();
                    self.injected.extend_from_slice(bind_result(&jid).as_bytes());
                }
                Some(_) => self.unsent.append(&mut self.held),
                None if self.held.len() > MAX_BIND_REQUEST => self.unsent.append(&mut self.held),
                None => self.expect = Expect::BindRequest(jid),
            },
        }
    }
}

impl<Io: AsyncWrite + Unpin> Splice<Io> {
    /// Send what is unsent; ready once it all went.
    fn poll_send_unsent(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.unsent.is_empty() {
            let written =
                std::task::ready!(Pin::new(&mut self.inner).poll_write(cx, &self.unsent))?;
            if written == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.unsent.drain(..written);
        }
        Poll::Ready(Ok(()))
    }
}

impl<Io: AsyncRead + Unpin> AsyncRead for Splice<Io> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.take_armed();
        if this.offset < this.injected.len() {
            let n = buf.remaining().min(this.injected.len() - this.offset);
            buf.put_slice(&this.injected[this.offset..this.offset + n]);
            this.offset += n;
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl<Io: AsyncBufRead + Unpin> AsyncBufRead for Splice<Io> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        this.take_armed();
        if this.offset < this.injected.len() {
            return Poll::Ready(Ok(&this.injected[this.offset..]));
        }
        Pin::new(&mut this.inner).poll_fill_buf(cx)
    }

    fn consume(self: Pin<&mut Self>, amount: usize) {
        let this = self.get_mut();
        if this.offset < this.injected.len() {
            this.offset = (this.offset + amount).min(this.injected.len());
            if this.offset == this.injected.len() {
                this.injected.clear();
                this.offset = 0;
            }
        } else {
            Pin::new(&mut this.inner).consume(amount);
        }
    }
}

impl<Io: AsyncWrite + Unpin> AsyncWrite for Splice<Io> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.take_armed();
        std::task::ready!(this.poll_send_unsent(cx))?;
        if matches!(this.expect, Expect::Nothing) {
            return Pin::new(&mut this.inner).poll_write(cx, buf);
        }
        this.held.extend_from_slice(buf);
        this.sort_held();
        // What sorting passed on goes with the next write or flush; this one is taken.
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.take_armed();
        std::task::ready!(this.poll_send_unsent(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        std::task::ready!(this.poll_send_unsent(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

/// Where a written stream header ends: after the `>` that closes `<stream:stream …`.
fn header_end(written: &[u8]) -> Option<usize> {
    let start = find(written, b"<stream:stream")?;
    let close = written[start..].iter().position(|b| *b == b'>')?;
    Some(start + close + 1)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The server's answer to a bind request, for an address it bound during the login.
fn bind_result(jid: &str) -> String {
    format!(
        "<iq xmlns='jabber:client' type='result' id='{BIND_REQUEST_ID}'>\
         <bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>{}</jid></bind></iq>",
        escape(jid)
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufStream};

    async fn pair() -> (Splice<BufStream<tokio::io::DuplexStream>>, tokio::io::DuplexStream) {
        let (ours, server) = tokio::io::duplex(64 * 1024);
        (Splice::new(BufStream::new(ours)), server)
    }

    async fn received(server: &mut tokio::io::DuplexStream) -> String {
        let mut buf = vec![0; 4096];
        let n = tokio::time::timeout(std::time::Duration::from_millis(200), server.read(&mut buf))
            .await
            .map_or(0, |r| r.unwrap_or(0));
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }

    #[tokio::test]
    async fn an_unseen_restart_keeps_the_header_from_the_server_and_reads_ours_first() {
        let (mut splice, mut server) = pair().await;
        server.write_all(b"<message/>").await.expect("server writes");
        splice.restart_unseen("<stream:stream id='x'>".into());
        splice
            .write_all(b"<?xml version='1.0'?><stream:stream to='a' version='1.0'>")
            .await
            .expect("header taken");
        splice.flush().await.expect("flushed");
        splice.write_all(b"<presence/>").await.expect("written");
        splice.flush().await.expect("flushed");
        assert_eq!(received(&mut server).await, "<presence/>");
        let mut read = String::new();
        while !read.ends_with("<message/>") {
            let chunk = splice.fill_buf().await.expect("read");
            let n = chunk.len();
            read.push_str(&String::from_utf8_lossy(chunk));
            Pin::new(&mut splice).consume(n);
        }
        assert_eq!(read, "<stream:stream id='x'><message/>");
    }

    #[tokio::test]
    async fn a_header_written_in_pieces_is_still_kept_back() {
        let (mut splice, mut server) = pair().await;
        splice.restart_unseen(String::new());
        for piece in ["<?xml version='1.0'?><stream:str", "eam to='a'", ">"] {
            splice.write_all(piece.as_bytes()).await.expect("written");
        }
        splice.write_all(b"<r/>").await.expect("written");
        splice.flush().await.expect("flushed");
        assert_eq!(received(&mut server).await, "<r/>");
    }

    #[tokio::test]
    async fn the_bind_request_is_answered_with_the_bound_address_and_not_sent() {
        let (mut splice, mut server) = pair().await;
        splice.answer_bind("me@example.org/Confab~x<y".into());
        splice
            .write_all(
                b"<iq xmlns=\"jabber:client\" type=\"set\" id=\"resource-binding\">\
                  <bind xmlns=\"urn:ietf:params:xml:ns:xmpp-bind\"/></iq><enable/>",
            )
            .await
            .expect("written");
        splice.flush().await.expect("flushed");
        assert_eq!(received(&mut server).await, "<enable/>");
        let answer = String::from_utf8_lossy(splice.fill_buf().await.expect("read")).into_owned();
        assert!(answer.contains("<jid>me@example.org/Confab~x&lt;y</jid>"), "{answer}");
        assert!(answer.contains("id='resource-binding'"), "{answer}");
    }

    #[tokio::test]
    async fn something_else_than_a_bind_request_goes_to_the_server() {
        let (mut splice, mut server) = pair().await;
        splice.answer_bind("me@example.org/r".into());
        splice.write_all(b"<iq id='other'><query/></iq>").await.expect("written");
        splice.flush().await.expect("flushed");
        assert_eq!(received(&mut server).await, "<iq id='other'><query/></iq>");
    }

    #[tokio::test]
    async fn a_write_that_never_ends_a_bind_request_is_passed_on_past_the_bound() {
        let (mut splice, mut server) = pair().await;
        splice.answer_bind("me@example.org/r".into());
        let long = vec![b'a'; MAX_BIND_REQUEST + 1];
        splice.write_all(&long).await.expect("written");
        splice.flush().await.expect("flushed");
        let mut got = vec![0; long.len()];
        server.read_exact(&mut got).await.expect("all of it arrives");
        assert_eq!(got, long);
    }
}
