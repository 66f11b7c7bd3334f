//! A message's XEP-0393 styling drawn (`model::styling` finds it): bold, italic, struck-through
//! and monospace spans with their directives shown faintly, code blocks on a shade of the
//! bubble, quotes in the muted colour behind a bar that stands for their `>`s. A link keeps
//! working inside any of them; it ends before a styling character that closes a span around
//! it, as the sender meant.

use super::super::{Message, theme};
use crate::model::styling::{Block, Run, Styles};
use iced::font::{Family, Style as FontStyle, Weight};
use iced::widget::text::{Span, Wrapping};
use iced::widget::{Column, container, rich_text, space, span, stack};
use iced::{Element, Fill, Font, Padding};
use std::ops::Range;

/// The words the blocks' ranges point into, and where their links are (in order, apart).
#[derive(Debug, Clone, Copy)]
pub(super) struct Source<'a> {
    pub text: &'a str,
    pub links: &'a [Range<usize>],
}

/// A styled body before it becomes widgets: its texts' spans, which tests can read.
#[derive(Debug)]
pub(super) enum Part<'a> {
    /// Lines of words in a row, one text, so they wrap as one.
    Words(Vec<Span<'a, String>>),
    /// A code block, its fences included.
    Code(Vec<Span<'a, String>>),
    /// A quote and what is inside it.
    Quote(Vec<Part<'a>>),
}

/// The parts of `blocks`, in order.
pub(super) fn parts<'a>(source: Source<'a>, blocks: &'a [Block]) -> Vec<Part<'a>> {
    let mut parts = Vec::new();
    let mut lines: Vec<Span<'a, String>> = Vec::new();
    let mut first_line = true;
    for block in blocks {
        match block {
            Block::Line { runs, .. } => {
                if !first_line {
                    lines.push(span("\n"));
                }
                first_line = false;
                for run in runs {
                    pieces(source, run.range.clone(), |piece| lines.push(styled(piece, run)));
                }
            }
            Block::Pre { open, lines: code, close } => {
                words(&mut parts, std::mem::take(&mut lines));
                first_line = true;
                parts.push(Part::Code(code_block(source, open, code, close.as_ref())));
            }
            Block::Quote(inner) => {
                words(&mut parts, std::mem::take(&mut lines));
                first_line = true;
                parts.push(Part::Quote(self::parts(source, inner)));
            }
        }
    }
    words(&mut parts, lines);
    parts
}

/// `parts` one under the other; `quoted`: inside a quote, drawn in the muted colour.
pub(super) fn view<'a>(parts: Vec<Part<'a>>, quoted: bool) -> Element<'a, Message> {
    let muted = |words: Rich<'a>| if quoted { words.style(theme::muted) } else { words };
    let parts = parts.into_iter().map(|part| match part {
        Part::Words(spans) => muted(text(spans)).into(),
        Part::Code(spans) => container(muted(text(spans).font(Font::MONOSPACE)))
            .padding(theme::SPACE_XS)
            .style(theme::code_block)
            .into(),
        Part::Quote(inner) => {
            // As tall as the quote: the first layer of a stack sizes it, the bar fills it.
            let bar = container(space())
                .width(theme::QUOTE_BAR_WIDTH)
                .height(Fill)
                .style(theme::quote_bar);
            let indent = Padding::ZERO.left(theme::QUOTE_BAR_WIDTH + theme::SPACE_S);
            stack![container(view(inner, true)).padding(indent), bar].into()
        }
    });
    Column::with_children(parts).spacing(theme::SPACE_XS).into()
}

/// Adds lines of words unless they are blank: blank lines between blocks are the column's
/// spacing.
fn words<'a>(parts: &mut Vec<Part<'a>>, mut spans: Vec<Span<'a, String>>) {
    let blank = |span: &Span<'_, String>| span.text.is_empty() || span.text == "\n";
    let Some(first) = spans.iter().position(|span| !blank(span)) else { return };
    let last = spans.iter().rposition(|span| !blank(span)).unwrap_or(first);
    spans.truncate(last + 1);
    spans.drain(..first);
    parts.push(Part::Words(spans));
}

/// The rich text of a message's words.
type Rich<'a> = iced::widget::text::Rich<'a, String, Message>;

/// A rich text as a message's words are drawn: links open, long addresses break anywhere.
fn text(spans: Vec<Span<'_, String>>) -> Rich<'_> {
    rich_text(spans)
        .on_link_click(Message::OpenLink)
        .size(theme::TEXT_BODY)
        // An address is one long word: break it anywhere rather than overflow.
        .wrapping(Wrapping::WordOrGlyph)
}

/// A code block's spans: its fences faint, nothing inside styled.
fn code_block<'a>(
    source: Source<'a>,
    open: &Range<usize>,
    lines: &[Range<usize>],
    close: Option<&Range<usize>>,
) -> Vec<Span<'a, String>> {
    let fence =
        |range: &Range<usize>| span(&source.text[range.clone()]).color(theme::STYLING_MARKER);
    let mut spans = vec![fence(open)];
    for line in lines {
        spans.push(span("\n"));
        pieces(source, line.clone(), |piece| spans.push(piece));
    }
    if let Some(close) = close {
        spans.push(span("\n"));
        spans.push(fence(close));
    }
    spans
}

