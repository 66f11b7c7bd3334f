//! What comes off the stream: events are taken in bursts (tokio-xmpp stalls if its queues
//! fill), each routed to its handler, and the burst's messages stored in one transaction before
//! receipts, presences and occupant changes go out together.

use super::Session;
use super::ingest::Arrival;
use crate::model::{ConnectionState, NewMessage};
use crate::worker::Event;
use crate::worker::connect::FIRST_BACKOFF;
use crate::worker::stanza;
use futures::{FutureExt, StreamExt};
use tokio::time::Instant;
use tokio_xmpp::Stanza;
use tokio_xmpp::jid::Jid;
use tokio_xmpp::stanzastream::{Event as StreamEvent, StreamEvent as LinkEvent};

/// How many stream events are taken in one go before the batch is stored.
const MAX_BATCH: usize = 500;

impl Session {
    pub(super) async fn stream_event(&mut self, event: Option<StreamEvent>) {
        let Some(event) = event else {
            // The stream ended by itself, an internal failure (a fatal report lets go of the
            // stream before it could end): try again shortly.
            self.outbox.connection_lost();
            self.let_go_of_stream();
            self.set_state(ConnectionState::Offline {
                reason: "connection closed".into(),
                retry_in_secs: FIRST_BACKOFF.as_secs(),
            });
            self.restart_at = Some(Instant::now() + FIRST_BACKOFF);
            return;
        };
        let mut batch = Vec::new();
        self.take(event, &mut batch).await;
        while batch.len() < MAX_BATCH {
            let Some(stream) = self.stream.as_mut() else {
                break;
            };
            match stream.next().now_or_never() {
                Some(Some(event)) => self.take(event, &mut batch).await,
                _ => break,
            }
        }
        self.store_incoming(batch, Arrival::Live);
        self.save_archive_cursor();
        self.send_receipts().await;
        self.flush_presences();
        self.flush_occupants();
    }

    async fn take(&mut self, event: StreamEvent, batch: &mut Vec<NewMessage>) {
        if let StreamEvent::Stanza(stanza) = &event {
            self.to_console(false, stanza);
        }
        match event {
            StreamEvent::Stanza(Stanza::Message(message)) => self.message(message, batch).await,
            StreamEvent::Stanza(Stanza::Presence(presence)) => {
                let from_room =
                    presence.from.as_ref().map(Jid::to_bare).filter(|b| self.is_room(b));
                if let Some(room) = from_room {
                    self.room_presence(room, presence, batch).await;
                    return;
                }
                if let Some((jid, hash)) = crate::worker::profile::vcard_photo_hint(&presence) {
                    self.vcard_photo_hint(jid, hash).await;
                }
                let announced = crate::worker::caps::Announced::read(&presence);
                let from = presence.from.clone();
                self.presence(presence);
                if let (Some(announced), Some(from)) = (announced, from) {
                    self.capabilities_announced(from, announced).await;
                }
            }
            StreamEvent::Stanza(Stanza::Iq(iq)) => self.iq(iq).await,
            StreamEvent::Stream(LinkEvent::Reset { features, .. }) => {
                self.went_offline();
                self.stream_management = features.stream_management.is_some();
                self.set_state(ConnectionState::Online);
                self.request_roster().await;
                self.request_block_list().await;
                self.announce_ourselves().await;
                self.discover_services().await;
                self.request_bookmarks().await;
                self.join_autojoin_rooms().await;
                self.enable_carbons().await;
                self.start_catch_up().await;
                self.confirm_again();
                self.flush_outbox().await;
            }
            StreamEvent::Stream(LinkEvent::Resumed) => {
                self.outbox.resumed();
                self.set_state(ConnectionState::Online);
                // The stream sent again what the server had not acknowledged; what was written
                // while it was away follows, in order.
                self.flush_outbox().await;
            }
            StreamEvent::Stream(LinkEvent::Suspended) => {
                self.outbox.connection_lost();
                if self.unwritten_messages() {
                    // Resuming would keep the order only if the server still had our session;
                    // a fresh connection sends the whole outbox again in order, so messages
                    // still waiting in the stream's queue are dropped with it.
                    self.restart().await;
                } else {
                    self.set_state(ConnectionState::Connecting);
                }
            }
        }
    }

    pub(super) async fn send_raw(&mut self, xml: &str) {
        if !self.is_online() {
            self.emit(Event::Outcome(Err("not connected; try again once online".into())));
            return;
        }
        match stanza::parse_raw(xml) {
            Ok(stanza) => {
                self.send(stanza).await;
                self.emit(Event::Outcome(Ok("sent".into())));
            }
            Err(why) => self.emit(Event::Outcome(Err(why))),
        }
    }

    /// Tell the XML console about a stanza, if one watches.
    pub(super) fn to_console(&self, outgoing: bool, stanza: &Stanza) {
        if self.console {
            let xml = crate::worker::console::shown(stanza);
            self.emit(Event::Stanza { outgoing, xml });
        }
    }

    pub(super) async fn send(&mut self, stanza: Stanza) {
        if let Some(stream) = &self.stream {
            self.to_console(true, &stanza);
            // The token is not needed: answers come back as stanzas.
            drop(stream.send(Box::new(stanza)).await);
        }
    }
}
