//! Searching the history: what is asked, what is found, and the one definition of "matches" that
//! the store's full-text index and the window's highlighting share.
//!
//! Words are compared folded: lower case, accents and other combining marks removed, so "cafe"
//! finds "Café". Scripts written without spaces between words (Chinese, Japanese, Thai, …) have
//! no words to find, so each of their letters is indexed as a word of its own and a query of
//! several is looked up as a phrase: "東京" finds "東京都", anywhere in a line. Elsewhere a
//! query word finds the words it begins ("walk" finds "walked"), as in other messengers.

use crate::{ChatId, Message};
use chrono::{DateTime, Utc};
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
    merge(found)
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

/// Overlapping or touching ranges made one.
fn merge(sorted: Vec<Range<usize>>) -> Vec<Range<usize>> {
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(sorted.len());
    for range in sorted {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
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
    fn unsegmented_letters_become_words_and_the_rest_is_kept() {
        assert!(matches!(index_text("plain words"), Cow::Borrowed("plain words")));
        assert_eq!(index_text("東京 in May"), " 東  京  in May");
        assert_eq!(index_text("สวัสดี").split_whitespace().count(), "สวัสดี".chars().count());
    }

    #[test]
    fn highlights_fold_case_and_accents_and_point_at_the_original_bytes() {
        let body = "Le CAFÉ était fermé, café demain";
        let found = find(body, &["cafe"]);
        let words: Vec<_> = found.iter().map(|r| &body[r.clone()]).collect();
        assert_eq!(words, ["CAFÉ", "café"]);
        assert_eq!(find("東京都に行く", &["東京"]), [0..6]);
        assert!(find("nothing here", &["absent"]).is_empty());
    }

    #[test]
    fn overlapping_highlights_are_merged() {
        assert_eq!(find("banana", &["ban", "nan"]), [0..5]);
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
