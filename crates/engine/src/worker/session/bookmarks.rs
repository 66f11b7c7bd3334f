//! Room bookmarks (XEP-0402): the rooms to join at login, kept on the server so the user's other
//! clients agree, and followed as they change there. Believed only from our own account.
//!
//! A server without PEP refuses XEP-0402; then the bookmarks live in private XML storage
//! (XEP-0048 with XEP-0049), read at login and written whole whenever one changes. Which of
//! the two a server uses is known only once the bookmarks are read, so joining, creating or
//! leaving a room asked for before then (right after login) waits for that.
//!
//! A bookmark is published with publish-options that make the node hold every room, privately
//! (XEP-0402 §3.3, XEP-0223). A server that refuses them (ejabberd 23.01 knows only two of the
//! four fields and refuses the request, its issue #3044; any server whose node was made
//! otherwise answers precondition-not-met) gets the node created or configured that way first,
//! then the bookmark again without options, and so do later ones. Publishing without options
//! alone would leave such a server at its default of one item: each bookmark would erase the
//! one before.

use super::Session;
use super::requests::{Answer, PendingIq};
use crate::store::StoredRoom;
use crate::worker::RoomCommand;
use std::time::{Duration, Instant};
use tokio_xmpp::jid::BareJid;
use tokio_xmpp::jid::ResourcePart;
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::bookmarks::{Conference as LegacyConference, Storage};
use tokio_xmpp::parsers::bookmarks2::Conference;
use tokio_xmpp::parsers::data_forms::{DataForm, DataFormType, Field, FieldType};
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::message::Message;
use tokio_xmpp::parsers::ns;
use tokio_xmpp::parsers::private::Query as PrivateQuery;
use tokio_xmpp::parsers::pubsub::event::{Event as PubSubEvent, Payload as EventPayload};
use tokio_xmpp::parsers::pubsub::owner::{Owner, Payload as OwnerPayload};
use tokio_xmpp::parsers::pubsub::pubsub::{
    Configure, Create, Item, Items, Publish, PublishOptions, Retract,
};
use tokio_xmpp::parsers::pubsub::{ItemId, NodeName, PubSub};
use tokio_xmpp::parsers::stanza_error::{DefinedCondition, StanzaError};

/// Where the account's bookmarks are, as learnt at login, and changes waiting for that.
#[derive(Default)]
pub(super) struct Bookmarks {
    loaded: bool,
    /// In private storage (XEP-0048) rather than PEP (XEP-0402).
    legacy: bool,
    /// The links XEP-0048 storage also holds, written back untouched.
    legacy_urls: Vec<tokio_xmpp::parsers::bookmarks::Url>,
    /// Room commands that change bookmarks, asked for before they were read.
    waiting: Vec<RoomCommand>,
    /// The server refused publish-options: the node is configured instead.
    options_refused: bool,
    /// Rooms we left in this session, and when: the server's notice of the bookmark we
    /// published on joining may come after we left, and must not take us back in.
    left: Vec<(String, Instant)>,
}

/// How long after leaving a room a bookmark notice for it is taken for the late echo of our
/// own publish rather than another client's wish to join: far beyond a server's round trip.
const ECHO_WINDOW: Duration = Duration::from_secs(30);

impl Bookmarks {
    /// Read again at the next login.
    pub(super) fn offline(&mut self) {
        self.loaded = false;
    }

    /// Keep a command that changes bookmarks until they are read; `None` when it can go now.
    pub(super) fn hold(&mut self, command: RoomCommand) -> Option<RoomCommand> {
        let changes_bookmarks = matches!(
            command,
            RoomCommand::Join { .. } | RoomCommand::Create { .. } | RoomCommand::Leave { .. }
        );
        if self.loaded || !changes_bookmarks {
            return Some(command);
        }
        self.waiting.push(command);
        None
    }

    /// We left this room just now.
    pub(super) fn left(&mut self, jid: &str) {
        let now = Instant::now();
        self.left.retain(|(_, at)| now.duration_since(*at) < ECHO_WINDOW);
        self.left.push((jid.to_owned(), now));
    }

    /// Whether we left this room so recently that a bookmark notice for it is our own echo.
    fn just_left(&self, jid: &str) -> bool {
        self.left.iter().any(|(left, at)| left == jid && at.elapsed() < ECHO_WINDOW)
    }
}

