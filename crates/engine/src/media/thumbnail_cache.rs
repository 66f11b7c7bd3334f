//! Thumbnails kept on disk, so scrolling back through a conversation or opening it again
//! decodes a small PNG instead of the full photo (tens of milliseconds for a 2-megapixel JPEG).
//! An entry is named after the picture's path, size, modification time and box, so a changed
//! file or a different size never reads a stale thumbnail. Entries are only ever made here from
//! pictures already decoded within the limits, and are still read back through [`decode`]
//! like any picture. The cache is trimmed, oldest entries first, when the window starts.
//!
//! [`decode`]: super::decode

use super::Picture;
use crate::paths::private;
use image::ImageEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use sha2::{Digest, Sha256};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone)]
pub struct ThumbnailCache {
    dir: PathBuf,
}

impl ThumbnailCache {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// Where the thumbnail of the picture in `path` (of `size` bytes, last changed at
    /// `modified`), fitted in a `box_side` square, is kept.
    pub fn entry(&self, path: &Path, size: u64, modified: SystemTime, box_side: u32) -> PathBuf {
        let changed = modified.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let mut hash = Sha256::new();
        hash.update(path.as_os_str().as_encoded_bytes());
        hash.update(size.to_le_bytes());
        hash.update(changed.to_le_bytes());
        hash.update(box_side.to_le_bytes());
        self.dir.join(format!("{:x}.png", hash.finalize()))
    }

    /// Keep `picture` as `entry`: written aside and renamed into place, so a reader never sees
    /// half a file.
    pub fn store(&self, entry: &Path, picture: &Picture) -> io::Result<()> {
        private::create_dir_all(&self.dir)?;
        let mut png = Vec::new();
        PngEncoder::new_with_quality(&mut png, CompressionType::Fast, FilterType::Adaptive)
            .write_image(
                &picture.rgba,
                picture.width,
                picture.height,
                image::ColorType::Rgba8.into(),
            )
            .map_err(io::Error::other)?;
        let aside = entry.with_extension("part");
        private::write(&aside, &png)?;
        std::fs::rename(&aside, entry)
    }

    /// Remove the oldest entries until the cache holds at most `keep` bytes; returns what it
    /// holds then. A missing cache holds nothing.
    pub fn trim(&self, keep: u64) -> io::Result<u64> {
        let listing = match std::fs::read_dir(&self.dir) {
            Ok(listing) => listing,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(e),
        };
        let mut entries: Vec<(SystemTime, u64, PathBuf)> = listing
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let meta = entry.metadata().ok().filter(std::fs::Metadata::is_file)?;
                Some((meta.modified().unwrap_or(UNIX_EPOCH), meta.len(), entry.path()))
            })
            .collect();
        entries.sort();
        let mut held: u64 = entries.iter().map(|(_, size, _)| size).sum();
        for (_, size, path) in entries {
            if held <= keep {
                break;
            }
            std::fs::remove_file(&path)?;
            held -= size;
        }
        Ok(held)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::{Limits, decode};
    use std::time::Duration;

    fn picture() -> Picture {
        let rgba = (0..40 * 30).flat_map(|i| [(i % 256) as u8, 80, 160, 200]).collect();
        Picture { width: 40, height: 30, rgba }
    }

    #[test]
    fn a_stored_thumbnail_reads_back_the_same_and_a_changed_file_misses_it() {
        let dir = tempfile::tempdir().expect("dir");
        let cache = ThumbnailCache::new(dir.path().join("thumbnails"));
        let now = SystemTime::now();
        let entry = cache.entry(Path::new("/photos/a.jpg"), 1000, now, 320);
        cache.store(&entry, &picture()).expect("stored");
        let bytes = std::fs::read(&entry).expect("kept");
        assert_eq!(decode(&bytes, &Limits::IMAGE, 320).expect("decodes"), picture());
        let later = now + Duration::from_secs(1);
        assert_ne!(cache.entry(Path::new("/photos/a.jpg"), 1000, later, 320), entry);
        assert_ne!(cache.entry(Path::new("/photos/a.jpg"), 1001, now, 320), entry);
        assert_ne!(cache.entry(Path::new("/photos/b.jpg"), 1000, now, 320), entry);
        assert_ne!(cache.entry(Path::new("/photos/a.jpg"), 1000, now, 2048), entry);
    }

    #[test]
    fn trimming_removes_the_oldest_entries_first() {
        let dir = tempfile::tempdir().expect("dir");
        let cache = ThumbnailCache::new(dir.path().to_path_buf());
        for (name, age) in [("old.png", 30), ("mid.png", 20), ("new.png", 10)] {
            let path = dir.path().join(name);
            std::fs::write(&path, [0u8; 100]).expect("written");
            let file = std::fs::File::options().write(true).open(&path).expect("opened");
            file.set_modified(SystemTime::now() - Duration::from_secs(age)).expect("dated");
        }
        assert_eq!(cache.trim(250).expect("trimmed"), 200);
        assert!(!dir.path().join("old.png").exists());
        assert!(dir.path().join("mid.png").exists() && dir.path().join("new.png").exists());
        let missing = ThumbnailCache::new(dir.path().join("none"));
        assert_eq!(missing.trim(0).expect("nothing to trim"), 0);
    }
}
