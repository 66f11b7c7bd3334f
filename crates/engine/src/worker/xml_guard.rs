//! The parser guard: every byte read from the network passes a small lexer before the XML
//! parser sees it, so no stanza can make the parser recurse without bound or hold an unbounded
//! element in memory.
//!
//! Two limits, chosen so that no legitimate stanza comes near them:
//! - **Depth.** An element nested deeper than [`MAX_DEPTH`] (the stream root counts as 1, a
//!   stanza as 2, a MAM result's inner body as 6) is cut out whole, start tag to end tag, and the
//!   parser sees the rest of the stanza, still well-formed. A stranger's 8,000-deep presence
//!   thus arrives as a presence with an empty extension: nothing crashes, nothing reconnects,
//!   and stream management counts the stanza like any other, so a resumed stream does not
//!   replay it. (Closing the stream instead, as first planned, would loop: the server replays
//!   unacknowledged stanzas on resumption and re-delivers stored ones at each login.)
//! - **Size.** A top-level element (a stanza, or the stream header) larger than
//!   [`MAX_STANZA_BYTES`], counted on the wire including any part cut out for depth, ends the
//!   stream: the guard writes a `policy-violation` stream error and every later read fails, so
//!   the account reconnects. The limit is four times the stanza limits Prosody (256 KiB) and
//!   ejabberd (256 KiB) enforce by default, so a server relays nothing that reaches it.
//!
//! One repair, because the lexer is where it can be made: XEP-0198 lets a server answer a
//! failed resumption with `<failed/>` and no `h` attribute (ejabberd 23.01 does, after a
//! restart or once the session expired), and xmpp-parsers 0.23 refuses that element. tokio-xmpp
//! then took the stream for broken and tried to resume again at once, forever, never logging
//! in. A top-level `failed` without `h` gets `h='0'`: tokio-xmpp uses the count only to drop
//! stanzas already acknowledged, and a count lower than what it knows is ignored.
//!
//! The lexer understands just enough XML to count elements: tags with quoted attribute values,
//! self-closing tags, end tags, CDATA sections, comments, processing instructions and
//! declarations. It holds a few bytes of state, whatever the input.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Deepest element the parser is shown; anything below it is cut out.
pub const MAX_DEPTH: usize = 32;
/// Largest top-level element taken from the network.
pub const MAX_STANZA_BYTES: usize = 1024 * 1024;
/// Bytes read from the connection at a time.
const READ_CHUNK: usize = 16 * 1024;
/// What the guard says to the server before it stops reading (RFC 6120 §4.9.3.14).
const POLICY_VIOLATION: &[u8] = b"<stream:error><policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>stanza too large</text></stream:error></stream:stream>";

/// Why the guard stopped a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub bytes: usize,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the server sent a stanza of more than {} bytes ({} so far); the connection was closed",
            MAX_STANZA_BYTES, self.bytes
        )
    }
}

impl std::error::Error for Violation {}

/// Shared between a connector and the streams it opened: the last violation, if any, so that
/// the next attempt can wait and say why.
#[derive(Debug, Clone, Default)]
pub struct Tripwire(Arc<Mutex<Option<Violation>>>);

impl Tripwire {
    fn trip(&self, violation: Violation) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(violation);
        }
    }

    /// The violation since the last call, if any.
    pub fn take(&self) -> Option<Violation> {
        self.0.lock().ok().and_then(|mut slot| slot.take())
    }
}

/// Where the lexer is inside the markup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lex {
    Text,
    /// Just after `<`; the next byte says what follows.
    Open,
    StartTag {
        quote: Option<u8>,
        slash: bool,
    },
    EndTag {
        quote: Option<u8>,
    },
    /// After `<!`: a comment, CDATA or a declaration, told apart by the next byte.
    Bang,
    /// `<!-` seen; a second `-` starts a comment.
    BangDash,
    /// Inside `<!-- … -->`, counting the dashes just seen.
    Comment {
        dashes: u8,
    },
    /// Inside `<![CDATA[ … ]]>` (the `[CDATA[` itself included), counting closing brackets.
    Cdata {
        brackets: u8,
    },
    /// Inside `<? … ?>`.
    Instruction {
        question: bool,
    },
    /// Inside `<!DOCTYPE …>` or another declaration.
    Declaration {
        quote: Option<u8>,
    },
}

