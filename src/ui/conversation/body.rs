//! A message's words as the conversation shows them, prepared once when the message enters the
//! window (or changes) instead of on every redraw: cut to what layout can afford, links found
//! (`ui::linkify`), XEP-0393 styling found (`model::styling`, drawn by `styled.rs`), and
//! whether they are a few emoji alone, drawn large. A stranger's body can be as long as the
//! server lets through; a bubble shows its start and says how much is left.

mod styled;

use super::{Message, attachment, theme};
use crate::emoji;
use crate::model::styling::{self, Block};
use crate::model::{Message as ChatMessage, MessageKind, format_size};
use crate::ui::fonts::EMOJI_FONT;
use crate::ui::linkify;
use iced::Element;
use iced::widget::text::{Span, Wrapping};
use iced::widget::{column, rich_text, span, text};
use std::collections::HashMap;
use std::ops::Range;

/// The most of a body shown, in bytes: four pages of text. Layout takes time in proportion to
/// the text, again whenever the window's width changes, and the window holds hundreds of
/// messages: 1 MB froze it, 16 KiB of hostile text takes milliseconds.
pub const SHOWN_MAX_BYTES: usize = 16 * 1024;

/// The most lines of a body shown: a newline costs a byte to send and a line of screen.
pub const SHOWN_MAX_LINES: usize = 200;

/// The most styled pieces drawn for one body; a body with more is drawn plain. Each is a
/// span to lay out with its own font, and 16 KiB of `*a* ` would be twelve thousand of them.
pub const STYLED_MAX_RUNS: usize = 2_000;

/// How the words are prepared, from the user's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Preparation {
    /// ASCII smileys are shown as emoji, as they become emoji when typed, so both sides of a
    /// conversation look alike (links and code are left alone, see `emoji`).
    pub smileys: bool,
    /// `*bold*`, `_italic_`, `~struck~`, `` `code` ``, code blocks and quotes are drawn so.
    pub styling: bool,
}

impl Default for Preparation {
    fn default() -> Self {
        Self { smileys: true, styling: true }
    }
}

/// A message's words ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Body {
    /// The start of the words: all of them unless too long.
    shown: String,
    /// Where the links are in `shown`.
    links: Vec<Range<usize>>,
    /// How many bytes of the words are not shown.
    left_out: usize,
    /// A few emoji alone: the message's point, drawn large as in other messengers.
    big_emoji: bool,
    /// The words' styling, when they have some and the user wants it.
    styled: Option<Vec<Block>>,
}

impl Body {
    pub fn new(words: &str, preparation: Preparation) -> Self {
        let head = shown_part(words);
        let left_out = words.len() - head.len();
        let shown = if preparation.smileys {
            emoji::ascii_smileys(head, None).text
        } else {
            head.to_owned()
        };
        let big_emoji = left_out == 0 && emoji::is_only_emoji(&shown).is_some();
        let styled = (preparation.styling && !big_emoji)
            .then(|| styling::parse(&shown))
            .filter(|blocks| !styling::is_plain(blocks) && styled::runs(blocks) <= STYLED_MAX_RUNS);
        let mut links = linkify::find(&shown);
        if let Some(blocks) = &styled {
            styled::end_links_at_directives(&mut links, blocks);
        }
        Self { links, left_out, big_emoji, styled, shown }
    }

    /// The words shown, as a quiet line says them.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The words in a bubble, links underlined and clickable, and a note when some are not
    /// shown.
    pub fn view(&self) -> Element<'_, Message> {
        let words: Element<'_, Message> = if self.big_emoji {
            text(self.shown.trim()).font(EMOJI_FONT).size(theme::EMOJI_LARGE).into()
        } else if let Some(blocks) = &self.styled {
            let source = styled::Source { text: &self.shown, links: &self.links };
            styled::view(styled::parts(source, blocks), false)
        } else if self.links.is_empty() {
            text(self.shown.as_str()).size(theme::TEXT_BODY).into()
        } else {
            rich_text(self.spans())
                .on_link_click(Message::OpenLink)
                .size(theme::TEXT_BODY)
                // An address is one long word: break it anywhere rather than overflow.
                .wrapping(Wrapping::WordOrGlyph)
                .into()
        };
        if self.left_out == 0 {
            return words;
        }
        let more = format!("… {} more of this message is not shown.", self.left_out_size());
        column![words, text(more).size(theme::TEXT_SMALL).style(theme::muted)]
            .spacing(theme::SPACE_XS)
            .into()
    }

    fn left_out_size(&self) -> String {
        format_size(u64::try_from(self.left_out).unwrap_or(u64::MAX))
    }

    /// Words and links in order; each link opens the very text it shows.
    fn spans(&self) -> Vec<Span<'_, String>> {
        let mut spans = Vec::with_capacity(2 * self.links.len() + 1);
        let mut from = 0;
        for link in &self.links {
            spans.push(span(&self.shown[from..link.start]));
            let address = &self.shown[link.clone()];
            spans.push(span(address).link(address.to_owned()).underline(true));
            from = link.end;
        }
        spans.push(span(&self.shown[from..]));
        spans
    }
}

