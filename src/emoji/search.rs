//! Finding emoji: by category, by words of their name, and by `:shortcode` prefix while
//! typing. Only emoji the bundled font draws are offered ([`NEWEST`](super::NEWEST)), and
//! skin-tone variants are left to their base emoji.

use super::smileys::{Converted, is_shortcode_char};
use super::{Emoji, NEWEST};
use emojis::Group;
use std::ops::Range;

/// Completion shows this many shortcodes at most: a short list to pick from with the keyboard.
pub const COMPLETE_LIMIT: usize = 8;
/// Completion starts after this many characters past the colon, so a colon typed in passing
/// ("note: …") opens nothing.
pub const COMPLETE_MIN_CHARS: usize = 2;
/// Search answers with this many emoji at most; the picker shows them all without scrolling
/// forever.
pub const SEARCH_LIMIT: usize = 200;

/// One of the nine Unicode CLDR emoji groups, as a picker tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Category(Group);

impl Category {
    pub fn label(self) -> &'static str {
        match self.0 {
            Group::SmileysAndEmotion => "Smileys & emotion",
            Group::PeopleAndBody => "People & body",
            Group::AnimalsAndNature => "Animals & nature",
            Group::FoodAndDrink => "Food & drink",
            Group::TravelAndPlaces => "Travel & places",
            Group::Activities => "Activities",
            Group::Objects => "Objects",
            Group::Symbols => "Symbols",
            Group::Flags => "Flags",
        }
    }

    /// The emoji on the category's tab.
    pub fn icon(self) -> &'static str {
        match self.0 {
            Group::SmileysAndEmotion => "😀",
            Group::PeopleAndBody => "👋",
            Group::AnimalsAndNature => "🐻",
            Group::FoodAndDrink => "🍔",
            Group::TravelAndPlaces => "✈️",
            Group::Activities => "⚽",
            Group::Objects => "💡",
            Group::Symbols => "🔣",
            Group::Flags => "🏁",
        }
    }

    /// The category's emoji in CLDR order.
    pub fn emojis(self) -> impl Iterator<Item = &'static Emoji> {
        self.0.emojis().filter(|e| offered(e))
    }
}

/// The categories in CLDR order, smileys first.
pub fn categories() -> impl Iterator<Item = Category> {
    Group::iter().map(Category)
}

fn offered(emoji: &Emoji) -> bool {
    emoji.emoji_version() <= NEWEST
}

/// Emoji whose name or shortcode matches every word of `query` (word prefixes, any case),
/// best first: the exact name or shortcode ("heart" is ❤️), then names starting with the
/// query, then shortcodes, then the rest, each in CLDR order. "thumbs" finds 👍 and 👎.
pub fn search(query: &str) -> Vec<&'static Emoji> {
    let words: Vec<String> = query
        .split_whitespace()
        .map(|w| w.trim_matches(':').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return Vec::new();
    }
    let whole = words.join(" ");
    let mut found: Vec<(u8, usize, &'static Emoji)> = emojis::iter()
        .filter(|e| offered(e))
        .enumerate()
        .filter_map(|(order, emoji)| search_rank(emoji, &whole, &words).map(|r| (r, order, emoji)))
        .collect();
    found.sort_by_key(|&(rank, order, _)| (rank, order));
    found.into_iter().take(SEARCH_LIMIT).map(|(_, _, emoji)| emoji).collect()
}

fn search_rank(emoji: &Emoji, whole: &str, words: &[String]) -> Option<u8> {
    let name = emoji.name().to_lowercase();
    if name == whole || emoji.shortcodes().any(|code| code == whole) {
        return Some(0);
    }
    if name.starts_with(whole) {
        return Some(1);
    }
    if emoji.shortcodes().any(|code| code.starts_with(whole)) {
        return Some(2);
    }
    let name_words: Vec<&str> = name.split(|c: char| !c.is_alphanumeric()).collect();
    let matches = |word: &String| {
        name_words.iter().any(|n| n.starts_with(word.as_str()))
            || emoji
                .shortcodes()
                .any(|code| code.split(['_', '-']).any(|p| p.starts_with(word.as_str())))
    };
    words.iter().all(matches).then_some(3)
}

/// Shortcodes starting with `prefix` (colon optional), as `(shortcode, emoji)` best first:
/// an exact match, then prefixes in CLDR order (so common faces come first), then shortcodes
/// with a later word starting so (`smile` finds `sweat_smile`). At most [`COMPLETE_LIMIT`].
pub fn complete(prefix: &str) -> Vec<(&'static str, &'static str)> {
    let prefix = prefix.trim_start_matches(':').to_ascii_lowercase();
    if prefix.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<(u8, usize, &'static str, &'static str)> = emojis::iter()
        .filter(|e| offered(e))
        .enumerate()
        .filter_map(|(order, emoji)| {
            emoji
                .shortcodes()
                .filter_map(|code| complete_rank(code, &prefix).map(|rank| (rank, code)))
                .min()
                .map(|(rank, code)| (rank, order, code, emoji.as_str()))
        })
        .collect();
    found.sort_by_key(|&(rank, order, _, _)| (rank, order));
    found.into_iter().take(COMPLETE_LIMIT).map(|(_, _, code, emoji)| (code, emoji)).collect()
}

