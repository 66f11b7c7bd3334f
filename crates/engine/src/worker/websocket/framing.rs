//! RFC 7395 framing, translated to and from the byte stream tokio-xmpp reads and writes, so
//! that its XML stream, SASL and stream management run over WebSocket unchanged.
//!
//! Outgoing, each unit of our stream ([`Unit`]) is one frame: the header becomes `<open/>`,
//! each element one frame, the footer `<close/>`.
//!
//! Incoming frames are the server's: [`incoming`] turns `<open/>` back into a stream header
//! and `<close/>` into the footer, and passes every other frame through. What they contain is
//! checked above this, by the parser guard, as on TCP.

use crate::worker::units::{Unit, stream_header};
use std::io;
use xmpp_parsers::minidom::Element;

pub const FRAMING_NS: &str = "urn:ietf:params:xml:ns:xmpp-framing";

/// The frame for one unit of our stream; RFC 7395 §3.3.1 for the header.
pub fn frame(unit: Unit) -> String {
    match unit {
        Unit::Open { to } => format!("<open xmlns='{FRAMING_NS}' to='{to}' version='1.0'/>"),
        Unit::Element(element) => element,
        Unit::Close => format!("<close xmlns='{FRAMING_NS}'/>"),
    }
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("a WebSocket frame with {what}"))
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
        "open" => Ok(Incoming::Bytes(header_from_open(&element).into_bytes())),
        "close" => {
            Ok(Incoming::Close { see_other_uri: element.attr("see-other-uri").map(str::to_owned) })
        }
        _ => Ok(Incoming::Bytes(body.as_bytes().to_vec())),
    }
}

/// The stream header tokio-xmpp expects, with what the server's `<open/>` said.
fn header_from_open(open: &Element) -> String {
    let lang = open.attr_ns("http://www.w3.org/XML/1998/namespace", "lang");
    let fields = [
        ("from", open.attr("from")),
        ("to", open.attr("to")),
        ("id", open.attr("id")),
        ("version", open.attr("version")),
        ("xml:lang", lang),
    ];
    stream_header(&fields)
}

#[cfg(test)]
mod tests;
