//! Where log lines go (standard error) and what they may never say. `CONFAB_LOG` chooses how
//! much is logged (tracing's filter syntax), with two rules on top that no setting lifts:
//!
//! - The XML stream's own trace (tokio-xmpp's `SEND …`/`RECV …` lines and the parser crates
//!   under it) is not logged: it holds the SASL `<auth>` payload, which for PLAIN is the
//!   password in base64, and everything strangers send, byte for byte. Those crates log at
//!   most at debug level, and asking for less than trace there also stops tokio-xmpp from
//!   keeping a copy of every byte read for the trace.
//! - Every line is written through [`redact`], which blanks the text of the elements that
//!   carry secrets, should any other line quote the stream.

use std::borrow::Cow;
use std::io;
use tracing::Subscriber;
use tracing_subscriber::filter::{EnvFilter, FilterExt, LevelFilter, Targets};
use tracing_subscriber::fmt::{self, MakeWriter};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{Layer, prelude::*};

/// The environment variable with the log filter.
pub const LOG_ENV: &str = "CONFAB_LOG";

/// Crates that log the raw XML stream at trace level, held at [`RAW_STREAM_MAX`].
const RAW_STREAM_TARGETS: &[&str] = &["tokio_xmpp", "xso", "rxml"];

/// The most those crates may log: their debug lines say what happens, not what was sent.
const RAW_STREAM_MAX: LevelFilter = LevelFilter::DEBUG;

/// Elements whose text is a secret: SASL's `<auth>` and `<response>` (RFC 6120 §6.4.2–3),
/// SASL2's `<initial-response>` (XEP-0388), and `<password>` (in-band registration and
/// password changes, XEP-0077; room passwords, XEP-0045).
const SECRET_ELEMENTS: &[&str] = &["auth", "response", "initial-response", "password"];

/// What a secret's text is replaced with.
const REDACTED: &str = "[redacted]";

/// Logs to standard error, filtered by `CONFAB_LOG` (default: warnings), under the rules above.
pub fn init() {
    let filter = EnvFilter::try_from_env(LOG_ENV).unwrap_or_else(|_| EnvFilter::new("warn"));
    tracing_subscriber::registry().with(layer(filter, io::stderr)).init();
}

/// The formatting layer: `filter` and the raw stream's cap, writing redacted lines to `writer`.
fn layer<S, W>(filter: EnvFilter, writer: W) -> impl Layer<S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let raw_stream = RAW_STREAM_TARGETS
        .iter()
        .fold(Targets::new().with_default(LevelFilter::TRACE), |targets, target| {
            targets.with_target(*target, RAW_STREAM_MAX)
        });
    fmt::layer().with_writer(Redacting(writer)).with_filter(filter.and(raw_stream))
}

/// Makes writers that pass each line through [`redact`].
struct Redacting<W>(W);

impl<'a, W: MakeWriter<'a>> MakeWriter<'a> for Redacting<W> {
    type Writer = RedactingWriter<W::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter(self.0.make_writer())
    }
}

/// Writes redacted text. The formatter hands over each line whole, in one write.
struct RedactingWriter<W>(W);

