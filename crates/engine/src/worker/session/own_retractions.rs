//! Our lines taken back (XEP-0424), online or not. The line is blanked here at once and its
//! retraction kept in the store (`retractions_due`) in the same transaction, so it is never
//! lost: it goes out with the outbox (on connecting, on resuming, once a room is joined) and
//! leaves the store when the server has it, as a message leaves the outbox. A room's line is
//! named by the id the room gave it: online, a line the room has not reflected yet is refused
//! for a moment; one taken back offline that never got its id stays due, tried again with
//! every flush of the outbox, and so does one in a room since left, until it is joined again
//! (it goes only through the room, never to it as a chat).

use super::Session;
use super::outbox::tell_when_acked;
use crate::model::{ChatId, Delivery, Direction, MessageKind};
use crate::store::DueRetraction;
use crate::worker::retraction::{self as stanza_retraction, FALLBACK_BODY};
use crate::worker::{Event, stanza};
use std::collections::HashSet;
use tokio::sync::mpsc;
use tokio_xmpp::Stanza;
use tokio_xmpp::jid::Jid;

/// Retractions handed to the stream, until the server has them.
pub(super) struct OwnRetractions {
    in_flight: HashSet<i64>,
    pub(super) acks_tx: mpsc::UnboundedSender<i64>,
    pub(super) acks_rx: mpsc::UnboundedReceiver<i64>,
}

impl Default for OwnRetractions {
    fn default() -> Self {
        let (acks_tx, acks_rx) = mpsc::unbounded_channel();
        Self { in_flight: HashSet::new(), acks_tx, acks_rx }
    }
}

impl OwnRetractions {
    /// The connection is gone: what it carried is sent again on the next one.
    pub(super) fn offline(&mut self) {
        self.in_flight.clear();
    }
}

impl Session {
    /// Take back our line `message_id` in `chat`: blanked here now, told to everyone else
    /// now or once online.
    pub(super) async fn retract_own(&mut self, chat: &ChatId, message_id: i64) {
        let refuse = |this: &Self, why: &str| this.emit(Event::Outcome(Err(why.to_owned())));
        let line = self.store.read(|store| store.message(message_id)).ok().flatten();
        let Some(line) = line.filter(|m| {
            &m.chat == chat && m.direction == Direction::Out && m.kind == MessageKind::Message
        }) else {
            return refuse(self, "that is not a message of yours that can be deleted");
        };
        if line.scheduled_for.is_some() || line.state == Delivery::Pending {
            return refuse(self, "that message has not gone out yet: cancel it instead");
        }
        let Ok(to) = Jid::new(chat.as_str()) else {
            return refuse(self, "that conversation has no valid address");
        };
        let route = self.route(&to);
        let in_room = route != stanza::Route::Chat;
        // A line nobody could name would wait for ever. Online, a room line the room has not
        // reflected yet is about to be named by its reflection: asked again in a moment.
        // Offline, a room line may still be named when the room is joined again.
        if self.id_to_name(route, &line).is_none() && (self.is_online() || !in_room) {
            let why = if in_room {
                "the room has not confirmed that message yet; try again shortly"
            } else {
                "that message has no id the others know it by"
            };
            return refuse(self, why);
        }
        match self.store.transaction(|store| store.retract_own_line(message_id, in_room)) {
            Ok(Some(removed)) => {
                self.removed(removed);
                let outcome = if self.is_online() {
                    "deleted the message"
                } else {
                    "deleted the message here; the others are told once you are online"
                };
                self.emit(Event::Outcome(Ok(outcome.into())));
                self.send_due_retractions().await;
            }
            Ok(None) => refuse(self, "that message was deleted already"),
            Err(e) => self.store_failed("the message was not deleted", e),
        }
    }

    /// Send the retractions the store keeps that are not on their way yet.
    pub(super) async fn send_due_retractions(&mut self) {
        if !self.is_online() {
            return;
        }
        let due = match self.store.read(|store| store.retractions_due(self.account_key())) {
            Ok(due) => due,
            Err(e) => return tracing::warn!("{e}"),
        };
        for due in due {
            if !self.own_retractions.in_flight.contains(&due.line.id) {
                self.send_retraction(&due).await;
            }
        }
    }

    async fn send_retraction(&mut self, due: &DueRetraction) {
        let line = &due.line;
        let Ok(to) = Jid::new(line.chat.as_str()) else { return };
        let route = self.route(&to);
        // A room left since waits until it is joined again: never sent to it as a chat.
        if self.waits_for_room(&to) || (due.in_room && route == stanza::Route::Chat) {
            return;
        }
        let Some(named) = self.id_to_name(route, line) else {
            tracing::debug!("{}: line {} has no id to retract yet", line.chat, line.id);
            return;
        };
        let id = uuid::Uuid::new_v4().to_string();
        let mut message = stanza::outgoing_message(to.clone(), FALLBACK_BODY, &id, route);
        stanza_retraction::retract(&mut message, &named);
        if route == stanza::Route::Room
            && let Some(room) = self.rooms.get_mut(&to.to_bare())
        {
            // Its reflection is then known as ours.
            room.authors.sent_correction(id);
        }
        let stanza = Stanza::Message(message);
        let Some(stream) = &self.stream else { return };
        self.to_console(true, &stanza);
        let token = stream.send(Box::new(stanza)).await;
        self.own_retractions.in_flight.insert(line.id);
        let acks = self.own_retractions.acks_tx.clone();
        tell_when_acked(token, self.stream_management, acks, line.id);
    }

    /// The server has the retraction of line `message_id`.
    pub(super) fn retraction_acked(&mut self, message_id: i64) {
        self.own_retractions.in_flight.remove(&message_id);
        if let Err(e) = self.store.write(|store| store.retraction_sent(message_id)) {
            tracing::warn!("{e}");
        }
    }
}
