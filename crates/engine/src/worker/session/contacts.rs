//! The contact side of a session: the roster (with XEP-0237 versions), subscriptions,
//! presence in both directions, the block list (XEP-0191), and the IQs that carry them.
//! Everything that changes the roster or the block list is believed only from our own account.

use super::{PendingIq, Session};
use crate::model::{Contact, Presence, PresenceShow};
use crate::store::Store;
use crate::worker::{ContactChange, Event};
use crate::worker::{contact_stanza, disco, stanza};
use tokio_xmpp::Stanza;
use tokio_xmpp::jid::{BareJid, Jid};
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::blocking::{Block, BlocklistRequest, BlocklistResult, Unblock};
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::ns;
use tokio_xmpp::parsers::ping::Ping;
use tokio_xmpp::parsers::presence::{Presence as XmppPresence, Type as PresenceType};
use tokio_xmpp::parsers::roster::Roster;
use tokio_xmpp::parsers::stanza_error::DefinedCondition;

const OWN_SHOW: &str = "presence.show";
const OWN_STATUS: &str = "presence.status";

/// The presence the user chose last time, or plain "online".
pub(super) fn saved_presence(store: &Store, account: &str) -> Presence {
    let show = store.get_state(account, OWN_SHOW).ok().flatten();
    let status = store.get_state(account, OWN_STATUS).ok().flatten().filter(|s| !s.is_empty());
    Presence { show: show.map_or(PresenceShow::Online, |s| PresenceShow::parse(&s)), status }
}

impl Session {
    pub(super) fn next_id(&mut self, prefix: &str) -> String {
        self.next_iq += 1;
        format!("{prefix}-{}", self.next_iq)
    }

    /// The server handles a stream's stanzas in order, so the answer to a ping sent after
    /// them means they were all taken: only then is `what` reported done.
    pub(super) async fn confirm_after_sent(&mut self, what: String) {
        let id = self.next_id("barrier");
        let ping = Iq::from_get(id, Ping).with_to(Jid::from(self.own.domain().to_owned()));
        self.send_iq(ping, PendingIq::Change(what)).await;
    }

    pub(super) async fn send_iq(&mut self, iq: Iq, pending: PendingIq) {
        let responder = iq.to().cloned();
        self.pending_iqs.insert(iq.id().to_owned(), (responder, pending));
        self.send(Stanza::Iq(iq)).await;
    }

    /// Ask for the whole roster. XEP-0237 versions are not used: Prosody 0.12 keeps `ver='1'`
    /// across changes it makes while we are offline, so a versioned request returns a stale
    /// cache (see docs/decisions.md).
    pub(super) async fn request_roster(&mut self) {
        let id = self.next_id("roster");
        let query = Roster { ver: None, items: Vec::new() };
        self.send_iq(Iq::from_get(id, query), PendingIq::Roster).await;
    }

    pub(super) async fn request_block_list(&mut self) {
        let id = self.next_id("blocklist");
        self.send_iq(Iq::from_get(id, BlocklistRequest), PendingIq::BlockList).await;
    }

    pub(super) async fn send_own_presence(&mut self) {
        let presence = self.with_caps(contact_stanza::own_presence(&self.own_presence));
        self.send(Stanza::Presence(presence)).await;
    }

    /// XEP-0115: lets the server push the PEP nodes we `+notify` on (avatars, nicknames,
    /// bookmarks), and lets rooms and contacts know what we support.
    pub(super) fn with_caps(&self, mut presence: XmppPresence) -> XmppPresence {
        if let Some(caps) = disco::own_caps() {
            presence.add_payload(caps);
        }
        presence
    }

    pub(super) async fn set_own_presence(&mut self, presence: Presence) {
        let account = self.account.jid.clone();
        let status = presence.status.clone().unwrap_or_default();
        for (key, value) in [(OWN_SHOW, presence.show.as_str()), (OWN_STATUS, status.as_str())] {
            if let Err(e) = self.store.read(|store| store.set_state(&account, key, value)) {
                tracing::warn!("{e}");
            }
        }
        self.own_presence = presence.clone();
        self.emit(Event::OwnPresence(presence));
        if self.is_online() {
            self.send_own_presence().await;
            self.confirm_after_sent("status changed".into()).await;
        } else {
            self.emit(Event::Outcome(Ok("status saved; it is shown once online".into())));
        }
    }

