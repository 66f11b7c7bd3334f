//! Searching the history: what is asked, what is found, and the one definition of "matches" that
//! the store's full-text index and the window's highlighting share.
//!
//! Words are compared folded: lower case, accents and other combining marks removed, so "cafe"
//! finds "Café". Scripts written without spaces between words (Chinese, Japanese, Thai, …) have
//! no words to find, so each of their letters is indexed as a word of its own and a query of
//! several is looked up as a phrase: "東京" finds "東京都", anywhere in a line. Elsewhere a
//! query word finds the words it begins ("walk" finds "walked"), as in other messengers.

use crate::{ChatId, Message};
use chrono::{DateTime, Local, NaiveDate, TimeZone, Utc};
use std::borrow::Cow;
use std::ops::Range;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use unicode_script::{Script, UnicodeScript};

/// The most hits one search returns; more are fetched a page at a time with `before`.
pub const MAX_HITS: usize = 200;

/// The most words of a query used: each is a lookup, and a pasted page of text is not a query.
pub const MAX_TERMS: usize = 16;

/// The longest query taken, in bytes; the rest is ignored.
pub const MAX_QUERY_BYTES: usize = 512;

/// What to look for, and where.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchQuery {
    /// The words, as typed; anything typed is taken as words, never as search syntax.
    pub text: String,
    /// Only this account's history.
    pub account: Option<String>,
    /// Only this conversation.
    pub chat: Option<ChatId>,
    /// Only lines by this address (bare or full) or room nickname.
    pub from: Option<String>,
    /// Only lines written at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only lines written before this time.
    pub until: Option<DateTime<Utc>>,
    /// Only lines that share a picture.
    pub with_image: bool,
    /// Only hits older than this one (the last hit of the previous page).
    pub before: Option<i64>,
    /// The most hits wanted, at most [`MAX_HITS`].
    pub limit: usize,
}

/// One line found, with the account it is in.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub account: String,
    pub message: Message,
}

/// A page of hits, newest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    /// Whether older hits exist past the last one here.
    pub more: bool,
}

/// A day (its local midnight, written YYYY-MM-DD) or an RFC 3339 time, for the time filters.
pub fn parse_date(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("\"{text}\" is not a date: write it as YYYY-MM-DD"))?;
    let midnight = day.and_hms_opt(0, 0, 0).ok_or_else(|| format!("{text} has no midnight"))?;
    Local
        .from_local_datetime(&midnight)
        .earliest()
        .map(|time| time.with_timezone(&Utc))
        .ok_or_else(|| format!("{text}: that midnight does not exist here"))
}

/// The words of a query, each as typed: up to [`MAX_TERMS`] pieces between spaces that hold at
/// least one letter or digit, from the first [`MAX_QUERY_BYTES`]. A query of only `"` or `*`
/// has no words, and finds nothing rather than failing.
pub fn terms(query: &str) -> Vec<&str> {
    let mut end = query.len().min(MAX_QUERY_BYTES);
    while !query.is_char_boundary(end) {
        end -= 1;
    }
    query[..end]
        .split_whitespace()
        .filter(|term| term.chars().any(char::is_alphanumeric))
        .take(MAX_TERMS)
        .collect()
}

/// The text the index is given for a body: letters of unsegmented scripts set apart by spaces,
/// so that each is a word of its own. Other text is given as it is (the index folds it).
pub fn index_text(body: &str) -> Cow<'_, str> {
    if !body.chars().any(is_unsegmented) {
        return Cow::Borrowed(body);
    }
    let mut spaced = String::with_capacity(body.len() * 2);
    for c in body.chars() {
        if is_unsegmented(c) {
            spaced.push(' ');
            spaced.push(c);
            spaced.push(' ');
        } else {
            spaced.push(c);
        }
    }
    Cow::Owned(spaced)
}

/// Who and where a line is, for the filters, as the index keeps them beside its words.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scope<'a> {
    pub chat: &'a str,
    pub sender: &'a str,
    /// A room author's real address, when the room showed it.
    pub author: Option<&'a str>,
    /// A room author's nickname.
    pub nick: Option<&'a str>,
}

/// The words that stand for a line's conversation and authors in the index (see
/// [`Scope`]), so that a filtered search is a lookup of those words beside the query's rather
/// than a check of every line the query finds. Each is a letter and 16 hex digits of a SHA-1:
/// kept in the index, so they must never change.
pub fn scope_words(scope: &Scope<'_>) -> String {
    let mut words = vec![chat_word(scope.chat), from_word(scope.sender)];
    words.extend(scope.author.map(from_word));
    words.extend(scope.nick.map(nick_word));
    words.join(" ")
}

/// The word for a conversation (the same in every account).
pub fn chat_word(chat: &str) -> String {
    hashed_word('c', "chat", chat)
}

/// The word for lines by an address: any of its resources, or its real address in a room.
pub fn from_word(jid: &str) -> String {
    let bare = jid.split_once('/').map_or(jid, |(bare, _)| bare);
    hashed_word('f', "from", &bare.to_lowercase())
}

/// The word for lines by a room nickname (in any room).
pub fn nick_word(nick: &str) -> String {
    hashed_word('n', "nick", nick)
}

fn hashed_word(letter: char, kind: &str, value: &str) -> String {
    use sha1::{Digest, Sha1};
    let digest = Sha1::new().chain_update(kind).chain_update("\n").chain_update(value).finalize();
    let mut word = String::with_capacity(17);
    word.push(letter);
    for byte in &digest[..8] {
        word.push_str(&format!("{byte:02x}"));
    }
    word
}

