//! Catching up after being away: our archive (XEP-0313) page by page from where we left off,
//! and carbons (XEP-0280) of what our other clients send and receive. Everything is stored
//! with its original time and deduplicated by the archive id our server stamps on messages, so
//! offline storage, the archive and live traffic never double a message. Each page is stored
//! whole, per conversation in the archive's order around the lines that came live meanwhile
//! (`archive_order`).

use super::Session;
use super::archive_order::Mark;
use super::ingest::Arrival;
use super::requests::{Answer, PendingIq};
use crate::model::{ChatId, NewMessage};
use crate::worker::Event;
use crate::worker::delivery::{self, ArchiveOwner, Archived};
use crate::worker::stanza::{self, Dropped};
use chrono::Utc;
use std::collections::HashMap;
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::message::Message;

/// Messages asked for per archive page.
const ARCHIVE_PAGE: usize = 100;
/// A first login looks back this far, not through years of archive.
const FIRST_CATCH_UP: chrono::Duration = chrono::Duration::days(7);
/// Where the last catch-up stopped (an archive id), per account.
const ARCHIVE_CURSOR: &str = "archive.last";

/// Where the archive catch-up may move its saved position to.
#[derive(Default)]
pub(super) struct Cursor {
    /// The archive position to save once the batch it ends is stored.
    due: Option<String>,
    /// A batch could not be stored since this connection's catch-up began: the position stays
    /// where it was, before what was lost, until the next catch-up fetches it again.
    held: bool,
}

/// A catch-up in progress.
pub(super) struct CatchUp {
    pub queryid: String,
    pub fetched: usize,
    /// The last archive id of the page being taken in, saved once the page is stored.
    pub page_last: Option<String>,
    /// The lines of the page being taken in, stored when it ends.
    page: Vec<NewMessage>,
    /// Where each conversation's lines of the previous pages ended.
    ends: HashMap<ChatId, Mark>,
}

/// A page of our archive.
pub(super) struct Request;

impl From<Request> for PendingIq {
    fn from(request: Request) -> Self {
        Self::Archive(request)
    }
}

impl Session {
    pub(super) async fn archive_answer(&mut self, _: Request, answer: Answer) {
        match answer {
            Ok(payload) => self.archive_page_done(payload).await,
            Err(_) => self.archive_failed(),
        }
    }

    /// XEP-0280 §4: ask the server for copies of what our other clients send and receive.
    pub(super) async fn enable_carbons(&mut self) {
        let id = self.next_id("carbons");
        let iq = Iq::from_set(id, tokio_xmpp::parsers::carbons::Enable);
        self.send_iq(iq, PendingIq::Step("enabling message copies".into())).await;
    }

    /// Start catching up from where the last catch-up ended.
    pub(super) async fn start_catch_up(&mut self) {
        let queryid = uuid::Uuid::new_v4().to_string();
        self.catch_up = Some(CatchUp {
            queryid,
            fetched: 0,
            page_last: None,
            page: Vec::new(),
            ends: HashMap::new(),
        });
        self.archive_cursor = Cursor::default();
        let after = self
            .store
            .read(|store| store.get_state(self.account_key(), ARCHIVE_CURSOR))
            .ok()
            .flatten();
        self.ask_archive_page(after).await;
    }

    async fn ask_archive_page(&mut self, after: Option<String>) {
        let Some(queryid) = self.catch_up.as_ref().map(|c| c.queryid.clone()) else { return };
        let start = after.is_none().then(|| Utc::now() - FIRST_CATCH_UP);
        let id = self.next_id("archive");
        let iq = delivery::archive_query(id, &queryid, after.as_deref(), start, ARCHIVE_PAGE);
        self.send_iq(iq, Request).await;
    }

