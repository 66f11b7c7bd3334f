//! Account passwords: in the OS keyring (Secret Service, Keychain, Credential Manager) where
//! one answers, else in a file readable only by the user. Callers learn which, so the user can
//! be told.

use crate::paths::{APP_ID, Paths};
use std::path::PathBuf;

/// Set to `file` to skip the keyring (tests, headless machines).
pub const STORE_ENV: &str = "CONFAB_PASSWORD_STORE";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredIn {
    Keyring,
    /// The keyring did not answer; the password is in this file with mode 0600.
    File(PathBuf),
}

pub struct Secrets {
    paths: Paths,
    use_keyring: bool,
}

impl Secrets {
    pub fn new(paths: &Paths) -> Self {
        let use_keyring = std::env::var(STORE_ENV).map(|v| v != "file").unwrap_or(true);
        Self { paths: paths.clone(), use_keyring }
    }

    pub fn save(&self, account: &str, password: &str) -> Result<StoredIn, String> {
        if self.use_keyring {
            match keyring::Entry::new(APP_ID, account).and_then(|e| e.set_password(password)) {
                Ok(()) => {
                    let _ = std::fs::remove_file(self.file(account));
                    return Ok(StoredIn::Keyring);
                }
                Err(e) => tracing::warn!("keyring unavailable, using a password file: {e}"),
            }
        }
        let path = self.file(account);
        write_private(&path, password)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(StoredIn::File(path))
    }

    /// The saved password, if any. The file wins when both exist, since it is only written
    /// when the keyring failed.
    pub fn load(&self, account: &str) -> Option<String> {
        if let Ok(text) = std::fs::read_to_string(self.file(account)) {
            return Some(text);
        }
        if !self.use_keyring {
            return None;
        }
        keyring::Entry::new(APP_ID, account).and_then(|e| e.get_password()).ok()
    }

    /// Forget the password wherever it was kept.
    pub fn remove(&self, account: &str) {
        let _ = std::fs::remove_file(self.file(account));
        if self.use_keyring
            && let Ok(entry) = keyring::Entry::new(APP_ID, account)
        {
            let _ = entry.delete_credential();
        }
    }

    fn file(&self, account: &str) -> PathBuf {
        self.paths.password_dir().join(sanitize(account))
    }
}

/// A JID as a file name: keep it readable, drop anything a file system could trip on.
fn sanitize(account: &str) -> String {
    account
        .chars()
        .map(|c| if c.is_alphanumeric() || matches!(c, '@' | '.' | '-' | '_') { c } else { '_' })
        .collect()
}

fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        crate::paths::private::create_dir_all(dir)?;
    }
    crate::paths::private::write(path, contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_fallback_round_trips_and_is_private() {
        let dir = tempfile::tempdir().expect("tempdir");
        let secrets = Secrets { paths: Paths::in_profile(dir.path()), use_keyring: false };
        let stored = secrets.save("alice@example.org", "s3cret").expect("saves");
        let StoredIn::File(path) = stored else { panic!("expected a file") };
        assert_eq!(secrets.load("alice@example.org").as_deref(), Some("s3cret"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).expect("metadata").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        secrets.remove("alice@example.org");
        assert_eq!(secrets.load("alice@example.org"), None);
    }

    #[test]
    fn sanitize_keeps_jid_readable_and_drops_separators() {
        assert_eq!(sanitize("a/b@ex.org"), "a_b@ex.org");
    }
}
