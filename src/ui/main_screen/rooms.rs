//! The main screen's chat rooms: routing the room panels' events to worker commands, keeping
//! the open room up to date from the worker's room events, and Tab completion in its
//! composer.

use super::{Event, Message, State};
use crate::model::{ChatId, Room, RoomState};
use crate::ui::{conversation, invites, room, room_browser, room_members, sidebar, theme};
use crate::worker::{Command, Event as WorkerEvent, RoomCommand};
use iced::widget::{button, column, container, row, text};
use iced::{Center, Element, Fill, Task};

impl State {
    /// Whether Tab may complete a nickname: a room's conversation is open.
    pub fn completes_nicks(&self) -> bool {
        self.room.is_some() && self.browser.is_none()
    }

    /// Tab while a room is open: complete a nickname when the composer has the focus,
    /// else move the focus as Tab does everywhere.
    pub fn tab() -> Task<Message> {
        iced::widget::operation::is_focused(conversation::COMPOSER_ID)
            .map(|focused| if focused { Message::CompleteNick } else { Message::FocusNext })
    }

    pub(super) fn complete_nick(&mut self) -> Task<Message> {
        if self.conversation.as_mut().is_some_and(conversation::State::complete_nick) {
            iced::widget::operation::move_cursor_to_end(conversation::COMPOSER_ID)
        } else {
            iced::widget::operation::focus_next()
        }
    }

    /// Show the room browser, listing `first`'s rooms, or the first conference service's.
    pub(super) fn browse(&mut self, first: Option<String>) -> (Task<Message>, Option<Event>) {
        let mut services: Vec<String> = first.iter().cloned().collect();
        services.extend(self.conference.iter().filter(|s| Some(*s) != first.as_ref()).cloned());
        let (mut browser, list) = room_browser::State::new(&self.account, &services);
        self.discovery = None;
        browser.set_joined(self.sidebar.rooms());
        self.browser = Some(browser);
        self.browser_event(list)
    }

    pub(super) fn room_message(
        &mut self,
        message: room::Message,
    ) -> (Task<Message>, Option<Event>) {
        let focus = room::State::focus_for(&message);
        match self.room.as_mut().and_then(|room| room.update(message)) {
            Some(room::Event::Room(command)) => (Task::none(), Some(room_command(command))),
            Some(room::Event::Change(command)) => {
                // Read the list again once the change is on its way: the room answers in
                // order, so the new list shows it. (Outcomes do not say what they answer.)
                let refresh = room::Message::Members(room_members::Message::Refresh);
                (Task::done(Message::Room(refresh)), Some(room_command(command)))
            }
            Some(room::Event::OpenChat(chat)) => self.open(chat),
            Some(room::Event::Mute(muted)) => {
                let chat =
                    ChatId(self.room.as_ref().map(|r| r.jid().to_owned()).unwrap_or_default());
                (Task::none(), Some(Event::Mute { chat, muted }))
            }
            Some(room::Event::Export) => {
                (Task::none(), self.export_message(super::export::ExportMessage::Open))
            }
            Some(room::Event::Discover) => {
                let room = self.room.as_ref().map(|r| r.jid().to_owned()).unwrap_or_default();
                self.open_discovery(&room)
            }
            None => (focus, None),
        }
    }

    pub(super) fn browser_message(
        &mut self,
        message: room_browser::Message,
    ) -> (Task<Message>, Option<Event>) {
        match self.browser.as_mut().and_then(|browser| browser.update(message)) {
            Some(event) => self.browser_event(event),
            None => (Task::none(), None),
        }
    }

    /// What the room browser asks for; joining or creating also opens the room.
    pub(super) fn browser_event(
        &mut self,
        event: room_browser::Event,
    ) -> (Task<Message>, Option<Event>) {
        let (open, command) = match event {
            room_browser::Event::List { service } => (Task::none(), RoomCommand::List { service }),
            room_browser::Event::Join { room, nick, password } => {
                (open_room_later(room.clone()), RoomCommand::Join { room, nick, password })
            }
            room_browser::Event::Create { room, preset, name } => {
                (open_room_later(room.clone()), RoomCommand::Create { room, preset, name })
            }
            room_browser::Event::Open(room) => return (open_room_later(room), None),
            room_browser::Event::Close => {
                self.browser = None;
                return (Task::none(), None);
            }
        };
        (open, Some(room_command(command)))
    }

