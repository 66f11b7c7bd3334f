//! Opening an authenticated stream ourselves, so that failures have names. tokio-xmpp's own
//! connectors retry a wrong password or a refused certificate forever without a word; here
//! every attempt reports how it went, fatal errors stop the retries, and the `StanzaStream`
//! (stream management, resumption) is fed only streams that are secure and logged in.

mod certificate_hash;
mod modern;
mod route;
mod splice;
mod tls_layer;

use modern::Modern;
pub use modern::TokenChange;
pub use route::check_endpoint;

use super::bosh;
use super::endpoint::{Endpoint, Web};
use super::fast::Token;
use super::proxy::Proxy;
use super::sasl::{self, Method, Offer, Policy, TlsBindings};
use super::tls::{self, RefusalSlot};
use super::websocket::{self, Redirect};
use super::xml_guard::{Guarded, Tripwire};
use crate::config::{AccountConfig, TlsMode, Transport};
use crate::model::{ConnectError, Route};
use futures::SinkExt;
use splice::Splice;
use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tls_layer::{starttls_upgrade, tls_bindings, tls_version};
use tokio::io::BufStream;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio_rustls::rustls::ClientConfig;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_xmpp::Stanza;
use tokio_xmpp::connect::DnsConfig;
use tokio_xmpp::jid::Jid;
use tokio_xmpp::parsers::ns;
use tokio_xmpp::parsers::stream_features::StreamFeatures;
use tokio_xmpp::stanzastream::{Connection, StanzaStream, XmppStream as StreamOf};
use tokio_xmpp::xmlstream::{StreamHeader, Timeouts, XmppStream, initiate_stream};

/// First wait after a failed attempt; doubles up to `MAX_BACKOFF`.
pub const FIRST_BACKOFF: Duration = Duration::from_secs(2);
pub const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// The whole attempt (TCP, TLS, SASL) must finish within this, or it counts as unreachable.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(20);
/// The automatic route's attempt may take TCP, then host-meta, WebSocket and BOSH one after
/// another (`connect/route.rs`); on a busy machine the last of them needed more than one
/// attempt's time (seen once in CI), and a failed attempt tells the user TCP's reason.
const AUTOMATIC_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(45);
/// Outgoing and incoming stanza queue depth inside tokio-xmpp.
const QUEUE_DEPTH: usize = 256;

/// The secure bytes under the XML: TLS over TCP, a WebSocket over TLS, or BOSH over HTTPS.
pub(super) type Bytes = Box<dyn WireIo>;
pub(super) trait WireIo:
    tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send
{
}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> WireIo for T {}

/// The bytes an XML stream over a secure wire reads and writes.
type SecureIo = Splice<BufStream<Guarded<Bytes>>>;

/// An XML stream over a secure wire, before or without authentication.
pub(super) type TlsXmppStream = XmppStream<SecureIo>;

/// A stream over a secure wire, before login: the server's features, the channel bindings
/// the TLS layer offers and the route it took.
pub(super) struct Secured {
    pub features: StreamFeatures,
    pub stream: TlsXmppStream,
    pub tls: TlsBindings,
    pub route: Route,
    pub wire: Wire,
}

/// The wire a stream runs over; its number indexes per-wire memories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    Tcp = 0,
    Websocket = 1,
    Bosh = 2,
}

/// How a login got through: shown to the user, and remembered for the next one.
#[derive(Debug)]
pub struct LoggedIn {
    pub route: Route,
    pub wire: Wire,
    /// What became of the account's FAST token, for the session to keep or forget.
    pub token: TokenChange,
}

/// What the reconnect loop tells the session about each attempt.
#[derive(Debug)]
pub enum Report {
    Connecting,
    /// Logged in with this password method (the session remembers the strongest; none for a
    /// FAST token) by this route.
    LoggedIn(Option<Method>, LoggedIn),
    /// This attempt failed; another follows after `retry_in`.
    Retrying {
        error: ConnectError,
        retry_in: Duration,
    },
    /// Retrying cannot help; the stream is given up.
    GaveUp(ConnectError),
}