pub(super) enum Request {
    /// XEP-0402 bookmarks in PEP.
    Pep,
    /// XEP-0048 bookmarks in private storage, where the server has no PEP.
    Legacy,
    /// One bookmark published, with or without publish-options.
    Publish { room: StoredRoom, with_options: bool },
    /// The node made ready (created, or configured where it exists) before `room` is
    /// published again without options.
    PrepareNode { room: StoredRoom, create: bool },
}

impl From<Request> for PendingIq {
    fn from(request: Request) -> Self {
        Self::Bookmarks(request)
    }
}

impl Session {
    pub(super) async fn bookmarks_answer(&mut self, request: Request, answer: Answer) {
        match (request, answer) {
            (Request::Pep, Ok(payload)) => self.bookmarks_result(payload).await,
            (Request::Pep, Err(error)) => self.bookmarks_refused(&error).await,
            (Request::Legacy, Ok(payload)) => self.legacy_bookmarks_result(payload).await,
            // Private storage cannot be read either: start from no bookmarks (what we join is
            // written there, and a refusal to write is reported).
            (Request::Legacy, Err(_)) => self.apply_bookmarks(Vec::new()).await,
            (Request::Publish { .. }, Ok(_)) => {}
            (Request::Publish { room, with_options: true }, Err(error))
                if !matches!(
                    error.defined_condition,
                    DefinedCondition::Forbidden | DefinedCondition::NotAuthorized
                ) =>
            {
                tracing::info!("{}: publish-options refused: {error:?}", self.account.jid);
                self.bookmarks.options_refused = true;
                self.prepare_bookmark_node(room, true).await;
            }
            (Request::PrepareNode { room, create: true }, Err(error))
                if error.defined_condition == DefinedCondition::Conflict =>
            {
                self.prepare_bookmark_node(room, false).await;
            }
            (Request::PrepareNode { room, .. }, Ok(_)) => {
                self.send_bookmark(&room, false).await;
            }
            (Request::Publish { room, .. } | Request::PrepareNode { room, .. }, Err(error)) => {
                self.change_refused(&format!("bookmarking {}", room.jid), &error);
            }
        }
    }

    pub(super) async fn request_bookmarks(&mut self) {
        let id = self.next_id("bookmarks");
        let items = Items {
            max_items: None,
            node: NodeName(ns::BOOKMARKS2.into()),
            subid: None,
            items: Vec::new(),
        };
        self.send_iq(Iq::from_get(id, PubSub::Items(items)), Request::Pep).await;
    }

    /// XEP-0402 refused: no item yet is just an empty list; anything else means the server
    /// has no PEP for it, and the bookmarks are in private storage (XEP-0048).
    async fn bookmarks_refused(&mut self, error: &StanzaError) {
        if error.defined_condition == DefinedCondition::ItemNotFound {
            self.apply_bookmarks(Vec::new()).await;
            return;
        }
        tracing::info!("{}: no PEP bookmarks; using private storage", self.account.jid);
        self.bookmarks.legacy = true;
        let id = self.next_id("bookmarks-private");
        let query = PrivateQuery { storage: Storage::new() };
        self.send_iq(Iq::from_get(id, query), Request::Legacy).await;
    }

    async fn legacy_bookmarks_result(&mut self, payload: Option<Element>) {
        let storage = payload.and_then(|p| PrivateQuery::try_from(p).ok()).map(|q| q.storage);
        let storage = storage.unwrap_or_default();
        let bookmarks = storage.conferences.iter().map(legacy_bookmark).collect();
        self.bookmarks.legacy_urls = storage.urls;
        self.apply_bookmarks(bookmarks).await;
    }

    /// Write every bookmark to private storage: XEP-0048 keeps them in one element.
    async fn store_legacy_bookmarks(&mut self) {
        let mut rooms: Vec<_> = self.rooms.values().map(|r| r.stored()).collect();
        rooms.sort_by(|a, b| a.jid.cmp(&b.jid));
        let conferences = rooms
            .into_iter()
            .filter_map(|room| {
                Some(LegacyConference {
                    autojoin: room.autojoin,
                    jid: BareJid::new(&room.jid).ok()?,
                    name: room.name,
                    nick: ResourcePart::new(&room.nick).ok().map(|n| n.into_owned()),
                    password: room.password,
                })
            })
            .collect();
        let storage = Storage { conferences, urls: self.bookmarks.legacy_urls.clone() };
        let id = self.next_id("bookmarks-private");
        let step = PendingIq::Step("saving your room bookmarks".into());
        self.send_iq(Iq::from_set(id, PrivateQuery { storage }), step).await;
    }

