//! The stretch of history held while the user scrolls through it.
//!
//! Everything the conversation holds is laid out again on every frame, so however long the
//! history, a bounded stretch of it is held: at most [`MOST_HELD`] lines. Scrolling up reads
//! older pages in at the top; once more are held, the newest are let go and the conversation
//! is away from its latest lines (the *Jump to latest* bar; lines arriving meanwhile are
//! counted, not mixed in: they are stored, and come back with the newer pages). Scrolling back
//! down reads the newer lines in again a page at a time ([`Event::LoadNewer`]), letting the
//! oldest go, until the latest are reached. A line shown in place (a search hit, a reply's
//! original) starts such a stretch too.
//!
//! The list is anchored at its bottom, so that an older page read in at the top leaves what
//! is on screen where it is. A change at the bottom while scrolled up (the newest lines let
//! go, a newer page or a new line added) would then move what the user is reading; such a
//! change keeps the top in place instead: the content's height and the offset before it are
//! noted, and the first viewport laid out after it is scrolled by the difference. The
//! application answers a viewport reported at a redraw before it draws the frame, so the
//! lines on screen do not move.

use super::{Event, LOAD_MARGIN, Message, PAGE, State, theme};
use crate::model::HistoryPage;
use iced::widget::scrollable::{AbsoluteOffset, Viewport};
use iced::widget::{button, container, row, text};
use iced::{Center, Element, Fill, Task};

/// The most lines held while scrolled up. Frames cost with what is held; a few screenfuls
/// each side of the one shown is what scrolling needs.
const MOST_HELD: usize = 3 * PAGE;

/// Newer lines exist past the newest held: the conversation is away from its latest lines.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(super) struct LeftOut {
    /// Lines that came meanwhile.
    missed: usize,
    /// The page after the newest held line is asked for and not here yet.
    asked: bool,
    /// A line came while that page was being read: the page may end before it.
    raced: bool,
}

/// Where the list was when it last reported: the heights of its content and of the part on
/// screen, and how far the part on screen is from the top of the content.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(super) struct Seen {
    content: f32,
    height: f32,
    from_top: f32,
}

impl Seen {
    fn of(viewport: &Viewport) -> Self {
        Self {
            content: viewport.content_bounds().height,
            height: viewport.bounds().height,
            from_top: viewport.absolute_offset_reversed().y,
        }
    }

    /// The offset from the bottom that puts the top of the screen `from_top` down the content.
    fn offset_for(&self, from_top: f32) -> f32 {
        (self.content - self.height - from_top).max(0.0)
    }
}

/// A change at the bottom of the list (lines there, or the bar under it) made while scrolled
/// up: where the list was before it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct KeepTop(Seen);

impl State {
    /// The list was scrolled or laid out anew: keep what is on screen in place after a change
    /// at the bottom, hold a bounded stretch, and read in what comes into reach.
    pub(super) fn scrolled(&mut self, viewport: Viewport) -> (Task<Message>, Option<Event>) {
        let seen = Seen::of(&viewport);
        if let Some(KeepTop(before)) = self.keep_top.take()
            && (seen.content, seen.height) != (before.content, before.height)
        {
            // The lines on screen stay where they were: the same distance from the top. The
            // scroll reports again, and is handled then.
            let offset = seen.offset_for(before.from_top);
            self.seen = Seen { from_top: before.from_top, ..seen };
            let task = iced::widget::operation::scroll_to(
                super::LIST_ID,
                AbsoluteOffset { x: None, y: Some(offset) },
            );
            return (task, None);
        }
        self.seen = seen;
        let from_top = seen.from_top;
        let offset = viewport.absolute_offset().y;
        self.at_bottom = offset < 1.0 && self.left_out.is_none();
        if self.messages.len() > MOST_HELD {
            self.let_go(from_top < offset);
        }
        if from_top < LOAD_MARGIN && self.has_more && !self.loading_older {
            let before = self.messages.first().map(|m| m.id);
            self.loading_older = before.is_some();
            return (
                Task::none(),
                before.map(|before| Event::LoadOlder { chat: self.chat.clone(), before }),
            );
        }
        if offset < LOAD_MARGIN {
            return (Task::none(), self.ask_newer());
        }
        (Task::none(), None)
    }

