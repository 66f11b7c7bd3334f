//! Where Confab keeps its files. One profile directory (from `--profile DIR` or
//! `CONFAB_PROFILE`) overrides everything, for tests and portable installs; otherwise the
//! platform's config, data and cache directories are used. What is created there is only the
//! user's to read (`private`).

pub mod private;

use std::path::{Path, PathBuf};

/// Reverse-DNS application id, used for directories, the keyring and the desktop file.
pub const APP_ID: &str = "im.confab.Confab";

/// The environment variable that names a profile directory.
pub const PROFILE_ENV: &str = "CONFAB_PROFILE";

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
    pub cache_dir: PathBuf,
}

impl Paths {
    /// Resolve from an explicit profile, the environment, or the platform's defaults.
    pub fn resolve(profile: Option<&Path>) -> Result<Self, String> {
        if let Some(dir) = profile {
            return Ok(Self::in_profile(dir));
        }
        if let Some(dir) = std::env::var_os(PROFILE_ENV).filter(|v| !v.is_empty()) {
            return Ok(Self::in_profile(Path::new(&dir)));
        }
        let dirs = directories::ProjectDirs::from("im", "confab", "Confab")
            .ok_or("no home directory found; pass --profile DIR")?;
        Ok(Self {
            config_dir: dirs.config_dir().to_path_buf(),
            data_dir: dirs.data_dir().to_path_buf(),
            cache_dir: dirs.cache_dir().to_path_buf(),
        })
    }

    pub fn in_profile(dir: &Path) -> Self {
        Self {
            config_dir: dir.join("config"),
            data_dir: dir.join("data"),
            cache_dir: dir.join("cache"),
        }
    }

    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }

    pub fn database(&self) -> PathBuf {
        self.data_dir.join("confab.sqlite3")
    }

    /// Files we send (copied when sent) and files we download, one folder each.
    pub fn files_dir(&self) -> PathBuf {
        self.cache_dir.join("files")
    }

    /// Avatars by hash: shared by the worker, which fetches them, and the window.
    pub fn avatar_dir(&self) -> PathBuf {
        self.cache_dir.join("avatars")
    }

    /// Thumbnails of the pictures in conversations, made once (see `media::ThumbnailCache`).
    pub fn thumbnail_dir(&self) -> PathBuf {
        self.cache_dir.join("thumbnails")
    }

    /// Fallback password files, one per account, readable only by the user.
    pub fn password_dir(&self) -> PathBuf {
        self.config_dir.join("passwords")
    }
}