    /// The server's bookmarks are the truth: rooms bookmarked elsewhere are joined, rooms whose
    /// bookmark was removed elsewhere are forgotten.
    async fn bookmarks_result(&mut self, payload: Option<Element>) {
        let bookmarks: Vec<StoredRoom> = crate::worker::stanza::pubsub_items(payload)
            .into_iter()
            .filter_map(|item| bookmark(item.id.as_ref().map(|id| id.0.as_str()), item.payload))
            .collect();
        self.apply_bookmarks(bookmarks).await;
    }

    /// Take the server's list, then carry out the room commands that waited for it.
    async fn apply_bookmarks(&mut self, bookmarks: Vec<StoredRoom>) {
        self.bookmarks.loaded = true;
        self.reconcile_bookmarks(bookmarks).await;
        for command in std::mem::take(&mut self.bookmarks.waiting) {
            Box::pin(self.room_command(command)).await;
        }
    }

    async fn reconcile_bookmarks(&mut self, bookmarks: Vec<StoredRoom>) {
        let gone: Vec<BareJid> = self
            .rooms
            .iter()
            .filter(|(jid, room)| !room.chosen && !bookmarks.iter().any(|b| b.jid == jid.as_str()))
            .map(|(jid, _)| jid.clone())
            .collect();
        for jid in gone {
            self.leave_quietly(&jid).await;
        }
        for stored in bookmarks {
            self.bookmarked(stored).await;
        }
        self.announce_rooms();
    }

    /// XEP-0402 §3.4: changes made by our other clients, pushed because our caps `+notify`.
    pub(super) async fn bookmark_event(&mut self, message: &Message) -> bool {
        let Some(from) = message.from.as_ref() else { return false };
        if from.to_bare() != self.own || from.resource().is_some() {
            return false;
        }
        let Some(event) = message.payloads.iter().find(|p| p.is("event", ns::PUBSUB_EVENT)) else {
            return false;
        };
        let Ok(event) = PubSubEvent::try_from(event.clone()) else { return false };
        let EventPayload::Items { node, published, retracted } = event.payload else {
            return false;
        };
        if node.0 != ns::BOOKMARKS2 {
            return false;
        }
        for item in published {
            if let Some(stored) = bookmark(item.id.as_ref().map(|id| id.0.as_str()), item.payload) {
                self.bookmarked(stored).await;
            }
        }
        for id in retracted {
            if let Ok(jid) = BareJid::new(&id.0) {
                self.leave_quietly(&jid).await;
            }
        }
        self.announce_rooms();
        true
    }

    async fn bookmarked(&mut self, mut stored: StoredRoom) {
        let Ok(jid) = BareJid::new(&stored.jid) else { return };
        if self.bookmarks.just_left(jid.as_str()) {
            return;
        }
        if stored.nick.is_empty() {
            stored.nick = self.own.node().map_or("me", |n| n.as_str()).to_owned();
        }
        if let Err(e) = self.store.write(|store| store.upsert_room(&self.account.jid, &stored)) {
            tracing::warn!("{e}");
        }
        // A room we are in, or on our way into, is not entered again.
        let join = stored.autojoin
            && self.rooms.get(&jid).is_none_or(|r| {
                matches!(
                    r.room.state,
                    crate::model::RoomState::Left | crate::model::RoomState::Failed(_)
                )
            });
        match self.rooms.get_mut(&jid) {
            Some(session) => {
                session.room.name = stored.name;
                session.room.autojoin = stored.autojoin;
                session.password = stored.password;
            }
            None => {
                self.rooms.insert(jid.clone(), super::rooms::RoomSession::from_stored(stored));
            }
        }
        if join {
            self.enter_room(&jid).await;
        }
    }

    /// The bookmark is gone (removed by another of our clients): leave and forget the room.
    async fn leave_quietly(&mut self, jid: &BareJid) {
        let Some(session) = self.rooms.remove(jid) else { return };
        if session.room.state != crate::model::RoomState::Left
            && let Some(presence) = crate::worker::muc::leave_presence(jid, &session.room.nick)
        {
            self.send(tokio_xmpp::Stanza::Presence(presence)).await;
        }
        if let Err(e) = self.store.write(|store| store.remove_room(&self.account.jid, jid.as_str()))
        {
            tracing::warn!("{e}");
        }
    }

    /// XEP-0402 §3.3: one item per room, in a node only we can read.
    pub(super) async fn publish_bookmark(&mut self, room: &StoredRoom) {
        if self.bookmarks.legacy {
            self.store_legacy_bookmarks().await;
            return;
        }
        let with_options = !self.bookmarks.options_refused;
        self.send_bookmark(room, with_options).await;
    }

