//! The outbox side of a session: a message the user writes is stored and queued first, then
//! handed to the stream when online, and leaves the outbox only when the server acknowledged
//! it (stream management) or, without it, once it was written out.

use super::{LATE_AFTER, Session, stanza};
use crate::model::{ChatId, Delivery, Direction, Message, MessageKind, NewMessage};
use crate::worker::Event;
use std::collections::HashMap;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_xmpp::Stanza;
use tokio_xmpp::jid::Jid;
use tokio_xmpp::stanzastream::{StanzaStage, StanzaState, StanzaToken};

/// The outbox's side of a connection: the messages handed to the stream, the channel their
/// acknowledgements come back on, and when the next scheduled message falls due.
pub(super) struct Outbox {
    pub(super) in_flight: HashMap<i64, InFlight>,
    pub(super) acks_tx: mpsc::UnboundedSender<i64>,
    pub(super) acks_rx: mpsc::UnboundedReceiver<i64>,
    pub(super) next_due: Option<Instant>,
}

impl Default for Outbox {
    fn default() -> Self {
        let (acks_tx, acks_rx) = mpsc::unbounded_channel();
        Self { in_flight: HashMap::new(), acks_tx, acks_rx, next_due: None }
    }
}

/// An outbox row handed to the stream: whether it goes out late, and how far it got.
pub(super) struct InFlight {
    late: bool,
    progress: StanzaToken,
}

impl Session {
    /// Store first, then announce, then send if we can: a message the user wrote is never only
    /// in memory.
    pub(super) async fn queue_message(
        &mut self,
        to: &str,
        body: String,
        due: Option<chrono::DateTime<chrono::Utc>>,
    ) {
        if body.trim().is_empty() {
            return;
        }
        if let Some(to) = self.recipient(to) {
            self.queue(to, body, due, None).await;
        }
    }

    /// A person (bare), a room (bare), or a room's occupant (`room@service/nick`); anything
    /// else is reported.
    pub(super) fn recipient(&self, to: &str) -> Option<Jid> {
        match Jid::new(to.trim()) {
            Ok(jid)
                if jid.node().is_some()
                    && (jid.resource().is_none() || self.is_room(&jid.to_bare())) =>
            {
                Some(jid)
            }
            _ => {
                self.emit(Event::Notice(format!("“{to}” is not a valid address")));
                None
            }
        }
    }

    pub(super) async fn queue(
        &mut self,
        to: Jid,
        body: String,
        due: Option<chrono::DateTime<chrono::Utc>>,
        attachment: Option<crate::model::Attachment>,
    ) {
        let id = uuid::Uuid::new_v4().to_string();
        let nick = match self.route(&to) {
            stanza::Route::Room => self.room_nick(&to.to_bare()).map(str::to_owned),
            _ => None,
        };
        let message = NewMessage {
            chat: ChatId(to.to_string()),
            kind: MessageKind::Message,
            nick,
            direction: Direction::Out,
            from: self.own.to_string(),
            to: to.to_string(),
            body,
            // A scheduled message takes its place in the conversation at its time.
            timestamp: due.unwrap_or_else(chrono::Utc::now),
            state: Delivery::Pending,
            stanza_id_attr: Some(id.clone()),
            origin_id: Some(id),
            server_id: None,
            attachment,
            author: Default::default(),
            replaces: None,
        };
        // The message itself ends "typing" (XEP-0085 §5.4).
        self.signals.typing_sent.remove(&message.chat);
        match self.store.transaction(|store| store.enqueue(&self.account.jid, &message, due)) {
            Ok(stored) => {
                self.emit(Event::Message(stored.clone()));
                if due.is_none() {
                    self.transmit(&stored).await;
                }
            }
            Err(e) => self.store_failed("The message was not saved", e),
        }
    }