    pub(super) fn announce_requests(&self) {
        match self.store.read(|store| store.subscription_requests(self.account_key())) {
            Ok(requests) => self.emit(Event::SubscriptionRequests(requests)),
            Err(e) => tracing::warn!("{e}"),
        }
    }

    pub(super) fn announce_blocked(&self) {
        match self.store.read(|store| store.blocked(self.account_key())) {
            Ok(blocked) => self.emit(Event::BlockList(blocked)),
            Err(e) => tracing::warn!("{e}"),
        }
    }

    pub(super) async fn contact_command(&mut self, change: ContactChange) {
        if !self.is_online() {
            self.emit(Event::Outcome(Err("not connected; try again once online".into())));
            return;
        }
        let jid = match &change {
            ContactChange::Add { jid, .. }
            | ContactChange::Update { jid, .. }
            | ContactChange::Remove { jid }
            | ContactChange::Approve { jid, .. }
            | ContactChange::Deny { jid }
            | ContactChange::Block { jid }
            | ContactChange::Unblock { jid } => jid,
        };
        let Ok(jid) = BareJid::new(jid.trim()) else {
            self.emit(Event::Outcome(Err(format!("“{jid}” is not a valid address"))));
            return;
        };
        match change {
            ContactChange::Add { name, groups, .. } => {
                let id = self.next_id("roster-set");
                let item = contact_stanza::roster_item(&jid, name.as_deref(), &groups);
                self.send_iq(Iq::from_set(id, item), PendingIq::Step(format!("adding {jid}")))
                    .await;
                self.send_subscription(PresenceType::Subscribe, &jid).await;
                self.confirm_after_sent(format!("added {jid} and asked to see their presence"))
                    .await;
            }
            ContactChange::Update { name, groups, .. } => {
                let id = self.next_id("roster-set");
                let item = contact_stanza::roster_item(&jid, name.as_deref(), &groups);
                self.send_iq(Iq::from_set(id, item), PendingIq::Change(format!("updated {jid}")))
                    .await;
            }
            ContactChange::Remove { .. } => {
                let id = self.next_id("roster-set");
                let removal = contact_stanza::roster_removal(&jid);
                self.send_iq(
                    Iq::from_set(id, removal),
                    PendingIq::Change(format!("removed {jid}")),
                )
                .await;
            }
            ContactChange::Approve { add_back, .. } => {
                self.send_subscription(PresenceType::Subscribed, &jid).await;
                self.answered(&jid);
                let known =
                    self.store.read(|store| store.roster(self.account_key())).unwrap_or_default();
                let sees_them = known.iter().any(|c| {
                    c.jid == jid.as_str()
                        && (c.ask_subscribe
                            || matches!(
                                c.subscription,
                                crate::model::Subscription::To | crate::model::Subscription::Both
                            ))
                });
                if add_back && !sees_them {
                    self.send_subscription(PresenceType::Subscribe, &jid).await;
                }
                self.confirm_after_sent(format!("{jid} may now see your presence")).await;
            }
            ContactChange::Deny { .. } => {
                self.send_subscription(PresenceType::Unsubscribed, &jid).await;
                self.answered(&jid);
                self.confirm_after_sent(format!("declined {jid}")).await;
            }
            ContactChange::Block { .. } => {
                let id = self.next_id("block");
                let block = Block { items: vec![Jid::from(jid.clone())] };
                self.answered(&jid);
                self.send_iq(Iq::from_set(id, block), PendingIq::Change(format!("blocked {jid}")))
                    .await;
            }
            ContactChange::Unblock { .. } => {
                let id = self.next_id("unblock");
                let unblock = Unblock { items: vec![Jid::from(jid.clone())] };
                self.send_iq(
                    Iq::from_set(id, unblock),
                    PendingIq::Change(format!("unblocked {jid}")),
                )
                .await;
            }
        }
    }

    async fn send_subscription(&mut self, type_: PresenceType, to: &BareJid) {
        self.send(Stanza::Presence(contact_stanza::subscription_presence(type_, to))).await;
    }

