//! XEP-0124 `<body/>` wrappers: the requests Confab sends, and the server's answers read just
//! far enough to know what they say about the session. The stanzas inside an answer are not
//! parsed here; they go on, as bytes, to the parser guard and tokio-xmpp, as on TCP.

use crate::worker::units::escape;
use std::fmt::Write;
use xmpp_parsers::minidom::Element;

pub const HTTPBIND_NS: &str = "http://jabber.org/protocol/httpbind";
const XBOSH_NS: &str = "urn:xmpp:xbosh";
/// What Confab asks the server to hold a request for, in seconds (XEP-0124 §7.1).
pub const WAIT_SECONDS: u64 = 60;

/// The session creation request (XEP-0124 §7.1, XEP-0206 §5).
pub fn create(rid: u64, to: &str) -> String {
    format!(
        "<body xmlns='{HTTPBIND_NS}' xmlns:xmpp='{XBOSH_NS}' content='text/xml; charset=utf-8' \
         hold='1' rid='{rid}' to='{to}' ver='1.11' wait='{WAIT_SECONDS}' xml:lang='en' \
         xmpp:version='1.0'/>"
    )
}

/// XEP-0206 §5: the stream restart after authentication.
pub fn restart(rid: u64, sid: &str, to: &str) -> String {
    format!(
        "<body xmlns='{HTTPBIND_NS}' xmlns:xmpp='{XBOSH_NS}' rid='{rid}' sid='{}' to='{to}' \
         xml:lang='en' xmpp:restart='true'/>",
        escape(sid)
    )
}

/// A request carrying `payload` (whole elements, possibly none: an empty poll); `terminate`
/// ends the session after them (XEP-0124 §13).
pub fn carrying(rid: u64, sid: &str, payload: &[String], terminate: bool) -> String {
    let size = payload.iter().map(String::len).sum::<usize>();
    let mut body = String::with_capacity(size + 128);
    let _ = write!(body, "<body xmlns='{HTTPBIND_NS}' rid='{rid}' sid='{}'", escape(sid));
    if terminate {
        body.push_str(" type='terminate'");
    }
    if payload.is_empty() {
        body.push_str("/>");
        return body;
    }
    body.push('>');
    for element in payload {
        body.push_str(element);
    }
    body.push_str("</body>");
    body
}

/// What an answer says about the session, and the stanzas it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub sid: Option<String>,
    /// `type='terminate'`: the server ended the session, with this condition if it gave one.
    pub terminated: Option<Option<String>>,
    /// The stream id (`authid`) and the server's address, given at session creation.
    pub authid: Option<String>,
    pub from: Option<String>,
    /// How many requests may be open at once, given at session creation.
    pub requests: Option<u32>,
    /// The highest request id the server says it has received (XEP-0124 §9).
    pub ack: Option<u64>,
    /// The elements inside, still as bytes.
    pub payload: Vec<u8>,
}

/// Read an answer: a `<body/>` in the httpbind namespace, or why it is not one.
pub fn read(bytes: &[u8]) -> Result<Answer, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "an answer that is not UTF-8".to_owned())?;
    let mut rest = text.trim_start();
    if rest.starts_with("<?") {
        let end = rest.find("?>").ok_or("an unfinished XML declaration")?;
        rest = rest[end + 2..].trim_start();
    }
    if !rest.starts_with("<body") {
        return Err(format!("not a BOSH answer (it begins “{}”)", preview(rest)));
    }
    let tag_end = start_tag_end(rest).ok_or("an unfinished <body> tag")?;
    let (tag, inner) = rest.split_at(tag_end + 1);
    let empty = tag.ends_with("/>");
    let lone = if empty { tag.to_owned() } else { format!("{}/>", &tag[..tag.len() - 1]) };
    let element: Element = lone.parse().map_err(|e| format!("a <body> that is not XML ({e})"))?;
    if element.ns() != HTTPBIND_NS {
        return Err("a <body> from another namespace than XEP-0124's".into());
    }
    let payload = if empty {
        if !inner.trim().is_empty() {
            return Err("something after the end of the answer".into());
        }
        Vec::new()
    } else {
        let inner = inner.trim_end();
        let inner = inner.strip_suffix("</body>").ok_or("an answer without its </body>")?;
        inner.as_bytes().to_vec()
    };
    let terminated = (element.attr("type") == Some("terminate"))
        .then(|| element.attr("condition").map(str::to_owned));
    Ok(Answer {
        sid: element.attr("sid").map(str::to_owned),
        terminated,
        authid: element.attr("authid").map(str::to_owned),
        from: element.attr("from").map(str::to_owned),
        requests: element.attr("requests").and_then(|v| v.trim().parse().ok()),
        ack: element.attr("ack").and_then(|v| v.trim().parse().ok()),
        payload,
    })
}

/// The index of the `>` that ends the start tag at the beginning of `text`, outside quotes.
fn start_tag_end(text: &str) -> Option<usize> {
    let mut quote = None;
    for (i, b) in text.bytes().enumerate() {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'\'' | b'"') => quote = Some(b),
            (None, b'>') => return Some(i),
            (None, _) => {}
        }
    }
    None
}

fn preview(text: &str) -> String {
    text.chars().take(40).collect()
}
