//! An open chat room, around its conversation: the header (name, subject, where we stand,
//! what we may do), the small forms its actions open (invite, subject, nickname, destroy),
//! and the panel beside the conversation: the people in the room, the room's settings as
//! the room's own data form, or its lists of members and bans.

use super::conversation::RoomContext;
use super::{form, occupants, room_members, theme};
use crate::model::{Affiliated, Affiliation, ChatId, Form, Occupant, Room, RoomState};
use crate::worker::RoomCommand;
use dialog::Dialog;
use iced::widget::{button, column, container, row, scrollable, space, text};
use iced::{Element, Fill};

mod dialog;
mod header;

/// The open room's header, forms and side panel.
#[derive(Debug)]
pub struct State {
    jid: String,
    /// As the worker last reported it; `None` until the room is among ours.
    room: Option<Room>,
    occupants: occupants::State,
    panel: Panel,
    dialog: Option<Dialog>,
    /// The window leaves room for a panel beside the conversation.
    roomy: bool,
    /// The people in the room were folded away for want of room, not closed by the user.
    folded: bool,
    /// The header's actions folded under "⋯" are shown (in a narrow window).
    unfolded: bool,
}

/// What is shown beside the conversation.
#[derive(Debug)]
enum Panel {
    None,
    Occupants,
    Settings(Settings),
    Members(room_members::State),
}

#[derive(Debug)]
enum Settings {
    Loading,
    Form(form::State),
    Failed(String),
}

/// What the header, its forms and the side panel emit.
#[derive(Debug, Clone)]
pub enum Message {
    ToggleOccupants,
    Occupants(occupants::Message),
    Invite,
    Subject,
    Nick,
    Destroy,
    /// The invitee's address.
    InviteJid(String),
    /// The dialog's text: the invitation's reason, the subject, the nickname, or why the room
    /// is destroyed.
    Draft(String),
    Submit,
    Cancel,
    Configure,
    Form(form::Message),
    SaveSettings,
    CloseSettings,
    /// Open the lists of members and bans.
    OpenMembers,
    Members(room_members::Message),
    Join,
    /// Leave, once confirmed.
    Leave,
    /// Show or hide the header's actions folded under "⋯".
    Fold,
    /// Stop notifying about the room (`true`), or start again.
    Mute(bool),
    /// Look at the room in the discovery browser.
    Discover,
    /// Export the room's conversation.
    Export,
}

/// What the main screen must act on.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Room(RoomCommand),
    /// A change to one of the room's lists: send it, then read the shown list again with
    /// [`room_members::Message::Refresh`].
    Change(RoomCommand),
    /// Open this conversation (a private chat with an occupant).
    OpenChat(ChatId),
    /// Mute or unmute the room's notifications.
    Mute(bool),
    /// Show the room in the discovery browser.
    Discover,
    /// Export the room's conversation.
    Export,
}

impl State {
    pub fn new(jid: String, room: Option<Room>, occupants: Vec<Occupant>) -> Self {
        let mut state = Self {
            jid,
            room,
            occupants: occupants::State::default(),
            panel: Panel::Occupants,
            dialog: None,
            roomy: true,
            folded: false,
            unfolded: false,
        };
        state.set_occupants(occupants);
        state
    }

    pub fn jid(&self) -> &str {
        &self.jid
    }

    /// Whether the window leaves room for a panel beside the conversation: the people in
    /// the room fold away when it does not (and come back when it does again); asked for,
    /// they cover the conversation's side.
    pub fn fit(&mut self, roomy: bool) {
        if self.roomy == roomy {
            return;
        }
        self.roomy = roomy;
        match (roomy, &self.panel) {
            (false, Panel::Occupants) => {
                self.panel = Panel::None;
                self.folded = true;
            }
            (true, Panel::None) if self.folded => self.panel = Panel::Occupants,
            _ => {}
        }
        if roomy {
            self.folded = false;
        }
    }

