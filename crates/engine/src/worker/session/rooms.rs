//! Chat rooms in a session: joining (with history since the last line we have), room messages
//! and private messages, creating a room configured from a preset (never left locked),
//! moderation, invitations, and rejoining after a reconnect. Who is in a room is
//! `room_occupants`. Roles, affiliations, status codes and the subject are believed only from
//! the room itself.

use super::Session;
use super::requests::PendingIq;
use super::room_authors::RoomAuthors;
use super::room_catch_up::Unfinished;
use super::room_config::Request;
use crate::model::{
    ChatId, Delivery, Direction, Invite, MessageKind, NewMessage, Occupant, Room, RoomPreset,
    RoomState,
};
use crate::store::StoredRoom;
use crate::worker::stanza::{self, Dropped};
use crate::worker::{Event, RoomCommand};
use crate::worker::{invite, muc, room_stanza};
use std::collections::BTreeMap;
use tokio::time::Instant;
use tokio_xmpp::Stanza;
use tokio_xmpp::jid::{BareJid, Jid};
use tokio_xmpp::parsers::message::Message;

/// A room as this session knows it.
pub(super) struct RoomSession {
    pub room: Room,
    pub password: Option<String>,
    pub occupants: BTreeMap<String, Occupant>,
    /// Our own presence came back (status 110): later changes are live events.
    pub joined: bool,
    /// Being created from this preset and name: configured when the room says it is new.
    pub creating: Option<(RoomPreset, Option<String>)>,
    /// Joined or created by the user in this session: the server's bookmark list, which may
    /// predate it, does not remove it.
    pub chosen: bool,
    /// The archive id of the newest line we had when joining: the room's archive is asked for
    /// everything after it, which its history on join may not hold.
    pub catch_up_after: Option<String>,
    /// Where a catch-up cut short (a lost connection, a quit) stopped, read from the store on
    /// joining: this join goes on from there, since the newest line we have (history on join,
    /// live lines) lies past the part not yet read. Taken when the catch-up starts.
    pub unfinished_catch_up: Option<Unfinished>,
    /// When the room last said anything to us.
    pub last_heard: Instant,
    /// A self-ping is out and unanswered.
    pub pinging: bool,
    /// Who writes in the room, for matching corrections to their authors.
    pub authors: RoomAuthors,
}

impl RoomSession {
    pub(super) fn from_stored(stored: StoredRoom) -> Self {
        Self {
            room: Room {
                jid: stored.jid,
                name: stored.name,
                nick: stored.nick,
                autojoin: stored.autojoin,
                state: RoomState::Left,
                subject: None,
                members_only: false,
            },
            password: stored.password,
            occupants: BTreeMap::new(),
            joined: false,
            creating: None,
            chosen: false,
            catch_up_after: None,
            unfinished_catch_up: None,
            last_heard: Instant::now(),
            pinging: false,
            authors: RoomAuthors::default(),
        }
    }

    pub(super) fn stored(&self) -> StoredRoom {
        StoredRoom {
            jid: self.room.jid.clone(),
            name: self.room.name.clone(),
            nick: self.room.nick.clone(),
            autojoin: self.room.autojoin,
            password: self.password.clone(),
        }
    }
}

impl Session {
    /// The rooms remembered from last time, not joined yet.
    pub(super) fn load_rooms(&mut self) {
        match self.store.read(|store| store.rooms(self.account_key())) {
            Ok(rooms) => {
                for stored in rooms {
                    if let Ok(jid) = BareJid::new(&stored.jid) {
                        self.rooms.insert(jid, RoomSession::from_stored(stored));
                    }
                }
            }
            Err(e) => tracing::warn!("{e}"),
        }
    }

    pub(super) fn announce_rooms(&self) {
        let mut rooms: Vec<Room> = self.rooms.values().map(|r| r.room.clone()).collect();
        rooms.sort_by(|a, b| a.jid.cmp(&b.jid));
        self.emit(Event::Rooms(rooms));
    }

    /// After login: enter every room marked autojoin.
    pub(super) async fn join_autojoin_rooms(&mut self) {
        let rooms: Vec<BareJid> = self
            .rooms
            .iter()
            .filter(|(_, r)| r.room.autojoin)
            .map(|(jid, _)| jid.clone())
            .collect();
        for room in rooms {
            self.enter_room(&room).await;
        }
    }

