//! The one way a message reaches the store, however it came: live, a carbon, offline storage,
//! our archive, a room's history or catch-up, or an older page the window asked for. Each path
//! turns its stanzas into `NewMessage`s with the conversion functions (which make the origin
//! checks) and hands the burst here, where corrections are applied, duplicates dropped and the
//! rest stored in one transaction.

use super::Session;
use super::archive_order::{Mark, place_in_archive_order};
use crate::model::{ChatId, MessageKind, NewMessage};
use crate::store::Inserted;
use crate::worker::Event;

/// How a stored burst is told to the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Arrival {
    /// Each new line is announced (and its file fetched if the user wants that).
    Live,
    /// History the window asked for: the caller answers with the page, nothing is announced.
    Older,
}

impl Session {
    /// Store a burst: its lines first, then its corrections, then its removals and sets of
    /// reactions (`session::reactions`), so one
    /// naming a line of the same burst (a message and its correction or retraction kept for
    /// us while away) finds it.
    pub(super) fn store_incoming(&mut self, batch: Vec<NewMessage>, arrival: Arrival) {
        let (reactions, batch): (Vec<_>, Vec<_>) =
            batch.into_iter().partition(|line| matches!(line.kind, MessageKind::Reactions(_)));
        let (removals, batch): (Vec<_>, Vec<_>) =
            batch.into_iter().partition(|line| matches!(line.kind, MessageKind::Removed(_)));
        let (corrections, lines): (Vec<_>, Vec<_>) =
            batch.into_iter().partition(|line| line.replaces.is_some());
        if !self.insert_incoming(&lines, arrival) {
            return;
        }
        let unmatched = self.apply_corrections(corrections);
        self.insert_incoming(&unmatched, arrival);
        self.apply_removals(removals);
        self.apply_reactions(reactions);
    }

    /// Put an archive page's lines of one conversation in the archive's order around the lines
    /// we had (`archive_order`), moving those we had that reached us out of it; the caller
    /// stores the page. `after` is where the conversation's previous page ended; returns where
    /// this one ends. A page `read_forward` from `after` (a room's catch-up) also ends before
    /// the first line we had past `after` that it does not hold: that line came to the room
    /// later (its history on join, or live), even when the page's lines carry later times.
    pub(super) fn arrange_archive_lines(
        &mut self,
        chat: &ChatId,
        lines: &mut [NewMessage],
        after: Option<Mark>,
        read_forward: bool,
    ) -> Option<Mark> {
        let account = self.account_key().to_owned();
        let stored = self.store.read(|store| store.stored_lines(&account, chat, lines));
        let stored = stored.unwrap_or_else(|_| vec![None; lines.len()]);
        let ends_before = after.filter(|_| read_forward).and_then(|after| {
            let passing: Vec<i64> = stored.iter().flatten().map(|line| line.id).collect();
            let next = self
                .store
                .read(|store| store.next_line_time(&account, chat, after.sort_key(), &passing));
            next.unwrap_or_else(|e| {
                tracing::warn!("{e}");
                None
            })
        });
        let placed = place_in_archive_order(lines, &stored, ends_before, after);
        if !placed.retimed.is_empty() {
            match self.store.transaction(|store| store.retime(&placed.retimed)) {
                Ok(()) => {
                    for (id, _) in &placed.retimed {
                        if let Ok(Some(message)) = self.store.read(|store| store.message(*id)) {
                            self.emit(Event::Edited(message));
                        }
                    }
                }
                Err(e) => tracing::warn!("{e}"),
            }
        }
        placed.end
    }

    /// Store new lines and announce them; false if the store refused them.
    fn insert_incoming(&mut self, batch: &[NewMessage], arrival: Arrival) -> bool {
        if batch.is_empty() {
            return true;
        }
        match self.store.transaction(|store| store.insert_messages(&self.account.jid, batch)) {
            Ok(results) => {
                if arrival == Arrival::Live {
                    for inserted in results {
                        if let Inserted::New(message) = inserted {
                            self.auto_download(&message);
                            self.emit(Event::Message(message));
                        }
                    }
                }
                true
            }
            Err(e) => {
                let what = match arrival {
                    Arrival::Live => {
                        // Not stored, so not shown, not confirmed to the sender, and the
                        // archive position stays before them: the next login fetches them
                        // again.
                        self.signals.receipts_due.clear();
                        self.hold_archive_cursor();
                        format!("{} incoming message(s) were not saved", batch.len())
                    }
                    Arrival::Older => format!("{} older message(s) were not saved", batch.len()),
                };
                self.store_failed(&what, e);
                false
            }
        }
    }
}
