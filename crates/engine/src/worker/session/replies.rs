//! Our replies (XEP-0461): the answered line is named as others know it (`Session::id_to_name`)
//! and quoted, and the reply then goes through the outbox like any message, so one written
//! offline is kept and sent later.

use super::{Session, stanza};
use crate::model::{ChatId, Direction, MessageKind, Reply, quote_of};
use crate::worker::Event;
use tokio_xmpp::jid::Jid;

impl Session {
    pub(super) async fn reply(&mut self, chat: &ChatId, message_id: i64, body: String) {
        let refuse = |this: &Self, why: &str| this.emit(Event::Outcome(Err(why.to_owned())));
        if body.trim().is_empty() {
            return;
        }
        let line = self.store.read(|store| store.message(message_id)).ok().flatten();
        let Some(line) = line.filter(|m| &m.chat == chat && m.kind == MessageKind::Message) else {
            return refuse(self, "there is no such message to reply to in that conversation");
        };
        let Some(to) = self.recipient(chat.as_str()) else { return };
        let route = self.route(&to);
        let Some(named) = self.id_to_name(route, &line) else {
            return refuse(self, "that message has no id to name it by yet; try again shortly");
        };
        let author = match (route, &line.nick, line.direction) {
            (stanza::Route::Room, Some(nick), _) => {
                Jid::new(&format!("{}/{nick}", to.to_bare())).ok().map(|jid| jid.to_string())
            }
            (_, _, Direction::Out) => Some(self.own.to_bare().to_string()),
            (_, _, Direction::In) => Jid::new(&line.from).ok().map(|jid| jid.to_bare().to_string()),
        };
        let reply = Reply {
            id: named,
            in_room: route == stanza::Route::Room,
            to: author,
            quote: Some(quote_of(&line.body)).filter(|q| !q.is_empty()),
            line: None,
        };
        self.queue(to, body, None, None, Some(reply)).await;
    }
}
