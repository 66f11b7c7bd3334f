//! The room browser, in place of the conversation: join a room by its address, browse the
//! public rooms of a conference service (searchable as you type, windowed however many the
//! service lists), or create a room from a preset.

use super::theme;
use super::windowed::Window;
use crate::model::{AccountId, PublicRoom, Room, RoomPreset, RoomState};
use iced::widget::scrollable::Viewport;
use iced::widget::{
    button, checkbox, column, container, pick_list, radio, row, space, text, text_input,
};
use iced::{Center, Element, Fill};
use std::collections::HashSet;

/// Every public room row is this tall; the windowing depends on it.
pub const ROW_HEIGHT: f32 = 56.0;
pub const ADDRESS_ID: &str = "room-address";

/// The browser's forms and the listing of one service.
#[derive(Debug)]
pub struct State {
    /// The conference service to list, as typed or chosen.
    service: String,
    /// The services the server announced.
    services: Vec<String>,
    listing: Listing,
    search: String,
    /// The listed rooms matching the search, as indices into the listing.
    shown: Vec<usize>,
    window: Window,
    join: JoinForm,
    /// The create form, when open.
    create: Option<CreateForm>,
    /// The rooms we are in (or joining): listed with *Open*, not *Join*.
    joined: HashSet<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Listing {
    /// Asked for the rooms of this service (`None`: whichever the server offers first).
    Loading(Option<String>),
    Listed(Vec<PublicRoom>),
    Failed(String),
}

#[derive(Debug, Default)]
struct JoinForm {
    address: String,
    nick: String,
    password: String,
    error: Option<String>,
}

#[derive(Debug, Default)]
struct CreateForm {
    address: String,
    name: String,
    private: bool,
    moderated: bool,
    password: String,
    error: Option<String>,
}

/// What the browser's widgets emit.
#[derive(Debug, Clone)]
pub enum Message {
    Service(String),
    /// A service picked from those the server announced: list it at once.
    ChooseService(String),
    Refresh,
    Search(String),
    Scrolled(Viewport),
    /// Join a listed room, with the nickname from the join form.
    JoinListed(String),
    /// Open a listed room we are already in.
    OpenListed(String),
    Address(String),
    Nick(String),
    Password(String),
    Join,
    OpenCreate,
    CancelCreate,
    CreateAddress(String),
    CreateName(String),
    CreatePrivate(bool),
    CreateModerated(bool),
    CreatePassword(String),
    Create,
    Close,
}

/// What the main screen must turn into room commands (or act on).
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// List the public rooms of this service (`None`: the server's first).
    List {
        service: Option<String>,
    },
    Join {
        room: String,
        nick: Option<String>,
        password: Option<String>,
    },
    Create {
        room: String,
        preset: RoomPreset,
        name: Option<String>,
    },
    /// Show this room, which we are already in.
    Open(String),
    Close,
}

impl State {
    /// The browser for `account`, whose local part is the nickname offered, listing the
    /// first of `services`; the parent sends the returned [`Event::List`].
    pub fn new(account: &AccountId, services: &[String]) -> (Self, Event) {
        let nick = account.as_str().split('@').next().unwrap_or_default().to_owned();
        let mut state = Self {
            service: services.first().cloned().unwrap_or_default(),
            services: services.to_vec(),
            listing: Listing::Loading(None),
            search: String::new(),
            shown: Vec::new(),
            window: Window::default(),
            join: JoinForm { nick, ..JoinForm::default() },
            create: None,
            joined: HashSet::new(),
        };
        let list = state.list();
        (state, list)
    }

    /// The conference services the server offers, as discovery found them.
    pub fn set_services(&mut self, services: &[String]) {
        if self.service.is_empty() {
            self.service = services.first().cloned().unwrap_or_default();
        }
        self.services = services.to_vec();
    }

    /// The rooms we are in or joining, which the listing offers to open rather than join.
    pub fn set_joined(&mut self, rooms: &[Room]) {
        let joined =
            rooms.iter().filter(|r| matches!(r.state, RoomState::Joined | RoomState::Joining));
        self.joined = joined.map(|r| r.jid.clone()).collect();
    }