    async fn send_bookmark(&mut self, room: &StoredRoom, with_options: bool) {
        let conference = Conference {
            autojoin: room.autojoin,
            name: room.name.clone(),
            nick: ResourcePart::new(&room.nick).ok().map(|n| n.into_owned()),
            password: room.password.clone(),
            extensions: None,
        };
        let item = Item {
            id: Some(ItemId(room.jid.clone())),
            publisher: None,
            payload: Some(conference.into()),
        };
        let options = with_options.then(|| PublishOptions {
            form: Some(node_settings("http://jabber.org/protocol/pubsub#publish-options")),
        });
        let publish = PubSub::Publish {
            publish: Publish { node: NodeName(ns::BOOKMARKS2.into()), items: vec![item] },
            publish_options: options,
        };
        let id = self.next_id("bookmark");
        let request = Request::Publish { room: room.clone(), with_options };
        self.send_iq(Iq::from_set(id, publish), request).await;
    }

    /// Create the bookmarks node with the settings publish-options would have asked for, or
    /// (`create` false, it exists) configure it so.
    async fn prepare_bookmark_node(&mut self, room: StoredRoom, create: bool) {
        let node = NodeName(ns::BOOKMARKS2.into());
        let form = node_settings(ns::PUBSUB_CONFIGURE);
        let id = self.next_id("bookmark-node");
        let iq = if create {
            let configure = Configure { form: Some(form) };
            Iq::from_set(
                id,
                PubSub::Create { create: Create { node: Some(node) }, configure: Some(configure) },
            )
        } else {
            let payload = OwnerPayload::Configure { node: Some(node), form: Some(form) };
            Iq::from_set(id, Owner { payload })
        };
        self.send_iq(iq, Request::PrepareNode { room, create }).await;
    }

    /// The room is gone from `self.rooms` already; private storage is rewritten without it.
    pub(super) async fn retract_bookmark(&mut self, room: &BareJid) {
        if self.bookmarks.legacy {
            self.store_legacy_bookmarks().await;
            return;
        }
        let retract = Retract {
            node: NodeName(ns::BOOKMARKS2.into()),
            notify: true,
            items: vec![Item {
                id: Some(ItemId(room.to_string())),
                publisher: None,
                payload: None,
            }],
        };
        let id = self.next_id("bookmark-retract");
        let iq = Iq::from_set(id, PubSub::Retract(retract));
        self.send_iq(iq, PendingIq::Step(format!("removing the bookmark of {room}"))).await;
    }
}

/// XEP-0402 §3.3's node settings: every room kept, only we can read them, nothing pushed
/// to us at login.
fn node_settings(form_type: &str) -> DataForm {
    let setting = |var: &str, value: &str| Field::new(var, FieldType::TextSingle).with_value(value);
    DataForm::new(
        DataFormType::Submit,
        form_type,
        vec![
            setting("pubsub#persist_items", "true"),
            setting("pubsub#max_items", "max"),
            setting("pubsub#send_last_published_item", "never"),
            setting("pubsub#access_model", "whitelist"),
        ],
    )
}

fn legacy_bookmark(conference: &LegacyConference) -> StoredRoom {
    StoredRoom {
        jid: conference.jid.to_string(),
        name: conference.name.clone().filter(|n| !n.is_empty()),
        nick: conference.nick.as_ref().map(|n| n.to_string()).unwrap_or_default(),
        autojoin: conference.autojoin,
        password: conference.password.clone(),
    }
}

/// A bookmark item: its id is the room's address.
fn bookmark(id: Option<&str>, payload: Option<Element>) -> Option<StoredRoom> {
    let jid = BareJid::new(id?).ok()?;
    let conference = Conference::try_from(payload?).ok()?;
    let nick = conference.nick.map(|n| n.to_string()).unwrap_or_default();
    Some(StoredRoom {
        jid: jid.to_string(),
        name: conference.name.filter(|n| !n.is_empty()),
        nick,
        autojoin: conference.autojoin,
        password: conference.password,
    })
}

#[cfg(test)]
mod echo_tests {
    use super::Bookmarks;

    #[test]
    fn a_room_just_left_is_not_joined_again_by_the_echo_of_its_bookmark() {
        let mut bookmarks = Bookmarks::default();
        assert!(!bookmarks.just_left("tea@rooms.x"));
        bookmarks.left("tea@rooms.x");
        assert!(bookmarks.just_left("tea@rooms.x"));
        assert!(!bookmarks.just_left("coffee@rooms.x"), "only the room left");
    }
}
