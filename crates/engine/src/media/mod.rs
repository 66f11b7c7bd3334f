//! Pictures and files from the network, handled as hostile input: pictures decoded within
//! file-size, pixel, memory and time limits ([`decode()`]), contact avatars cached on disk under
//! their SHA-1 ([`AvatarCache`]), the user's own avatar prepared for publishing
//! ([`prepare_avatar`]), names safe to save downloads under ([`safe_file_name`]) and the few
//! kinds that open without asking ([`opens_without_asking`]), and thumbnails kept on disk
//! ([`ThumbnailCache`]).
//! Everything is synchronous, plain data in and out, so it is tested without a window or a
//! server; [`decode_off_thread`] is the one async wrapper, for the UI's tasks. No iced types
//! either: a [`Picture`] is what `iced::widget::image::Handle::from_rgba` takes.

mod avatar_cache;
mod decode;
mod file_name;
mod own_avatar;
mod thumbnail_cache;

pub use avatar_cache::{AvatarCache, CacheError, sha1_hex};
pub use decode::{DecodeError, Limits, Picture, decode, decode_off_thread};
pub use file_name::{opens_without_asking, safe_file_name};
pub use own_avatar::{PreparedAvatar, prepare_avatar};
pub use thumbnail_cache::ThumbnailCache;
