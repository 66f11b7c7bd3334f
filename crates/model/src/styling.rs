//! XEP-0393 Message Styling: `*strong*`, `_emphasis_`, `~strike through~`, `` `code` ``,
//! ```` ``` ```` code blocks and `>` quotes, as other clients write them in plain bodies.
//!
//! [`parse`] cuts a body into blocks and each line into runs of one style, as byte ranges into
//! the body, so a view can draw them and still find links by their ranges in the same text.
//! The styling directives stay in the runs, marked as such: the XEP recommends showing them
//! (the sender typed them, and a reader may have meant `2*3*4` literally), and a view can dim
//! them. Quote prefixes are left out of the lines: the view marks a quote its own way.
//!
//! The body is a stranger's: the parse is one pass over the lines and one over the styling
//! characters of each line (a span's end is looked up, never searched for again), quotes nest
//! at most [`MAX_QUOTE_DEPTH`] deep, and every range starts and ends on a character.

use std::ops::Range;

/// The deepest quote inside quotes; a `>` deeper than this is text. Eight levels are more
/// than any conversation quotes back, and each level is a frame the view draws.
pub const MAX_QUOTE_DEPTH: usize = 8;

/// The span styles that apply to a run; spans nest, so several can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Styles {
    /// `*strong*`: bold.
    pub strong: bool,
    /// `_emphasis_`: italic.
    pub emphasis: bool,
    /// `~strike~`: a line through it.
    pub strike: bool,
    /// `` `pre` ``: monospace, and nothing inside it is styled.
    pub pre: bool,
}

impl Styles {
    /// Whether no span applies.
    pub fn is_plain(self) -> bool {
        self == Self::default()
    }

    /// These styles and the one `directive` opens.
    fn with(mut self, directive: u8) -> Self {
        match directive {
            b'*' => self.strong = true,
            b'_' => self.emphasis = true,
            b'~' => self.strike = true,
            _ => self.pre = true,
        }
        self
    }
}

/// A piece of a line in one set of styles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// Where it is in the body.
    pub range: Range<usize>,
    pub styles: Styles,
    /// A styling directive (the `*` around `*strong*`), styled like the span it opens or
    /// closes.
    pub marker: bool,
}

/// A block of a body (XEP-0393 §6.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A line outside code blocks (without its line break), cut into runs that cover it.
    Line { range: Range<usize>, runs: Vec<Run> },
    /// A code block: the line with the opening ```` ``` ```` (and whatever follows it on that
    /// line), the lines inside, and the closing line unless the message or quote ended first.
    Pre { open: Range<usize>, lines: Vec<Range<usize>>, close: Option<Range<usize>> },
    /// A quote: the blocks inside, parsed from its lines without their `>` and the first
    /// whitespace after it.
    Quote(Vec<Block>),
}

/// The blocks of `body`, in order; its line breaks are between them.
pub fn parse(body: &str) -> Vec<Block> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (at, _) in body.match_indices('\n') {
        lines.push(line(body, start..at));
        start = at + 1;
    }
    lines.push(line(body, start..body.len()));
    blocks(body, &lines, 0)
}

/// Whether `blocks` are plain lines with no style at all, so they can be drawn as they are.
pub fn is_plain(blocks: &[Block]) -> bool {
    blocks.iter().all(|block| match block {
        Block::Line { runs, .. } => runs.iter().all(|run| run.styles.is_plain()),
        Block::Pre { .. } | Block::Quote(_) => false,
    })
}

/// A line without the carriage return of a CRLF line break.
fn line(body: &str, range: Range<usize>) -> Range<usize> {
    if body[range.clone()].ends_with('\r') { range.start..range.end - 1 } else { range }
}

/// The blocks of `lines` (ranges of `body`) inside `depth` quotes (§6.1).
fn blocks(body: &str, lines: &[Range<usize>], depth: usize) -> Vec<Block> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(first) = lines.get(at) {
        let text = &body[first.clone()];
        if depth < MAX_QUOTE_DEPTH && text.starts_with('>') {
            // §6.1.3: a quote lasts while lines start with `>`.
            let quoted: Vec<_> = lines[at..]
                .iter()
                .take_while(|line| body[(*line).clone()].starts_with('>'))
                .map(|line| unquoted(body, line.clone()))
                .collect();
            at += quoted.len();
            found.push(Block::Quote(blocks(body, &quoted, depth + 1)));
        } else if text.starts_with("```") {
            // §6.1.2: until a line of only ``` or the end of the parent block.
            let inside = &lines[at + 1..];
            let end = inside.iter().position(|line| &body[line.clone()] == "```");
            let close = end.and_then(|end| inside.get(end).cloned());
            let lines = inside[..end.unwrap_or(inside.len())].to_vec();
            at += 1 + lines.len() + usize::from(close.is_some());
            found.push(Block::Pre { open: first.clone(), lines, close });
        } else {
            found.push(Block::Line { range: first.clone(), runs: runs(body, first.clone()) });
            at += 1;
        }
    }
    found
}