    /// The stream went away: nobody is in any room until we rejoin.
    pub(super) fn rooms_offline(&mut self) {
        for (jid, session) in &mut self.rooms {
            session.joined = false;
            if !session.occupants.is_empty() {
                self.changed_rooms.entry(jid.clone()).or_default().reset = true;
            }
            session.occupants.clear();
            session.authors.reset();
            if matches!(session.room.state, RoomState::Joined | RoomState::Joining) {
                session.room.state = RoomState::Left;
            }
        }
    }

    pub(super) fn is_room(&self, jid: &BareJid) -> bool {
        self.rooms.contains_key(jid)
    }

    pub(super) fn room_joined(&self, jid: &BareJid) -> bool {
        self.rooms.get(jid).is_some_and(|r| r.joined)
    }

    pub(super) fn room_nick(&self, jid: &BareJid) -> Option<&str> {
        self.rooms.get(jid).map(|r| r.room.nick.as_str())
    }

    pub(super) async fn room_command(&mut self, command: RoomCommand) {
        if !self.is_online() {
            self.emit(Event::Outcome(Err("not connected; try again once online".into())));
            return;
        }
        let Some(command) = self.bookmarks.hold(command) else { return };
        match command {
            RoomCommand::Join { room, nick, password } => {
                self.join(&room, nick, password, None).await
            }
            RoomCommand::Create { room, preset, name } => {
                self.join(&room, None, None, Some((preset, name))).await
            }
            RoomCommand::Leave { room } => self.leave(&room).await,
            RoomCommand::List { service } => self.list_rooms(service).await,
            RoomCommand::GetConfig { room } => {
                let Some(room) = self.known_room(&room) else { return };
                let id = self.next_id("room-config");
                let iq = muc::config_request(id, &room);
                self.send_iq(iq, Request::Config { room, creating: false }).await;
            }
            RoomCommand::SetConfig { room, form } => {
                let Some(room) = self.known_room(&room) else { return };
                let id = self.next_id("room-config-set");
                let iq =
                    muc::config_submission(id, &room, crate::worker::data_form::submission(&form));
                let what = format!("configured {room}");
                self.send_iq(iq, Request::Configured { room, what }).await;
            }
            RoomCommand::SetSubject { room, subject } => {
                let Some(room) = self.known_room(&room) else { return };
                self.send(Stanza::Message(muc::subject_message(&room, &subject))).await;
                self.confirm_after_sent(format!("asked {room} to change its subject")).await;
            }
            RoomCommand::Invite { room, jid, reason } => self.invite(&room, &jid, reason).await,
            RoomCommand::Decline { invite } => {
                if invite.mediated
                    && let Some(decline) = invite::decline(&invite)
                {
                    self.send(Stanza::Message(decline)).await;
                }
                self.emit(Event::Outcome(Ok(format!(
                    "declined the invitation to {}",
                    invite.room
                ))));
            }
            RoomCommand::Moderate { room, nick, action, reason } => {
                let Some(room) = self.known_room(&room) else { return };
                let jid = self
                    .rooms
                    .get(&room)
                    .and_then(|r| r.occupants.get(&nick))
                    .and_then(|o| o.jid.clone());
                let id = self.next_id("moderate");
                match muc::moderation(id, &room, &nick, jid.as_deref(), action, reason.as_deref()) {
                    Ok(iq) => {
                        let what = format!("{action:?} {nick} in {room}").to_lowercase();
                        self.send_iq(iq, PendingIq::Change(what)).await;
                    }
                    Err(why) => self.emit(Event::Outcome(Err(why))),
                }
            }
            RoomCommand::ChangeNick { room, nick } => {
                let Some(room) = self.known_room(&room) else { return };
                match muc::nick_change_presence(&room, nick.trim()) {
                    Some(presence) => {
                        self.send(Stanza::Presence(presence)).await;
                        self.confirm_after_sent(format!("asked {room} to call you {nick}")).await;
                    }
                    None => {
                        self.emit(Event::Outcome(Err(format!("“{nick}” is not a valid nickname"))))
                    }
                }
            }
            RoomCommand::Destroy { room, reason } => {
                let Some(room) = self.known_room(&room) else { return };
                let id = self.next_id("destroy");
                let iq = muc::destroy(id, &room, reason.as_deref());
                self.send_iq(iq, Request::Destroy(room)).await;
            }
            RoomCommand::GetAffiliations { room, affiliation } => {
                let Some(room) = self.room_address(&room) else { return };
                let id = self.next_id("affiliations");
                let iq = muc::affiliation_list_request(id, &room, affiliation);
                self.send_iq(iq, Request::Affiliations { room, affiliation }).await;
            }
            RoomCommand::SetAffiliation { room, jid, affiliation, reason } => {
                let Some(room) = self.room_address(&room) else { return };
                let Ok(person) = BareJid::new(jid.trim()) else {
                    self.emit(Event::Outcome(Err(format!("“{jid}” is not a valid address"))));
                    return;
                };
                let id = self.next_id("affiliation");
                let iq =
                    muc::affiliation_change(id, &room, &person, affiliation, reason.as_deref());
                let what = format!("make {person} {} of {room}", affiliation.as_str());
                self.send_iq(iq, PendingIq::Change(what)).await;
            }
        }
    }

