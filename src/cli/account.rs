//! `confab account show`, and the transport settings of `account add`.

use super::{choose_account, load_config, open_store};
use crate::config::{AccountConfig, TlsMode, Transport};
use crate::model::Route;
use crate::paths::Paths;
use crate::worker;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TransportArg {
    Auto,
    Tcp,
    Websocket,
    Bosh,
}

/// The transport and its endpoint, checked: WebSocket needs a `wss://` address, BOSH an
/// `https://` one, TCP takes none, and the automatic route may be given either instead of
/// looking them up.
pub fn set_transport(
    account: &mut AccountConfig,
    transport: TransportArg,
    url: Option<String>,
) -> Result<(), String> {
    account.transport = match transport {
        TransportArg::Auto => Transport::Auto,
        TransportArg::Tcp => Transport::Tcp,
        TransportArg::Websocket => Transport::Websocket,
        TransportArg::Bosh => Transport::Bosh,
    };
    match (account.transport, url) {
        (Transport::Tcp, Some(_)) => {
            Err("--url is for --transport websocket or bosh; TCP finds the server by its address"
                .into())
        }
        (Transport::Tcp | Transport::Auto, None) => Ok(()),
        (Transport::Websocket, None) => {
            Err("--transport websocket needs the server's address: --url wss://…".into())
        }
        (Transport::Bosh, None) => {
            Err("--transport bosh needs the server's address: --url https://…".into())
        }
        (transport, Some(url)) => {
            worker::check_endpoint(transport, &url)?;
            account.url = Some(url);
            Ok(())
        }
    }
}

/// The proxy setting from `--proxy`, checked, its password split off to be kept apart.
pub fn set_proxy(account: &mut AccountConfig, url: Option<&str>) -> Result<Option<String>, String> {
    let Some(url) = url.filter(|u| !u.trim().is_empty()) else {
        account.proxy = None;
        return Ok(None);
    };
    let setting = worker::split_proxy_setting(url.trim())?;
    account.proxy = Some(setting.url);
    Ok(setting.password)
}

/// Print the account's connection settings and the route of its last login.
pub fn show(paths: &Paths, wanted: Option<String>, json: bool) -> Result<(), String> {
    let jid = choose_account(paths, wanted)?;
    let config = load_config(paths)?;
    let account = config.account(&jid).ok_or(format!("unknown account {jid}"))?;
    let store = open_store(paths)?;
    let stored =
        store.get_state(&jid, worker::LAST_ROUTE).map_err(|e| store.locate(e).to_string())?;
    let route: Option<Route> = stored.and_then(|text| serde_json::from_str(&text).ok());
    if json {
        let value = serde_json::json!({
            "jid": account.jid,
            "transport": account.transport,
            "url": account.url,
            "proxy": account.proxy,
            "host": account.host,
            "port": account.port,
            "tls": account.tls,
            "last_route": route,
        });
        println!("{value}");
        return Ok(());
    }
    println!("{}", account.jid);
    let tls = match account.tls {
        TlsMode::Starttls => "STARTTLS",
        TlsMode::DirectTls => "Direct TLS",
    };
    let fallback = match &account.url {
        Some(url) => url.clone(),
        None => "WebSocket or BOSH found through host-meta".to_owned(),
    };
    let how = match (account.transport, &account.url) {
        (Transport::Websocket, Some(url)) => format!("WebSocket at {url}"),
        (Transport::Websocket, None) => "WebSocket (no address set)".to_owned(),
        (Transport::Bosh, Some(url)) => format!("BOSH at {url}"),
        (Transport::Bosh, None) => "BOSH (no address set)".to_owned(),
        (Transport::Tcp, _) => format!("TCP with {tls}"),
        (Transport::Auto, _) => format!("automatic: TCP with {tls}, else {fallback}"),
    };
    println!("  transport:       {how}");
    if let Some(host) = &account.host {
        let port = account.port.map(|p| format!(":{p}")).unwrap_or_default();
        println!("  connects to:     {host}{port}");
    }
    if let Some(proxy) = &account.proxy {
        println!("  through:         {proxy}");
    }
    match route {
        Some(route) => println!("  last connection: {route}"),
        None => println!("  last connection: none yet"),
    }
    Ok(())
}