    pub fn set_room(&mut self, room: Option<Room>) {
        self.room = room;
        let own = self.own_nick().to_owned();
        self.occupants.set_own(&own);
    }

    pub fn set_occupants(&mut self, occupants: Vec<Occupant>) {
        let own = self.own_nick().to_owned();
        self.occupants.set(occupants, &own);
    }

    fn own_nick(&self) -> &str {
        self.room.as_ref().map_or("", |r| r.nick.as_str())
    }

    /// The room's settings form, or why the room would not give it.
    pub fn set_settings(&mut self, form: Result<Form, String>) {
        if let Panel::Settings(settings) = &mut self.panel {
            *settings = match form {
                Ok(form) => Settings::Form(form::State::new(form)),
                Err(reason) => Settings::Failed(reason),
            };
        }
    }

    /// One of the room's lists, or why the room would not give it.
    pub fn set_affiliations(
        &mut self,
        affiliation: Affiliation,
        list: Result<Vec<Affiliated>, String>,
    ) {
        if let Panel::Members(members) = &mut self.panel {
            members.set_list(affiliation, list);
        }
    }

    /// The worker's outcome of a command; returns whether the members panel took it as the
    /// answer to its change.
    pub fn outcome(&mut self, outcome: &Result<String, String>) -> bool {
        match &mut self.panel {
            Panel::Members(members) => members.outcome(outcome),
            _ => false,
        }
    }

    /// What the conversation needs to know about the room.
    pub fn context(&self) -> RoomContext {
        RoomContext {
            own_nick: self.room.as_ref().map(|r| r.nick.clone()).unwrap_or_default(),
            nicks: self.occupants.all().iter().map(|o| o.nick.clone()).collect(),
            joined: self.joined(),
            moderator: self
                .occupants
                .own()
                .is_some_and(|o| o.role == crate::model::Role::Moderator),
        }
    }

    pub(super) fn joined(&self) -> bool {
        self.room.as_ref().is_some_and(|r| r.state == RoomState::Joined)
    }

    /// Owners configure and destroy the room (XEP-0045 §10).
    pub(super) fn owner(&self) -> bool {
        self.occupants.own().is_some_and(|o| o.affiliation == Affiliation::Owner)
    }