    /// One message of our archive, if it answers our query; it joins the page being read.
    pub(super) async fn archived(&mut self, message: &Message) {
        if self.older_result(message) || self.room_archive_result(message).await {
            return;
        }
        let Some(catch_up) = self.catch_up.as_mut() else {
            tracing::debug!("ignored an archive result nobody asked for");
            return;
        };
        let Some(Archived { id, stamp, message }) =
            delivery::archived(message, ArchiveOwner::Own(&self.own), &catch_up.queryid)
        else {
            tracing::warn!("{}: ignored an archive result that is not ours", self.account.jid);
            return;
        };
        catch_up.fetched += 1;
        catch_up.page_last = Some(id.clone());
        let now = Utc::now();
        let from_us = message.from.as_ref().is_some_and(|f| f.to_bare() == self.own);
        let rooms = &self.rooms;
        let known_room = |jid: &tokio_xmpp::jid::BareJid| rooms.contains_key(jid);
        let line = if from_us {
            stanza::outgoing_copy(message, &self.own, &known_room, now)
        } else {
            stanza::incoming_message(message, &self.own, &known_room, now)
        };
        match line {
            Ok(mut line) => {
                line.server_id = Some(id);
                if let Some(stamp) = stamp {
                    line.timestamp = stanza::archive_time(&line.kind, stamp, now);
                }
                if let Some(catch_up) = self.catch_up.as_mut() {
                    catch_up.page.push(line);
                }
            }
            Err(Dropped::NoBody) => {}
            Err(reason) => tracing::debug!("archive entry skipped: {reason:?}"),
        }
    }

    /// A page ended: remember where (once stored), and ask for the next until complete.
    async fn archive_page_done(&mut self, payload: Option<Element>) {
        let Some((complete, last)) = delivery::archive_page_end(payload) else {
            self.archive_failed();
            return;
        };
        self.store_own_archive_page();
        let fetched = self.catch_up.as_ref().map_or(0, |c| c.fetched);
        // An incomplete page without a last id cannot be continued: that is the end too.
        let done = complete || last.is_none();
        self.emit(Event::CatchUp { fetched, done });
        if let Some(catch_up) = self.catch_up.as_mut() {
            catch_up.page_last = last.clone().or(catch_up.page_last.take());
        }
        self.archive_cursor.due = self.catch_up.as_ref().and_then(|c| c.page_last.clone());
        if done {
            self.catch_up = None;
        } else {
            self.ask_archive_page(last).await;
        }
    }

    /// Store the page read so far, each conversation's lines in the archive's order.
    fn store_own_archive_page(&mut self) {
        let Some(catch_up) = self.catch_up.as_mut() else { return };
        let mut by_chat: Vec<(ChatId, Vec<NewMessage>)> = Vec::new();
        for line in std::mem::take(&mut catch_up.page) {
            match by_chat.iter_mut().find(|(chat, _)| *chat == line.chat) {
                Some((_, lines)) => lines.push(line),
                None => by_chat.push((line.chat.clone(), vec![line])),
            }
        }
        let mut ends = std::mem::take(&mut catch_up.ends);
        let mut page = Vec::new();
        for (chat, mut lines) in by_chat {
            let after = ends.get(&chat).copied();
            if let Some(end) = self.arrange_archive_lines(&chat, &mut lines, after, false) {
                ends.insert(chat, end);
            }
            page.append(&mut lines);
        }
        if let Some(catch_up) = self.catch_up.as_mut() {
            catch_up.ends = ends;
        }
        self.store_incoming(page, Arrival::Live);
    }

    /// The connection that ran the catch-up is gone: keep what its last page brought.
    pub(super) fn end_catch_up(&mut self) {
        self.store_own_archive_page();
        self.catch_up = None;
    }

    /// Called after a batch is stored: the archive cursor moves only past stored messages.
    pub(super) fn save_archive_cursor(&mut self) {
        if let Some(last) = self.archive_cursor.due.take()
            && !self.archive_cursor.held
            && let Err(e) = self
                .store
                .write(|store| store.set_state(&self.account.jid.clone(), ARCHIVE_CURSOR, &last))
        {
            tracing::warn!("{e}");
        }
    }

    /// Messages could not be stored: keep the saved position before them.
    pub(super) fn hold_archive_cursor(&mut self) {
        self.archive_cursor = Cursor { due: None, held: true };
    }

    fn archive_failed(&mut self) {
        self.store_own_archive_page();
        let fetched = self.catch_up.take().map_or(0, |c| c.fetched);
        self.emit(Event::CatchUp { fetched, done: true });
    }
}
