//! The XML console, in place of the conversation: every stanza in and out of the account while
//! it is open (the worker tells them only then, so a closed console costs nothing), newest
//! last, filtered by direction, kind and text, paused and resumed, copied; and a box to send
//! one stanza of your own through the worker, which checks it is one well-formed stanza and
//! sends it in order with everything else. Passwords and upload credentials arrive hidden.
//!
//! Memory stays flat however long it runs: at most [`MAX_ENTRIES`] stanzas are kept, each cut
//! to [`MAX_SHOWN`] bytes, and only the last [`MAX_DRAWN`] that match the filters are drawn.

mod pretty;

use super::theme;
use chrono::Local;
use iced::advanced::text::Span;
use iced::keyboard::{Key, key::Named};
use iced::widget::{
    Column, button, checkbox, column, container, rich_text, row, scrollable, span, text,
    text_editor, text_input,
};
use iced::{Center, Element, Fill, Font};
use pretty::{Line, Role};
use std::collections::VecDeque;

/// Stanzas kept, oldest dropped first.
pub const MAX_ENTRIES: usize = 2000;
/// Bytes of stanzas kept in all (each is also kept split for drawing, about as much again).
pub const MAX_BYTES: usize = 2 * 1024 * 1024;
/// Bytes of one stanza kept for showing; the rest is counted, not kept.
pub const MAX_SHOWN: usize = 16 * 1024;
/// Matching stanzas drawn at once (the newest), so a long session never slows the window.
pub const MAX_DRAWN: usize = 200;
const EDITOR_ID: &str = "console-editor";

/// The kinds of top-level elements the console tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Message,
    Presence,
    Iq,
    Other,
}

impl Kind {
    const ALL: [Kind; 4] = [Kind::Message, Kind::Presence, Kind::Iq, Kind::Other];

    fn of(xml: &str) -> Kind {
        let name = xml.trim_start().trim_start_matches('<');
        let name = &name[..name
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(name.len())];
        match name {
            "message" => Kind::Message,
            "presence" => Kind::Presence,
            "iq" => Kind::Iq,
            _ => Kind::Other,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Message => "message",
            Kind::Presence => "presence",
            Kind::Iq => "iq",
            Kind::Other => "other",
        }
    }

    /// A stanza of this kind to start from.
    fn template(self) -> &'static str {
        match self {
            Kind::Message => "<message to='' type='chat'>\n  <body></body>\n</message>",
            Kind::Presence => "<presence>\n  <show>away</show>\n</presence>",
            Kind::Iq | Kind::Other => {
                "<iq type='get' to='' id='console-1'>\n  <query xmlns='http://jabber.org/protocol/disco#info'/>\n</iq>"
            }
        }
    }
}

/// One stanza as shown.
#[derive(Debug)]
struct Entry {
    outgoing: bool,
    at: String,
    kind: Kind,
    /// The stanza as it came, cut to `MAX_SHOWN` (copied as is).
    xml: String,
    /// Bytes not kept.
    cut: usize,
    lines: Vec<Line>,
}

#[derive(Debug)]
pub struct State {
    account: String,
    entries: VecDeque<Entry>,
    /// Stanzas that came while paused, shown on resume.
    held: VecDeque<Entry>,
    /// Bytes of XML in `entries` and `held`.
    bytes: usize,
    paused: bool,
    incoming: bool,
    outgoing: bool,
    kinds: [bool; 4],
    filter: String,
    draft: text_editor::Content,
    /// The worker's answer to the last stanza sent from here.
    outcome: Option<Result<String, String>>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Incoming(bool),
    Outgoing(bool),
    Kind(Kind, bool),
    Filter(String),
    Pause(bool),
    Clear,
    Edit(text_editor::Action),
    Template(Kind),
    Send,
    Copy(usize),
    Close,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Send this XML through the worker.
    Send(String),
    Copy(String),
    Close,
}

impl State {
    /// Show only the stanzas that mention `text` (an address the browser chose).
    pub fn filter_to(&mut self, text: &str) {
        self.filter = text.to_owned();
    }

    pub fn new(account: &str) -> Self {
        State {
            account: account.to_owned(),
            entries: VecDeque::new(),
            held: VecDeque::new(),
            bytes: 0,
            paused: false,
            incoming: true,
            outgoing: true,
            kinds: [true; 4],
            filter: String::new(),
            draft: text_editor::Content::new(),
            outcome: None,
        }
    }

    /// Put the cursor in the box for a stanza of our own.
    pub fn focus<T>() -> iced::Task<T> {
        iced::widget::operation::focus(EDITOR_ID)
    }

