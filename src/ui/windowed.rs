//! Long lists drawn a window at a time: every row has one fixed height, so the rows in view
//! follow from the scroll offset alone and only those (plus a margin) are built. The contact
//! list, the occupants of a big room and a service's public rooms all stay smooth at
//! thousands of entries this way.

use super::theme;
use iced::widget::scrollable::Viewport;
use iced::widget::{Column, column, scrollable, space};
use iced::{Element, Fill};
use std::ops::Range;

/// Rows built beyond the visible ones, above and below, so fast scrolling shows no gaps.
const OVERSCAN: usize = 8;
/// Assumed visible height before the first scroll event tells us the real one.
const INITIAL_VIEWPORT: f32 = 900.0;

/// Where a windowed list is scrolled to, and how much of it shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    offset: f32,
    viewport: f32,
}

impl Default for Window {
    fn default() -> Self {
        Self { offset: 0.0, viewport: INITIAL_VIEWPORT }
    }
}

impl Window {
    pub fn scrolled(&mut self, viewport: Viewport) {
        self.offset = viewport.absolute_offset().y;
        self.viewport = viewport.bounds().height;
    }

    /// Back to the top, as when the list's content is replaced by a search.
    pub fn reset(&mut self) {
        self.offset = 0.0;
    }

    /// The rows to build out of `len`: those in view plus a margin.
    pub fn range(&self, len: usize, row_height: f32) -> Range<usize> {
        let first = ((self.offset / row_height) as usize).saturating_sub(OVERSCAN);
        let count = (self.viewport / row_height).ceil() as usize + 2 * OVERSCAN;
        let end = (first + count).min(len);
        first.min(end)..end
    }

    /// Where row `index` begins, from the top of the visible part of the list.
    pub fn top_of(&self, index: usize, row_height: f32) -> f32 {
        index as f32 * row_height - self.offset
    }

    /// The list scrolled to `offset` pixels, as a scroll event would leave it (for tests).
    #[cfg(test)]
    pub fn at(offset: f32) -> Self {
        Self { offset, ..Self::default() }
    }

    /// A scrollable list of `len` rows of `row_height`, of which `rows` are those in `range`
    /// (from [`Window::range`]); empty space stands in for the others, so the scrollbar is
    /// true to the whole list.
    pub fn view<'a, M: 'a>(
        range: Range<usize>,
        len: usize,
        row_height: f32,
        rows: impl IntoIterator<Item = Element<'a, M>>,
        on_scroll: fn(Viewport) -> M,
    ) -> Element<'a, M> {
        let above = range.start as f32 * row_height;
        let below = len.saturating_sub(range.end) as f32 * row_height;
        let content =
            column![space().height(above), Column::with_children(rows), space().height(below)]
                .padding(iced::Padding::ZERO.right(theme::SCROLLBAR_GUTTER));
        scrollable(content).on_scroll(on_scroll).height(Fill).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_rows_near_the_viewport_are_in_range() {
        let top = Window::default().range(5000, 50.0);
        assert_eq!(top.start, 0);
        assert!(top.len() < 60, "{top:?}");
        let middle = Window::at(2500.0 * 50.0).range(5000, 50.0);
        assert!(middle.contains(&2500) && middle.len() < 60, "{middle:?}");
        assert_eq!(Window::at(1e9).range(10, 50.0), 10..10, "scrolled past a shrunk list");
    }
}
