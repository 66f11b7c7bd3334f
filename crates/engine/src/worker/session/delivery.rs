//! What happens around messages in a session: receipts and markers from peers (and ours to
//! them, as the privacy settings allow), typing both ways (rate-limited), corrections, refusals
//! by the server, and the outbox commands (cancel, edit, send now, retry).

use super::Session;
use crate::config::Privacy;
use crate::model::Typing;
use crate::model::{ChatId, Direction};
use crate::worker::delivery::{self, Signal};
use crate::worker::stanza;
use crate::worker::{Event, OutboxAction};
use std::collections::HashMap;
use std::time::Duration;
use tokio::time::Instant;
use tokio_xmpp::Stanza;
use tokio_xmpp::jid::{BareJid, Jid};
use tokio_xmpp::parsers::message::Message as XmppMessage;

/// "Composing" is said again only after this long (XEP-0085 §5.3 asks for restraint).
const TYPING_REPEAT: Duration = Duration::from_secs(10);

/// What we tell others about their messages and our typing, as the user allows, and what we
/// last told them.
pub(super) struct Signals {
    pub(super) privacy: Privacy,
    /// Receipts to send once the messages they confirm are stored.
    pub(super) receipts_due: Vec<(Jid, String)>,
    /// The newest message we sent a displayed marker for, per chat.
    pub(super) displayed_sent: HashMap<ChatId, i64>,
    /// The typing state we last told each chat, and when.
    pub(super) typing_sent: HashMap<ChatId, (Typing, Instant)>,
}

impl Signals {
    pub(super) fn new(privacy: Privacy) -> Self {
        Self {
            privacy,
            receipts_due: Vec::new(),
            displayed_sent: HashMap::new(),
            typing_sent: HashMap::new(),
        }
    }
}

impl Session {
    /// A receipt or marker, believed only from the chat's peer.
    pub(super) fn delivery_signal(&mut self, from: BareJid, signal: Signal) {
        let chat = from.as_str();
        let account = self.account.jid.clone();
        let moved = match signal {
            Signal::Received(id) => self
                .store
                .write(|store| store.mark_delivered(&account, chat, &id))
                .map(|m| m.into_iter().collect()),
            Signal::Displayed(id) => {
                self.store.transaction(|store| store.mark_read(&account, chat, &id))
            }
        };
        match moved {
            Ok(moved) => {
                for message_id in moved {
                    self.outbox.in_flight.remove(&message_id);
                    if let Ok(Some(state)) = self.store.read(|store| store.delivery(message_id)) {
                        self.emit(Event::Delivery {
                            message_id,
                            chat: ChatId(chat.to_owned()),
                            state,
                        });
                    }
                }
            }
            Err(e) => tracing::warn!("{e}"),
        }
    }

    /// XEP-0184 §8: a receipt tells that we are online, so only people who may see our
    /// presence get one, and only when the user allows receipts.
    pub(super) fn wants_our_receipt(&self, message: &XmppMessage) -> Option<(Jid, String)> {
        if !self.signals.privacy.receipts || !delivery::wants_receipt(message) {
            return None;
        }
        let from = message.from.clone()?;
        let id = message.id.as_ref()?.0.clone();
        self.sees_our_presence(&from.to_bare()).then_some((from, id))
    }

    /// Whether `jid` is a contact who may see our presence (a `from` or `both` subscription).
    pub(super) fn sees_our_presence(&self, jid: &BareJid) -> bool {
        let subscription =
            self.store.read(|store| store.subscription(self.account_key(), jid.as_str()));
        matches!(
            subscription,
            Ok(Some(crate::model::Subscription::From | crate::model::Subscription::Both))
        )
    }

    /// Receipts for messages now safely stored.
    pub(super) async fn send_receipts(&mut self) {
        for (to, id) in std::mem::take(&mut self.signals.receipts_due) {
            self.send(Stanza::Message(delivery::receipt(to, &id))).await;
        }
    }

