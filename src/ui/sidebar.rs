//! The contact list: sorted by presence then name, filtered as you type, and windowed: rows
//! have one fixed height, so only those in view are built, whatever the size of the roster.

use super::theme;
use crate::model::{Contact, PresenceShow};
use iced::widget::scrollable::Viewport;
use iced::widget::{Column, button, column, container, row, scrollable, space, text, text_input};
use iced::{Center, Element, Fill};

/// Every row is this tall; the windowing depends on it.
pub const ROW_HEIGHT: f32 = 52.0;
/// Rows built beyond the visible ones, above and below, so fast scrolling shows no gaps.
const OVERSCAN: usize = 8;
/// Assumed visible height before the first scroll event tells us the real one.
const INITIAL_VIEWPORT: f32 = 900.0;

#[derive(Debug)]
pub struct State {
    contacts: Vec<Contact>,
    filter: String,
    /// Indices into `contacts` that match the filter, in display order.
    visible: Vec<usize>,
    selected: Option<String>,
    offset: f32,
    viewport: f32,
}

impl Default for State {
    fn default() -> Self {
        Self {
            contacts: Vec::new(),
            filter: String::new(),
            visible: Vec::new(),
            selected: None,
            offset: 0.0,
            viewport: INITIAL_VIEWPORT,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Message {
    Filter(String),
    Open(String),
    Scrolled(Viewport),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Open(String),
}

impl State {
    pub fn set_contacts(&mut self, mut contacts: Vec<Contact>) {
        contacts.sort_by(|a, b| {
            rank(a.presence.show)
                .cmp(&rank(b.presence.show))
                .then_with(|| a.display_name().to_lowercase().cmp(&b.display_name().to_lowercase()))
        });
        self.contacts = contacts;
        self.refilter();
    }

    pub fn set_presence(&mut self, jid: &str, presence: crate::model::Presence) {
        if let Some(contact) = self.contacts.iter_mut().find(|c| c.jid == jid) {
            contact.presence = presence;
            let contacts = std::mem::take(&mut self.contacts);
            self.set_contacts(contacts);
        }
    }

    pub fn contact(&self, jid: &str) -> Option<&Contact> {
        self.contacts.iter().find(|c| c.jid == jid)
    }

    pub fn select(&mut self, jid: &str) {
        self.selected = Some(jid.to_owned());
    }

    fn refilter(&mut self) {
        let needle = self.filter.trim().to_lowercase();
        self.visible = self
            .contacts
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                needle.is_empty()
                    || c.jid.to_lowercase().contains(&needle)
                    || c.name.as_deref().is_some_and(|n| n.to_lowercase().contains(&needle))
            })
            .map(|(i, _)| i)
            .collect();
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Filter(filter) => {
                self.filter = filter;
                self.offset = 0.0;
                self.refilter();
                None
            }
            Message::Open(jid) => {
                self.selected = Some(jid.clone());
                Some(Event::Open(jid))
            }
            Message::Scrolled(viewport) => {
                self.offset = viewport.absolute_offset().y;
                self.viewport = viewport.bounds().height;
                None
            }
        }
    }

    /// The rows to build: those in view plus a margin.
    fn window(&self) -> std::ops::Range<usize> {
        let first = ((self.offset / ROW_HEIGHT) as usize).saturating_sub(OVERSCAN);
        let count = (self.viewport / ROW_HEIGHT).ceil() as usize + 2 * OVERSCAN;
        let end = (first + count).min(self.visible.len());
        first.min(end)..end
    }

    pub fn view<'a>(&'a self, footer: Element<'a, Message>) -> Element<'a, Message> {
        let filter = text_input("Search contacts", &self.filter)
            .id("contact-filter")
            .on_input(Message::Filter)
            .padding(theme::SPACE_S);
        let window = self.window();
        let above = window.start as f32 * ROW_HEIGHT;
        let below = (self.visible.len() - window.end) as f32 * ROW_HEIGHT;
        let rows = Column::with_children(
            self.visible[window].iter().map(|&i| self.row(&self.contacts[i])),
        );
        let list: Element<'a, Message> = if self.visible.is_empty()
            && !self.filter.trim().is_empty()
        {
            self.no_match()
        } else if self.contacts.is_empty() {
            container(
                text("No contacts yet. Type an address above to start a chat.").style(theme::muted),
            )
            .padding(theme::SPACE_M)
            .height(Fill)
            .into()
        } else {
            let content = column![space().height(above), rows, space().height(below)]
                .padding(iced::Padding::ZERO.right(theme::SCROLLBAR_GUTTER));
            scrollable(content).id("contact-list").on_scroll(Message::Scrolled).height(Fill).into()
        };
        container(column![filter, list, footer].spacing(theme::SPACE_S).padding(theme::SPACE_S))
            .width(theme::SIDEBAR_WIDTH)
            .height(Fill)
            .style(theme::sidebar)
            .into()
    }