/// A quoted line without its `>` and the first whitespace character after it.
fn unquoted(body: &str, line: Range<usize>) -> Range<usize> {
    let start = line.start + 1;
    let trimmed = body[start..line.end].chars().next().filter(|c| c.is_whitespace());
    start + trimmed.map_or(0, char::len_utf8)..line.end
}

/// A styling character in a line, and what the characters around it allow (§6.2).
struct Directive {
    at: usize,
    byte: u8,
    /// At the start of the line or after whitespace.
    after_space: bool,
    /// Followed by a character that is neither whitespace nor the same directive (`**` and
    /// `****` are text).
    before_text: bool,
    /// The next directive of the same kind that can close a span: one after a character that
    /// is not whitespace.
    closer: Option<usize>,
}

/// The runs of a line outside code blocks: plain text, and spans with their directives.
fn runs(body: &str, line: Range<usize>) -> Vec<Run> {
    let text = &body[line.clone()];
    let mut directives: Vec<Directive> = text
        .char_indices()
        .filter(|&(_, c)| matches!(c, '*' | '_' | '~' | '`'))
        .map(|(at, c)| {
            let before = text[..at].chars().next_back();
            let after = text[at + 1..].chars().next();
            Directive {
                at: line.start + at,
                byte: c as u8,
                after_space: before.is_none_or(char::is_whitespace),
                before_text: after.is_some_and(|next| !next.is_whitespace() && next != c),
                closer: None,
            }
        })
        .collect();
    // From the end, so each directive learns the next closer of its kind in one pass.
    let mut next: [Option<usize>; 4] = [None; 4];
    for index in (0..directives.len()).rev() {
        let directive = &mut directives[index];
        let kind = kind(directive.byte);
        directive.closer = next[kind];
        if directive.at > line.start && !body[..directive.at].ends_with(char::is_whitespace) {
            next[kind] = Some(index);
        }
    }
    let mut runs = Vec::new();
    Spans(&directives).walk(0..directives.len(), line, None, Styles::default(), &mut runs);
    runs
}

/// The index of a directive's kind, for the closers looked up by kind.
fn kind(byte: u8) -> usize {
    match byte {
        b'*' => 0,
        b'_' => 1,
        b'~' => 2,
        _ => 3,
    }
}

/// The directives of one line, walked into runs.
struct Spans<'a>(&'a [Directive]);

impl Spans<'_> {
    /// Cuts `text` (of the line, or inside a span opened by `parent`) into runs, given the
    /// directives in it. A span opens where a directive may open one and its closer is in
    /// `text` (§6.2: matched lazily, so the first closer ends it); what is inside is walked
    /// again, unless it is `pre`. A span inside another ends before it, so each directive is
    /// looked at once, and spans nest at most four deep (a kind inside itself never closes).
    fn walk(
        &self,
        directives: Range<usize>,
        text: Range<usize>,
        parent: Option<u8>,
        styles: Styles,
        runs: &mut Vec<Run>,
    ) {
        let mut cursor = text.start;
        let mut index = directives.start;
        while index < directives.end {
            let Some(directive) = self.0.get(index) else { break };
            // §6.2: at the start of the line, after whitespace, or after a different opening
            // directive.
            let placed = directive.after_space
                || (directive.at == text.start
                    && parent.is_some_and(|parent| parent != directive.byte));
            let closer = directive.closer.filter(|&closer| closer < directives.end);
            let (Some(closer), true) = (closer, placed && directive.before_text) else {
                index += 1;
                continue;
            };
            let Some(end) = self.0.get(closer).map(|closer| closer.at) else { break };
            push(runs, cursor..directive.at, styles, false);
            let inner = styles.with(directive.byte);
            push(runs, directive.at..directive.at + 1, inner, true);
            if directive.byte == b'`' {
                push(runs, directive.at + 1..end, inner, false);
            } else {
                let inside = directive.at + 1..end;
                self.walk(index + 1..closer, inside, Some(directive.byte), inner, runs);
            }
            push(runs, end..end + 1, inner, true);
            cursor = end + 1;
            index = closer + 1;
        }
        push(runs, cursor..text.end, styles, false);
    }
}

/// Adds a run unless it is empty.
fn push(runs: &mut Vec<Run>, range: Range<usize>, styles: Styles, marker: bool) {
    if !range.is_empty() {
        runs.push(Run { range, styles, marker });
    }
}

#[cfg(test)]
mod tests;
