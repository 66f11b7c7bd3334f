//! Searching a user directory the user found (XEP-0055): its form is asked for and kept until
//! the search goes back in the shape it came; the results come back as a bounded table
//! (`worker::search`).

use super::Session;
use super::requests::{Answer, PendingIq};
use super::service_registration::keep;
use crate::model::{DirectorySearch, Form};
use crate::worker::search::{self, SearchForm};
use crate::worker::{Event, entity, stanza};
use std::collections::HashMap;
use tokio_xmpp::parsers::iq::Iq;

#[derive(Default)]
pub(super) struct Searches {
    asked: HashMap<String, SearchForm>,
}

/// Which directory, and whether for its form or with a search.
pub(super) struct Request {
    jid: String,
    searched: bool,
}

impl From<Request> for PendingIq {
    fn from(request: Request) -> Self {
        Self::DirectorySearch(request)
    }
}

impl Session {
    pub(super) async fn search_directory(&mut self, jid: String, form: Option<Form>) {
        let to = match stanza::address(&jid) {
            Ok(to) => to,
            Err(why) => return self.emit(Event::DirectorySearch { jid, answer: Err(why) }),
        };
        let id = self.next_id("search");
        let (iq, searched) = match form {
            None => (Iq::Get { from: None, to: Some(to), id, payload: search::ask() }, false),
            Some(filled) => {
                let Some(asked) = self.searches.asked.get(&jid) else {
                    let why = "ask for the directory's form first".to_owned();
                    return self.emit(Event::DirectorySearch { jid, answer: Err(why) });
                };
                let payload = search::query(asked, &filled);
                (Iq::Set { from: None, to: Some(to), id, payload }, true)
            }
        };
        self.send_iq(iq, Request { jid, searched }).await;
    }

    pub(super) fn search_answer(&mut self, request: Request, answer: Answer) {
        let Request { jid, searched } = request;
        let answer = match answer {
            Ok(Some(query)) if searched => Ok(DirectorySearch::Found(search::results(&query))),
            Ok(Some(query)) => search::read_form(&query).map(|asked| {
                let form = asked.form.clone();
                keep(&mut self.searches.asked, &jid, asked);
                DirectorySearch::Asked(form)
            }),
            Ok(None) => Err("it answered with nothing".into()),
            Err(error) => Err(entity::refusal(&error)),
        };
        self.emit(Event::DirectorySearch { jid, answer });
    }
}
