use super::*;

const HEADER: &str = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
    xmlns:stream='http://etherx.jabber.org/streams' from='confab.test' id='x1' version='1.0'>";

fn guard_all(input: &str) -> Result<String, Violation> {
    let mut out = Vec::new();
    XmlGuard::default().filter(input.as_bytes(), &mut out)?;
    Ok(String::from_utf8(out).expect("UTF-8 in, UTF-8 out"))
}

fn guard_bytewise(input: &str) -> String {
    let mut guard = XmlGuard::default();
    let mut out = Vec::new();
    for byte in input.as_bytes() {
        guard.filter(std::slice::from_ref(byte), &mut out).expect("within limits");
    }
    String::from_utf8(out).expect("UTF-8 in, UTF-8 out")
}

fn nested(depth: usize, inner: &str) -> String {
    format!("{}{inner}{}", "<a>".repeat(depth), "</a>".repeat(depth))
}

#[test]
fn ordinary_streams_pass_unchanged() {
    let stream = format!(
        "{HEADER}<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
         <mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>\
         <success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>{HEADER}\
         <message to='a@b/c' title=\"1 > 0 and / too\"><body>x &lt; y<![CDATA[ </a> <b> ]]>\
         </body><!-- <c> --><?pi <d>?></message> <presence/>\n</stream:stream>"
    );
    assert_eq!(guard_all(&stream).as_deref(), Ok(stream.as_str()));
    assert_eq!(guard_bytewise(&stream), stream);
}

#[test]
fn a_failed_resumption_without_a_count_gets_one() {
    let cases = [
        ("<failed xmlns='urn:xmpp:sm:3'/>", "<failed xmlns='urn:xmpp:sm:3' h='0'/>"),
        (
            "<failed xmlns=\"urn:xmpp:sm:3\" ><item-not-found \
             xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>",
            "<failed xmlns=\"urn:xmpp:sm:3\"  h='0'><item-not-found \
             xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>",
        ),
        ("<failed xmlns='a h=b' / >", "<failed xmlns='a h=b'   h='0'/>"),
    ];
    for (sent, repaired) in cases {
        let stream = format!("{HEADER}{sent}<presence/>");
        let expected = format!("{HEADER}{repaired}<presence/>");
        assert_eq!(guard_all(&stream).as_deref(), Ok(expected.as_str()), "{sent}");
        assert_eq!(guard_bytewise(&stream), expected, "{sent}");
    }
    let parsed: tokio_xmpp::minidom::Element =
        "<failed xmlns='urn:xmpp:sm:3' h='0'/>".parse().expect("xml");
    let failed = tokio_xmpp::parsers::sm::Failed::try_from(parsed).expect("accepted");
    assert_eq!(failed.h, Some(0));
}

#[test]
fn a_failed_with_a_count_or_inside_a_stanza_is_left_alone() {
    let stream = format!(
        "{HEADER}<failed h='7' xmlns='urn:xmpp:sm:3'/><failed xmlns='urn:xmpp:sm:3'\th='2'>\
         </failed><message><failed xmlns='urn:example'/></message><failed/>"
    );
    assert_eq!(guard_all(&stream).as_deref(), Ok(stream.as_str()));
    assert_eq!(guard_bytewise(&stream), stream);
}

#[test]
fn elements_below_the_depth_limit_are_cut_out_whole() {
    // The stream is depth 1, the presence 2: 30 levels of <a> fill the limit.
    let fits = nested(MAX_DEPTH - 2, "deepest");
    let input = format!(
        "{HEADER}<presence from='m@x/y'>{}</presence><message><body>next</body></message>",
        nested(8000, "deepest")
    );
    let expected = format!(
        "{HEADER}<presence from='m@x/y'>{}</presence><message><body>next</body></message>",
        nested(MAX_DEPTH - 2, "")
    );
    assert!(fits.contains("deepest"));
    assert_eq!(guard_all(&input).as_deref(), Ok(expected.as_str()));
    assert_eq!(guard_bytewise(&input), expected);
}