/// The byte-level state of one stream: depth, the element being cut out, the size so far.
#[derive(Debug)]
pub struct XmlGuard {
    lex: Lex,
    depth: usize,
    /// The depth at which the element being cut out started; output resumes when back to it.
    cutting_at: Option<usize>,
    /// Bytes since the current top-level element started (or the last one ended).
    element_bytes: usize,
    /// The first bytes of the current start tag's name, to recognise a stream root, and the
    /// name's whole length (a longer name is never a stream header, whatever it starts with).
    name: [u8; 16],
    name_len: usize,
    naming: bool,
    /// Stream headers still taken as a new root: the first and the restarts after STARTTLS
    /// and SASL. Any more are ordinary elements, so that they cannot hide nesting.
    roots_left: u8,
    /// The start tag being read is a top-level `failed` (see the module comment).
    repairing: bool,
    /// It has an `h` attribute already.
    has_h: bool,
    /// The last two bytes of the tag outside quoted values, to recognise ` h=`.
    recent: [u8; 2],
}

impl Default for XmlGuard {
    fn default() -> Self {
        Self {
            lex: Lex::Text,
            depth: 0,
            cutting_at: None,
            element_bytes: 0,
            name: [0; 16],
            name_len: 0,
            naming: false,
            roots_left: 3,
            repairing: false,
            has_h: false,
            recent: [0; 2],
        }
    }
}

impl XmlGuard {
    /// Lex `input`, appending to `out` what the parser may see.
    pub fn filter(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), Violation> {
        let mut i = 0;
        while i < input.len() {
            if self.lex == Lex::Text {
                let run = input[i..].iter().position(|&b| b == b'<').unwrap_or(input.len() - i);
                if run > 0 {
                    if self.cutting_at.is_none() {
                        out.extend_from_slice(&input[i..i + run]);
                    }
                    self.count(run)?;
                    i += run;
                    continue;
                }
            }
            let byte = input[i];
            self.count(1)?;
            self.step(byte, out);
            i += 1;
        }
        Ok(())
    }

    fn count(&mut self, bytes: usize) -> Result<(), Violation> {
        self.element_bytes = self.element_bytes.saturating_add(bytes);
        if self.element_bytes > MAX_STANZA_BYTES {
            return Err(Violation { bytes: self.element_bytes });
        }
        Ok(())
    }

    fn emit(&self, bytes: &[u8], out: &mut Vec<u8>) {
        if self.cutting_at.is_none() {
            out.extend_from_slice(bytes);
        }
    }

