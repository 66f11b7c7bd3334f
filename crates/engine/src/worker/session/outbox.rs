//! The outbox side of a session: a message the user writes is stored and queued first, then
//! handed to the stream when online, and leaves the outbox only when the server acknowledged
//! it (stream management) or, without it, once it was written out.
//!
//! An acknowledgement is not always the end: a server that is stopped can take a message and
//! lose it before handing it on (ejabberd does, docs/decisions.md "Acknowledged, then lost").
//! So the messages acknowledged in the last minute before a connection was lost, which their
//! recipient has not confirmed, go back to the outbox when the server comes back without our
//! session, where that recipient confirms what reaches it (it has, or its client announces
//! receipts, `session::capabilities`); they go out again under the same id, which the
//! recipient's client recognises.

use super::{LATE_AFTER, Session, stanza};
use crate::model::{ChatId, Delivery, Direction, Message, MessageKind, NewMessage};
use crate::worker::Event;
use std::collections::{HashMap, VecDeque};
use std::time::Duration;
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
    /// Messages the server acknowledged lately that ask their recipient for a receipt, oldest
    /// first, with when.
    unconfirmed: VecDeque<(i64, Instant)>,
    /// When the connection was lost, until the next one is up.
    lost_at: Option<Instant>,
}

/// How long before a lost connection an acknowledged message may still have been lost with
/// the server's session processes.
const UNCONFIRMED_WINDOW: Duration = Duration::from_secs(60);
/// At most this many acknowledged messages are watched (a flood within the window).
const MAX_UNCONFIRMED: usize = 10_000;

impl Default for Outbox {
    fn default() -> Self {
        let (acks_tx, acks_rx) = mpsc::unbounded_channel();
        Self {
            in_flight: HashMap::new(),
            acks_tx,
            acks_rx,
            next_due: None,
            unconfirmed: VecDeque::new(),
            lost_at: None,
        }
    }
}

impl Outbox {
    /// The connection is gone; the first loss counts until we are back.
    pub(super) fn connection_lost(&mut self) {
        self.lost_at.get_or_insert_with(Instant::now);
    }

    /// The server kept our session: what it acknowledged is with it.
    pub(super) fn resumed(&mut self) {
        self.lost_at = None;
    }

    /// The server came back without our session: the messages it acknowledged within the
    /// window before the loss, to be confirmed again.
    fn take_unconfirmed(&mut self) -> Vec<i64> {
        let Some(lost_at) = self.lost_at.take() else { return Vec::new() };
        let since = lost_at.checked_sub(UNCONFIRMED_WINDOW);
        let recent = self.unconfirmed.drain(..).filter(|(_, at)| since.is_none_or(|s| *at >= s));
        recent.map(|(id, _)| id).collect()
    }

    fn note_unconfirmed(&mut self, message_id: i64) {
        let now = Instant::now();
        while self.unconfirmed.front().is_some_and(|(_, at)| now - *at > UNCONFIRMED_WINDOW)
            || self.unconfirmed.len() >= MAX_UNCONFIRMED
        {
            self.unconfirmed.pop_front();
        }
        self.unconfirmed.push_back((message_id, now));
    }
}