fn complete_rank(code: &str, prefix: &str) -> Option<u8> {
    if code == prefix {
        Some(0)
    } else if code.starts_with(prefix) {
        Some(1)
    } else if code.split(['_', '-']).skip(1).any(|part| part.starts_with(prefix)) {
        Some(2)
    } else {
        None
    }
}

/// A `:shortcode` being typed in the composer and what it could become.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The bytes from the colon to the caret, replaced by the chosen emoji.
    pub range: Range<usize>,
    /// `(shortcode, emoji)`, best first, never empty.
    pub candidates: Vec<(&'static str, &'static str)>,
}

impl Completion {
    /// `text` with the candidate at `choice` in place of the typed `:prefix`, and the caret
    /// after the emoji; `None` when `choice` is out of range or `text` changed under it.
    pub fn apply(&self, text: &str, choice: usize) -> Option<Converted> {
        let (_, emoji) = self.candidates.get(choice)?;
        let before = text.get(..self.range.start)?;
        let after = text.get(self.range.end..)?;
        Some(Converted {
            text: format!("{before}{emoji}{after}"),
            cursor: Some(before.len() + emoji.len()),
        })
    }
}

/// The `:shortcode` the caret (a byte offset into `text`) is at the end of, with at least
/// [`COMPLETE_MIN_CHARS`] typed, outside code and links, with candidates to offer.
pub fn completion_at(text: &str, cursor: usize) -> Option<Completion> {
    let before = text.get(..cursor)?;
    let colon = before.rfind(':')?;
    let typed = &before[colon + 1..];
    if typed.chars().count() < COMPLETE_MIN_CHARS || !typed.chars().all(is_shortcode_char) {
        return None;
    }
    if before[..colon].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == ':') {
        return None;
    }
    if text[cursor..].chars().next().is_some_and(is_shortcode_char) {
        return None;
    }
    let range = colon..cursor;
    if super::protect::overlaps(&super::protect::protected(text), &range) {
        return None;
    }
    let candidates = complete(typed);
    (!candidates.is_empty()).then_some(Completion { range, candidates })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searching_by_name_finds_thumbs_first() {
        let found: Vec<&str> = search("thumbs").iter().map(|e| e.as_str()).collect();
        assert_eq!(found[..2], ["👍", "👎"]);
        assert_eq!(search("THUMBS UP")[0].as_str(), "👍");
        assert_eq!(search("rocket")[0].as_str(), "🚀");
        assert_eq!(search(":tada:")[0].as_str(), "🎉", "a shortcode finds its emoji");
        assert_eq!(search("red heart")[0].as_str(), "❤️");
        assert_eq!(search("heart")[0].as_str(), "❤️", "the exact shortcode first");
        assert!(search("  ").is_empty());
        assert!(search("zzzzqqq").is_empty());
    }

    #[test]
    fn search_is_capped() {
        assert!(search("face").len() <= SEARCH_LIMIT);
        assert!(!search("face").is_empty());
    }

    #[test]
    fn completion_ranks_exact_then_prefixes() {
        let found = complete("rocket");
        assert_eq!(found[0], ("rocket", "🚀"));
        let smi = complete(":smi");
        assert!(smi.len() <= COMPLETE_LIMIT);
        assert!(smi.iter().all(|(code, _)| code.starts_with("smi")), "{smi:?}");
        assert!(smi.iter().any(|&(_, emoji)| emoji == "😄"));
        assert!(complete("").is_empty());
        let thumbs = complete("thumbsu");
        assert_eq!(thumbs[0].1, "👍");
        let later_word = complete("smile");
        assert!(later_word.iter().any(|&(code, _)| code == "sweat_smile"), "{later_word:?}");
    }

    #[test]
    fn completion_is_found_at_the_caret_and_applied() {
        let text = "well :thu";
        let completion = completion_at(text, text.len()).expect("a completion");
        assert_eq!(completion.range, 5..9);
        let first = completion.candidates.iter().position(|&(_, e)| e == "👍").expect("👍");
        let applied = completion.apply(text, first).expect("applies");
        assert_eq!(applied, Converted { text: "well 👍".into(), cursor: Some(9) });
        assert_eq!(completion.apply(text, 99), None);
    }

    #[test]
    fn no_completion_where_a_colon_is_not_a_shortcode() {
        for (text, cursor) in [
            ("note: x", 7),
            ("well :t", 7),
            ("12:30", 5),
            ("`code :thu", 10),
            ("http://x.org/:thu", 17),
            ("a :zzzzqq", 9),
            ("a :thu b", 5),
        ] {
            assert_eq!(completion_at(text, cursor), None, "{text}");
        }
        assert_eq!(completion_at("é", 1), None, "not a character boundary");
    }

    #[test]
    fn categories_hold_their_emoji_and_nothing_too_new() {
        let all: Vec<Category> = categories().collect();
        assert_eq!(all.len(), 9);
        assert_eq!(all[0].label(), "Smileys & emotion");
        assert_eq!(all[0].emojis().next().map(|e| e.as_str()), Some("😀"));
        assert!(all.iter().all(|c| c.emojis().all(|e| e.emoji_version() <= NEWEST)));
        let flags = all.last().map(|c| c.emojis().count()).unwrap_or_default();
        assert!(flags > 200, "{flags}");
    }
}
