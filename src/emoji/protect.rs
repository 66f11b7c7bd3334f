//! The parts of a message that text conversions must leave exactly as typed: code (XEP-0393
//! preformatted spans and blocks, written with backticks as everywhere else) and links.

use std::ops::Range;

/// A fence line opens a preformatted block (XEP-0393 §5.1.2); a line that is only the fence
/// closes it.
const FENCE: &str = "```";

/// URI schemes written without `//` that still must not be touched (`xmpp:juliet@x?message`).
const BARE_SCHEMES: [&str; 6] = ["xmpp:", "mailto:", "tel:", "geo:", "magnet:", "urn:"];

/// Byte ranges of `text` that hold code or a link, in order and not overlapping.
///
/// Conservative on purpose: a backtick span still open at the end of its line protects the
/// rest of the line, and an unclosed fence protects the rest of the message, because while the
/// user types the closing backticks have not arrived yet.
pub(crate) fn protected(text: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut in_block: Option<usize> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        match in_block {
            Some(open) => {
                if content.trim_end() == FENCE {
                    ranges.push(open..offset);
                    in_block = None;
                }
            }
            None if content.starts_with(FENCE) => in_block = Some(start),
            None => code_spans(content, start, &mut ranges),
        }
    }
    if let Some(open) = in_block {
        ranges.push(open..text.len());
    }
    links(text, &mut ranges);
    ranges.sort_by_key(|r| r.start);
    crate::model::text::merge_ranges(ranges)
}

/// Whether `range` touches any protected range.
pub(crate) fn overlaps(protected: &[Range<usize>], range: &Range<usize>) -> bool {
    protected.iter().any(|p| p.start < range.end && range.start < p.end)
}

/// Backtick spans in one line: a run of N backticks closes at the next run of exactly N.
fn code_spans(line: &str, line_start: usize, ranges: &mut Vec<Range<usize>>) {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'`' {
            i += 1;
            continue;
        }
        let open = i;
        let width = run_length(bytes, i);
        let mut j = i + width;
        let mut close = None;
        while j < bytes.len() {
            if bytes[j] == b'`' {
                let run = run_length(bytes, j);
                if run == width {
                    close = Some(j + run);
                    break;
                }
                j += run;
            } else {
                j += 1;
            }
        }
        let end = close.unwrap_or(line.len());
        ranges.push(line_start + open..line_start + end);
        i = end;
    }
}

fn run_length(bytes: &[u8], from: usize) -> usize {
    bytes[from..].iter().take_while(|&&b| b == b'`').count()
}

/// Whitespace-separated words that are links.
fn links(text: &str, ranges: &mut Vec<Range<usize>>) {
    let mut start = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                if is_link(&text[s..i]) {
                    ranges.push(s..i);
                }
                start = None;
            }
            _ => {}
        }
    }
}

fn is_link(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    lower.contains("://")
        || lower.starts_with("www.")
        || BARE_SCHEMES.iter().any(|scheme| lower.starts_with(scheme) && lower.len() > scheme.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str) -> Vec<&str> {
        protected(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn inline_code_spans_close_on_the_same_width() {
        assert_eq!(pieces("a `b :) c` d"), ["`b :) c`"]);
        assert_eq!(pieces("a ``b ` c`` d"), ["``b ` c``"]);
    }

    #[test]
    fn an_open_span_protects_the_rest_of_its_line_only() {
        assert_eq!(pieces("a `b :)\nc :)"), ["`b :)"]);
    }

    #[test]
    fn fenced_blocks_run_to_the_closing_fence_or_the_end() {
        let text = "hi\n```\nx :)\n```\nbye";
        assert_eq!(pieces(text), ["```\nx :)\n```\n"]);
        assert_eq!(pieces("```rust\nlet a = 1;"), ["```rust\nlet a = 1;"]);
    }

    #[test]
    fn links_are_whole_words() {
        assert_eq!(pieces("see http://x.org/:D now"), ["http://x.org/:D"]);
        assert_eq!(
            pieces("www.example.org/:) and xmpp:room@muc.x?join"),
            ["www.example.org/:)", "xmpp:room@muc.x?join"]
        );
        assert!(pieces("the time is 12:30 :)").is_empty());
    }
}
