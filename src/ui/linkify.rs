//! Links in message text, found so they can be drawn clickable, and the rule for which of them
//! open at once. A link is always shown as the very text that will be opened, so what the user
//! reads is where it goes; only web pages open without asking, since any other scheme (`file:`,
//! an application's own) can start a program.
//!
//! Finding links is the `linkify` crate's job: it does one pass over the text, whatever a
//! stranger sends (a hand-written finder here took seconds on 80 KB of `a-a-a-…`), and gets
//! the ends right around sentence punctuation, quotes and brackets. It finds `scheme://…`
//! addresses and mail-like addresses; of the schemes written without `//` only `xmpp:`
//! (RFC 5122) and `mailto:` in front of such an address count. Others (`javascript:alert(1)`,
//! `data:`, `tel:`) stay plain text: they were rarely meant as links and never safe ones.

use linkify::{LinkFinder, LinkKind};
use std::ops::Range;

/// Schemes written without `//` that make the address after them a link.
const BARE_SCHEMES: &[&str] = &["xmpp:", "mailto:"];

/// Characters dropped from the end of an `xmpp:` link's query (`?join`) or resource: sentence
/// punctuation and closing brackets after the address.
const TRAILING: &[char] = &['.', ',', ';', ':', '!', '?', '\'', '*', ')', ']', '}'];

/// Where the links in `text` are, in order and apart, as byte ranges.
pub fn find(text: &str) -> Vec<Range<usize>> {
    let mut finder = LinkFinder::new();
    finder.kinds(&[LinkKind::Url, LinkKind::Email]).email_domain_must_have_dot(false);
    let mut found: Vec<Range<usize>> = Vec::new();
    for link in finder.links(text) {
        // Inside the query of an `xmpp:` link already taken: skipped before any work, or a
        // megabyte of `xmpp:a@b?` would take quadratic time.
        if found.last().is_some_and(|last| link.start() < last.end) {
            continue;
        }
        let range = match link.kind() {
            LinkKind::Url => web_link(text, link.start()..link.end()),
            LinkKind::Email => bare_scheme_link(text, link.start()..link.end()),
            _ => None,
        };
        // A scheme that reaches back into the previous link (`xmpp:a@bxmpp:c@d`): links never
        // overlap, or drawing them would fail.
        if let Some(range) = range.filter(|r| found.last().is_none_or(|last| last.end <= r.start)) {
            found.push(range);
        }
    }
    found
}

/// Whether a link may open without asking: only web pages (`http:` and `https:`).
pub fn opens_at_once(link: &str) -> bool {
    link.split_once(':').is_some_and(|(scheme, _)| {
        scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
    })
}

/// A `scheme://` link as found, but ended at the first invisible character: a right-to-left
/// override inside a link would make it read as another address than the one it opens.
/// `None` when nothing is left after the `://`.
fn web_link(text: &str, range: Range<usize>) -> Option<Range<usize>> {
    let link = &text[range.clone()];
    let Some(hidden) = link.find(ends_link) else { return Some(range) };
    let kept = link[..hidden].trim_end_matches(TRAILING);
    let (_, after) = kept.split_once("://")?;
    (!after.is_empty()).then(|| range.start..range.start + kept.len())
}

/// An address found after `xmpp:` or `mailto:`, with that scheme and, for `xmpp:`, the query
/// or resource after it (`xmpp:room@conference.example?join`). `None` for an address alone
/// (not a link: it could be a mail or a chat address) or one with an invisible character.
fn bare_scheme_link(text: &str, address: Range<usize>) -> Option<Range<usize>> {
    let before = &text.as_bytes()[..address.start];
    let scheme = BARE_SCHEMES.iter().find(|scheme| {
        before.len() >= scheme.len()
            && before[before.len() - scheme.len()..].eq_ignore_ascii_case(scheme.as_bytes())
    })?;
    // The scheme is ASCII, so its first byte starts a character.
    let start = address.start - scheme.len();
    if text[address.clone()].contains(ends_link) {
        return None;
    }
    let rest = &text[address.end..];
    if *scheme != "xmpp:" || !rest.starts_with(['?', '/']) {
        return Some(start..address.end);
    }
    let tail = rest.find(|c: char| ends_link(c) || matches!(c, '<' | '>' | '"' | '`'));
    let tail = rest[..tail.unwrap_or(rest.len())].trim_end_matches(TRAILING);
    Some(start..address.end + tail.len())
}

