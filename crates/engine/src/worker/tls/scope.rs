//! Where an account's own trust applies. Its CA file and pinned certificates stand in for an
//! authority the system does not know, and only the account's server earned that: any other
//! host (a contact's file server, a redirect target) is checked against the system's roots
//! alone, so a pinned self-signed certificate cannot vouch for somebody else's site.

use crate::config::AccountConfig;
use std::net::IpAddr;
use tokio_rustls::rustls::pki_types::ServerName;

/// The names of the account's server: its domain, the subdomains under it (the upload
/// component, `upload.example.org`), and the host the account connects to when one is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnHosts {
    domain: String,
    host: Option<String>,
}

impl OwnHosts {
    pub fn of(account: &AccountConfig) -> Self {
        let after_at = account.jid.rsplit_once('@').map_or(account.jid.as_str(), |(_, d)| d);
        let domain = after_at.split('/').next().unwrap_or_default();
        Self { domain: normalise(domain), host: account.host.as_deref().map(normalise) }
    }

    /// Whether the account's CA file and pins may vouch for `name`.
    pub fn covers(&self, name: &ServerName<'_>) -> bool {
        let name = match name {
            ServerName::IpAddress(ip) => IpAddr::from(*ip).to_string(),
            other => normalise(&other.to_str()),
        };
        let is_host = self.host.as_deref().is_some_and(|host| same_host(host, &name));
        let under_domain = !self.domain.is_empty()
            && (name == self.domain
                || name.strip_suffix(&self.domain).is_some_and(|rest| rest.ends_with('.')));
        is_host || under_domain
    }
}

/// Lower case, no trailing dot: how DNS compares names.
fn normalise(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// Equal as names, or as addresses (`::1` and `0:0::1` are one host).
fn same_host(configured: &str, name: &str) -> bool {
    let unbracketed = configured.trim_start_matches('[').trim_end_matches(']');
    match (unbracketed.parse::<IpAddr>(), name.parse::<IpAddr>()) {
        (Ok(a), Ok(b)) => a == b,
        _ => configured == name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> ServerName<'static> {
        ServerName::try_from(text.to_owned()).expect("a server name")
    }

    #[test]
    fn the_domain_its_subdomains_and_the_set_host_are_the_accounts_own() {
        let mut account = AccountConfig::new("me@Example.org");
        account.host = Some("127.0.0.1".into());
        let own = OwnHosts::of(&account);
        assert!(own.covers(&name("example.org")));
        assert!(own.covers(&name("upload.example.org.")));
        assert!(own.covers(&name("127.0.0.1")));
        assert!(!own.covers(&name("evil-example.org")), "a suffix is not a subdomain");
        assert!(!own.covers(&name("example.org.evil.net")));
        assert!(!own.covers(&name("localhost")));
        assert!(!own.covers(&name("10.0.0.1")));
    }

    #[test]
    fn without_a_set_host_only_the_domain_counts() {
        let own = OwnHosts::of(&AccountConfig::new("me@example.org"));
        assert!(!own.covers(&name("127.0.0.1")));
        assert!(!own.covers(&name("files.other.net")));
    }
}
