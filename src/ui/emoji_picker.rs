//! The emoji picker beside the composer: a search box, a tab per category with the recently
//! used first, and a grid of the chosen tab's emoji (or of the search results). Only that one
//! list is built, capped at [`GRID_MAX`], so the view stays cheap however many emoji exist.
//! Also the row of `:shortcode` completions the composer shows while one is being typed.

use super::fonts::EMOJI_FONT;
use super::theme;
use crate::emoji::{self, Category, Completion, Emoji, Recent};
use iced::widget::{Row, button, column, container, row, scrollable, text, text_input, tooltip};
use iced::{Center, Element, Fill, Padding, Task};

/// The most emoji one grid shows: more than the largest category (People & body, about 340),
/// so it only bounds the work if the data ever grows.
pub const GRID_MAX: usize = 400;

const SEARCH_ID: &str = "emoji-search";

#[derive(Debug)]
pub struct State {
    query: String,
    tab: Tab,
    recent: Recent,
}

/// What the grid shows when nothing is searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Recent,
    Category(Category),
}

#[derive(Debug, Clone)]
pub enum Message {
    Query(String),
    /// Enter in the search box: the first emoji shown.
    PickFirst,
    Tab(Tab),
    Pick(&'static str),
    Close,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Insert this emoji at the composer's caret. The recent list has already moved it first:
    /// store [`State::recent`] again.
    Picked(String),
    Closed,
}

impl State {
    /// A picker on the recently used tab, or on the first category when there are none yet.
    pub fn new(recent: Recent) -> Self {
        let tab = if recent.is_empty() {
            emoji::categories().next().map_or(Tab::Recent, Tab::Category)
        } else {
            Tab::Recent
        };
        Self { query: String::new(), tab, recent }
    }

    /// Put the cursor in the search box, ready to type.
    pub fn focus<M: Send + 'static>() -> Task<M> {
        iced::widget::operation::focus(SEARCH_ID)
    }

    /// The recently used list, to store after [`Event::Picked`].
    pub fn recent(&self) -> &Recent {
        &self.recent
    }

    /// Counts an emoji used elsewhere (a completed `:shortcode:`) as recently used.
    pub fn record(&mut self, emoji: &str) -> bool {
        self.recent.record(emoji)
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Query(query) => {
                self.query = query;
                None
            }
            Message::PickFirst => {
                let first = self.shown().into_iter().next()?;
                self.update(Message::Pick(first.as_str()))
            }
            Message::Tab(tab) => {
                self.tab = tab;
                self.query.clear();
                None
            }
            Message::Pick(emoji) => {
                self.recent.record(emoji);
                Some(Event::Picked(emoji.to_owned()))
            }
            Message::Close => Some(Event::Closed),
        }
    }

    /// The search results while something is typed, else the tab's emoji; at most
    /// [`GRID_MAX`].
    fn shown(&self) -> Vec<&'static Emoji> {
        if !self.query.trim().is_empty() {
            return emoji::search(&self.query).into_iter().take(GRID_MAX).collect();
        }
        match self.tab {
            Tab::Recent => self.recent.iter().collect(),
            Tab::Category(category) => category.emojis().take(GRID_MAX).collect(),
        }
    }

    pub fn view(&self) -> Element<'_, Message> {
        let search = row![
            text_input("Search emoji", &self.query)
                .id(SEARCH_ID)
                .on_input(Message::Query)
                .on_submit(Message::PickFirst)
                .padding(theme::SPACE_XS)
                .width(Fill),
            button(text("Close").size(theme::TEXT_SMALL))
                .style(button::text)
                .on_press(Message::Close),
        ]
        .spacing(theme::SPACE_XS)
        .align_y(Center);
        let searching = !self.query.trim().is_empty();
        let recent_tab = tab(
            "🕘",
            "Recently used",
            !searching && self.tab == Tab::Recent,
            Message::Tab(Tab::Recent),
        );
        let tabs = emoji::categories().fold(Row::new().push(recent_tab), |tabs, category| {
            let selected = !searching && self.tab == Tab::Category(category);
            tabs.push(tab(
                category.icon(),
                category.label(),
                selected,
                Message::Tab(Tab::Category(category)),
            ))
        });
        let shown = self.shown();
        let grid: Element<'_, Message> = if shown.is_empty() {
            let empty =
                if searching { "No emoji by that name." } else { "Emoji you pick show up here." };
            container(text(empty).size(theme::TEXT_SMALL).style(theme::muted))
                .center_x(Fill)
                .padding(theme::SPACE_M)
                .into()
        } else {
            let cells = Row::with_children(shown.into_iter().map(cell)).wrap();
            container(cells).padding(Padding::ZERO.right(theme::SCROLLBAR_GUTTER)).into()
        };
        container(
            column![
                search,
                tabs.spacing(2),
                scrollable(grid).height(theme::EMOJI_PICKER_HEIGHT).width(Fill),
            ]
            .spacing(theme::SPACE_S),
        )
        .padding(theme::SPACE_S)
        .width(theme::EMOJI_PICKER_WIDTH)
        .style(theme::card)
        .into()
    }
}