/// Everything needed to open a stream, cheap to clone for each attempt.
#[derive(Clone)]
pub struct Connector {
    jid: Jid,
    password: String,
    /// Where a WebSocket server sent us instead, for the next attempt.
    redirect: Redirect,
    /// The automatic route's HTTP endpoint (`wss://` or `https://`) once one worked (this run
    /// or an earlier one).
    found: Arc<std::sync::Mutex<Option<String>>>,
    /// The account's settings: its host, port, TLS mode, route and endpoint.
    account: AccountConfig,
    /// Every connection goes through this, when set.
    proxy: Option<Proxy>,
    tls: Arc<ClientConfig>,
    refusal: RefusalSlot,
    /// The strongest login used before over each wire (see `sasl`).
    strongest_before: [Option<Method>; 3],
    /// Set by the parser guard when the server sent more than it may: the next attempt waits.
    tripwire: Tripwire,
    /// This installation's id for the account in SASL2 logins (`sasl2::Login::client_id`).
    client_id: uuid::Uuid,
    /// The account's FAST token, replaced when the server issues a new one.
    fast: Arc<std::sync::Mutex<Option<Token>>>,
    /// A connection went to the stanza stream. From then on it may hold a stream-management
    /// session to resume, which must happen before a resource is bound: later logins leave
    /// binding to it instead of using Bind2.
    handed_over: Arc<AtomicBool>,
}

impl Connector {
    pub fn new(
        account: &AccountConfig,
        password: String,
        extra_pins: &[String],
    ) -> Result<Self, ConnectError> {
        let bare = account.jid.as_str();
        let jid = match &account.resource {
            Some(resource) => Jid::new(&format!("{bare}/{resource}")),
            None => Jid::new(bare),
        }
        .map_err(|e| ConnectError::Other(format!("“{bare}” is not a valid address: {e}")))?;
        if jid.node().is_none() {
            return Err(ConnectError::Other(format!("“{bare}” has no user name")));
        }
        let refusal = RefusalSlot::default();
        let tls = tls::client_config(account, extra_pins, refusal.clone())
            .map_err(ConnectError::Other)?;
        Ok(Self {
            jid,
            password,
            redirect: Redirect::default(),
            found: Arc::default(),
            account: account.clone(),
            proxy: None,
            tls,
            refusal,
            strongest_before: [None; 3],
            tripwire: Tripwire::default(),
            client_id: uuid::Uuid::new_v4(),
            fast: Arc::default(),
            handed_over: Arc::default(),
        })
    }

    /// Log in to SASL2 servers as the installation `client_id` names, with its FAST `token`
    /// if it has one (both kept by the session).
    pub fn known_as(mut self, client_id: uuid::Uuid, token: Option<Token>) -> Self {
        self.client_id = client_id;
        self.fast = Arc::new(std::sync::Mutex::new(token));
        self
    }

    /// Refuse to log in with less than the account used before over each wire (by [`Wire`];
    /// see `sasl`), and try the HTTP endpoint that worked last first.
    pub fn remembering(
        mut self,
        strongest_before: [Option<Method>; 3],
        http_route_found: Option<String>,
    ) -> Self {
        self.strongest_before = strongest_before;
        if let Ok(mut found) = self.found.lock() {
            *found = http_route_found;
        }
        self
    }

    /// Connect through `proxy` (the account's, with its password).
    pub fn through(mut self, proxy: Option<Proxy>) -> Self {
        self.proxy = proxy;
        self
    }

