//! Catching up with a room after time away: its history on join holds only its last lines
//! (Prosody keeps 20), so once we are in, the room's archive (XEP-0313 on the room) is asked for
//! everything after the newest line we had, page by page. The lines join the conversation like
//! live ones, deduplicated against the history on join by the room's stanza-ids.
//!
//! Each page is stored whole, in the archive's order (`archive_order`), around the lines we
//! already had: the history on join, or live lines that came in while the catch-up ran.
//!
//! The next page is asked for as soon as the current page's last line is in, not when the
//! archive's answer closing the page comes: servers give fewer lines a page than asked
//! (Prosody 50 of our 250, unless told otherwise), so once a page has come short of complete
//! its size is known, and the line that fills a page is where the next one starts. Waiting
//! for the closing answer cost a round trip a page, and on Prosody more: it holds that last small write until our
//! delayed acknowledgement of the lines before it comes (Nagle's algorithm), about 40 ms
//! every 50 lines. A page asked ahead is never asked again; should the closing answer name
//! another last line, the lines we actually received decide where the next page starts, and
//! any line seen twice is stored once (by the room's stanza-id).

use super::Session;
use super::archive_order::Mark;
use super::ingest::Arrival;
use super::requests::{Answer, PendingIq};
use crate::model::{ChatId, NewMessage};
use crate::store::UnfinishedCatchUp;
use crate::worker::delivery::{self, ArchiveOwner};
use crate::worker::room_stanza;
use crate::worker::stanza::{self, Dropped};
use chrono::Utc;
use std::collections::HashMap;
use tokio_xmpp::jid::{BareJid, Jid};
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::message::Message;

/// Lines asked for per page: what ejabberd gives at most. Each page costs the server a query
/// (Prosody about 100 ms each, with its archives in files or in SQLite alike), so pages are
/// as large as servers allow.
const PAGE: usize = 250;
/// The most lines a page under way holds: a room can send results under our query id
/// unasked, and a page is stored only when it ends.
const MOST_PAGE_LINES: usize = 4 * PAGE;
/// A room that has said this many pages since we left is caught up this far; the rest is still
/// reachable by scrolling back (older pages), just not announced as new.
const MAX_PAGES: usize = 50;

/// Catch-ups under way, by query id.
#[derive(Default)]
pub(super) struct RoomCatchUps {
    running: HashMap<String, RoomCatchUp>,
}

struct RoomCatchUp {
    room: BareJid,
    pages: usize,
    /// The archive's lines of the page under way, stored when the page ends.
    page: Vec<NewMessage>,
    /// Where the previous page's lines ended.
    end: Option<Mark>,
    /// The archive id of the last result received: where a catch-up cut short goes on.
    resume: String,
    /// How many results a page of this archive holds, learned from the first page that came
    /// short of complete (see the module comment).
    full_page: Option<usize>,
    /// Results received for the page under way, kept or not.
    results: usize,
    /// The next page was asked for before this one closed.
    asked_ahead: bool,
}

/// Where a catch-up cut short stopped, for the next join to go on from.
#[derive(Debug, Clone)]
pub(super) struct Unfinished {
    /// The archive id of the last result received.
    pub resume: String,
    /// Where the lines stored so far end in the conversation.
    pub end: Option<Mark>,
}

/// A page of a room's archive, catching up after we joined, by its query id.
pub(super) struct Request(String);

impl From<Request> for PendingIq {
    fn from(request: Request) -> Self {
        Self::RoomCatchUp(request)
    }
}

impl Session {
    fn catch_up_finished(&mut self, room: &BareJid) {
        let finished =
            self.store.write(|store| store.catch_up_finished(self.account_key(), room.as_str()));
        if let Err(e) = finished {
            tracing::warn!("{e}");
        }
    }

