//! XEP-0410 self-ping: a room can drop us without a word (a restart, a lost server-to-server
//! link), and only asking tells. Rooms silent for a while are pinged through our own nick;
//! an answer that says we are no longer in makes us join again.

use super::Session;
use super::requests::{Answer, PendingIq};
use crate::worker::muc;
use std::time::Duration;
use tokio::time::Instant;
use tokio_xmpp::jid::{BareJid, Jid};
use tokio_xmpp::parsers::iq::Iq;

/// How often rooms are checked for silence.
pub(super) const SELF_PING_CHECK: Duration = Duration::from_secs(60);
/// A room silent this long gets a self-ping (XEP-0410 §3).
const SELF_PING_AFTER: Duration = Duration::from_secs(5 * 60);

/// A self-ping sent to us in this room.
pub(super) struct Request(BareJid);

impl From<Request> for PendingIq {
    fn from(request: Request) -> Self {
        Self::SelfPing(request)
    }
}

impl Session {
    /// XEP-0410: ping ourselves in every room that has been quiet for a while.
    pub(super) async fn ping_quiet_rooms(&mut self) {
        if !self.is_online() {
            return;
        }
        let quiet: Vec<(BareJid, String)> = self
            .rooms
            .iter_mut()
            .filter(|(_, r)| r.joined && !r.pinging && r.last_heard.elapsed() >= SELF_PING_AFTER)
            .map(|(jid, r)| {
                r.pinging = true;
                (jid.clone(), r.room.nick.clone())
            })
            .collect();
        for (room, nick) in quiet {
            let Ok(to) = room.with_resource_str(&nick) else { continue };
            let id = self.next_id("self-ping");
            let ping = Iq::from_get(id, tokio_xmpp::parsers::ping::Ping).with_to(Jid::from(to));
            self.send_iq(ping, Request(room)).await;
        }
    }

    /// The answer to a self-ping: still in, or dropped and so joined again.
    pub(super) async fn self_ping_answer(&mut self, request: Request, answer: Answer) {
        let Request(room) = request;
        let Some(session) = self.rooms.get_mut(&room) else { return };
        session.pinging = false;
        session.last_heard = Instant::now();
        if answer.is_err_and(|e| !muc::still_joined(&e)) {
            tracing::info!("{room} dropped us without a word; joining again");
            self.enter_room(&room).await;
        }
    }

    /// Anything from a room shows we are still in it.
    pub(super) fn heard_from(&mut self, room: &BareJid) {
        if let Some(session) = self.rooms.get_mut(room) {
            session.last_heard = Instant::now();
        }
    }
}
