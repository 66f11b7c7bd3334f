//! Pictures in a conversation drawn small. As with avatars, only what is on screen is decoded:
//! each thumbnail says when it comes into view and leaves it, decoding runs off the UI thread a
//! few at a time, and the decoded set is bounded, those out of view going first. Entries are
//! keyed by the picture's file, so a finished download (a new file) is decoded afresh. Made
//! thumbnails are also kept on disk ([`ThumbnailCache`]), so scrolling back is cheap.

use crate::media::{self, DecodeError, Limits, ThumbnailCache};
use iced::widget::image::Handle;
use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// The square a thumbnail fits in, in pixels (decoded at this size, drawn at most at it).
pub const THUMBNAIL_BOX: u32 = 320;
/// The square the viewer decodes a picture into: a large screen's worth, 16 MiB at most.
pub const VIEWER_BOX: u32 = 2048;
/// Decoded thumbnails kept at most: 60 × 320 × 320 × 4 bytes is under 25 MiB.
const MAX_KEPT: usize = 60;
/// Pictures decoded at once; the rest wait their turn (a decode that times out keeps running
/// in the background, so their number must stay small).
const MAX_DECODING: usize = 3;
/// A picture that takes longer than this is shown as "took too long". Shared images may be
/// 50-megapixel photos, which take seconds on a slow machine.
const DECODE_BUDGET: Duration = Duration::from_secs(15);

/// The thumbnails kept on disk fill at most this much; the oldest go at start.
const MAX_CACHE_BYTES: u64 = 256 * 1024 * 1024;

/// One cache for the whole window, set once at start, before any conversation (so no
/// conversation needs to carry it). Unset, as in tests, nothing is kept.
static CACHE: OnceLock<ThumbnailCache> = OnceLock::new();

/// Keep thumbnails in `dir` from now on, and trim it in the background.
pub fn keep_in(dir: PathBuf) {
    let cache = ThumbnailCache::new(dir);
    if CACHE.set(cache.clone()).is_ok() {
        std::thread::spawn(move || {
            if let Err(e) = cache.trim(MAX_CACHE_BYTES) {
                tracing::warn!("the thumbnail cache could not be trimmed: {e}");
            }
        });
    }
}