/// A run drawn in its styles; a directive faintly.
fn styled<'a>(piece: Span<'a, String>, run: &Run) -> Span<'a, String> {
    let Styles { strong, emphasis, strike, pre } = run.styles;
    let font = Font {
        family: if pre { Family::Monospace } else { Font::DEFAULT.family },
        weight: if strong { Weight::Bold } else { Weight::Normal },
        style: if emphasis { FontStyle::Italic } else { FontStyle::Normal },
        ..Font::DEFAULT
    };
    piece
        .font_maybe((strong || emphasis || pre).then_some(font))
        .strikethrough(strike)
        .background_maybe(pre.then_some(theme::CODE_BACKGROUND))
        .color_maybe(run.marker.then_some(theme::STYLING_MARKER))
}

/// `range` of the words as spans, cut where links begin and end; each piece of a link opens
/// the whole link. Links are in order, so the first is found by halving.
fn pieces<'a>(source: Source<'a>, range: Range<usize>, mut push: impl FnMut(Span<'a, String>)) {
    let first = source.links.partition_point(|link| link.end <= range.start);
    let mut at = range.start;
    for link in source.links[first..].iter().take_while(|link| link.start < range.end) {
        if link.start > at {
            push(span(&source.text[at..link.start]));
            at = link.start;
        }
        let end = link.end.min(range.end);
        let address = source.text[link.clone()].to_owned();
        push(span(&source.text[at..end]).link(address).underline(true));
        at = end;
    }
    if at < range.end {
        push(span(&source.text[at..range.end]));
    }
}

/// How many runs `blocks` have: what drawing them costs.
pub(super) fn runs(blocks: &[Block]) -> usize {
    blocks
        .iter()
        .map(|block| match block {
            Block::Line { runs, .. } => runs.len(),
            Block::Pre { lines, .. } => lines.len() + 2,
            Block::Quote(inner) => runs(inner),
        })
        .sum()
}

/// Ends each link before a styling directive inside it: `*see https://a.example*` styles the
/// address, and its closing `*` is not part of it.
pub(super) fn end_links_at_directives(links: &mut [Range<usize>], blocks: &[Block]) {
    let mut directives = Vec::new();
    collect_directives(blocks, &mut directives);
    for link in links {
        let first = directives.partition_point(|&at| at <= link.start);
        if let Some(&at) = directives.get(first).filter(|&&at| at < link.end) {
            link.end = at;
        }
    }
}