#[test]
fn self_closing_and_attribute_tricks_do_not_hide_depth() {
    let sneaky = format!("<b x='/>' y=\"</a>\"/>{}", nested(100, "<c/>"));
    let input = format!("{HEADER}<message>{}</message>", nested(40, &sneaky));
    let out = guard_all(&input).expect("within limits");
    assert_eq!(out, format!("{HEADER}<message>{}</message>", nested(MAX_DEPTH - 2, "")));
}

#[test]
fn a_stream_header_inside_a_stanza_is_an_ordinary_element() {
    let hidden = "<stream:stream>".repeat(100);
    let input = format!("{HEADER}<message>{hidden}");
    let out = guard_all(&input).expect("within limits");
    assert_eq!(out.matches("<stream:stream>").count(), MAX_DEPTH - 2);
}

#[test]
fn only_a_few_stream_restarts_count_as_new_roots() {
    let headers = "<stream:stream>".repeat(3 + 100);
    let out = guard_all(&format!("{headers}<message/>")).expect("within limits");
    // Three roots at depth 1, then nesting up to the limit, then cut.
    assert_eq!(out.matches("<stream:stream>").count(), 3 + MAX_DEPTH - 1);
}

#[test]
fn a_long_name_that_starts_like_a_stream_header_is_not_one() {
    // Its first 16 bytes end in ":stream"; taken as a root, it hid a level of nesting.
    let input = format!("{HEADER}<aaaaaaaaa:stream1>{}", nested(100, ""));
    let out = guard_all(&input).expect("within limits");
    assert_eq!(out.matches("<a>").count(), MAX_DEPTH - 2);
}

#[test]
fn a_stanza_over_the_size_limit_is_a_violation() {
    let body = "x".repeat(MAX_STANZA_BYTES);
    let input = format!("{HEADER}<message><body>{body}</body></message>");
    let violation = guard_all(&input).expect_err("too large");
    assert!(violation.bytes > MAX_STANZA_BYTES);
}

#[test]
fn cut_out_depth_still_counts_towards_the_size() {
    let input = format!("{HEADER}<presence>{}", "<a>".repeat(MAX_STANZA_BYTES / 3 + 1));
    assert!(guard_all(&input).is_err());
}

#[test]
fn many_stanzas_together_may_exceed_the_size_of_one() {
    let stanza = format!("<message><body>{}</body></message>", "y".repeat(1000));
    let input = format!("{HEADER}{}", stanza.repeat(MAX_STANZA_BYTES / 1000 * 3));
    assert_eq!(guard_all(&input).map(|out| out.len()), Ok(input.len()));
}

#[tokio::test]
async fn a_guarded_connection_reads_the_guarded_bytes_and_refuses_oversize() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (client, mut server) = tokio::io::duplex(64 * 1024);
    let tripwire = Tripwire::default();
    let mut guarded = Guarded::new(client, tripwire.clone());
    let deep = format!("{HEADER}<presence>{}</presence>", nested(5000, ""));
    let writer = tokio::spawn(async move {
        server.write_all(deep.as_bytes()).await.expect("written");
        let big = format!("<message>{}</message>", "z".repeat(MAX_STANZA_BYTES));
        let _ = server.write_all(big.as_bytes()).await;
        let mut farewell = vec![0; POLICY_VIOLATION.len()];
        let _ = server.read_exact(&mut farewell).await;
        farewell
    });
    let mut seen = Vec::new();
    let mut chunk = [0; 4096];
    let error = loop {
        match guarded.read(&mut chunk).await {
            Ok(0) => panic!("the stream ended instead of failing"),
            Ok(n) => seen.extend_from_slice(&chunk[..n]),
            Err(e) => break e,
        }
    };
    assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    let seen = String::from_utf8(seen).expect("UTF-8");
    assert!(seen.starts_with(&format!("{HEADER}<presence>{}", "<a>".repeat(MAX_DEPTH - 2))));
    assert!(seen.contains("</presence>"));
    assert_eq!(seen.matches("<a>").count(), MAX_DEPTH - 2);
    assert!(tripwire.take().is_some());
    assert!(guarded.read(&mut chunk).await.is_err(), "a tripped stream stays closed");
    drop(guarded);
    assert_eq!(writer.await.expect("writer"), POLICY_VIOLATION);
}
