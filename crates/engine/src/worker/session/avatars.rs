//! Contacts' pictures. XEP-0084 notifications (pushed because our caps say `+notify`) name a
//! picture by hash; it is fetched only when the cache lacks it, checked against its hash and
//! size, and kept on disk by hash. A vCard photo hash in presence (XEP-0153) is the fallback
//! for clients that publish no XEP-0084 avatar.
//!
//! A server pushes a contact's current avatar at login only while that contact is online
//! (ejabberd 23.01 sends PEP's last items for available contacts only; Prosody for all), so
//! a picture set or removed while both were away would stay unknown or stale. After the roster
//! arrives, contacts are therefore asked which avatar they have: each once per run, those
//! whose picture we do not know first, a bounded number per login.

use super::Session;
use super::requests::{Answer, PendingIq};
use crate::media::{AvatarCache, PreparedAvatar};
use crate::worker::profile::{self, AvatarNotice, MAX_AVATAR_BYTES};
use crate::worker::{Event, stanza};
use std::collections::HashSet;
use tokio_xmpp::jid::{BareJid, Jid};
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::avatar::{Data, Info, Metadata};
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::ns;
use tokio_xmpp::parsers::pubsub::pubsub::{Item, Items, Publish};
use tokio_xmpp::parsers::pubsub::{ItemId, NodeName, PubSub};
use tokio_xmpp::parsers::vcard::VCardQuery;

/// Avatar requests in flight at once.
const MAX_AVATAR_FETCHES: usize = 32;

/// Contacts asked for their avatar metadata per login; the rest are asked at later logins.
const MAX_AVATAR_LOOKUPS: usize = 64;

/// Where a picture announced by hash is fetched from.
#[derive(Debug)]
pub(super) enum AvatarSource {
    /// The contact's `urn:xmpp:avatar:data` PEP node.
    Pep,
    /// The PHOTO of their vCard.
    VCard,
}

/// Pictures by hash, shared with the window, which shows them, and the hashes being fetched,
/// so a burst of presences asks once.
pub(super) struct Avatars {
    pub cache: AvatarCache,
    pub fetching: HashSet<String>,
    /// Contacts already asked which avatar they have, in this run.
    looked_up: HashSet<BareJid>,
}

impl Avatars {
    pub(super) fn new(cache: AvatarCache) -> Self {
        Self { cache, fetching: HashSet::new(), looked_up: HashSet::new() }
    }
}

pub(super) enum Request {
    /// A picture being fetched: whose, which, and from where.
    Picture { jid: BareJid, hash: String, source: AvatarSource },
    /// Which avatar a contact has (their metadata node's latest item).
    Metadata(BareJid),
}

impl From<Request> for PendingIq {
    fn from(request: Request) -> Self {
        Self::Avatars(request)
    }
}

impl Session {
    pub(super) async fn avatar_notice(&mut self, jid: BareJid, notice: AvatarNotice) {
        match notice {
            AvatarNotice::Removed => self.set_avatar(&jid, None),
            AvatarNotice::Picture { bytes, .. } if bytes > MAX_AVATAR_BYTES => {
                tracing::info!("{jid} announced a {bytes}-byte avatar; not fetched");
            }
            AvatarNotice::Picture { hash, .. } => {
                self.want_avatar(jid, hash, AvatarSource::Pep).await
            }
        }
    }

    /// XEP-0153: a presence says which vCard photo they have.
    pub(super) async fn vcard_photo_hint(&mut self, jid: BareJid, hash: String) {
        if jid == self.own {
            return;
        }
        self.want_avatar(jid, hash, AvatarSource::VCard).await;
    }

    /// Fetch a picture announced by hash, for contacts only: anyone can announce new hashes
    /// in presence, and each would cost a request and a file. At most
    /// [`MAX_AVATAR_FETCHES`] are in flight; the rest wait for the next announcement.
    async fn want_avatar(&mut self, jid: BareJid, hash: String, source: AvatarSource) {
        if jid != self.own && !self.is_contact(&jid) {
            return;
        }
        if self.avatars.fetching.len() >= MAX_AVATAR_FETCHES {
            tracing::info!("{jid}'s avatar not fetched: {MAX_AVATAR_FETCHES} already in flight");
            return;
        }
        let known =
            self.store.read(|store| store.avatar(self.account_key(), jid.as_str())).ok().flatten();
        if known.as_deref() == Some(hash.as_str()) {
            return;
        }
        if self.avatars.cache.get(&hash).is_some() {
            self.set_avatar(&jid, Some(&hash));
            return;
        }
        if !self.avatars.fetching.insert(hash.clone()) {
            return;
        }
        let id = self.next_id("avatar");
        let iq = match source {
            AvatarSource::Pep => {
                let items = Items {
                    max_items: None,
                    node: NodeName(ns::AVATAR_DATA.into()),
                    subid: None,
                    items: vec![Item {
                        id: Some(ItemId(hash.clone())),
                        publisher: None,
                        payload: None,
                    }],
                };
                Iq::from_get(id, PubSub::Items(items))
            }
            AvatarSource::VCard => Iq::from_get(id, VCardQuery),
        };
        let iq = if jid == self.own { iq } else { iq.with_to(Jid::from(jid.clone())) };
        self.send_iq(iq, Request::Picture { jid, hash, source }).await;
    }