/// One emoji in the grid, its name and shortcode shown on hover.
fn cell(emoji: &'static Emoji) -> Element<'static, Message> {
    let glyph = button(text(emoji.as_str()).font(EMOJI_FONT).size(theme::EMOJI_GLYPH).center())
        .width(theme::EMOJI_CELL)
        .height(theme::EMOJI_CELL)
        .padding(0)
        .style(theme::emoji_button(false))
        .on_press(Message::Pick(emoji.as_str()));
    let name = match emoji.shortcode() {
        Some(code) => format!("{} :{code}:", emoji.name()),
        None => emoji.name().to_owned(),
    };
    tooltip(glyph, hint(name), tooltip::Position::Top).into()
}

/// A category tab: its icon, its name on hover.
fn tab(
    icon: &'static str,
    label: &'static str,
    selected: bool,
    on_press: Message,
) -> Element<'static, Message> {
    let glyph = button(text(icon).font(EMOJI_FONT).size(theme::TEXT_TITLE).center())
        .width(theme::EMOJI_CELL)
        .height(theme::EMOJI_CELL)
        .padding(0)
        .style(theme::emoji_button(selected))
        .on_press(on_press);
    tooltip(glyph, hint(label.to_owned()), tooltip::Position::Bottom).into()
}

fn hint<'a>(label: String) -> Element<'a, Message> {
    container(text(label).size(theme::TEXT_SMALL))
        .padding(theme::SPACE_XS)
        .style(theme::card)
        .into()
}

/// The `:shortcode` completions above the composer: each candidate as "👍 thumbsup",
/// `on_pick` given its index (for [`Completion::apply`]); `selected` is highlighted, for
/// choosing with the arrow keys.
pub fn completions<'a, M: Clone + 'a>(
    completion: &Completion,
    selected: usize,
    on_pick: impl Fn(usize) -> M,
) -> Element<'a, M> {
    let choices = completion.candidates.iter().enumerate().map(|(i, &(code, emoji))| {
        button(
            row![
                text(emoji).font(EMOJI_FONT).size(theme::TEXT_BODY),
                text(code).size(theme::TEXT_SMALL)
            ]
            .spacing(theme::SPACE_XS)
            .align_y(Center),
        )
        .padding([2.0, theme::SPACE_S])
        .style(theme::emoji_button(i == selected))
        .on_press(on_pick(i))
        .into()
    });
    container(Row::with_children(choices).spacing(theme::SPACE_XS).wrap())
        .padding(theme::SPACE_XS)
        .width(Fill)
        .style(theme::card)
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use iced_test::{selector, simulator};

    fn events(state: &mut State, messages: impl IntoIterator<Item = Message>) -> Vec<Event> {
        messages.into_iter().filter_map(|m| state.update(m)).collect()
    }

    #[test]
    fn searching_thumbs_shows_thumbs_up() {
        let mut state = State::new(Recent::default());
        let typed = {
            let mut ui = simulator(state.view());
            ui.click(selector::id(SEARCH_ID)).expect("the search box");
            ui.typewrite("thumbs");
            ui.into_messages().collect::<Vec<_>>()
        };
        assert_eq!(events(&mut state, typed), []);
        let mut ui = simulator(state.view());
        assert!(ui.find("👍").is_ok(), "👍 is shown");
        assert!(ui.find("👎").is_ok(), "👎 is shown");
        assert!(ui.find("🚀").is_err(), "the category is replaced by the results");
    }

    #[test]
    fn clicking_an_emoji_picks_it_and_makes_it_recent() {
        let mut state = State::new(Recent::default());
        state.update(Message::Query("rocket".into()));
        let clicked = {
            let mut ui = simulator(state.view());
            ui.click("🚀").expect("🚀 is shown");
            ui.into_messages().collect::<Vec<_>>()
        };
        assert_eq!(events(&mut state, clicked), [Event::Picked("🚀".into())]);
        assert_eq!(state.recent().to_string(), "🚀");
    }

    #[test]
    fn opens_on_the_recent_tab_when_there_are_recent_ones() {
        let state = State::new(Recent::parse("🦀 🚀"));
        assert_eq!(state.tab, Tab::Recent);
        let mut ui = simulator(state.view());
        assert!(ui.find("🦀").is_ok());
        let fresh = State::new(Recent::default());
        assert!(matches!(fresh.tab, Tab::Category(c) if c.label() == "Smileys & emotion"));
    }

    #[test]
    fn enter_picks_the_first_result_and_tabs_clear_the_search() {
        let mut state = State::new(Recent::default());
        state.update(Message::Query("thumbs".into()));
        assert_eq!(state.update(Message::PickFirst), Some(Event::Picked("👍".into())));
        state.update(Message::Query("zzzzqq".into()));
        assert_eq!(state.update(Message::PickFirst), None, "nothing found, nothing picked");
        state.update(Message::Tab(Tab::Recent));
        assert!(state.query.is_empty());
        assert_eq!(state.shown().first().map(|e| e.as_str()), Some("👍"));
        assert_eq!(state.update(Message::Close), Some(Event::Closed));
    }

    #[test]
    fn a_completion_is_picked_by_its_index() {
        let completion = emoji::completion_at("go :rock", 8).expect("a completion");
        let at = completion.candidates.iter().position(|&(code, _)| code == "rocket");
        let at = at.expect("rocket is offered");
        let mut ui = simulator(completions(&completion, 0, |i| i));
        ui.click("rocket").expect("the candidate");
        assert_eq!(ui.into_messages().collect::<Vec<_>>(), [at]);
    }
}
