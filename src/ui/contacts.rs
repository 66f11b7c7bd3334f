//! The contact-management pieces around the contact list: request cards ("may I see your
//! presence?"), the add-contact form, and the own-status picker, whose *Offline* disconnects.

use super::theme;
use super::widget::{self, slot};
use crate::model::{Presence, PresenceShow};
use crate::worker::ContactChange;
use iced::widget::{Column, button, checkbox, column, container, row, text, text_input};
use iced::{Center, Element, Fill, Padding, Task};

/// The add form's address field.
const ADD_JID_ID: &str = "add-contact-jid";

/// The availabilities a user can pick for themselves; *Offline* disconnects the account.
const CHOICES: [PresenceShow; 6] = [
    PresenceShow::Online,
    PresenceShow::Chat,
    PresenceShow::Away,
    PresenceShow::Dnd,
    PresenceShow::Xa,
    PresenceShow::Offline,
];

#[derive(Debug, Default)]
pub struct State {
    requests: Vec<String>,
    adding: Option<AddForm>,
    own: Option<Presence>,
    status_draft: String,
    /// We are invisible (XEP-0186).
    invisible: bool,
    /// The server can make us invisible, so the choice is offered.
    can_hide: bool,
    /// The status menu is open.
    choosing: bool,
    /// The asker we were about to block, waiting for "yes".
    blocking: Option<String>,
}

#[derive(Debug, Default)]
struct AddForm {
    jid: String,
    name: String,
    group: String,
    error: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Accept(String),
    Deny(String),
    /// Block whoever asks; asks first.
    Block(String),
    ConfirmBlock,
    CancelBlock,
    OpenAdd,
    CancelAdd,
    AddJid(String),
    AddName(String),
    AddGroup(String),
    SubmitAdd,
    /// Open or close the status menu.
    ToggleChoices,
    Show(PresenceShow),
    StatusDraft(String),
    SubmitStatus,
    Invisible(bool),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Change(ContactChange),
    /// A new status message with the status we have.
    SetPresence(Presence),
    /// A status picked from the menu: be that, connecting if offline.
    Choose(Presence),
    /// *Offline* picked: disconnect, keeping what waits to be sent.
    GoOffline,
    SetInvisible(bool),
}

/// Where the account's connection stands, for the status footer.
#[derive(Debug, Clone, Copy)]
pub struct Link<'a> {
    /// Offline by choice (or never connected): the menu says *Offline*.
    pub offline: bool,
    /// What the connection is doing, when the menu alone would not say it (connecting,
    /// retrying, failed).
    pub note: Option<&'a str>,
    /// How we are connected, while online ("WebSocket via HTTP proxy …").
    pub route: Option<&'a str>,
}

impl State {
    pub fn set_requests(&mut self, requests: Vec<String>) {
        self.requests = requests;
    }

    /// Our own availability, once the worker has said it.
    pub fn own_show(&self) -> Option<PresenceShow> {
        self.own.as_ref().map(|p| p.show)
    }

    pub fn set_invisible(&mut self, invisible: bool) {
        self.invisible = invisible;
    }

    pub fn set_can_hide(&mut self, can_hide: bool) {
        self.can_hide = can_hide;
    }

