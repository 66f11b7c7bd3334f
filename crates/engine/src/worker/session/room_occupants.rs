//! Who is in a room: presences from the room and its occupants, our own presence coming back
//! (we are in: a new room is configured, the archive catches us up, waiting messages go out),
//! and occupant changes announced in bursts, as changes.

use super::Session;
use super::requests::PendingIq;
use super::room_config::Request;
use super::rooms::event_line;
use crate::model::{NewMessage, RoomState};
use crate::worker::muc::{self, Departure, OccupantChange};
use crate::worker::{Event, room_stanza};
use tokio_xmpp::jid::BareJid;
use tokio_xmpp::parsers::data_forms::{DataForm, DataFormType};
use tokio_xmpp::parsers::presence::Presence;

/// What changed among a room's occupants since the last announcement.
#[derive(Default)]
pub(super) struct OccupantChanges {
    pub nicks: std::collections::HashSet<String>,
    /// The list was emptied (we left or are entering again): announce it whole.
    pub reset: bool,
}

impl Session {
    /// Announce what changed among a room's occupants in the burst just taken in: only the
    /// changes, so a busy 1,000-person room costs per change, not per change times people.
    pub(super) fn flush_occupants(&mut self) {
        for (jid, changes) in std::mem::take(&mut self.changed_rooms) {
            let Some(session) = self.rooms.get(&jid) else { continue };
            let (present, gone) = if changes.reset {
                (session.occupants.values().cloned().collect(), Vec::new())
            } else {
                let (here, left): (Vec<String>, Vec<String>) =
                    changes.nicks.into_iter().partition(|n| session.occupants.contains_key(n));
                (here.iter().filter_map(|n| session.occupants.get(n).cloned()).collect(), left)
            };
            let room = jid.to_string();
            self.emit(Event::Occupants { room, present, gone, replace: changes.reset });
        }
    }

    /// A presence from a room or one of its occupants.
    pub(super) async fn room_presence(
        &mut self,
        room: BareJid,
        presence: Presence,
        batch: &mut Vec<NewMessage>,
    ) {
        self.heard_from(&room);
        let Some(nick) = presence.from.as_ref().and_then(muc::nick_of).map(str::to_owned) else {
            return;
        };
        let change = muc::occupant_change(&presence, &nick);
        let Some(session) = self.rooms.get_mut(&room) else { return };
        let own_nick = session.room.nick.clone();
        let line = |text: String| event_line(&room, &nick, text);
        match change {
            OccupantChange::Refused(why) if session.joined => {
                // A refused nick change: we stay in, as we were.
                self.emit(Event::Outcome(Err(why)));
            }
            OccupantChange::Refused(why) => {
                session.room.state = RoomState::Failed(why.clone());
                self.emit(Event::Outcome(Err(format!("could not join {room}: {why}"))));
                self.announce_rooms();
            }
            OccupantChange::Present { occupant, is_self, created } => {
                let before = session.occupants.insert(nick.clone(), occupant.clone());
                self.changed_rooms.entry(room.clone()).or_default().nicks.insert(nick.clone());
                if before.is_none() {
                    session.authors.arrived(&nick);
                }
                if is_self || nick == own_nick {
                    session
                        .authors
                        .set_own_occupant_id(room_stanza::occupant_id_of(&presence.payloads));
                    let first = !session.joined;
                    session.joined = true;
                    session.room.nick = nick.clone();
                    session.room.state = RoomState::Joined;
                    if first {
                        self.room_entered(&room, created).await;
                    }
                } else if session.joined {
                    match before {
                        None => batch.push(line(format!("{nick} joined"))),
                        Some(before) => {
                            if let Some(text) = muc::standing_line(&before, &occupant) {
                                batch.push(line(text));
                            }
                        }
                    }
                }
            }
            OccupantChange::Gone { is_self, why, .. } => {
                session.occupants.remove(&nick);
                session.authors.left(&nick);
                self.changed_rooms.entry(room.clone()).or_default().nicks.insert(nick.clone());
                let is_self = is_self || nick == own_nick;
                if let Departure::NewNick(new) = &why {
                    if is_self {
                        session.room.nick = new.clone();
                    }
                    if session.joined {
                        batch.push(line(muc::departure_line(&nick, &why)));
                    }
                    return;
                }
                if is_self {
                    session.joined = false;
                    session.occupants.clear();
                    session.authors.reset();
                    self.changed_rooms.entry(room.clone()).or_default().reset = true;
                    session.room.state = match &why {
                        Departure::Left => RoomState::Left,
                        other => RoomState::Failed(muc::own_departure_line(other)),
                    };
                    batch.push(line(muc::own_departure_line(&why)));
                    self.announce_rooms();
                } else if session.joined {
                    batch.push(line(muc::departure_line(&nick, &why)));
                }
            }
        }
    }

    /// Our own presence came back: we are in. A room just created is configured (from the
    /// preset, or as an instant room), and messages waiting for it go out.
    async fn room_entered(&mut self, room: &BareJid, created: bool) {
        self.announce_rooms();
        let creating = self.rooms.get(room).is_some_and(|r| r.creating.is_some());
        if created && creating {
            let id = self.next_id("room-config");
            let iq = muc::config_request(id, room);
            self.send_iq(iq, Request::Config { room: room.clone(), creating: true }).await;
        } else if created {
            // XEP-0045 §10.1.2: accept the default configuration rather than leave it locked.
            let id = self.next_id("room-instant");
            let instant = DataForm {
                type_: DataFormType::Submit,
                title: None,
                instructions: None,
                fields: Vec::new(),
            };
            let iq = muc::config_submission(id, room, instant);
            self.send_iq(iq, PendingIq::Step(format!("opening the new room {room}"))).await;
        } else if creating {
            if let Some(session) = self.rooms.get_mut(room) {
                session.creating = None;
            }
            self.emit(Event::Outcome(Err(format!("{room} already exists; you joined it"))));
        }
        self.ask_room_info(room).await;
        self.catch_up_with_room(room).await;
        self.flush_outbox().await;
    }
}
