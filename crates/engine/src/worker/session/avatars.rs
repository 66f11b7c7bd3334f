//! Contacts' pictures. XEP-0084 notifications (pushed because our caps say `+notify`) name a
//! picture by hash; it is fetched only when the cache lacks it, checked against its hash and
//! size, and kept on disk by hash. A vCard photo hash in presence (XEP-0153) is the fallback
//! for clients that publish no XEP-0084 avatar.

use super::Session;
use super::requests::{Answer, PendingIq};
use crate::media::{AvatarCache, PreparedAvatar};
use crate::worker::Event;
use crate::worker::profile::{self, AvatarNotice, MAX_AVATAR_BYTES};
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
}

impl Avatars {
    pub(super) fn new(cache: AvatarCache) -> Self {
        Self { cache, fetching: HashSet::new() }
    }
}

/// A picture being fetched: whose, which, and from where.
pub(super) struct Request {
    jid: BareJid,
    hash: String,
    source: AvatarSource,
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
        self.send_iq(iq, Request { jid, hash, source }).await;
    }

    pub(super) fn avatar_answer(&mut self, request: Request, answer: Answer) {
        let Request { jid, hash, source } = request;
        self.avatars.fetching.remove(&hash);
        let payload = match answer {
            Ok(payload) => payload,
            Err(error) => return self.log_refusal(&format!("{jid}'s avatar"), &error),
        };
        let bytes = match source {
            AvatarSource::Pep => {
                let item = payload
                    .and_then(|p| PubSub::try_from(p).ok())
                    .and_then(|p| match p {
                        PubSub::Items(items) => items.items.into_iter().next(),
                        _ => None,
                    })
                    .and_then(|item| item.payload);
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
