//! Smileys and emoji without any UI: shortcode lookup and completion, search by name,
//! categories, ASCII smileys turned into emoji as you type, the "only emoji, show it large"
//! test, and the recently used list. Data comes from the `emojis` crate (Unicode CLDR names
//! and groups, GitHub's gemoji shortcodes).

mod protect;
mod recent;
mod search;
mod smileys;

pub use emojis::Emoji;
pub use recent::{RECENT_MAX, Recent};
pub use search::{
    COMPLETE_LIMIT, COMPLETE_MIN_CHARS, Category, Completion, SEARCH_LIMIT, categories, complete,
    completion_at, search,
};
pub use smileys::{Converted, ascii_smileys, shortcodes};

use unicode_segmentation::UnicodeSegmentation;

/// At most this many emoji alone in a message are shown large, as other messengers do;
/// more read as a line of text.
pub const BIG_EMOJI_MAX: usize = 3;

/// The newest emoji version offered in the picker and completion: what the bundled colour
/// font ([`crate::ui::fonts`]) draws, so nobody picks an emoji that shows as an empty box.
pub const NEWEST: emojis::EmojiVersion = emojis::EmojiVersion::new(14, 0);

/// Variation selector 16: asks for the colourful emoji form of a character like ❤.
const EMOJI_PRESENTATION: char = '\u{FE0F}';

/// The emoji for a GitHub shortcode, with or without its colons: `:thumbsup:` → 👍.
pub fn lookup_shortcode(code: &str) -> Option<&'static str> {
    let code = code.strip_prefix(':').unwrap_or(code);
    let code = code.strip_suffix(':').unwrap_or(code);
    emojis::get_by_shortcode(code).map(Emoji::as_str)
}

/// How many emoji `text` holds when it holds nothing else (whitespace aside) and no more than
/// [`BIG_EMOJI_MAX`]; `None` otherwise. Counts what a reader sees as one emoji — a flag, a
/// skin tone, a family joined with ZWJ — by grapheme cluster.
pub fn is_only_emoji(text: &str) -> Option<usize> {
    let mut count = 0;
    for grapheme in text.graphemes(true) {
        if grapheme.chars().all(char::is_whitespace) {
            continue;
        }
        if !is_emoji(grapheme) {
            return None;
        }
        count += 1;
        if count > BIG_EMOJI_MAX {
            return None;
        }
    }
    (count > 0).then_some(count)
}

/// Whether one grapheme is an emoji. Some senders leave out the variation selector after
/// characters that also have a text form (❤ for ❤️); those count when the selector would make
/// them one, but plain digits, `#` and `*` (keycap bases) do not.
fn is_emoji(grapheme: &str) -> bool {
    if emojis::get(grapheme).is_some() {
        return !grapheme.chars().all(|c| c.is_ascii() || c == EMOJI_PRESENTATION);
    }
    let mut qualified = String::with_capacity(grapheme.len() + EMOJI_PRESENTATION.len_utf8());
    qualified.push_str(grapheme);
    qualified.push(EMOJI_PRESENTATION);
    !grapheme.is_ascii() && emojis::get(&qualified).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcodes_are_looked_up_with_or_without_colons() {
        assert_eq!(lookup_shortcode(":thumbsup:"), Some("👍"));
        assert_eq!(lookup_shortcode("+1"), Some("👍"));
        assert_eq!(lookup_shortcode(":rocket:"), Some("🚀"));
        assert_eq!(lookup_shortcode(":heart:"), Some("❤️"));
        assert_eq!(lookup_shortcode(":no such thing:"), None);
        assert_eq!(lookup_shortcode(""), None);
        assert_eq!(lookup_shortcode("::"), None);
    }

    #[test]
    fn only_emoji_counts_what_a_reader_sees() {
        assert_eq!(is_only_emoji("👍"), Some(1));
        assert_eq!(is_only_emoji("  😀 😀  "), Some(2));
        assert_eq!(is_only_emoji("👍🏽"), Some(1), "a skin tone is one emoji");
        assert_eq!(is_only_emoji("🇫🇷"), Some(1), "a flag is one emoji");
        assert_eq!(is_only_emoji("👨‍👩‍👧"), Some(1), "a ZWJ family is one emoji");
        assert_eq!(is_only_emoji("❤️"), Some(1));
        assert_eq!(is_only_emoji("❤"), Some(1), "missing variation selector");
        assert_eq!(is_only_emoji("1️⃣"), Some(1), "a keycap");
        assert_eq!(is_only_emoji("😀😀😀"), Some(BIG_EMOJI_MAX));
    }

    #[test]
    fn anything_else_is_not_only_emoji() {
        for text in ["", "   ", "hi 👍", "👍!", "1", "#", "*", "😀😀😀😀", ":)", "a"] {
            assert_eq!(is_only_emoji(text), None, "{text:?}");
        }
    }
}