    /// A request was approved, denied or made moot by a block: it no longer waits.
    fn answered(&mut self, jid: &BareJid) {
        self.answered_requests.insert(jid.to_string());
        if let Err(e) = self
            .store
            .read(|store| store.remove_subscription_request(self.account_key(), jid.as_str()))
        {
            tracing::warn!("{e}");
        }
        self.announce_requests();
    }

    pub(super) fn presence(&mut self, presence: XmppPresence) {
        if let Some(from) = contact_stanza::subscription_request(&presence) {
            if self.answered_requests.contains(from.as_str()) {
                return;
            }
            // RFC 6121 §3.1.3: ask the user; never add a stranger by ourselves.
            match self
                .store
                .read(|store| store.add_subscription_request(self.account_key(), from.as_str()))
            {
                Ok(true) => self.announce_requests(),
                Ok(false) => {}
                Err(e) => tracing::warn!("{e}"),
            }
            return;
        }
        let Some(update) = contact_stanza::presence_update(presence) else { return };
        // Only contacts' presence is shown, so only theirs is kept: a stranger's directed
        // presences (any number of addresses and resources) would otherwise pile up.
        if update.from == self.own || !self.is_contact(&update.from) {
            return;
        }
        let jid = update.from.to_string();
        let best = self.presences.update(&jid, &update.resource, update.presence, update.priority);
        self.changed_presences.insert(jid, best);
    }

    /// Whether `jid` is on the contact list (one indexed look-up).
    pub(super) fn is_contact(&self, jid: &BareJid) -> bool {
        matches!(
            self.store.read(|store| store.subscription(self.account_key(), jid.as_str())),
            Ok(Some(_))
        )
    }

    /// Store and announce the presences changed by the burst just taken in.
    pub(super) fn flush_presences(&mut self) {
        if self.changed_presences.is_empty() {
            return;
        }
        let changed: Vec<_> = std::mem::take(&mut self.changed_presences).into_iter().collect();
        if let Err(e) = self.store.write(|store| store.set_presences(&self.account.jid, &changed)) {
            tracing::warn!("{e}");
        }
        self.emit(Event::Presences(changed));
    }

