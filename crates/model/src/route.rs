//! How a connection reached its server: shown in the account's status and by
//! `confab account show`, so a user behind a restrictive network sees which way worked.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// "TCP (STARTTLS)", "TCP (Direct TLS)" or "WebSocket".
    pub transport: String,
    /// The address connected to (`host:port`), or the WebSocket URL.
    pub endpoint: String,
    /// The TLS version agreed, "TLS 1.3" say.
    pub tls: String,
    /// The proxy in between ("HTTP proxy host:port"), if any.
    #[serde(default)]
    pub proxy: Option<String>,
    /// How the login went: "SASL2 and Bind2, SCRAM-SHA-1" or "SASL, SCRAM-SHA-256-PLUS";
    /// empty before the login.
    #[serde(default)]
    pub login: String,
}

impl Route {
    /// The way in a few words, for the status under the contact list: "WebSocket", "BOSH via
    /// HTTP proxy 127.0.0.1:3128".
    pub fn short(&self) -> String {
        match &self.proxy {
            Some(proxy) => format!("{} via {proxy}", self.transport),
            None => self.transport.clone(),
        }
    }
}

impl std::fmt::Display for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} to {}, {}", self.transport, self.endpoint, self.tls)?;
        if let Some(proxy) = &self.proxy {
            write!(f, ", via {proxy}")?;
        }
        if !self.login.is_empty() {
            write!(f, ", login {}", self.login)?;
        }
        Ok(())
    }
}
