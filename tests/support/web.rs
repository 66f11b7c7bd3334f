//! Small loopback servers a test controls, for what no real server does on its own: an HTTPS
//! server with fixed answers (host-meta documents, broken endpoints) and a TCP relay that can
//! be cut. Both use the test server's certificate, so Confab trusts them as that server.

use super::Server;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// TLS as the test server: its certificate chain and key.
pub fn acceptor(server: &Server) -> TlsAcceptor {
    let (chain, key) = server.certificate();
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(&chain).expect("chain").map(|c| c.expect("cert")).collect();
    let key = PrivateKeyDer::from_pem_file(&key).expect("key");
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server config");
    TlsAcceptor::from(Arc::new(config))
}

/// A loopback address of this test's own (127.a.b.c), so that a well-known port such as 443
/// can be bound without meeting another test's.
pub fn own_loopback() -> IpAddr {
    let n = std::process::id()
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
    let [_, a, b, c] = n.to_be_bytes();
    IpAddr::V4(Ipv4Addr::new(127, a.max(1), b, c.max(2)))
}

/// What the HTTPS server answers at a path.
#[derive(Clone)]
pub enum Answer {
    /// Status, content type and body.
    Reply(u16, &'static str, String),
    /// A header claiming this many bytes, then nothing.
    Claims(u64),
    /// Read the request and never answer.
    Stall,
    /// XML bodies (`text/xml`, status 200) in turn, one per request; the last one repeats.
    Turns(Arc<(AtomicUsize, Vec<String>)>),
}

impl Answer {
    pub fn turns(bodies: &[String]) -> Self {
        Self::Turns(Arc::new((AtomicUsize::new(0), bodies.to_vec())))
    }
}

/// Answers each request by its path (404 for any other); dropped, it stops.
pub struct Https {
    task: JoinHandle<()>,
}

impl Drop for Https {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Https {
    pub async fn serve(server: &Server, at: SocketAddr, answers: &[(&str, Answer)]) -> Self {
        let listener = TcpListener::bind(at)
            .await
            .unwrap_or_else(|e| panic!("{at} cannot be bound ({e}); the tests run as root"));
        let acceptor = acceptor(server);
        let answers: HashMap<String, Answer> =
            answers.iter().map(|(path, answer)| (path.to_string(), answer.clone())).collect();
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (acceptor, answers) = (acceptor.clone(), answers.clone());
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                    let mut request = Vec::new();
                    let mut chunk = [0u8; 2048];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 65536 {
                        match tls.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let text = String::from_utf8_lossy(&request);
                    let path = text.split_whitespace().nth(1).unwrap_or_default().to_owned();
                    let head = |status: u16, kind: &str, length: u64| {
                        format!(
                            "HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\nContent-Length: \
                             {length}\r\nConnection: close\r\n\r\n"
                        )
                    };
                    let reply = match answers.get(&path) {
                        Some(Answer::Reply(status, kind, body)) => {
                            head(*status, kind, body.len() as u64) + body
                        }
                        Some(Answer::Claims(length)) => head(200, "text/plain", *length),
                        Some(Answer::Turns(turns)) => {
                            let (next, bodies) = &**turns;
                            let turn = next.fetch_add(1, Ordering::Relaxed);
                            let body = bodies.get(turn).or(bodies.last()).cloned();
                            let body = body.unwrap_or_default();
                            head(200, "text/xml", body.len() as u64) + &body
                        }
                        Some(Answer::Stall) => {
                            std::future::pending::<()>().await;
                            return;
                        }
                        None => head(404, "text/plain", 0),
                    };
                    let _ = tls.write_all(reply.as_bytes()).await;
                    let _ = tls.shutdown().await;
                });
            }
        });
        Self { task }
    }
}

/// Forwards TCP connections from its own address to a target until cut or dropped.
pub struct Relay {
    pub addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
    cut: watch::Sender<u64>,
    task: JoinHandle<()>,
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
        self.cut.send_modify(|n| *n += 1);
    }
}

impl Relay {
    pub async fn start(at: SocketAddr, target: SocketAddr) -> Self {
        let listener = TcpListener::bind(at).await.expect("the relay listens");
        let addr = listener.local_addr().expect("address");
        let (cut, _) = watch::channel(0u64);
        let cuts = cut.clone();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::Relaxed);
                let mut cut = cuts.subscribe();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(target).await else { return };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        Self { addr, accepted, cut, task }
    }

    /// Connections taken so far.
    pub fn connections(&self) -> usize {
        self.accepted.load(Ordering::Relaxed)
    }

    /// End every connection through the relay at once, as a network that drops does; new
    /// connections are still relayed.
    pub fn cut(&self) {
        self.cut.send_modify(|n| *n += 1);
    }
}