    /// The user has seen `chat` up to its newest message: tell the peer (XEP-0333), once.
    pub(super) async fn mark_displayed(&mut self, chat: &ChatId) {
        if !self.signals.privacy.read_markers || !self.is_online() {
            return;
        }
        let page = self.store.read(|store| store.history(self.account_key(), chat, None, 20));
        let newest = page.ok().and_then(|p| {
            p.messages.into_iter().rev().find(|m| {
                m.direction == Direction::In && m.kind == crate::model::MessageKind::Message
            })
        });
        let Some(newest) = newest else { return };
        if self.signals.displayed_sent.get(chat) == Some(&newest.id) {
            return;
        }
        let Some(id) = self.store.read(|store| store.stanza_id_attr(newest.id)).ok().flatten()
        else {
            return;
        };
        let Ok(to) = Jid::new(&newest.from) else { return };
        if self.route(&to) != stanza::Route::Chat {
            return;
        }
        self.signals.displayed_sent.insert(chat.clone(), newest.id);
        self.send(Stanza::Message(delivery::displayed(to, &id))).await;
    }

    /// The user types (or stopped) in `chat`: said to the peer at most every few seconds.
    pub(super) async fn typing(&mut self, chat: &ChatId, typing: Typing) {
        if !self.signals.privacy.typing || !self.is_online() {
            return;
        }
        let Ok(to) = Jid::new(chat.as_str()) else { return };
        if self.route(&to) != stanza::Route::Chat {
            return;
        }
        let now = Instant::now();
        let last = self.signals.typing_sent.get(chat).copied();
        let worth_saying = match (typing, last) {
            (Typing::Composing, Some((Typing::Composing, at))) => now - at >= TYPING_REPEAT,
            (Typing::Composing, _) => true,
            (_, Some((Typing::Composing, _))) => true,
            _ => false,
        };
        if worth_saying {
            self.signals.typing_sent.insert(chat.clone(), (typing, now));
            self.send(Stanza::Message(delivery::typing_message(to, typing))).await;
        }
    }

    /// Correct our last message in `chat` (XEP-0308): the text changes here and for them.
    pub(super) async fn correct_last(&mut self, chat: &ChatId, body: String) {
        if body.trim().is_empty() {
            return;
        }
        if !self.is_online() {
            self.emit(Event::Outcome(Err("not connected; try again once online".into())));
            return;
        }
        let account = self.account.jid.clone();
        let Ok(Some(last)) = self.store.read(|store| store.last_outgoing(&account, chat.as_str()))
        else {
            self.emit(Event::Outcome(Err("there is no message of yours to correct here".into())));
            return;
        };
        let Some(replaced) = self.store.read(|store| store.stanza_id_attr(last.id)).ok().flatten()
        else {
            return;
        };
        let Ok(to) = Jid::new(chat.as_str()) else { return };
        let route = self.route(&to);
        let to_bare = to.to_bare();
        let id = uuid::Uuid::new_v4().to_string();
        let mut message = stanza::outgoing_message(to, &body, &id, route);
        delivery::correct(&mut message, &replaced);
        if route == stanza::Route::Room
            && let Some(room) = self.rooms.get_mut(&to_bare)
        {
            room.authors.sent_correction(id.clone());
        }
        let own = self.own.to_string();
        match self.store.read(|store| {
            store.correct(&account, chat.as_str(), &replaced, &body, false, |m, _| {
                m.direction == Direction::Out && m.from == own
            })
        }) {
            Ok(Some(corrected)) => {
                self.send(Stanza::Message(message)).await;
                self.emit(Event::Edited(corrected));
            }
            Ok(None) => self.emit(Event::Outcome(Err("that message cannot be corrected".into()))),
            Err(e) => self.emit(Event::Notice(e.to_string())),
        }
    }

    /// Apply corrections (XEP-0308) once the lines they may replace are stored; returns those
    /// that replace nothing we have, to be kept as lines of their own. Whichever way a
    /// correction comes (live, carbon, offline, our archive, a room's), it passes here, so a
    /// copy of it coming back later changes the same line again instead of adding one.
    pub(super) fn apply_corrections(
        &mut self,
        corrections: Vec<crate::model::NewMessage>,
    ) -> Vec<crate::model::NewMessage> {
        corrections
            .into_iter()
            .filter(|line| match line.replaces.as_deref() {
                Some(replaced) => !self.incoming_correction(line, replaced),
                None => true,
            })
            .collect()
    }