/// The prepared words of the messages in the window, by message id.
#[derive(Debug, Default)]
pub(super) struct Bodies {
    prepared: HashMap<i64, Body>,
    /// The user's settings, which the words are prepared with.
    preparation: Preparation,
}

impl Bodies {
    /// Prepares the messages not seen before and forgets those no longer in the window.
    pub fn keep(&mut self, messages: &[ChatMessage]) {
        let mut kept = HashMap::with_capacity(messages.len());
        for message in messages {
            let body = match self.prepared.remove(&message.id) {
                Some(body) => Some(body),
                None => self.prepared_words(message),
            };
            kept.extend(body.map(|body| (message.id, body)));
        }
        self.prepared = kept;
    }

    /// The message changed (corrected, its file arrived): its words are prepared again.
    pub fn renew(&mut self, message: &ChatMessage) {
        match self.prepared_words(message) {
            Some(body) => self.prepared.insert(message.id, body),
            None => self.prepared.remove(&message.id),
        };
    }

    /// The message's words prepared with the user's settings, never styled when their sender
    /// asked so (XEP-0393 §6).
    fn prepared_words(&self, message: &ChatMessage) -> Option<Body> {
        let styling = self.preparation.styling && !message.unstyled;
        words(message).map(|words| Body::new(words, Preparation { styling, ..self.preparation }))
    }

    /// The message left the window.
    pub fn forget(&mut self, id: i64) {
        self.prepared.remove(&id);
    }

    /// The smileys setting changed: the words in the window are prepared again with it.
    pub fn set_smileys(&mut self, on: bool, messages: &[ChatMessage]) {
        self.prepare(Preparation { smileys: on, ..self.preparation }, messages);
    }

    /// The styling setting changed: the words in the window are prepared again with it.
    pub fn set_styling(&mut self, on: bool, messages: &[ChatMessage]) {
        self.prepare(Preparation { styling: on, ..self.preparation }, messages);
    }

    fn prepare(&mut self, preparation: Preparation, messages: &[ChatMessage]) {
        if self.preparation != preparation {
            self.preparation = preparation;
            self.prepared.clear();
            self.keep(messages);
        }
    }

    pub fn get(&self, id: i64) -> Option<&Body> {
        self.prepared.get(&id)
    }
}

/// The words a message shows: with a file, only words besides its address.
fn words(message: &ChatMessage) -> Option<&str> {
    match (&message.kind, &message.attachment) {
        (MessageKind::Message, Some(file)) => attachment::caption(message, file),
        _ => Some(&message.body),
    }
}

/// The start of `words`: at most [`SHOWN_MAX_BYTES`], cut on a character, and at most
/// [`SHOWN_MAX_LINES`] lines.
fn shown_part(words: &str) -> &str {
    let mut end = words.len().min(SHOWN_MAX_BYTES);
    while !words.is_char_boundary(end) {
        end -= 1;
    }
    let head = &words[..end];
    let line_end = |c: char| {
        matches!(c, '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}')
            || matches!(c, '\u{2028}' | '\u{2029}')
    };
    let end = head
        .char_indices()
        .filter(|&(_, c)| line_end(c))
        .nth(SHOWN_MAX_LINES - 1)
        .map_or(end, |(at, _)| at);
    &words[..end]
}

#[cfg(test)]
mod tests {
    use super::super::tests::message;
    use super::*;
    use iced_test::{selector, simulator};

    /// Words as they came: no smileys turned into emoji, no styling.
    const PLAIN: Preparation = Preparation { smileys: false, styling: false };
    const SMILEYS: Preparation = Preparation { smileys: true, styling: false };

    /// Clicks the middle of a body that is one link, and returns what it asked for.
    fn click_body(words: &str) -> Vec<Message> {
        let body = Body::new(words, PLAIN);
        let element: Element<'_, Message> = iced::widget::container(body.view()).id("body").into();
        let mut ui = simulator(element);
        ui.click(selector::id("body")).expect("the body");
        ui.into_messages().collect()
    }

    #[test]
    fn received_smileys_look_like_typed_ones_when_the_setting_is_on() {
        let words = "thanks :) see https://a.example/:D";
        assert_eq!(Body::new(words, SMILEYS).shown(), "thanks 🙂 see https://a.example/:D");
        assert_eq!(Body::new(words, PLAIN).shown(), words, "the setting off leaves them");
        assert!(Body::new(":D", SMILEYS).big_emoji, "a lone smiley is drawn large, as an emoji");
    }

