//! Classic ASCII smileys (`:-)`, `;)`, `:D`, `<3` …) turned into emoji while typing, and
//! complete `:shortcode:`s likewise.
//!
//! A smiley is converted only where it stands alone: at the start of the text or after
//! whitespace, and followed by whitespace, the end, or sentence punctuation (`:),` `:D!`).
//! So `http://x.org/:D`, `a:b`, `(8)` and `C:)` stay as they are; code and links are skipped
//! whole (see `protect.rs`). The text under the caret is left alone too: `:D` just
//! typed may still become `:Dave`, so it is converted once the next character shows it ended.

use super::protect::{overlaps, protected};
use std::ops::Range;

/// Punctuation that may follow a smiley, as in "thanks :), see you".
const TRAILING_PUNCTUATION: [char; 4] = [',', '.', '!', '?'];

/// Each smiley and the emoji it becomes. Longer forms first, so `:-)` never stops at `:-`,
/// and `>:(` wins over `:(`. Omitted on purpose: `B)` and `8)` (list numbering), `:3`, `^^`.
const SMILEYS: &[(&str, &str)] = &[
    (">:-(", "😠"),
    ("O:-)", "😇"),
    (":'-(", "😢"),
    ("</3", "💔"),
    (">:(", "😠"),
    ("O:)", "😇"),
    ("0:)", "😇"),
    (":'(", "😢"),
    (":-)", "🙂"),
    (":-(", "🙁"),
    (";-)", "😉"),
    (":-D", "😃"),
    (":-P", "😛"),
    (":-p", "😛"),
    (";-P", "😜"),
    (";-p", "😜"),
    (":-O", "😮"),
    (":-o", "😮"),
    (":-|", "😐"),
    (":-/", "😕"),
    (":-*", "😘"),
    ("8-)", "😎"),
    (":)", "🙂"),
    ("=)", "🙂"),
    (":(", "🙁"),
    ("=(", "🙁"),
    (";)", "😉"),
    (":D", "😃"),
    ("=D", "😃"),
    ("xD", "😆"),
    ("XD", "😆"),
    (":P", "😛"),
    (":p", "😛"),
    (";P", "😜"),
    (";p", "😜"),
    (":O", "😮"),
    (":o", "😮"),
    (":|", "😐"),
    (":/", "😕"),
    (":*", "😘"),
    ("<3", "❤️"),
];

/// Characters a GitHub shortcode is made of (`:+1:`, `:e-mail:`, `:smile_cat:`).
pub(crate) fn is_shortcode_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '+' | '-')
}

/// A composer's text after a conversion, with the caret moved to stay after what it followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    pub text: String,
    /// The caret's new byte offset, when one was given.
    pub cursor: Option<usize>,
}

/// Turns standalone ASCII smileys in `text` into emoji. `cursor` is the caret's byte offset
/// while the user types (a smiley ending right there is left for now), or `None` for finished
/// text, such as a message about to be sent.
pub fn ascii_smileys(text: &str, cursor: Option<usize>) -> Converted {
    rewrite(text, cursor, Caret::WaitsAtEnd, |text, at| {
        if at > 0 && !text[..at].ends_with(char::is_whitespace) {
            return None;
        }
        let rest = &text[at..];
        SMILEYS.iter().find_map(|&(smiley, emoji)| {
            rest.starts_with(smiley)
                .then(|| at + smiley.len())
                .filter(|&end| ends_alone(text, end))
                .map(|end| (end, emoji))
        })
    })
}

/// Turns each complete, known `:shortcode:` in `text` into its emoji (`:thumbsup:` → 👍),
/// except in code and links, or glued to a word or number (`12:30:45`).
pub fn shortcodes(text: &str, cursor: Option<usize>) -> Converted {
    rewrite(text, cursor, Caret::EndsIt, |text, at| {
        let rest = &text[at..];
        if !rest.starts_with(':') {
            return None;
        }
        if text[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == ':') {
            return None;
        }
        let name_len = rest[1..].find(|c: char| !is_shortcode_char(c))?;
        let end = at + 1 + name_len + 1;
        if name_len == 0 || !rest[1 + name_len..].starts_with(':') {
            return None;
        }
        if text[end..].chars().next().is_some_and(char::is_alphanumeric) {
            return None;
        }
        super::lookup_shortcode(&rest[1..=name_len]).map(|emoji| (end, emoji))
    })
}

/// Whether a smiley ending at byte `end` is followed by nothing, whitespace, or punctuation
/// that itself ends the word.
fn ends_alone(text: &str, end: usize) -> bool {
    let mut after = text[end..].chars();
    match after.next() {
        None => true,
        Some(c) if c.is_whitespace() => true,
        Some(c) if TRAILING_PUNCTUATION.contains(&c) => {
            after.next().is_none_or(char::is_whitespace)
        }
        Some(_) => false,
    }
}

/// What a caret right after a match means.
#[derive(Clone, Copy)]
enum Caret {
    /// The match may still grow (`:D` → `:Dave`): wait for the next key.
    WaitsAtEnd,
    /// The match is closed by its last character (the colon of `:rocket:`): convert now.
    EndsIt,
}