    /// Hand one outbox message to the stream and watch for the server's acknowledgement.
    ///
    /// Only while online: a stanza handed to the stream while it reconnects waits in its queue
    /// and would leave ahead of older messages that the lost connection never delivered, which
    /// the new connection sends again from the outbox (see docs/decisions.md, "Ordering after a
    /// crash").
    pub(super) async fn transmit(&mut self, message: &Message) {
        if !self.is_online() {
            return;
        }
        let (Ok(to), Some(id)) = (Jid::new(&message.to), message.origin_id.as_deref()) else {
            tracing::warn!("outbox row {} has no usable recipient or id", message.id);
            return;
        };
        // A room takes messages only from its occupants: wait until we are in.
        if self.waits_for_room(&to) {
            return;
        }
        if self.outbox.in_flight.contains_key(&message.id) {
            return;
        }
        // A file goes up first; the message follows once it has its address.
        let oob_url = match &message.attachment {
            Some(attachment) => match &attachment.url {
                Some(url) => Some(url.as_str()),
                None => {
                    self.start_upload(message).await;
                    return;
                }
            },
            None => None,
        };
        let late = message.scheduled_for.is_some_and(|due| chrono::Utc::now() - due > LATE_AFTER);
        if let Err(e) = self.store.write(|store| store.note_attempt(message.id)) {
            tracing::warn!("{e}");
        }
        let route = self.route(&to);
        let mut stanza = stanza::outgoing_message(to, &message.body, id, route);
        if let Some(url) = oob_url {
            stanza::attach_url(&mut stanza, url);
        }
        if route == stanza::Route::Chat {
            crate::worker::delivery::ask_for_receipt(&mut stanza);
        }
        let Some(stream) = &self.stream else { return };
        let mut token = stream.send(Box::new(Stanza::Message(stanza))).await;
        self.outbox.in_flight.insert(message.id, InFlight { late, progress: token.clone() });
        let acks = self.outbox.acks_tx.clone();
        let message_id = message.id;
        let needs_ack = self.stream_management;
        tokio::spawn(async move {
            let stage = if needs_ack { StanzaStage::Acked } else { StanzaStage::Sent };
            let reached = match token.wait_for(stage).await {
                Some(StanzaState::Acked { .. }) => true,
                Some(StanzaState::Sent { .. }) => !needs_ack,
                _ => false,
            };
            if reached {
                let _ = acks.send(message_id);
            }
        });
    }

    pub(super) fn acknowledged(&mut self, message_id: i64) {
        let late = self.outbox.in_flight.remove(&message_id).is_some_and(|f| f.late);
        match self.store.transaction(|store| store.mark_acknowledged(message_id, late)) {
            Ok(()) => {
                if let Ok(Some(message)) = self.store.read(|store| store.message(message_id)) {
                    let (chat, state) = (message.chat.clone(), message.state.clone());
                    if late {
                        // The late mark is part of the message, not of its state.
                        self.emit(Event::Edited(message));
                    }
                    self.emit(Event::Delivery { message_id, chat, state });
                }
            }
            Err(e) => tracing::warn!("{e}"),
        }
    }

    /// Whether a message handed to the stream never left it: after a lost connection the
    /// stream would send it first on the next one, ahead of older messages the lost
    /// connection took down and the outbox sends again.
    pub(super) fn unwritten_messages(&self) -> bool {
        self.outbox.in_flight.values().any(|f| matches!(f.progress.state(), StanzaState::Queued))
    }

    /// Send every queued message that is due, oldest first.
    pub(super) async fn flush_outbox(&mut self) {
        let queued = match self.store.read(|store| store.outbox(self.account_key())) {
            Ok(queued) => queued,
            Err(e) => {
                self.emit(Event::Notice(e.to_string()));
                return;
            }
        };
        let now = chrono::Utc::now();
        for entry in queued.into_iter().filter(|e| e.due_at.is_none_or(|due| due <= now)) {
            self.transmit(&entry.message).await;
        }
    }
}