    /// A stanza the worker told: kept, prepared for drawing once, the oldest let go past the
    /// bound.
    pub fn stanza(&mut self, outgoing: bool, xml: &str) {
        let mut end = xml.len().min(MAX_SHOWN);
        while !xml.is_char_boundary(end) {
            end -= 1;
        }
        let kept = &xml[..end];
        let entry = Entry {
            outgoing,
            at: Local::now().format("%H:%M:%S").to_string(),
            kind: Kind::of(kept),
            xml: kept.to_owned(),
            cut: xml.len() - end,
            lines: pretty::lines(kept),
        };
        self.bytes += entry.xml.len();
        let queue = if self.paused { &mut self.held } else { &mut self.entries };
        queue.push_back(entry);
        while self.entries.len() + self.held.len() > MAX_ENTRIES || self.bytes > MAX_BYTES {
            let Some(oldest) = self.entries.pop_front().or_else(|| self.held.pop_front()) else {
                break;
            };
            self.bytes -= oldest.xml.len();
        }
    }

    /// How many stanzas are kept (shown or held).
    pub fn kept(&self) -> usize {
        self.entries.len() + self.held.len()
    }

    /// The worker's answer to a stanza sent from here; `false` when none was waiting for it.
    pub fn outcome(&mut self, outcome: &Result<String, String>) -> bool {
        if !matches!(self.outcome, Some(Ok(ref waiting)) if waiting == SENDING) {
            return false;
        }
        self.outcome = Some(outcome.clone());
        true
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Incoming(on) => self.incoming = on,
            Message::Outgoing(on) => self.outgoing = on,
            Message::Kind(kind, on) => self.kinds[kind as usize] = on,
            Message::Filter(filter) => self.filter = filter,
            Message::Pause(paused) => {
                self.paused = paused;
                if !paused {
                    self.entries.append(&mut self.held);
                }
            }
            Message::Clear => {
                self.entries.clear();
                self.held.clear();
                self.bytes = 0;
            }
            Message::Edit(action) => self.draft.perform(action),
            Message::Template(kind) => {
                self.draft = text_editor::Content::with_text(kind.template());
            }
            Message::Send => {
                let xml = self.draft.text().trim().to_owned();
                if xml.is_empty() {
                    return None;
                }
                self.outcome = Some(Ok(SENDING.into()));
                return Some(Event::Send(xml));
            }
            Message::Copy(index) => {
                return self.entries.get(index).map(|entry| Event::Copy(entry.xml.clone()));
            }
            Message::Close => return Some(Event::Close),
        }
        None
    }

    /// Whether `entry` passes the filters: direction, kind, and the text anywhere in it.
    fn shows(&self, entry: &Entry) -> bool {
        let direction = if entry.outgoing { self.outgoing } else { self.incoming };
        let needle = self.filter.trim();
        direction
            && self.kinds[entry.kind as usize]
            && (needle.is_empty() || contains_ignoring_case(&entry.xml, needle))
    }

    /// How many stanzas the filters let through, and the newest of them to draw.
    fn shown(&self) -> (usize, Vec<(usize, &Entry)>) {
        let matching: Vec<(usize, &Entry)> =
            self.entries.iter().enumerate().filter(|(_, e)| self.shows(e)).collect();
        let total = matching.len();
        let drawn = matching.into_iter().skip(total.saturating_sub(MAX_DRAWN)).collect();
        (total, drawn)
    }

    /// `dark`: the window's theme is dark, and the stanzas' colours follow it.
    pub fn view(&self, dark: bool) -> Element<'_, Message> {
        let title = row![
            text(format!("XML console — {}", self.account)).size(theme::TEXT_TITLE).width(Fill),
            button(text(if self.paused { "Resume" } else { "Pause" }))
                .style(button::secondary)
                .on_press(Message::Pause(!self.paused)),
            button("Clear").style(button::secondary).on_press(Message::Clear),
            button("Close").style(button::secondary).on_press(Message::Close),
        ]
        .spacing(theme::SPACE_S)
        .align_y(Center);
        let mut filters = row![
            checkbox(self.incoming).label("In").on_toggle(Message::Incoming),
            checkbox(self.outgoing).label("Out").on_toggle(Message::Outgoing),
        ]
        .spacing(theme::SPACE_M)
        .align_y(Center);
        for kind in Kind::ALL {
            filters = filters.push(
                checkbox(self.kinds[kind as usize])
                    .label(kind.label())
                    .on_toggle(move |on| Message::Kind(kind, on)),
            );
        }
        let filters = filters.push(
            text_input("Filter by text or address", &self.filter)
                .on_input(Message::Filter)
                .padding(theme::SPACE_XS)
                .width(Fill),
        );
        let (total, drawn) = self.shown();
        let mut list = Column::new().spacing(theme::SPACE_S).padding(theme::SPACE_S);
        if total > drawn.len() {
            let older = total - drawn.len();
            list = list.push(
                text(format!("{older} older matching stanzas are not drawn; filter to find them."))
                    .size(theme::TEXT_SMALL)
                    .style(theme::muted),
            );
        }
        if drawn.is_empty() {
            list = list.push(text(self.empty_note()).style(theme::muted));
        }
        for (index, entry) in drawn {
            list = list.push(entry_view(index, entry, dark));
        }
        if self.paused && !self.held.is_empty() {
            list = list.push(
                text(format!("Paused: {} new stanzas wait.", self.held.len()))
                    .size(theme::TEXT_SMALL)
                    .style(theme::muted),
            );
        }
        let stanzas = scrollable(list).anchor_bottom().height(Fill).width(Fill);
        column![
            title,
            filters,
            container(stanzas).style(theme::side_panel).height(Fill),
            self.composer()
        ]
        .spacing(theme::SPACE_S)
        .padding(theme::SPACE_M)
        .into()
    }

    /// The heads of the drawn stanzas ("← received 12:00:01 · message"), for tests.
    #[cfg(test)]
    fn view_text(&self) -> Vec<String> {
        let (_, drawn) = self.shown();
        drawn.into_iter().map(|(_, entry)| entry.head()).collect()
    }

    /// The drawn lines of stanzas as plain text, for tests (rich text is not searchable in
    /// the simulator).
    #[cfg(test)]
    fn drawn_lines(&self) -> Vec<String> {
        let (_, drawn) = self.shown();
        let lines = drawn.into_iter().flat_map(|(_, entry)| entry.lines.iter());
        lines.map(|line| line.pieces.iter().map(|p| p.text.as_str()).collect()).collect()
    }

    fn empty_note(&self) -> &'static str {
        if self.entries.is_empty() {
            "Stanzas in and out of this account show here while the console is open."
        } else {
            "No stanza matches the filters."
        }
    }

    /// The box for a stanza of our own, with templates to start from.
    fn composer(&self) -> Element<'_, Message> {
        let mut templates = row![text("Start from:").size(theme::TEXT_SMALL)]
            .spacing(theme::SPACE_XS)
            .align_y(Center);
        for kind in [Kind::Message, Kind::Presence, Kind::Iq] {
            templates = templates.push(
                button(text(kind.label()).size(theme::TEXT_SMALL))
                    .style(button::text)
                    .on_press(Message::Template(kind)),
            );
        }
        let outcome = match &self.outcome {
            Some(Ok(words)) => text(words.clone()).size(theme::TEXT_SMALL).style(theme::muted),
            Some(Err(why)) => text(why.clone()).size(theme::TEXT_SMALL).style(text::danger),
            None => text(""),
        };
        column![
            text_editor(&self.draft)
                .id(EDITOR_ID)
                .placeholder("One stanza to send, as XML (Ctrl+Enter sends)")
                .key_binding(|press| {
                    let enter = matches!(press.key, Key::Named(Named::Enter));
                    if enter && press.modifiers.command() {
                        Some(text_editor::Binding::Custom(Message::Send))
                    } else {
                        text_editor::Binding::from_key_press(press)
                    }
                })
                .font(Font::MONOSPACE)
                .on_action(Message::Edit)
                .height(theme::FORM_EDITOR_HEIGHT)
                .padding(theme::SPACE_S),
            row![templates.width(Fill), outcome, button("Send").on_press(Message::Send)]
                .spacing(theme::SPACE_S)
                .align_y(Center),
        ]
        .spacing(theme::SPACE_XS)
        .into()
    }
}

