//! What went wrong with the database file, in words a user can act on: a full disk, a file
//! or folder Confab may not write, a damaged file, a file from a newer Confab.
//!
//! A damaged file is never deleted, repaired or moved aside by Confab: the store refuses it
//! and says where it is. Moving it aside automatically looked friendlier, but the damage may
//! be a passing read error, another Confab (the command line beside the window) may still
//! have it open and go on writing into the moved file, and its `-wal` journal can hold the
//! newest messages, which a rename of the main file alone would cut off. Left in place, the
//! file keeps everything SQLite's `.recover` can rescue; the user moves it away (all three
//! files) when they choose, and Confab starts a new history, fetching recent messages from
//! the server's archive again.

use rusqlite::ErrorCode;
use std::fmt;
use std::path::{Path, PathBuf};

/// The kind of trouble, which decides what the user is told to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trouble {
    /// No space left: nothing new can be written until some is freed.
    Full,
    /// The disk answered a read or write with an error (failing, or a file size limit).
    Disk,
    /// The file or its folder may not be written by this user, or is on a read-only disk.
    ReadOnly,
    /// The file is not an SQLite database, or its pages contradict each other.
    Damaged,
    /// A newer Confab wrote a schema this one does not know.
    Newer,
    Other,
}

/// A failed store operation: what kind of trouble, SQLite's or the system's own words, and
/// the database file when known.
#[derive(Debug)]
pub struct StoreError {
    trouble: Trouble,
    detail: String,
    path: Option<PathBuf>,
}

impl StoreError {
    pub(super) fn new(trouble: Trouble, detail: impl Into<String>) -> Self {
        Self { trouble, detail: detail.into(), path: None }
    }

    /// An error of the file system, e.g. while creating the folder or the file.
    pub(super) fn io(doing: &str, path: &Path, e: &std::io::Error) -> Self {
        use std::io::ErrorKind;
        let trouble = match e.kind() {
            ErrorKind::StorageFull | ErrorKind::FileTooLarge => Trouble::Full,
            ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => Trouble::ReadOnly,
            _ => Trouble::Other,
        };
        Self::new(trouble, format!("{doing}: {e}")).at(path)
    }

    /// Names the database file in the message.
    pub fn at(mut self, path: &Path) -> Self {
        self.path = Some(path.to_owned());
        self
    }

    pub fn trouble(&self) -> Trouble {
        self.trouble
    }

    /// " path", or nothing when the file is not known.
    fn file(&self) -> String {
        self.path.as_ref().map(|p| format!(" {}", p.display())).unwrap_or_default()
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        let extended = e.sqlite_error().map(|e| e.extended_code);
        let trouble = match e.sqlite_error_code() {
            Some(ErrorCode::DiskFull | ErrorCode::TooBig) => Trouble::Full,
            // Growing the shared-memory index beside the file failed: on Linux, no space
            // (measured on a full tmpfs, where even reading needs that index).
            Some(ErrorCode::SystemIoFailure)
                if extended == Some(rusqlite::ffi::SQLITE_IOERR_SHMSIZE) =>
            {
                Trouble::Full
            }
            Some(ErrorCode::SystemIoFailure) => Trouble::Disk,
            Some(ErrorCode::ReadOnly | ErrorCode::PermissionDenied | ErrorCode::CannotOpen) => {
                Trouble::ReadOnly
            }
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => Trouble::Damaged,
            _ => Trouble::Other,
        };
        Self::new(trouble, e.to_string())
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (detail, file) = (&self.detail, self.file());
        match self.trouble {
            Trouble::Full => write!(
                f,
                "Confab cannot write its history{file}: the disk is full. Nothing already \
                 stored is lost; free some space and Confab will go on."
            ),
            Trouble::Disk => write!(
                f,
                "Confab cannot write its history{file}: the disk reported an error \
                 ({detail}). Nothing already stored is lost; check the disk's free space and \
                 health, and Confab will go on."
            ),
            Trouble::ReadOnly => write!(
                f,
                "Confab may not write its history{file} ({detail}). Nothing stored is lost; \
                 make the file and its folder writable for your user, and Confab will go on."
            ),
            Trouble::Damaged => write!(
                f,
                "The history database{file} is damaged ({detail}). Confab leaves it untouched \
                 and does not use it; move it away with its -wal and -shm files (keep them: \
                 `sqlite3 FILE .recover` rescues most of it) and Confab starts a new history, \
                 fetching recent messages from your server again."
            ),
            Trouble::Newer => write!(f, "{detail}{file}; update Confab to open it"),
            Trouble::Other => write!(f, "local store{file}: {detail}"),
        }
    }
}

impl std::error::Error for StoreError {}

#[cfg(test)]
mod tests {
    use super::{StoreError, Trouble};
    use rusqlite::ffi;
    use std::io::ErrorKind;
    use std::path::Path;

    fn sqlite(code: i32) -> StoreError {
        rusqlite::Error::SqliteFailure(ffi::Error::new(code), None).into()
    }

    #[test]
    fn sqlite_codes_become_what_the_user_can_do() {
        assert_eq!(sqlite(ffi::SQLITE_FULL).trouble(), Trouble::Full);
        assert_eq!(sqlite(ffi::SQLITE_IOERR_SHMSIZE).trouble(), Trouble::Full);
        assert_eq!(sqlite(ffi::SQLITE_IOERR_WRITE).trouble(), Trouble::Disk);
        assert_eq!(sqlite(ffi::SQLITE_READONLY).trouble(), Trouble::ReadOnly);
        assert_eq!(sqlite(ffi::SQLITE_CANTOPEN).trouble(), Trouble::ReadOnly);
        assert_eq!(sqlite(ffi::SQLITE_CORRUPT).trouble(), Trouble::Damaged);
        assert_eq!(sqlite(ffi::SQLITE_NOTADB).trouble(), Trouble::Damaged);
        assert_eq!(sqlite(ffi::SQLITE_CONSTRAINT).trouble(), Trouble::Other);
    }

    #[test]
    fn file_system_errors_too() {
        let path = Path::new("/p/data/confab.sqlite3");
        let error = std::io::Error::from;
        let full = error(ErrorKind::StorageFull);
        let too_big = error(ErrorKind::FileTooLarge);
        let denied = error(ErrorKind::PermissionDenied);
        let read_only = error(ErrorKind::ReadOnlyFilesystem);
        assert_eq!(StoreError::io("creating", path, &full).trouble(), Trouble::Full);
        assert_eq!(StoreError::io("creating", path, &too_big).trouble(), Trouble::Full);
        assert_eq!(StoreError::io("creating", path, &denied).trouble(), Trouble::ReadOnly);
        assert_eq!(StoreError::io("creating", path, &read_only).trouble(), Trouble::ReadOnly);
    }

    #[test]
    fn a_full_disk_says_where_and_that_nothing_is_lost() {
        let message = sqlite(ffi::SQLITE_FULL).at(Path::new("/p/data/confab.sqlite3")).to_string();
        assert_eq!(
            message,
            "Confab cannot write its history /p/data/confab.sqlite3: the disk is full. \
             Nothing already stored is lost; free some space and Confab will go on."
        );
        let damaged = sqlite(ffi::SQLITE_NOTADB).at(Path::new("/p/confab.sqlite3")).to_string();
        assert!(
            damaged.starts_with("The history database /p/confab.sqlite3 is damaged ("),
            "{damaged}"
        );
    }
}