    pub fn set_own(&mut self, presence: Presence) {
        self.status_draft = presence.status.clone().unwrap_or_default();
        self.own = Some(presence);
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Accept(jid) => {
                Some(Event::Change(ContactChange::Approve { jid, add_back: true }))
            }
            Message::Deny(jid) => Some(Event::Change(ContactChange::Deny { jid })),
            Message::Block(jid) => {
                self.blocking = Some(jid);
                None
            }
            Message::ConfirmBlock => {
                let jid = self.blocking.take()?;
                Some(Event::Change(ContactChange::Block { jid }))
            }
            Message::CancelBlock => {
                self.blocking = None;
                None
            }
            Message::OpenAdd => {
                self.adding = Some(AddForm::default());
                None
            }
            Message::CancelAdd => {
                self.adding = None;
                None
            }
            Message::AddJid(v) => self.edit(|f| f.jid = v),
            Message::AddName(v) => self.edit(|f| f.name = v),
            Message::AddGroup(v) => self.edit(|f| f.group = v),
            Message::SubmitAdd => {
                let form = self.adding.as_mut()?;
                match crate::model::parse_bare_jid(&form.jid) {
                    Ok(jid) => {
                        let name = Some(form.name.trim().to_owned()).filter(|n| !n.is_empty());
                        let groups = Some(form.group.trim().to_owned()).filter(|g| !g.is_empty());
                        self.adding = None;
                        Some(Event::Change(ContactChange::Add {
                            jid,
                            name,
                            groups: groups.into_iter().collect(),
                        }))
                    }
                    Err(e) => {
                        form.error = Some(e);
                        None
                    }
                }
            }
            Message::ToggleChoices => {
                self.choosing = !self.choosing;
                None
            }
            Message::Show(show) => {
                self.choosing = false;
                Some(match show {
                    PresenceShow::Offline => Event::GoOffline,
                    show => Event::Choose(self.presence_with(show)),
                })
            }
            Message::Invisible(on) => Some(Event::SetInvisible(on)),
            Message::StatusDraft(draft) => {
                self.status_draft = draft;
                None
            }
            Message::SubmitStatus => {
                let show = self.own.as_ref().map_or(PresenceShow::Online, |p| p.show);
                Some(Event::SetPresence(self.presence_with(show)))
            }
        }
    }

    fn edit(&mut self, change: impl FnOnce(&mut AddForm)) -> Option<Event> {
        if let Some(form) = &mut self.adding {
            change(form);
            form.error = None;
        }
        None
    }

    fn presence_with(&self, show: PresenceShow) -> Presence {
        let status = Some(self.status_draft.trim().to_owned()).filter(|s| !s.is_empty());
        Presence { show, status }
    }

    /// Requests and the add form, above the list.
    pub fn view_top(&self) -> Option<Element<'_, Message>> {
        let requests = self
            .requests
            .iter()
            .map(|jid| request_card(jid, self.blocking.as_deref() == Some(jid.as_str())));
        let requests = Column::with_children(requests).spacing(theme::SPACE_S);
        let add = match &self.adding {
            Some(form) => add_form(form),
            None => {
                button(text("+ Add contact")).on_press(Message::OpenAdd).style(button::text).into()
            }
        };
        // The form stays in its place when a request comes in while it is being filled in:
        // iced keeps the field's focus by its place among its siblings.
        let gap = if self.requests.is_empty() { 0.0 } else { theme::SPACE_S };
        Some(column![requests.padding(Padding::ZERO.bottom(gap)), add].into())
    }

    /// The add form's address field takes the cursor when the form opens.
    pub fn focus_add<M: Send + 'static>() -> Task<M> {
        iced::widget::operation::focus(ADD_JID_ID)
    }

    /// The account's own status, below the list, as the connection has it.
    pub fn view_footer<'a>(&'a self, link: Link<'a>) -> Element<'a, Message> {
        let show = if link.offline {
            PresenceShow::Offline
        } else {
            self.own.as_ref().map_or(PresenceShow::Online, |p| p.show)
        };
        // The menu opens above its button, pushing the list up rather than off the window.
        let choices = self.choosing.then(|| {
            Column::with_children(CHOICES.into_iter().map(|choice| {
                status_button(choice, "").style(button::text).on_press(Message::Show(choice)).into()
            }))
        });
        column![
            slot(choices),
            row![
                status_button(show, "▾")
                    .style(theme::status_button)
                    .on_press(Message::ToggleChoices),
                link.note.map(|note| text(note).size(theme::TEXT_SMALL).style(theme::muted)),
            ]
            .spacing(theme::SPACE_S)
            .align_y(Center),
            link.route.map(|route| {
                text(format!("Connected over {route}")).size(theme::TEXT_SMALL).style(theme::muted)
            }),
            text_input("Status message", &self.status_draft)
                .on_input(Message::StatusDraft)
                .on_submit(Message::SubmitStatus)
                .size(theme::TEXT_SMALL)
                .padding(theme::SPACE_XS),
            // Offered only where the server can do it (XEP-0186), or to undo it.
            (self.can_hide || self.invisible).then(|| {
                checkbox(self.invisible)
                    .label("Invisible (you appear offline)")
                    .text_size(theme::TEXT_SMALL)
                    .on_toggle(Message::Invisible)
            }),
        ]
        .spacing(theme::SPACE_XS)
        .into()
    }
}

