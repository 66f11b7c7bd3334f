//! Small text helpers more than one layer needs: marked ranges made one, and text made safe
//! inside XML or HTML.

use std::ops::Range;

/// Sorted ranges with those that overlap or touch made one.
pub fn merge_ranges(sorted: Vec<Range<usize>>) -> Vec<Range<usize>> {
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(sorted.len());
    for range in sorted {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

/// Text that reads as itself inside XML or HTML, in element content and in quoted
/// attributes: the five XML entities, which HTML knows too.
pub fn escape_markup(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn touching_and_overlapping_ranges_become_one() {
        assert_eq!(merge_ranges(vec![0..2, 1..4, 4..5, 7..8]), [0..5, 7..8]);
        assert!(merge_ranges(Vec::new()).is_empty());
    }

    #[test]
    fn markup_reads_as_the_text() {
        assert_eq!(
            escape_markup("<a href='x'>\"&\"</a>"),
            "&lt;a href=&apos;x&apos;&gt;&quot;&amp;&quot;&lt;/a&gt;"
        );
    }
}
