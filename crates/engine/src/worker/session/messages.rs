//! Where an incoming message goes: a PEP notification, a bookmark change, an archive result,
//! a carbon, something from a room, an invitation, a refusal, a receipt or marker, a typing
//! notice, a correction, or at last a line for the conversation.

use super::Session;
use crate::model::{ChatId, NewMessage};
use crate::worker::delivery::{self, Carbon};
use crate::worker::stanza::{self, Dropped};
use crate::worker::{Event, invite};
use tokio_xmpp::jid::{BareJid, Jid};
use tokio_xmpp::parsers::message::{Message, MessageType};

impl Session {
    pub(super) async fn message(&mut self, message: Message, batch: &mut Vec<NewMessage>) {
        if let Some((jid, notice)) = crate::worker::profile::avatar_notice(&message) {
            self.avatar_notice(jid, notice).await;
            return;
        }
        if self.bookmark_event(&message).await {
            return;
        }
        if delivery::is_archive_result(&message) {
            self.archived(&message).await;
            return;
        }
        match delivery::carbon(&message, &self.own) {
            Some(Ok(Carbon::Sent(inner))) => self.sent_elsewhere(inner, batch),
            Some(Ok(Carbon::Received(inner))) => self.peer_message(inner, batch),
            Some(Err(from)) => {
                tracing::warn!("{}: dropped a carbon forged by {from}", self.account.jid)
            }
            None => self.peer_message(message, batch),
        }
    }

    fn peer_message(&mut self, message: Message, batch: &mut Vec<NewMessage>) {
        let from_room = message.from.as_ref().map(Jid::to_bare).filter(|b| self.is_room(b));
        if message.type_ == MessageType::Error {
            self.message_refused(&message);
            return;
        }
        if let Some(room) = from_room {
            self.room_message(room, message, batch);
            return;
        }
        if let Some(invite) = invite::invite(&message, false) {
            self.invitation(invite);
            return;
        }
        if let Some((from, signal)) = delivery::signal(&message) {
            self.delivery_signal(from, signal);
        }
        if let (Some(typing), Some(from)) = (delivery::typing(&message), message.from.as_ref()) {
            self.emit(Event::Typing { chat: ChatId(from.to_bare().to_string()), typing });
        }
        let receipt = self.wants_our_receipt(&message);
        let known_room = |jid: &BareJid| self.is_room(jid);
        match stanza::incoming_message(message, &self.own, &known_room, chrono::Utc::now()) {
            Ok(line) => {
                if let Some(receipt) = receipt {
                    self.signals.receipts_due.push(receipt);
                }
                batch.push(line);
            }
            Err(Dropped::NoBody) => {}
            Err(reason) => tracing::debug!("{}: ignored message: {reason:?}", self.account.jid),
        }
    }

    /// A carbon of a message our other client sent: ours, already sent.
    fn sent_elsewhere(&mut self, message: Message, batch: &mut Vec<NewMessage>) {
        let known_room = |jid: &BareJid| self.is_room(jid);
        match stanza::outgoing_copy(message, &self.own, &known_room, chrono::Utc::now()) {
            Ok(line) => batch.push(line),
            Err(Dropped::NoBody) => {}
            Err(reason) => {
                tracing::debug!("{}: ignored a sent carbon: {reason:?}", self.account.jid)
            }
        }
    }
}
