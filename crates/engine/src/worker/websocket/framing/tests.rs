use super::*;
use crate::worker::units::Outgoing;
use std::collections::VecDeque;

fn frames_of(pieces: &[&[u8]]) -> Vec<String> {
    let mut out = Outgoing::default();
    let mut units = VecDeque::new();
    for piece in pieces {
        out.push(piece, &mut units).expect("framed");
    }
    units.into_iter().map(frame).collect()
}

const HEADER: &[u8] =
    b"<?xml version='1.0' encoding='utf-8'?>\n<stream:stream xmlns='jabber:client' \
    xmlns:stream='http://etherx.jabber.org/streams' to='confab.test' version='1.0'>";

#[test]
fn the_header_becomes_an_open_frame_and_the_footer_a_close_frame() {
    let frames = frames_of(&[HEADER, b"</stream:stream>"]);
    assert_eq!(
        frames,
        [
            "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='confab.test' version='1.0'/>",
            "<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>",
        ]
    );
}

#[test]
fn each_element_is_one_frame_however_the_bytes_are_cut() {
    let stream: Vec<u8> = [
        HEADER,
        b"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGE=</auth>",
        b"<message to='bob@confab.test' type='chat'><body>a &lt; b &gt; c</body></message>",
        b"<r xmlns='urn:xmpp:sm:3'/>",
    ]
    .concat();
    let whole = frames_of(&[&stream]);
    assert_eq!(whole.len(), 4, "{whole:?}");
    assert_eq!(
        whole[1],
        "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGE=</auth>"
    );
    assert_eq!(
        whole[2],
        "<message xmlns='jabber:client' to='bob@confab.test' type='chat'><body>a &lt; b &gt; c</body></message>"
    );
    assert_eq!(whole[3], "<r xmlns='urn:xmpp:sm:3'/>");
    for cut in 1..stream.len() {
        let (a, b) = stream.split_at(cut);
        assert_eq!(frames_of(&[a, b]), whole, "cut at {cut}");
    }
    let bytes: Vec<&[u8]> = stream.chunks(1).collect();
    assert_eq!(frames_of(&bytes), whole, "one byte at a time");
}

#[test]
fn a_quoted_angle_bracket_does_not_end_a_tag() {
    let frames = frames_of(&[HEADER, b"<presence><status a='x>y'>s</status></presence>"]);
    assert_eq!(frames[1], "<presence xmlns='jabber:client'><status a='x>y'>s</status></presence>");
}

#[test]
fn a_restart_drops_the_second_declaration_and_opens_again() {
    let frames = frames_of(&[HEADER, HEADER]);
    assert_eq!(frames.len(), 2);
    assert_eq!(frames[0], frames[1]);
}

#[test]
fn a_stream_error_declares_its_prefix() {
    let frames = frames_of(&[
        HEADER,
        b"<stream:error><policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>",
    ]);
    assert!(
        frames[1].starts_with(
            "<stream:error xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"
        ),
        "{}",
        frames[1]
    );
}

#[test]
fn text_outside_any_element_is_refused() {
    let mut out = Outgoing::default();
    let mut frames = VecDeque::new();
    assert!(out.push(HEADER, &mut frames).is_ok());
    assert!(out.push(b"  \n", &mut frames).is_ok(), "white space is dropped");
    assert!(out.push(b"hello", &mut frames).is_err());
}

#[test]
fn the_servers_open_becomes_a_header_with_only_header_attributes() {
    let open = "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' from='confab.test' id='a&apos;b' \
                version='1.0' xml:lang='en' extra='x'/>";
    let Incoming::Bytes(header) = incoming(open).expect("read") else { panic!("bytes") };
    assert_eq!(
        String::from_utf8(header).expect("utf-8"),
        "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' \
         from='confab.test' id='a&apos;b' version='1.0' xml:lang='en'>"
    );
}

#[test]
fn a_close_may_send_us_elsewhere() {
    let close =
        "<close xmlns='urn:ietf:params:xml:ns:xmpp-framing' see-other-uri='wss://b.example/ws'/>";
    assert_eq!(
        incoming(close).expect("read"),
        Incoming::Close { see_other_uri: Some("wss://b.example/ws".into()) }
    );
    let plain = "<?xml version='1.0'?><close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>";
    assert_eq!(incoming(plain).expect("read"), Incoming::Close { see_other_uri: None });
}

#[test]
fn stanzas_pass_through_and_a_lookalike_is_not_framing() {
    let message = "<message xmlns='jabber:client'><body>hi</body></message>";
    assert_eq!(incoming(message).expect("read"), Incoming::Bytes(message.as_bytes().to_vec()));
    let lookalike = "<open xmlns='urn:example'/>";
    assert_eq!(incoming(lookalike).expect("read"), Incoming::Bytes(lookalike.as_bytes().to_vec()));
    assert!(incoming("<open xmlns='urn:ietf:params:xml:ns:xmpp-framing'").is_err());
}