    /// A TCP connection to `host:port`, through the proxy when there is one.
    async fn dial(&self, host: &str, port: u16) -> Result<TcpStream, ConnectError> {
        let tcp = match &self.proxy {
            Some(proxy) => proxy.connect(host, port).await,
            None => DnsConfig::no_srv(host, port).resolve().await.map_err(dns_error),
        }?;
        // A stanza, an acknowledgement or a BOSH request is a small write that waits for an
        // answer: held back for the previous one's TCP acknowledgement (Nagle), each one
        // costs a delayed-ACK pause.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("TCP_NODELAY not set: {e}");
        }
        Ok(tcp)
    }

    /// A stanza stream that connects through this connector and reports every attempt.
    pub fn into_stream(self, reports: mpsc::UnboundedSender<Report>) -> StanzaStream {
        StanzaStream::new(
            Box::new(move |_location, slot| {
                tokio::spawn(self.clone().reconnect(slot, reports.clone()));
            }),
            QUEUE_DEPTH,
        )
    }

    /// Feed the `StanzaStream` one logged-in connection, trying until one is up or an error
    /// makes trying pointless.
    ///
    /// A session that retires a stream drops the receiving end of `reports`; from then on no
    /// connection is handed to that stream, which would otherwise send what was still in its
    /// queue, ahead of what the session sends again on its new stream.
    ///
    /// The slot is never dropped while the stream waits on it: tokio-xmpp 6 answers a dropped
    /// slot with a panic in its worker ("Backend was unable to handle reconnect request",
    /// printed on every wrong password). Once the session has let go of a stream we will not
    /// feed, it is handed a connection that ends at once: the worker sees it close, finds its
    /// owner gone and stops quietly.
    async fn reconnect(
        self,
        mut slot: oneshot::Sender<Connection>,
        reports: mpsc::UnboundedSender<Report>,
    ) {
        let connection = tokio::select! {
            connection = self.attempts(&reports) => connection,
            () = reports.closed() => None,
            () = slot.closed() => return,
        };
        if let Some(connection) = connection {
            match slot.send(connection) {
                Ok(()) => {
                    self.handed_over.store(true, Ordering::Relaxed);
                    return;
                }
                Err(mut unused) => {
                    let close = <StreamOf as SinkExt<&Stanza>>::close(&mut unused.stream);
                    let _ = tokio::time::timeout(Duration::from_secs(2), close).await;
                    return;
                }
            }
        }
        tokio::select! {
            () = reports.closed() => {}
            () = slot.closed() => return,
        }
        match closed_connection(self.jid.clone()).await {
            Ok(connection) => {
                let _ = slot.send(connection);
            }
            Err(e) => tracing::warn!("a retired stream could not be ended quietly: {e}"),
        }
    }

    /// Attempts with growing pauses: a logged-in connection, or `None` once an error makes
    /// trying pointless or the session no longer wants one.
    async fn attempts(&self, reports: &mpsc::UnboundedSender<Report>) -> Option<Connection> {
        let mut backoff = FIRST_BACKOFF;
        if let Some(violation) = self.tripwire.take() {
            // The server would likely send the same again at once: don't hammer it.
            let error = ConnectError::Unreachable(violation.to_string());
            reports.send(Report::Retrying { error, retry_in: backoff }).ok()?;
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
        loop {
            reports.send(Report::Connecting).ok()?;
            let limit = match self.account.transport {
                Transport::Auto => AUTOMATIC_ATTEMPT_TIMEOUT,
                _ => ATTEMPT_TIMEOUT,
            };
            let attempt = tokio::time::timeout(limit, self.connect()).await;
            let error = match attempt {
                Ok(Ok((connection, method, how))) => {
                    let report = Report::LoggedIn(method, how);
                    return reports.send(report).ok().map(|()| connection);
                }
                Ok(Err(error)) => error,
                Err(_) => ConnectError::Unreachable("the server did not answer in time".into()),
            };
            if !error.is_transient() {
                let _ = reports.send(Report::GaveUp(error));
                return None;
            }
            reports.send(Report::Retrying { error, retry_in: backoff }).ok()?;
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    /// One attempt: a secure stream, then SASL2 where the server offers it, or else SASL and
    /// the stream's restart.
    pub async fn connect(&self) -> Result<(Connection, Option<Method>, LoggedIn), ConnectError> {
        let Secured { features, stream, tls, mut route, wire } = self.secure_stream().await?;
        let username = self.jid.node().map(|n| n.as_str().to_owned()).unwrap_or_default();
        let strongest_before = self.strongest_before[wire as usize];
        let policy = Policy { allow_plain: self.account.allow_plain, strongest_before };
        if let Some(offered) = features.sasl2 {
            let modern = Modern { offered, bindings: features.sasl_cb, tls, policy };
            return self.modern_login(stream, modern, route, wire).await;
        }
        let offer = Offer { mechanisms: features.sasl_mechanisms, bindings: features.sasl_cb, tls };
        let (method, binding) = sasl::choose(&offer, policy)?;
        let described = method.described(&binding);
        let authed = sasl::authenticate(stream, method, binding, &username, &self.password).await?;
        let (features, stream) = authed
            .send_header(self.header_over_tls())
            .await
            .map_err(|e| unreachable(&e))?
            .recv_features()
            .await
            .map_err(|e| ConnectError::Unreachable(e.to_string()))?;
        let connection =
            Connection { stream: stream.box_stream(), features, identity: self.jid.clone() };
        route.login = format!("SASL, {described}");
        Ok((connection, Some(method), LoggedIn { route, wire, token: TokenChange::None }))
    }

    /// RFC 7395 over `url`: TCP to the account's host (or the URL's), TLS checked against the
    /// URL's host, the HTTP upgrade, and a stream over the frames.
    async fn websocket_stream(&self, url: &str) -> Result<Secured, ConnectError> {
        let endpoint = Endpoint::parse(url, Web::Websocket)?;
        let address = self.account.host.as_deref().unwrap_or(&endpoint.host);
        let tcp = self.dial(address, endpoint.port).await?;
        let tls_stream = self.handshake(tcp, &endpoint.host).await?;
        let tls = tls_bindings(&tls_stream);
        let route = Route {
            transport: "WebSocket".into(),
            endpoint: endpoint.uri.to_string(),
            tls: tls_version(&tls_stream),
            proxy: self.proxy.as_ref().map(Proxy::describe),
            login: String::new(),
        };
        let ws = websocket::upgrade(&endpoint, tls_stream, self.redirect.clone()).await?;
        let guarded = Guarded::new(Box::new(ws) as Bytes, self.tripwire.clone());
        let (features, stream) = open_stream(guarded, self.header_over_tls()).await?;
        Ok(Secured { features, stream, tls, route, wire: Wire::Websocket })
    }

    /// XEP-0206 at `url`: HTTPS requests over connections opened like the WebSocket's (to the
    /// account's host or the URL's, through the proxy, TLS checked against the URL's host).
    /// The first is opened here, so that a refusal is a login error; the session opens more
    /// as it needs them. A request's TLS connection is not the stream's, so there is no
    /// channel binding.
    async fn bosh_stream(&self, url: &str) -> Result<Secured, ConnectError> {
        let endpoint = Endpoint::parse(url, Web::Bosh)?;
        let address = self.account.host.clone().unwrap_or_else(|| endpoint.host.clone());
        let tcp = self.dial(&address, endpoint.port).await?;
        let first = self.handshake(tcp, &endpoint.host).await?;
        let route = Route {
            transport: "BOSH".into(),
            endpoint: endpoint.uri.to_string(),
            tls: tls_version(&first),
            proxy: self.proxy.as_ref().map(Proxy::describe),
            login: String::new(),
        };
        let connector = self.clone();
        let (host, port) = (endpoint.host.clone(), endpoint.port);
        let dial: bosh::Dial = Arc::new(move || {
            let (connector, address, host) = (connector.clone(), address.clone(), host.clone());
            Box::pin(async move {
                let tcp = connector.dial(&address, port).await.map_err(|e| e.to_string())?;
                let tls = connector.handshake(tcp, &host).await.map_err(|e| e.to_string())?;
                Ok(Box::new(tls) as Box<dyn bosh::Wire>)
            })
        });
        let io = bosh::open(&endpoint, dial, Box::new(first)).await.map_err(|e| unreachable(&e))?;
        let guarded = Guarded::new(Box::new(io) as Bytes, self.tripwire.clone());
        let opened = open_stream(guarded, self.header_over_tls()).await;
        let refusal = self.refusal.lock().ok().and_then(|mut slot| slot.take());
        match (opened, refusal) {
            (Ok((features, stream)), _) => {
                let tls = TlsBindings::default();
                Ok(Secured { features, stream, tls, route, wire: Wire::Bosh })
            }
            (Err(_), Some(refusal)) => Err(ConnectError::from(refusal)),
            (Err(e), None) => Err(e),
        }
    }

    /// TCP and TLS (direct or STARTTLS), then a fresh stream over TLS.
    async fn tcp_stream(&self) -> Result<Secured, ConnectError> {
        let domain = self.jid.domain().as_str().to_owned();
        let tcp = self.tcp(&domain).await?;
        let endpoint = match &self.proxy {
            Some(_) => self.tcp_target(&domain).map(|(host, port)| format!("{host}:{port}")),
            None => tcp.peer_addr().map(|a| a.to_string()).ok(),
        };
        let tls_stream = match self.account.tls {
            TlsMode::DirectTls => self.handshake(tcp, &domain).await?,
            TlsMode::Starttls => {
                let guarded = Guarded::new(tcp, self.tripwire.clone());
                let (features, stream) = open_stream(guarded, header(&domain)).await?;
                if !features.can_starttls() {
                    return Err(ConnectError::Other(
                        "the server does not offer encryption, and Confab never connects without it".into(),
                    ));
                }
                let tcp = starttls_upgrade(stream).await?;
                self.handshake(tcp, &domain).await?
            }
        };
        let tls = tls_bindings(&tls_stream);
        let transport = match self.account.tls {
            TlsMode::Starttls => "TCP (STARTTLS)",
            TlsMode::DirectTls => "TCP (Direct TLS)",
        };
        let route = Route {
            transport: transport.into(),
            endpoint: endpoint.unwrap_or_default(),
            tls: tls_version(&tls_stream),
            proxy: self.proxy.as_ref().map(Proxy::describe),
            login: String::new(),
        };
        let guarded = Guarded::new(Box::new(tls_stream) as Bytes, self.tripwire.clone());
        let (features, stream) = open_stream(guarded, self.header_over_tls()).await?;
        Ok(Secured { features, stream, tls, route, wire: Wire::Tcp })
    }

    /// Our stream header once TLS is up: it names the account too (RFC 6120 §4.7.1), which
    /// FAST needs to offer its token login (XEP-0484 §3).
    fn header_over_tls(&self) -> StreamHeader<'static> {
        let from = Some(Cow::Owned(self.jid.to_bare().to_string()));
        StreamHeader { from, ..header(self.jid.domain().as_str()) }
    }

    pub(super) fn jid(&self) -> &Jid {
        &self.jid
    }

    /// Where a proxy is asked to connect: the host set, or the domain itself (SRV records are
    /// not looked up through a proxy, which may be the only way out of the network).
    fn tcp_target(&self, domain: &str) -> Option<(String, u16)> {
        self.proxy.as_ref()?;
        let host = self.account.host.clone().unwrap_or_else(|| domain.to_owned());
        Some((host, self.tcp_port()))
    }

    /// The port set, or the usual one for the TLS mode.
    fn tcp_port(&self) -> u16 {
        self.account.port.unwrap_or(match self.account.tls {
            TlsMode::Starttls => 5222,
            TlsMode::DirectTls => 5223,
        })
    }

    async fn tcp(&self, domain: &str) -> Result<TcpStream, ConnectError> {
        if let Some((host, port)) = self.tcp_target(domain) {
            return self.dial(&host, port).await;
        }
        let dns = match (&self.account.host, self.account.tls) {
            (Some(host), _) => DnsConfig::no_srv(host, self.tcp_port()),
            (None, TlsMode::Starttls) => DnsConfig::srv_default_client(domain),
            (None, TlsMode::DirectTls) => DnsConfig::srv_xmpps(domain),
        };
        dns.resolve().await.map_err(dns_error)
    }

    async fn handshake(
        &self,
        tcp: TcpStream,
        domain: &str,
    ) -> Result<tokio_rustls::client::TlsStream<TcpStream>, ConnectError> {
        let name = ServerName::try_from(domain.to_owned()).map_err(|e| {
            ConnectError::Other(format!("“{domain}” is not a valid server name: {e}"))
        })?;
        if let Ok(mut slot) = self.refusal.lock() {
            *slot = None;
        }
        let connector = tokio_rustls::TlsConnector::from(self.tls.clone());
        connector.connect(name, tcp).await.map_err(|e| {
            let refusal = self.refusal.lock().ok().and_then(|mut slot| slot.take());
            match refusal {
                Some(refusal) => ConnectError::from(refusal),
                None => ConnectError::Unreachable(format!("TLS handshake failed: {e}")),
            }
        })
    }
}

/// What a server that ends the stream at once would send: its header, features that ask for
/// nothing but binding (so tokio-xmpp takes the stream), and the stream's end.
const CLOSED_STREAM: &[u8] = b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
    xmlns:stream='http://etherx.jabber.org/streams' version='1.0' id='closed'>\
    <stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>\
    </stream:stream>";

/// A connection over memory that ends as soon as it is read: what a retired stream is fed so
/// that it stops (see `Connector::reconnect`).
async fn closed_connection(identity: Jid) -> Result<Connection, ConnectError> {
    use tokio::io::AsyncWriteExt;
    let (client, mut server) = tokio::io::duplex(CLOSED_STREAM.len() + 1024);
    server.write_all(CLOSED_STREAM).await.map_err(|e| unreachable(&e))?;
    let domain = identity.domain().as_str().to_owned();
    let (features, stream) = open_stream(client, header(&domain)).await?;
    // Our header is read by nobody; from here on every write fails and every read ends.
    drop(server);
    Ok(Connection { stream: stream.box_stream(), features, identity })
}

/// Open an XML stream to the server over `io` and read its features.
async fn open_stream<Io>(
    io: Io,
    header: StreamHeader<'static>,
) -> Result<(StreamFeatures, XmppStream<Splice<BufStream<Io>>>), ConnectError>
where
    Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let io = Splice::new(BufStream::new(io));
    initiate_stream(io, ns::JABBER_CLIENT, header, Timeouts::tight())
        .await
        .map_err(|e| unreachable(&e))?
        .recv_features()
        .await
        .map_err(|e| ConnectError::Unreachable(e.to_string()))
}

