//! Older history from the server when this machine has no more: scrolling up past the oldest
//! stored message of a chat asks our archive (XEP-0313, `with` the peer), or the room's
//! archive, for the page before it. The page is stored quietly (it is not news: no
//! notification, no "new message") and answered as the history page the window asked for.
//!
//! Each archive is asked until it says it is complete; then that chat is known to be whole for
//! the rest of the session.

use super::Session;
use super::archive_order::place_in_archive_order;
use super::ingest::Arrival;
use super::requests::{Answer, PendingIq};
use crate::model::{ChatId, HistoryPage, NewMessage};
use crate::worker::Event;
use crate::worker::delivery::{self, ArchiveOwner, OlderThan};
use crate::worker::room_stanza;
use crate::worker::stanza::{self, Dropped};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use tokio_xmpp::jid::{BareJid, Jid};
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::message::Message;

/// A page of an archive being fetched for a chat.
pub(super) struct OlderQuery {
    chat: ChatId,
    /// The room whose archive answers, or `None` for our own.
    room: Option<BareJid>,
    /// The page the window is waiting for: before this message, this many.
    before: Option<i64>,
    limit: usize,
    /// The time of the message the page ends at: archives stamp whole seconds, so lines of
    /// the same second are placed just before it, in the archive's order.
    ends_at: Option<DateTime<Utc>>,
    batch: Vec<NewMessage>,
}

/// Where an older page ends, with the time of that end.
enum PageEnd {
    Id(String, DateTime<Utc>),
    Time(DateTime<Utc>),
    Newest,
}

/// Archive queries for older pages, by query id, and the chats whose archive is exhausted.
#[derive(Default)]
pub(super) struct Older {
    queries: HashMap<String, OlderQuery>,
    complete: std::collections::HashSet<ChatId>,
    /// The first archive id of the last older page of each chat: the next one ends there.
    cursor: HashMap<ChatId, String>,
}

/// A page of older history for a chat, by the query id its results carry.
pub(super) struct Request(String);

impl From<Request> for PendingIq {
    fn from(request: Request) -> Self {
        Self::Older(request)
    }
}

impl Session {
    pub(super) fn older_answer(&mut self, request: Request, answer: Answer) {
        self.older_page_done(&request.0, answer.ok().flatten());
    }

    /// Answer a history request from the store, and ask the server for more once the store
    /// has run out.
    pub(super) async fn load_history(&mut self, chat: ChatId, before: Option<i64>, limit: usize) {
        let page = match self
            .store
            .read(|store| store.history(self.account_key(), &chat, before, limit))
        {
            Ok(page) => page,
            Err(e) => {
                self.emit(Event::Notice(e.to_string()));
                return;
            }
        };
        let archive =
            if page.has_more || !self.is_online() { None } else { self.archive_of(&chat) };
        let Some(room) = archive else {
            self.emit(Event::History(page));
            return;
        };
        if page.messages.len() >= limit {
            // The store has exactly this much; the archive may have more, asked for next time.
            self.emit(Event::History(HistoryPage { has_more: true, ..page }));
            return;
        }
        if let Some(running) = self.older.queries.values_mut().find(|q| q.chat == chat) {
            // Already asking: answer this request when that page is in.
            running.before = before;
            running.limit = limit;
            return;
        }
        let end = self.page_end(&chat);
        let queryid = uuid::Uuid::new_v4().to_string();
        let id = self.next_id("older");
        let with = match &room {
            Some(_) => None,
            None => BareJid::new(chat.as_str()).ok(),
        };
        let (older_than, ends_at) = match &end {
            PageEnd::Id(id, at) => (OlderThan::Id(id), Some(*at)),
            PageEnd::Time(at) => (OlderThan::Time(*at), Some(*at)),
            PageEnd::Newest => (OlderThan::Now, None),
        };
        let mut iq = delivery::older_query(id, &queryid, with.as_ref(), older_than, limit);
        if let Some(room) = &room {
            iq = iq.with_to(Jid::from(room.clone()));
        }
        self.older.queries.insert(
            queryid.clone(),
            OlderQuery { chat, room, before, limit, ends_at, batch: Vec::new() },
        );
        self.send_iq(iq, Request(queryid)).await;
    }

