//! Discovery of any address the user names (XEP-0030), for the discovery browser and `confab
//! disco`: one request, its answer bounded (`worker::entity`) and announced as it is. Lists
//! are asked for a page at a time (XEP-0059); an entity that does not page sends them whole.

use super::Session;
use super::requests::{Answer, PendingIq};
use crate::model::DiscoQuery;
use crate::worker::{Event, entity, stanza};
use tokio_xmpp::parsers::disco::{
    DiscoInfoQuery, DiscoInfoResult, DiscoItemsQuery, DiscoItemsResult,
};
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::rsm::SetQuery;

/// What the user asked about.
pub(super) struct Request {
    jid: String,
    node: Option<String>,
    query: DiscoQuery,
}

impl From<Request> for PendingIq {
    fn from(request: Request) -> Self {
        Self::Browse(request)
    }
}

impl Session {
    pub(super) async fn discover(&mut self, jid: String, node: Option<String>, query: DiscoQuery) {
        let to = match stanza::address(&jid) {
            Ok(to) => to,
            Err(why) => {
                let answer = Err(why);
                self.emit(Event::Discovered { jid, node, query, answer });
                return;
            }
        };
        let id = self.next_id("browse");
        let iq = match &query {
            DiscoQuery::Info => Iq::from_get(id, DiscoInfoQuery { node: node.clone() }),
            DiscoQuery::Items { after } => {
                let page = SetQuery {
                    max: Some(entity::PAGE),
                    after: after.clone(),
                    before: None,
                    index: None,
                };
                Iq::from_get(id, DiscoItemsQuery { node: node.clone(), rsm: Some(page) })
            }
        };
        self.send_iq(iq.with_to(to), Request { jid, node, query }).await;
    }

    pub(super) fn browse_answer(&mut self, request: Request, answer: Answer) {
        let Request { jid, node, query } = request;
        let answer = match answer {
            Ok(Some(payload)) if query != DiscoQuery::Info => DiscoItemsResult::try_from(payload)
                .map(entity::items)
                .map_err(|e| format!("its list could not be read: {e}")),
            Ok(Some(payload)) => DiscoInfoResult::try_from(payload)
                .map(entity::info)
                .map_err(|e| format!("its answer could not be read: {e}")),
            Ok(None) => Err("it answered with nothing".into()),
            Err(error) => Err(entity::refusal(&error)),
        };
        self.emit(Event::Discovered { jid, node, query, answer });
    }
}
