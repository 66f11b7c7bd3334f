//! Which redirects a transfer follows. A file address comes from whoever sent the message, and
//! its server may send us on: never from https down to plain http (the file and our address
//! would travel readable and alterable), never into the user's own network (a public server
//! must not make Confab probe the router or a local service), and not forever.

use reqwest::Url;
use reqwest::redirect::{Attempt, Policy};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The most redirects one transfer follows; file servers need one or two.
pub const MAX_REDIRECTS: usize = 5;

/// The policy every transfer client uses.
pub fn policy() -> Policy {
    Policy::custom(|attempt: Attempt<'_>| match check(attempt.previous(), attempt.url()) {
        Ok(()) => attempt.follow(),
        Err(why) => attempt.error(why),
    })
}

/// Where an address leads, as far as redirects care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    Public,
    Loopback,
    Private,
    LinkLocal,
}

/// `previous` holds the original address first, then every address already followed.
fn check(previous: &[Url], next: &Url) -> Result<(), String> {
    if previous.len() > MAX_REDIRECTS {
        return Err(format!("the file server redirected more than {MAX_REDIRECTS} times"));
    }
    if !matches!(next.scheme(), "http" | "https") {
        return Err(format!("the file server redirected to {next}, which is not a web address"));
    }
    if next.scheme() == "http" && previous.iter().any(|url| url.scheme() == "https") {
        return Err(format!(
            "the file server redirected from https to unencrypted http ({next}); refused"
        ));
    }
    let target = reach(next);
    let original = previous.first().map_or(Reach::Public, reach);
    if target != Reach::Public && target != original {
        return Err(format!(
            "the file server redirected to an address in your own network ({next}); refused"
        ));
    }
    Ok(())
}

fn reach(url: &Url) -> Reach {
    let host = url.host_str().unwrap_or_default();
    let unbracketed = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = unbracketed.parse::<IpAddr>() {
        return reach_ip(ip);
    }
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    if name == "localhost" || name.ends_with(".localhost") {
        Reach::Loopback
    } else {
        Reach::Public
    }
}

fn reach_ip(ip: IpAddr) -> Reach {
    match ip {
        IpAddr::V4(v4) => reach_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => reach_v4(v4),
            None => reach_v6(v6),
        },
    }
}

fn reach_v4(ip: Ipv4Addr) -> Reach {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() || ip.is_unspecified() {
        Reach::Loopback
    } else if ip.is_link_local() {
        Reach::LinkLocal
    } else if ip.is_private() || (a == 100 && (64..128).contains(&b)) {
        // RFC 1918, and RFC 6598 shared address space (carrier-grade NAT).
        Reach::Private
    } else {
        Reach::Public
    }
}

fn reach_v6(ip: Ipv6Addr) -> Reach {
    let first = ip.segments()[0];
    if ip.is_loopback() || ip.is_unspecified() {
        Reach::Loopback
    } else if first & 0xffc0 == 0xfe80 {
        Reach::LinkLocal
    } else if first & 0xfe00 == 0xfc00 {
        // RFC 4193 unique local addresses.
        Reach::Private
    } else {
        Reach::Public
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).expect("a URL")
    }

    fn from(original: &str, next: &str) -> Result<(), String> {
        check(&[url(original)], &url(next))
    }

    #[test]
    fn https_is_never_followed_down_to_http() {
        assert_eq!(from("https://files.example/a", "https://cdn.example/a"), Ok(()));
        let refused = from("https://files.example/a", "http://files.example/a");
        assert!(refused.expect_err("a downgrade").contains("from https to unencrypted http"));
        let via = [url("https://files.example/a"), url("https://cdn.example/a")];
        assert!(check(&via, &url("http://cdn.example/b")).is_err(), "nor later in the chain");
        assert_eq!(from("http://files.example/a", "https://files.example/a"), Ok(()));
    }

    #[test]
    fn a_public_address_may_not_lead_into_the_local_network() {
        for inside in [
            "https://127.0.0.1/x",
            "https://localhost/x",
            "https://10.1.2.3/x",
            "https://172.16.0.1/x",
            "https://192.168.1.1/x",
            "https://100.64.0.1/x",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/x",
            "https://[fe80::1]/x",
            "https://[fd00::1]/x",
            "https://[::ffff:192.168.1.1]/x",
            "https://0.0.0.0/x",
        ] {
            let refused = from("https://files.example/a", inside);
            assert!(refused.is_err(), "{inside} was followed");
        }
        assert_eq!(from("https://files.example/a", "https://93.184.216.34/a"), Ok(()));
    }

    #[test]
    fn a_local_address_may_lead_to_its_own_kind_only() {
        assert_eq!(from("https://127.0.0.1:5281/a", "https://127.0.0.1:5282/b"), Ok(()));
        assert_eq!(from("https://192.168.1.5/a", "https://10.0.0.7/b"), Ok(()));
        assert!(from("https://192.168.1.5/a", "https://169.254.169.254/").is_err());
        assert!(from("https://192.168.1.5/a", "https://127.0.0.1/").is_err());
    }

    #[test]
    fn at_most_five_redirects_and_only_to_web_addresses() {
        let chain: Vec<Url> =
            (0..=MAX_REDIRECTS).map(|i| url(&format!("https://a.example/{i}"))).collect();
        assert_eq!(check(&chain[..MAX_REDIRECTS], &url("https://a.example/next")), Ok(()));
        let refused = check(&chain, &url("https://a.example/next"));
        assert!(refused.expect_err("too many").contains("more than 5 times"));
        assert!(from("https://a.example/", "file:///etc/passwd").is_err());
    }
}