/// What a thumbnail shows.
#[derive(Debug, Clone, Copy)]
pub enum Thumb<'a> {
    /// Waiting or being decoded.
    Loading,
    Ready(&'a Handle),
    /// Why it cannot be shown, for the user.
    Failed(&'a str),
}

#[derive(Debug)]
enum Entry {
    Queued,
    Decoding,
    Ready(Handle),
    Failed(String),
}

/// The decoded thumbnails of one conversation, and those waiting to be decoded.
#[derive(Debug, Default)]
pub struct Thumbnails {
    entries: HashMap<PathBuf, (Entry, u64)>,
    /// On screen (or about to be), as the thumbnails last said.
    visible: HashSet<PathBuf>,
    queue: VecDeque<PathBuf>,
    decoding: usize,
    /// Counts showings, so the least recently shown can make room.
    clock: u64,
}

impl Thumbnails {
    /// What to draw for the picture in this file.
    pub fn get(&self, path: &Path) -> Thumb<'_> {
        match self.entries.get(path) {
            Some((Entry::Ready(handle), _)) => Thumb::Ready(handle),
            Some((Entry::Failed(why), _)) => Thumb::Failed(why),
            _ => Thumb::Loading,
        }
    }

    /// A thumbnail came into view: the pictures to start decoding now.
    pub fn shown(&mut self, path: PathBuf) -> Vec<PathBuf> {
        self.clock += 1;
        self.visible.insert(path.clone());
        match self.entries.get_mut(&path) {
            Some((_, seen)) => *seen = self.clock,
            None => {
                self.entries.insert(path.clone(), (Entry::Queued, self.clock));
                self.queue.push_back(path);
            }
        }
        self.start()
    }

    /// A thumbnail left the view: not worth decoding any more if it has not started.
    pub fn hidden(&mut self, path: &Path) {
        self.visible.remove(path);
        if matches!(self.entries.get(path), Some((Entry::Queued, _))) {
            self.entries.remove(path);
            self.queue.retain(|queued| queued != path);
        }
    }

    /// Only these pictures are still in the conversation's window: forget the others.
    pub fn keep_only(&mut self, paths: &HashSet<&Path>) {
        self.visible.retain(|path| paths.contains(path.as_path()));
        self.queue.retain(|path| paths.contains(path.as_path()));
        self.entries.retain(|path, (entry, _)| {
            matches!(entry, Entry::Decoding) || paths.contains(path.as_path())
        });
    }

    /// A decode ended: keep its result (unless it was forgotten meanwhile) and start the next.
    pub fn decoded(&mut self, path: PathBuf, result: Result<Handle, String>) -> Vec<PathBuf> {
        self.decoding = self.decoding.saturating_sub(1);
        if let Some((entry @ Entry::Decoding, _)) = self.entries.get_mut(&path) {
            *entry = match result {
                Ok(handle) => Entry::Ready(handle),
                Err(why) => Entry::Failed(why),
            };
        }
        self.evict();
        self.start()
    }

    /// How many pictures are kept or being decoded: what the bound counts.
    fn kept(&self) -> usize {
        self.entries.values().filter(|(entry, _)| !matches!(entry, Entry::Queued)).count()
    }

    fn start(&mut self) -> Vec<PathBuf> {
        let mut jobs = Vec::new();
        while self.decoding < MAX_DECODING {
            let Some(path) = self.queue.pop_front() else { break };
            if let Some((entry, _)) = self.entries.get_mut(&path) {
                *entry = Entry::Decoding;
                self.decoding += 1;
                jobs.push(path);
            }
        }
        jobs
    }

    /// Past the bound, the least recently shown pictures out of view go.
    fn evict(&mut self) {
        while self.kept() > MAX_KEPT {
            let oldest = self
                .entries
                .iter()
                .filter(|(path, (entry, _))| {
                    !self.visible.contains(*path) && !matches!(entry, Entry::Decoding)
                })
                .min_by_key(|(_, (_, seen))| *seen)
                .map(|(path, _)| path.clone());
            let Some(oldest) = oldest else { return };
            self.entries.remove(&oldest);
        }
    }
}

/// A thumbnail of a picture file: from the disk cache when it was made before, otherwise
/// decoded (see [`load`]) and kept for next time.
pub async fn load_thumbnail(path: PathBuf) -> Result<Handle, String> {
    let meta = tokio::fs::metadata(&path).await.map_err(unreadable)?;
    let entry = CACHE
        .get()
        .zip(meta.modified().ok())
        .map(|(cache, modified)| (cache, cache.entry(&path, meta.len(), modified, THUMBNAIL_BOX)));
    if let Some((_, entry)) = &entry
        && let Ok(bytes) = tokio::fs::read(entry).await
        && let Ok(picture) =
            media::decode_off_thread(bytes, Limits::IMAGE, THUMBNAIL_BOX, DECODE_BUDGET).await
    {
        return Ok(Handle::from_rgba(picture.width, picture.height, picture.rgba));
    }
    let picture = decode_file(&path, meta.len(), THUMBNAIL_BOX).await?;
    if let Some((cache, entry)) = entry {
        let (cache, kept) = (cache.clone(), picture.clone());
        tokio::task::spawn_blocking(move || {
            if let Err(e) = cache.store(&entry, &kept) {
                tracing::debug!("a thumbnail was not kept: {e}");
            }
        });
    }
    Ok(Handle::from_rgba(picture.width, picture.height, picture.rgba))
}

/// Reads and decodes a picture file off the UI thread to fit a `box_side` square, within the
/// limits for shared images; the file's size is checked before it is read.
pub async fn load(path: PathBuf, box_side: u32) -> Result<Handle, String> {
    let size = tokio::fs::metadata(&path).await.map_err(unreadable)?.len();
    let picture = decode_file(&path, size, box_side).await?;
    Ok(Handle::from_rgba(picture.width, picture.height, picture.rgba))
}