impl<W: io::Write> io::Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(redact(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// `text` with the text inside each secret element (with or without a namespace prefix)
/// replaced by `[redacted]`, up to the next tag or the end of the text. One pass.
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut copied = 0;
    let mut at = 0;
    while let Some(found) = text[at..].find('<') {
        let open = at + found;
        at = open + 1;
        let Some(content) = secret_content_start(&text[open..]) else { continue };
        let content = open + content;
        let end = text[content..].find('<').map_or(text.len(), |i| content + i);
        if end > content {
            out.push_str(&text[copied..content]);
            out.push_str(REDACTED);
            copied = end;
        }
        at = end;
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Where the text starts in `tag` (which starts with `<`) when it opens a secret element and
/// is not empty (`<auth/>`).
fn secret_content_start(tag: &str) -> Option<usize> {
    let name_end = tag[1..]
        .find(|c: char| !(c.is_alphanumeric() || matches!(c, ':' | '-' | '_' | '.')))
        .map_or(tag.len(), |i| i + 1);
    let name = &tag[1..name_end];
    let local = name.rsplit(':').next().unwrap_or(name);
    if !SECRET_ELEMENTS.contains(&local) {
        return None;
    }
    // A `<` before the `>` means this was no tag; stopping there keeps the whole pass linear.
    let close = name_end + tag[name_end..].find(['<', '>'])?;
    (tag[close..].starts_with('>') && !tag[..close].ends_with('/')).then_some(close + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn a_plain_auth_line_loses_its_password() {
        let line = "2026-12-04T14:00:00.123456Z TRACE tokio_xmpp::xmlstream::capture: SEND \
                    <auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>\
                    AGFsaWNlAGNvcnJlY3QgaG9yc2U=</auth>\n";
        let redacted = redact(line);
        assert!(!redacted.contains("AGFsaWNl"), "{redacted}");
        assert!(redacted.ends_with("mechanism='PLAIN'>[redacted]</auth>\n"), "{redacted}");
    }

    #[test]
    fn every_secret_element_is_redacted_and_the_rest_kept() {
        let cases = [
            ("<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>Yz1iaXdz</response>", "Yz1iaXdz"),
            ("<initial-response>AGJvYgBwdw==</initial-response>", "AGJvYgBwdw"),
            (
                "<query xmlns='jabber:iq:register'><username>bob</username><password>hunter2</password></query>",
                "hunter2",
            ),
            (
                "<x xmlns='http://jabber.org/protocol/muc'><password>room secret</password></x>",
                "room secret",
            ),
            ("<sasl:auth mechanism='PLAIN'>AGJvYgBwdw==</sasl:auth>", "AGJvYgBwdw"),
            ("SEND <auth mechanism='PLAIN'>AGJvYgBwdw== (cut)", "AGJvYgBwdw"),
        ];
        for (line, secret) in cases {
            let redacted = redact(line);
            assert!(!redacted.contains(secret), "{redacted}");
            assert!(redacted.contains(REDACTED), "{redacted}");
        }
        let kept = "<authenticate/> <auth/> <response/> <message><body>password: none</body>";
        assert_eq!(redact(kept), kept);
        assert_eq!(
            redact("<password>a</password> and <password>b</password>"),
            "<password>[redacted]</password> and <password>[redacted]</password>"
        );
        assert_eq!(redact("no <markup at all"), "no <markup at all");
    }

    #[test]
    fn a_megabyte_of_tags_is_redacted_in_one_pass() {
        let line = "<auth>x".repeat(150_000);
        assert_eq!(redact(&line), "<auth>[redacted]".repeat(150_000));
        for unclosed in ["<".repeat(1 << 20), "<auth ".repeat(150_000)] {
            assert_eq!(redact(&unclosed), unclosed);
        }
    }

    /// What `layer` writes when these events are logged with the filter `trace`.
    fn logged(events: impl FnOnce()) -> String {
        let captured = Arc::new(Mutex::new(Vec::new()));
        let sink = Sink(Arc::clone(&captured));
        let layer = layer(EnvFilter::new("trace"), move || sink.clone());
        tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), events);
        let bytes = captured.lock().expect("the log").clone();
        String::from_utf8(bytes).expect("text")
    }

    #[derive(Clone)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().expect("the log").extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_raw_stream_is_not_logged_even_at_trace_level() {
        let log = logged(|| {
            tracing::trace!(
                target: "tokio_xmpp::xmlstream::capture",
                "SEND <auth mechanism='PLAIN'>AGFsaWNlAHMzY3JldA==</auth>"
            );
            tracing::trace!(target: "rxml::parser", "raw bytes");
            tracing::debug!(target: "tokio_xmpp::stanzastream", "reconnecting");
            tracing::trace!(target: "confab::worker", "our trace <password>pw</password>");
        });
        assert!(!log.contains("AGFsaWNl"), "{log}");
        assert!(!log.contains("raw bytes"), "{log}");
        assert!(log.contains("reconnecting"), "debug lines stay: {log}");
        assert!(log.contains("our trace <password>[redacted]</password>"), "{log}");
    }
}