    /// Where the next older page of a chat ends: the archive id of the last page's first
    /// line, or of the oldest stored line that has one, or else the oldest stored line's time.
    fn page_end(&self, chat: &ChatId) -> PageEnd {
        let account = self.account_key();
        let cursor = self.older.cursor.get(chat).map(String::as_str);
        match self.store.read(|store| store.archived_mark(account, chat, cursor)) {
            Ok(Some((id, at))) => PageEnd::Id(id, at),
            _ => match self.store.read(|store| store.oldest_time(account, chat)) {
                Ok(Some(at)) => PageEnd::Time(at),
                _ => PageEnd::Newest,
            },
        }
    }

    /// Whose archive keeps a chat's older messages: `Some(None)` our own, `Some(Some(room))`
    /// a room's; `None` when there is none to ask (a room's private chat) or it is exhausted.
    fn archive_of(&self, chat: &ChatId) -> Option<Option<BareJid>> {
        if self.older.complete.contains(chat) {
            return None;
        }
        let jid = Jid::new(chat.as_str()).ok()?;
        if jid.resource().is_some() || jid.node().is_none() {
            return None;
        }
        let bare = jid.to_bare();
        Some(self.is_room(&bare).then_some(bare))
    }

    /// An archive result answering one of our older-page queries; false if it answers none.
    pub(super) fn older_result(&mut self, message: &Message) -> bool {
        let Some(queryid) = delivery::archive_queryid(message) else { return false };
        let Some(query) = self.older.queries.get(&queryid) else { return false };
        let (asked_room, asked_chat) = (query.room.clone(), query.chat.clone());
        let owner = match &asked_room {
            Some(room) => ArchiveOwner::Room(room),
            None => ArchiveOwner::Own(&self.own),
        };
        let Some(archived) = delivery::archived(message, owner, &queryid) else {
            tracing::warn!("{}: ignored an archive result that is not genuine", self.account.jid);
            return true;
        };
        let now = Utc::now();
        let rooms = &self.rooms;
        let known_room = |jid: &BareJid| rooms.contains_key(jid);
        let line = match &asked_room {
            Some(room) => {
                let occupant_ids = rooms.get(room).is_some_and(|r| r.authors.occupant_ids);
                room_stanza::room_message(archived.message, room, occupant_ids, now).map(
                    |mut line| {
                        self.attribute(room, &mut line, false);
                        line
                    },
                )
            }
            None if archived.message.from.as_ref().is_some_and(|f| f.to_bare() == self.own) => {
                stanza::outgoing_copy(archived.message, &self.own, &known_room, now)
            }
            None => stanza::incoming_message(archived.message, &self.own, &known_room, now),
        };
        match line {
            // Only the chat asked about: an archive answers what it was asked, but a forged
            // or stray line must not land in another conversation.
            Ok(mut line) if line.chat == asked_chat => {
                line.server_id = Some(archived.id);
                if let Some(stamp) = archived.stamp {
                    line.timestamp = stanza::archive_time(&line.kind, stamp, now);
                }
                if let Some(query) = self.older.queries.get_mut(&queryid) {
                    query.batch.push(line);
                }
            }
            Ok(_) | Err(Dropped::NoBody) => {}
            Err(reason) => tracing::debug!("archive entry skipped: {reason:?}"),
        }
        true
    }

    /// Queries die with the connection: the window gets what the store has.
    pub(super) fn older_offline(&mut self) {
        for (_, query) in std::mem::take(&mut self.older.queries) {
            let chat = &query.chat;
            match self
                .store
                .read(|store| store.history(self.account_key(), chat, query.before, query.limit))
            {
                Ok(page) => self.emit(Event::History(page)),
                Err(e) => tracing::warn!("{e}"),
            }
        }
    }

    /// The page is complete (or refused): store it quietly and answer the waiting request.
    fn older_page_done(&mut self, queryid: &str, fin: Option<Element>) {
        let Some(mut query) = self.older.queries.remove(queryid) else { return };
        let (complete, first) = delivery::older_page_end(fin).unwrap_or((true, None));
        let complete = complete || first.is_none();
        match first {
            Some(first) if !complete => {
                self.older.cursor.insert(query.chat.clone(), first);
            }
            _ => {
                self.older.complete.insert(query.chat.clone());
            }
        }
        let unknown = vec![None; query.batch.len()];
        place_in_archive_order(&mut query.batch, &unknown, query.ends_at, None);
        self.store_incoming(query.batch, Arrival::Older);
        match self
            .store
            .read(|store| store.history(self.account_key(), &query.chat, query.before, query.limit))
        {
            Ok(HistoryPage { chat, messages, has_more }) => {
                let has_more = has_more || !complete;
                self.emit(Event::History(HistoryPage { chat, messages, has_more }));
            }
            Err(e) => self.emit(Event::Notice(e.to_string())),
        }
    }
}