    /// An invitation answered: joining also opens the room.
    pub(super) fn invite_message(
        &mut self,
        message: invites::Message,
    ) -> (Task<Message>, Option<Event>) {
        match self.invites.update(message) {
            Some(invites::Event::Join(invite)) => {
                let room = invite.room.clone();
                let join =
                    RoomCommand::Join { room: room.clone(), nick: None, password: invite.password };
                (open_room_later(room), Some(room_command(join)))
            }
            Some(invites::Event::Decline(invite)) => {
                (Task::none(), Some(room_command(RoomCommand::Decline { invite })))
            }
            None => (Task::none(), None),
        }
    }

    /// Open a room's conversation, with its people beside it.
    pub(super) fn open_room(&mut self, jid: String) -> (Task<Message>, Option<Event>) {
        let already = self.room.as_ref().is_some_and(|r| r.jid() == jid);
        let opened = self.open(ChatId(jid.clone()));
        if !already {
            let occupants = self.occupants.get(&jid).cloned().unwrap_or_default();
            let mut room =
                room::State::new(jid.clone(), self.sidebar.room(&jid).cloned(), occupants);
            room.fit(self.panels_beside());
            self.room = Some(room);
            self.tell_room_context();
        }
        opened
    }

    /// Show what the worker reports about rooms.
    pub(super) fn apply_room_event(&mut self, event: WorkerEvent) {
        match event {
            WorkerEvent::Rooms(rooms) => {
                // Joined (or joining) another way: the invitation is answered.
                for room in rooms.iter().filter(|r| r.state != RoomState::Left) {
                    self.invites.remove(&room.jid);
                }
                if let Some(browser) = &mut self.browser {
                    browser.set_joined(&rooms);
                }
                self.sidebar.set_rooms(rooms);
                if let Some(room) = &mut self.room {
                    room.set_room(self.sidebar.room(room.jid()).cloned());
                }
                self.tell_room_context();
            }
            WorkerEvent::Occupants { room, present, gone, replace } => {
                let known = self.occupants.entry(room.clone()).or_default();
                if replace {
                    known.clear();
                }
                known.retain(|o| {
                    !gone.contains(&o.nick) && !present.iter().any(|p| p.nick == o.nick)
                });
                known.extend(present);
                if let Some(open) = self.room.as_mut().filter(|r| r.jid() == room) {
                    open.set_occupants(known.clone());
                }
                self.tell_room_context();
            }
            WorkerEvent::PublicRooms { service, rooms } => {
                if let Some(browser) = &mut self.browser {
                    browser.set_public(service, rooms);
                }
            }
            WorkerEvent::RoomConfig { room, form } => {
                if let Some(open) = self.room.as_mut().filter(|r| r.jid() == room) {
                    open.set_settings(form);
                }
            }
            WorkerEvent::Affiliations { room, affiliation, list } => {
                if let Some(open) = self.room.as_mut().filter(|r| r.jid() == room) {
                    open.set_affiliations(affiliation, list);
                }
            }
            WorkerEvent::Invite(invite) => {
                // A room's word on who invites proves nothing: only a contact's own direct
                // invitation is from a contact.
                let from_contact = !invite.mediated && self.contact(&invite.from).is_some();
                self.invites.push(invite, from_contact);
            }
            WorkerEvent::Services(services) => {
                self.contacts.set_can_hide(services.invisible);
                if let Some(browser) = &mut self.browser {
                    browser.set_services(&services.conference);
                }
                self.conference = services.conference;
            }
            _ => {}
        }
    }

    /// Tell the open room's conversation who is in the room and which of them is us.
    fn tell_room_context(&mut self) {
        if let (Some(room), Some(conversation)) = (&self.room, &mut self.conversation) {
            conversation.set_room(room.context());
        }
    }

    /// The room and the occupant's nickname when `jid` names someone in one of our rooms.
    pub(super) fn private_chat<'a>(&'a self, jid: &'a str) -> Option<(&'a Room, &'a str)> {
        let (room, nick) = jid.split_once('/')?;
        Some((self.sidebar.room(room)?, nick))
    }
}

/// A private chat's header: who, and in which room (there is no contact to manage).
pub(super) fn private_header<'a>(
    room: &'a Room,
    nick: &'a str,
    muted: bool,
) -> Element<'a, Message> {
    let about = format!("private chat in {} · {}", room.display_name(), room.jid);
    container(
        row![
            column![
                text(nick).size(theme::TEXT_TITLE).style(theme::nick(nick)),
                text(about).size(theme::TEXT_SMALL).style(theme::muted),
            ]
            .width(Fill),
            super::header::mute_button(muted),
            button(text("Back to the room").size(theme::TEXT_SMALL))
                .style(button::secondary)
                .on_press(Message::Sidebar(sidebar::Message::OpenRoom(room.jid.clone()))),
        ]
        .spacing(theme::SPACE_S)
        .align_y(Center),
    )
    .padding([theme::SPACE_S, theme::SPACE_M])
    .width(Fill)
    .style(theme::header)
    .into()
}

