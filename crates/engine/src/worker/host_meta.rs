//! XEP-0156: finding a server's WebSocket and BOSH endpoints in its host-meta documents, for
//! the automatic route when XMPP's own ports cannot be reached.
//!
//! Both documents are asked for at the account's domain, over HTTPS only, with the same
//! certificate checks as the XMPP connection (the account's own CA file and pins count for its
//! domain). No redirect is followed, a document is read up to [`MAX_DOCUMENT`] bytes, and only
//! `wss://` and `https://` links are taken: discovery never makes a connection less safe than
//! asked for.

use super::proxy::Proxy;
use super::tls::{self, RefusalSlot};
use crate::config::AccountConfig;
use serde::Deserialize;
use std::net::SocketAddr;
use std::time::Duration;
use xmpp_parsers::minidom::Element;

const WEBSOCKET_REL: &str = "urn:xmpp:alt-connections:websocket";
const BOSH_REL: &str = "urn:xmpp:alt-connections:xbosh";
const XRD_NS: &str = "http://docs.oasis-open.org/ns/xri/xrd-1.0";
/// A host-meta document lists a few links; anything longer is not one.
const MAX_DOCUMENT: usize = 64 * 1024;
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(8);

/// The `wss://` (WebSocket) and then `https://` (BOSH) endpoints the domain's host-meta
/// documents name, in the order to try them, or why there are none.
pub async fn endpoints(
    account: &AccountConfig,
    domain: &str,
    proxy: Option<&Proxy>,
) -> Result<Vec<String>, String> {
    let client = client(account, domain, proxy).await?;
    let mut reasons = Vec::new();
    let mut found: Vec<Link> = Vec::new();
    for (document, read) in [
        ("host-meta", links_in_xrd as fn(&str) -> Result<Vec<Link>, String>),
        ("host-meta.json", links_in_json),
    ] {
        let url = format!("https://{domain}/.well-known/{document}");
        match fetch(&client, &url).await.and_then(|text| read(&text)) {
            Ok(links) => found.extend(links),
            Err(why) => reasons.push(format!("{url}: {why}")),
        }
    }
    let mut endpoints: Vec<String> = Vec::new();
    for (rel, scheme) in [(WEBSOCKET_REL, "wss://"), (BOSH_REL, "https://")] {
        for link in found.iter().filter(|link| link.rel == rel && link.href.starts_with(scheme)) {
            if !endpoints.contains(&link.href) {
                endpoints.push(link.href.clone());
            }
        }
    }
    if endpoints.is_empty() {
        reasons.push("no wss:// or https:// endpoint listed".into());
        return Err(reasons.join("; "));
    }
    Ok(endpoints)
}

/// HTTPS to the domain (or to the account's host, when one is set), no redirects, through
/// the account's proxy when it has one.
async fn client(
    account: &AccountConfig,
    domain: &str,
    proxy: Option<&Proxy>,
) -> Result<reqwest::Client, String> {
    let config = tls::client_config(account, &[], RefusalSlot::default())?;
    let mut builder = reqwest::Client::builder().no_proxy();
    if let Some(proxy) = proxy {
        builder = builder.proxy(proxy.for_http()?);
    }
    let mut builder = builder
        .use_preconfigured_tls((*config).clone())
        .timeout(LOOKUP_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Confab/", env!("CARGO_PKG_VERSION")));
    if let (Some(host), None) = (&account.host, proxy) {
        let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 443))
            .await
            .map_err(|e| format!("{host} could not be found: {e}"))?
            .collect();
        builder = builder.resolve_to_addrs(domain, &addresses);
    }
    builder.build().map_err(|e| format!("cannot set up HTTPS: {e}"))
}

async fn fetch(client: &reqwest::Client, url: &str) -> Result<String, String> {
    let mut response = client.get(url).send().await.map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("HTTP {}", response.status()));
    }
    if response.content_length().is_some_and(|n| n > MAX_DOCUMENT as u64) {
        return Err(format!("larger than {MAX_DOCUMENT} bytes"));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
        if body.len() + chunk.len() > MAX_DOCUMENT {
            return Err(format!("larger than {MAX_DOCUMENT} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    String::from_utf8(body).map_err(|_| "not UTF-8 text".into())
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
struct Link {
    rel: String,
    href: String,
}

/// RFC 6415's XRD form: `<XRD><Link rel=… href=…/></XRD>`.
fn links_in_xrd(text: &str) -> Result<Vec<Link>, String> {
    let root: Element = text.trim().parse().map_err(|e| format!("not XML ({e})"))?;
    if !root.is("XRD", XRD_NS) {
        return Err("not an XRD document".into());
    }
    let links = root.children().filter(|child| child.is("Link", XRD_NS));
    Ok(links
        .filter_map(|link| {
            Some(Link { rel: link.attr("rel")?.to_owned(), href: link.attr("href")?.to_owned() })
        })
        .collect())
}

/// RFC 6415's JSON form: `{"links": [{"rel": …, "href": …}]}`.
fn links_in_json(text: &str) -> Result<Vec<Link>, String> {
    #[derive(Deserialize)]
    struct Document {
        #[serde(default)]
        links: Vec<serde_json::Value>,
    }
    let document: Document = serde_json::from_str(text).map_err(|e| format!("not JSON ({e})"))?;
    Ok(document.links.into_iter().filter_map(|link| serde_json::from_value(link).ok()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_xrd_form_gives_its_links() {
        let xrd = "<?xml version='1.0'?><XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'>\
                   <Link rel='urn:xmpp:alt-connections:xbosh' href='https://x.test/bosh'/>\
                   <Link rel='urn:xmpp:alt-connections:websocket' href='wss://x.test/ws'/>\
                   <Link rel='broken'/></XRD>";
        let links = links_in_xrd(xrd).expect("read");
        assert_eq!(links.len(), 2);
        assert_eq!(links[1], Link { rel: WEBSOCKET_REL.into(), href: "wss://x.test/ws".into() });
        assert!(links_in_xrd("<html><body>hello</body></html>").is_err());
        assert!(links_in_xrd("not xml at all").is_err());
    }

    #[test]
    fn the_json_form_gives_its_links_and_skips_odd_ones() {
        let json = r#"{"links": [{"rel": "urn:xmpp:alt-connections:websocket", "href": "wss://x.test/ws"},
                       {"rel": 5}, "text"]}"#;
        assert_eq!(
            links_in_json(json).expect("read"),
            [Link { rel: WEBSOCKET_REL.into(), href: "wss://x.test/ws".into() }]
        );
        assert!(links_in_json("<XRD/>").is_err());
    }
}
