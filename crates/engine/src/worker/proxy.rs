//! Reaching the server through a proxy: HTTP CONNECT (RFC 9110 §9.3.6) or SOCKS5 (RFC 1928,
//! with RFC 1929's user name and password). Every transport dials through [`Proxy::connect`],
//! so TLS, and everything above it, runs end to end through the tunnel: the proxy sees only
//! where we go, never what we say.
//!
//! The proxy's password is kept like the account's (keyring or private file), never in the
//! settings file; [`Proxy`]'s `Debug` and [`Proxy::describe`] leave it out, so no log line
//! can show it. The proxy's answers are bounded: a header block past [`MAX_ANSWER`] bytes is
//! refused.

use crate::model::ConnectError;
use std::fmt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The longest HTTP answer to CONNECT we read before giving up on the proxy.
const MAX_ANSWER: usize = 8 * 1024;

#[derive(Clone, PartialEq, Eq)]
pub enum Kind {
    Http,
    Socks5,
}

#[derive(Clone, PartialEq, Eq)]
pub struct Proxy {
    pub kind: Kind,
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    password: Option<String>,
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// A proxy address split into what the settings keep and the password, which they must not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxySetting {
    /// `http://user@host:port` or `socks5://user@host:port`, without the password.
    pub url: String,
    pub password: Option<String>,
}

/// Read `http://[user[:password]@]host:port` or `socks5://…`; the password is split off.
pub fn split_setting(url: &str) -> Result<ProxySetting, String> {
    let proxy = Proxy::parse(url, None)?;
    let user = proxy.user.as_deref().map(|u| format!("{}@", encode(u))).unwrap_or_default();
    let scheme = match proxy.kind {
        Kind::Http => "http",
        Kind::Socks5 => "socks5",
    };
    let host = bracketed(&proxy.host);
    Ok(ProxySetting {
        url: format!("{scheme}://{user}{host}:{}", proxy.port),
        password: proxy.password,
    })
}

fn bracketed(host: &str) -> String {
    if host.contains(':') { format!("[{host}]") } else { host.to_owned() }
}

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn decode(text: &str) -> Result<String, String> {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .map(|t| t.into_owned())
        .map_err(|_| "the proxy's user name or password is not UTF-8".to_owned())
}

