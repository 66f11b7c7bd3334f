//! Avatars kept on disk under the hash that names them, so each is downloaded once however
//! many contacts and presences mention it. XEP-0084 item ids and XEP-0153 photo hashes are
//! both the hex SHA-1 of the image bytes, so the name is also a checksum: what is
//! stored and what is read back are verified against it. The I/O is synchronous; call it off
//! the UI thread.

use crate::paths::private;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha1::{Digest, Sha1};

/// A SHA-1 digest is 20 bytes, 40 hex digits. Only names of exactly this shape reach the file
/// system, so a hash from the network can never be a path ("../", "/", "C:").
const HASH_HEX_LEN: usize = 40;

/// Avatar files in one directory, each named by the lowercase hex SHA-1 of its bytes.
#[derive(Debug, Clone)]
pub struct AvatarCache {
    dir: PathBuf,
}

/// Why an avatar was not stored.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("an avatar hash must be 40 hexadecimal digits")]
    InvalidHash,
    #[error("the avatar data does not match its hash (announced {expected}, received {actual})")]
    HashMismatch { expected: String, actual: String },
    #[error("cannot write the avatar cache in {}: {source}", dir.display())]
    Io { dir: PathBuf, source: io::Error },
}

impl AvatarCache {
    /// A cache in `dir`, created on the first [`put`](Self::put).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The avatar with this hash, if stored and intact. Invalid hashes find nothing; a file
    /// whose bytes no longer match its name (torn by a crash, edited by hand) counts as
    /// missing, so the avatar is fetched and stored again.
    pub fn get(&self, hash: &str) -> Option<Vec<u8>> {
        let hash = normalise(hash)?;
        let bytes = fs::read(self.dir.join(&hash)).ok()?;
        (sha1_hex(&bytes) == hash).then_some(bytes)
    }

    /// Stores an avatar under its hash. XEP-0153 notes that lowercase is the custom but
    /// entities must process both, so an uppercase hash is accepted and stored lowercase,
    /// where [`get`](Self::get) finds it whichever case it is asked in. Refused, with nothing written: a hash that is
    /// not 40 hex digits, and bytes that are not what the hash announced.
    pub fn put(&self, hash: &str, bytes: &[u8]) -> Result<(), CacheError> {
        let expected = normalise(hash).ok_or(CacheError::InvalidHash)?;
        let actual = sha1_hex(bytes);
        if actual != expected {
            return Err(CacheError::HashMismatch { expected, actual });
        }
        let io_error = |source| CacheError::Io { dir: self.dir.clone(), source };
        private::create_dir_all(&self.dir).map_err(io_error)?;
        write_atomically(&self.dir, &expected, bytes).map_err(io_error)
    }
}

