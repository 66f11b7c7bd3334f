//! Our own stream's bytes, cut into what the HTTP transports send one by one: the stream
//! header, each top-level element with its namespaces declared, and the stream's end.
//!
//! The bytes are our own writer's output (rxml): a declaration, the stream header, whole
//! elements and the footer, never comments or CDATA. They arrive in arbitrary pieces (the
//! buffered writer merges and splits them), so [`Outgoing`] scans tags, counting depth.
//! WebSocket sends each unit as a frame (RFC 7395); BOSH wraps units in `<body/>` requests
//! (XEP-0124).

use std::collections::VecDeque;
use std::io;

const STREAM_NS: &str = "http://etherx.jabber.org/streams";
const ROOT: &[u8] = b"stream:stream";

/// One top-level piece of our stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unit {
    /// The stream header (a start or a restart), addressed to `to` (still escaped).
    Open { to: String },
    /// One whole element, standing alone.
    Element(String),
    /// The stream's end.
    Close,
}

/// Cuts our stream's bytes into top-level units.
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
    /// Take `bytes` and append every unit they complete to `units`.
    pub fn push(&mut self, bytes: &[u8], units: &mut VecDeque<Unit>) -> io::Result<()> {
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
            self.take_tag(&tag, units)?;
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

    fn take_tag(&mut self, tag: &[u8], units: &mut VecDeque<Unit>) -> io::Result<()> {
        let declaration = tag.starts_with(b"<?");
        let end = tag.starts_with(b"</");
        let empty = tag.ends_with(b"/>");
        if self.depth == 0 {
            if declaration {
                // A stream (re)start: the unit for the header carries no declaration.
                return Ok(());
            }
            if end {
                if name(tag) != ROOT {
                    return Err(invalid("an end tag outside any element"));
                }
                units.push_back(Unit::Close);
                return Ok(());
            }
            if name(tag) == ROOT {
                let to = attribute(tag, "to").map(String::from_utf8_lossy).unwrap_or_default();
                units.push_back(Unit::Open { to: to.into_owned() });
                return Ok(());
            }
            self.element = with_namespaces(tag);
            if empty {
                units.push_back(Unit::Element(finish(std::mem::take(&mut self.element))?));
            } else {
                self.depth = 1;
            }
            return Ok(());
        }
        self.element.extend_from_slice(tag);
        if end {
            self.depth -= 1;
            if self.depth == 0 {
                units.push_back(Unit::Element(finish(std::mem::take(&mut self.element))?));
            }
        } else if !empty && !declaration {
            self.depth += 1;
        }
        Ok(())
    }
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("cannot cut our own stream into stanzas: {what}"),
    )
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
/// the `stream` prefix for everything under it, and a unit has no such parent.
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
pub fn attribute<'t>(tag: &'t [u8], wanted: &str) -> Option<&'t [u8]> {
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

/// A stream header as tokio-xmpp expects it, made from what the server said in its transport's
/// own terms. Only the attributes a header may carry are given: tokio-xmpp refuses any other.
pub fn stream_header(fields: &[(&str, Option<&str>)]) -> String {
    let mut header = format!("<stream:stream xmlns='jabber:client' xmlns:stream='{STREAM_NS}'");
    for (name, value) in fields {
        if let Some(value) = value {
            header.push_str(&format!(" {name}='{}'", escape(value)));
        }
    }
    header.push('>');
    header
}

pub fn escape(value: &str) -> String {
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
