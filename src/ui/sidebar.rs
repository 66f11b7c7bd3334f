//! The contact list: the chat rooms first (joined ones on top), then contacts grouped by
//! roster group (collapsible), available people first, filtered as you type, and windowed:
//! every row has one fixed height, so only those in view are built, whatever the size of the
//! roster.

use super::pictures::Pictures;
use super::theme;
use super::widget::slot;
use super::windowed::Window;
use crate::model::{Contact, Presence, PresenceShow, Room, RoomState};
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
        };
        state.rebuild();
        state
    }
}

#[derive(Debug, Clone)]
pub enum Message {
    Filter(String),
    Open(String),
    OpenRoom(String),
    BrowseRooms,
    ToggleGroup(String),
    ToggleRooms,
    Scrolled(Viewport),
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

    /// A contact's availability, when it is known.
    pub fn shown_presence(&self, contact: &Contact) -> Option<PresenceShow> {
        self.presence_known.then_some(contact.presence.show)
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

    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Filter(filter) => {
                self.filter = filter;
                self.window.reset();
                self.rebuild();
                None
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
    /// `unread` counts a conversation's unread messages, shown as a badge on its row.
    pub fn view<'a, M: 'a>(
        &'a self,
        top: Option<Element<'a, M>>,
        footer: Element<'a, M>,
        pictures: &'a Pictures,
        unread: impl Fn(&str) -> u32,
        map: fn(Message) -> M,
    ) -> Element<'a, M> {
        let filter = text_input("Search contacts (Ctrl+K)", &self.filter)
            .id(FILTER_ID)
            .on_input(Message::Filter)
            .padding(theme::SPACE_S);
        let window = self.window();
        let rows = self.rows[window.clone()].iter().map(|row| self.row(row, pictures, &unread));
        let list: Element<'a, Message> = if self.rows.is_empty() && !self.filter.trim().is_empty() {
            self.no_match()
        } else {
            Window::view(window, self.rows.len(), ROW_HEIGHT, rows, Message::Scrolled)
        };
        let filter: Element<'a, Message> = filter.into();
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
        container(parts).width(theme::SIDEBAR_WIDTH).height(Fill).style(theme::sidebar).into()
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
mod tests {
    use super::*;
    use crate::model::Subscription;

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
                Row::RoomsHeader { count, .. } => format!("[Rooms {count}]"),
                Row::Room(i) => state.rooms[*i].jid.clone(),
                Row::JoinRoom => "join…".into(),
            })
            .collect()
    }

    #[test]
    fn grouped_sorted_by_presence_then_name_and_filtered_flat() {
        let mut state = State::default();
        state.set_presence_known(true);
        state.set_contacts(vec![
            contact("zed@x", "Zed", PresenceShow::Online, &["Work"]),
            contact("amy@x", "Amy", PresenceShow::Offline, &[]),
            contact("bob@x", "Bob", PresenceShow::Online, &["Work", "Family"]),
        ]);
        state.update(Message::ToggleRooms);
        assert_eq!(
            shown(&state),
            [
                "[Rooms 0]",
                "[Family 1]",
                "bob@x",
                "[Work 2]",
                "bob@x",
                "zed@x",
                "[Contacts 1]",
                "amy@x"
            ]
        );
        state.update(Message::ToggleGroup("Work".into()));
        assert_eq!(
            shown(&state),
            ["[Rooms 0]", "[Family 1]", "bob@x", "[Work 2]", "[Contacts 1]", "amy@x"]
        );
        state.update(Message::Filter("AM".into()));
        assert_eq!(shown(&state), ["amy@x"]);
    }

    #[test]
    fn a_burst_of_presences_is_applied_and_resorted_once() {
        let mut state = State::default();
        state.set_presence_known(true);
        state.set_contacts(vec![
            contact("amy@x", "Amy", PresenceShow::Offline, &[]),
            contact("bob@x", "Bob", PresenceShow::Offline, &[]),
        ]);
        let online = Presence { show: PresenceShow::Online, status: Some("here".into()) };
        state.set_presences(&[("bob@x".into(), online.clone()), ("stranger@x".into(), online)]);
        assert_eq!(shown(&state), ["[Rooms 0]", "join…", "[Contacts 2]", "bob@x", "amy@x"]);
        assert_eq!(state.contact("bob@x").and_then(|c| c.presence.status.as_deref()), Some("here"));
    }

    fn room(jid: &str, name: &str, state: RoomState) -> Room {
        Room {
            jid: jid.into(),
            name: Some(name.into()),
            nick: "me".into(),
            autojoin: true,
            state,
            subject: None,
        }
    }

    #[test]
    fn rooms_come_first_joined_ones_on_top_and_open_as_rooms() {
        let mut state = State::default();
        state.set_contacts(vec![contact("bob@x", "Bob", PresenceShow::Online, &[])]);
        state.set_rooms(vec![
            room("attic@muc.x", "Attic", RoomState::Left),
            room("zoo@muc.x", "Zoo", RoomState::Joined),
            room("cellar@muc.x", "Cellar", RoomState::Failed("banned".into())),
        ]);
        assert_eq!(
            shown(&state),
            [
                "[Rooms 3]",
                "zoo@muc.x",
                "cellar@muc.x",
                "attic@muc.x",
                "join…",
                "[Contacts 1]",
                "bob@x"
            ]
        );
        let pictures = Pictures::default();
        let mut ui =
            iced_test::simulator(state.view(None, text("").into(), &pictures, |_| 0, |m| m));
        ui.find("could not join: banned").expect("a failed join says why");
        ui.click("Cellar").expect("the room is listed");
        ui.click("Join or create a room…").expect("the way to the room browser");
        let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
        assert_eq!(events, [Event::OpenRoom("cellar@muc.x".into()), Event::BrowseRooms]);
        state.update(Message::Filter("zo".into()));
        assert_eq!(shown(&state), ["zoo@muc.x"]);
    }

    #[test]
    fn typing_an_unknown_address_offers_a_chat_with_it() {
        let mut state = State::default();
        state.set_contacts(vec![contact("bob@x", "Bob", PresenceShow::Online, &[])]);
        state.update(Message::Filter("carol@example.org".into()));
        let pictures = Pictures::default();
        let mut ui =
            iced_test::simulator(state.view(None, text("").into(), &pictures, |_| 0, |m| m));
        ui.click("Chat with carol@example.org").expect("the offer is shown");
        let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
        assert_eq!(events, [Event::Open("carol@example.org".into())]);
    }

    #[test]
    fn unread_counts_show_as_badges() {
        let mut state = State::default();
        state.set_contacts(vec![
            contact("bob@x", "Bob", PresenceShow::Online, &[]),
            contact("amy@x", "Amy", PresenceShow::Online, &[]),
        ]);
        state.set_rooms(vec![room("zoo@muc.x", "Zoo", RoomState::Joined)]);
        let pictures = Pictures::default();
        let unread = |jid: &str| match jid {
            "bob@x" => 3,
            "zoo@muc.x" => 150,
            _ => 0,
        };
        let mut ui =
            iced_test::simulator(state.view(None, text("").into(), &pictures, unread, |m| m));
        ui.find("3").expect("Bob's badge");
        ui.find("99+").expect("the room's badge, kept short");
        assert!(ui.find("0").is_err(), "no badge without unread messages");
    }

    #[test]
    fn while_offline_nobody_looks_available_and_the_list_is_by_name() {
        let mut state = State::default();
        state.set_presence_known(true);
        let mut zed = contact("zed@x", "Zed", PresenceShow::Online, &[]);
        zed.presence.status = Some("around".into());
        state.set_contacts(vec![zed, contact("amy@x", "Amy", PresenceShow::Offline, &[])]);
        assert_eq!(shown(&state), ["[Rooms 0]", "join…", "[Contacts 2]", "zed@x", "amy@x"]);
        state.set_presence_known(false);
        assert_eq!(shown(&state), ["[Rooms 0]", "join…", "[Contacts 2]", "amy@x", "zed@x"]);
        let pictures = Pictures::default();
        let mut ui =
            iced_test::simulator(state.view(None, text("").into(), &pictures, |_| 0, |m| m));
        assert!(ui.find("around").is_err(), "his old status is not shown");
        ui.find("zed@x").expect("his address instead");
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
        state.window = Window::at(2500.0 * ROW_HEIGHT);
        let window = state.window();
        assert!(window.contains(&2500) && window.len() < 60, "{window:?}");
    }
}
