//! Discovery of any address the user names (XEP-0030), for the discovery browser and `confab
//! disco`: one request, its answer bounded (`worker::entity`) and announced as it is.

use super::Session;
use super::requests::{Answer, PendingIq};
use crate::worker::{Event, entity, stanza};
use tokio_xmpp::parsers::disco::{
    DiscoInfoQuery, DiscoInfoResult, DiscoItemsQuery, DiscoItemsResult,
};
use tokio_xmpp::parsers::iq::Iq;

/// What the user asked about.
pub(super) struct Request {
    jid: String,
    node: Option<String>,
    items: bool,
}

impl From<Request> for PendingIq {
    fn from(request: Request) -> Self {
        Self::Browse(request)
    }
}

impl Session {
    pub(super) async fn discover(&mut self, jid: String, node: Option<String>, items: bool) {
        let to = match stanza::address(&jid) {
            Ok(to) => to,
            Err(why) => {
                let answer = Err(why);
                self.emit(Event::Discovered { jid, node, answer });
                return;
            }
        };
        let id = self.next_id("browse");
        let iq = if items {
            Iq::from_get(id, DiscoItemsQuery { node: node.clone(), rsm: None })
        } else {
            Iq::from_get(id, DiscoInfoQuery { node: node.clone() })
        };
        self.send_iq(iq.with_to(to), Request { jid, node, items }).await;
    }

    pub(super) fn browse_answer(&mut self, request: Request, answer: Answer) {
        let Request { jid, node, items } = request;
        let answer = match answer {
            Ok(Some(payload)) if items => DiscoItemsResult::try_from(payload)
                .map(entity::items)
                .map_err(|e| format!("its list could not be read: {e}")),
            Ok(Some(payload)) => DiscoInfoResult::try_from(payload)
                .map(entity::info)
                .map_err(|e| format!("its answer could not be read: {e}")),
            Ok(None) => Err("it answered with nothing".into()),
            Err(error) => Err(entity::refusal(&error)),
        };
        self.emit(Event::Discovered { jid, node, answer });
    }
}