    pub(super) async fn iq(&mut self, iq: Iq) {
        match iq {
            Iq::Result { id, from, payload, .. } => {
                let Some(pending) = self.take_answered(&id, from.as_ref()) else { return };
                match pending {
                    PendingIq::Roster => self.roster_result(payload),
                    PendingIq::BlockList => self.block_list_result(payload),
                    PendingIq::Change(what) => self.emit(Event::Outcome(Ok(what))),
                    PendingIq::ServiceInfo => self.service_info(from, payload).await,
                    PendingIq::ServiceItems => self.service_items(payload).await,
                    PendingIq::Profile(jid) => self.profile_result(jid, payload),
                    PendingIq::OwnVCard(nickname) => self.publish_nickname(payload, nickname).await,
                    PendingIq::RoomConfig { room, creating } => {
                        self.room_config_result(room, creating, payload).await
                    }
                    PendingIq::RoomList(service) => self.room_list_result(service, payload).await,
                    PendingIq::RoomInfo(room) => self.room_info_result(room, payload),
                    PendingIq::RoomFeatures(room) => self.room_features(room, payload),
                    PendingIq::Affiliations { room, affiliation } => {
                        let list = Ok(crate::worker::muc::affiliation_list(payload));
                        self.emit(Event::Affiliations {
                            room: room.to_string(),
                            affiliation,
                            list,
                        });
                    }
                    PendingIq::SelfPing(room) => self.self_ping_answer(room, None).await,
                    PendingIq::ArchivePage => self.archive_page_done(payload).await,
                    PendingIq::OlderPage(queryid) => self.older_page_done(&queryid, payload),
                    PendingIq::RoomArchivePage(queryid) => {
                        self.room_archive_page_done(&queryid, payload).await
                    }
                    PendingIq::UploadSlot(message_id) => self.upload_slot(message_id, payload),
                    PendingIq::Invisible { on, asked } => {
                        self.invisible_answer(on, asked, None).await
                    }
                    PendingIq::Destroy(room) => self.destroyed(room),
                    PendingIq::Bookmarks => self.bookmarks_result(payload).await,
                    PendingIq::LegacyBookmarks => self.legacy_bookmarks_result(payload).await,
                    PendingIq::RoomConfigured { room, what } => {
                        self.room_configured(room, what).await
                    }
                    PendingIq::Avatar { jid, hash, source } => {
                        self.avatar_answer(jid, hash, source, payload)
                    }
                    PendingIq::Step(_) => {}
                }
            }
            Iq::Error { id, from, error, .. } => match self.take_answered(&id, from.as_ref()) {
                Some(
                    PendingIq::Change(what)
                    | PendingIq::Step(what)
                    | PendingIq::RoomConfigured { what, .. },
                ) => {
                    let why = stanza::error_text(&error);
                    self.emit(Event::Outcome(Err(format!("could not do that ({what}): {why}"))));
                }
                // Not every account has a vCard: Prosody answers item-not-found.
                Some(PendingIq::Profile(jid)) => match error.defined_condition {
                    DefinedCondition::ItemNotFound => self.profile_result(jid, None),
                    _ => self.profile_failed(jid, stanza::error_text(&error)),
                },
                // No vCard yet: start a fresh one.
                Some(PendingIq::OwnVCard(nickname)) => self.publish_nickname(None, nickname).await,
                Some(PendingIq::Avatar { hash, .. }) => self.avatar_failed(&hash),
                Some(PendingIq::ServiceInfo | PendingIq::ServiceItems) => {
                    self.discovered_one().await
                }
                Some(PendingIq::OlderPage(queryid)) => self.older_page_done(&queryid, None),
                Some(PendingIq::RoomArchivePage(queryid)) => {
                    self.room_archive_page_done(&queryid, None).await
                }
                Some(PendingIq::Affiliations { room, affiliation }) => {
                    let list = Err(stanza::error_text(&error));
                    self.emit(Event::Affiliations { room: room.to_string(), affiliation, list });
                }
                Some(PendingIq::UploadSlot(message_id)) => {
                    self.upload_slot_refused(message_id, &error)
                }
                Some(PendingIq::RoomConfig { room, creating: false }) => {
                    let form = Err(stanza::error_text(&error));
                    self.emit(Event::RoomConfig { room: room.to_string(), form });
                }
                Some(PendingIq::RoomList(service)) => {
                    self.room_list_failed(service, stanza::error_text(&error))
                }
                Some(PendingIq::RoomInfo(room)) => self.room_info_result(room, None),
                Some(PendingIq::SelfPing(room)) => self.self_ping_answer(room, Some(&error)).await,
                Some(PendingIq::ArchivePage) => self.archive_failed(),
                Some(PendingIq::Bookmarks) => self.bookmarks_refused(&error).await,
                Some(PendingIq::LegacyBookmarks) => self.legacy_bookmarks_refused().await,
                Some(PendingIq::Invisible { on, asked }) => {
                    self.invisible_answer(on, asked, Some(stanza::error_text(&error))).await
                }
                Some(PendingIq::Destroy(room)) => {
                    let why = stanza::error_text(&error);
                    self.emit(Event::Outcome(Err(format!("could not destroy {room}: {why}"))));
                }
                Some(_) => tracing::info!("{}: request {id} failed: {error:?}", self.account.jid),
                None => {}
            },
            Iq::Set { from, id, payload, .. } => {
                let own = contact_stanza::roster_push_allowed(from.as_ref(), &self.own);
                let handled = if !own {
                    tracing::warn!("{}: refused a push from {from:?}", self.account.jid);
                    false
                } else {
                    self.push(payload)
                };
                if handled {
                    self.reply_result(from, id).await;
                } else {
                    self.reply_error(from, id).await;
                }
            }
            Iq::Get { from, id, payload, .. } => {
                if stanza::is_ping(&payload) {
                    self.reply_result(from, id).await;
                } else if payload.is("query", ns::DISCO_INFO) {
                    self.answer_disco_info(from, id, payload).await;
                } else {
                    self.reply_error(from, id).await;
                }
            }
        }
    }

