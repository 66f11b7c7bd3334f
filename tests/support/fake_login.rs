//! A fake XMPP server for what no real server sends: it speaks Direct TLS with the test
//! certificate, offers the SASL mechanisms a test chooses, records the client's `<auth/>` and
//! refuses it, or first answers it with a SCRAM challenge of the test's making. Tests read
//! what the client was willing to send.

use super::Server;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub struct FakeLogin {
    pub port: u16,
    /// Every `<auth …>…</auth>` the client sent, as text.
    pub auths: Arc<Mutex<Vec<String>>>,
    /// How many TLS connections were accepted.
    pub connections: Arc<Mutex<usize>>,
    /// Every `<response>` the client sent to a challenge.
    pub responses: Arc<Mutex<Vec<String>>>,
}

impl FakeLogin {
    /// Serve on a free port in `runtime`, offering `mechanisms` (and `extra` feature XML).
    pub fn start(
        runtime: &tokio::runtime::Runtime,
        server: &Server,
        mechanisms: &[&str],
        extra: &str,
    ) -> Self {
        Self::start_with_challenge(runtime, server, mechanisms, extra, None)
    }

    /// As `start`, but a SCRAM `<auth/>` is answered with a server-first message that extends
    /// the client's nonce with `…,s=…,i=…` from `scram_rest` (`",s=QQ==,i=4096"`), and the
    /// client's response is refused.
    pub fn start_with_challenge(
        runtime: &tokio::runtime::Runtime,
        server: &Server,
        mechanisms: &[&str],
        extra: &str,
        scram_rest: Option<&str>,
    ) -> Self {
        let scram_rest = scram_rest.map(str::to_owned);
        let acceptor = super::web::acceptor(server);
        let listener =
            runtime.block_on(TcpListener::bind("127.0.0.1:0")).expect("fake server listens");
        let port = listener.local_addr().expect("address").port();
        let mechanisms: String =
            mechanisms.iter().map(|m| format!("<mechanism>{m}</mechanism>")).collect();
        let features = format!(
            "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{mechanisms}\
             </mechanisms>{extra}</stream:features>"
        );
        let auths = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(Mutex::new(0));
        let responses = Arc::new(Mutex::new(Vec::new()));
        let (seen, count, answered) = (auths.clone(), connections.clone(), responses.clone());
        runtime.spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let Ok(mut tls) = acceptor.accept(tcp).await else { continue };
                *count.lock().expect("count") += 1;
                let mut got = String::new();
                let mut chunk = [0u8; 4096];
                let mut greeted = false;
                let mut challenged = false;
                while let Ok(n) = tls.read(&mut chunk).await {
                    if n == 0 {
                        break;
                    }
                    got.push_str(&String::from_utf8_lossy(&chunk[..n]));
                    if !greeted && got.contains("<stream:stream") && got.contains('>') {
                        greeted = true;
                        let hello = format!(
                            "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
                             xmlns:stream='http://etherx.jabber.org/streams' id='fake' \
                             from='confab.test' version='1.0'>{features}"
                        );
                        if tls.write_all(hello.as_bytes()).await.is_err() {
                            break;
                        }
                    }
                    if let Some(start) = got.find("<response")
                        && let Some(end) = got[start..].find("</response>")
                    {
                        let response = got[start..start + end + 11].to_owned();
                        answered.lock().expect("responses").push(response);
                        let refuse = "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
                                      <not-authorized/></failure></stream:stream>";
                        let _ = tls.write_all(refuse.as_bytes()).await;
                        break;
                    }
                    if !challenged
                        && let Some(start) = got.find("<auth")
                        && let Some(end) = got[start..].find("</auth>")
                    {
                        let auth = got[start..start + end + 7].to_owned();
                        seen.lock().expect("auths").push(auth.clone());
                        if let Some(rest) = &scram_rest {
                            challenged = true;
                            let challenge = format!("r={}srv{rest}", client_nonce(&auth));
                            let challenge = format!(
                                "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{}\
                                 </challenge>",
                                super::raw_client::base64(challenge.as_bytes())
                            );
                            if tls.write_all(challenge.as_bytes()).await.is_err() {
                                break;
                            }
                            continue;
                        }
                        let refuse = "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
                                      <not-authorized/></failure></stream:stream>";
                        let _ = tls.write_all(refuse.as_bytes()).await;
                        break;
                    }
                }
                let _ = tls.shutdown().await;
            }
        });
        Self { port, auths, connections, responses }
    }

    pub fn responses(&self) -> Vec<String> {
        self.responses.lock().expect("responses").clone()
    }

    pub fn auths(&self) -> Vec<String> {
        self.auths.lock().expect("auths").clone()
    }

    pub fn connections(&self) -> usize {
        *self.connections.lock().expect("count")
    }
}

/// The nonce in the client-first message inside an `<auth>…</auth>`.
fn client_nonce(auth: &str) -> String {
    let payload = auth.split('>').nth(1).and_then(|rest| rest.split('<').next()).unwrap_or("");
    let first = data_encoding::BASE64.decode(payload.as_bytes()).unwrap_or_default();
    let first = String::from_utf8_lossy(&first);
    first.split(",r=").nth(1).unwrap_or("").split(',').next().unwrap_or("").to_owned()
}