    /// Admins and owners manage the members and the bans (XEP-0045 §9).
    pub(super) fn admin(&self) -> bool {
        self.occupants
            .own()
            .is_some_and(|o| matches!(o.affiliation, Affiliation::Owner | Affiliation::Admin))
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        let room = self.jid.clone();
        // An action chosen from the folded menu closes it, as a menu does.
        if matches!(
            message,
            Message::ToggleOccupants
                | Message::Invite
                | Message::Subject
                | Message::Nick
                | Message::Destroy
                | Message::Configure
                | Message::OpenMembers
                | Message::Join
                | Message::Leave
                | Message::Mute(_)
                | Message::Discover
                | Message::Export
        ) {
            self.unfolded = false;
        }
        let command = match message {
            Message::ToggleOccupants => {
                self.folded = false;
                self.panel = match self.panel {
                    Panel::Occupants => Panel::None,
                    _ => Panel::Occupants,
                };
                return None;
            }
            Message::Occupants(message) => {
                return self.occupants.update(message).map(|event| match event {
                    occupants::Event::PrivateMessage(nick) => {
                        Event::OpenChat(ChatId(format!("{room}/{nick}")))
                    }
                    occupants::Event::Moderate { nick, action, reason } => {
                        Event::Room(RoomCommand::Moderate { room, nick, action, reason })
                    }
                });
            }
            Message::Mute(muted) => return Some(Event::Mute(muted)),
            Message::Discover => return Some(Event::Discover),
            Message::Export => return Some(Event::Export),
            Message::Invite => {
                let (jid, reason, error) = (String::new(), String::new(), None);
                return self.open(Dialog::Invite { jid, reason, error });
            }
            Message::Subject => {
                let subject = self.room.as_ref().and_then(|r| r.subject.clone());
                return self.open(Dialog::Subject(subject.unwrap_or_default()));
            }
            Message::Nick => {
                let nick = self.room.as_ref().map(|r| r.nick.clone()).unwrap_or_default();
                return self.open(Dialog::Nick(nick));
            }
            Message::Destroy => return self.open(Dialog::Destroy(String::new())),
            Message::InviteJid(draft) => {
                if let Some(Dialog::Invite { jid, error, .. }) = &mut self.dialog {
                    *jid = draft;
                    *error = None;
                }
                return None;
            }
            Message::Draft(draft) => {
                match &mut self.dialog {
                    Some(Dialog::Invite { reason: text, .. })
                    | Some(Dialog::Subject(text))
                    | Some(Dialog::Nick(text))
                    | Some(Dialog::Destroy(text)) => *text = draft,
                    Some(Dialog::Leave) | None => {}
                }
                return None;
            }
            Message::Cancel => {
                self.dialog = None;
                return None;
            }
            Message::Submit => return self.submit(),
            Message::Configure => {
                self.panel = Panel::Settings(Settings::Loading);
                RoomCommand::GetConfig { room }
            }
            Message::Form(message) => {
                let Panel::Settings(Settings::Form(form)) = &mut self.panel else { return None };
                match form.update(message) {
                    Some(form::Event::Submit) => return self.update(Message::SaveSettings),
                    None => return None,
                }
            }
            Message::SaveSettings => {
                let Panel::Settings(Settings::Form(form)) = &self.panel else { return None };
                let form = form.form();
                self.panel = Panel::Occupants;
                RoomCommand::SetConfig { room, form }
            }
            Message::CloseSettings => {
                self.panel = Panel::Occupants;
                return None;
            }
            Message::OpenMembers => {
                let (members, list) = room_members::State::new(self.owner());
                self.panel = Panel::Members(members);
                return self.members_event(list);
            }
            Message::Members(message) => {
                let Panel::Members(members) = &mut self.panel else { return None };
                let event = members.update(message)?;
                return self.members_event(event);
            }
            Message::Join => {
                let nick = self.room.as_ref().map(|r| r.nick.clone()).filter(|n| !n.is_empty());
                RoomCommand::Join { room, nick, password: None }
            }
            Message::Leave => return self.open(Dialog::Leave),
            Message::Fold => {
                self.unfolded = !self.unfolded;
                return None;
            }
        };
        Some(Event::Room(command))
    }

    fn members_event(&mut self, event: room_members::Event) -> Option<Event> {
        let room = self.jid.clone();
        match event {
            room_members::Event::List(affiliation) => {
                Some(Event::Room(RoomCommand::GetAffiliations { room, affiliation }))
            }
            room_members::Event::Change { jid, affiliation, reason } => {
                Some(Event::Change(RoomCommand::SetAffiliation { room, jid, affiliation, reason }))
            }
            room_members::Event::Close => {
                self.panel = Panel::Occupants;
                None
            }
        }
    }

    /// The panel beside the conversation, when one is open.
    pub fn side_panel(&self) -> Option<Element<'_, Message>> {
        match &self.panel {
            Panel::None => None,
            Panel::Occupants => Some(self.occupants.view().map(Message::Occupants)),
            Panel::Settings(settings) => Some(settings_panel(settings)),
            Panel::Members(members) => Some(members.view().map(Message::Members)),
        }
    }
}

