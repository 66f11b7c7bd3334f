//! Links in message text, found so they can be drawn clickable, and the rule for which of them
//! open at once. A link is always shown as the very text that will be opened, so what the user
//! reads is where it goes; only web pages open without asking, since any other scheme (`file:`,
//! `javascript:`, an application's own) can start a program.

/// Schemes taken as links without `//` after them. Anything written `scheme://…` is a link too.
const BARE_SCHEMES: &[&str] =
    &["mailto", "xmpp", "tel", "sms", "geo", "magnet", "file", "javascript", "data"];

/// Characters that end a link: they rarely belong to an address and often wrap one
/// (`<https://…>`, `"https://…"`, `` `https://…` ``).
const ENDS_LINK: &[char] = &['<', '>', '"', '`'];

/// Characters dropped from a link's end: sentence punctuation after an address.
const TRAILING: &[char] = &['.', ',', ';', ':', '!', '?', '\'', '*', '_'];

/// A run of a message's text: words, or a link to be drawn clickable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Link(&'a str),
}

/// Splits `text` into words and links, in order; joined back they give `text` unchanged.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut plain_from = 0;
    let mut at = 0;
    while at < text.len() {
        let starts_word =
            text[..at].chars().next_back().is_none_or(|before| !before.is_alphanumeric());
        if starts_word && let Some(len) = link_at(&text[at..]) {
            if plain_from < at {
                pieces.push(Piece::Text(&text[plain_from..at]));
            }
            pieces.push(Piece::Link(&text[at..at + len]));
            at += len;
            plain_from = at;
            continue;
        }
        at += text[at..].chars().next().map_or(1, char::len_utf8);
    }
    if plain_from < text.len() {
        pieces.push(Piece::Text(&text[plain_from..]));
    }
    pieces
}

/// Whether `text` has any link in it.
pub fn has_links(text: &str) -> bool {
    pieces(text).iter().any(|piece| matches!(piece, Piece::Link(_)))
}

/// Whether a link may open without asking: only web pages (`http:` and `https:`).
pub fn opens_at_once(link: &str) -> bool {
    scheme(link).is_some_and(|s| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https"))
}

/// The length of the link that starts `text`, if one does.
fn link_at(text: &str) -> Option<usize> {
    let scheme = scheme(text)?;
    let rest = &text[scheme.len() + 1..];
    let known = BARE_SCHEMES.iter().any(|bare| bare.eq_ignore_ascii_case(scheme));
    let head = if rest.starts_with("//") {
        scheme.len() + 3
    } else if known {
        scheme.len() + 1
    } else {
        return None;
    };
    let len = text.find(|c: char| ends_link(c)).unwrap_or(text.len());
    let len = trim_end(&text[..len]).len();
    // "https://" alone, or "mailto:" before a space, is no link.
    (len > head).then_some(len)
}

/// The scheme before the first `:`, when `text` starts with one (RFC 3986 §3.1: a letter, then
/// letters, digits, `+`, `-` and `.`). Reads no further than the scheme's own characters, so
/// looking at every word of a long message stays linear.
fn scheme(text: &str) -> Option<&str> {
    if !text.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let end = text.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))?;
    text[end..].starts_with(':').then(|| &text[..end])
}

/// White space, the wrapping characters above, and invisible controls: a right-to-left override
/// inside a link would make it read as another address than the one it opens.
fn ends_link(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || ENDS_LINK.contains(&c)
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Drops sentence punctuation after a link, and closing brackets it did not open
/// ("(see https://example.org/a_(b))." keeps the inner pair).
fn trim_end(mut link: &str) -> &str {
    loop {
        let Some(last) = link.chars().next_back() else { return link };
        let unbalanced = |open: char, close: char| {
            last == close && link.matches(close).count() > link.matches(open).count()
        };
        if TRAILING.contains(&last)
            || unbalanced('(', ')')
            || unbalanced('[', ']')
            || unbalanced('{', '}')
        {
            link = &link[..link.len() - last.len_utf8()];
        } else {
            return link;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Piece::{Link, Text};

    fn links(text: &str) -> Vec<&str> {
        pieces(text)
            .into_iter()
            .filter_map(|piece| match piece {
                Link(link) => Some(link),
                Text(_) => None,
            })
            .collect()
    }

    #[test]
    fn links_are_cut_out_of_the_text_and_nothing_is_lost() {
        let text = "see https://example.org/a?b=1&c=2#d and http://x.y too";
        assert_eq!(
            pieces(text),
            [
                Text("see "),
                Link("https://example.org/a?b=1&c=2#d"),
                Text(" and "),
                Link("http://x.y"),
                Text(" too"),
            ]
        );
        let joined: String = pieces(text)
            .into_iter()
            .map(|piece| match piece {
                Text(t) | Link(t) => t,
            })
            .collect();
        assert_eq!(joined, text);
        assert_eq!(pieces("https://a.example"), [Link("https://a.example")]);
        assert_eq!(pieces("no links here"), [Text("no links here")]);
        assert_eq!(pieces(""), []);
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
    fn other_schemes_are_links_but_plain_colons_are_not() {
        assert_eq!(links("mail mailto:a@b.c now"), ["mailto:a@b.c"]);
        assert_eq!(links("join xmpp:room@conference.x?join"), ["xmpp:room@conference.x?join"]);
        assert_eq!(links("file:///etc/passwd"), ["file:///etc/passwd"]);
        assert_eq!(links("javascript:alert(1)"), ["javascript:alert(1)"]);
        assert_eq!(links("steam://run/10"), ["steam://run/10"]);
        assert!(links("Note: 10:30 at re:union, ratio 1:2").is_empty());
        assert!(links("https:// alone, mailto: nobody").is_empty());
        assert!(links("xhttps://example.org").len() == 1, "a scheme of its own");
        assert!(links("é·https://x.org").len() == 1, "after punctuation");
        assert!(links("wordhttps://x.org").len() == 1, "xhttps-like schemes are schemes");
        assert!(links("ñhttps://x.org").is_empty(), "inside a word");
        assert!(links("2https://x.org").is_empty(), "a scheme starts with a letter");
    }

    #[test]
    fn hidden_characters_end_a_link() {
        let sneaky = "https://example.org/\u{202E}gpj.exe";
        assert_eq!(links(sneaky), ["https://example.org/"]);
        assert_eq!(links("https://a.org/\u{200B}x"), ["https://a.org/"]);
        assert_eq!(links("https://a.org/x\ny"), ["https://a.org/x"]);
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
}