    /// One byte of markup (anything but plain text).
    fn step(&mut self, byte: u8, out: &mut Vec<u8>) {
        self.lex = match self.lex {
            Lex::Text => {
                // `filter` hands plain text over in runs, so only `<` arrives here.
                if self.depth <= 1 && self.cutting_at.is_none() {
                    self.element_bytes = 1;
                }
                Lex::Open
            }
            Lex::Open => self.open(byte, out),
            Lex::StartTag { quote, slash } if self.repairing => {
                self.repair_step(quote, slash, byte, out)
            }
            Lex::StartTag { quote, slash } => {
                self.emit(&[byte], out);
                self.name_byte(byte);
                match (quote, byte) {
                    (Some(q), b) if b == q => Lex::StartTag { quote: None, slash: false },
                    (Some(_), _) => Lex::StartTag { quote, slash: false },
                    (None, b'"' | b'\'') => Lex::StartTag { quote: Some(byte), slash: false },
                    (None, b'>') => {
                        self.close_start_tag(slash);
                        Lex::Text
                    }
                    (None, b'/') => Lex::StartTag { quote: None, slash: true },
                    (None, b) if b.is_ascii_whitespace() => Lex::StartTag { quote: None, slash },
                    (None, _) => Lex::StartTag { quote: None, slash: false },
                }
            }
            Lex::EndTag { quote } => {
                self.emit(&[byte], out);
                match (quote, byte) {
                    (Some(q), b) if b == q => Lex::EndTag { quote: None },
                    (Some(_), _) => Lex::EndTag { quote },
                    (None, b'"' | b'\'') => Lex::EndTag { quote: Some(byte) },
                    (None, b'>') => {
                        self.close_end_tag();
                        Lex::Text
                    }
                    (None, _) => Lex::EndTag { quote: None },
                }
            }
            Lex::Bang => {
                self.emit(&[byte], out);
                match byte {
                    b'-' => Lex::BangDash,
                    b'[' => Lex::Cdata { brackets: 0 },
                    b'>' => Lex::Text,
                    _ => Lex::Declaration { quote: None },
                }
            }
            Lex::BangDash => {
                self.emit(&[byte], out);
                match byte {
                    b'-' => Lex::Comment { dashes: 0 },
                    b'>' => Lex::Text,
                    _ => Lex::Declaration { quote: None },
                }
            }
            Lex::Comment { dashes } => {
                self.emit(&[byte], out);
                match byte {
                    b'-' => Lex::Comment { dashes: dashes.saturating_add(1) },
                    b'>' if dashes >= 2 => Lex::Text,
                    _ => Lex::Comment { dashes: 0 },
                }
            }
            Lex::Cdata { brackets } => {
                self.emit(&[byte], out);
                match byte {
                    b']' => Lex::Cdata { brackets: brackets.saturating_add(1) },
                    b'>' if brackets >= 2 => Lex::Text,
                    _ => Lex::Cdata { brackets: 0 },
                }
            }
            Lex::Instruction { question } => {
                self.emit(&[byte], out);
                match byte {
                    b'>' if question => Lex::Text,
                    b'?' => Lex::Instruction { question: true },
                    _ => Lex::Instruction { question: false },
                }
            }
            Lex::Declaration { quote } => {
                self.emit(&[byte], out);
                match (quote, byte) {
                    (Some(q), b) if b == q => Lex::Declaration { quote: None },
                    (Some(_), _) => Lex::Declaration { quote },
                    (None, b'"' | b'\'') => Lex::Declaration { quote: Some(byte) },
                    (None, b'>') => Lex::Text,
                    (None, _) => Lex::Declaration { quote: None },
                }
            }
        };
    }

    /// The byte after `<` decides what the markup is, and whether it is cut out.
    fn open(&mut self, byte: u8, out: &mut Vec<u8>) -> Lex {
        let next = match byte {
            b'/' => Lex::EndTag { quote: None },
            b'?' => Lex::Instruction { question: false },
            b'!' => Lex::Bang,
            _ => {
                if self.cutting_at.is_none() && self.depth >= MAX_DEPTH {
                    self.cutting_at = Some(self.depth);
                }
                self.name_len = 0;
                self.naming = true;
                self.name_byte(byte);
                Lex::StartTag { quote: None, slash: false }
            }
        };
        self.emit(&[b'<', byte], out);
        next
    }

    fn name_byte(&mut self, byte: u8) {
        if !self.naming {
            return;
        }
        if byte.is_ascii_whitespace() || byte == b'>' || byte == b'/' {
            self.naming = false;
            // Only a name followed by attributes: `<failed/>` would be a stanza error's, as an
            // SM `failed` always carries its namespace.
            let name = self.name.get(..self.name_len).unwrap_or_default();
            self.repairing = byte.is_ascii_whitespace() && self.depth == 1 && name == b"failed";
            self.has_h = false;
            self.recent = [byte, byte];
        } else {
            if let Some(slot) = self.name.get_mut(self.name_len) {
                *slot = byte;
            }
            self.name_len = self.name_len.saturating_add(1);
        }
    }

    /// A byte of a top-level `failed` start tag once its name is read: like any start tag,
    /// except that the closing `/` is held back, so `h='0'` can go in front of it when the tag
    /// has no `h`.
    fn repair_step(&mut self, quote: Option<u8>, slash: bool, byte: u8, out: &mut Vec<u8>) -> Lex {
        if let Some(q) = quote {
            self.emit(&[byte], out);
            let quote = if byte == q { None } else { quote };
            return Lex::StartTag { quote, slash: false };
        }
        let keeps_slash = slash && byte.is_ascii_whitespace();
        if slash && byte != b'>' && !keeps_slash {
            self.emit(b"/", out);
        }
        match byte {
            b'>' => {
                if !self.has_h {
                    self.emit(b" h='0'", out);
                }
                self.emit(if slash { b"/>" } else { b">" }, out);
                self.repairing = false;
                self.close_start_tag(slash);
                Lex::Text
            }
            b'/' => Lex::StartTag { quote: None, slash: true },
            _ => {
                self.emit(&[byte], out);
                if byte == b'=' && self.recent[1] == b'h' && self.recent[0].is_ascii_whitespace() {
                    self.has_h = true;
                }
                self.recent = [self.recent[1], byte];
                let quote = matches!(byte, b'"' | b'\'').then_some(byte);
                Lex::StartTag { quote, slash: keeps_slash }
            }
        }
    }