impl Proxy {
    /// A proxy from its settings address, with the password kept apart (or in the address).
    pub fn parse(url: &str, password: Option<String>) -> Result<Self, String> {
        let bad = |why: &str| format!("“{}” is not a proxy address: {why}", redact(url));
        let (scheme, rest) =
            url.split_once("://").ok_or_else(|| bad("use http://… or socks5://…"))?;
        let kind = match scheme.to_ascii_lowercase().as_str() {
            "http" => Kind::Http,
            "socks5" | "socks5h" => Kind::Socks5,
            _ => return Err(bad("use http://… or socks5://…")),
        };
        let authority = rest.split('/').next().unwrap_or_default();
        let (credentials, address) = match authority.rsplit_once('@') {
            Some((credentials, address)) => (Some(credentials), address),
            None => (None, authority),
        };
        let (user, in_url) = match credentials.map(|c| c.split_once(':')) {
            Some(Some((user, password))) => (Some(decode(user)?), Some(decode(password)?)),
            Some(None) => (credentials.map(decode).transpose()?, None),
            None => (None, None),
        };
        let (host, port) = address.rsplit_once(':').ok_or_else(|| bad("it needs a port"))?;
        let port: u16 = port.parse().map_err(|_| bad("the port is not a number"))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(bad("it names no host"));
        }
        Ok(Self {
            kind,
            host: host.to_owned(),
            port,
            user: user.filter(|u| !u.is_empty()),
            password: in_url.or(password),
        })
    }

    /// What a user or a log may see: kind and address, never the password.
    pub fn describe(&self) -> String {
        let kind = match self.kind {
            Kind::Http => "HTTP proxy",
            Kind::Socks5 => "SOCKS5 proxy",
        };
        format!("{kind} {}:{}", bracketed(&self.host), self.port)
    }

    /// The same proxy for an HTTP client (uploads, downloads, host-meta).
    pub fn for_http(&self) -> Result<reqwest::Proxy, String> {
        let scheme = match self.kind {
            Kind::Http => "http",
            Kind::Socks5 => "socks5h",
        };
        let url = format!("{scheme}://{}:{}", bracketed(&self.host), self.port);
        let proxy = reqwest::Proxy::all(&url).map_err(|e| format!("{}: {e}", self.describe()))?;
        Ok(match (&self.user, &self.password) {
            (Some(user), password) => proxy.basic_auth(user, password.as_deref().unwrap_or("")),
            (None, _) => proxy,
        })
    }

    /// A TCP connection to `host:port` through the proxy.
    pub async fn connect(&self, host: &str, port: u16) -> Result<TcpStream, ConnectError> {
        let mut tcp = TcpStream::connect((self.host.as_str(), self.port)).await.map_err(|e| {
            ConnectError::Unreachable(format!("the {} could not be reached: {e}", self.describe()))
        })?;
        let tunnel = match self.kind {
            Kind::Http => self.http_connect(&mut tcp, host, port).await,
            Kind::Socks5 => self.socks5_connect(&mut tcp, host, port).await,
        };
        tunnel.map_err(|why| match why {
            Refusal::Credentials => ConnectError::Refused(format!(
                "the {} refused the user name and password (or wants some)",
                self.describe()
            )),
            Refusal::Other(why) => ConnectError::Unreachable(format!("{}: {why}", self.describe())),
        })?;
        Ok(tcp)
    }

    async fn http_connect(
        &self,
        tcp: &mut TcpStream,
        host: &str,
        port: u16,
    ) -> Result<(), Refusal> {
        let target = format!("{}:{port}", bracketed(host));
        let mut request = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
        if let Some(user) = &self.user {
            let pair = format!("{user}:{}", self.password.as_deref().unwrap_or(""));
            let token = data_encoding::BASE64.encode(pair.as_bytes());
            request.push_str(&format!("Proxy-Authorization: Basic {token}\r\n"));
        }
        request.push_str("\r\n");
        tcp.write_all(request.as_bytes()).await.map_err(Refusal::io)?;
        // Byte by byte: whatever follows the header block belongs to the tunnel.
        let mut answer = Vec::with_capacity(256);
        while !answer.ends_with(b"\r\n\r\n") {
            if answer.len() >= MAX_ANSWER {
                return Err(Refusal::Other("its answer to CONNECT never ended".into()));
            }
            let byte = tcp.read_u8().await.map_err(Refusal::io)?;
            answer.push(byte);
        }
        let text = String::from_utf8_lossy(&answer);
        let status_line = text.lines().next().unwrap_or_default();
        let status = status_line.split_whitespace().nth(1).unwrap_or_default();
        match status {
            "200" => Ok(()),
            // 407 is the standard answer; tinyproxy says 401.
            "407" | "401" => Err(Refusal::Credentials),
            _ => Err(Refusal::Other(format!("it refused to connect to {target} ({status_line})"))),
        }
    }

    async fn socks5_connect(
        &self,
        tcp: &mut TcpStream,
        host: &str,
        port: u16,
    ) -> Result<(), Refusal> {
        let methods: &[u8] = if self.user.is_some() { &[0x00, 0x02] } else { &[0x00] };
        let mut greeting = vec![0x05, methods.len() as u8];
        greeting.extend_from_slice(methods);
        tcp.write_all(&greeting).await.map_err(Refusal::io)?;
        let mut chosen = [0u8; 2];
        tcp.read_exact(&mut chosen).await.map_err(Refusal::io)?;
        match chosen {
            [0x05, 0x00] => {}
            [0x05, 0x02] => self.socks5_login(tcp).await?,
            [0x05, 0xff] => return Err(Refusal::Credentials),
            _ => return Err(Refusal::Other("it does not speak SOCKS5".into())),
        }
        let name = host.as_bytes();
        let length = u8::try_from(name.len())
            .map_err(|_| Refusal::Other("the server's name is too long for SOCKS5".into()))?;
        let mut request = vec![0x05, 0x01, 0x00, 0x03, length];
        request.extend_from_slice(name);
        request.extend_from_slice(&port.to_be_bytes());
        tcp.write_all(&request).await.map_err(Refusal::io)?;
        let mut head = [0u8; 4];
        tcp.read_exact(&mut head).await.map_err(Refusal::io)?;
        if head[0] != 0x05 {
            return Err(Refusal::Other("it does not speak SOCKS5".into()));
        }
        if head[1] != 0x00 {
            return Err(Refusal::Other(format!(
                "it could not connect to {host}:{port} ({})",
                socks5_reply(head[1])
            )));
        }
        let address = match head[3] {
            0x01 => 4,
            0x04 => 16,
            0x03 => usize::from(tcp.read_u8().await.map_err(Refusal::io)?),
            _ => return Err(Refusal::Other("it answered with an unknown address type".into())),
        };
        let mut rest = vec![0u8; address + 2];
        tcp.read_exact(&mut rest).await.map_err(Refusal::io)?;
        Ok(())
    }

    /// RFC 1929: the user name and password, each at most 255 bytes.
    async fn socks5_login(&self, tcp: &mut TcpStream) -> Result<(), Refusal> {
        let user = self.user.as_deref().unwrap_or_default().as_bytes();
        let password = self.password.as_deref().unwrap_or_default().as_bytes();
        let too_long = || Refusal::Other("the user name or password is over 255 bytes".into());
        let mut login = vec![0x01, u8::try_from(user.len()).map_err(|_| too_long())?];
        login.extend_from_slice(user);
        login.push(u8::try_from(password.len()).map_err(|_| too_long())?);
        login.extend_from_slice(password);
        tcp.write_all(&login).await.map_err(Refusal::io)?;
        let mut verdict = [0u8; 2];
        tcp.read_exact(&mut verdict).await.map_err(Refusal::io)?;
        if verdict[1] == 0x00 { Ok(()) } else { Err(Refusal::Credentials) }
    }
}

fn socks5_reply(code: u8) -> &'static str {
    match code {
        0x01 => "general failure",
        0x02 => "not allowed by its rules",
        0x03 => "network unreachable",
        0x04 => "host unreachable",
        0x05 => "connection refused",
        0x06 => "timed out",
        0x07 => "command not supported",
        0x08 => "address type not supported",
        _ => "unknown error",
    }
}

/// An address as it may be shown: any password in it blanked.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    match rest.rsplit_once('@').and_then(|(credentials, address)| {
        credentials.split_once(':').map(|(user, _)| (user, address))
    }) {
        Some((user, address)) => format!("{scheme}://{user}:…@{address}"),
        None => url.to_owned(),
    }
}

enum Refusal {
    Credentials,
    Other(String),
}

impl Refusal {
    fn io(e: std::io::Error) -> Self {
        Refusal::Other(format!("the connection broke ({e})"))
    }
}

#[cfg(test)]
mod tests;