/// Walks `text`, asking `find` at each character boundary outside code and links whether a
/// replacement starts there (`Some((end, emoji))`); keeps the caret after what it followed.
/// A match with the caret inside it is left alone: the user is editing that word.
fn rewrite(
    text: &str,
    cursor: Option<usize>,
    caret: Caret,
    find: impl Fn(&str, usize) -> Option<(usize, &'static str)>,
) -> Converted {
    let skip = protected(text);
    let mut out = String::with_capacity(text.len());
    let mut moved = cursor;
    let mut copied = 0;
    let mut at = 0;
    while at < text.len() {
        let found = find(text, at).filter(|&(end, _)| {
            let range: Range<usize> = at..end;
            let typing = cursor.is_some_and(|c| match caret {
                Caret::WaitsAtEnd => c > at && c <= end,
                Caret::EndsIt => c > at && c < end,
            });
            !typing && !overlaps(&skip, &range)
        });
        match found {
            Some((end, emoji)) => {
                out.push_str(&text[copied..at]);
                out.push_str(emoji);
                if let (Some(c), Some(original)) = (moved.as_mut(), cursor)
                    && original >= end
                {
                    *c = *c - (end - at) + emoji.len();
                }
                copied = end;
                at = end;
            }
            None => at += text[at..].chars().next().map_or(1, char::len_utf8),
        }
    }
    out.push_str(&text[copied..]);
    Converted { text: out, cursor: moved }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done(text: &str) -> String {
        ascii_smileys(text, None).text
    }

    #[test]
    fn standalone_smileys_become_emoji() {
        assert_eq!(done(":-) :) ;) ;-) :D :-D :( :-("), "🙂 🙂 😉 😉 😃 😃 🙁 🙁");
        assert_eq!(done(":P :-P :O <3 :'( xD"), "😛 😛 😮 ❤️ 😢 😆");
        assert_eq!(done(">:( O:-) </3 8-)"), "😠 😇 💔 😎");
        assert_eq!(done("hi :)\nbye :("), "hi 🙂\nbye 🙁");
    }

    #[test]
    fn trailing_punctuation_still_counts_as_alone() {
        assert_eq!(done("thanks :), see you :D!"), "thanks 🙂, see you 😃!");
        assert_eq!(done("great :)."), "great 🙂.");
        assert_eq!(done(":).x"), ":).x");
    }

    #[test]
    fn smileys_inside_words_and_numbers_stay() {
        for text in [
            "a:)",
            ":)b",
            "C:)",
            "12:30",
            "a:b:c",
            "(8)",
            "B)",
            "xDD",
            "xDebug",
            "foo:Dbar",
            "the <3rd>",
            "f(:)",
            "::)",
        ] {
            assert_eq!(done(text), text, "{text}");
        }
    }

    #[test]
    fn links_are_never_touched() {
        for text in [
            "http://x.org/:D",
            "see http://x.org/:D now",
            "https://example.org/a:)b :)x",
            "www.example.org/:P",
            "xmpp:juliet@example.org?message;body=:D",
        ] {
            assert_eq!(done(text), text, "{text}");
        }
        assert_eq!(done("http://x.org/ :D"), "http://x.org/ 😃");
    }

    #[test]
    fn code_is_never_touched() {
        assert_eq!(done("`a :) b` :)"), "`a :) b` 🙂");
        assert_eq!(done("type `:D` here"), "type `:D` here");
        let block = "look:\n```\nif a :) b\n:D\n```\nok :)";
        assert_eq!(done(block), "look:\n```\nif a :) b\n:D\n```\nok 🙂");
        assert_eq!(done("```\n:)"), "```\n:)", "an unclosed block protects to the end");
        assert_eq!(done("`still typing :) "), "`still typing :) ");
    }

    #[test]
    fn the_smiley_being_typed_waits_for_the_next_key() {
        let typing = ascii_smileys("hi :D", Some(5));
        assert_eq!(typing, Converted { text: "hi :D".into(), cursor: Some(5) });
        let finished = ascii_smileys("hi :D ", Some(6));
        assert_eq!(finished, Converted { text: "hi 😃 ".into(), cursor: Some(8) });
    }

    #[test]
    fn the_caret_keeps_its_place() {
        // Caret before the smiley: it does not move.
        let edited = ascii_smileys("x :) y", Some(1));
        assert_eq!(edited, Converted { text: "x 🙂 y".into(), cursor: Some(1) });
        // Caret in the middle of a smiley: left alone.
        assert_eq!(ascii_smileys("x :) y", Some(3)).text, "x :) y");
        // Several before the caret add up: ":)" (2 bytes) → 🙂 (4), ":D" (2) → 😃 (4).
        let both = ascii_smileys(":) :D z", Some(7));
        assert_eq!(both, Converted { text: "🙂 😃 z".into(), cursor: Some(11) });
    }

    #[test]
    fn complete_shortcodes_become_emoji() {
        let converted = shortcodes("nice :thumbsup: :rocket:!", None);
        assert_eq!(converted.text, "nice 👍 🚀!");
        assert_eq!(shortcodes(":+1:", None).text, "👍");
        for text in [
            "12:30:45",
            "a:rocket:",
            ":rocket:s",
            ":nosuchcode:",
            "::",
            "`:rocket:`",
            "https://x.org/:rocket:",
        ] {
            assert_eq!(shortcodes(text, None).text, text, "{text}");
        }
    }

    #[test]
    fn a_shortcode_converts_as_soon_as_it_is_closed() {
        let closed = shortcodes("go :rocket:", Some(11));
        assert_eq!(closed, Converted { text: "go 🚀".into(), cursor: Some(7) });
    }
}
