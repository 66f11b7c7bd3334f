//! Who we and others are: reading contacts' vCards, and our own nickname (vCard NICKNAME, which Prosody
//! mirrors to vCard4, plus the XEP-0172 PEP nickname that Dino and Conversations read).

use super::Session;
use super::requests::{Answer, PendingIq};
use crate::worker::Event;
use crate::worker::{profile, stanza};
use tokio_xmpp::jid::{BareJid, Jid};
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::nick::Nick;
use tokio_xmpp::parsers::ns;
use tokio_xmpp::parsers::pubsub::{self, PubSub};
use tokio_xmpp::parsers::stanza_error::DefinedCondition;
use tokio_xmpp::parsers::vcard::VCardQuery;

const OWN_NICKNAME: &str = "profile.nickname";

pub(super) enum Request {
    /// Someone's vCard, by bare JID, for the window.
    VCard(String),
    /// Our own vCard, read to change its nickname to this.
    OwnVCard(String),
}

impl From<Request> for PendingIq {
    fn from(request: Request) -> Self {
        Self::Profile(request)
    }
}

impl Session {
    pub(super) async fn profile_answer(&mut self, request: Request, answer: Answer) {
        match (request, answer) {
            (Request::VCard(jid), Ok(payload)) => self.profile_result(jid, payload),
            // Not every account has a vCard: Prosody answers item-not-found.
            (Request::VCard(jid), Err(error)) => match error.defined_condition {
                DefinedCondition::ItemNotFound => self.profile_result(jid, None),
                _ => self.emit(Event::Profile { jid, profile: Err(stanza::error_text(&error)) }),
            },
            (Request::OwnVCard(nickname), Ok(payload)) => {
                self.publish_nickname(payload, nickname).await
            }
            // No vCard yet: start a fresh one.
            (Request::OwnVCard(nickname), Err(_)) => self.publish_nickname(None, nickname).await,
        }
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
        self.send_iq(iq, Request::VCard(jid.to_string())).await;
    }

    fn profile_result(&mut self, jid: String, payload: Option<Element>) {
        let profile = payload
            .filter(|p| p.is("vCard", ns::VCARD))
            .map(|vcard| profile::profile_from_vcard(&vcard))
            .unwrap_or_default();
        self.emit(Event::Profile { jid, profile: Ok(profile) });
    }

    /// Read our vCard first so that changing the nickname keeps every other field.
    pub(super) async fn set_nickname(&mut self, nickname: String) {
        let nickname = nickname.trim().to_owned();
        if let Err(e) =
            self.store.write(|store| store.set_state(&self.account.jid, OWN_NICKNAME, &nickname))
        {
            tracing::warn!("{e}");
        }
        self.emit(Event::OwnNickname(nickname.clone()));
        if !self.is_online() {
            self.emit(Event::Outcome(Ok("nickname saved; it is published once online".into())));
            return;
        }
        let id = self.next_id("vcard-own");
        self.send_iq(Iq::from_get(id, VCardQuery), Request::OwnVCard(nickname)).await;
    }

    async fn publish_nickname(&mut self, vcard: Option<Element>, nickname: String) {
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
