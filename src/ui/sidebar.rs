//! The contact list: grouped by roster group (collapsible), available people first, filtered
//! as you type, and windowed: every row has one fixed height, so only those in view are built,
//! whatever the size of the roster.

use super::pictures::Pictures;
use super::{theme, widget};
use crate::model::{Contact, PresenceShow, Subscription};
use iced::widget::scrollable::Viewport;
use iced::widget::{Column, button, column, container, row, scrollable, space, text, text_input};
use iced::{Center, Element, Fill};
use std::collections::{BTreeMap, HashSet};

/// Every row, header or contact, is this tall; the windowing depends on it.
pub const ROW_HEIGHT: f32 = 52.0;
/// Rows built beyond the visible ones, above and below, so fast scrolling shows no gaps.
const OVERSCAN: usize = 8;
/// Assumed visible height before the first scroll event tells us the real one.
const INITIAL_VIEWPORT: f32 = 900.0;
/// Where contacts without a group are listed.
const UNGROUPED: &str = "Contacts";
pub const FILTER_ID: &str = "contact-filter";

#[derive(Debug, Clone, PartialEq)]
enum Row {
    Header { group: String, count: usize, collapsed: bool },
    Contact(usize),
}

#[derive(Debug)]
pub struct State {
    contacts: Vec<Contact>,
    blocked: HashSet<String>,
    filter: String,
    collapsed: HashSet<String>,
    /// What is listed, in display order.
    rows: Vec<Row>,
    selected: Option<String>,
    offset: f32,
    viewport: f32,
}