    /// A correction from someone: applied only when they wrote the original (in a room, by
    /// the rule of `room_authors`). True when taken.
    fn incoming_correction(&mut self, line: &crate::model::NewMessage, replaced: &str) -> bool {
        let account = self.account.jid.clone();
        let own = self.own.to_string();
        let is_author = super::retraction::written_by_sender(line, &own);
        match self.store.read(|store| {
            let (chat, body) = (line.chat.as_str(), &line.body);
            store.correct(&account, chat, replaced, body, line.unstyled, is_author)
        }) {
            Ok(Some(corrected)) => {
                self.emit(Event::Edited(corrected));
                true
            }
            Ok(None) => false,
            Err(e) => {
                tracing::warn!("{e}");
                false
            }
        }
    }

    /// The server (or the peer's server) refused one of our messages: it fails, with the
    /// reason, and leaves the outbox until the user retries.
    pub(super) fn message_refused(&mut self, message: &XmppMessage) {
        let Some(id) = message.id.as_ref().map(|i| i.0.clone()) else { return };
        let Some(from) = message.from.as_ref() else { return };
        let chat = if self.is_room(&from.to_bare())
            && from.resource().is_some()
            && self.route(from) == stanza::Route::RoomPrivate
        {
            from.to_string()
        } else {
            from.to_bare().to_string()
        };
        let reason = message
            .payloads
            .iter()
            .find_map(|p| tokio_xmpp::parsers::stanza_error::StanzaError::try_from(p.clone()).ok())
            .map_or_else(|| "the server refused it".to_owned(), |e| stanza::error_text(&e));
        let account = self.account.jid.clone();
        let Ok(Some(message_id)) = self.store.read(|store| store.outgoing_id(&account, &chat, &id))
        else {
            return;
        };
        self.outbox.in_flight.remove(&message_id);
        if let Err(e) = self.store.transaction(|store| store.fail_message(message_id, &reason)) {
            tracing::warn!("{e}");
            return;
        }
        if let Ok(Some(state)) = self.store.read(|store| store.delivery(message_id)) {
            self.emit(Event::Delivery { message_id, chat: ChatId(chat), state });
        }
    }

    pub(super) async fn outbox_command(&mut self, action: OutboxAction) {
        let result = match &action {
            OutboxAction::Cancel(id) => self.store.transaction(|store| store.cancel_queued(*id)),
            OutboxAction::Edit { id, body } => {
                self.store.write(|store| store.edit_queued(*id, body))
            }
            OutboxAction::SendNow(id) => self.store.write(|store| store.reschedule(*id, None)),
            OutboxAction::Reschedule { id, at } => {
                self.store.write(|store| store.reschedule(*id, Some(*at)))
            }
            OutboxAction::Retry(id) => self.store.transaction(|store| store.requeue(*id)),
        };
        let id = match action {
            OutboxAction::Cancel(id)
            | OutboxAction::Edit { id, .. }
            | OutboxAction::SendNow(id)
            | OutboxAction::Reschedule { id, .. }
            | OutboxAction::Retry(id) => id,
        };
        match (result, &action) {
            (Ok(false), _) => {
                self.emit(Event::Outcome(Err("that message has already gone out".into())));
            }
            (Err(e), _) => self.emit(Event::Outcome(Err(e.to_string()))),
            (Ok(true), OutboxAction::Cancel(_)) => {
                self.cancel_upload(id);
                self.emit(Event::Removed { message_id: id });
                self.emit(Event::Outcome(Ok("the message was cancelled".into())));
            }
            (Ok(true), _) => {
                if let Ok(Some(message)) = self.store.read(|store| store.message(id)) {
                    self.emit(Event::Edited(message));
                }
                self.emit(Event::Outcome(Ok("the outbox was changed".into())));
                self.schedule_next();
                if self.is_online() {
                    self.flush_outbox().await;
                }
            }
        }
    }

    /// Set the timer for the next scheduled message.
    pub(super) fn schedule_next(&mut self) {
        let next = self.store.read(|store| store.next_due(self.account_key())).ok().flatten();
        self.outbox.next_due = next.map(|due| {
            let wait = (due - chrono::Utc::now()).to_std().unwrap_or_default();
            Instant::now() + wait
        });
    }
}