fn header(domain: &str) -> StreamHeader<'static> {
    StreamHeader { to: Some(Cow::Owned(domain.to_owned())), from: None, id: None }
}

fn dns_error(e: tokio_xmpp::Error) -> ConnectError {
    match e {
        tokio_xmpp::Error::Io(io) => unreachable(&io),
        other => {
            ConnectError::Unreachable(format!("the server's address could not be found ({other})"))
        }
    }
}

/// Socket errors in words a user knows.
fn unreachable(e: &std::io::Error) -> ConnectError {
    use std::io::ErrorKind as K;
    let words = match e.kind() {
        K::ConnectionRefused => "the server refused the connection".to_owned(),
        K::TimedOut => "the server did not answer".to_owned(),
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof => {
            "the connection was cut".to_owned()
        }
        K::HostUnreachable | K::NetworkUnreachable | K::NetworkDown => {
            "the network is unreachable".to_owned()
        }
        K::AddrNotAvailable | K::NotFound => "the server's address could not be found".to_owned(),
        _ => e.to_string(),
    };
    ConnectError::Unreachable(words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;

    /// What a retired stream is fed must be taken by tokio-xmpp (a header and features with
    /// binding) and then end, so its worker stops instead of waiting.
    #[tokio::test]
    async fn a_closed_connection_is_taken_and_ends_at_once() {
        let identity = Jid::new("alice@confab.test").expect("jid");
        let mut connection = closed_connection(identity).await.expect("built");
        assert!(connection.features.can_bind());
        let next = tokio::time::timeout(Duration::from_secs(1), connection.stream.next()).await;
        let next = next.expect("the stream ends at once");
        assert!(!matches!(next, Some(Ok(_))), "nothing is read from it: {next:?}");
    }
}
