//! RFC 7395 framing, translated to and from the byte stream tokio-xmpp reads and writes, so
//! that its XML stream, SASL and stream management run over WebSocket unchanged.
//!
//! Outgoing bytes are our own writer's output (rxml): a declaration, the stream header, whole
//! elements and the footer, never comments or CDATA. They arrive in arbitrary pieces (the
//! buffered writer merges and splits them), so [`Outgoing`] scans tags, counting depth, and
//! turns each top-level unit into one frame: the header becomes `<open/>`, each element one
//! frame with its namespace declared, the footer `<close/>`.
//!
//! Incoming frames are the server's: [`incoming`] turns `<open/>` back into a stream header
//! and `<close/>` into the footer, and passes every other frame through. What they contain is
//! checked above this, by the parser guard, as on TCP.

use std::collections::VecDeque;
use std::io;
use xmpp_parsers::minidom::Element;

pub const FRAMING_NS: &str = "urn:ietf:params:xml:ns:xmpp-framing";
const STREAM_NS: &str = "http://etherx.jabber.org/streams";
const ROOT: &[u8] = b"stream:stream";

/// Turns our stream's bytes into frames.
#[derive(Debug, Default)]
pub struct Outgoing {
    /// Bytes not yet part of a finished tag or text run.
    pending: Vec<u8>,
    /// Inside a tag: how far `pending` has been scanned, and the open quote there.
    in_tag: bool,
    scanned: usize,
    quote: Option<u8>,
    /// The top-level element being collected, and its depth so far.
    element: Vec<u8>,
    depth: usize,
}

impl Outgoing {
    /// Take `bytes` and append every frame they complete to `frames`.
    pub fn push(&mut self, bytes: &[u8], frames: &mut VecDeque<String>) -> io::Result<()> {
        self.pending.extend_from_slice(bytes);
        loop {
            if !self.in_tag {
                let text_end = self.pending.iter().position(|&b| b == b'<');
                let text = text_end.unwrap_or(self.pending.len());
                if self.depth > 0 {
                    self.element.extend_from_slice(&self.pending[..text]);
                } else if self.pending[..text].iter().any(|b| !b.is_ascii_whitespace()) {
                    return Err(invalid("text outside any element"));
                }
                self.pending.drain(..text);
                if text_end.is_none() {
                    return Ok(());
                }
                self.in_tag = true;
                self.scanned = 1;
                self.quote = None;
            }
            let Some(end) = self.tag_end() else {
                self.scanned = self.pending.len();
                return Ok(());
            };
            let tag: Vec<u8> = self.pending.drain(..=end).collect();
            self.in_tag = false;
            self.take_tag(&tag, frames)?;
        }
    }

    /// The index of the `>` closing the tag at the start of `pending`, outside quoted values.
    fn tag_end(&mut self) -> Option<usize> {
        for (i, &b) in self.pending.iter().enumerate().skip(self.scanned) {
            match (self.quote, b) {
                (Some(q), _) if b == q => self.quote = None,
                (Some(_), _) => {}
                (None, b'\'' | b'"') => self.quote = Some(b),
                (None, b'>') => return Some(i),
                (None, _) => {}
            }
        }
        None
    }

    fn take_tag(&mut self, tag: &[u8], frames: &mut VecDeque<String>) -> io::Result<()> {
        let declaration = tag.starts_with(b"<?");
        let end = tag.starts_with(b"</");
        let empty = tag.ends_with(b"/>");
        if self.depth == 0 {
            if declaration {
                // A stream (re)start: the frame for the header carries no declaration.
                return Ok(());
            }
            if end {
                if name(tag) != ROOT {
                    return Err(invalid("an end tag outside any element"));
                }
                frames.push_back(format!("<close xmlns='{FRAMING_NS}'/>"));
                return Ok(());
            }
            if name(tag) == ROOT {
                frames.push_back(open_frame(tag));
                return Ok(());
            }
            self.element = with_namespaces(tag);
            if empty {
                frames.push_back(finish(std::mem::take(&mut self.element))?);
            } else {
                self.depth = 1;
            }
            return Ok(());
        }
        self.element.extend_from_slice(tag);
        if end {
            self.depth -= 1;
            if self.depth == 0 {
                frames.push_back(finish(std::mem::take(&mut self.element))?);
            }
        } else if !empty && !declaration {
            self.depth += 1;
        }
        Ok(())
    }
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("cannot frame for WebSocket: {what}"))
}

fn finish(element: Vec<u8>) -> io::Result<String> {
    String::from_utf8(element).map_err(|_| invalid("an element that is not UTF-8"))
}

