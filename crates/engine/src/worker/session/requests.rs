//! IQ routing. Our requests: each feature keeps its own type of what it asked (its `Request`,
//! turned into a [`PendingIq`] by a `From` impl next to it) and takes the answer or refusal in
//! one method; this file only checks who answered and hands the answer to that feature, so a
//! new request touches its feature's module and, for a new feature, one variant and one arm
//! here. Others' requests: pings, disco#info about us, and roster and block-list pushes from
//! our own account; everything else is refused.

use super::Session;
use super::{
    archive, avatars, bookmarks, browse, capabilities, commands, contacts, directory_search,
    discovery, invisible, older, profile, room_catch_up, room_config, room_directory, self_ping,
    service_registration, transfers,
};
use crate::worker::{Event, contact_stanza, stanza};
use std::collections::HashMap;
use tokio_xmpp::Stanza;
use tokio_xmpp::jid::Jid;
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::ns;
use tokio_xmpp::parsers::ping::Ping;
use tokio_xmpp::parsers::stanza_error::StanzaError;

/// What an addressee said to one of our requests: its payload, or why it refused.
pub(super) type Answer = Result<Option<Element>, StanzaError>;

/// Requests awaited at once before the oldest are given up: an addressee that never answers
/// (any stranger the user browses, any contact's client asked about its capabilities) must not
/// grow the table for as long as the connection lasts.
const MAX_AWAITED: usize = 1_000;
/// Once the table is full, requests older than this are given up first.
const PATIENCE: std::time::Duration = std::time::Duration::from_secs(300);

/// At [`MAX_AWAITED`], give up the requests older than [`PATIENCE`], and if none is, the
/// oldest one; a late answer to one is then ignored like any unknown id. True if any was.
fn make_room(awaited: &mut HashMap<String, Awaited>, now: tokio::time::Instant) -> bool {
    if awaited.len() < MAX_AWAITED {
        return false;
    }
    awaited.retain(|_, request| now.duration_since(request.sent) < PATIENCE);
    if awaited.len() >= MAX_AWAITED {
        let oldest =
            awaited.iter().min_by_key(|(_, request)| request.sent).map(|(id, _)| id.clone());
        if let Some(id) = oldest {
            awaited.remove(&id);
        }
    }
    true
}

/// A request we sent: who must answer (`None`: our own account), what for, and when.
pub(super) struct Awaited {
    responder: Option<Jid>,
    pub(super) pending: PendingIq,
    sent: tokio::time::Instant,
}

/// A request we sent and await the answer to, by the feature that sent it.
pub(super) enum PendingIq {
    /// A change the user asked for; the text says what, for the outcome shown.
    Change(String),
    /// Part of a change whose success another request reports; a refusal is reported here.
    Step(String),
    Contacts(contacts::Request),
    Discovery(discovery::Request),
    Browse(browse::Request),
    Capabilities(capabilities::Request),
    ServiceRegistration(service_registration::Request),
    DirectorySearch(directory_search::Request),
    Commands(commands::Request),
    Profile(profile::Request),
    Avatars(avatars::Request),
    Rooms(room_config::Request),
    RoomDirectory(room_directory::Request),
    SelfPing(self_ping::Request),
    Archive(archive::Request),
    Older(older::Request),
    RoomCatchUp(room_catch_up::Request),
    Transfers(transfers::Request),
    Invisible(invisible::Request),
    Bookmarks(bookmarks::Request),
}

impl PendingIq {
    /// A change the user asked for (or a step of one), as opposed to a question we asked.
    pub(super) fn is_change(&self) -> bool {
        matches!(self, Self::Change(_) | Self::Step(_) | Self::Bookmarks(_))
    }
}

impl Session {
    pub(super) fn next_id(&mut self, prefix: &str) -> String {
        self.next_iq += 1;
        format!("{prefix}-{}", self.next_iq)
    }

    pub(super) async fn send_iq(&mut self, iq: Iq, pending: impl Into<PendingIq>) {
        let responder = iq.to().cloned();
        self.make_room_for_a_request();
        let awaited =
            Awaited { responder, pending: pending.into(), sent: tokio::time::Instant::now() };
        self.pending_iqs.insert(iq.id().to_owned(), awaited);
        self.send(Stanza::Iq(iq)).await;
    }

    /// The server handles a stream's stanzas in order, so the answer to a ping sent after
    /// them means they were all taken: only then is `what` reported done.
    pub(super) async fn confirm_after_sent(&mut self, what: String) {
        let id = self.next_id("barrier");
        let ping = Iq::from_get(id, Ping).with_to(Jid::from(self.own.domain().to_owned()));
        self.send_iq(ping, PendingIq::Change(what)).await;
    }

    pub(super) async fn iq(&mut self, iq: Iq) {
        match iq {
            Iq::Result { id, from, payload, .. } => {
                if let Some(pending) = self.take_answered(&id, from.as_ref()) {
                    self.route_answer(pending, from, Ok(payload)).await;
                }
            }
            Iq::Error { id, from, error, .. } => {
                if let Some(pending) = self.take_answered(&id, from.as_ref()) {
                    self.route_answer(pending, from, Err(error)).await;
                }
            }
            Iq::Set { from, id, payload, .. } => {
                let own = contact_stanza::roster_push_allowed(from.as_ref(), &self.own);
                let handled = if !own {
                    tracing::warn!("{}: refused a push from {from:?}", self.account.jid);
                    false
                } else {
                    self.contact_push(payload)
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
                } else if super::about_us::asks_about_us(&payload) {
                    self.answer_about_us(from, id, payload).await;
                } else {
                    self.reply_error(from, id).await;
                }
            }
        }
    }

