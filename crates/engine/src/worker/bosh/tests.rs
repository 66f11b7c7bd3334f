use super::body::{self, HTTPBIND_NS};

#[test]
fn the_creation_answer_gives_the_session_and_the_features_as_bytes() {
    let answer = format!(
        "<body xmlns='{HTTPBIND_NS}' xmlns:stream='http://etherx.jabber.org/streams' \
         sid='s1' authid='a1' from='confab.test' requests='2' inactivity='60' wait='60' ack='7'>\
         <stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
         <mechanism>PLAIN</mechanism></mechanisms></stream:features></body>"
    );
    let read = body::read(answer.as_bytes()).expect("read");
    assert_eq!(read.sid.as_deref(), Some("s1"));
    assert_eq!(read.authid.as_deref(), Some("a1"));
    assert_eq!(read.requests, Some(2));
    assert_eq!(read.ack, Some(7));
    assert_eq!(read.terminated, None);
    assert!(read.payload.starts_with(b"<stream:features>"));
    assert!(read.payload.ends_with(b"</stream:features>"));
}

#[test]
fn a_message_body_inside_is_not_the_end_of_the_answer() {
    let answer = format!(
        "<?xml version='1.0'?>\n<body xmlns='{HTTPBIND_NS}'><message xmlns='jabber:client'>\
         <body>a > b</body></message></body>\n"
    );
    let read = body::read(answer.as_bytes()).expect("read");
    assert_eq!(read.payload, b"<message xmlns='jabber:client'><body>a > b</body></message>");
}

#[test]
fn an_empty_answer_and_a_termination_are_read() {
    let empty = body::read(format!("<body xmlns='{HTTPBIND_NS}'/>").as_bytes()).expect("read");
    assert!(empty.payload.is_empty());
    let ended =
        format!("<body xmlns='{HTTPBIND_NS}' type='terminate' condition='item-not-found'/>");
    let ended = body::read(ended.as_bytes()).expect("read");
    assert_eq!(ended.terminated, Some(Some("item-not-found".into())));
}

#[test]
fn what_is_not_a_bosh_answer_is_named() {
    for (bad, why) in [
        ("<html><body>Gateway</body></html>".to_owned(), "not a BOSH answer"),
        ("<body xmlns='jabber:client'/>".to_owned(), "another namespace"),
        (format!("<body xmlns='{HTTPBIND_NS}'><message/>"), "without its </body>"),
        (format!("<body xmlns='{HTTPBIND_NS}'"), "unfinished"),
        (format!("<body xmlns='{HTTPBIND_NS}' sid='x/>"), "unfinished"),
    ] {
        let error = body::read(bad.as_bytes()).expect_err(&bad);
        assert!(error.contains(why), "{bad}: {error}");
    }
    assert!(body::read(&[0xff, 0xfe]).is_err());
}

#[test]
fn requests_carry_their_ids_and_what_was_written() {
    let create = body::create(7, "confab.test");
    assert!(create.contains("rid='7'") && create.contains("to='confab.test'"));
    assert!(create.contains("xmpp:version='1.0'") && create.contains("hold='1'"));
    let restart = body::restart(9, "s'1", "confab.test");
    assert!(restart.contains("xmpp:restart='true'") && restart.contains("sid='s&apos;1'"));
    let poll = body::carrying(8, "s1", &[], false);
    assert_eq!(poll, format!("<body xmlns='{HTTPBIND_NS}' rid='8' sid='s1'/>"));
    let payload = ["<presence xmlns='jabber:client'/>".to_owned()];
    let end = body::carrying(10, "s1", &payload, true);
    assert!(
        end.contains("type='terminate'>")
            && end.ends_with("<presence xmlns='jabber:client'/></body>")
    );
}