/// An outbox row handed to the stream: whether it goes out late, whether it asks its recipient
/// for a receipt, and how far it got.
pub(super) struct InFlight {
    late: bool,
    asks_receipt: bool,
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
            self.queue(to, body, due, None, None).await;
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
        reply: Option<crate::model::Reply>,
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
            reply,
            unstyled: false,
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
        let mut stanza = match &message.reply {
            Some(reply) => crate::worker::reply::reply_message(to, &message.body, id, route, reply),
            None => stanza::outgoing_message(to, &message.body, id, route),
        };
        if let Some(url) = oob_url {
            stanza::attach_url(&mut stanza, url);
        }
        let asks_receipt = route == stanza::Route::Chat;
        if asks_receipt {
            crate::worker::delivery::ask_for_receipt(&mut stanza);
        }
        let stanza = Stanza::Message(stanza);
        let Some(stream) = &self.stream else { return };
        self.to_console(true, &stanza);
        let token = stream.send(Box::new(stanza)).await;
        let in_flight = InFlight { late, asks_receipt, progress: token.clone() };
        self.outbox.in_flight.insert(message.id, in_flight);
        tell_when_acked(token, self.stream_management, self.outbox.acks_tx.clone(), message.id);
    }

    pub(super) fn acknowledged(&mut self, message_id: i64) {
        let in_flight = self.outbox.in_flight.remove(&message_id);
        let late = in_flight.as_ref().is_some_and(|f| f.late);
        if in_flight.is_some_and(|f| f.asks_receipt) {
            self.outbox.note_unconfirmed(message_id);
        }
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

    /// Back after a loss without our session: messages the server acknowledged but may have
    /// lost go back to the outbox, ahead of what was written since (see the module comment).
    pub(super) fn confirm_again(&mut self) {
        let ids = self.outbox.take_unconfirmed();
        if ids.is_empty() {
            return;
        }
        let confirming: Vec<String> = self.capabilities.confirming.iter().cloned().collect();
        let requeue =
            |store: &mut crate::store::Store| store.requeue_unconfirmed(&ids, &confirming);
        let queued = match self.store.transaction(requeue) {
            Ok(queued) => queued,
            Err(e) => {
                tracing::warn!("{e}");
                return;
            }
        };
        tracing::info!("{}: {} unconfirmed message(s) sent again", self.account.jid, queued.len());
        for message_id in queued {
            if let Ok(Some(message)) = self.store.read(|store| store.message(message_id)) {
                let (chat, state) = (message.chat, message.state);
                self.emit(Event::Delivery { message_id, chat, state });
            }
        }
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
        self.send_due_retractions().await;
    }
}

/// Says `id` on `acks` once the server has the stanza behind `token` (or, without stream
/// management, once it is written: nothing better is known then).
pub(super) fn tell_when_acked(
    mut token: StanzaToken,
    needs_ack: bool,
    acks: mpsc::UnboundedSender<i64>,
    id: i64,
) {
    tokio::spawn(async move {
        let stage = if needs_ack { StanzaStage::Acked } else { StanzaStage::Sent };
        let reached = match token.wait_for(stage).await {
            Some(StanzaState::Acked { .. }) => true,
            Some(StanzaState::Sent { .. }) => !needs_ack,
            _ => false,
        };
        if reached {
            let _ = acks.send(id);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn only_what_was_acknowledged_within_the_window_before_a_loss_is_confirmed_again() {
        let mut outbox = Outbox::default();
        outbox.note_unconfirmed(1);
        tokio::time::advance(Duration::from_secs(50)).await;
        outbox.note_unconfirmed(2);
        tokio::time::advance(Duration::from_secs(20)).await;
        outbox.connection_lost();
        tokio::time::advance(Duration::from_secs(30)).await;
        outbox.connection_lost();
        assert_eq!(outbox.take_unconfirmed(), [2], "1 was acknowledged 70 s before the loss");
        assert!(outbox.take_unconfirmed().is_empty(), "once");
    }

    #[tokio::test(start_paused = true)]
    async fn nothing_is_confirmed_again_after_a_resumed_stream_or_without_a_loss() {
        let mut outbox = Outbox::default();
        outbox.note_unconfirmed(1);
        assert!(outbox.take_unconfirmed().is_empty(), "a first login");
        outbox.connection_lost();
        outbox.resumed();
        assert!(outbox.take_unconfirmed().is_empty(), "the server kept the session");
    }

    #[tokio::test(start_paused = true)]
    async fn the_watch_list_is_bounded() {
        let mut outbox = Outbox::default();
        for id in 0..(MAX_UNCONFIRMED as i64 + 5) {
            outbox.note_unconfirmed(id);
        }
        outbox.connection_lost();
        let again = outbox.take_unconfirmed();
        assert_eq!(again.len(), MAX_UNCONFIRMED);
        assert_eq!(again.first(), Some(&5), "the oldest make way");
    }
}