    async fn route_answer(&mut self, pending: PendingIq, from: Option<Jid>, answer: Answer) {
        match pending {
            PendingIq::Change(what) => self.outcome(what, answer),
            // A step's success is reported by the change it belongs to; its refusal here.
            PendingIq::Step(what) => {
                if let Err(error) = answer {
                    self.change_refused(&what, &error);
                }
            }
            PendingIq::Contacts(request) => self.contacts_answer(request, answer).await,
            PendingIq::Discovery(request) => self.discovery_answer(request, from, answer).await,
            PendingIq::Browse(request) => self.browse_answer(request, answer),
            PendingIq::Capabilities(request) => self.capabilities_answer(request, answer),
            PendingIq::ServiceRegistration(request) => self.registration_answer(request, answer),
            PendingIq::DirectorySearch(request) => self.search_answer(request, answer),
            PendingIq::Commands(request) => self.command_answer(request, answer),
            PendingIq::Profile(request) => self.profile_answer(request, answer).await,
            PendingIq::Avatars(request) => self.avatar_answer(request, answer).await,
            PendingIq::Rooms(request) => self.rooms_answer(request, answer).await,
            PendingIq::RoomDirectory(request) => self.directory_answer(request, answer).await,
            PendingIq::SelfPing(request) => self.self_ping_answer(request, answer).await,
            PendingIq::Archive(request) => self.archive_answer(request, answer).await,
            PendingIq::Older(request) => self.older_answer(request, answer),
            PendingIq::RoomCatchUp(request) => self.room_catch_up_answer(request, answer).await,
            PendingIq::Transfers(request) => self.upload_slot_answer(request, answer),
            PendingIq::Invisible(request) => self.invisible_answer(request, answer).await,
            PendingIq::Bookmarks(request) => self.bookmarks_answer(request, answer).await,
        }
    }

    /// A change's answer reports it done or refused.
    fn outcome(&mut self, what: String, answer: Answer) {
        match answer {
            Ok(_) => self.emit(Event::Outcome(Ok(what))),
            Err(error) => self.change_refused(&what, &error),
        }
    }

    /// Say that `what`, which the user asked for, was refused, and why.
    pub(super) fn change_refused(&self, what: &str, error: &StanzaError) {
        let why = stanza::error_text(error);
        self.emit(Event::Outcome(Err(format!("could not do that ({what}): {why}"))));
    }

    /// A refusal nobody needs to be told about, kept in the log.
    pub(super) fn log_refusal(&self, what: &str, error: &StanzaError) {
        tracing::info!("{}: {what} was refused: {error:?}", self.account.jid);
    }

    fn make_room_for_a_request(&mut self) {
        if make_room(&mut self.pending_iqs, tokio::time::Instant::now()) {
            tracing::info!("{}: unanswered requests given up", self.account.jid);
        }
    }

    /// The request `id` answered by `from`, if we sent it to `from`: RFC 6120 §8.1.2.1 lets
    /// only the addressee answer (our own account answers for requests without a `to`).
    fn take_answered(&mut self, id: &str, from: Option<&Jid>) -> Option<PendingIq> {
        let responder = &self.pending_iqs.get(id)?.responder;
        let genuine = match responder {
            Some(expected) => from == Some(expected),
            None => contact_stanza::roster_push_allowed(from, &self.own),
        };
        if !genuine {
            tracing::warn!("{}: ignored an answer to {id} from {from:?}", self.account.jid);
            return None;
        }
        self.pending_iqs.remove(id).map(|awaited| awaited.pending)
    }

    async fn reply_result(&mut self, to: Option<Jid>, id: String) {
        self.send(Stanza::Iq(Iq::Result { from: None, to, id, payload: None })).await;
    }

    pub(super) async fn reply_error(&mut self, to: Option<Jid>, id: String) {
        let error = stanza::service_unavailable();
        self.send(Stanza::Iq(Iq::Error { from: None, to, id, error, payload: None })).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::time::Instant;

    fn awaited(sent: Instant) -> Awaited {
        Awaited { responder: None, pending: PendingIq::Change("a change".into()), sent }
    }

    #[test]
    fn requests_nobody_answers_are_given_up_oldest_first_once_the_table_is_full() {
        let start = Instant::now();
        let mut table = HashMap::new();
        for i in 0..MAX_AWAITED - 1 {
            table.insert(format!("q{i}"), awaited(start + Duration::from_micros(i as u64)));
        }
        assert!(!make_room(&mut table, start), "room left: nothing given up");
        table.insert("last".into(), awaited(start + Duration::from_secs(1)));
        assert!(make_room(&mut table, start + Duration::from_secs(2)));
        assert_eq!(table.len(), MAX_AWAITED - 1, "the oldest went");
        assert!(!table.contains_key("q0"));
        table.insert("again".into(), awaited(start + PATIENCE));
        make_room(&mut table, start + PATIENCE + Duration::from_millis(500));
        assert_eq!(table.len(), 2, "everything older than the patience went: {:?}", table.keys());
    }
}