/// The lowercase hex SHA-1 of `bytes`, as XEP-0084 and XEP-0153 name avatars.
pub fn sha1_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(HASH_HEX_LEN);
    for byte in Sha1::digest(bytes) {
        hex.push(char::from(DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    hex
}

/// The hash as a file name (lowercase), or `None` when it is not a SHA-1 in hex.
fn normalise(hash: &str) -> Option<String> {
    let valid = hash.len() == HASH_HEX_LEN && hash.bytes().all(|b| b.is_ascii_hexdigit());
    valid.then(|| hash.to_ascii_lowercase())
}

/// Writes to a temporary file beside the target and renames it over, so a reader sees the old
/// file or the new one, never half of one. No fsync: a file lost or torn by a crash fails the
/// hash check in [`AvatarCache::get`] and is simply fetched again.
fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    // Unique per process and per call, so concurrent puts of one avatar never share a file.
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let serial = NEXT.fetch_add(1, Ordering::Relaxed);
    let temp = dir.join(format!(".{name}.{}-{serial}.tmp", std::process::id()));
    let written = private::file_options()
        .create_new(true)
        .open(&temp)
        .and_then(|mut file| file.write_all(bytes))
        .and_then(|()| fs::rename(&temp, dir.join(name)));
    if written.is_err() {
        // Best effort: the write already failed, and a leftover temporary file is harmless
        // (its name is never a valid hash).
        let _ = fs::remove_file(&temp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABC_SHA1: &str = "a9993e364706816aba3e25717850c26c9cd0d89d";

    fn temp_dir() -> tempfile::TempDir {
        tempfile::tempdir().unwrap_or_else(|e| panic!("temporary directory: {e}"))
    }

    fn file_names(dir: &Path) -> Vec<String> {
        let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
        let mut names: Vec<String> =
            entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn sha1_hex_matches_the_standard_vectors() {
        assert_eq!(sha1_hex(b""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(sha1_hex(b"abc"), ABC_SHA1);
    }

    #[test]
    fn an_avatar_comes_back_as_stored() {
        let temp = temp_dir();
        // The directory does not exist yet: put creates it.
        let cache = AvatarCache::new(temp.path().join("cache").join("avatars"));
        assert_eq!(cache.get(ABC_SHA1), None);

        assert!(cache.put(ABC_SHA1, b"abc").is_ok());
        assert_eq!(cache.get(ABC_SHA1), Some(b"abc".to_vec()));
        // Storing again replaces the file and leaves no temporary file behind.
        assert!(cache.put(ABC_SHA1, b"abc").is_ok());
        assert_eq!(file_names(&temp.path().join("cache/avatars")), vec![ABC_SHA1.to_string()]);
    }

    #[test]
    fn bytes_that_do_not_match_their_hash_are_refused() {
        let temp = temp_dir();
        let cache = AvatarCache::new(temp.path());
        let result = cache.put(ABC_SHA1, b"abd");
        match result {
            Err(CacheError::HashMismatch { expected, actual }) => {
                assert_eq!(expected, ABC_SHA1);
                assert_eq!(actual, sha1_hex(b"abd"));
            }
            other => panic!("expected a mismatch, got {other:?}"),
        }
        assert!(file_names(temp.path()).is_empty());
        assert_eq!(cache.get(ABC_SHA1), None);
    }

    #[test]
    fn hashes_that_are_paths_or_not_hex_are_refused() {
        let temp = temp_dir();
        let cache = AvatarCache::new(temp.path().join("avatars"));
        let bad = [
            "",
            "../etc/passwd",
            // 40 characters, but a path.
            "../../../../../../../../../../../../../a",
            "/etc/passwd/../../../../../../../../././",
            "..\\..\\windows\\system32\\config\\sam\\abcdef",
            // 39 and 41 hex digits.
            &ABC_SHA1[..39],
            &format!("{ABC_SHA1}0"),
            // 40 bytes, but not ASCII.
            &format!("{}éé", &ABC_SHA1[..36]),
            &format!("{} ", &ABC_SHA1[..39]),
        ];
        for hash in bad {
            assert!(matches!(cache.put(hash, b"abc"), Err(CacheError::InvalidHash)), "{hash:?}");
            assert_eq!(cache.get(hash), None, "{hash:?}");
        }
        assert!(file_names(temp.path()).is_empty());
    }

    #[test]
    fn uppercase_hashes_are_stored_lowercase() {
        let temp = temp_dir();
        let cache = AvatarCache::new(temp.path());
        let upper = ABC_SHA1.to_ascii_uppercase();
        assert!(cache.put(&upper, b"abc").is_ok());
        assert_eq!(file_names(temp.path()), vec![ABC_SHA1.to_string()]);
        assert_eq!(cache.get(ABC_SHA1), Some(b"abc".to_vec()));
        assert_eq!(cache.get(&upper), Some(b"abc".to_vec()));
    }

    #[test]
    fn a_damaged_file_counts_as_missing() {
        let temp = temp_dir();
        let cache = AvatarCache::new(temp.path());
        assert!(fs::write(temp.path().join(ABC_SHA1), b"ab").is_ok());
        assert_eq!(cache.get(ABC_SHA1), None);
        // Storing it again repairs it.
        assert!(cache.put(ABC_SHA1, b"abc").is_ok());
        assert_eq!(cache.get(ABC_SHA1), Some(b"abc".to_vec()));
    }

    #[test]
    fn a_directory_that_cannot_be_created_is_an_io_error() {
        let temp = temp_dir();
        let file = temp.path().join("a-file");
        assert!(fs::write(&file, b"").is_ok());
        let cache = AvatarCache::new(file.join("avatars"));
        assert!(matches!(cache.put(ABC_SHA1, b"abc"), Err(CacheError::Io { .. })));
    }
}
