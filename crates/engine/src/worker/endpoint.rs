//! A web address the stream goes to, WebSocket's `wss://` or BOSH's `https://`, checked the
//! same way for both: encrypted only (Confab never sends a stream where it could be read on
//! the way), with a host to connect to.

use crate::model::ConnectError;
use hyper::Uri;

/// Which web route an address is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Web {
    Websocket,
    Bosh,
}

impl Web {
    /// The route's name, its encrypted scheme and the plain one it refuses.
    fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Web::Websocket => ("WebSocket", "wss", "ws"),
            Web::Bosh => ("BOSH", "https", "http"),
        }
    }
}

/// A checked address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub uri: Uri,
    pub host: String,
    pub port: u16,
}

impl Endpoint {
    pub fn parse(url: &str, web: Web) -> Result<Self, ConnectError> {
        let (name, secure, plain) = web.names();
        let refused = |why: String| ConnectError::Other(why);
        let uri: Uri =
            url.parse().map_err(|e| refused(format!("“{url}” is not a {name} address: {e}")))?;
        match uri.scheme_str() {
            Some(scheme) if scheme == secure => {}
            Some(scheme) if scheme == plain => {
                return Err(refused(format!(
                    "“{url}” is not encrypted ({plain}://); Confab connects only with {secure}://"
                )));
            }
            _ => return Err(refused(format!("“{url}” is not a {name} address ({secure}://…)"))),
        }
        let host = uri
            .host()
            .map(|h| h.trim_start_matches('[').trim_end_matches(']').to_owned())
            .filter(|h| !h.is_empty())
            .ok_or_else(|| refused(format!("“{url}” names no host")))?;
        let port = uri.port_u16().unwrap_or(443);
        Ok(Self { uri, host, port })
    }

    /// What goes in the `Host` header: the host, and the port when the address names one.
    pub fn authority(&self) -> &str {
        self.uri.authority().map_or(self.host.as_str(), |a| a.as_str())
    }

    /// What goes in the request line: the path and the query.
    pub fn target(&self) -> &str {
        self.uri.path_and_query().map_or("/", |p| p.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_encrypted_addresses_of_the_right_kind_are_taken() {
        let bosh = Endpoint::parse("https://xmpp.example.org:5281/http-bind?x=1", Web::Bosh)
            .expect("taken");
        assert_eq!((bosh.host.as_str(), bosh.port), ("xmpp.example.org", 5281));
        assert_eq!((bosh.authority(), bosh.target()), ("xmpp.example.org:5281", "/http-bind?x=1"));
        assert_eq!(
            Endpoint::parse("https://example.org/bosh", Web::Bosh).expect("taken").port,
            443
        );
        let plain = Endpoint::parse("http://example.org/bosh", Web::Bosh).expect_err("refused");
        assert!(plain.to_string().contains("not encrypted (http://)"), "{plain}");
        assert!(Endpoint::parse("wss://example.org/ws", Web::Bosh).is_err());
        assert!(Endpoint::parse("not a url", Web::Bosh).is_err());

        let ws = Endpoint::parse("wss://[::1]:5443/ws", Web::Websocket).expect("taken");
        assert_eq!((ws.host.as_str(), ws.port), ("::1", 5443));
        let plain = Endpoint::parse("ws://example.org/ws", Web::Websocket).expect_err("refused");
        assert!(plain.to_string().contains("not encrypted (ws://)"), "{plain}");
        let other = Endpoint::parse("https://example.org/ws", Web::Websocket).expect_err("no");
        assert!(other.to_string().contains("not a WebSocket address (wss://…)"), "{other}");
        assert!(Endpoint::parse("wss:///path", Web::Websocket).is_err(), "no host");
    }
}