    /// Hold no more than [`MOST_HELD`] lines: let the newest go when reading the upper part of
    /// what is held, else the oldest.
    fn let_go(&mut self, reading_upper_part: bool) {
        // A page on its way joins the end it was asked for: that end stays.
        let asked_newer = self.left_out.is_some_and(|left_out| left_out.asked);
        if (reading_upper_part && asked_newer) || (!reading_upper_part && self.loading_older) {
            return;
        }
        let excess = self.messages.len() - MOST_HELD;
        let gone: Vec<_> = if reading_upper_part {
            // The bar under the list may come with it, and changes the bottom too.
            self.keep_top_in_place();
            self.left_out.get_or_insert_default();
            let kept = self.messages.len() - excess;
            self.messages.drain(kept..).collect()
        } else {
            self.has_more = true;
            self.messages.drain(..excess).collect()
        };
        for line in gone {
            self.bodies.forget(line.id);
        }
        self.forget_gone_files();
    }

    /// Scrolled down to the newest held line while newer ones are left out: ask for them.
    fn ask_newer(&mut self) -> Option<Event> {
        let left_out = self.left_out.as_mut().filter(|left_out| !left_out.asked)?;
        let after = self.messages.last()?.id;
        left_out.asked = true;
        left_out.raced = false;
        Some(Event::LoadNewer { chat: self.chat.clone(), after })
    }

    /// The lines after the newest held, as asked for with [`Event::LoadNewer`]; `more` when
    /// newer ones remain past them.
    pub fn newer(&mut self, page: HistoryPage, more: bool) {
        if page.chat != self.chat {
            return;
        }
        let Some(left_out) = self.left_out.as_mut().filter(|left_out| left_out.asked) else {
            return;
        };
        left_out.asked = false;
        let reached_latest = !more && !left_out.raced;
        // Both the lines added and the bar under the list going away change the bottom.
        self.keep_top_in_place();
        if reached_latest {
            self.left_out = None;
            self.focus = None;
        }
        let newer = self.not_held(page.messages);
        for line in &newer {
            self.bodies.renew(line);
        }
        self.messages.extend(newer);
    }

    /// Note where the list is before a change at its bottom, so the next viewport can put the
    /// lines on screen back where they were. A change made at the very bottom of the latest
    /// lines needs nothing: the list follows the newest line there.
    pub(super) fn keep_top_in_place(&mut self) {
        if self.at_bottom || self.keep_top.is_some() {
            return;
        }
        self.keep_top = Some(KeepTop(self.seen));
    }

    /// Whether lines arriving now are held back (counted) rather than shown.
    pub(super) fn away(&mut self) -> bool {
        let Some(left_out) = &mut self.left_out else { return false };
        left_out.missed += 1;
        left_out.raced |= left_out.asked;
        true
    }

    /// Leave the older stretch: the latest page is loaded again, as on opening.
    pub(super) fn back_to_latest(&mut self) -> Event {
        self.focus = None;
        self.left_out = None;
        self.keep_top = None;
        self.at_bottom = true;
        self.messages.clear();
        self.bodies.keep(&self.messages);
        self.has_more = false;
        self.loading_older = true;
        Event::LoadLatest { chat: self.chat.clone() }
    }

    /// How many lines are held.
    pub fn held(&self) -> usize {
        self.messages.len()
    }

    /// Whether an older stretch is shown, with newer lines left out.
    pub(super) fn away_from_latest(&self) -> bool {
        self.left_out.is_some()
    }