fn settings_panel(settings: &Settings) -> Element<'_, Message> {
    let close = button(text("Cancel").size(theme::TEXT_SMALL))
        .style(button::secondary)
        .on_press(Message::CloseSettings);
    let body: Element<'_, Message> = match settings {
        Settings::Loading => text("Asking the room for its settings…").style(theme::muted).into(),
        Settings::Failed(reason) => text(format!("The room did not give its settings: {reason}"))
            .style(theme::error_text)
            .into(),
        Settings::Form(form) => scrollable(form.view().map(Message::Form)).height(Fill).into(),
    };
    let save = matches!(settings, Settings::Form(_))
        .then(|| button(text("Save").size(theme::TEXT_SMALL)).on_press(Message::SaveSettings));
    container(
        column![
            text("Room settings").size(theme::TEXT_TITLE),
            body,
            space().height(theme::SPACE_XS),
            row![save, close].spacing(theme::SPACE_XS),
        ]
        .spacing(theme::SPACE_S),
    )
    .padding(theme::SPACE_M)
    .width(theme::ROOM_CONFIG_WIDTH)
    .height(Fill)
    .style(theme::side_panel)
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, FieldKind, Moderation, Role};
    use iced_test::simulator;

    const JID: &str = "tea@muc.example.org";

    use crate::ui::fixtures::occupant;

    fn joined(own: Affiliation) -> State {
        let room = Room {
            jid: JID.into(),
            name: Some("Tea".into()),
            nick: "me".into(),
            autojoin: true,
            state: RoomState::Joined,
            subject: Some("Oolong only".into()),
            members_only: false,
        };
        let role = if own == Affiliation::None { Role::Participant } else { Role::Moderator };
        let people =
            vec![occupant("me", role, own), occupant("zoe", Role::Participant, Affiliation::None)];
        State::new(JID.into(), Some(room), people)
    }

    fn events(state: &mut State, messages: Vec<Message>) -> Vec<Event> {
        messages.into_iter().filter_map(|m| state.update(m)).collect()
    }

    #[test]
    fn only_owners_may_configure_and_destroy_and_destroying_asks_first() {
        let state = joined(Affiliation::None);
        let mut ui = simulator(state.header(false, false));
        ui.find("Oolong only · 2 people").expect("the subject and the head count");
        assert!(ui.find("Destroy").is_err() && ui.find("Configure").is_err());
        drop(ui);

        let mut state = joined(Affiliation::Owner);
        let mut ui = simulator(state.header(false, false));
        ui.click("Destroy").expect("an owner may destroy");
        let messages: Vec<_> = ui.into_messages().collect();
        assert_eq!(events(&mut state, messages), [], "not before confirming");
        state.update(Message::Draft("moving".into()));
        let mut ui = simulator(state.header(false, false));
        ui.find("Destroy this room for everyone? This cannot be undone.").expect("asks first");
        ui.click("Cancel").expect("can back out");
        let messages: Vec<_> = ui.into_messages().collect();
        assert_eq!(events(&mut state, messages), []);
        assert!(state.dialog.is_none());
        state.update(Message::Destroy);
        assert_eq!(
            state.update(Message::Submit),
            Some(Event::Room(RoomCommand::Destroy { room: JID.into(), reason: None }))
        );
    }

    #[test]
    fn admins_and_owners_manage_members_and_bans_in_a_panel() {
        for own in [Affiliation::None, Affiliation::Member] {
            let state = joined(own);
            let mut ui = simulator(state.header(false, false));
            assert!(ui.find("Members and bans").is_err(), "not for {own:?}");
        }
        for own in [Affiliation::Admin, Affiliation::Owner] {
            let mut state = joined(own);
            let mut ui = simulator(state.header(false, false));
            ui.click("Members and bans").expect("for admins and owners");
            let messages: Vec<_> = ui.into_messages().collect();
            let members =
                RoomCommand::GetAffiliations { room: JID.into(), affiliation: Affiliation::Member };
            assert_eq!(events(&mut state, messages), [Event::Room(members)]);
        }

        let mut state = joined(Affiliation::Admin);
        state.update(Message::OpenMembers);
        let bob = Affiliated { jid: "bob@example.org".into(), nick: None, reason: None };
        state.set_affiliations(Affiliation::Member, Ok(vec![bob]));
        let mut ui = simulator(state.side_panel().expect("the panel is open"));
        ui.click("Remove").expect("bob is listed");
        let messages: Vec<_> = ui.into_messages().collect();
        let remove = RoomCommand::SetAffiliation {
            room: JID.into(),
            jid: "bob@example.org".into(),
            affiliation: Affiliation::None,
            reason: None,
        };
        assert_eq!(events(&mut state, messages), [Event::Change(remove)]);
        let mut ui = simulator(state.side_panel().expect("still open"));
        ui.click("Close").expect("the close button");
        let messages: Vec<_> = ui.into_messages().collect();
        assert_eq!(events(&mut state, messages), []);
        assert!(matches!(state.panel, Panel::Occupants), "back to the people");
    }

    #[test]
    fn configure_asks_for_the_form_and_saves_what_was_edited() {
        let mut state = joined(Affiliation::Owner);
        let configure = state.update(Message::Configure);
        assert_eq!(configure, Some(Event::Room(RoomCommand::GetConfig { room: JID.into() })));
        let name = Field {
            label: Some("Room name".into()),
            ..Field::new("muc#roomconfig_roomname", FieldKind::TextSingle)
        };
        let form = Form { form_type: None, title: None, instructions: vec![], fields: vec![name] };
        state.set_settings(Ok(form.clone()));
        state.update(Message::Form(form::Message::Input(0, "Tea time".into())));
        let mut ui = simulator(state.side_panel().expect("the settings are shown"));
        ui.find("Room name").expect("the form's field");
        ui.click("Save").expect("save button");
        let messages: Vec<_> = ui.into_messages().collect();
        let mut edited = form;
        edited.fields[0].values = vec!["Tea time".into()];
        assert_eq!(
            events(&mut state, messages),
            [Event::Room(RoomCommand::SetConfig { room: JID.into(), form: edited })]
        );
        assert!(matches!(state.panel, Panel::Occupants), "back to the people");
    }

    #[test]
    fn invite_subject_and_nick_forms_send_their_commands() {
        let mut state = joined(Affiliation::None);
        state.update(Message::Invite);
        state.update(Message::InviteJid("not an address".into()));
        assert_eq!(state.update(Message::Submit), None, "the address is checked");
        state.update(Message::InviteJid("bob@example.org".into()));
        state.update(Message::Draft("tea?".into()));
        assert_eq!(
            state.update(Message::Submit),
            Some(Event::Room(RoomCommand::Invite {
                room: JID.into(),
                jid: "bob@example.org".into(),
                reason: Some("tea?".into())
            }))
        );
        state.update(Message::Subject);
        assert_eq!(
            state.dialog,
            Some(Dialog::Subject("Oolong only".into())),
            "starts from the old"
        );
        state.update(Message::Nick);
        state.update(Message::Draft("  ".into()));
        assert_eq!(state.update(Message::Submit), None, "a nickname cannot be empty");
        state.update(Message::Draft("tea-lover".into()));
        assert_eq!(
            state.update(Message::Submit),
            Some(Event::Room(RoomCommand::ChangeNick {
                room: JID.into(),
                nick: "tea-lover".into()
            }))
        );
    }

    #[test]
    fn the_occupant_menu_leads_to_a_private_chat_or_a_moderation_command() {
        let mut state = joined(Affiliation::Admin);
        state.update(Message::Occupants(occupants::Message::Select("zoe".into())));
        state.update(Message::Occupants(occupants::Message::Moderate(Moderation::Ban)));
        assert_eq!(
            state.update(Message::Occupants(occupants::Message::Confirm)),
            Some(Event::Room(RoomCommand::Moderate {
                room: JID.into(),
                nick: "zoe".into(),
                action: Moderation::Ban,
                reason: None
            }))
        );
        assert_eq!(
            state.update(Message::Occupants(occupants::Message::PrivateMessage("zoe".into()))),
            Some(Event::OpenChat(ChatId(format!("{JID}/zoe"))))
        );
    }
}
