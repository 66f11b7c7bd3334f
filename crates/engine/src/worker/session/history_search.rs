//! The window's questions about a whole history: searching it (Ctrl+F in a conversation, the
//! search over everything), which the store answers from its full-text index (each account's
//! worker searches only its own lines; the window asks every account and puts the answers
//! together), showing a line among its neighbours and reading on after it, and exporting a
//! conversation.

use super::Session;
use crate::export::{Format, Request, export};
use crate::model::ChatId;
use crate::model::search::SearchQuery;
use crate::worker::Event;

/// Lines shown before a message opened in place: a page, as when scrolling up.
const OLDER: usize = 99;
/// Lines shown after it: a few, so that it sits near the bottom of the conversation, where the
/// conversation opens, with what answered it in sight.
const NEWER: usize = 3;

impl Session {
    /// Answers with [`Event::SearchResults`] under the asker's `serial`, so the window can tell an
    /// answer to the words typed now from one to words typed before.
    pub(super) fn search_history(&self, serial: u64, query: SearchQuery) {
        let query = SearchQuery { account: Some(self.account_key().to_owned()), ..query };
        let results = self
            .store
            .read(|store| store.search(&query))
            .map_err(|e| format!("Searching failed. {}", self.store.locate(e)));
        self.emit(Event::SearchResults { serial, results });
    }

    /// Answers with [`Event::Around`]: message `focus` of `chat` among its neighbours.
    pub(super) fn show_around(&self, chat: ChatId, focus: i64) {
        let around = self
            .store
            .read(|store| store.history_around(self.account_key(), &chat, focus, OLDER, NEWER));
        match around {
            Ok(Some((page, newer))) => self.emit(Event::Around { page, focus, newer }),
            Ok(None) => self.emit(Event::Notice("That message is no longer kept.".into())),
            Err(e) => self.emit(Event::Notice(self.store.locate(e).to_string())),
        }
    }
}

impl Session {
    /// Answers with [`Event::Newer`]: up to `limit` lines of `chat` after line `after`.
    pub(super) fn load_newer(&self, chat: ChatId, after: i64, limit: usize) {
        let newer = self
            .store
            .read(|store| store.history_around(self.account_key(), &chat, after, 0, limit));
        match newer {
            // The line itself comes first; the window holds it already.
            Ok(Some((mut page, more))) => {
                page.messages.retain(|line| line.id != after);
                self.emit(Event::Newer { page, more });
            }
            Ok(None) => self.emit(Event::Notice("That message is no longer kept.".into())),
            Err(e) => self.emit(Event::Notice(self.store.locate(e).to_string())),
        }
    }

    /// Export `chat` into a new folder under `into`, off the async threads (it reads the whole
    /// conversation and copies its files); the outcome is told as a notice.
    pub(super) fn export_conversation(
        &self,
        chat: &ChatId,
        title: &str,
        format: Format,
        into: &std::path::Path,
    ) {
        let request = Request { account: self.account_key(), chat, title, format, into };
        let notice = match self.store.write(|store| export(store, &request)) {
            Ok(done) => format!(
                "Exported {} messages and {} files to {}",
                done.messages,
                done.files,
                done.file.display()
            ),
            Err(why) => format!("The conversation could not be exported: {why}"),
        };
        self.emit(Event::Notice(notice));
    }
}
