//! A stanza as the console shows it: one element per line, indented by depth, with an element
//! that holds only text kept on one line (`<body>hi</body>`), and each piece marked for its
//! colour. The worker hands over well-formed XML it serialised itself; this only splits it,
//! once per stanza when it arrives, never per redraw.

/// What a piece of a line is, for its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `<`, `</`, `>`, `/>`, `=`.
    Punctuation,
    Name,
    Attribute,
    Value,
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub depth: usize,
    pub pieces: Vec<Piece>,
}

/// Deepest indentation drawn; deeper elements stay at this depth (the parser guard already
/// cuts anything deeper than 32).
const MAX_INDENT: usize = 16;

#[derive(Debug, PartialEq)]
enum Token<'a> {
    Open(&'a str),
    Close(&'a str),
    Empty(&'a str),
    Text(&'a str),
}

/// The lines of `xml`, ready to draw.
pub fn lines(xml: &str) -> Vec<Line> {
    let tokens = tokens(xml);
    let mut lines = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        match (&tokens[i], tokens.get(i + 1), tokens.get(i + 2)) {
            (Token::Open(open), Some(Token::Text(text)), Some(Token::Close(close))) => {
                let mut pieces = tag(open);
                pieces.push(Piece { text: (*text).to_owned(), role: Role::Text });
                pieces.extend(tag(close));
                lines.push(Line { depth: depth.min(MAX_INDENT), pieces });
                i += 3;
                continue;
            }
            (Token::Open(open), _, _) => {
                lines.push(Line { depth: depth.min(MAX_INDENT), pieces: tag(open) });
                depth += 1;
            }
            (Token::Close(close), _, _) => {
                depth = depth.saturating_sub(1);
                lines.push(Line { depth: depth.min(MAX_INDENT), pieces: tag(close) });
            }
            (Token::Empty(empty), _, _) => {
                lines.push(Line { depth: depth.min(MAX_INDENT), pieces: tag(empty) });
            }
            (Token::Text(text), _, _) => {
                let piece = Piece { text: (*text).to_owned(), role: Role::Text };
                lines.push(Line { depth: depth.min(MAX_INDENT), pieces: vec![piece] });
            }
        }
        i += 1;
    }
    lines
}

/// Tags and the text between them; whitespace-only text is dropped.
fn tokens(xml: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut rest = xml;
    while !rest.is_empty() {
        if rest.starts_with('<') {
            let end = tag_end(rest).unwrap_or(rest.len());
            let raw = &rest[..end];
            tokens.push(if raw.starts_with("</") {
                Token::Close(raw)
            } else if raw.ends_with("/>") {
                Token::Empty(raw)
            } else {
                Token::Open(raw)
            });
            rest = &rest[end..];
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let text = rest[..end].trim();
            if !text.is_empty() {
                tokens.push(Token::Text(text));
            }
            rest = &rest[end..];
        }
    }
    tokens
}

/// Where the tag at the start of `rest` ends (after its `>`), quotes respected.
fn tag_end(rest: &str) -> Option<usize> {
    let mut quote = None;
    for (at, c) in rest.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(at + 1),
            _ => {}
        }
    }
    None
}

/// A tag's pieces: its punctuation, name, and each attribute with its value.
fn tag(raw: &str) -> Vec<Piece> {
    let punct = |text: &str| Piece { text: text.to_owned(), role: Role::Punctuation };
    let (open, inner) = match raw.strip_prefix("</") {
        Some(inner) => ("</", inner),
        None => ("<", raw.strip_prefix('<').unwrap_or(raw)),
    };
    let (inner, close) = match inner.strip_suffix("/>") {
        Some(inner) => (inner, "/>"),
        None => (inner.strip_suffix('>').unwrap_or(inner), ">"),
    };
    let name_end = inner.find(char::is_whitespace).unwrap_or(inner.len());
    let mut pieces = vec![punct(open), Piece { text: inner[..name_end].into(), role: Role::Name }];
    let mut rest = inner[name_end..].trim_start();
    while let Some(eq) = rest.find('=') {
        let name = rest[..eq].trim();
        let after = rest[eq + 1..].trim_start();
        let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'');
        let value_end =
            quote.and_then(|q| after[1..].find(q).map(|at| at + 2)).unwrap_or(after.len());
        pieces.push(Piece { text: format!(" {name}"), role: Role::Attribute });
        pieces.push(punct("="));
        pieces.push(Piece { text: after[..value_end].into(), role: Role::Value });
        rest = after[value_end..].trim_start();
    }
    pieces.push(punct(close));
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| {
                let text: String = l.pieces.iter().map(|p| p.text.as_str()).collect();
                format!("{}{text}", "  ".repeat(l.depth))
            })
            .collect()
    }

    #[test]
    fn one_element_a_line_indented_with_text_only_elements_on_one() {
        let xml = "<message xmlns='jabber:client' to='a@b' type=\"chat\"><body>hi &amp; bye</body>\
                   <active xmlns='http://jabber.org/protocol/chatstates'/></message>";
        assert_eq!(
            plain(&lines(xml)),
            [
                "<message xmlns='jabber:client' to='a@b' type=\"chat\">",
                "  <body>hi &amp; bye</body>",
                "  <active xmlns='http://jabber.org/protocol/chatstates'/>",
                "</message>",
            ]
        );
    }

    #[test]
    fn names_attributes_and_values_are_told_apart_and_quotes_may_hold_brackets() {
        let lines = lines("<iq id='a>b' type='get'/>");
        let roles: Vec<(Role, &str)> =
            lines[0].pieces.iter().map(|p| (p.role, p.text.as_str())).collect();
        assert_eq!(
            roles,
            [
                (Role::Punctuation, "<"),
                (Role::Name, "iq"),
                (Role::Attribute, " id"),
                (Role::Punctuation, "="),
                (Role::Value, "'a>b'"),
                (Role::Attribute, " type"),
                (Role::Punctuation, "="),
                (Role::Value, "'get'"),
                (Role::Punctuation, "/>"),
            ]
        );
    }

    #[test]
    fn cut_or_odd_input_never_panics_and_indentation_is_bounded() {
        for xml in ["<a b='unclosed", "</x>", "text only", "<a><b", "<>", "<a =x>"] {
            let _ = lines(xml);
        }
        let deep = "<a>".repeat(100);
        assert!(lines(&deep).iter().all(|l| l.depth <= MAX_INDENT));
    }
}