    /// Queries die with the connection: the pages they were gathering are stored, and the
    /// store keeps where each catch-up stopped, for the next join to go on from (after a
    /// restart too, since the connection may be going because Confab quits).
    pub(super) fn keep_cut_catch_ups(&mut self) {
        let cut: Vec<RoomCatchUp> = self.room_catch_ups.running.drain().map(|(_, c)| c).collect();
        for catch_up in cut {
            let end = self.store_archive_page(catch_up.page, catch_up.end);
            self.keep_catch_up_place(&catch_up.room, &catch_up.resume, end);
        }
    }

    /// Write down that `room`'s catch-up has stored everything up to archive id `resume`,
    /// ending at `end`: a restart, even after a crash, goes on from there.
    fn keep_catch_up_place(&self, room: &BareJid, resume: &str, end: Option<Mark>) {
        let kept = UnfinishedCatchUp { resume: resume.to_owned(), end: end.map(Mark::kept) };
        let written = self.store.write(|store| {
            store.keep_unfinished_catch_up(self.account_key(), room.as_str(), &kept)
        });
        if let Err(e) = written {
            tracing::warn!("{e}");
        }
    }

    /// Where `room`'s last catch-up stopped, if it was cut short: the store is the one place
    /// that keeps it.
    pub(super) fn unfinished_catch_up(&self, room: &BareJid) -> Option<Unfinished> {
        let kept =
            self.store.read(|store| store.unfinished_catch_up(self.account_key(), room.as_str()));
        let kept = kept.map_err(|e| tracing::warn!("{e}")).ok().flatten()?;
        Some(Unfinished { resume: kept.resume, end: kept.end.map(Mark::from_kept) })
    }

    pub(super) async fn room_catch_up_answer(&mut self, request: Request, answer: Answer) {
        self.room_archive_page_done(&request.0, answer.ok().flatten()).await;
    }

    /// Just in: ask the room's archive for what came after the newest line we had.
    pub(super) async fn catch_up_with_room(&mut self, room: &BareJid) {
        let Some(session) = self.rooms.get_mut(room) else { return };
        let Some(after) = session.catch_up_after.take() else { return };
        // Where the lines read go: after where a cut catch-up stopped, or after the line the
        // archive goes on from.
        let end = match session.unfinished_catch_up.take() {
            Some(unfinished) if unfinished.resume == after => unfinished.end,
            _ => {
                let chat = ChatId(room.to_string());
                let line =
                    self.store.read(|store| store.archived_line(self.account_key(), &chat, &after));
                line.ok().flatten().map(|line| Mark::of(&line))
            }
        };
        let queryid = uuid::Uuid::new_v4().to_string();
        self.room_catch_ups.running.insert(
            queryid.clone(),
            RoomCatchUp {
                room: room.clone(),
                pages: 0,
                page: Vec::new(),
                end,
                resume: after.clone(),
                full_page: None,
                results: 0,
                asked_ahead: false,
            },
        );
        self.ask_room_archive(&queryid, &after).await;
    }

    async fn ask_room_archive(&mut self, queryid: &str, after: &str) {
        let Some(catch_up) = self.room_catch_ups.running.get_mut(queryid) else { return };
        catch_up.pages += 1;
        let to = Jid::from(catch_up.room.clone());
        let id = self.next_id("room-archive");
        let iq = delivery::archive_query(id, queryid, Some(after), None, PAGE).with_to(to);
        self.send_iq(iq, Request(queryid.to_owned())).await;
    }

