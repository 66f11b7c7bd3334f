use super::*;
use crate::worker::endpoint::Web;
use futures::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio_tungstenite::tungstenite::handshake::server::{
    Callback, ErrorResponse, Request, Response,
};

const OPEN: &str = "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' from='confab.test' id='s1' \
                    version='1.0'/>";

/// A WebSocket server over memory that agrees to `protocol` (if any).
async fn accept(io: DuplexStream, protocol: Option<&'static str>) -> WebSocketStream<DuplexStream> {
    tokio_tungstenite::accept_hdr_async(io, Agree(protocol)).await.expect("accepted")
}

/// Answers the upgrade, naming the subprotocol when it has one.
struct Agree(Option<&'static str>);

impl Callback for Agree {
    fn on_request(self, _: &Request, mut response: Response) -> Result<Response, ErrorResponse> {
        if let Some(protocol) = self.0 {
            response
                .headers_mut()
                .insert("Sec-WebSocket-Protocol", HeaderValue::from_static(protocol));
        }
        Ok(response)
    }
}

fn endpoint() -> Endpoint {
    Endpoint::parse("wss://confab.test/xmpp-websocket", Web::Websocket).expect("endpoint")
}

#[tokio::test]
async fn a_stream_goes_both_ways_as_one_frame_per_element() {
    let (client, server) = tokio::io::duplex(64 * 1024);
    let serve = tokio::spawn(async move {
        let mut ws = accept(server, Some("xmpp")).await;
        let mut got = Vec::new();
        for _ in 0..2 {
            match ws.next().await {
                Some(Ok(Message::Text(text))) => got.push(text.as_str().to_owned()),
                other => panic!("a text frame, not {other:?}"),
            }
        }
        ws.send(Message::text(OPEN)).await.expect("sent");
        ws.send(Message::text("<message xmlns='jabber:client'><body>hi</body></message>"))
            .await
            .expect("sent");
        let close =
            "<close xmlns='urn:ietf:params:xml:ns:xmpp-framing' see-other-uri='wss://b.test/ws'/>";
        ws.send(Message::text(close)).await.expect("sent");
        got
    });
    let redirect = Redirect::default();
    let mut io = upgrade(&endpoint(), client, redirect.clone()).await.expect("upgraded");
    io.write_all(b"<?xml version='1.0'?>\n<stream:stream xmlns='jabber:client' ")
        .await
        .expect("written");
    io.write_all(
        b"xmlns:stream='http://etherx.jabber.org/streams' to='confab.test' version='1.0'><pre",
    )
    .await
    .expect("written");
    io.write_all(b"sence/>").await.expect("written");
    io.flush().await.expect("flushed");
    let mut read = String::new();
    io.read_to_string(&mut read).await.expect("read to the end");
    assert_eq!(
        read,
        "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' \
         from='confab.test' id='s1' version='1.0'><message xmlns='jabber:client'><body>hi</body>\
         </message></stream:stream>"
    );
    assert_eq!(redirect.lock().expect("slot").as_deref(), Some("wss://b.test/ws"));
    let sent = serve.await.expect("server");
    assert_eq!(
        sent,
        [
            "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='confab.test' version='1.0'/>",
            "<presence xmlns='jabber:client'/>",
        ]
    );
}

#[tokio::test]
async fn a_websocket_that_is_not_xmpp_is_refused() {
    let (client, server) = tokio::io::duplex(64 * 1024);
    let serve = tokio::spawn(accept(server, None));
    let refused = upgrade(&endpoint(), client, Redirect::default()).await;
    let Err(error) = refused else { panic!("accepted a WebSocket without the xmpp protocol") };
    assert!(error.to_string().contains("not an XMPP one"), "{error}");
    drop(serve);
}

#[tokio::test]
async fn a_message_over_the_stanza_limit_ends_the_read_with_a_reason() {
    let (client, server) = tokio::io::duplex(64 * 1024);
    let serve = tokio::spawn(async move {
        let mut ws = accept(server, Some("xmpp")).await;
        let huge = format!("<message>{}</message>", "a".repeat(MAX_STANZA_BYTES));
        let _ = ws.send(Message::text(huge)).await;
        ws
    });
    let mut io = upgrade(&endpoint(), client, Redirect::default()).await.expect("upgraded");
    let mut buf = [0u8; 1024];
    let error = io.read(&mut buf).await.expect_err("refused");
    assert!(error.to_string().contains("more than"), "{error}");
    drop(serve);
}