    /// The request `id` answered by `from`, if we sent it to `from`: RFC 6120 §8.1.2.1 lets
    /// only the addressee answer (our own account answers for requests without a `to`).
    fn take_answered(&mut self, id: &str, from: Option<&Jid>) -> Option<PendingIq> {
        let (responder, _) = self.pending_iqs.get(id)?;
        let genuine = match responder {
            Some(expected) => from == Some(expected),
            None => contact_stanza::roster_push_allowed(from, &self.own),
        };
        if !genuine {
            tracing::warn!("{}: ignored an answer to {id} from {from:?}", self.account.jid);
            return None;
        }
        self.pending_iqs.remove(id).map(|(_, pending)| pending)
    }

    /// A roster or block-list push from our server; false when it is something else.
    fn push(&mut self, payload: Element) -> bool {
        if payload.is("query", ns::ROSTER) {
            if let Ok(roster) = Roster::try_from(payload) {
                self.roster_push(roster);
            }
            true
        } else if payload.is("block", ns::BLOCKING) {
            self.block_push(Block::try_from(payload).map(|b| b.items).unwrap_or_default(), true);
            true
        } else if payload.is("unblock", ns::BLOCKING) {
            self.block_push(Unblock::try_from(payload).map(|b| b.items).unwrap_or_default(), false);
            true
        } else {
            false
        }
    }

    async fn reply_result(&mut self, to: Option<Jid>, id: String) {
        self.send(Stanza::Iq(Iq::Result { from: None, to, id, payload: None })).await;
    }

    async fn reply_error(&mut self, to: Option<Jid>, id: String) {
        let error = stanza::service_unavailable();
        self.send(Stanza::Iq(Iq::Error { from: None, to, id, error, payload: None })).await;
    }

    /// XEP-0237 §2.4: an empty result means the cached roster is current.
    fn roster_result(&mut self, payload: Option<Element>) {
        match payload.and_then(|p| Roster::try_from(p).ok()) {
            Some(roster) => {
                let contacts = contact_stanza::roster_contacts(roster);
                if let Err(e) =
                    self.store.write(|store| store.replace_roster(&self.account.jid, &contacts))
                {
                    self.emit(Event::Notice(e.to_string()));
                }
            }
            None => tracing::debug!("{}: cached roster is current", self.account.jid),
        }
        self.announce_roster();
    }

    fn roster_push(&mut self, roster: Roster) {
        for item in roster.items {
            let jid = item.jid.to_string();
            let result = match contact_stanza::roster_contact(item) {
                Some(contact) => {
                    self.store.read(|store| store.upsert_contact(self.account_key(), &contact))
                }
                None => self.store.read(|store| store.remove_contact(self.account_key(), &jid)),
            };
            if let Err(e) = result {
                tracing::warn!("{e}");
            }
        }
        self.announce_roster();
    }

    /// The stored roster with the presences we know now.
    fn announce_roster(&self) {
        let mut contacts: Vec<Contact> =
            self.store.read(|store| store.roster(self.account_key())).unwrap_or_default();
        for contact in &mut contacts {
            contact.presence = self.presences.best(&contact.jid);
        }
        self.emit(Event::Roster { contacts, from_server: true });
    }

    fn block_list_result(&mut self, payload: Option<Element>) {
        let Some(list) = payload.and_then(|p| BlocklistResult::try_from(p).ok()) else { return };
        let jids: Vec<String> = list.items.iter().map(ToString::to_string).collect();
        if let Err(e) = self.store.write(|store| store.replace_blocked(&self.account.jid, &jids)) {
            tracing::warn!("{e}");
        }
        self.announce_blocked();
    }

    /// XEP-0191 §3.3: the server tells all our resources about blocks; an empty unblock
    /// means "everyone".
    fn block_push(&mut self, items: Vec<Jid>, blocked: bool) {
        let account = self.account.jid.clone();
        let result = if !blocked && items.is_empty() {
            self.store.write(|store| store.replace_blocked(&account, &[]))
        } else {
            items.iter().try_for_each(|jid| {
                self.store.read(|store| store.set_blocked(&account, &jid.to_string(), blocked))
            })
        };
        if let Err(e) = result {
            tracing::warn!("{e}");
        }
        self.announce_blocked();
    }
}