/// The tag's name: after `<` or `</`, up to white space, `/` or `>`.
fn name(tag: &[u8]) -> &[u8] {
    let start = if tag.starts_with(b"</") { 2 } else { 1 };
    let rest = &tag[start..];
    let len = rest
        .iter()
        .position(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>')
        .unwrap_or(rest.len());
    &rest[..len]
}

/// A top-level start tag made to stand alone: the stream header declared `jabber:client` and
/// the `stream` prefix for everything under it, and a frame has no such parent.
fn with_namespaces(tag: &[u8]) -> Vec<u8> {
    let name = name(tag);
    let mut declared = Vec::new();
    if attribute(tag, "xmlns").is_none() {
        declared.extend_from_slice(b" xmlns='jabber:client'");
    }
    if name.starts_with(b"stream:") && attribute(tag, "xmlns:stream").is_none() {
        declared.extend_from_slice(format!(" xmlns:stream='{STREAM_NS}'").as_bytes());
    }
    let at = 1 + name.len();
    let mut out = Vec::with_capacity(tag.len() + declared.len());
    out.extend_from_slice(&tag[..at]);
    out.extend_from_slice(&declared);
    out.extend_from_slice(&tag[at..]);
    out
}

/// The raw (still escaped) value of attribute `wanted` in a start tag of our own writer.
fn attribute<'t>(tag: &'t [u8], wanted: &str) -> Option<&'t [u8]> {
    let mut i = 1 + name(tag).len();
    while i < tag.len() {
        let rest = &tag[i..];
        let skip = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let rest = &rest[skip..];
        let eq = rest.iter().position(|&b| b == b'=')?;
        let key = rest[..eq].trim_ascii();
        let quote = *rest.get(eq + 1)?;
        let value_start = eq + 2;
        let value_len = rest[value_start..].iter().position(|&b| b == quote)?;
        if key == wanted.as_bytes() {
            return Some(&rest[value_start..value_start + value_len]);
        }
        i += skip + value_start + value_len + 1;
    }
    None
}

/// RFC 7395 §3.3.1: the header's `to` and version, as an `<open/>` frame.
fn open_frame(header: &[u8]) -> String {
    let to = attribute(header, "to").map(String::from_utf8_lossy).unwrap_or_default();
    format!("<open xmlns='{FRAMING_NS}' to='{to}' version='1.0'/>")
}

/// What one frame from the server means for the byte stream.
#[derive(Debug, PartialEq, Eq)]
pub enum Incoming {
    Bytes(Vec<u8>),
    /// The server ends the stream, possibly sending us elsewhere (§3.6.1, `see-other-uri`).
    Close {
        see_other_uri: Option<String>,
    },
}

/// Translate one text frame from the server.
pub fn incoming(frame: &str) -> io::Result<Incoming> {
    let mut body = frame.trim_start();
    if body.starts_with("<?") {
        let end = body.find("?>").ok_or_else(|| invalid("an unfinished declaration"))?;
        body = body[end + 2..].trim_start();
    }
    let framing = body.starts_with("<open") || body.starts_with("<close");
    if !framing {
        return Ok(Incoming::Bytes(body.as_bytes().to_vec()));
    }
    let element: Element =
        body.parse().map_err(|e| invalid(&format!("a framing element that is not XML ({e})")))?;
    if element.ns() != FRAMING_NS {
        return Ok(Incoming::Bytes(body.as_bytes().to_vec()));
    }
    match element.name() {
        "open" => Ok(Incoming::Bytes(stream_header(&element).into_bytes())),
        "close" => {
            Ok(Incoming::Close { see_other_uri: element.attr("see-other-uri").map(str::to_owned) })
        }
        _ => Ok(Incoming::Bytes(body.as_bytes().to_vec())),
    }
}

/// The stream header tokio-xmpp expects, with what the server's `<open/>` said. Only the
/// attributes a header may carry are copied: tokio-xmpp refuses any other.
fn stream_header(open: &Element) -> String {
    let mut header = format!("<stream:stream xmlns='jabber:client' xmlns:stream='{STREAM_NS}'");
    for name in ["from", "to", "id", "version"] {
        if let Some(value) = open.attr(name) {
            header.push_str(&format!(" {name}='{}'", escape(value)));
        }
    }
    if let Some(lang) = open.attr_ns("http://www.w3.org/XML/1998/namespace", "lang") {
        header.push_str(&format!(" xml:lang='{}'", escape(lang)));
    }
    header.push('>');
    header
}

fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&apos;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