    /// Ask contacts whose presence we see which avatar they have: each once per run, those
    /// without a known picture first, at most [`MAX_AVATAR_LOOKUPS`] per login.
    pub(super) async fn look_up_avatars(&mut self) {
        use crate::model::Subscription;
        let mut contacts =
            self.store.read(|store| store.roster(self.account_key())).unwrap_or_default();
        contacts.sort_by_key(|c| c.avatar.is_some());
        let asked: Vec<BareJid> = contacts
            .into_iter()
            .filter(|c| matches!(c.subscription, Subscription::To | Subscription::Both))
            .filter_map(|c| BareJid::new(&c.jid).ok())
            .filter(|jid| !self.avatars.looked_up.contains(jid))
            .take(MAX_AVATAR_LOOKUPS)
            .collect();
        tracing::debug!("{}: asking {} contacts which avatar they have", self.own, asked.len());
        for jid in asked {
            self.avatars.looked_up.insert(jid.clone());
            let items = Items {
                max_items: Some(1),
                node: NodeName(ns::AVATAR_METADATA.into()),
                subid: None,
                items: Vec::new(),
            };
            let id = self.next_id("avatar-metadata");
            let iq = Iq::from_get(id, PubSub::Items(items)).with_to(Jid::from(jid.clone()));
            self.send_iq(iq, Request::Metadata(jid)).await;
        }
    }

    pub(super) async fn avatar_answer(&mut self, request: Request, answer: Answer) {
        match request {
            Request::Picture { jid, hash, source } => {
                self.picture_answer(jid, hash, source, answer)
            }
            Request::Metadata(jid) => {
                let items = stanza::pubsub_items(answer.ok().flatten());
                let notice = items
                    .into_iter()
                    .last()
                    .and_then(|item| item.payload)
                    .and_then(profile::metadata_notice);
                // No node or no item: they have no avatar, which is what we know already.
                if let Some(notice) = notice {
                    self.avatar_notice(jid, notice).await;
                }
            }
        }
    }

    fn picture_answer(&mut self, jid: BareJid, hash: String, source: AvatarSource, answer: Answer) {
        self.avatars.fetching.remove(&hash);
        let payload = match answer {
            Ok(payload) => payload,
            Err(error) => return self.log_refusal(&format!("{jid}'s avatar"), &error),
        };
        let bytes = match source {
            AvatarSource::Pep => {
                let item = stanza::pubsub_items(payload).into_iter().next();
                let item = item.and_then(|item| item.payload);
                profile::avatar_data(item, &hash)
            }
            AvatarSource::VCard => profile::vcard_photo(payload, &hash),
        };
        match bytes {
            Ok(bytes) => match self.avatars.cache.put(&hash, &bytes) {
                Ok(()) => self.set_avatar(&jid, Some(&hash)),
                Err(e) => tracing::warn!("{jid}'s avatar was not cached: {e}"),
            },
            Err(why) => tracing::info!("{jid}'s avatar was refused: {why}"),
        }
    }

    fn set_avatar(&mut self, jid: &BareJid, hash: Option<&str>) {
        match self.store.write(|store| store.set_avatar(&self.account.jid, jid.as_str(), hash)) {
            Ok(true) => {
                self.emit(Event::Avatar { jid: jid.to_string(), hash: hash.map(str::to_owned) })
            }
            Ok(false) => {}
            Err(e) => tracing::warn!("{e}"),
        }
    }

    /// XEP-0084 §4.1 and §4.2: the data first, then the metadata that points at it (or empty
    /// metadata to remove the avatar).
    pub(super) async fn publish_avatar(&mut self, avatar: Option<PreparedAvatar>) {
        if !self.is_online() {
            self.emit(Event::Outcome(Err("not connected; try again once online".into())));
            return;
        }
        let mut infos = Vec::new();
        if let Some(avatar) = &avatar {
            let Ok(id) = avatar.sha1.parse() else {
                self.emit(Event::Outcome(Err("the picture could not be prepared".into())));
                return;
            };
            if let Err(e) = self.avatars.cache.put(&avatar.sha1, &avatar.png) {
                tracing::warn!("our own avatar was not cached: {e}");
            }
            let data = Data { data: avatar.png.clone() };
            self.publish(ns::AVATAR_DATA, &avatar.sha1, data.into()).await;
            infos.push(Info {
                bytes: u32::try_from(avatar.png.len()).unwrap_or(u32::MAX),
                width: u16::try_from(avatar.width).ok(),
                height: u16::try_from(avatar.height).ok(),
                id,
                type_: "image/png".into(),
                url: None,
            });
        }
        let item_id = avatar.as_ref().map_or("current", |a| a.sha1.as_str()).to_owned();
        self.publish(ns::AVATAR_METADATA, &item_id, Metadata { infos }.into()).await;
        let own = self.own.clone();
        self.set_avatar(&own, avatar.as_ref().map(|a| a.sha1.as_str()));
        let what = if avatar.is_some() { "avatar published" } else { "avatar removed" };
        self.confirm_after_sent(what.into()).await;
    }

    async fn publish(&mut self, node: &str, item_id: &str, payload: Element) {
        let id = self.next_id("publish");
        let item =
            Item { id: Some(ItemId(item_id.to_owned())), publisher: None, payload: Some(payload) };
        let publish = PubSub::Publish {
            publish: Publish { node: NodeName(node.to_owned()), items: vec![item] },
            publish_options: None,
        };
        let step = PendingIq::Step(format!("publishing the avatar ({node})"));
        self.send_iq(Iq::from_set(id, publish), step).await;
    }
}