/// A status with its dot, as the menu offers it and its button shows it.
fn status_button<'a>(show: PresenceShow, suffix: &'a str) -> button::Button<'a, Message> {
    button(
        row![
            widget::presence_dot(show),
            text(show.label()).size(theme::TEXT_SMALL).width(Fill),
            text(suffix).size(theme::TEXT_SMALL),
        ]
        .spacing(theme::SPACE_S)
        .align_y(Center),
    )
    .width(Fill)
    .padding([theme::SPACE_XS, theme::SPACE_S])
}

/// Someone asks to see our presence; blocking them asks first (`blocking`).
fn request_card(jid: &str, blocking: bool) -> Element<'_, Message> {
    let confirm = blocking.then(|| {
        widget::confirm(
            format!(
                "Block {jid}? No messages or presence reach you from them until you unblock them."
            ),
            format!("Block {jid}"),
            Message::ConfirmBlock,
            Message::CancelBlock,
        )
    });
    container(
        column![
            text(format!("{jid} wants to see your presence")).size(theme::TEXT_SMALL),
            row![
                button(text("Accept").size(theme::TEXT_SMALL))
                    .on_press(Message::Accept(jid.to_owned())),
                button(text("Deny").size(theme::TEXT_SMALL))
                    .style(button::secondary)
                    .on_press(Message::Deny(jid.to_owned())),
                button(text("Block").size(theme::TEXT_SMALL))
                    .style(button::danger)
                    .on_press(Message::Block(jid.to_owned())),
            ]
            .spacing(theme::SPACE_XS),
            slot(confirm),
        ]
        .spacing(theme::SPACE_XS),
    )
    .padding(theme::SPACE_S)
    .width(Fill)
    .style(theme::card)
    .into()
}