    /// A room we know, or an outcome saying we don't.
    /// Any room's address: its lists can be read and changed without being in it.
    fn room_address(&self, room: &str) -> Option<BareJid> {
        match BareJid::new(room.trim()) {
            Ok(jid) if jid.node().is_some() => Some(jid),
            _ => {
                self.emit(Event::Outcome(Err(format!("“{room}” is not a room's address"))));
                None
            }
        }
    }

    fn known_room(&self, room: &str) -> Option<BareJid> {
        match BareJid::new(room.trim()) {
            Ok(jid) if self.rooms.contains_key(&jid) => Some(jid),
            _ => {
                self.emit(Event::Outcome(Err(format!("you are not in {room}; join it first"))));
                None
            }
        }
    }

    async fn join(
        &mut self,
        room: &str,
        nick: Option<String>,
        password: Option<String>,
        creating: Option<(RoomPreset, Option<String>)>,
    ) {
        let jid = match BareJid::new(room.trim()) {
            Ok(jid) if jid.node().is_some() => jid,
            _ => {
                self.emit(Event::Outcome(Err(format!("“{room}” is not a room address"))));
                return;
            }
        };
        let default_nick = self.own.node().map_or("me", |n| n.as_str()).to_owned();
        let session = self.rooms.entry(jid.clone()).or_insert_with(|| {
            RoomSession::from_stored(StoredRoom {
                jid: jid.to_string(),
                name: None,
                nick: default_nick,
                autojoin: true,
                password: None,
            })
        });
        if let Some(nick) = nick.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()) {
            session.room.nick = nick;
        }
        if password.is_some() {
            session.password = password;
        }
        if let Some((_, Some(name))) = &creating {
            session.room.name = Some(name.clone());
        }
        session.room.autojoin = true;
        session.chosen = true;
        session.creating = creating;
        let stored = session.stored();
        if let Err(e) = self.store.write(|store| store.upsert_room(&self.account.jid, &stored)) {
            tracing::warn!("{e}");
        }
        self.publish_bookmark(&stored).await;
        self.enter_room(&jid).await;
    }

    /// Send our presence into the room, asking for the history we lack.
    pub(super) async fn enter_room(&mut self, room: &BareJid) {
        let since = self
            .store
            .read(|store| store.last_message_time(self.account_key(), room.as_str()))
            .ok()
            .flatten()
            .map(|t| t + chrono::Duration::milliseconds(1));
        let newest = self
            .store
            .read(|store| store.newest_archive_id(self.account_key(), room.as_str()))
            .ok()
            .flatten();
        let unfinished = self.unfinished_catch_up(room);
        let Some(session) = self.rooms.get_mut(room) else { return };
        session.catch_up_after = unfinished.as_ref().map(|u| u.resume.clone()).or(newest);
        session.unfinished_catch_up = unfinished;
        session.room.state = RoomState::Joining;
        session.joined = false;
        session.occupants.clear();
        session.authors.reset();
        self.changed_rooms.entry(room.clone()).or_default().reset = true;
        let presence =
            muc::join_presence(room, &session.room.nick, session.password.as_deref(), since);
        match presence {
            Some(presence) => {
                let presence = self.with_caps(presence);
                self.send(Stanza::Presence(presence)).await;
            }
            None => {
                session.room.state = RoomState::Failed("that nickname is not valid".into());
            }
        }
        self.announce_rooms();
    }

    async fn leave(&mut self, room: &str) {
        let Some(jid) = self.known_room(room) else { return };
        let Some(session) = self.rooms.remove(&jid) else { return };
        self.bookmarks.left(jid.as_str());
        if let Some(presence) = muc::leave_presence(&jid, &session.room.nick) {
            self.send(Stanza::Presence(presence)).await;
        }
        if let Err(e) = self.store.write(|store| store.remove_room(&self.account.jid, jid.as_str()))
        {
            tracing::warn!("{e}");
        }
        self.retract_bookmark(&jid).await;
        self.announce_rooms();
        self.confirm_after_sent(format!("left {jid}")).await;
    }

    async fn invite(&mut self, room: &str, jid: &str, reason: Option<String>) {
        let Some(room) = self.known_room(room) else { return };
        let Ok(to) = BareJid::new(jid.trim()) else {
            self.emit(Event::Outcome(Err(format!("“{jid}” is not a valid address"))));
            return;
        };
        let (members_only, password) = self
            .rooms
            .get(&room)
            .map(|r| (r.room.members_only, r.password.clone()))
            .unwrap_or_default();
        // A members-only room admits people only when the invitation goes through it (which
        // makes them members); an open room takes the person's word (XEP-0249).
        let message = if members_only {
            invite::mediated_invite(&room, &to, reason.as_deref())
        } else {
            invite::direct_invite(&room, &to, reason.as_deref(), password.as_deref())
        };
        self.send(Stanza::Message(message)).await;
        self.confirm_after_sent(format!("invited {to} to {room}")).await;
    }

    /// A message from a room or an occupant: a line for the store, a new subject, or an
    /// invitation through the room.
    pub(super) fn room_message(
        &mut self,
        room: BareJid,
        message: Message,
        batch: &mut Vec<NewMessage>,
    ) {
        self.heard_from(&room);
        let Some(session) = self.rooms.get_mut(&room) else { return };
        if let Some(subject) = muc::subject(&message) {
            let subject = Some(subject).filter(|s| !s.is_empty());
            if session.room.subject != subject {
                let by = message.from.as_ref().and_then(muc::nick_of).map(str::to_owned);
                if session.joined
                    && let (Some(by), Some(text)) = (&by, &subject)
                {
                    batch.push(event_line(
                        &room,
                        by,
                        format!("{by} changed the subject to: {text}"),
                    ));
                }
                session.room.subject = subject;
                self.announce_rooms();
            }
            return;
        }
        let occupant = message.from.as_ref().is_some_and(|f| f.resource().is_some());
        if let Some(invite) = invite::invite(&message, occupant) {
            self.invitation(invite);
            return;
        }
        let occupant_ids = session.authors.occupant_ids;
        let live = !stanza::is_delayed(&message);
        match room_stanza::room_message(message, &room, occupant_ids, chrono::Utc::now()) {
            Ok(mut line) => {
                self.attribute(&room, &mut line, live);
                batch.push(line);
            }
            Err(Dropped::NoBody) => {}
            Err(reason) => tracing::debug!("{room}: ignored a message: {reason:?}"),
        }
    }

    pub(super) fn invitation(&mut self, invite: Invite) {
        self.emit(Event::Invite(invite));
    }

    /// Is `chat` a room we may not send to yet (not joined)?
    pub(super) fn waits_for_room(&self, to: &Jid) -> bool {
        let bare = to.to_bare();
        self.is_room(&bare) && !self.room_joined(&bare)
    }

    /// Who a message to `to` goes to, and how.
    pub(super) fn route(&self, to: &Jid) -> stanza::Route {
        let bare = to.to_bare();
        match (self.is_room(&bare), to.resource().is_some()) {
            (true, false) => stanza::Route::Room,
            (true, true) => stanza::Route::RoomPrivate,
            (false, _) => stanza::Route::Chat,
        }
    }
}

/// An event line in a room's conversation.
pub(super) fn event_line(room: &BareJid, nick: &str, text: String) -> NewMessage {
    NewMessage {
        chat: ChatId(room.to_string()),
        kind: MessageKind::Event,
        nick: Some(nick.to_owned()),
        direction: Direction::In,
        from: room.to_string(),
        to: String::new(),
        body: text,
        timestamp: chrono::Utc::now(),
        state: Delivery::Received,
        stanza_id_attr: None,
        origin_id: None,
        server_id: None,
        attachment: None,
        author: Default::default(),
        replaces: None,
        reply: None,
        unstyled: false,
    }
}
