//! Contacts' capabilities (XEP-0115) as a session learns them: a hash seen before is looked up
//! in the store; a new one is asked about once, and its answer is remembered only when it
//! makes the announced hash. What Confab uses them for: knowing which contacts' clients
//! confirm messages (XEP-0184), so a message a lost server may have dropped goes out again to
//! them even before their first receipt (`outbox::confirm_again`).

use super::Session;
use super::requests::{Answer, PendingIq};
use crate::worker::caps::Announced;
use std::collections::{HashMap, HashSet};
use tokio::time::Instant;
use tokio_xmpp::jid::Jid;
use tokio_xmpp::parsers::disco::DiscoInfoResult;
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::ns;

/// Hashes asked about at once; announcements past this wait for a later presence.
const MAX_ASKING: usize = 16;
/// A question about a hash unanswered for this long no longer holds a place: a client that
/// never answers must not stop Confab learning others'.
const PATIENCE: std::time::Duration = std::time::Duration::from_secs(60);
/// Hashes that did not verify, not asked about again this session.
const MAX_REFUSED: usize = 1_000;
/// A client announcing more features than this is not one worth remembering.
const MAX_FEATURES: usize = 500;

#[derive(Default)]
pub(super) struct Capabilities {
    /// Hashes asked about, with when.
    asking: HashMap<String, Instant>,
    refused: HashSet<String>,
    /// Contacts (bare addresses) one of whose clients confirms messages; kept across
    /// connections, which is when it is needed.
    pub confirming: HashSet<String>,
}

/// A hash asked about, and whose client announced it.
pub(super) struct Request {
    announced: Announced,
    contact: String,
}

impl From<Request> for PendingIq {
    fn from(request: Request) -> Self {
        Self::Capabilities(request)
    }
}

impl Session {
    /// A contact's client announced what it can do.
    pub(super) async fn capabilities_announced(&mut self, from: Jid, announced: Announced) {
        let bare = from.to_bare();
        if bare == self.own || !self.is_contact(&bare) {
            return;
        }
        let contact = bare.to_string();
        let key = announced.key();
        match self.store.read(|store| store.capabilities(&key)) {
            Ok(Some(features)) => return self.learn_features(contact, &features),
            Ok(None) => {}
            Err(e) => return tracing::warn!("{e}"),
        }
        let known = &mut self.capabilities;
        let now = Instant::now();
        known.asking.retain(|_, asked| now.duration_since(*asked) < PATIENCE);
        if known.refused.contains(&key) || known.asking.contains_key(&key) {
            return;
        }
        if known.asking.len() >= MAX_ASKING {
            return;
        }
        known.asking.insert(key, now);
        let id = self.next_id("caps");
        let iq = Iq::from_get(id, announced.query()).with_to(from);
        self.send_iq(iq, Request { announced, contact }).await;
    }

    pub(super) fn capabilities_answer(&mut self, request: Request, answer: Answer) {
        let Request { announced, contact } = request;
        let key = announced.key();
        self.capabilities.asking.remove(&key);
        let Ok(Some(payload)) = answer else { return };
        let Ok(info) = DiscoInfoResult::try_from(payload) else { return };
        if info.features.len() > MAX_FEATURES || !announced.verifies(&info) {
            tracing::info!("{contact}: capabilities that do not make their hash {key}; ignored");
            if self.capabilities.refused.len() < MAX_REFUSED {
                self.capabilities.refused.insert(key);
            }
            return;
        }
        let features: Vec<String> = info.features.into_iter().collect();
        if let Err(e) = self.store.write(|store| store.remember_capabilities(&key, &features)) {
            tracing::warn!("{e}");
        }
        self.learn_features(contact, &features);
    }

    fn learn_features(&mut self, contact: String, features: &[String]) {
        if features.iter().any(|f| f == ns::RECEIPTS) {
            self.capabilities.confirming.insert(contact);
        }
    }
}