    /// Under the list while away from the latest lines: the way back.
    pub(super) fn latest_bar(&self) -> Option<Element<'_, Message>> {
        let left_out = self.left_out?;
        let label = match left_out.missed {
            0 => "Jump to latest".to_owned(),
            1 => "Jump to latest (1 new)".to_owned(),
            n => format!("Jump to latest ({n} new)"),
        };
        let bar = row![
            text("You are looking at older messages.")
                .size(theme::TEXT_SMALL)
                .style(theme::muted)
                .width(Fill),
            button(text(label)).on_press(Message::JumpToLatest),
        ]
        .spacing(theme::SPACE_S)
        .align_y(Center);
        Some(
            container(bar)
                .padding([theme::SPACE_XS, theme::SPACE_M])
                .width(Fill)
                .style(theme::banner_info)
                .into(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::message;
    use super::*;
    use crate::model::{ChatId, Message as ChatMessage};
    use crate::ui::frames::Window;

    /// How many lines the conversation has in the store.
    const STORED: i64 = 1000;
    /// Wheel turns of this many lines (60 pixels each): less than the margin at which an older
    /// page is asked for, so a turn never meets the top of what is held.
    const TURN: f32 = 3.0;

    /// The conversation and the store behind it, answering what it asks at once.
    struct Scrolling {
        conversation: State,
        stored: Vec<ChatMessage>,
        newer_asked: usize,
    }

    impl Scrolling {
        fn new() -> Self {
            let stored: Vec<_> = (1..=STORED).map(|id| message(id, id * 60)).collect();
            let mut conversation = State::new(ChatId("bob@x".into()));
            let newest = stored[stored.len() - PAGE..].to_vec();
            conversation.history(HistoryPage {
                chat: conversation.chat.clone(),
                messages: newest,
                has_more: true,
            });
            Self { conversation, stored, newer_asked: 0 }
        }

        fn update(&mut self, message: Message) -> Task<Message> {
            let (task, event) = self.conversation.update(message);
            let chat = self.conversation.chat.clone();
            match event {
                Some(Event::LoadOlder { before, .. }) => {
                    let end = self.stored.iter().position(|m| m.id == before).unwrap_or(0);
                    let start = end.saturating_sub(PAGE);
                    let messages = self.stored[start..end].to_vec();
                    self.conversation.history(HistoryPage { chat, messages, has_more: start > 0 });
                }
                Some(Event::LoadNewer { after, .. }) => {
                    self.newer_asked += 1;
                    let start =
                        self.stored.iter().position(|m| m.id == after).map_or(0, |at| at + 1);
                    let end = (start + PAGE).min(self.stored.len());
                    let messages = self.stored[start..end].to_vec();
                    let more = end < self.stored.len();
                    self.conversation.newer(HistoryPage { chat, messages, has_more: true }, more);
                }
                _ => {}
            }
            task
        }
    }

    fn window() -> Window<Scrolling, Message> {
        let mut window =
            Window::new(Scrolling::new(), |s| s.conversation.view(), Scrolling::update);
        window.redraw();
        window
    }

    /// Where line `id`'s words are on screen, if they are in view.
    fn on_screen(window: &mut Window<Scrolling, Message>, id: i64) -> Option<f32> {
        let found = window.find(format!("m{id}"))?;
        found
            .visible_bounds()
            .filter(|seen| seen.height + 0.01 >= found.bounds().height)
            .map(|seen| seen.y)
    }

    /// A line in view that stays in view for the next turn: `anchor` while it has the room,
    /// else the line furthest from where the turn moves lines (the highest on screen when
    /// scrolling `up`, which moves lines down).
    fn line_in_view(window: &mut Window<Scrolling, Message>, anchor: i64, up: bool) -> i64 {
        let height = window.state.conversation.seen.height;
        let turn = TURN * 60.0;
        let roomy = |y: f32| if up { y + turn < height / 2.0 } else { y > turn };
        if on_screen(window, anchor).is_some_and(roomy) {
            return anchor;
        }
        let step = if up { -1 } else { 1 };
        let mut furthest = anchor;
        while on_screen(window, furthest + step).is_some() {
            furthest += step;
        }
        furthest
    }

    /// Turns the wheel once and tells how far line `id` moved on screen.
    fn moved_by_a_turn(window: &mut Window<Scrolling, Message>, id: i64, lines: f32) -> f32 {
        let before = on_screen(window, id).expect("in view before the turn");
        window.wheel(lines);
        let after = on_screen(window, id);
        eprintln!(
            "m{id}: {before} -> {after:?}, held {} first {:?} left_out {:?} seen {:?}",
            window.state.conversation.held(),
            window.state.conversation.messages.first().map(|m| m.id),
            window.state.conversation.left_out,
            window.state.conversation.seen
        );
        let after = after.expect("still in view after one turn");
        after - before
    }

    #[test]
    fn scrolling_through_a_long_history_holds_a_bounded_stretch_and_nothing_jumps() {
        let mut window = window();
        let mut anchor = line_in_view(&mut window, STORED, true);
        assert!(on_screen(&mut window, anchor).is_some(), "the newest line in view on opening");
        let turn = moved_by_a_turn(&mut window, anchor, TURN);
        assert!(turn > 0.0, "scrolling up moves the lines down");
        // Up, far past what may be held: every turn moves what is on screen by the same.
        while window.state.conversation.messages.first().is_some_and(|m| m.id > 550) {
            anchor = line_in_view(&mut window, anchor, true);
            let moved = moved_by_a_turn(&mut window, anchor, TURN);
            assert!((moved - turn).abs() < 2.0, "line m{anchor} jumped: {moved} for {turn}");
            assert!(window.state.conversation.held() <= MOST_HELD + PAGE);
        }
        assert!(window.state.conversation.away_from_latest(), "the newest lines were let go");
        assert!(!window.state.conversation.messages.iter().any(|m| m.id == STORED));
        assert!(window.find("Jump to latest").is_some());
        // A line comes meanwhile: stored, counted, not mixed in.
        let late = message(STORED + 1, (STORED + 1) * 60);
        window.state.stored.push(late.clone());
        window.change(|s| {
            s.conversation.push(late);
            Task::none()
        });
        assert!(window.find("Jump to latest (1 new)").is_some());
        // And down again to the latest, the newer lines read in a page at a time.
        while window.state.conversation.away_from_latest() {
            anchor = line_in_view(&mut window, anchor, false);
            let moved = moved_by_a_turn(&mut window, anchor, -TURN);
            assert!((moved + turn).abs() < 2.0, "line m{anchor} jumped: {moved} for {}", -turn);
            assert!(window.state.conversation.held() <= MOST_HELD + PAGE);
        }
        assert!(window.state.newer_asked >= 3, "read back a page at a time");
        for _ in 0..5 {
            window.wheel(-TURN);
        }
        assert!(on_screen(&mut window, STORED + 1).is_some(), "the newest line, with what came");
        assert!(window.find("Jump to latest").is_none());
    }

    #[test]
    fn a_line_that_comes_while_a_newer_page_is_read_is_asked_for_again() {
        let mut state = State::new(ChatId("bob@x".into()));
        let chat = state.chat.clone();
        let older = (1..=10).map(|id| message(id, id)).collect();
        state.around(HistoryPage { chat: chat.clone(), messages: older, has_more: false }, 5, true);
        assert_eq!(state.ask_newer(), Some(Event::LoadNewer { chat: chat.clone(), after: 10 }));
        // Stored after the page was read: the page ends before it.
        state.push(message(12, 12));
        let page =
            HistoryPage { chat: chat.clone(), messages: vec![message(11, 11)], has_more: true };
        state.newer(page, false);
        assert!(state.away_from_latest(), "the line that came is still to be read");
        assert_eq!(state.ask_newer(), Some(Event::LoadNewer { chat: chat.clone(), after: 11 }));
        let page = HistoryPage { chat, messages: vec![message(12, 12)], has_more: true };
        state.newer(page, false);
        assert!(!state.away_from_latest());
        assert_eq!(
            state.messages.iter().map(|m| m.id).collect::<Vec<_>>(),
            (1..=12).collect::<Vec<_>>()
        );
    }
}