async fn decode_file(path: &Path, size: u64, box_side: u32) -> Result<media::Picture, String> {
    let limit = Limits::IMAGE.max_file_bytes();
    let bytes = usize::try_from(size).unwrap_or(usize::MAX);
    if bytes > limit {
        return Err(DecodeError::TooLarge { bytes, limit }.to_string());
    }
    let bytes = tokio::fs::read(path).await.map_err(unreadable)?;
    media::decode_off_thread(bytes, Limits::IMAGE, box_side, DECODE_BUDGET)
        .await
        .map_err(|e| e.to_string())
}

fn unreadable(e: std::io::Error) -> String {
    format!("the picture cannot be read ({e})")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(n: usize) -> PathBuf {
        PathBuf::from(format!("/pictures/{n}.png"))
    }

    fn pixel() -> Handle {
        Handle::from_rgba(1, 1, vec![0, 0, 0, 255])
    }

    #[test]
    fn pictures_in_view_are_decoded_a_few_at_a_time() {
        let mut thumbnails = Thumbnails::default();
        let mut started = Vec::new();
        for n in 0..5 {
            started.extend(thumbnails.shown(path(n)));
        }
        assert_eq!(started, [path(0), path(1), path(2)], "three at once");
        assert!(thumbnails.shown(path(0)).is_empty(), "never twice");
        thumbnails.hidden(&path(3));
        assert_eq!(thumbnails.decoded(path(0), Ok(pixel())), [path(4)], "3 scrolled away");
        assert!(matches!(thumbnails.get(&path(0)), Thumb::Ready(_)));
        assert!(matches!(thumbnails.get(&path(1)), Thumb::Loading));
        let _ = thumbnails.decoded(path(1), Err("the picture is damaged".into()));
        assert!(matches!(thumbnails.get(&path(1)), Thumb::Failed("the picture is damaged")));
    }

    #[test]
    fn the_cache_is_bounded_and_keeps_what_is_in_view() {
        let mut thumbnails = Thumbnails::default();
        for n in 0..MAX_KEPT + 20 {
            for job in thumbnails.shown(path(n)) {
                let _ = thumbnails.decoded(job, Ok(pixel()));
            }
            if n != 0 {
                thumbnails.hidden(&path(n));
            }
        }
        assert!(thumbnails.kept() <= MAX_KEPT, "{} kept", thumbnails.kept());
        assert!(matches!(thumbnails.get(&path(0)), Thumb::Ready(_)), "still in view");
        assert!(matches!(thumbnails.get(&path(1)), Thumb::Loading), "the oldest out of view");
    }

    #[test]
    fn pictures_gone_from_the_window_are_forgotten() {
        let mut thumbnails = Thumbnails::default();
        for job in thumbnails.shown(path(1)) {
            let _ = thumbnails.decoded(job, Ok(pixel()));
        }
        let _ = thumbnails.shown(path(2));
        thumbnails.keep_only(&HashSet::new());
        assert!(matches!(thumbnails.get(&path(1)), Thumb::Loading));
        assert_eq!(thumbnails.decoded(path(2), Ok(pixel())), Vec::<PathBuf>::new());
        assert!(matches!(thumbnails.get(&path(2)), Thumb::Ready(_)), "decoding: kept");
    }

    #[tokio::test]
    async fn a_broken_or_oversized_file_says_why_instead_of_crashing() {
        let dir = tempfile::tempdir().expect("dir");
        let broken = dir.path().join("broken.png");
        std::fs::write(&broken, b"\x89PNG\r\n\x1a\nnot really").expect("written");
        let why = load(broken, THUMBNAIL_BOX).await.expect_err("refused");
        assert!(why.contains("damaged"), "{why}");
        let huge = dir.path().join("huge.png");
        let file = std::fs::File::create(&huge).expect("created");
        file.set_len(Limits::IMAGE.max_file_bytes() as u64 + 1).expect("sized");
        let why = load(huge, THUMBNAIL_BOX).await.expect_err("refused unread");
        assert!(why.contains("too large"), "{why}");
        let missing = load(dir.path().join("gone.png"), THUMBNAIL_BOX).await;
        assert!(missing.expect_err("no file").contains("cannot be read"));
    }
}
