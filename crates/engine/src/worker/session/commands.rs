//! Running ad-hoc commands (XEP-0050) the user starts: each step is one request, and its
//! answer, read with bounds (`worker::adhoc`), is announced as the command's next stage.

use super::Session;
use super::requests::{Answer, PendingIq};
use crate::model::{CommandAction, Form};
use crate::worker::{Event, adhoc, entity, stanza};
use tokio_xmpp::parsers::iq::Iq;

/// Which command a step was for.
pub(super) struct Request {
    jid: String,
    node: String,
}

impl From<Request> for PendingIq {
    fn from(request: Request) -> Self {
        Self::Commands(request)
    }
}

impl Session {
    pub(super) async fn run_command(
        &mut self,
        jid: String,
        node: String,
        session: Option<String>,
        action: CommandAction,
        form: Option<Form>,
    ) {
        let to = match stanza::address(&jid) {
            Ok(to) => to,
            Err(why) => {
                let answer = Err(why);
                self.emit(Event::CommandStage { jid, node, answer });
                return;
            }
        };
        let command = adhoc::request(&node, session.as_deref(), action, form.as_ref());
        let id = self.next_id("command");
        let iq = Iq::Set { from: None, to: Some(to), id, payload: command };
        self.send_iq(iq, Request { jid, node }).await;
    }

    pub(super) fn command_answer(&mut self, request: Request, answer: Answer) {
        let Request { jid, node } = request;
        let answer = match answer {
            Ok(Some(payload)) => adhoc::read(&payload),
            Ok(None) => Err("it answered with nothing".into()),
            Err(error) => Err(entity::refusal(&error)),
        };
        self.emit(Event::CommandStage { jid, node, answer });
    }
}
