//! The contact list: the chat rooms first (joined ones on top), then contacts grouped by
//! roster group (collapsible), available people first, filtered as you type, and windowed:
//! every row has one fixed height, so only those in view are built, whatever the size of the
//! roster.

use super::keys;
use super::pictures::Pictures;
use super::theme;
use super::widget::slot;
use super::windowed::Window;
use crate::model::{Contact, Presence, PresenceShow, Room, RoomState};
use iced::keyboard::{Key, key};
use iced::widget::scrollable::Viewport;
use iced::widget::{button, column, container, text, text_input};
use iced::{Element, Fill};
use std::collections::{BTreeMap, HashSet};

mod rows;

/// Every row, header, room or contact, is this tall; the windowing depends on it.
pub const ROW_HEIGHT: f32 = 52.0;
/// Where contacts without a group are listed.
const UNGROUPED: &str = "Contacts";
/// The heading of the rooms section.
const ROOMS: &str = "Rooms";
pub const FILTER_ID: &str = "contact-filter";

#[derive(Debug, Clone, PartialEq)]
enum Row {
    Header {
        group: String,
        count: usize,
        collapsed: bool,
    },
    Contact(usize),
    RoomsHeader {
        count: usize,
        collapsed: bool,
    },
    Room(usize),
    /// "Join or create a room…", the way into the room browser.
    JoinRoom,
}

#[derive(Debug)]
pub struct State {
    contacts: Vec<Contact>,
    rooms: Vec<Room>,
    blocked: HashSet<String>,
    filter: String,
    collapsed: HashSet<String>,
    rooms_collapsed: bool,
    /// What is listed, in display order.
    rows: Vec<Row>,
    selected: Option<String>,
    window: Window,
    /// The account is online, so the presences shown are the server's current word; while
    /// offline nobody's presence is known, and none is shown.
    presence_known: bool,
    /// How wide the list is drawn, following the window's width.
    width: f32,
}

impl Default for State {
    /// Empty, but with the rooms section, so "Join or create a room…" is there from the start.
    fn default() -> Self {
        let mut state = Self {
            contacts: Vec::new(),
            rooms: Vec::new(),
            blocked: HashSet::new(),
            filter: String::new(),
            collapsed: HashSet::new(),
            rooms_collapsed: false,
            rows: Vec::new(),
            selected: None,
            window: Window::default(),
            presence_known: false,
            width: theme::SIDEBAR_WIDTH,
        };
        state.rebuild();
        state
    }
}

#[derive(Debug, Clone)]
pub enum Message {
    Filter(String),
    /// Escape in the search box: the whole list again.
    ClearFilter,
    /// Enter in the search box: open the first hit, or a chat with the typed address.
    OpenFirst,
    Open(String),
    OpenRoom(String),
    BrowseRooms,
    ToggleGroup(String),
    ToggleRooms,
    Scrolled(Viewport),
    /// Alt+Down (`forward`) or Alt+Up: open the conversation listed after or before the open
    /// one (the first listed when none is open).
    Step {
        forward: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Open the chat with this address.
    Open(String),
    /// Open this room's conversation.
    OpenRoom(String),
    /// Show the room browser (join by address, public rooms, create).
    BrowseRooms,
}

impl State {
    pub fn set_contacts(&mut self, mut contacts: Vec<Contact>) {
        if !self.presence_known {
            // What was cached is not what is true now.
            for contact in &mut contacts {
                contact.presence = Presence::offline();
            }
        }
        contacts.sort_by_cached_key(|c| (rank(c.presence.show), c.display_name().to_lowercase()));
        self.contacts = contacts;
        self.rebuild();
    }

    /// The rooms we are in or have bookmarked: joined ones first, then by name.
    pub fn set_rooms(&mut self, mut rooms: Vec<Room>) {
        rooms.sort_by_cached_key(|r| (room_rank(&r.state), r.display_name().to_lowercase()));
        self.rooms = rooms;
        self.rebuild();
    }