/// Where the directives of `blocks` are, in order.
fn collect_directives(blocks: &[Block], directives: &mut Vec<usize>) {
    for block in blocks {
        match block {
            Block::Line { runs, .. } => {
                directives.extend(runs.iter().filter(|run| run.marker).map(|run| run.range.start));
            }
            Block::Pre { .. } => {}
            Block::Quote(inner) => collect_directives(inner, directives),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Bodies, Body, Preparation, STYLED_MAX_RUNS};
    use super::*;
    use crate::model::Message as ChatMessage;
    use iced_test::{selector, simulator};

    const STYLED: Preparation = Preparation { smileys: false, styling: true };

    fn parts_of(body: &Body) -> Vec<Part<'_>> {
        let blocks = body.styled.as_deref().expect("styled");
        parts(Source { text: &body.shown, links: &body.links }, blocks)
    }

    /// The parts as the text they draw: `[quote: …]`, `[code: …]`, apart with ` | `.
    fn outline(parts: &[Part<'_>]) -> String {
        let joined = |spans: &[Span<'_, String>]| -> String {
            spans.iter().map(|span| span.text.as_ref()).collect()
        };
        let drawn: Vec<String> = parts
            .iter()
            .map(|part| match part {
                Part::Words(spans) => joined(spans),
                Part::Code(spans) => format!("[code: {}]", joined(spans)),
                Part::Quote(inner) => format!("[quote: {}]", outline(inner)),
            })
            .collect();
        drawn.join(" | ")
    }

    /// The span that draws `text`.
    fn span_of<'a, 'b>(spans: &'b [Span<'a, String>], text: &str) -> &'b Span<'a, String> {
        spans.iter().find(|span| span.text == text).unwrap_or_else(|| panic!("{text}"))
    }

    #[test]
    fn styled_words_keep_their_directives_faint() {
        let body = Body::new("*bold* _it_ ~gone~ `x`", STYLED);
        let parts = parts_of(&body);
        let [Part::Words(spans)] = parts.as_slice() else { panic!("{parts:?}") };
        assert_eq!(outline(&parts), "*bold* _it_ ~gone~ `x`", "nothing is lost");
        assert_eq!(span_of(spans, "bold").font.map(|font| font.weight), Some(Weight::Bold));
        assert_eq!(span_of(spans, "it").font.map(|font| font.style), Some(FontStyle::Italic));
        assert!(span_of(spans, "gone").strikethrough);
        let code = span_of(spans, "x");
        assert_eq!(code.font.map(|font| font.family), Some(Family::Monospace));
        assert!(code.highlight.is_some(), "on a shade");
        let markers = spans.iter().filter(|span| span.color == Some(theme::STYLING_MARKER));
        assert_eq!(markers.count(), 8, "two for each span");
        assert_eq!(span_of(spans, " ").color, None, "plain words keep the bubble's colour");
    }

    #[test]
    fn quotes_and_code_blocks_are_set_apart() {
        let body =
            Body::new("> quoted *words*\n>> and older\n\nreply\n```\ncode *here*\n```", STYLED);
        assert_eq!(
            outline(&parts_of(&body)),
            "[quote: quoted *words* | [quote: and older]] | reply | [code: ```\ncode *here*\n```]"
        );
        let unclosed = Body::new("```rust\nfn main() {}", STYLED);
        assert_eq!(outline(&parts_of(&unclosed)), "[code: ```rust\nfn main() {}]");
        // Drawn, quote bars and all, without a fault.
        let mut ui = simulator(body.view());
        ui.snapshot(&iced::Theme::Light).expect("drawn");
    }

    /// Clicks the middle of a body, and returns what it asked for.
    fn click(body: &Body) -> Vec<Message> {
        let element: Element<'_, Message> = container(body.view()).id("body").into();
        let mut ui = simulator(element);
        ui.click(selector::id("body")).expect("the body");
        ui.into_messages().collect()
    }

    #[test]
    fn a_link_inside_styled_words_still_opens_without_the_directive() {
        let address = "https://example.org/a/long/enough/path";
        for words in [format!("*{address}*"), format!("_{address}_"), format!("> {address}")] {
            let body = Body::new(&words, STYLED);
            assert!(body.styled.is_some(), "{words}");
            let clicked = click(&body);
            let [Message::OpenLink(link)] = clicked.as_slice() else {
                panic!("{words}: {clicked:?}")
            };
            assert_eq!(link, address, "{words}");
        }
        let body = Body::new(&format!("see `{address}` here"), STYLED);
        let parts = parts_of(&body);
        let [Part::Words(spans)] = parts.as_slice() else { panic!("{parts:?}") };
        assert_eq!(span_of(spans, address).link.as_deref(), Some(address), "inside code too");
    }

    #[test]
    fn plain_words_big_emoji_and_the_setting_off_are_drawn_as_before() {
        assert!(Body::new("*bold*", STYLED).styled.is_some());
        let off = Preparation { smileys: false, styling: false };
        assert!(Body::new("*bold*", off).styled.is_none(), "turned off: shown as it came");
        assert!(Body::new("nothing to style, 2*3*4", STYLED).styled.is_none(), "one plain text");
        let big = Body::new("👍", STYLED);
        assert!(big.big_emoji && big.styled.is_none());
    }

    #[test]
    fn too_many_styled_pieces_are_drawn_plain() {
        // Four runs each: `*`, `a`, `*` and the space.
        let most = "*a* ".repeat(STYLED_MAX_RUNS / 4);
        let body = Body::new(&most, STYLED);
        assert!(body.styled.is_some(), "up to the limit");
        let started = std::time::Instant::now();
        let mut ui = simulator(body.view());
        println!("{STYLED_MAX_RUNS} styled pieces laid out in {:?}", started.elapsed());
        ui.snapshot(&iced::Theme::Light).expect("drawn");
        let more = "*a* ".repeat(STYLED_MAX_RUNS);
        assert!(Body::new(&more, STYLED).styled.is_none(), "beyond it");
    }

    #[test]
    fn bodies_are_prepared_again_when_the_setting_changes() {
        let message =
            ChatMessage { body: "*news*".into(), ..super::super::super::tests::message(1, 10) };
        let mut bodies = Bodies::default();
        bodies.keep(std::slice::from_ref(&message));
        assert!(bodies.get(1).is_some_and(|body| body.styled.is_some()), "on by default");
        bodies.set_styling(false, std::slice::from_ref(&message));
        assert!(bodies.get(1).is_some_and(|body| body.styled.is_none()));
        bodies.set_styling(true, std::slice::from_ref(&message));
        assert!(bodies.get(1).is_some_and(|body| body.styled.is_some()));
    }

    #[test]
    fn words_their_sender_asked_to_keep_plain_are_never_styled() {
        let base = super::super::super::tests::message(1, 10);
        let hinted = ChatMessage { body: "*as typed*".into(), unstyled: true, ..base.clone() };
        let mut bodies = Bodies::default();
        bodies.keep(std::slice::from_ref(&hinted));
        assert!(bodies.get(1).is_some_and(|body| body.styled.is_none()), "shown as written");
        let corrected = ChatMessage { body: "*now styled*".into(), unstyled: false, ..base };
        bodies.renew(&corrected);
        assert!(bodies.get(1).is_some_and(|body| body.styled.is_some()), "the new words may be");
    }
}
