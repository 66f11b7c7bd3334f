//! A room's configuration and what it says of itself: the configuration form (shown, or filled
//! from a preset for a room being created), its features after joining or reconfiguring
//! (members only, occupant ids, name), its lists of members, admins and outcasts, and its
//! destruction.

use super::Session;
use super::requests::{Answer, PendingIq};
use crate::model::Affiliation;
use crate::worker::{Event, muc, stanza};
use tokio_xmpp::jid::{BareJid, Jid};
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::disco::{DiscoInfoQuery, DiscoInfoResult};
use tokio_xmpp::parsers::iq::Iq;

pub(super) enum Request {
    /// The configuration form: for the user, or to fill in for a room being created.
    Config {
        room: BareJid,
        creating: bool,
    },
    /// A new configuration was taken: report `what`, and learn the room's features again.
    Configured {
        room: BareJid,
        what: String,
    },
    /// The features of a room we are in (members only or not).
    Features(BareJid),
    /// The list of one affiliation.
    Affiliations {
        room: BareJid,
        affiliation: Affiliation,
    },
    Destroy(BareJid),
}

impl From<Request> for PendingIq {
    fn from(request: Request) -> Self {
        Self::Rooms(request)
    }
}

impl Session {
    pub(super) async fn rooms_answer(&mut self, request: Request, answer: Answer) {
        match (request, answer) {
            (Request::Config { room, creating }, Ok(payload)) => {
                self.room_config_result(room, creating, payload).await
            }
            (Request::Config { room, creating: false }, Err(error)) => {
                let form = Err(stanza::error_text(&error));
                self.emit(Event::RoomConfig { room: room.to_string(), form });
            }
            (Request::Config { room, creating: true }, Err(error)) => {
                self.log_refusal(&format!("the form of the new room {room}"), &error)
            }
            (Request::Configured { room, what }, Ok(_)) => self.room_configured(room, what).await,
            (Request::Configured { what, .. }, Err(error)) => self.change_refused(&what, &error),
            (Request::Features(room), Ok(payload)) => self.room_features(room, payload),
            (Request::Features(room), Err(error)) => {
                self.log_refusal(&format!("the features of {room}"), &error)
            }
            (Request::Affiliations { room, affiliation }, answer) => {
                let list =
                    answer.map(muc::affiliation_list).map_err(|error| stanza::error_text(&error));
                self.emit(Event::Affiliations { room: room.to_string(), affiliation, list });
            }
            (Request::Destroy(room), Ok(_)) => self.destroyed(room),
            (Request::Destroy(room), Err(error)) => {
                let why = stanza::error_text(&error);
                self.emit(Event::Outcome(Err(format!("could not destroy {room}: {why}"))));
            }
        }
    }

    /// The configuration form arrived: shown to the user, or filled from the preset of a room
    /// being created and submitted at once, so the room is never left locked.
    async fn room_config_result(
        &mut self,
        room: BareJid,
        creating: bool,
        payload: Option<Element>,
    ) {
        let form = muc::config_form(payload);
        if !creating {
            let form = form.ok_or_else(|| "the room sent no configuration form".to_owned());
            self.emit(Event::RoomConfig { room: room.to_string(), form });
            return;
        }
        let preset = self.rooms.get_mut(&room).and_then(|r| r.creating.take());
        let (Some(mut form), Some((preset, name))) = (form, preset) else { return };
        muc::apply_preset(&mut form, &preset, name.as_deref());
        let id = self.next_id("room-create");
        let iq = muc::config_submission(id, &room, crate::worker::data_form::submission(&form));
        let what = format!("created {room}");
        self.send_iq(iq, Request::Configured { room, what }).await;
    }

    /// A configuration was taken: its features (members only or not) may have changed.
    async fn room_configured(&mut self, room: BareJid, what: String) {
        self.ask_room_info(&room).await;
        self.emit(Event::Outcome(Ok(what)));
    }

    pub(super) async fn ask_room_info(&mut self, room: &BareJid) {
        let id = self.next_id("room-info");
        let query = DiscoInfoQuery { node: None };
        let to = Jid::from(room.clone());
        self.send_iq(Iq::from_get(id, query).with_to(to), Request::Features(room.clone())).await;
    }

    fn room_features(&mut self, room: BareJid, payload: Option<Element>) {
        let info = payload.and_then(|p| DiscoInfoResult::try_from(p).ok());
        let Some(info) = info else { return };
        let Some(session) = self.rooms.get_mut(&room) else { return };
        let details = muc::room_details(&info);
        session.authors.occupant_ids = info.features.contains(tokio_xmpp::parsers::ns::OID);
        session.authors.moderation = crate::worker::retraction::Moderation::offered(&info.features);
        // Invitations to a members-only room go through it, and the room shows a lock.
        let mut changed = session.room.members_only != details.members_only;
        session.room.members_only = details.members_only;
        // A room joined by address gets the name it gives itself.
        if session.room.name.is_none()
            && let Some(name) = details.name
        {
            session.room.name = Some(name);
            let stored = session.stored();
            if let Err(e) = self.store.write(|store| store.upsert_room(&self.account.jid, &stored))
            {
                tracing::warn!("{e}");
            }
            changed = true;
        }
        if changed {
            self.announce_rooms();
        }
    }

    fn destroyed(&mut self, room: BareJid) {
        self.rooms.remove(&room);
        if let Err(e) =
            self.store.write(|store| store.remove_room(&self.account.jid, room.as_str()))
        {
            tracing::warn!("{e}");
        }
        self.announce_rooms();
        self.emit(Event::Outcome(Ok(format!("destroyed {room}"))));
    }
}