    /// A service's public rooms, or why they could not be listed. Answers for a service
    /// other than the one asked about last are stale and dropped.
    pub fn set_public(&mut self, service: String, rooms: Result<Vec<PublicRoom>, String>) {
        match &self.listing {
            Listing::Loading(Some(asked)) if *asked != service => return,
            Listing::Loading(_) => {}
            Listing::Listed(_) | Listing::Failed(_) => return,
        }
        self.service = service;
        self.listing = match rooms {
            Ok(mut rooms) => {
                // The busiest first: where a newcomer most likely finds company.
                rooms.sort_by_key(|r| std::cmp::Reverse(r.occupants.unwrap_or(0)));
                Listing::Listed(rooms)
            }
            Err(reason) => Listing::Failed(reason),
        };
        self.filter();
    }

    fn list(&mut self) -> Event {
        let service = Some(self.service.trim().to_owned()).filter(|s| !s.is_empty());
        self.listing = Listing::Loading(service.clone());
        self.filter();
        Event::List { service }
    }

    fn filter(&mut self) {
        let needle = self.search.trim().to_lowercase();
        let rooms = match &self.listing {
            Listing::Listed(rooms) => rooms.as_slice(),
            Listing::Loading(_) | Listing::Failed(_) => &[],
        };
        let matches = |room: &PublicRoom| {
            [Some(&room.jid), room.name.as_ref(), room.description.as_ref()]
                .into_iter()
                .flatten()
                .any(|field| field.to_lowercase().contains(&needle))
        };
        self.shown = (0..rooms.len()).filter(|&i| matches(&rooms[i])).collect();
        self.window.reset();
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Service(service) => self.service = service,
            Message::ChooseService(service) => {
                self.service = service;
                return Some(self.list());
            }
            Message::Refresh => return Some(self.list()),
            Message::Search(search) => {
                self.search = search;
                self.filter();
            }
            Message::Scrolled(viewport) => self.window.scrolled(viewport),
            Message::JoinListed(room) => return Some(self.join_event(room)),
            Message::OpenListed(room) => return Some(Event::Open(room)),
            Message::Address(address) => {
                self.join.address = address;
                self.join.error = None;
            }
            Message::Nick(nick) => self.join.nick = nick,
            Message::Password(password) => self.join.password = password,
            Message::Join => match room_address(&self.join.address, &self.service) {
                Ok(room) => return Some(self.join_event(room)),
                Err(error) => self.join.error = Some(error),
            },
            Message::OpenCreate => self.create = Some(CreateForm::default()),
            Message::CancelCreate => self.create = None,
            Message::CreateAddress(v) => self.edit(|f| f.address = v),
            Message::CreateName(v) => self.edit(|f| f.name = v),
            Message::CreatePrivate(v) => self.edit(|f| f.private = v),
            Message::CreateModerated(v) => self.edit(|f| f.moderated = v),
            Message::CreatePassword(v) => self.edit(|f| f.password = v),
            Message::Create => {
                let form = self.create.as_mut()?;
                match room_address(&form.address, &self.service) {
                    Ok(room) => {
                        let preset = if form.private {
                            let password = form.password.trim().to_owned();
                            RoomPreset::Private {
                                password: Some(password).filter(|p| !p.is_empty()),
                            }
                        } else {
                            RoomPreset::Public { moderated: form.moderated }
                        };
                        let name = Some(form.name.trim().to_owned()).filter(|n| !n.is_empty());
                        self.create = None;
                        return Some(Event::Create { room, preset, name });
                    }
                    Err(error) => form.error = Some(error),
                }
            }
            Message::Close => return Some(Event::Close),
        }
        None
    }

    fn edit(&mut self, change: impl FnOnce(&mut CreateForm)) {
        if let Some(form) = &mut self.create {
            change(form);
            form.error = None;
        }
    }

    fn join_event(&self, room: String) -> Event {
        let nick = Some(self.join.nick.trim().to_owned()).filter(|n| !n.is_empty());
        let password = Some(self.join.password.clone()).filter(|p| !p.is_empty());
        Event::Join { room, nick, password }
    }

    pub fn view(&self) -> Element<'_, Message> {
        let title = row![
            text("Chat rooms").size(theme::TEXT_TITLE).width(Fill),
            button(text("Close").size(theme::TEXT_SMALL))
                .style(button::secondary)
                .on_press(Message::Close),
        ]
        .align_y(Center);
        let create: Element<'_, Message> = match &self.create {
            Some(form) => self.create_form(form),
            None => button(text("Create a room…"))
                .style(button::text)
                .on_press(Message::OpenCreate)
                .into(),
        };
        let page = column![title, self.join_form(), create, self.public_rooms()]
            .spacing(theme::SPACE_M)
            .max_width(theme::BROWSER_MAX_WIDTH);
        container(page).padding(theme::SPACE_M).center_x(Fill).height(Fill).into()
    }

    fn join_form(&self) -> Element<'_, Message> {
        let form = &self.join;
        let mut content = column![
            text("Join a room"),
            labelled(
                "Address",
                text_input("room@service, or just the room's name", &form.address)
                    .id(ADDRESS_ID)
                    .on_input(Message::Address)
                    .on_submit(Message::Join)
            ),
            labelled(
                "Nickname",
                text_input("Your name in the room", &form.nick)
                    .on_input(Message::Nick)
                    .on_submit(Message::Join)
            ),
            labelled(
                "Password",
                text_input("Only if the room has one", &form.password)
                    .secure(true)
                    .on_input(Message::Password)
                    .on_submit(Message::Join)
            ),
        ]
        .spacing(theme::SPACE_XS);
        if let Some(error) = &form.error {
            content = content.push(text(error).size(theme::TEXT_SMALL).style(theme::error_text));
        }
        content.push(button("Join").on_press(Message::Join)).into()
    }

    fn create_form<'a>(&'a self, form: &'a CreateForm) -> Element<'a, Message> {
        let kind = if form.private { Some(true) } else { Some(false) };
        let mut content = column![
            text("Create a room"),
            labelled(
                "Address",
                text_input("room@service, or just a name", &form.address)
                    .on_input(Message::CreateAddress)
                    .on_submit(Message::Create)
            ),
            labelled(
                "Name",
                text_input("Shown to people (optional)", &form.name)
                    .on_input(Message::CreateName)
                    .on_submit(Message::Create)
            ),
            radio("Public: listed, anyone may join", false, kind, Message::CreatePrivate),
        ]
        .spacing(theme::SPACE_XS);
        if !form.private {
            let moderated = checkbox(form.moderated)
                .label("Moderated: newcomers need voice to speak")
                .on_toggle(Message::CreateModerated);
            content = content
                .push(container(moderated).padding(iced::Padding::ZERO.left(theme::SPACE_L)));
        }
        content = content.push(radio(
            "Private: members only, not listed",
            true,
            kind,
            Message::CreatePrivate,
        ));
        if form.private {
            content = content.push(labelled(
                "Password",
                text_input("Optional", &form.password)
                    .secure(true)
                    .on_input(Message::CreatePassword)
                    .on_submit(Message::Create),
            ));
        }
        if let Some(error) = &form.error {
            content = content.push(text(error).size(theme::TEXT_SMALL).style(theme::error_text));
        }
        content = content.push(
            row![
                button("Create").on_press(Message::Create),
                button("Cancel").style(button::secondary).on_press(Message::CancelCreate),
            ]
            .spacing(theme::SPACE_XS),
        );
        container(content).padding(theme::SPACE_S).width(Fill).style(theme::card).into()
    }

    fn public_rooms(&self) -> Element<'_, Message> {
        let mut service = row![
            text("Public rooms on"),
            text_input("conference service", &self.service)
                .on_input(Message::Service)
                .on_submit(Message::Refresh)
                .padding(theme::SPACE_XS)
                .width(Fill),
        ]
        .spacing(theme::SPACE_S)
        .align_y(Center);
        if self.services.len() > 1 {
            let chosen = self.services.iter().find(|s| **s == self.service).cloned();
            service =
                service.push(pick_list(self.services.as_slice(), chosen, Message::ChooseService));
        }
        service =
            service.push(button(text("List").size(theme::TEXT_SMALL)).on_press(Message::Refresh));
        let search = text_input("Search rooms", &self.search)
            .on_input(Message::Search)
            .padding(theme::SPACE_XS);
        let body: Element<'_, Message> = match &self.listing {
            Listing::Loading(_) => text("Listing the rooms…").style(theme::muted).into(),
            Listing::Failed(reason) => {
                text(format!("Could not list the rooms: {reason}")).style(theme::error_text).into()
            }
            Listing::Listed(rooms) if rooms.is_empty() => {
                text("This service lists no public rooms.").style(theme::muted).into()
            }
            Listing::Listed(_) if self.shown.is_empty() => {
                text("No room matches.").style(theme::muted).into()
            }
            Listing::Listed(rooms) => {
                let range = self.window.range(self.shown.len(), ROW_HEIGHT);
                let rows = self.shown[range.clone()].iter().map(|&i| {
                    let room = &rooms[i];
                    listed_room(room, self.joined.contains(&room.jid))
                });
                Window::view(range, self.shown.len(), ROW_HEIGHT, rows, Message::Scrolled)
            }
        };
        column![service, search, body].spacing(theme::SPACE_S).height(Fill).into()
    }
}

