//! `confab config`: the settings the window shows, read and changed by their dotted names
//! (`config::keys`). A change is checked before it is written; the window reads the file when
//! it starts, so a change made here while it is open shows at its next start (and the window
//! keeps its own choices if it saves meanwhile).

use super::load_config;
use crate::config::keys::{self, SETTINGS};
use crate::paths::Paths;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum ConfigCli {
    /// Every setting, with its value and what it does.
    List {
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Print one setting's value.
    Get { key: String },
    /// Change one setting, for example `confab config set appearance.theme dark`.
    Set { key: String, value: String },
}

pub fn run(paths: &Paths, command: ConfigCli) -> Result<(), String> {
    match command {
        ConfigCli::List { json } => {
            let config = load_config(paths)?;
            for setting in SETTINGS {
                let value = setting.value(&config);
                if json {
                    let line = serde_json::json!({
                        "key": setting.key,
                        "value": value,
                        "about": setting.about,
                        "accepts": setting.accepts,
                    });
                    println!("{line}");
                } else {
                    println!("{} = {value}    # {}", setting.key, setting.about);
                }
            }
            Ok(())
        }
        ConfigCli::Get { key } => {
            let setting = keys::find(&key)?;
            println!("{}", setting.value(&load_config(paths)?));
            Ok(())
        }
        ConfigCli::Set { key, value } => {
            let setting = keys::find(&key)?;
            let mut config = load_config(paths)?;
            setting.apply(&mut config, &value)?;
            config.save(&paths.config_file()).map_err(|e| e.to_string())
        }
    }
}