pub(super) fn room_command(command: RoomCommand) -> Event {
    Event::Command(Command::Room(command))
}

/// Open a room once the command that joins or creates it has gone to the worker.
pub(super) fn open_room_later(room: String) -> Task<Message> {
    Task::done(Message::Sidebar(sidebar::Message::OpenRoom(room)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PublicRoom;
    use crate::model::{AccountId, Affiliated, Affiliation, Invite, Moderation, Role, Services};
    use crate::ui::frames::Window;
    use crate::ui::occupants;
    use iced_test::selector::{Candidate, Target};

    const ROOM: &str = "tea@muc.example.org";

    fn screen() -> State {
        let mut state = State::new(AccountId("me@example.org".into()));
        state.apply(WorkerEvent::Rooms(vec![crate::ui::fixtures::joined_room(ROOM)]));
        use crate::ui::fixtures::occupant;
        state.apply(WorkerEvent::Occupants {
            room: ROOM.into(),
            gone: Vec::new(),
            replace: true,
            present: vec![
                occupant("me", Role::Moderator, Affiliation::Owner),
                occupant("zoe", Role::Participant, Affiliation::None),
            ],
        });
        state
    }

    fn command(event: Option<Event>) -> Option<Command> {
        match event {
            Some(Event::Command(command)) => Some(command),
            _ => None,
        }
    }

    #[test]
    fn a_room_opens_with_its_people_and_moderation_reaches_the_worker() {
        let mut state = screen();
        let (_, event) = state.update(Message::Sidebar(sidebar::Message::OpenRoom(ROOM.into())));
        assert!(matches!(command(event), Some(Command::LoadHistory { .. })));
        assert!(state.completes_nicks());
        let select = occupants::Message::Select("zoe".into());
        let _ = state.update(Message::Room(room::Message::Occupants(select)));
        let kick = room::Message::Occupants(occupants::Message::Moderate(Moderation::Kick));
        let _ = state.update(Message::Room(kick));
        let confirm = room::Message::Occupants(occupants::Message::Confirm);
        let (_, event) = state.update(Message::Room(confirm));
        assert_eq!(
            command(event),
            Some(Command::Room(RoomCommand::Moderate {
                room: ROOM.into(),
                nick: "zoe".into(),
                action: Moderation::Kick,
                reason: None
            }))
        );
        let private = room::Message::Occupants(occupants::Message::PrivateMessage("zoe".into()));
        let _ = state.update(Message::Room(private));
        let chat = state.conversation.as_ref().map(|c| c.chat.clone());
        assert_eq!(chat, Some(ChatId(format!("{ROOM}/zoe"))), "the private chat is open");
        assert!(!state.completes_nicks(), "a private chat is not a room");
        assert!(state.private_chat(&format!("{ROOM}/zoe")).is_some());
    }

    #[test]
    fn the_members_panel_gets_its_lists_and_a_refusal_and_each_change_reads_the_list_again() {
        let mut state = screen();
        let _ = state.update(Message::Sidebar(sidebar::Message::OpenRoom(ROOM.into())));
        let (_, event) = state.update(Message::Room(room::Message::OpenMembers));
        let members =
            RoomCommand::GetAffiliations { room: ROOM.into(), affiliation: Affiliation::Member };
        assert_eq!(command(event), Some(Command::Room(members.clone())));
        let bob = Affiliated { jid: "bob@example.org".into(), nick: None, reason: None };
        state.apply(WorkerEvent::Affiliations {
            room: "elsewhere@muc.example.org".into(),
            affiliation: Affiliation::Member,
            list: Ok(vec![]),
        });
        state.apply(WorkerEvent::Affiliations {
            room: ROOM.into(),
            affiliation: Affiliation::Member,
            list: Ok(vec![bob]),
        });
        let room = state.room.as_ref().expect("the room is open");
        let mut ui = iced_test::simulator(room.side_panel().expect("the members panel"));
        ui.find("bob@example.org").expect("the list reached the panel");
        drop(ui);

        let remove = room_members::Message::Remove("bob@example.org".into());
        let (_, event) = state.update(Message::Room(room::Message::Members(remove)));
        assert!(matches!(
            command(event),
            Some(Command::Room(RoomCommand::SetAffiliation { affiliation: Affiliation::None, .. }))
        ));
        let refresh = room::Message::Members(room_members::Message::Refresh);
        let (_, event) = state.update(Message::Room(refresh));
        assert_eq!(command(event), Some(Command::Room(members)), "the list is read again");
        state.apply(WorkerEvent::Outcome(Err("could not do that: forbidden".into())));
        assert_eq!(state.notice, None, "the refusal is shown in the panel");
        state.apply(WorkerEvent::Outcome(Err("something else".into())));
        assert_eq!(state.notice.as_deref(), Some("something else"));
    }

    #[test]
    fn the_browser_lists_the_first_service_and_joining_closes_it() {
        let mut state = screen();
        state.apply(WorkerEvent::Services(Services {
            invisible: false,
            conference: vec!["muc.example.org".into()],
            upload: None,
        }));
        let (_, event) = state.update(Message::Sidebar(sidebar::Message::BrowseRooms));
        assert_eq!(
            command(event),
            Some(Command::Room(RoomCommand::List { service: Some("muc.example.org".into()) }))
        );
        let _ = state.update(Message::Browser(room_browser::Message::Address("lounge".into())));
        let (_, event) = state.update(Message::Browser(room_browser::Message::Join));
        assert_eq!(
            command(event),
            Some(Command::Room(RoomCommand::Join {
                room: "lounge@muc.example.org".into(),
                nick: Some("me".into()),
                password: None
            }))
        );
    }

    #[test]
    fn the_browser_opens_a_room_we_are_in_instead_of_joining_it() {
        let mut state = screen();
        let _ = state.update(Message::Sidebar(sidebar::Message::BrowseRooms));
        let public = |jid: &str, name: &str| PublicRoom {
            jid: jid.into(),
            name: Some(name.into()),
            description: None,
            occupants: Some(2),
            members_only: false,
        };
        state.apply(WorkerEvent::PublicRooms {
            service: String::new(),
            rooms: Ok(vec![public(ROOM, "Tea"), public("rust@muc.example.org", "Rustaceans")]),
        });
        let mut window = super::super::chat::tests::window(state);
        let joins = |window: &mut Window<_, _>| {
            (0..3).filter(|&n| window.find(nth("Join", n)).is_some()).count()
        };
        assert_eq!(joins(&mut window), 2, "the join form's button and the room we are not in");
        window.click("Open");
        let shown = &window.state;
        assert!(shown.main.browser.is_none(), "the browser made way for the room");
        assert_eq!(shown.main.conversation.as_ref().map(|c| c.chat.as_str()), Some(ROOM));
        assert!(
            !shown.events.iter().any(|e| matches!(
                command(Some(e.clone())),
                Some(Command::Room(RoomCommand::Join { .. }))
            )),
            "no second join"
        );
    }

    /// The `n`th (from 0) text reading `label`.
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

    #[test]
    fn an_invitation_waits_for_an_answer_and_goes_once_the_room_is_joined() {
        let mut state = screen();
        let invite = Invite {
            room: "den@muc.example.org".into(),
            from: "eve@example.org".into(),
            reason: None,
            password: Some("sesame".into()),
            mediated: false,
        };
        state.apply(WorkerEvent::Invite(invite.clone()));
        let (_, event) =
            state.update(Message::Invites(invites::Message::Join(invite.room.clone())));
        assert_eq!(
            command(event),
            Some(Command::Room(RoomCommand::Join {
                room: invite.room.clone(),
                nick: None,
                password: Some("sesame".into())
            }))
        );
        state.apply(WorkerEvent::Invite(invite.clone()));
        let (_, event) =
            state.update(Message::Invites(invites::Message::Decline(invite.room.clone())));
        assert_eq!(
            command(event),
            Some(Command::Room(RoomCommand::Decline { invite: invite.clone() }))
        );
        state.apply(WorkerEvent::Invite(invite.clone()));
        state.apply(WorkerEvent::Rooms(vec![Room {
            jid: invite.room.clone(),
            name: None,
            nick: "me".into(),
            autojoin: true,
            state: RoomState::Joining,
            subject: None,
            members_only: false,
        }]));
        let (_, event) = state.update(Message::Invites(invites::Message::Join(invite.room)));
        assert_eq!(event, None, "joined another way: the card is gone");
    }
}