/// A field with its name before it.
fn labelled<'a>(label: &'a str, input: text_input::TextInput<'a, Message>) -> Element<'a, Message> {
    row![
        text(label).size(theme::TEXT_BODY).width(theme::LABEL_WIDTH),
        input.padding(theme::SPACE_XS)
    ]
    .spacing(theme::SPACE_S)
    .align_y(Center)
    .into()
}

/// A public room: its name, how many are in it, its description, and *Join*, or *Open*
/// when we are in it already (joining twice would only change our nickname there).
fn listed_room(room: &PublicRoom, joined: bool) -> Element<'_, Message> {
    let name = room.name.as_deref().filter(|n| !n.is_empty()).unwrap_or(&room.jid);
    let people = room.occupants.map(|n| {
        text(if n == 1 { "1 person".to_owned() } else { format!("{n} people") })
            .size(theme::TEXT_SMALL)
            .style(theme::muted)
    });
    let members_only = room.members_only.then(|| {
        row![
            super::widget::members_only(),
            text("members only").size(theme::TEXT_SMALL).style(theme::muted)
        ]
        .spacing(theme::SPACE_XS)
        .align_y(Center)
    });
    let about = room.description.as_deref().filter(|d| !d.is_empty()).unwrap_or(&room.jid);
    let about = text(about.lines().next().unwrap_or_default())
        .size(theme::TEXT_SMALL)
        .style(theme::muted)
        .wrapping(iced::widget::text::Wrapping::None);
    container(
        row![
            column![
                row![text(name).size(theme::TEXT_BODY).width(Fill), members_only, people]
                    .spacing(theme::SPACE_S)
                    .align_y(Center),
                container(about).clip(true),
            ]
            .width(Fill),
            if joined {
                button(text("Open").size(theme::TEXT_SMALL))
                    .style(button::secondary)
                    .on_press(Message::OpenListed(room.jid.clone()))
            } else {
                button(text("Join").size(theme::TEXT_SMALL))
                    .on_press(Message::JoinListed(room.jid.clone()))
            },
            space().width(theme::SPACE_XS),
        ]
        .spacing(theme::SPACE_S)
        .align_y(Center),
    )
    .center_y(ROW_HEIGHT)
    .into()
}

/// The room a typed address names: a full address, an `xmpp:` link to one, or just a name
/// on the chosen service.
fn room_address(typed: &str, service: &str) -> Result<String, String> {
    let typed = typed.trim();
    let typed = typed.strip_prefix("xmpp:").unwrap_or(typed);
    let typed = typed.split('?').next().unwrap_or_default();
    if typed.is_empty() {
        return Err("Type the room's address.".into());
    }
    if typed.contains('@') {
        return crate::model::parse_bare_jid(typed);
    }
    match service.trim() {
        "" => Err("Type the room's full address (room@service).".into()),
        service => crate::model::parse_bare_jid(&format!("{typed}@{service}")),
    }
}

#[cfg(test)]
mod tests;