    #[test]
    fn a_link_in_a_message_can_be_clicked_and_names_its_target() {
        let clicked = click_body("https://example.org/a/long/enough/path");
        let [Message::OpenLink(link)] = clicked.as_slice() else { panic!("{clicked:?}") };
        assert_eq!(link, "https://example.org/a/long/enough/path");
        assert!(click_body("no link at all here").is_empty());
    }

    #[test]
    fn words_and_links_are_drawn_in_order_and_nothing_is_lost() {
        let body = Body::new("see https://a.example/x, and xmpp:r@muc.example.org?join.", PLAIN);
        let spans = body.spans();
        let joined: String = spans.iter().map(|span| span.text.as_ref()).collect();
        assert_eq!(joined, "see https://a.example/x, and xmpp:r@muc.example.org?join.");
        let links: Vec<_> = spans.iter().filter_map(|span| span.link.as_deref()).collect();
        assert_eq!(links, ["https://a.example/x", "xmpp:r@muc.example.org?join"]);
    }

    #[test]
    fn a_link_whose_scheme_follows_another_link_is_drawn_without_a_crash() {
        // A stranger's body: the second `xmpp:` reaches back into the first link.
        let words = "join xmpp:a@bxmpp:c@d.example.org?join now";
        let body = Body::new(words, PLAIN);
        let spans = body.spans();
        let joined: String = spans.iter().map(|span| span.text.as_ref()).collect();
        assert_eq!(joined, words);
        let links: Vec<_> = spans.iter().filter_map(|span| span.link.as_deref()).collect();
        assert_eq!(links, ["xmpp:a@bxmpp"]);
    }

    #[test]
    fn a_huge_body_shows_its_start_and_says_how_much_is_left() {
        let huge = format!("start {}", "https://x.example/ a-a-a-".repeat(40_000));
        let body = Body::new(&huge, PLAIN);
        assert_eq!(body.shown.len(), SHOWN_MAX_BYTES);
        assert!(huge.starts_with(&body.shown));
        assert_eq!(body.left_out, huge.len() - SHOWN_MAX_BYTES);
        assert!(body.links.iter().all(|link| link.end <= SHOWN_MAX_BYTES));
        let mut ui = simulator(body.view());
        let note = format!("… {} more of this message is not shown.", body.left_out_size());
        ui.find(note.as_str()).expect("the user is told");
        assert_eq!(body.left_out_size(), "961 KiB");

        let short = Body::new("all of it", PLAIN);
        assert_eq!((short.shown(), short.left_out), ("all of it", 0));
    }

    #[test]
    fn only_so_many_lines_are_shown_and_characters_are_not_cut() {
        let lines = "line\n".repeat(SHOWN_MAX_LINES * 3);
        let body = Body::new(&lines, PLAIN);
        assert_eq!(body.shown.lines().count(), SHOWN_MAX_LINES);
        assert!(!body.shown.ends_with('\n'));
        let separators = "x\u{2028}".repeat(SHOWN_MAX_LINES + 1);
        assert_eq!(Body::new(&separators, PLAIN).shown.split('\u{2028}').count(), SHOWN_MAX_LINES);

        let wide = "é".repeat(SHOWN_MAX_BYTES);
        let body = Body::new(&format!("a{wide}"), PLAIN);
        assert_eq!(body.shown.len(), SHOWN_MAX_BYTES - 1, "not half an é");
    }

    #[test]
    fn a_megabyte_message_shows_its_start_in_the_conversation() {
        let mut state = super::super::State::new(crate::model::ChatId("bob@x".into()));
        let huge = format!("https://x/{}", ")".repeat(1 << 20));
        state.push(ChatMessage { body: huge, ..message(1, 10) });
        let started = std::time::Instant::now();
        let mut ui = simulator(state.view());
        ui.find("… 1008 KiB more of this message is not shown.").expect("told");
        println!("laid out in {:?}", started.elapsed());
    }

    #[test]
    fn bodies_follow_the_window_and_changes() {
        let mut bodies = Bodies::default();
        let first = ChatMessage { body: "see https://a.example".into(), ..message(1, 10) };
        bodies.keep(&[first.clone(), message(2, 20)]);
        assert_eq!(bodies.get(1).map(|b| b.links.len()), Some(1));
        assert_eq!(bodies.get(2).map(Body::shown), Some("m2"));
        bodies.keep(&[message(2, 20)]);
        assert!(bodies.get(1).is_none(), "gone from the window");
        let corrected = ChatMessage { body: "now plain".into(), ..message(2, 20) };
        bodies.renew(&corrected);
        assert_eq!(bodies.get(2).map(Body::shown), Some("now plain"));
    }
}
