//! The room browser, in place of the conversation: join a room by its address, browse the
//! public rooms of a conference service (searchable as you type, windowed however many the
//! service lists), or create a room from a preset.

use super::theme;
use super::windowed::Window;
use crate::model::{AccountId, PublicRoom, RoomPreset};
use iced::widget::scrollable::Viewport;
use iced::widget::{
    button, checkbox, column, container, pick_list, radio, row, space, text, text_input,
};
use iced::{Center, Element, Fill};

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
                let rows = self.shown[range.clone()].iter().map(|&i| listed_room(&rooms[i]));
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

fn listed_room(room: &PublicRoom) -> Element<'_, Message> {
    let name = room.name.as_deref().filter(|n| !n.is_empty()).unwrap_or(&room.jid);
    let people = room.occupants.map(|n| {
        text(if n == 1 { "1 person".to_owned() } else { format!("{n} people") })
            .size(theme::TEXT_SMALL)
            .style(theme::muted)
    });
    let about = room.description.as_deref().filter(|d| !d.is_empty()).unwrap_or(&room.jid);
    let about = text(about.lines().next().unwrap_or_default())
        .size(theme::TEXT_SMALL)
        .style(theme::muted)
        .wrapping(iced::widget::text::Wrapping::None);
    container(
        row![
            column![
                row![text(name).size(theme::TEXT_BODY).width(Fill), people].align_y(Center),
                container(about).clip(true),
            ]
            .width(Fill),
            button(text("Join").size(theme::TEXT_SMALL))
                .on_press(Message::JoinListed(room.jid.clone())),
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
        return crate::cli::parse_bare_jid(typed);
    }
    match service.trim() {
        "" => Err("Type the room's full address (room@service).".into()),
        service => crate::cli::parse_bare_jid(&format!("{typed}@{service}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iced_test::selector::{Candidate, Target};
    use iced_test::{selector, simulator};

    /// The `n`th (from 0) text reading `label`, for buttons that share one.
    fn nth(label: &'static str, n: usize) -> impl FnMut(Candidate<'_>) -> Option<Target> + Send {
        let mut seen = 0;
        move |candidate| match candidate {
            Candidate::Text { content, .. } if content == label => {
                seen += 1;
                (seen == n + 1).then(|| Target::from(candidate))
            }
            _ => None,
        }
    }

    fn public(jid: &str, name: &str, description: &str, occupants: u32) -> PublicRoom {
        PublicRoom {
            jid: jid.into(),
            name: Some(name.into()),
            description: Some(description.into()),
            occupants: Some(occupants),
        }
    }

    fn browser() -> State {
        let (mut state, list) =
            State::new(&AccountId("alice@example.org".into()), &["muc.example.org".into()]);
        assert_eq!(list, Event::List { service: Some("muc.example.org".into()) });
        state.set_public(
            "muc.example.org".into(),
            Ok(vec![
                public("tea@muc.example.org", "Tea Room", "All about tea", 3),
                public("rust@muc.example.org", "Rustaceans", "Ferris and friends", 120),
                public("xmpp@muc.example.org", "XMPP", "Standards talk, also tea", 40),
            ]),
        );
        state
    }

    #[test]
    fn the_search_filters_as_you_type_and_join_uses_the_nickname() {
        let mut state = browser();
        state.update(Message::Search("TEA".into()));
        let mut ui = simulator(state.view());
        ui.find("Tea Room").expect("matches by name");
        ui.find("XMPP").expect("matches by description");
        assert!(ui.find("Rustaceans").is_err(), "filtered out");
        drop(ui);
        state.update(Message::Search("rust".into()));
        let mut ui = simulator(state.view());
        ui.click(nth("Join", 1)).expect("after the join form's, the listed room's button");
        let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
        assert_eq!(
            events,
            [Event::Join {
                room: "rust@muc.example.org".into(),
                nick: Some("alice".into()),
                password: None
            }]
        );
    }

    #[test]
    fn join_by_address_takes_a_name_on_the_service_a_link_or_a_full_address() {
        let mut state = browser();
        let mut ui = simulator(state.view());
        ui.click(selector::id(ADDRESS_ID)).expect("the address field");
        ui.typewrite("Lounge");
        ui.tap_key(iced::keyboard::key::Named::Enter);
        let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
        assert_eq!(
            events,
            [Event::Join {
                room: "lounge@muc.example.org".into(),
                nick: Some("alice".into()),
                password: None
            }]
        );
        assert_eq!(room_address("xmpp:a@b.org?join", ""), Ok("a@b.org".into()));
        assert!(room_address("lounge", "").is_err(), "no service to put it on");
        state.update(Message::Address("not an address@".into()));
        assert_eq!(state.update(Message::Join), None);
        assert!(state.join.error.is_some());
    }

    #[test]
    fn create_builds_the_preset_from_the_form() {
        let mut state = browser();
        state.update(Message::OpenCreate);
        state.update(Message::CreateAddress("den".into()));
        state.update(Message::CreateName("The Den".into()));
        state.update(Message::CreateModerated(true));
        let mut ui = simulator(state.view());
        ui.click("Create").expect("the create button");
        let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
        assert_eq!(
            events,
            [Event::Create {
                room: "den@muc.example.org".into(),
                preset: RoomPreset::Public { moderated: true },
                name: Some("The Den".into())
            }]
        );
        state.update(Message::OpenCreate);
        state.update(Message::CreateAddress("vault@muc.example.org".into()));
        state.update(Message::CreatePrivate(true));
        state.update(Message::CreatePassword("sesame".into()));
        assert_eq!(
            state.update(Message::Create),
            Some(Event::Create {
                room: "vault@muc.example.org".into(),
                preset: RoomPreset::Private { password: Some("sesame".into()) },
                name: None
            })
        );
    }

    #[test]
    fn a_stale_listing_is_dropped() {
        let mut state = browser();
        state.update(Message::Service("other.example.org".into()));
        state.update(Message::Refresh);
        state.set_public("muc.example.org".into(), Ok(vec![]));
        assert_eq!(state.listing, Listing::Loading(Some("other.example.org".into())));
        state.set_public("other.example.org".into(), Err("not found".into()));
        assert_eq!(state.listing, Listing::Failed("not found".into()));
    }
}