    /// Nothing matches: offer a chat with the typed address when it is one.
    fn no_match(&self) -> Element<'_, Message> {
        let address = crate::cli::parse_bare_jid(&self.filter).ok();
        let content: Element<'_, Message> = match address {
            Some(jid) => button(text(format!("Chat with {jid}")))
                .on_press(Message::Open(jid))
                .style(button::secondary)
                .into(),
            None => text("No contact matches.").style(theme::muted).into(),
        };
        container(content).padding(theme::SPACE_M).height(Fill).into()
    }

    fn row<'a>(&'a self, contact: &'a Contact) -> Element<'a, Message> {
        let selected = self.selected.as_deref() == Some(contact.jid.as_str());
        let secondary = contact.presence.status.as_deref().unwrap_or(&contact.jid);
        let dot = container(space().width(10).height(10))
            .style(theme::dot(theme::presence_color(contact.presence.show)));
        button(
            row![
                dot,
                column![
                    text(contact.display_name()).size(theme::TEXT_BODY),
                    text(secondary).size(theme::TEXT_SMALL).style(theme::muted),
                ]
                .spacing(2),
            ]
            .spacing(theme::SPACE_S)
            .align_y(Center),
        )
        .on_press(Message::Open(contact.jid.clone()))
        .style(theme::contact_row(selected))
        .padding([theme::SPACE_XS, theme::SPACE_S])
        .width(Fill)
        .height(ROW_HEIGHT)
        .into()
    }
}

/// Online people first, then away, then offline.
fn rank(show: PresenceShow) -> u8 {
    match show {
        PresenceShow::Chat | PresenceShow::Online => 0,
        PresenceShow::Away | PresenceShow::Dnd => 1,
        PresenceShow::Xa => 2,
        PresenceShow::Offline => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Presence, Subscription};

    fn contact(jid: &str, name: &str, show: PresenceShow) -> Contact {
        Contact {
            jid: jid.into(),
            name: Some(name.into()),
            subscription: Subscription::Both,
            ask_subscribe: false,
            groups: vec![],
            presence: Presence { show, status: None },
        }
    }

    #[test]
    fn sorted_by_presence_then_name_and_filtered() {
        let mut state = State::default();
        state.set_contacts(vec![
            contact("zed@x", "Zed", PresenceShow::Online),
            contact("amy@x", "Amy", PresenceShow::Offline),
            contact("bob@x", "Bob", PresenceShow::Online),
        ]);
        let order: Vec<_> = state.visible.iter().map(|&i| state.contacts[i].jid.as_str()).collect();
        assert_eq!(order, ["bob@x", "zed@x", "amy@x"]);
        state.update(Message::Filter("AM".into()));
        let order: Vec<_> = state.visible.iter().map(|&i| state.contacts[i].jid.as_str()).collect();
        assert_eq!(order, ["amy@x"]);
    }

    #[test]
    fn typing_an_unknown_address_offers_a_chat_with_it() {
        let mut state = State::default();
        state.set_contacts(vec![contact("bob@x", "Bob", PresenceShow::Online)]);
        state.update(Message::Filter("carol@example.org".into()));
        let footer = text("");
        let mut ui = iced_test::simulator(state.view(footer.into()));
        ui.click("Chat with carol@example.org").expect("the offer is shown");
        let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
        assert_eq!(events, [Event::Open("carol@example.org".into())]);
    }

    #[test]
    fn only_rows_near_the_viewport_are_built() {
        let mut state = State::default();
        state.set_contacts(
            (0..5000)
                .map(|i| contact(&format!("c{i}@x"), &format!("C{i:04}"), PresenceShow::Offline))
                .collect(),
        );
        let window = state.window();
        assert_eq!(window.start, 0);
        assert!(window.len() < 60, "{window:?}");
        state.offset = 2500.0 * ROW_HEIGHT;
        let window = state.window();
        assert!(window.contains(&2500) && window.len() < 60, "{window:?}");
    }
}
