//! What our server is and which services it hosts (XEP-0030), learnt after each login: the
//! upload service, conference services, invisibility; and our own answer to disco#info.

use super::Session;
use super::requests::{Answer, PendingIq};
use crate::model::Services;
use crate::worker::{Event, disco};
use tokio_xmpp::Stanza;
use tokio_xmpp::jid::Jid;
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::disco::{
    DiscoInfoQuery, DiscoInfoResult, DiscoItemsQuery, DiscoItemsResult,
};
use tokio_xmpp::parsers::iq::Iq;

/// A server lists few services; more than this is not worth asking each about.
const MAX_SERVICES: usize = 50;

/// What discovery found, and how many of its requests are unanswered.
#[derive(Default)]
pub(super) struct Discovery {
    pub services: Services,
    pub outstanding: usize,
}

pub(super) enum Request {
    /// disco#info of our server or one of its services.
    Info,
    /// disco#items of our server.
    Items,
}

impl From<Request> for PendingIq {
    fn from(request: Request) -> Self {
        Self::Discovery(request)
    }
}

impl Session {
    pub(super) async fn discovery_answer(
        &mut self,
        request: Request,
        from: Option<Jid>,
        answer: Answer,
    ) {
        match (request, answer) {
            (Request::Info, Ok(payload)) => self.service_info(from, payload).await,
            (Request::Items, Ok(payload)) => self.service_items(payload).await,
            (Request::Info | Request::Items, Err(_)) => self.discovered_one().await,
        }
    }

    /// Ask the server what it is and which services it hosts (each is then asked in turn).
    pub(super) async fn discover_services(&mut self) {
        self.discovery.services = Services::default();
        self.discovery.outstanding = 2;
        let server = Jid::from(self.own.domain().to_owned());
        let id = self.next_id("disco-info");
        let query = DiscoInfoQuery { node: None };
        self.send_iq(Iq::from_get(id, query).with_to(server.clone()), Request::Info).await;
        let id = self.next_id("disco-items");
        let query = DiscoItemsQuery { node: None, rsm: None };
        self.send_iq(Iq::from_get(id, query).with_to(server), Request::Items).await;
    }

    /// One discovery answer (or refusal) is in; once all are, a room list asked for too early
    /// is made.
    async fn discovered_one(&mut self) {
        self.discovery.outstanding = self.discovery.outstanding.saturating_sub(1);
        if self.discovery.outstanding == 0 {
            self.uploads_after_discovery().await;
        }
        if self.discovery.outstanding == 0
            && let Some(service) = self.directory.after_discovery.take()
        {
            self.list_rooms(service).await;
        }
    }

    async fn service_info(&mut self, from: Option<Jid>, payload: Option<Element>) {
        self.learn_service(from, payload);
        self.discovered_one().await;
    }

    fn learn_service(&mut self, from: Option<Jid>, payload: Option<Element>) {
        let Some(info) = payload.and_then(|p| DiscoInfoResult::try_from(p).ok()) else { return };
        let from = from.map_or_else(|| self.own.domain().to_string(), |f| f.to_string());
        let is_server = from == self.own.domain().as_str();
        let before = self.discovery.services.clone();
        disco::learn(&mut self.discovery.services, &from, is_server, &info);
        if self.discovery.services != before {
            self.emit(Event::Services(self.discovery.services.clone()));
        }
    }

    async fn service_items(&mut self, payload: Option<Element>) {
        let Some(items) = payload.and_then(|p| DiscoItemsResult::try_from(p).ok()) else {
            self.discovered_one().await;
            return;
        };
        for item in items.items.into_iter().filter(|i| i.node.is_none()).take(MAX_SERVICES) {
            let id = self.next_id("disco-info");
            let query = DiscoInfoQuery { node: None };
            self.discovery.outstanding += 1;
            self.send_iq(Iq::from_get(id, query).with_to(item.jid), Request::Info).await;
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
}
