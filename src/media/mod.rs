//! Pictures and files from the network, handled as hostile input: decoding with size, memory
//! and time limits, and (for later downloads) names safe to save under. Everything here is
//! synchronous and free of UI types except [`decode_off_thread`], so it is tested without a
//! window or a server.

mod avatar_cache;
mod decode;
mod file_name;
mod own_avatar;

pub use avatar_cache::{AvatarCache, CacheError, sha1_hex};
pub use decode::{DecodeError, Limits, Picture, decode, decode_off_thread};
pub use file_name::safe_file_name;
pub use own_avatar::{PreparedAvatar, prepare_avatar};
