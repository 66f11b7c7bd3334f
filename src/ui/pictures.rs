//! Avatars ready to draw. Only the pictures of rows in view are decoded (off the UI thread,
//! from the cache directory the worker fills), and the set is bounded: a roster of thousands
//! of pictures costs what one screenful does.

use crate::media::{self, Limits};
use iced::widget::image::Handle;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Duration;

/// Decoded size: twice the drawn size, sharp on high-density screens.
pub const DECODED_SIDE: u32 = 2 * super::widget::AVATAR_SIZE as u32;
/// Decoded pictures kept at most (each about 18 KiB at [`DECODED_SIDE`]).
const MAX_DECODED: usize = 400;
/// A picture that takes longer than this to decode is shown as initials.
const DECODE_BUDGET: Duration = Duration::from_secs(2);

#[derive(Debug, Default)]
pub struct Pictures {
    decoded: HashMap<String, Handle>,
    /// Being decoded, or failed: not asked for again.
    tried: HashSet<String>,
}

impl Pictures {
    pub fn get(&self, hash: &str) -> Option<&Handle> {
        self.decoded.get(hash)
    }

    /// Start decoding the pictures among `wanted` not yet tried; when the set is full, the
    /// pictures not wanted now make room.
    pub fn request(
        &mut self,
        dir: PathBuf,
        wanted: &[String],
    ) -> Vec<impl Future<Output = (String, Option<Handle>)> + use<>> {
        if self.decoded.len() + wanted.len() > MAX_DECODED {
            let keep: HashSet<&String> = wanted.iter().collect();
            self.decoded.retain(|hash, _| keep.contains(hash));
            self.tried.retain(|hash| keep.contains(hash));
        }
        let new: Vec<String> = wanted
            .iter()
            .filter(|hash| !self.decoded.contains_key(*hash) && !self.tried.contains(*hash))
            .cloned()
            .collect();
        self.tried.extend(new.iter().cloned());
        new.into_iter().map(move |hash| load(dir.clone(), hash)).collect()
    }

    pub fn loaded(&mut self, hash: String, picture: Option<Handle>) {
        if let Some(handle) = picture {
            self.tried.remove(&hash);
            self.decoded.insert(hash, handle);
        }
    }
}

async fn load(dir: PathBuf, hash: String) -> (String, Option<Handle>) {
    let cache = media::AvatarCache::new(dir);
    let Some(bytes) = cache.get(&hash) else { return (hash, None) };
    match media::decode_off_thread(bytes, Limits::AVATAR, DECODED_SIDE, DECODE_BUDGET).await {
        Ok(picture) => (hash, Some(Handle::from_rgba(picture.width, picture.height, picture.rgba))),
        Err(e) => {
            tracing::info!("avatar {hash} is not shown: {e}");
            (hash, None)
        }
    }
}