fn add_form(form: &AddForm) -> Element<'_, Message> {
    let mut content = column![
        text_input("Address (name@server)", &form.jid)
            .id(ADD_JID_ID)
            .on_input(Message::AddJid)
            .on_submit(Message::SubmitAdd)
            .padding(theme::SPACE_XS),
        text_input("Name (optional)", &form.name)
            .on_input(Message::AddName)
            .on_submit(Message::SubmitAdd)
            .padding(theme::SPACE_XS),
        text_input("Group (optional)", &form.group)
            .on_input(Message::AddGroup)
            .on_submit(Message::SubmitAdd)
            .padding(theme::SPACE_XS),
    ]
    .spacing(theme::SPACE_XS);
    if let Some(error) = &form.error {
        content =
            content.push(text(error.as_str()).size(theme::TEXT_SMALL).style(theme::error_text));
    }
    content = content.push(
        row![
            button(text("Add").size(theme::TEXT_SMALL)).on_press(Message::SubmitAdd),
            button(text("Cancel").size(theme::TEXT_SMALL))
                .style(button::secondary)
                .on_press(Message::CancelAdd),
        ]
        .spacing(theme::SPACE_XS),
    );
    container(content).padding(theme::SPACE_S).width(Fill).style(theme::card).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepting_a_request_approves_and_adds_back() {
        let mut state = State::default();
        state.set_requests(vec!["eve@example.org".into()]);
        let top = state.view_top().expect("requests are shown");
        let mut ui = iced_test::simulator(top);
        ui.find("eve@example.org wants to see your presence").expect("the card says who asks");
        ui.click("Accept").expect("accept button");
        let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
        assert_eq!(
            events,
            [Event::Change(ContactChange::Approve {
                jid: "eve@example.org".into(),
                add_back: true
            })]
        );
    }

    #[test]
    fn blocking_someone_who_asks_asks_first() {
        let mut state = State::default();
        state.set_requests(vec!["eve@example.org".into()]);
        let click = |state: &mut State, label: &str| -> Vec<Event> {
            let mut ui = iced_test::simulator(state.view_top().expect("requests are shown"));
            ui.click(label).expect(label);
            let messages: Vec<_> = ui.into_messages().collect();
            messages.into_iter().filter_map(|m| state.update(m)).collect()
        };
        assert_eq!(click(&mut state, "Block"), [], "the first click only asks");
        assert_eq!(click(&mut state, "Cancel"), []);
        assert_eq!(click(&mut state, "Block"), []);
        let block = ContactChange::Block { jid: "eve@example.org".into() };
        assert_eq!(click(&mut state, "Block eve@example.org"), [Event::Change(block)]);
    }

    #[test]
    fn add_form_checks_the_address_then_adds_with_name_and_group() {
        let mut state = State::default();
        state.update(Message::OpenAdd);
        state.update(Message::AddJid("not an address".into()));
        assert_eq!(state.update(Message::SubmitAdd), None);
        assert!(state.adding.as_ref().and_then(|f| f.error.as_ref()).is_some());
        state.update(Message::AddJid("bob@example.org".into()));
        state.update(Message::AddName("Bob".into()));
        state.update(Message::AddGroup("Friends".into()));
        assert_eq!(
            state.update(Message::SubmitAdd),
            Some(Event::Change(ContactChange::Add {
                jid: "bob@example.org".into(),
                name: Some("Bob".into()),
                groups: vec!["Friends".into()],
            }))
        );
        assert!(state.adding.is_none());
    }

    const ONLINE: Link<'static> = Link { offline: false, note: None, route: None };

    #[test]
    fn choosing_a_status_keeps_the_message() {
        let mut state = State::default();
        state.set_own(Presence { show: PresenceShow::Online, status: Some("hi".into()) });
        assert_eq!(
            state.update(Message::Show(PresenceShow::Dnd)),
            Some(Event::Choose(Presence { show: PresenceShow::Dnd, status: Some("hi".into()) }))
        );
    }

    /// Clicks `label` in the footer as it is now; the state takes what that asks.
    fn click_footer(state: &mut State, link: Link<'_>, label: &str) -> Vec<Event> {
        let mut ui = iced_test::simulator(state.view_footer(link));
        ui.click(label).expect(label);
        let messages: Vec<_> = ui.into_messages().collect();
        messages.into_iter().filter_map(|m| state.update(m)).collect()
    }

    #[test]
    fn the_status_menu_offers_offline_and_says_it_while_offline() {
        let mut state = State::default();
        state.set_own(Presence { show: PresenceShow::Away, status: None });
        assert_eq!(click_footer(&mut state, ONLINE, "Away"), [], "the menu opens");
        assert_eq!(click_footer(&mut state, ONLINE, "Offline"), [Event::GoOffline]);

        let offline = Link { offline: true, note: None, route: None };
        let mut ui = iced_test::simulator(state.view_footer(offline));
        ui.find("Offline").expect("the menu says what we are");
        assert!(ui.find("Away").is_err(), "not what we would be online");
        drop(ui);
        assert_eq!(click_footer(&mut state, offline, "Offline"), [], "the menu opens");
        let away = Presence { show: PresenceShow::Away, status: None };
        assert_eq!(click_footer(&mut state, offline, "Away"), [Event::Choose(away)]);
    }

    #[test]
    fn invisibility_is_offered_only_where_the_server_can_hide_us() {
        let mut state = State::default();
        {
            let mut ui = iced_test::simulator(state.view_footer(ONLINE));
            assert!(ui.find("Invisible (you appear offline)").is_err(), "not offered by default");
        }
        state.set_can_hide(true);
        let mut ui = iced_test::simulator(state.view_footer(ONLINE));
        ui.click("Invisible (you appear offline)").expect("offered");
        let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
        assert!(matches!(events.as_slice(), [Event::SetInvisible(true)]), "{events:?}");
    }
}