    fn is_stream_root(&self) -> bool {
        let Some(name) = self.name.get(..self.name_len) else { return false };
        name == b"stream" || name.ends_with(b":stream")
    }

    fn close_start_tag(&mut self, self_closing: bool) {
        self.naming = false;
        if self_closing {
            if self.cutting_at == Some(self.depth) {
                self.cutting_at = None;
            }
            self.end_of_element();
            return;
        }
        // A stream header opens a new root: at first, and again after STARTTLS or SASL on the
        // same connection while the old root was never closed. Inside a stanza it is just a name.
        if self.depth <= 1 && self.roots_left > 0 && self.is_stream_root() {
            self.roots_left -= 1;
            self.depth = 1;
            self.element_bytes = 0;
        } else {
            self.depth += 1;
        }
    }

    fn close_end_tag(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        if self.cutting_at == Some(self.depth) {
            self.cutting_at = None;
        }
        self.end_of_element();
    }

    /// Back at stream level: the next top-level element starts its own count.
    fn end_of_element(&mut self) {
        if self.depth <= 1 {
            self.element_bytes = 0;
        }
    }
}

/// A connection whose reads pass through an [`XmlGuard`]; writes pass unchanged.
pub struct Guarded<S> {
    inner: S,
    guard: XmlGuard,
    raw: Box<[u8]>,
    /// Guarded bytes not yet handed to the reader.
    ready: Vec<u8>,
    taken: usize,
    violation: Option<Violation>,
    tripwire: Tripwire,
    /// The policy-violation stream error still to be written, best effort.
    farewell: &'static [u8],
}

impl<S> Guarded<S> {
    pub fn new(inner: S, tripwire: Tripwire) -> Self {
        Self {
            tripwire,
            inner,
            guard: XmlGuard::default(),
            raw: vec![0; READ_CHUNK].into_boxed_slice(),
            ready: Vec::new(),
            taken: 0,
            violation: None,
            farewell: &[],
        }
    }

    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: AsyncWrite + Unpin> Guarded<S> {
    /// Tell the server why we stop, without waiting: the connection is given up either way.
    fn say_farewell(&mut self, cx: &mut Context<'_>) {
        while !self.farewell.is_empty() {
            match Pin::new(&mut self.inner).poll_write(cx, self.farewell) {
                Poll::Ready(Ok(n)) if n > 0 => self.farewell = &self.farewell[n..],
                _ => break,
            }
        }
        let _ = Pin::new(&mut self.inner).poll_flush(cx);
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for Guarded<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            if this.taken < this.ready.len() {
                let n = buf.remaining().min(this.ready.len() - this.taken);
                buf.put_slice(&this.ready[this.taken..this.taken + n]);
                this.taken += n;
                if this.taken == this.ready.len() {
                    this.ready.clear();
                    this.taken = 0;
                }
                return Poll::Ready(Ok(()));
            }
            if let Some(violation) = &this.violation {
                let error = io::Error::new(io::ErrorKind::InvalidData, violation.clone());
                return Poll::Ready(Err(error));
            }
            let mut raw = ReadBuf::new(&mut this.raw);
            ready!(Pin::new(&mut this.inner).poll_read(cx, &mut raw))?;
            let read = raw.filled();
            if read.is_empty() {
                return Poll::Ready(Ok(()));
            }
            if let Err(violation) = this.guard.filter(read, &mut this.ready) {
                tracing::warn!("closing the stream: {violation}");
                this.ready.clear();
                this.taken = 0;
                this.tripwire.trip(violation.clone());
                this.violation = Some(violation);
                this.farewell = POLICY_VIOLATION;
                this.say_farewell(cx);
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Guarded<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests;