    /// A line of a room's archive answering one of our catch-ups; false if it answers none.
    pub(super) async fn room_archive_result(&mut self, message: &Message) -> bool {
        let Some(queryid) = delivery::archive_queryid(message) else { return false };
        let Some(catch_up) = self.room_catch_ups.running.get(&queryid) else { return false };
        let room = catch_up.room.clone();
        let Some(archived) = delivery::archived(message, ArchiveOwner::Room(&room), &queryid)
        else {
            tracing::warn!("{}: ignored a room archive result not from {room}", self.account.jid);
            return true;
        };
        if self.page_filled(&queryid) {
            self.ask_room_archive(&queryid, &archived.id).await;
        }
        let id = archived.id.clone();
        let occupant_ids = self.rooms.get(&room).is_some_and(|r| r.authors.occupant_ids);
        let now = Utc::now();
        // Whether the catch-up is past this result: a line dropped here is read again after
        // a lost connection.
        let passed = match room_stanza::room_message(archived.message, &room, occupant_ids, now) {
            Ok(mut line) if line.chat.as_str() == room.as_str() => {
                self.attribute(&room, &mut line, false);
                line.server_id = Some(archived.id);
                if let Some(stamp) = archived.stamp {
                    line.timestamp = stanza::archive_time(&line.kind, stamp, now);
                }
                match self.room_catch_ups.running.get_mut(&queryid) {
                    Some(catch_up) if catch_up.page.len() < MOST_PAGE_LINES => {
                        catch_up.page.push(line);
                        true
                    }
                    Some(_) => {
                        tracing::warn!("{room}: ignored archive lines past a page's most");
                        false
                    }
                    None => false,
                }
            }
            Ok(_) | Err(Dropped::NoBody) => true,
            Err(reason) => {
                tracing::debug!("room archive entry skipped: {reason:?}");
                true
            }
        };
        if passed && let Some(catch_up) = self.room_catch_ups.running.get_mut(&queryid) {
            catch_up.resume = id;
        }
        true
    }

    /// Count a result of the page under way; true when it fills the page, so the next page is
    /// to be asked for now (once, and within `MAX_PAGES`).
    fn page_filled(&mut self, queryid: &str) -> bool {
        let Some(catch_up) = self.room_catch_ups.running.get_mut(queryid) else { return false };
        catch_up.results += 1;
        let filled = catch_up.full_page == Some(catch_up.results)
            && !catch_up.asked_ahead
            && catch_up.pages < MAX_PAGES;
        catch_up.asked_ahead |= filled;
        filled
    }

    /// Store a page of a room's archive in the archive's order (see the module comment), after
    /// where the previous page ended; returns where this one ends.
    pub(super) fn store_archive_page(
        &mut self,
        mut page: Vec<NewMessage>,
        after: Option<Mark>,
    ) -> Option<Mark> {
        let Some(chat) = page.first().map(|line| line.chat.clone()) else { return after };
        let end = self.arrange_archive_lines(&chat, &mut page, after, true);
        self.store_incoming(page, Arrival::Live);
        end
    }

    /// A page ended: store it, and ask for the next until the archive says it is complete.
    async fn room_archive_page_done(&mut self, queryid: &str, fin: Option<Element>) {
        let page_end = delivery::archive_page_end(fin);
        let Some(catch_up) = self.room_catch_ups.running.get_mut(queryid) else { return };
        let (page, after) = (std::mem::take(&mut catch_up.page), catch_up.end);
        let results = std::mem::take(&mut catch_up.results);
        // The largest short page seen: a smaller first one would make every page overlap.
        if let Some((false, _)) = page_end {
            catch_up.full_page = catch_up.full_page.max((results > 0).then_some(results));
        }
        let asked_ahead = std::mem::take(&mut catch_up.asked_ahead);
        let more = catch_up.pages < MAX_PAGES;
        let end = self.store_archive_page(page, after);
        let Some(catch_up) = self.room_catch_ups.running.get_mut(queryid) else { return };
        catch_up.end = end;
        if let Some((false, Some(last))) = &page_end {
            let room = catch_up.room.clone();
            self.keep_catch_up_place(&room, last, end);
        }
        if asked_ahead {
            // The page asked ahead continues the catch-up, or closes it when it comes empty.
            return;
        }
        match page_end.and_then(|(complete, last)| last.filter(|_| !complete && more)) {
            Some(last) => self.ask_room_archive(queryid, &last).await,
            // Complete, as far as it goes (`MAX_PAGES`), or refused: a refused place (an archive
            // id the room no longer knows) would be refused at every join, so it is let go and
            // the next join starts after the newest line we have.
            None => {
                if let Some(done) = self.room_catch_ups.running.remove(queryid) {
                    self.catch_up_finished(&done.room);
                }
            }
        }
    }
}
