//! Invisibility (XEP-0186): online for ourselves, offline to everyone else, where the server
//! offers it. The choice is kept; at login, presence waits until the server has hidden us, and
//! a server that cannot hide us gets no presence at all rather than revealing us.

use super::Session;
use super::requests::{Answer, PendingIq};
use crate::worker::{Event, stanza};
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::iq::Iq;

const INVISIBLE_NS: &str = "urn:xmpp:invisible:0";
const OWN_INVISIBLE: &str = "presence.invisible";

/// XEP-0186: hide us (`on`) or show us again; `asked` by the user now, or at login.
pub(super) struct Request {
    on: bool,
    asked: bool,
}

impl From<Request> for PendingIq {
    fn from(request: Request) -> Self {
        Self::Invisible(request)
    }
}

impl Session {
    pub(super) fn saved_invisible(&self) -> bool {
        self.store
            .read(|store| store.get_state(self.account_key(), OWN_INVISIBLE))
            .ok()
            .flatten()
            .as_deref()
            == Some("1")
    }

    fn remember_invisible(&mut self, on: bool) {
        self.invisible = on;
        if let Err(e) = self.store.read(|store| {
            store.set_state(&self.account.jid.clone(), OWN_INVISIBLE, if on { "1" } else { "0" })
        }) {
            tracing::warn!("{e}");
        }
        self.emit(Event::Invisible(on));
    }

    /// Our presence at login: hidden first when the user chose to be invisible.
    pub(super) async fn announce_ourselves(&mut self) {
        if self.invisible {
            self.ask_invisible(true, false).await;
        } else {
            self.send_own_presence().await;
        }
    }

    pub(super) async fn set_invisible(&mut self, on: bool) {
        if !self.is_online() {
            self.remember_invisible(on);
            self.emit(Event::Outcome(Ok("saved; it applies once online".into())));
            return;
        }
        if on && !self.discovery.services.invisible {
            self.emit(Event::Outcome(Err(
                "your server cannot make you invisible (it does not offer XEP-0186)".into(),
            )));
            return;
        }
        self.ask_invisible(on, true).await;
    }

    async fn ask_invisible(&mut self, on: bool, asked: bool) {
        let id = self.next_id("invisible");
        let iq = Iq::Set { from: None, to: None, id, payload: command(on) };
        self.send_iq(iq, Request { on, asked }).await;
    }

    pub(super) async fn invisible_answer(&mut self, request: Request, answer: Answer) {
        let Request { on, asked } = request;
        let refused = answer.err().map(|error| stanza::error_text(&error));
        match (refused, on) {
            (None, true) => {
                self.remember_invisible(true);
                // XEP-0186 §3.1: presence sent now reaches nobody but ourselves.
                self.send_own_presence().await;
                if asked {
                    self.emit(Event::Outcome(Ok("you are invisible".into())));
                }
            }
            (None, false) => {
                self.remember_invisible(false);
                self.send_own_presence().await;
                self.emit(Event::Outcome(Ok("you are visible again".into())));
            }
            (Some(why), true) if !asked => {
                // Never reveal someone who asked to be hidden: no presence at all.
                self.remember_invisible(false);
                self.emit(Event::Notice(format!(
                    "Your server could not make you invisible ({why}), so Confab has not shown you \
                     online. Choose a status to appear."
                )));
            }
            (Some(why), _) => self.emit(Event::Outcome(Err(format!("could not do that: {why}")))),
        }
    }
}

/// `<invisible/>` or `<visible/>` (XEP-0186 §3).
fn command(on: bool) -> Element {
    Element::builder(if on { "invisible" } else { "visible" }, INVISIBLE_NS).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_commands_are_the_xeps() {
        let hide: String = String::from(&command(true));
        assert_eq!(hide, "<invisible xmlns='urn:xmpp:invisible:0'/>");
        assert!(command(false).is("visible", INVISIBLE_NS));
    }
}
