//! A hostile peer: logs in to the test server over Direct TLS with SASL PLAIN and writes raw
//! bytes, so tests can send what no well-behaved library would build (8,000-deep elements,
//! forged extensions). It reads only enough to get through the login.

use super::{DOMAIN, Server};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

pub struct RawClient {
    tls: TlsStream<TcpStream>,
    pub full_jid: String,
}

impl RawClient {
    /// Log in as `user` with resource `raw` and send initial presence.
    pub async fn login(server: &Server, user: &str, password: &str) -> Self {
        let mut roots = RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(&server.ca_file).expect("CA file") {
            roots.add(cert.expect("CA certificate")).expect("CA added");
        }
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let tcp = TcpStream::connect(("127.0.0.1", server.tls_port)).await.expect("TCP");
        let name = ServerName::try_from(DOMAIN.to_owned()).expect("server name");
        let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .expect("TLS");
        let mut client = Self { tls, full_jid: format!("{user}@{DOMAIN}/raw") };
        client.open_stream().await;
        client.read_until("</stream:features>").await;
        let auth = base64(format!("\0{user}\0{password}").as_bytes());
        client
            .send(&format!(
                "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{auth}</auth>"
            ))
            .await;
        client.read_until("<success").await;
        client.open_stream().await;
        client.read_until("</stream:features>").await;
        client
            .send(
                "<iq type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>\
                 <resource>raw</resource></bind></iq>",
            )
            .await;
        client.read_until("</iq>").await;
        client.send("<presence/>").await;
        client
    }

    /// Send an IQ and wait for its answer (the stanza must carry `id='ID'`).
    pub async fn ask(&mut self, iq: &str, id: &str) -> String {
        self.send(iq).await;
        self.read_until(&format!("id='{id}'")).await
    }

    async fn open_stream(&mut self) {
        self.send(&format!(
            "<?xml version='1.0'?><stream:stream to='{DOMAIN}' version='1.0' \
             xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"
        ))
        .await;
    }

    pub async fn send(&mut self, xml: &str) {
        self.tls.write_all(xml.as_bytes()).await.expect("raw write");
        self.tls.flush().await.expect("raw flush");
    }

    /// Read until `marker` has been seen (the login's steps are small and in order).
    pub async fn read_until(&mut self, marker: &str) -> String {
        let mut seen = Vec::new();
        let mut chunk = [0u8; 4096];
        let deadline = std::time::Duration::from_secs(10);
        tokio::time::timeout(deadline, async {
            while !String::from_utf8_lossy(&seen).contains(marker) {
                let n = self.tls.read(&mut chunk).await.expect("raw read");
                assert!(
                    n > 0,
                    "the server closed the raw stream; saw {:?}",
                    String::from_utf8_lossy(&seen)
                );
                seen.extend_from_slice(&chunk[..n]);
            }
        })
        .await
        .unwrap_or_else(|_| {
            panic!("no {marker} from the server; saw {:?}", String::from_utf8_lossy(&seen))
        });
        String::from_utf8_lossy(&seen).into_owned()
    }

    /// Everything the server sends within `window`.
    pub async fn read_for(&mut self, window: std::time::Duration) -> String {
        let mut seen = Vec::new();
        let mut chunk = [0u8; 4096];
        let _ = tokio::time::timeout(window, async {
            while let Ok(n) = self.tls.read(&mut chunk).await {
                if n == 0 {
                    break;
                }
                seen.extend_from_slice(&chunk[..n]);
            }
        })
        .await;
        String::from_utf8_lossy(&seen).into_owned()
    }

    /// Close the stream politely.
    pub async fn close(mut self) {
        self.send("</stream:stream>").await;
        let _ = self.tls.shutdown().await;
    }
}

/// Standard base64 with padding, for SASL payloads and pictures in raw stanzas.
pub fn base64(bytes: &[u8]) -> String {
    data_encoding::BASE64.encode(bytes)
}