impl Default for State {
    fn default() -> Self {
        Self {
            contacts: Vec::new(),
            blocked: HashSet::new(),
            filter: String::new(),
            collapsed: HashSet::new(),
            rows: Vec::new(),
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
    ToggleGroup(String),
    Scrolled(Viewport),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Open(String),
}

impl State {
    pub fn set_contacts(&mut self, mut contacts: Vec<Contact>) {
        contacts.sort_by_cached_key(|c| (rank(c.presence.show), c.display_name().to_lowercase()));
        self.contacts = contacts;
        self.rebuild();
    }

    pub fn set_blocked(&mut self, blocked: &[String]) {
        self.blocked = blocked.iter().cloned().collect();
    }

    /// Apply a burst of presence changes, then sort and group once.
    pub fn set_presences(&mut self, changes: &[(String, crate::model::Presence)]) {
        let changes: std::collections::HashMap<&str, &crate::model::Presence> =
            changes.iter().map(|(jid, p)| (jid.as_str(), p)).collect();
        let mut touched = false;
        for contact in &mut self.contacts {
            if let Some(presence) = changes.get(contact.jid.as_str()) {
                contact.presence = (*presence).clone();
                touched = true;
            }
        }
        if touched {
            let contacts = std::mem::take(&mut self.contacts);
            self.set_contacts(contacts);
        }
    }

    pub fn set_avatar(&mut self, jid: &str, hash: Option<String>) {
        if let Some(contact) = self.contacts.iter_mut().find(|c| c.jid == jid) {
            contact.avatar = hash;
        }
    }

    /// The pictures of the contacts in view (and just around it): the ones worth decoding.
    pub fn visible_avatars(&self) -> Vec<String> {
        self.rows[self.window()]
            .iter()
            .filter_map(|row| match row {
                Row::Contact(i) => self.contacts[*i].avatar.clone(),
                Row::Header { .. } => None,
            })
            .collect()
    }

    pub fn contact(&self, jid: &str) -> Option<&Contact> {
        self.contacts.iter().find(|c| c.jid == jid)
    }

    pub fn select(&mut self, jid: &str) {
        self.selected = Some(jid.to_owned());
    }

    /// Group and filter. While searching, the list is flat: finding beats browsing.
    fn rebuild(&mut self) {
        let needle = self.filter.trim().to_lowercase();
        let matches = |c: &Contact| {
            c.jid.to_lowercase().contains(&needle)
                || c.name.as_deref().is_some_and(|n| n.to_lowercase().contains(&needle))
        };
        if !needle.is_empty() {
            self.rows = (0..self.contacts.len())
                .filter(|&i| matches(&self.contacts[i]))
                .map(Row::Contact)
                .collect();
            return;
        }
        let mut groups: BTreeMap<(bool, String), Vec<usize>> = BTreeMap::new();
        for (i, contact) in self.contacts.iter().enumerate() {
            if contact.groups.is_empty() {
                groups.entry((true, UNGROUPED.to_owned())).or_default().push(i);
            }
            for group in &contact.groups {
                groups.entry((false, group.clone())).or_default().push(i);
            }
        }
        self.rows.clear();
        for ((_, group), members) in groups {
            let collapsed = self.collapsed.contains(&group);
            self.rows.push(Row::Header { group, count: members.len(), collapsed });
            if !collapsed {
                self.rows.extend(members.into_iter().map(Row::Contact));
            }
        }
    }

    pub fn focus_filter<M: Send + 'static>() -> iced::Task<M> {
        iced::Task::batch([
            iced::widget::operation::focus(FILTER_ID),
            iced::widget::operation::select_all(FILTER_ID),
        ])
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Filter(filter) => {
                self.filter = filter;
                self.offset = 0.0;
                self.rebuild();
                None
            }
            Message::Open(jid) => {
                self.selected = Some(jid.clone());
                Some(Event::Open(jid))
            }
            Message::ToggleGroup(group) => {
                if !self.collapsed.remove(&group) {
                    self.collapsed.insert(group);
                }
                self.rebuild();
                None
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
        let end = (first + count).min(self.rows.len());
        first.min(end)..end
    }

    /// `top` sits above the list (requests, the add form), `footer` below it; both belong to
    /// the parent, whose message type the list's own messages are mapped into with `map`.
    pub fn view<'a, M: 'a>(
        &'a self,
        top: Option<Element<'a, M>>,
        footer: Element<'a, M>,
        pictures: &'a Pictures,
        map: fn(Message) -> M,
    ) -> Element<'a, M> {
        let filter = text_input("Search contacts (Ctrl+K)", &self.filter)
            .id(FILTER_ID)
            .on_input(Message::Filter)
            .padding(theme::SPACE_S);
        let window = self.window();
        let above = window.start as f32 * ROW_HEIGHT;
        let below = (self.rows.len() - window.end) as f32 * ROW_HEIGHT;
        let rows =
            Column::with_children(self.rows[window].iter().map(|row| self.row(row, pictures)));
        let list: Element<'a, Message> = if self.rows.is_empty() && !self.filter.trim().is_empty() {
            self.no_match()
        } else if self.contacts.is_empty() {
            container(
                text("No contacts yet. Add one with +, or type an address above to start a chat.")
                    .style(theme::muted),
            )
            .padding(theme::SPACE_M)
            .height(Fill)
            .into()
        } else {
            let content = column![space().height(above), rows, space().height(below)]
                .padding(iced::Padding::ZERO.right(theme::SCROLLBAR_GUTTER));
            scrollable(content).id("contact-list").on_scroll(Message::Scrolled).height(Fill).into()
        };
        let filter: Element<'a, Message> = filter.into();
        let mut parts = column![filter.map(map)].spacing(theme::SPACE_S).padding(theme::SPACE_S);
        if let Some(top) = top {
            parts = parts.push(top);
        }
        container(parts.push(list.map(map)).push(footer))
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

    fn row<'a>(&'a self, row: &'a Row, pictures: &'a Pictures) -> Element<'a, Message> {
        match row {
            Row::Header { group, count, collapsed } => {
                let arrow = if *collapsed { "▸" } else { "▾" };
                button(
                    container(
                        row![
                            text(format!("{arrow} {group}")).size(theme::TEXT_SMALL),
                            space::horizontal(),
                            text(count.to_string()).size(theme::TEXT_SMALL).style(theme::muted),
                        ]
                        .align_y(Center),
                    )
                    .center_y(Fill),
                )
                .on_press(Message::ToggleGroup(group.clone()))
                .style(button::text)
                .padding([theme::SPACE_XS, theme::SPACE_S])
                .width(Fill)
                .height(ROW_HEIGHT)
                .into()
            }
            Row::Contact(i) => self.contact_row(&self.contacts[*i], pictures),
        }
    }

    fn contact_row<'a>(
        &'a self,
        contact: &'a Contact,
        pictures: &'a Pictures,
    ) -> Element<'a, Message> {
        let selected = self.selected.as_deref() == Some(contact.jid.as_str());
        let picture = contact.avatar.as_deref().and_then(|hash| pictures.get(hash));
        let avatar =
            widget::avatar(&contact.jid, contact.display_name(), contact.presence.show, picture);
        button(
            row![
                avatar,
                column![
                    text(contact.display_name()).size(theme::TEXT_BODY),
                    text(self.secondary_line(contact)).size(theme::TEXT_SMALL).style(theme::muted),
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

    /// Status text, or what stands between us and their presence.
    fn secondary_line<'a>(&'a self, contact: &'a Contact) -> std::borrow::Cow<'a, str> {
        if self.blocked.contains(&contact.jid) {
            return "blocked".into();
        }
        if let Some(status) = contact.presence.status.as_deref() {
            return status.into();
        }
        match contact.subscription {
            Subscription::To | Subscription::Both => contact.jid.as_str().into(),
            _ if contact.ask_subscribe => "request sent, waiting for approval".into(),
            _ => "does not share presence with you".into(),
        }
    }
}

/// Available people first, then away, then offline.
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
    use crate::model::Presence;

    fn contact(jid: &str, name: &str, show: PresenceShow, groups: &[&str]) -> Contact {
        Contact {
            jid: jid.into(),
            name: Some(name.into()),
            subscription: Subscription::Both,
            ask_subscribe: false,
            groups: groups.iter().map(|g| g.to_string()).collect(),
            presence: Presence { show, status: None },
            avatar: None,
        }
    }

    fn shown(state: &State) -> Vec<String> {
        state
            .rows
            .iter()
            .map(|row| match row {
                Row::Header { group, count, .. } => format!("[{group} {count}]"),
                Row::Contact(i) => state.contacts[*i].jid.clone(),
            })
            .collect()
    }

    #[test]
    fn grouped_sorted_by_presence_then_name_and_filtered_flat() {
        let mut state = State::default();
        state.set_contacts(vec![
            contact("zed@x", "Zed", PresenceShow::Online, &["Work"]),
            contact("amy@x", "Amy", PresenceShow::Offline, &[]),
            contact("bob@x", "Bob", PresenceShow::Online, &["Work", "Family"]),
        ]);
        assert_eq!(
            shown(&state),
            ["[Family 1]", "bob@x", "[Work 2]", "bob@x", "zed@x", "[Contacts 1]", "amy@x"]
        );
        state.update(Message::ToggleGroup("Work".into()));
        assert_eq!(shown(&state), ["[Family 1]", "bob@x", "[Work 2]", "[Contacts 1]", "amy@x"]);
        state.update(Message::Filter("AM".into()));
        assert_eq!(shown(&state), ["amy@x"]);
    }

    #[test]
    fn a_burst_of_presences_is_applied_and_resorted_once() {
        let mut state = State::default();
        state.set_contacts(vec![
            contact("amy@x", "Amy", PresenceShow::Offline, &[]),
            contact("bob@x", "Bob", PresenceShow::Offline, &[]),
        ]);
        let online = Presence { show: PresenceShow::Online, status: Some("here".into()) };
        state.set_presences(&[("bob@x".into(), online.clone()), ("stranger@x".into(), online)]);
        assert_eq!(shown(&state), ["[Contacts 2]", "bob@x", "amy@x"]);
        assert_eq!(state.contact("bob@x").and_then(|c| c.presence.status.as_deref()), Some("here"));
    }

    #[test]
    fn typing_an_unknown_address_offers_a_chat_with_it() {
        let mut state = State::default();
        state.set_contacts(vec![contact("bob@x", "Bob", PresenceShow::Online, &[])]);
        state.update(Message::Filter("carol@example.org".into()));
        let pictures = Pictures::default();
        let mut ui = iced_test::simulator(state.view(None, text("").into(), &pictures, |m| m));
        ui.click("Chat with carol@example.org").expect("the offer is shown");
        let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
        assert_eq!(events, [Event::Open("carol@example.org".into())]);
    }

    #[test]
    fn only_rows_near_the_viewport_are_built() {
        let mut state = State::default();
        state.set_contacts(
            (0..5000)
                .map(|i| {
                    contact(&format!("c{i}@x"), &format!("C{i:04}"), PresenceShow::Offline, &[])
                })
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