    /// Online (`true`): presences come from the server again. Offline: what was shown is
    /// forgotten, so a contact never looks available on old news.
    pub fn set_presence_known(&mut self, known: bool) {
        if self.presence_known != known {
            self.presence_known = known;
            let contacts = std::mem::take(&mut self.contacts);
            self.set_contacts(contacts);
        }
    }

    /// The window is `window` px wide: the list takes its share of it.
    pub fn fit(&mut self, window: f32) {
        self.width = theme::sidebar_width(window);
    }

    pub fn width(&self) -> f32 {
        self.width
    }

    /// A contact's availability, when it is known.
    pub fn shown_presence(&self, contact: &Contact) -> Option<PresenceShow> {
        self.presence_known.then_some(contact.presence.show)
    }

    /// The rooms listed, joined ones first.
    pub fn rooms(&self) -> &[Room] {
        &self.rooms
    }

    pub fn room(&self, jid: &str) -> Option<&Room> {
        self.rooms.iter().find(|r| r.jid == jid)
    }

    pub fn set_blocked(&mut self, blocked: &[String]) {
        self.blocked = blocked.iter().cloned().collect();
    }

    /// Apply a burst of presence changes, then sort and group once.
    pub fn set_presences(&mut self, changes: &[(String, Presence)]) {
        let changes: std::collections::HashMap<&str, &Presence> =
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
                _ => None,
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
        let matches = |jid: &str, name: Option<&str>| {
            jid.to_lowercase().contains(&needle)
                || name.is_some_and(|n| n.to_lowercase().contains(&needle))
        };
        if !needle.is_empty() {
            let rooms = (0..self.rooms.len())
                .filter(|&i| matches(&self.rooms[i].jid, self.rooms[i].name.as_deref()))
                .map(Row::Room);
            let contacts = (0..self.contacts.len())
                .filter(|&i| matches(&self.contacts[i].jid, self.contacts[i].name.as_deref()))
                .map(Row::Contact);
            self.rows = rooms.chain(contacts).collect();
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
        self.rows
            .push(Row::RoomsHeader { count: self.rooms.len(), collapsed: self.rooms_collapsed });
        if !self.rooms_collapsed {
            self.rows.extend((0..self.rooms.len()).map(Row::Room));
            self.rows.push(Row::JoinRoom);
        }
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

    /// What opens the conversation listed after (`forward`) or before the selected one, in
    /// the order shown; folded groups are stepped over.
    fn neighbour(&self, forward: bool) -> Option<Message> {
        let listed: Vec<Message> = self
            .rows
            .iter()
            .filter_map(|row| match row {
                Row::Contact(i) => Some(Message::Open(self.contacts[*i].jid.clone())),
                Row::Room(i) => Some(Message::OpenRoom(self.rooms[*i].jid.clone())),
                _ => None,
            })
            .collect();
        let jid = |message: &Message| match message {
            Message::Open(jid) | Message::OpenRoom(jid) => Some(jid.clone()),
            _ => None,
        };
        let Some(at) = listed.iter().position(|m| jid(m).is_some() && jid(m) == self.selected)
        else {
            return listed.into_iter().next();
        };
        // A contact in two groups is listed twice: stepping goes past both.
        let other = |m: &&Message| jid(m) != self.selected;
        let next = if forward {
            listed[at + 1..].iter().find(other)
        } else {
            listed[..at].iter().rev().find(other)
        };
        next.cloned()
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Filter(filter) => {
                self.filter = filter;
                self.window.reset();
                self.rebuild();
                None
            }
            Message::ClearFilter => {
                self.update(Message::Filter(String::new()));
                None
            }
            Message::OpenFirst => {
                let opened = match self.rows.first() {
                    _ if self.filter.trim().is_empty() => None,
                    Some(Row::Contact(i)) => {
                        self.update(Message::Open(self.contacts[*i].jid.clone()))
                    }
                    Some(Row::Room(i)) => {
                        self.update(Message::OpenRoom(self.rooms[*i].jid.clone()))
                    }
                    _ => {
                        let jid = crate::model::parse_bare_jid(&self.filter).ok()?;
                        self.update(Message::Open(jid))
                    }
                };
                // Found and opened: the search has done its job, the whole list comes back.
                if opened.is_some() {
                    self.update(Message::ClearFilter);
                }
                opened
            }
            Message::Open(jid) => {
                self.selected = Some(jid.clone());
                Some(Event::Open(jid))
            }
            Message::OpenRoom(jid) => {
                self.selected = Some(jid.clone());
                Some(Event::OpenRoom(jid))
            }
            Message::BrowseRooms => Some(Event::BrowseRooms),
            Message::Step { forward } => {
                let next = self.neighbour(forward)?;
                self.update(next)
            }
            Message::ToggleRooms => {
                self.rooms_collapsed = !self.rooms_collapsed;
                self.rebuild();
                None
            }
            Message::ToggleGroup(group) => {
                if !self.collapsed.remove(&group) {
                    self.collapsed.insert(group);
                }
                self.rebuild();
                None
            }
            Message::Scrolled(viewport) => {
                self.window.scrolled(viewport);
                None
            }
        }
    }

    /// The rows to build: those in view plus a margin.
    fn window(&self) -> std::ops::Range<usize> {
        self.window.range(self.rows.len(), ROW_HEIGHT)
    }

    /// `top` sits above the list (requests, the add form), `footer` below it; both belong to
    /// the parent, whose message type the list's own messages are mapped into with `map`.
    /// `unread` tells a conversation's unread messages, shown as a badge on its row.
    pub fn view<'a, M: 'a>(
        &'a self,
        top: Option<Element<'a, M>>,
        footer: Element<'a, M>,
        pictures: &'a Pictures,
        unread: impl Fn(&str) -> crate::notify::Unseen,
        map: fn(Message) -> M,
    ) -> Element<'a, M> {
        let filter = text_input("Search contacts (Ctrl+K)", &self.filter)
            .id(FILTER_ID)
            .on_input(Message::Filter)
            .on_submit(Message::OpenFirst)
            .padding(theme::SPACE_S);
        let filter = keys::on_key(filter, |key, _| {
            (*key == Key::Named(key::Named::Escape)).then_some(Message::ClearFilter)
        });
        let window = self.window();
        let rows = self.rows[window.clone()].iter().map(|row| self.row(row, pictures, &unread));
        let list: Element<'a, Message> = if self.rows.is_empty() && !self.filter.trim().is_empty() {
            self.no_match()
        } else {
            Window::view(window, self.rows.len(), ROW_HEIGHT, rows, Message::Scrolled)
        };
        let hint = (self.contacts.is_empty() && self.filter.trim().is_empty()).then(|| {
            let hint =
                text("No contacts yet. Add one with +, or type an address above to start a chat.")
                    .size(theme::TEXT_SMALL)
                    .style(theme::muted);
            Element::from(hint).map(map)
        });
        // Each part keeps its place, shown or not, so the fields below keep their focus.
        let parts = column![filter.map(map), slot(top), slot(hint), list.map(map), footer]
            .spacing(theme::SPACE_S)
            .padding(theme::SPACE_S);
        container(parts).width(self.width).height(Fill).style(theme::sidebar).into()
    }

    /// Nothing matches: offer a chat with the typed address when it is one.
    fn no_match(&self) -> Element<'_, Message> {
        let address = crate::model::parse_bare_jid(&self.filter).ok();
        let content: Element<'_, Message> = match address {
            Some(jid) => button(text(format!("Chat with {jid}")))
                .on_press(Message::Open(jid))
                .style(button::secondary)
                .into(),
            None => text("No contact matches.").style(theme::muted).into(),
        };
        container(content).padding(theme::SPACE_M).height(Fill).into()
    }
}

/// Joined rooms first, then those on their way, then the ones we are not in.
fn room_rank(state: &RoomState) -> u8 {
    match state {
        RoomState::Joined => 0,
        RoomState::Joining => 1,
        RoomState::Failed(_) => 2,
        RoomState::Left => 3,
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
mod tests;
