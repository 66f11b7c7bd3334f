//! Settings and accounts, kept as TOML. A missing file is an empty configuration; unknown keys
//! are warned about and kept out; a broken file is reported, never a panic.

use crate::model::AccountId;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub mod keys;

/// How the connection is secured. Plaintext is deliberately not an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TlsMode {
    #[default]
    Starttls,
    /// XEP-0368: TLS from the first byte.
    DirectTls,
}

/// How the account reaches its server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transport {
    /// TCP first; where it cannot get through, HTTP at [`AccountConfig::url`] or at the
    /// endpoints the server's host-meta names (XEP-0156), WebSocket before BOSH. The route
    /// that worked is tried first next time.
    #[default]
    Auto,
    /// XMPP over TCP only: `tls` says STARTTLS or Direct TLS.
    Tcp,
    /// RFC 7395, over `wss://` at [`AccountConfig::url`]: for networks that let only HTTPS out.
    Websocket,
    /// XEP-0124 and XEP-0206, long-polling `https://` at [`AccountConfig::url`]: for networks
    /// where only plain web requests get out.
    Bosh,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    /// Bare JID, `user@domain`.
    pub jid: String,
    /// Connect here instead of looking up SRV records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: TlsMode,
    #[serde(default, skip_serializing_if = "is_default")]
    pub transport: Transport,
    /// The endpoint of an HTTP transport (`wss://…` for WebSocket, `https://…` for BOSH; for
    /// the automatic route, instead of looking it up). With `host` set, the connection goes to
    /// that host instead of the one named here (which TLS still checks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `http://[user@]host:port` (CONNECT) or `socks5://[user@]host:port`, for every
    /// connection of the account: XMPP, uploads, downloads. Its password is kept with the
    /// account's, under [`AccountConfig::proxy_secret`], never here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// A PEM file with extra trusted CA or server certificates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    /// SHA-256 fingerprints (hex, colon-separated) of certificates the user trusts for good,
    /// the most recent last. [`AccountConfig::pin`] keeps one; older files may hold several,
    /// which all keep working until the next pin.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pinned_certificates: Vec<String>,
    /// Resource to ask for; the server picks one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    /// Whether the password may be sent itself (SASL PLAIN, inside TLS) to a server that
    /// offers nothing better. Off unless the user allowed it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_plain: bool,
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

fn enabled_by_default() -> bool {
    true
}

impl AccountConfig {
    pub fn new(jid: &str) -> Self {
        Self {
            jid: jid.to_owned(),
            host: None,
            port: None,
            tls: TlsMode::default(),
            transport: Transport::default(),
            url: None,
            proxy: None,
            ca_file: None,
            pinned_certificates: Vec::new(),
            resource: None,
            enabled: true,
            allow_plain: false,
        }
    }

    /// Trust this certificate from now on, instead of the one trusted before: a server has one
    /// certificate at a time, and a list that only grows would keep trusting a certificate
    /// long replaced (perhaps because its key leaked).
    pub fn pin(&mut self, fingerprint: &str) {
        self.pinned_certificates = vec![fingerprint.to_owned()];
    }

    /// Where the proxy's password is kept among the secrets (a JID cannot hold a space).
    pub fn proxy_secret(&self) -> String {
        format!("{} proxy", self.jid)
    }

    /// Where the account's FAST login token (XEP-0484) is kept beside its password.
    pub fn fast_token_secret(&self) -> String {
        format!("{} FAST", self.jid)
    }

    pub fn id(&self) -> AccountId {
        AccountId(self.jid.clone())
    }
}

/// Everything kept across runs. New settings come with serde defaults, so an older file reads
/// as before, and live at the top level, where an older Confab only warns about them (accounts
/// deny unknown fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    /// Turn ASCII smileys such as `:-)` into emoji while typing, and show received ones as emoji.
    #[serde(default = "enabled_by_default")]
    pub smileys_to_emoji: bool,
    /// Draw XEP-0393 message styling (`*bold*`, `_italic_`, code, quotes), or show messages
    /// as typed.
    #[serde(default = "enabled_by_default")]
    pub message_styling: bool,
    /// The emoji picked lately, most recent first, in [`crate::emoji::Recent`]'s stored form.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub recent_emoji: String,
    /// Conversations that never notify.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub muted: Vec<MutedChat>,
    #[serde(default, rename = "account", skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<AccountConfig>,
    /// What Confab tells the people we write to.
    #[serde(default)]
    pub privacy: Privacy,
    /// Which shared files are fetched without asking.
    #[serde(default)]
    pub media: Media,
    /// How the window looks.
    #[serde(default, skip_serializing_if = "is_default")]
    pub appearance: Appearance,
}

/// How the window looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Appearance {
    #[serde(default)]
    pub theme: ThemeChoice,
}

/// Light or dark: the system's choice (followed as it changes), or one of them always.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeChoice {
    #[default]
    System,
    Light,
    Dark,
}

impl ThemeChoice {
    pub const ALL: [ThemeChoice; 3] = [ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark];

    /// The stored and typed name: `system`, `light` or `dark`.
    pub fn name(self) -> &'static str {
        match self {
            ThemeChoice::System => "system",
            ThemeChoice::Light => "light",
            ThemeChoice::Dark => "dark",
        }
    }
}

/// Automatic downloads reveal to whoever hosts a file that we are online and where from, so
/// they happen only for people in the contact list and only up to a size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Media {
    /// Fetch files sent by contacts in the roster (and by ourselves elsewhere) as they arrive.
    #[serde(default = "enabled_by_default")]
    pub auto_download: bool,
    /// The largest file fetched without asking, in MiB.
    #[serde(default = "default_auto_download_mib")]
    pub auto_download_mib: u64,
}

fn default_auto_download_mib() -> u64 {
    16
}

