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

/// Forms kept at once (registration and search each); past this, one of them is dropped for a
/// new one.
const MAX_KEPT: usize = 8;

/// Keep the form `jid` gave, within [`MAX_KEPT`].
pub(super) fn keep<T>(kept: &mut HashMap<String, T>, jid: &str, form: T) {
    if kept.len() >= MAX_KEPT
        && !kept.contains_key(jid)
        && let Some(other) = kept.keys().next().cloned()
    {
        kept.remove(&other);
    }
    kept.insert(jid.to_owned(), form);
}

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
        keep(&mut self.registrations.asked, jid, asked);
        Ok(ServiceRegistration::Asked { form, registered })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_a_few_forms_are_kept_and_the_newest_always_is() {
        let mut kept = HashMap::new();
        for i in 0..MAX_KEPT + 5 {
            keep(&mut kept, &format!("service{i}.example"), i);
        }
        assert_eq!(kept.len(), MAX_KEPT);
        assert_eq!(kept.get(&format!("service{}.example", MAX_KEPT + 4)), Some(&(MAX_KEPT + 4)));
        keep(&mut kept, &format!("service{}.example", MAX_KEPT + 4), 0);
        assert_eq!(kept.len(), MAX_KEPT, "asked again: replaced, nothing else dropped");
    }
}
