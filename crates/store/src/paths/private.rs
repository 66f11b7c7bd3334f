//! Files and folders only the user can open. Everything Confab keeps (history and its SQLite
//! journals, settings with pinned certificates, a fallback password, files sent and received,
//! avatars, thumbnails) says who the user talks to and what about, so on Unix every folder is
//! created `0700` and every file `0600`, whatever the umask, and [`Paths::make_private`] takes
//! away at start what an older version or a copy left open to others. Elsewhere the platform's
//! per-user folders are already private, and these are plain creates.

use super::Paths;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Owner only: read, write and enter.
#[cfg(unix)]
const DIR_MODE: u32 = 0o700;
/// Owner only: read and write.
#[cfg(unix)]
const FILE_MODE: u32 = 0o600;

/// How deep [`Paths::make_private`] looks in each of the profile's folders: the deepest
/// Confab writes is `cache/files/m42/name`. Below, a folder already closed keeps others out.
const MAX_DEPTH: usize = 3;

impl Paths {
    /// Takes read, write and enter rights away from everyone but the user on the profile's
    /// folders and what they hold (links are left alone, never followed). A folder that does
    /// not exist yet is left to be created private; what cannot be changed is logged.
    pub fn make_private(&self) {
        for dir in [&self.config_dir, &self.data_dir, &self.cache_dir] {
            restrict_tree(dir, MAX_DEPTH);
        }
    }
}

/// Creates `dir` and any missing parents, each private.
pub fn create_dir_all(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
    builder.create(dir)
}

/// [`create_dir_all`] for async code.
pub async fn create_dir_all_async(dir: &Path) -> io::Result<()> {
    let mut builder = tokio::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(DIR_MODE);
    builder.create(dir).await
}

/// Options to write a file that is created private; `create`, `create_new` and `truncate`
/// are the caller's. An existing file keeps its mode: [`restrict`] it.
pub fn file_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    options
}

/// Writes `bytes` as the whole of `path`, which is private afterwards even if it existed.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = file_options().create(true).truncate(true).open(path)?;
    restrict_open(&file)?;
    file.write_all(bytes)
}

/// A new (or emptied) private file to write, for async code.
pub async fn create_file_async(path: &Path) -> io::Result<tokio::fs::File> {
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(FILE_MODE);
    let file = options.open(path).await?;
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(FILE_MODE)).await?;
    Ok(file)
}

/// Closes an existing file or folder to others (its owner's rights are kept); nothing to do
/// when it does not exist. A link is left alone.
pub fn restrict(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(metadata) => restrict_metadata(path, &metadata),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Closes `path` and, `depth` levels down, what it holds; failures are logged, not fatal.
fn restrict_tree(path: &Path, depth: usize) {
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return,
        Err(e) => return tracing::warn!("cannot check who may read {}: {e}", path.display()),
    };
    if let Err(e) = restrict_metadata(path, &metadata) {
        tracing::warn!("cannot make {} private: {e}", path.display());
    }
    if !metadata.is_dir() || depth == 0 {
        return;
    }
    match std::fs::read_dir(path) {
        Ok(entries) => {
            for entry in entries.flatten() {
                restrict_tree(&entry.path(), depth - 1);
            }
        }
        Err(e) => tracing::warn!("cannot look into {}: {e}", path.display()),
    }
}

#[cfg(unix)]
fn restrict_metadata(path: &Path, metadata: &std::fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode();
    if metadata.file_type().is_symlink() || mode & 0o077 == 0 {
        return Ok(());
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o700))
}

#[cfg(not(unix))]
fn restrict_metadata(_path: &Path, _metadata: &std::fs::Metadata) -> io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn restrict_open(file: &File) -> io::Result<()> {
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(FILE_MODE))
}

#[cfg(not(unix))]
fn restrict_open(_file: &File) -> io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::symlink_metadata(path).expect("there").permissions().mode() & 0o7777
    }

    fn set_mode(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }

    #[test]
    fn what_is_created_is_private_whatever_was_there() {
        let temp = tempfile::tempdir().expect("dir");
        let dir = temp.path().join("a/b");
        create_dir_all(&dir).expect("created");
        assert_eq!((mode(&temp.path().join("a")), mode(&dir)), (0o700, 0o700));
        let file = dir.join("f");
        std::fs::write(&file, "old").expect("written");
        set_mode(&file, 0o644);
        write(&file, b"new").expect("written");
        assert_eq!(mode(&file), 0o600, "an existing file is closed too");
        assert_eq!(std::fs::read(&file).expect("read"), b"new");
    }

    #[test]
    fn a_profile_left_open_is_closed_at_start_and_links_are_not_followed() {
        let temp = tempfile::tempdir().expect("dir");
        let paths = Paths::in_profile(temp.path());
        let downloads = paths.files_dir().join("m1");
        std::fs::create_dir_all(&downloads).expect("made");
        std::fs::create_dir_all(&paths.config_dir).expect("made");
        let download = downloads.join("photo.jpg");
        let settings = paths.config_dir.join("config.toml");
        std::fs::write(&download, "x").expect("written");
        std::fs::write(&settings, "x").expect("written");
        for dir in [&paths.cache_dir, &paths.files_dir(), &downloads, &paths.config_dir] {
            set_mode(dir, 0o755);
        }
        set_mode(&download, 0o644);
        set_mode(&settings, 0o664);
        let outside = temp.path().join("elsewhere.txt");
        std::fs::write(&outside, "mine").expect("written");
        set_mode(&outside, 0o644);
        std::os::unix::fs::symlink(&outside, downloads.join("link")).expect("linked");

        paths.make_private();

        for dir in [&paths.cache_dir, &paths.files_dir(), &downloads, &paths.config_dir] {
            assert_eq!(mode(dir), 0o700, "{}", dir.display());
        }
        assert_eq!((mode(&download), mode(&settings)), (0o600, 0o600));
        assert_eq!(mode(&outside), 0o644, "a link's target is not touched");
        assert!(!paths.data_dir.exists(), "nothing is created");
    }
}
