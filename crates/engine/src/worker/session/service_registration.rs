//! Registering with a service the user found (XEP-0077): a gateway, a conference service's or
//! a room's nickname. The service's form is asked for and kept until the answer goes back in
//! the shape it came (a data form, or the legacy fields).

use super::Session;
use super::requests::{Answer, PendingIq};
use crate::model::{Form, ServiceRegistration};
use crate::worker::register::{RegistrationForm, answer_payload, read_form};
use crate::worker::{Event, entity, stanza};
use std::collections::HashMap;
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::ns;

/// Forms kept at once; past this, one of them is dropped for a new one.
const MAX_KEPT: usize = 8;

#[derive(Default)]
pub(super) struct Registrations {
    asked: HashMap<String, RegistrationForm>,
}

/// Whom we asked, and whether for the form or with the answer.
pub(super) struct Request {
    jid: String,
    sent: bool,
}

impl From<Request> for PendingIq {
    fn from(request: Request) -> Self {
        Self::ServiceRegistration(request)
    }
}

impl Session {
    pub(super) async fn register_with(&mut self, jid: String, form: Option<Form>) {
        let to = match stanza::address(&jid) {
            Ok(to) => to,
            Err(why) => return self.emit(Event::ServiceRegistration { jid, answer: Err(why) }),
        };
        let (iq, sent) = match form {
            None => {
                let query = Element::builder("query", ns::REGISTER).build();
                let id = self.next_id("register");
                (Iq::Get { from: None, to: None, id, payload: query }, false)
            }
            Some(filled) => {
                if let Err(why) = filled.check() {
                    return self.emit(Event::ServiceRegistration { jid, answer: Err(why) });
                }
                let Some(asked) = self.registrations.asked.get(&jid) else {
                    let why = "ask for the service's form first".to_owned();
                    return self.emit(Event::ServiceRegistration { jid, answer: Err(why) });
                };
                let payload = answer_payload(asked, &filled);
                let id = self.next_id("register");
                (Iq::Set { from: None, to: None, id, payload }, true)
            }
        };
        self.send_iq(iq.with_to(to), Request { jid, sent }).await;
    }

    pub(super) fn registration_answer(&mut self, request: Request, answer: Answer) {
        let Request { jid, sent } = request;
        let answer = match answer {
            Ok(_) if sent => {
                self.registrations.asked.remove(&jid);
                Ok(ServiceRegistration::Done)
            }
            Ok(Some(query)) => self.keep_form(&jid, &query),
            Ok(None) => Err("it answered with nothing".into()),
            Err(error) => Err(entity::refusal(&error)),
        };
        self.emit(Event::ServiceRegistration { jid, answer });
    }

    fn keep_form(&mut self, jid: &str, query: &Element) -> Result<ServiceRegistration, String> {
        let registered = query.has_child("registered", ns::REGISTER);
        let asked = read_form(query).map_err(|e| e.to_string())?;
        let form = asked.form.clone();
        if self.registrations.asked.len() >= MAX_KEPT
            && let Some(oldest) = self.registrations.asked.keys().next().cloned()
        {
            self.registrations.asked.remove(&oldest);
        }
        self.registrations.asked.insert(jid.to_owned(), asked);
        Ok(ServiceRegistration::Asked { form, registered })
    }
}
