//! The emoji picked lately, most recent first, kept across runs as one short string.

use super::Emoji;
use std::collections::VecDeque;
use std::fmt;

/// How many recently used emoji are remembered: two rows of the picker.
pub const RECENT_MAX: usize = 24;

/// Recently used emoji, most recent first, each once, at most [`RECENT_MAX`].
///
/// Stored as its [`Display`](fmt::Display) form (the emoji separated by spaces) and read back
/// with [`Recent::parse`], which never fails: anything it does not recognise is dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recent {
    items: VecDeque<&'static Emoji>,
}

impl Recent {
    /// Reads the stored form back, skipping what is not an emoji and repeats.
    pub fn parse(stored: &str) -> Self {
        let mut recent = Self::default();
        for emoji in stored.split_whitespace().filter_map(emojis::get) {
            if recent.items.len() == RECENT_MAX {
                break;
            }
            if !recent.items.contains(&emoji) {
                recent.items.push_back(emoji);
            }
        }
        recent
    }

    /// Puts `emoji` first (moving it if it was already there); returns false, changing
    /// nothing, when `emoji` is not one.
    pub fn record(&mut self, emoji: &str) -> bool {
        let Some(emoji) = emojis::get(emoji) else { return false };
        self.items.retain(|&e| e != emoji);
        self.items.push_front(emoji);
        self.items.truncate(RECENT_MAX);
        true
    }

    pub fn iter(&self) -> impl Iterator<Item = &'static Emoji> + '_ {
        self.items.iter().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl fmt::Display for Recent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, emoji) in self.items.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(emoji.as_str())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(recent: &Recent) -> Vec<&'static str> {
        recent.iter().map(Emoji::as_str).collect()
    }

    #[test]
    fn most_recent_first_each_once() {
        let mut recent = Recent::default();
        assert!(recent.is_empty());
        for emoji in ["👍", "🚀", "👍"] {
            assert!(recent.record(emoji));
        }
        assert_eq!(list(&recent), ["👍", "🚀"]);
        assert!(!recent.record("hello"), "not an emoji");
        assert_eq!(list(&recent), ["👍", "🚀"]);
    }

    #[test]
    fn bounded() {
        let mut recent = Recent::default();
        let many: Vec<&Emoji> = emojis::iter().take(RECENT_MAX + 5).collect();
        for emoji in &many {
            recent.record(emoji.as_str());
        }
        assert_eq!(recent.iter().count(), RECENT_MAX);
        assert_eq!(recent.iter().next(), many.last().copied());
    }

    #[test]
    fn round_trips_through_its_stored_form() {
        let mut recent = Recent::default();
        for emoji in ["🇫🇷", "👍🏽", "❤️", "👨‍👩‍👧"] {
            recent.record(emoji);
        }
        let stored = recent.to_string();
        assert_eq!(stored, "👨‍👩‍👧 ❤️ 👍🏽 🇫🇷");
        assert_eq!(Recent::parse(&stored), recent);
    }

    #[test]
    fn parsing_drops_junk_and_repeats() {
        let recent = Recent::parse("  👍 junk 👍 :) 🚀\n");
        assert_eq!(list(&recent), ["👍", "🚀"]);
        assert!(Recent::parse("").is_empty());
    }
}
