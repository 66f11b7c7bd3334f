//! A conference service's public rooms (XEP-0045 §6.3): its items, completed with each room's
//! name, description and number of occupants from its disco#info, then announced at once.

use super::Session;
use super::requests::{Answer, PendingIq};
use crate::model::PublicRoom;
use crate::worker::{Event, muc, stanza};
use tokio_xmpp::jid::Jid;
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::disco::{
    DiscoInfoQuery, DiscoInfoResult, DiscoItemsQuery, DiscoItemsResult,
};
use tokio_xmpp::parsers::iq::Iq;

/// Rooms asked about for their details when listing a service.
const MAX_ROOM_DETAILS: usize = 100;

/// The room directory's state: the listing being completed, and a list asked for before
/// discovery found the conference service (made once discovery is done).
#[derive(Default)]
pub(super) struct Directory {
    pub listing: Option<Listing>,
    pub after_discovery: Option<Option<String>>,
}

pub(super) enum Request {
    /// A conference service's rooms.
    Items(String),
    /// One listed room's details.
    Info(String),
}

impl From<Request> for PendingIq {
    fn from(request: Request) -> Self {
        Self::RoomDirectory(request)
    }
}

/// A public room listing being completed with each room's details.
pub(super) struct Listing {
    pub service: String,
    pub rooms: Vec<PublicRoom>,
    pub waiting: usize,
}

impl Session {
    pub(super) async fn directory_answer(&mut self, request: Request, answer: Answer) {
        match (request, answer) {
            (Request::Items(service), Ok(payload)) => self.room_list_result(service, payload).await,
            (Request::Items(service), Err(error)) => {
                let rooms = Err(stanza::error_text(&error));
                self.emit(Event::PublicRooms { service, rooms });
            }
            (Request::Info(room), answer) => self.room_info_result(room, answer.ok().flatten()),
        }
    }

    pub(super) async fn list_rooms(&mut self, service: Option<String>) {
        if service.is_none()
            && self.discovery.services.conference.is_empty()
            && self.discovery.outstanding > 0
        {
            self.directory.after_discovery = Some(service);
            return;
        }
        let service = match service.or_else(|| self.discovery.services.conference.first().cloned())
        {
            Some(service) => service,
            None => {
                let error = "your server offers no chat room service".to_owned();
                self.emit(Event::PublicRooms { service: String::new(), rooms: Err(error) });
                return;
            }
        };
        let Ok(jid) = Jid::new(service.trim()) else {
            let error = format!("“{service}” is not a valid address");
            self.emit(Event::PublicRooms { service, rooms: Err(error) });
            return;
        };
        let id = self.next_id("rooms");
        let query = DiscoItemsQuery { node: None, rsm: None };
        self.send_iq(Iq::from_get(id, query).with_to(jid), Request::Items(service)).await;
    }

    async fn room_list_result(&mut self, service: String, payload: Option<Element>) {
        let items = payload.and_then(|p| DiscoItemsResult::try_from(p).ok()).map(|r| r.items);
        let rooms: Vec<PublicRoom> = items
            .unwrap_or_default()
            .into_iter()
            .map(|item| PublicRoom {
                jid: item.jid.to_string(),
                name: item.name.filter(|n| !n.is_empty()),
                description: None,
                occupants: None,
                members_only: false,
            })
            .collect();
        let asked: Vec<String> =
            rooms.iter().take(MAX_ROOM_DETAILS).map(|r| r.jid.clone()).collect();
        self.directory.listing = Some(Listing { service, rooms, waiting: asked.len() });
        for room in asked {
            let Ok(jid) = Jid::new(&room) else { continue };
            let id = self.next_id("room-info");
            let query = DiscoInfoQuery { node: None };
            self.send_iq(Iq::from_get(id, query).with_to(jid), Request::Info(room)).await;
        }
        self.finish_listing();
    }

    fn room_info_result(&mut self, room: String, payload: Option<Element>) {
        let info = payload.and_then(|p| DiscoInfoResult::try_from(p).ok());
        let Some(listing) = self.directory.listing.as_mut() else { return };
        if let (Some(info), Some(entry)) = (info, listing.rooms.iter_mut().find(|r| r.jid == room))
        {
            let details = muc::room_details(&info);
            // The room's own name wins: a service's list may decorate it (ejabberd appends
            // the number of occupants, "Lounge (3)"), and that number is shown apart.
            entry.name = details.name.or(entry.name.take());
            entry.description = details.description;
            entry.occupants = details.occupants;
            entry.members_only = details.members_only;
        }
        listing.waiting = listing.waiting.saturating_sub(1);
        self.finish_listing();
    }

    fn finish_listing(&mut self) {
        if self.directory.listing.as_ref().is_some_and(|l| l.waiting == 0)
            && let Some(listing) = self.directory.listing.take()
        {
            self.emit(Event::PublicRooms { service: listing.service, rooms: Ok(listing.rooms) });
        }
    }
}