/// White space and invisible characters: controls, zero-width characters and the
/// bidirectional controls (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069).
fn ends_link(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(text: &str) -> Vec<&str> {
        find(text).into_iter().map(|range| &text[range]).collect()
    }

    #[test]
    fn links_are_found_where_they_are() {
        let text = "see https://example.org/a?b=1&c=2#d and http://x.yz too";
        assert_eq!(find(text), [4..35, 40..51]);
        assert_eq!(links(text), ["https://example.org/a?b=1&c=2#d", "http://x.yz"]);
        assert_eq!(links("https://a.example"), ["https://a.example"]);
        assert!(links("no links here").is_empty());
        assert!(links("").is_empty());
    }

    #[test]
    fn a_scheme_inside_the_previous_link_starts_no_overlapping_one() {
        // Found by the linkify fuzz target: the second scheme reached back into the first link.
        let text = "xmpp:room@confxmpp:room@conference.example.org?join";
        assert_eq!(links(text), ["xmpp:room@confxmpp"]);
        assert_eq!(links("mailto:a@bmailto:c@d.example"), ["mailto:a@bmailto"]);
    }

    #[test]
    fn sentence_punctuation_and_unopened_brackets_stay_outside() {
        assert_eq!(links("Look: https://example.org."), ["https://example.org"]);
        assert_eq!(links("https://example.org/x, then"), ["https://example.org/x"]);
        assert_eq!(links("(https://example.org/x)"), ["https://example.org/x"]);
        assert_eq!(
            links("https://en.wikipedia.org/wiki/Rust_(language)"),
            ["https://en.wikipedia.org/wiki/Rust_(language)"]
        );
        assert_eq!(links("(see https://w.org/a_(b))."), ["https://w.org/a_(b)"]);
        assert_eq!(links("[https://example.org]"), ["https://example.org"]);
        assert_eq!(links("<https://example.org/>"), ["https://example.org/"]);
        assert_eq!(links("\"https://example.org\"!"), ["https://example.org"]);
        assert_eq!(links("`https://example.org`"), ["https://example.org"]);
        assert_eq!(links("is it https://example.org?"), ["https://example.org"]);
    }

    #[test]
    fn other_schemes_with_slashes_and_xmpp_and_mailto_are_links() {
        assert_eq!(links("mail mailto:a@b.cd now"), ["mailto:a@b.cd"]);
        assert_eq!(
            links("join xmpp:room@conference.example.org?join"),
            ["xmpp:room@conference.example.org?join"]
        );
        assert_eq!(links("XMPP:room@muc?join."), ["XMPP:room@muc?join"]);
        assert_eq!(links("(xmpp:bob@x/phone)"), ["xmpp:bob@x/phone"]);
        assert_eq!(links("file:///etc/passwd"), ["file:///etc/passwd"]);
        assert_eq!(links("steam://run/10"), ["steam://run/10"]);
        assert_eq!(links("xhttps://example.org"), ["xhttps://example.org"], "a scheme of its own");
        assert_eq!(links("é·https://x.org"), ["https://x.org"], "after punctuation");
        assert!(links("2https://x.org").is_empty(), "a scheme starts with a letter");
    }

    #[test]
    fn plain_colons_addresses_alone_and_scripts_are_not_links() {
        assert!(links("Note: 10:30 at re:union, ratio 1:2").is_empty());
        assert!(links("https:// alone, mailto: nobody").is_empty());
        assert!(links("write to bob@example.org").is_empty(), "mail or chat? not a link");
        assert!(links("javascript:alert(1)").is_empty());
        assert!(links("data:text/html,<script>alert(1)</script>").is_empty());
    }

    #[test]
    fn a_query_link_inside_an_xmpp_link_is_not_found_twice() {
        let text = "xmpp:a@b.cd?message;body=https://evil.example then";
        assert_eq!(links(text), ["xmpp:a@b.cd?message;body=https://evil.example"]);
    }

    #[test]
    fn hidden_characters_end_a_link() {
        let sneaky = "https://example.org/\u{202E}gpj.exe";
        assert_eq!(links(sneaky), ["https://example.org/"]);
        assert_eq!(links("https://a.org/\u{200B}x"), ["https://a.org/"]);
        assert_eq!(links("https://a.org/x.\u{2066}y"), ["https://a.org/x"]);
        assert_eq!(links("https://a.org/x\ny"), ["https://a.org/x"]);
        assert_eq!(links("https://a.org/x\u{A0}y"), ["https://a.org/x"]);
        assert!(links("https://\u{202E}gro.a").is_empty());
        assert!(links("xmpp:a\u{202E}b@c.de").is_empty());
    }

    #[test]
    fn only_web_pages_open_without_asking() {
        assert!(opens_at_once("https://example.org"));
        assert!(opens_at_once("HTTP://example.org"));
        for link in ["file:///etc/passwd", "javascript:alert(1)", "steam://run/10", "xmpp:a@b"] {
            assert!(!opens_at_once(link), "{link}");
        }
        assert!(!opens_at_once("no scheme"));
    }

    /// Hostile text of 1 MB: each is answered correctly, which a finder that goes back over
    /// the text for each character could not do in the time a test has. The time is printed
    /// (`--nocapture`) as a micro benchmark, never asserted.
    #[test]
    fn a_megabyte_of_hostile_text_is_read_once() {
        const SIZE: usize = 1 << 20;
        let cases: [(&str, String, usize); 8] = [
            ("a-a-a-", "a-".repeat(SIZE / 2), 0),
            ("closing brackets", format!("https://x/{}", ")".repeat(SIZE)), 1),
            ("opening brackets", format!("https://x/{}", "(".repeat(SIZE)), 1),
            ("colons", "a:".repeat(SIZE / 2), 0),
            ("slashes", "a://".repeat(SIZE / 4), 1),
            ("at signs", "a@".repeat(SIZE / 2), 0),
            ("xmpp queries", "xmpp:a@b?".repeat(SIZE / 9), 1),
            ("links", "https://a.bc ".repeat(SIZE / 13), SIZE / 13),
        ];
        for (name, text, count) in cases {
            let started = std::time::Instant::now();
            let found = find(&text);
            println!("{name}: {} bytes in {:?}", text.len(), started.elapsed());
            assert_eq!(found.len(), count, "{name}");
        }
        let brackets = format!("https://x/{}", ")".repeat(SIZE));
        assert_eq!(links(&brackets), ["https://x/"]);
    }
}