const SENDING: &str = "Sending…";

impl Entry {
    /// "← received 12:00:01 · message".
    fn head(&self) -> String {
        let direction = if self.outgoing { "→ sent" } else { "← received" };
        format!("{direction} {} · {}", self.at, self.kind.label())
    }
}

fn entry_view(index: usize, entry: &Entry, dark: bool) -> Element<'_, Message> {
    let ink = theme::xml_ink(dark);
    let head = row![
        text(entry.head()).size(theme::TEXT_SMALL).style(theme::muted).width(Fill),
        button(text("Copy").size(theme::TEXT_SMALL))
            .style(button::text)
            .on_press(Message::Copy(index)),
    ]
    .align_y(Center);
    let mut body = Column::new();
    for line in &entry.lines {
        let mut spans: Vec<Span<'_, ()>> = vec![span("  ".repeat(line.depth))];
        spans.extend(
            line.pieces
                .iter()
                .map(|piece| span(piece.text.as_str()).color(colour(ink, piece.role))),
        );
        body = body.push(rich_text(spans).font(Font::MONOSPACE).size(theme::TEXT_SMALL));
    }
    if entry.cut > 0 {
        body = body.push(
            text(format!("… {} more bytes not kept", entry.cut))
                .size(theme::TEXT_SMALL)
                .style(theme::muted),
        );
    }
    column![head, body].into()
}

fn colour(ink: &theme::XmlInk, role: Role) -> iced::Color {
    match role {
        Role::Punctuation => ink.punctuation,
        Role::Name => ink.name,
        Role::Attribute => ink.attribute,
        Role::Value => ink.value,
        Role::Text => ink.text,
    }
}

/// Whether `needle` is in `haystack`, ASCII letters matched in either case (XML names and
/// addresses are), without copying either.
fn contains_ignoring_case(haystack: &str, needle: &str) -> bool {
    let (haystack, needle) = (haystack.as_bytes(), needle.as_bytes());
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests;
