//! Who we and others are: answering disco#info about ourselves, discovering our server's
//! services, reading contacts' vCards, and our own nickname (vCard NICKNAME, which Prosody
//! mirrors to vCard4, plus the XEP-0172 PEP nickname that Dino and Conversations read).

use super::{PendingIq, Session};
use crate::model::Services;
use crate::worker::Event;
use crate::worker::{disco, profile};
use tokio_xmpp::Stanza;
use tokio_xmpp::jid::{BareJid, Jid};
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::disco::{
    DiscoInfoQuery, DiscoInfoResult, DiscoItemsQuery, DiscoItemsResult,
};
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::nick::Nick;
use tokio_xmpp::parsers::ns;
use tokio_xmpp::parsers::pubsub::{self, PubSub};
use tokio_xmpp::parsers::vcard::VCardQuery;

/// A server lists few services; more than this is not worth asking each about.
const MAX_SERVICES: usize = 50;

const OWN_NICKNAME: &str = "profile.nickname";

impl Session {
    /// Ask the server what it is and which services it hosts (each is then asked in turn).
    pub(super) async fn discover_services(&mut self) {
        self.services = Services::default();
        self.discovering = 2;
        let server = Jid::from(self.own.domain().to_owned());
        let id = self.next_id("disco-info");
        let query = DiscoInfoQuery { node: None };
        self.send_iq(Iq::from_get(id, query).with_to(server.clone()), PendingIq::ServiceInfo).await;
        let id = self.next_id("disco-items");
        let query = DiscoItemsQuery { node: None, rsm: None };
        self.send_iq(Iq::from_get(id, query).with_to(server), PendingIq::ServiceItems).await;
    }

    /// One discovery answer (or refusal) is in; once all are, a room list asked for too early
    /// is made.
    pub(super) async fn discovered_one(&mut self) {
        self.discovering = self.discovering.saturating_sub(1);
        if self.discovering == 0 {
            self.uploads_after_discovery().await;
        }
        if self.discovering == 0
            && let Some(service) = self.list_after_discovery.take()
        {
            self.list_rooms(service).await;
        }
    }

    pub(super) async fn service_info(&mut self, from: Option<Jid>, payload: Option<Element>) {
        self.learn_service(from, payload);
        self.discovered_one().await;
    }

    fn learn_service(&mut self, from: Option<Jid>, payload: Option<Element>) {
        let Some(info) = payload.and_then(|p| DiscoInfoResult::try_from(p).ok()) else { return };
        let from = from.map_or_else(|| self.own.domain().to_string(), |f| f.to_string());
        let is_server = from == self.own.domain().as_str();
        let before = self.services.clone();
        disco::learn(&mut self.services, &from, is_server, &info);
        if self.services != before {
            self.emit(Event::Services(self.services.clone()));
        }
    }

    pub(super) async fn service_items(&mut self, payload: Option<Element>) {
        let Some(items) = payload.and_then(|p| DiscoItemsResult::try_from(p).ok()) else {
            self.discovered_one().await;
            return;
        };
        for item in items.items.into_iter().filter(|i| i.node.is_none()).take(MAX_SERVICES) {
            let id = self.next_id("disco-info");
            let query = DiscoInfoQuery { node: None };
            self.discovering += 1;
            self.send_iq(Iq::from_get(id, query).with_to(item.jid), PendingIq::ServiceInfo).await;
        }
        self.discovered_one().await;
    }

    /// XEP-0030 §3.1 / XEP-0115 §6.2: anyone may ask what we support.
    pub(super) async fn answer_disco_info(&mut self, to: Option<Jid>, id: String, query: Element) {
        let node = DiscoInfoQuery::try_from(query).ok().and_then(|q| q.node);
        let iq = Iq::from_result(id, Some(disco::own_info(node)));
        let iq = match to {
            Some(to) => iq.with_to(to),
            None => iq,
        };
        self.send(Stanza::Iq(iq)).await;
    }

    pub(super) async fn fetch_profile(&mut self, jid: &str) {
        let Ok(jid) = BareJid::new(jid.trim()) else {
            let error = format!("“{jid}” is not a valid address");
            self.emit(Event::Profile { jid: jid.to_owned(), profile: Err(error) });
            return;
        };
        if !self.is_online() {
            let error = "not connected; the profile is shown once online".to_owned();
            self.emit(Event::Profile { jid: jid.to_string(), profile: Err(error) });
            return;
        }
        let id = self.next_id("vcard");
        // Our own vCard is asked of our account (no `to`), anyone else's of their address.
        let iq = Iq::from_get(id, VCardQuery);
        let iq = if jid == self.own { iq } else { iq.with_to(Jid::from(jid.clone())) };
        self.send_iq(iq, PendingIq::Profile(jid.to_string())).await;
    }

    pub(super) fn profile_result(&mut self, jid: String, payload: Option<Element>) {
        let profile = payload
            .filter(|p| p.is("vCard", ns::VCARD))
            .map(|vcard| profile::profile_from_vcard(&vcard))
            .unwrap_or_default();
        self.emit(Event::Profile { jid, profile: Ok(profile) });
    }

    pub(super) fn profile_failed(&mut self, jid: String, why: String) {
        self.emit(Event::Profile { jid, profile: Err(why) });
    }

    /// Read our vCard first so that changing the nickname keeps every other field.
    pub(super) async fn set_nickname(&mut self, nickname: String) {
        let nickname = nickname.trim().to_owned();
        if let Err(e) =
            self.store.read(|store| store.set_state(self.account_key(), OWN_NICKNAME, &nickname))
        {
            tracing::warn!("{e}");
        }
        self.emit(Event::OwnNickname(nickname.clone()));
        if !self.is_online() {
            self.emit(Event::Outcome(Ok("nickname saved; it is published once online".into())));
            return;
        }
        let id = self.next_id("vcard-own");
        self.send_iq(Iq::from_get(id, VCardQuery), PendingIq::OwnVCard(nickname)).await;
    }

    pub(super) async fn publish_nickname(&mut self, vcard: Option<Element>, nickname: String) {
        let vcard = vcard.filter(|v| v.is("vCard", ns::VCARD));
        let id = self.next_id("vcard-set");
        let updated = profile::with_nickname(vcard, &nickname);
        self.send_iq(
            Iq::Set { from: None, to: None, id, payload: updated },
            PendingIq::Step("saving the nickname in your vCard".into()),
        )
        .await;
        let id = self.next_id("nick");
        let item = pubsub::pubsub::Item {
            id: Some(pubsub::ItemId("current".into())),
            publisher: None,
            payload: Some(Nick(nickname.clone()).into()),
        };
        let publish = PubSub::Publish {
            publish: pubsub::pubsub::Publish {
                node: pubsub::NodeName(ns::NICK.into()),
                items: vec![item],
            },
            publish_options: None,
        };
        self.send_iq(Iq::from_set(id, publish), PendingIq::Step("publishing the nickname".into()))
            .await;
        let what = if nickname.is_empty() {
            "nickname cleared".to_owned()
        } else {
            format!("nickname set to “{nickname}”")
        };
        self.confirm_after_sent(what).await;
    }

    pub(super) fn announce_own_nickname(&self) {
        let nickname = self
            .store
            .read(|store| store.get_state(self.account_key(), OWN_NICKNAME))
            .ok()
            .flatten()
            .unwrap_or_default();
        self.emit(Event::OwnNickname(nickname));
    }
}
