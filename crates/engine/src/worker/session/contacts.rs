//! The contact side of a session: the roster (with XEP-0237 versions), subscriptions,
//! presence in both directions, the block list (XEP-0191), and the IQs that carry them.
//! Everything that changes the roster or the block list is believed only from our own account.

use super::Session;
use super::requests::{Answer, PendingIq};
use crate::model::{Contact, Presence, PresenceShow};
use crate::store::Store;
use crate::worker::presence::Presences;
use crate::worker::{ContactChange, Event};
use crate::worker::{contact_stanza, disco};
use std::collections::{HashMap, HashSet};
use tokio_xmpp::Stanza;
use tokio_xmpp::jid::{BareJid, Jid};
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::blocking::{Block, BlocklistRequest, BlocklistResult, Unblock};
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::ns;
use tokio_xmpp::parsers::presence::{Presence as XmppPresence, Type as PresenceType};
use tokio_xmpp::parsers::roster::Roster;

const OWN_SHOW: &str = "presence.show";
const OWN_STATUS: &str = "presence.status";

/// The presence the user chose last time, or plain "online".
pub(super) fn saved_presence(store: &Store, account: &str) -> Presence {
    let show = store.get_state(account, OWN_SHOW).ok().flatten();
    let status = store.get_state(account, OWN_STATUS).ok().flatten().filter(|s| !s.is_empty());
    Presence { show: show.map_or(PresenceShow::Online, |s| PresenceShow::parse(&s)), status }
}

/// What the contact side keeps while online.
#[derive(Default)]
pub(super) struct Contacts {
    /// Contacts' presences by resource, and the best of each.
    pub presences: Presences,
    /// Best presences changed since the last announcement, by contact.
    pub changed_presences: HashMap<String, Presence>,
    /// Requests answered in this session: the server re-sends pending requests after our
    /// initial presence, which may cross our answer, and must not bring them back.
    pub answered_requests: HashSet<String>,
}

impl Contacts {
    /// Presences and answers are of one connection.
    pub(super) fn offline(&mut self) {
        self.presences.clear();
        self.changed_presences.clear();
        self.answered_requests.clear();
    }
}

/// What the contact side asks our server.
pub(super) enum Request {
    Roster,
    BlockList,
}

impl From<Request> for PendingIq {
    fn from(request: Request) -> Self {
        Self::Contacts(request)
    }
}

impl Session {
    /// Ask for the whole roster. XEP-0237 versions are not used: Prosody 0.12 keeps `ver='1'`
    /// across changes it makes while we are offline, so a versioned request returns a stale
    /// cache (see docs/decisions.md).
    pub(super) async fn request_roster(&mut self) {
        let id = self.next_id("roster");
        let query = Roster { ver: None, items: Vec::new() };
        self.send_iq(Iq::from_get(id, query), Request::Roster).await;
    }

    pub(super) async fn request_block_list(&mut self) {
        let id = self.next_id("blocklist");
        self.send_iq(Iq::from_get(id, BlocklistRequest), Request::BlockList).await;
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
        if let Some(caps) = disco::own_ecaps2() {
            presence.add_payload(caps);
        }
        presence
    }

    pub(super) async fn set_own_presence(&mut self, presence: Presence) {
        let account = self.account.jid.clone();
        let status = presence.status.clone().unwrap_or_default();
        for (key, value) in [(OWN_SHOW, presence.show.as_str()), (OWN_STATUS, status.as_str())] {
            if let Err(e) = self.store.write(|store| store.set_state(&account, key, value)) {
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
        self.contacts.answered_requests.insert(jid.to_string());
        if let Err(e) = self
            .store
            .write(|store| store.remove_subscription_request(self.account_key(), jid.as_str()))
        {
            tracing::warn!("{e}");
        }
        self.announce_requests();
    }

    pub(super) fn presence(&mut self, presence: XmppPresence) {
        if let Some(from) = contact_stanza::subscription_request(&presence) {
            if self.contacts.answered_requests.contains(from.as_str()) {
                return;
            }
            // RFC 6121 §3.1.3: ask the user; never add a stranger by ourselves.
            match self
                .store
                .write(|store| store.add_subscription_request(self.account_key(), from.as_str()))
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
        let best = self.contacts.presences.update(
            &jid,
            &update.resource,
            update.presence,
            update.priority,
        );
        self.contacts.changed_presences.insert(jid, best);
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
        if self.contacts.changed_presences.is_empty() {
            return;
        }
        let changed: Vec<_> =
            std::mem::take(&mut self.contacts.changed_presences).into_iter().collect();
        if let Err(e) =
            self.store.transaction(|store| store.set_presences(&self.account.jid, &changed))
        {
            tracing::warn!("{e}");
        }
        self.emit(Event::Presences(changed));
    }

    /// A roster or block-list push from our server; false when it is something else.
    pub(super) fn contact_push(&mut self, payload: Element) -> bool {
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

    pub(super) async fn contacts_answer(&mut self, request: Request, answer: Answer) {
        match (request, answer) {
            (Request::Roster, Ok(payload)) => {
                self.roster_result(payload);
                self.look_up_avatars().await;
            }
            (Request::BlockList, Ok(payload)) => self.block_list_result(payload),
            (Request::Roster, Err(error)) => self.log_refusal("the roster request", &error),
            (Request::BlockList, Err(error)) => self.log_refusal("the block list request", &error),
        }
    }

    /// XEP-0237 §2.4: an empty result means the cached roster is current.
    fn roster_result(&mut self, payload: Option<Element>) {
        match payload.and_then(|p| Roster::try_from(p).ok()) {
            Some(roster) => {
                let contacts = contact_stanza::roster_contacts(roster);
                if let Err(e) = self
                    .store
                    .transaction(|store| store.replace_roster(&self.account.jid, &contacts))
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
                    self.store.write(|store| store.upsert_contact(&self.account.jid, &contact))
                }
                None => self.store.write(|store| store.remove_contact(&self.account.jid, &jid)),
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
            contact.presence = self.contacts.presences.best(&contact.jid);
        }
        self.emit(Event::Roster { contacts, from_server: true });
    }

    fn block_list_result(&mut self, payload: Option<Element>) {
        let Some(list) = payload.and_then(|p| BlocklistResult::try_from(p).ok()) else { return };
        let jids: Vec<String> = list.items.iter().map(ToString::to_string).collect();
        if let Err(e) =
            self.store.transaction(|store| store.replace_blocked(&self.account.jid, &jids))
        {
            tracing::warn!("{e}");
        }
        self.announce_blocked();
    }

    /// XEP-0191 §3.3: the server tells all our resources about blocks; an empty unblock
    /// means "everyone".
    fn block_push(&mut self, items: Vec<Jid>, blocked: bool) {
        let account = self.account.jid.clone();
        let result = if !blocked && items.is_empty() {
            self.store.transaction(|store| store.replace_blocked(&account, &[]))
        } else {
            items.iter().try_for_each(|jid| {
                self.store.write(|store| store.set_blocked(&account, &jid.to_string(), blocked))
            })
        };
        if let Err(e) = result {
            tracing::warn!("{e}");
        }
        self.announce_blocked();
    }
}
