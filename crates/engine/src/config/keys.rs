//! The settings as `confab config` names them: stable dotted keys over the same [`Config`] the
//! window changes, each value checked before it is kept. Accounts have their own commands
//! (`confab account`), and what Confab remembers by itself (recent emoji, muted chats) is not
//! a setting.

use super::{Config, ThemeChoice};

/// One setting: its key, what it does, and how it is read and changed.
pub struct Setting {
    pub key: &'static str,
    pub about: &'static str,
    /// What it accepts, for the error that names a value it does not.
    pub accepts: &'static str,
    get: fn(&Config) -> String,
    set: fn(&mut Config, &str) -> Option<()>,
}

/// The largest automatic download a user can set, in MiB: a bound on what a stranger's file
/// can make Confab fetch unasked.
pub const MOST_AUTO_DOWNLOAD_MIB: u64 = 4096;

const ON_OFF: &str = "true or false";

/// A setting that is on or off, kept in the field at `$field` of [`Config`].
macro_rules! on_off {
    ($key:literal, $about:literal, $($field:ident).+) => {
        Setting {
            key: $key,
            about: $about,
            accepts: ON_OFF,
            get: |c| c.$($field).+.to_string(),
            set: |c, v| flag(v).map(|on| c.$($field).+ = on),
        }
    };
}

pub const SETTINGS: &[Setting] = &[
    Setting {
        key: "appearance.theme",
        about: "Light or dark: the system's choice, or one of them always",
        accepts: "system, light or dark",
        get: |c| c.appearance.theme.name().to_owned(),
        set: |c, v| {
            c.appearance.theme = ThemeChoice::ALL.into_iter().find(|t| t.name() == v)?;
            Some(())
        },
    },
    on_off!(
        "messages.smileys_to_emoji",
        "Turn ASCII smileys such as :-) into emoji, typed and received",
        smileys_to_emoji
    ),
    on_off!(
        "messages.styling",
        "Draw *bold*, _italic_, `code` and > quotes (XEP-0393)",
        message_styling
    ),
    on_off!(
        "privacy.receipts",
        "Tell contacts their messages arrived (XEP-0184)",
        privacy.receipts
    ),
    on_off!(
        "privacy.read_markers",
        "Tell contacts their messages were read (XEP-0333)",
        privacy.read_markers
    ),
    on_off!("privacy.typing", "Tell contacts you are typing (XEP-0085)", privacy.typing),
    on_off!(
        "privacy.share_os",
        "Name your operating system when contacts ask (XEP-0092)",
        privacy.share_os
    ),
    on_off!("media.auto_download", "Fetch files from contacts as they arrive", media.auto_download),
    Setting {
        key: "media.auto_download_mib",
        about: "The largest file fetched without asking, in MiB",
        accepts: "a whole number of MiB from 0 to 4096",
        get: |c| c.media.auto_download_mib.to_string(),
        set: |c, v| {
            let mib = v.parse().ok().filter(|mib| *mib <= MOST_AUTO_DOWNLOAD_MIB)?;
            c.media.auto_download_mib = mib;
            Some(())
        },
    },
];

fn flag(value: &str) -> Option<bool> {
    match value {
        "true" | "on" | "yes" => Some(true),
        "false" | "off" | "no" => Some(false),
        _ => None,
    }
}

/// The setting named `key`, or why there is none.
pub fn find(key: &str) -> Result<&'static Setting, String> {
    SETTINGS
        .iter()
        .find(|s| s.key == key)
        .ok_or_else(|| format!("there is no setting `{key}`; `confab config list` shows them all"))
}

impl Setting {
    pub fn value(&self, config: &Config) -> String {
        (self.get)(config)
    }

    /// Change the setting in `config`, or say what it accepts.
    pub fn apply(&self, config: &mut Config, value: &str) -> Result<(), String> {
        (self.set)(config, value.trim()).ok_or_else(|| {
            format!("`{value}` is not a value for {}: it takes {}", self.key, self.accepts)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_reads_back_what_it_was_given() {
        for setting in SETTINGS {
            let mut config = Config::default();
            let value = setting.value(&config);
            setting.apply(&mut config, &value).expect("its own value");
            assert_eq!(config, Config::default(), "{}", setting.key);
        }
        let mut config = Config::default();
        find("appearance.theme").and_then(|s| s.apply(&mut config, "dark")).expect("dark");
        assert_eq!(config.appearance.theme, ThemeChoice::Dark);
        find("privacy.typing").and_then(|s| s.apply(&mut config, "off")).expect("off");
        assert!(!config.privacy.typing);
        find("media.auto_download_mib").and_then(|s| s.apply(&mut config, " 64 ")).expect("64");
        assert_eq!(config.media.auto_download_mib, 64);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused_with_what_would_do() {
        let unknown = find("appearance.colour").err().expect("no such key");
        assert!(unknown.contains("confab config list"), "{unknown}");
        let mut config = Config::default();
        let theme = find("appearance.theme").expect("a key");
        let bad = theme.apply(&mut config, "purple").expect_err("not a theme");
        assert_eq!(
            bad,
            "`purple` is not a value for appearance.theme: it takes system, light or dark"
        );
        let size = find("media.auto_download_mib").expect("a key");
        assert!(size.apply(&mut config, "4097").is_err(), "over the bound");
        assert!(size.apply(&mut config, "-1").is_err());
        assert!(find("privacy.receipts").expect("a key").apply(&mut config, "maybe").is_err());
        assert_eq!(config, Config::default(), "nothing changed by a refused value");
    }

    #[test]
    fn keys_are_unique_and_dotted() {
        let mut keys: Vec<_> = SETTINGS.iter().map(|s| s.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), SETTINGS.len());
        assert!(keys.iter().all(|k| k.split('.').count() == 2));
    }
}
