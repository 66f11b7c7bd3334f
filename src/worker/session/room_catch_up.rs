//! Catching up with a room after time away: its history on join holds only its last lines
//! (Prosody keeps 20), so once we are in, the room's archive (XEP-0313 on the room) is asked for
//! everything after the newest line we had, page by page. The lines join the conversation like
//! live ones, deduplicated against the history on join by the room's stanza-ids.

use super::{PendingIq, Session};
use crate::model::NewMessage;
use crate::worker::delivery::{self, ArchiveOwner};
use crate::worker::stanza::{self, Dropped};
use chrono::Utc;
use std::collections::HashMap;
use tokio_xmpp::jid::{BareJid, Jid};
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::message::Message;

/// Lines asked for per page.
const PAGE: usize = 100;
/// A room that has said this much since we left is caught up this far; the rest is still
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
}

impl RoomCatchUps {
    /// Queries die with the connection; rejoining starts them again.
    pub(super) fn clear(&mut self) {
        self.running.clear();
    }
}

impl Session {
    /// Just in: ask the room's archive for what came after the newest line we had.
    pub(super) async fn catch_up_with_room(&mut self, room: &BareJid) {
        let Some(after) = self.rooms.get_mut(room).and_then(|r| r.catch_up_after.take()) else {
            return;
        };
        let queryid = uuid::Uuid::new_v4().to_string();
        self.room_catch_ups
            .running
            .insert(queryid.clone(), RoomCatchUp { room: room.clone(), pages: 0 });
        self.ask_room_archive(&queryid, &after).await;
    }

    async fn ask_room_archive(&mut self, queryid: &str, after: &str) {
        let Some(catch_up) = self.room_catch_ups.running.get_mut(queryid) else { return };
        catch_up.pages += 1;
        let to = Jid::from(catch_up.room.clone());
        let id = self.next_id("room-archive");
        let iq = delivery::archive_query(id, queryid, Some(after), None, PAGE).with_to(to);
        self.send_iq(iq, PendingIq::RoomArchivePage(queryid.to_owned())).await;
    }

    /// A line of a room's archive answering one of our catch-ups; false if it answers none.
    pub(super) fn room_archive_result(
        &mut self,
        message: &Message,
        batch: &mut Vec<NewMessage>,
    ) -> bool {
        let Some(queryid) = delivery::archive_queryid(message) else { return false };
        let Some(catch_up) = self.room_catch_ups.running.get(&queryid) else { return false };
        let room = catch_up.room.clone();
        let Some(archived) = delivery::archived(message, ArchiveOwner::Room(&room), &queryid)
        else {
            tracing::warn!("{}: ignored a room archive result not from {room}", self.account.jid);
            return true;
        };
        let nick = self.room_nick(&room).unwrap_or_default().to_owned();
        let now = Utc::now();
        match stanza::room_message(archived.message, &room, &nick, now) {
            Ok(mut line) if line.chat.as_str() == room.as_str() => {
                line.server_id = Some(archived.id);
                if let Some(stamp) = archived.stamp {
                    line.timestamp = stanza::delay_time(stamp).min(now);
                }
                batch.push(line);
            }
            Ok(_) | Err(Dropped::NoBody) => {}
            Err(reason) => tracing::debug!("room archive entry skipped: {reason:?}"),
        }
        true
    }

    /// A page ended: ask for the next until the archive says it is complete.
    pub(super) async fn room_archive_page_done(&mut self, queryid: &str, fin: Option<Element>) {
        let next = delivery::archive_page_end(fin).and_then(|(complete, last)| {
            let more = !complete
                && self.room_catch_ups.running.get(queryid).is_some_and(|c| c.pages < MAX_PAGES);
            last.filter(|_| more)
        });
        match next {
            Some(last) => self.ask_room_archive(queryid, &last).await,
            None => {
                self.room_catch_ups.running.remove(queryid);
            }
        }
    }
}