/// Whether `c` belongs to a script written without spaces between words.
fn is_unsegmented(c: char) -> bool {
    matches!(
        c.script(),
        Script::Han
            | Script::Hiragana
            | Script::Katakana
            | Script::Hangul
            | Script::Thai
            | Script::Lao
            | Script::Khmer
            | Script::Myanmar
            | Script::Tibetan
            | Script::Yi
    )
}

/// Where the query's words occur in `body`, as byte ranges in order, for highlighting. Folded as
/// the index folds; a word found inside another word is marked too, which only ever marks more
/// than the index matched, never less.
pub fn find(body: &str, terms: &[&str]) -> Vec<Range<usize>> {
    let (folded, origins) = fold_with_origins(body);
    let mut found: Vec<Range<usize>> = Vec::new();
    for term in terms {
        let needle = fold(term);
        if needle.is_empty() {
            continue;
        }
        for (at, _) in folded.match_indices(needle.as_str()) {
            let start = origins[at].start;
            let end = origins[at + needle.len() - 1].end;
            found.push(start..end);
        }
    }
    found.sort_by_key(|range| (range.start, range.end));
    crate::text::merge_ranges(found)
}

/// `text` folded: decomposed, combining marks removed, lower case.
pub fn fold(text: &str) -> String {
    fold_with_origins(text).0
}

/// `text` folded, and for each byte of the folded text the bytes of `text` it came from.
fn fold_with_origins(text: &str) -> (String, Vec<Range<usize>>) {
    let mut folded = String::with_capacity(text.len());
    let mut origins = Vec::with_capacity(text.len());
    for (at, c) in text.char_indices() {
        let source = at..at + c.len_utf8();
        for part in std::iter::once(c).nfd().filter(|part| !is_combining_mark(*part)) {
            for lower in part.to_lowercase() {
                folded.push(lower);
                origins.extend(std::iter::repeat_n(source.clone(), lower.len_utf8()));
            }
        }
    }
    (folded, origins)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_syntax_alone_is_no_words() {
        for query in ["\"", "*", "\" * ( ) : ^ -", "", "   "] {
            assert!(terms(query).is_empty(), "{query:?}");
        }
        assert_eq!(terms("  café  \"quoted\"  * ok "), ["café", "\"quoted\"", "ok"]);
    }

    #[test]
    fn a_long_query_is_cut_on_a_character() {
        let query = "é".repeat(MAX_QUERY_BYTES);
        let words = terms(&query);
        assert_eq!(words.len(), 1);
        assert!(words[0].len() <= MAX_QUERY_BYTES);
        let many = "word ".repeat(100);
        assert_eq!(terms(&many).len(), MAX_TERMS);
    }

    #[test]
    fn dates_are_days_or_times() {
        let time = parse_date("2026-03-01T10:00:00Z").expect("a time");
        assert_eq!(time.to_rfc3339(), "2026-03-01T10:00:00+00:00");
        let day = parse_date(" 2026-03-01 ").expect("a day");
        let local = day.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string();
        assert_eq!(local, "2026-03-01 00:00");
        assert!(parse_date("yesterday").is_err());
        assert!(parse_date("2026-02-30").is_err());
    }

    #[test]
    fn unsegmented_letters_become_words_and_the_rest_is_kept() {
        assert!(matches!(index_text("plain words"), Cow::Borrowed("plain words")));
        assert_eq!(index_text("東京 in May"), " 東  京  in May");
        assert_eq!(index_text("สวัสดี").split_whitespace().count(), "สวัสดี".chars().count());
    }

    #[test]
    fn scope_words_are_single_tokens_that_never_change() {
        assert_eq!(chat_word("bob@example.org"), "c9f2a53e641dfe369");
        let words = scope_words(&Scope {
            chat: "room@muc.x",
            sender: "room@muc.x/Ann",
            author: Some("Ann@x/laptop"),
            nick: Some("Ann"),
        });
        let words: Vec<_> = words.split(' ').collect();
        assert_eq!(words.len(), 4);
        assert!(
            words.iter().all(|w| w.len() == 17 && w.chars().all(|c| c.is_ascii_alphanumeric()))
        );
        assert_eq!(words[2], from_word("ann@x"), "any resource, any case");
        assert_ne!(chat_word("a@x"), from_word("a@x"), "kinds never meet");
    }

    #[test]
    fn highlights_fold_case_and_accents_and_point_at_the_original_bytes() {
        let body = "Le CAFÉ était fermé, café demain";
        let found = find(body, &["cafe"]);
        let words: Vec<_> = found.iter().map(|r| &body[r.clone()]).collect();
        assert_eq!(words, ["CAFÉ", "café"]);
        assert_eq!(find("東京都に行く", &["東京"]).first(), Some(&(0..6)));
        assert!(find("nothing here", &["absent"]).is_empty());
    }

    #[test]
    fn overlapping_highlights_are_merged() {
        let merged = find("banana", &["ban", "nan"]);
        assert_eq!((merged.len(), merged.first()), (1, Some(&(0..5))));
    }

    #[test]
    fn letters_that_fold_to_several_are_highlighted_whole() {
        // "İ" lowers to two characters; "ß" stays one. Neither may cut a character.
        let body = "İstanbul straße";
        for range in find(body, &["i", "stra"]) {
            assert!(body.is_char_boundary(range.start) && body.is_char_boundary(range.end));
        }
    }
}