impl Default for Media {
    fn default() -> Self {
        Self { auto_download: true, auto_download_mib: default_auto_download_mib() }
    }
}

/// Signals about reading and typing, each sent only when the user lets it be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Privacy {
    /// XEP-0184: tell contacts their message arrived.
    #[serde(default = "enabled_by_default")]
    pub receipts: bool,
    /// XEP-0333: tell contacts their messages were seen (shown in an open, focused chat).
    #[serde(default = "enabled_by_default")]
    pub read_markers: bool,
    /// XEP-0085: tell contacts we are typing.
    #[serde(default = "enabled_by_default")]
    pub typing: bool,
    /// XEP-0092: name the operating system to contacts who ask which software we use.
    #[serde(default)]
    pub share_os: bool,
}

impl Default for Privacy {
    fn default() -> Self {
        Self { receipts: true, read_markers: true, typing: true, share_os: false }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            smileys_to_emoji: true,
            message_styling: true,
            recent_emoji: String::new(),
            muted: Vec::new(),
            accounts: Vec::new(),
            privacy: Privacy::default(),
            media: Media::default(),
            appearance: Appearance::default(),
        }
    }
}

/// A muted conversation: one account's chat, room or private chat in a room.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MutedChat {
    /// The account's bare JID.
    pub account: String,
    /// The conversation's address.
    pub chat: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

impl Config {
    /// Load the configuration; a missing file is the default configuration.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(source) => {
                return Err(ConfigError::Read { path: path.into(), source });
            }
        };
        Self::parse(&text).map_err(|message| ConfigError::Parse { path: path.into(), message })
    }

    /// Parse TOML, warning about keys this version does not know instead of failing on them.
    pub fn parse(text: &str) -> Result<Self, String> {
        let deserializer = toml::Deserializer::parse(text).map_err(|e| e.to_string())?;
        serde_ignored::deserialize(deserializer, |key| {
            tracing::warn!("ignoring unknown configuration key `{key}`");
        })
        .map_err(|e: toml::de::Error| e.to_string())
    }

    /// Write atomically: a crash mid-write leaves the old file, never half of the new one.
    pub fn save(&self, path: &Path) -> Result<(), ConfigError> {
        let write_err = |source| ConfigError::Write { path: path.into(), source };
        let text = toml::to_string_pretty(self)
            .map_err(|e| write_err(std::io::Error::other(e.to_string())))?;
        // Private: it holds pinned certificates and who the user's accounts are.
        if let Some(dir) = path.parent() {
            crate::paths::private::create_dir_all(dir).map_err(write_err)?;
        }
        let tmp = path.with_extension("toml.tmp");
        crate::paths::private::write(&tmp, text.as_bytes()).map_err(write_err)?;
        std::fs::rename(&tmp, path).map_err(write_err)
    }

    pub fn account(&self, jid: &str) -> Option<&AccountConfig> {
        self.accounts.iter().find(|a| a.jid == jid)
    }

    pub fn account_mut(&mut self, jid: &str) -> Option<&mut AccountConfig> {
        self.accounts.iter_mut().find(|a| a.jid == jid)
    }

    /// Add or replace the account with the same JID.
    pub fn upsert_account(&mut self, account: AccountConfig) {
        match self.account_mut(&account.jid) {
            Some(existing) => *existing = account,
            None => self.accounts.push(account),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_accounts_and_ignores_unknown_keys() {
        let mut config = Config::default();
        let mut account = AccountConfig::new("alice@example.org");
        account.host = Some("127.0.0.1".into());
        account.port = Some(5223);
        account.tls = TlsMode::DirectTls;
        account.pinned_certificates.push("AB:CD".into());
        config.upsert_account(account.clone());
        let text = toml::to_string_pretty(&config).expect("serialises");
        let with_extra = format!("future_setting = 1\n{text}");
        let parsed = Config::parse(&with_extra).expect("parses");
        assert_eq!(parsed.accounts, vec![account]);
    }

    #[test]
    fn chat_settings_default_on_and_round_trip() {
        let old = Config::parse("[[account]]\njid = \"a@b\"\n").expect("an older file parses");
        assert!(old.smileys_to_emoji, "smileys are converted unless turned off");
        assert!(old.message_styling, "styling is drawn unless turned off");
        assert!(old.recent_emoji.is_empty() && old.muted.is_empty());
        assert_eq!(Config::default(), Config::parse("").expect("an empty file parses"));
        let mut config = old;
        config.smileys_to_emoji = false;
        config.message_styling = false;
        config.recent_emoji = "👍 🚀".into();
        config.muted.push(MutedChat { account: "a@b".into(), chat: "tea@muc.b".into() });
        let text = toml::to_string_pretty(&config).expect("serialises");
        assert_eq!(Config::parse(&text).expect("parses"), config);
    }

    #[test]
    fn a_new_pin_replaces_the_old_ones_and_old_lists_still_read() {
        let text = "[[account]]\njid = \"a@b\"\npinned_certificates = [\"AA:01\", \"BB:02\"]\n";
        let mut config = Config::parse(text).expect("a file with several pins parses");
        let account = config.account_mut("a@b").expect("the account");
        assert_eq!(account.pinned_certificates, ["AA:01", "BB:02"]);
        account.pin("CC:03");
        assert_eq!(account.pinned_certificates, ["CC:03"]);
    }

    #[test]
    fn broken_file_is_an_error_not_a_panic() {
        assert!(Config::parse("[[account]]\njid = ").is_err());
        assert!(Config::parse("[[account]]\njid = \"a@b\"\ntls = \"plaintext\"").is_err());
    }

    #[test]
    fn missing_file_is_default() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = Config::load(&dir.path().join("absent.toml")).expect("loads");
        assert_eq!(config, Config::default());
    }
}
