//! The search over everything, in place of the conversation (Ctrl+Shift+F): every account's
//! history searched as the words are typed, with filters (who wrote it, since and until a day,
//! only lines sharing a picture), hits newest first with the words found marked, and each hit
//! opened in its conversation, in place. The store answers from its full-text index
//! (`store::search`); each account's worker searches its own history and the hits are merged
//! here. Answers to words typed before are told apart by their serial and dropped.

mod view;

use crate::model::search::{MAX_HITS, SearchHit, SearchQuery, SearchResults, parse_date};
use crate::model::{AccountId, ChatId};
use iced::Task;
use iced::widget::operation;
use std::collections::BTreeMap;

/// Hits asked of each account per page.
pub const PAGE: usize = 50;
/// Hits kept in the list, however often "More" is pressed.
pub const MAX_SHOWN: usize = 1000;
const QUERY_ID: &str = "search-query";

#[derive(Debug, Default)]
pub struct State {
    query: String,
    from: String,
    since: String,
    until: String,
    with_image: bool,
    /// The serial of the search whose answers are taken.
    serial: u64,
    /// Asked, and no account has answered yet.
    searching: bool,
    /// Hits so far, newest first.
    hits: Vec<SearchHit>,
    /// Per account, the last hit of its last page while it has more.
    more: BTreeMap<String, i64>,
    /// Why an account could not search, or why the filters are not understood.
    problem: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Query(String),
    From(String),
    Since(String),
    Until(String),
    WithImage(bool),
    More,
    Open(usize),
    Close,
}

/// What the main screen must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Ask every account (`query.account` is `None`) or the one named; answers come back with
    /// this serial.
    Search {
        serial: u64,
        queries: Vec<SearchQuery>,
    },
    /// Show this line in its conversation.
    Open {
        account: AccountId,
        chat: ChatId,
        message_id: i64,
    },
    Close,
}

impl State {
    /// Focus the words field (on opening, and on Ctrl+Shift+F while open).
    pub fn focus() -> Task<Message> {
        operation::focus(QUERY_ID)
    }

    /// `serial`: a number the main screen never used for a search before.
    pub fn update(&mut self, message: Message, serial: u64) -> Option<Event> {
        match message {
            Message::Query(text) => self.query = text,
            Message::From(text) => self.from = text,
            Message::Since(text) => self.since = text,
            Message::Until(text) => self.until = text,
            Message::WithImage(on) => self.with_image = on,
            Message::More => return self.more(serial),
            Message::Open(index) => {
                let hit = self.hits.get(index)?;
                return Some(Event::Open {
                    account: AccountId(hit.account.clone()),
                    chat: hit.message.chat.clone(),
                    message_id: hit.message.id,
                });
            }
            Message::Close => return Some(Event::Close),
        }
        self.search(serial)
    }

    /// A fresh search for what the fields say now.
    fn search(&mut self, serial: u64) -> Option<Event> {
        self.serial = serial;
        self.hits.clear();
        self.more.clear();
        self.searching = false;
        self.problem = None;
        let query = match self.query() {
            Ok(query) => query,
            Err(problem) => {
                self.problem = Some(problem);
                return None;
            }
        };
        if crate::model::search::terms(&query.text).is_empty() {
            return None;
        }
        self.searching = true;
        Some(Event::Search { serial, queries: vec![query] })
    }

    /// The next page of every account that has more.
    fn more(&mut self, serial: u64) -> Option<Event> {
        let base = self.query().ok()?;
        let queries: Vec<_> = std::mem::take(&mut self.more)
            .into_iter()
            .map(|(account, before)| SearchQuery {
                account: Some(account),
                before: Some(before),
                ..base.clone()
            })
            .collect();
        if queries.is_empty() {
            return None;
        }
        self.serial = serial;
        self.searching = true;
        Some(Event::Search { serial, queries })
    }

    /// The fields as a query for every account, or what is wrong with them.
    fn query(&self) -> Result<SearchQuery, String> {
        let date = |text: &str| {
            let text = text.trim();
            if text.is_empty() { Ok(None) } else { parse_date(text).map(Some) }
        };
        let from = self.from.trim();
        Ok(SearchQuery {
            text: self.query.clone(),
            account: None,
            chat: None,
            from: (!from.is_empty()).then(|| from.to_owned()),
            since: date(&self.since)?,
            until: date(&self.until)?,
            with_image: self.with_image,
            before: None,
            limit: PAGE.min(MAX_HITS),
        })
    }

    /// An account's answer; dropped unless it answers the current search.
    pub fn answer(
        &mut self,
        account: &AccountId,
        serial: u64,
        results: Result<SearchResults, String>,
    ) {
        if serial != self.serial {
            return;
        }
        self.searching = false;
        match results {
            Ok(results) => {
                if let (true, Some(last)) = (results.more, results.hits.last()) {
                    self.more.insert(account.as_str().to_owned(), last.message.id);
                }
                self.hits.extend(results.hits);
                self.hits.sort_by(|a, b| {
                    (b.message.timestamp, b.message.id).cmp(&(a.message.timestamp, a.message.id))
                });
                self.hits.truncate(MAX_SHOWN);
            }
            Err(problem) => self.problem = Some(format!("{account}: {problem}")),
        }
    }
}

#[cfg(test)]
mod tests;
