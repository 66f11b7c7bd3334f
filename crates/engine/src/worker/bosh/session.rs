//! The task behind a [`super::BoshIo`]: one BOSH session, from creation to termination.
//!
//! One request is always held at the server so that it can answer at any time; what we write
//! goes in a second one at once (the server then answers the held one), never more than the
//! server's `requests` at a time. Request ids only go up, and answers are read in the order
//! of their requests whatever order they arrive in (XEP-0124 §7.4, §9). A request lost to the
//! network is sent again with the same id and body (§14), so the server answers it once, with
//! what it would have said; only after [`MAX_RESENDS`] does the session end, and with it the
//! stream, whose reconnect and the outbox take over.

use super::body::{self, Answer, WAIT_SECONDS};
use super::carrier::Carrier;
use super::{Ending, Link};
use crate::worker::units::{Unit, stream_header};
use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// How often a request lost to the network is sent again before the session is given up.
const MAX_RESENDS: u32 = 3;
/// An answer larger than this ends the session: a poll brings what the server queued since
/// the last one, which is a few stanzas, or a few thousand in a flood.
pub(super) const MAX_ANSWER: usize = 4 * 1024 * 1024;
/// How long one request may take beyond the time the server was asked to hold it.
const ANSWER_GRACE: Duration = Duration::from_secs(20);
/// The least time between two requests. Two sent at once travel on two connections and may
/// reach the server in the wrong order; XEP-0124 §7.3 wants servers to cope, but ejabberd
/// 23.01 then answers neither, and the session stalls.
const REQUEST_GAP: Duration = Duration::from_millis(20);
/// Elements sent in one request at most, so a burst goes in several.
const MAX_PAYLOAD_BYTES: usize = 256 * 1024;

/// What a request was for: after a termination, the session is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Carry,
    Terminate,
}

/// One request on its way, with what is needed to send it again.
struct Sent {
    rid: u64,
    purpose: Purpose,
    body: String,
    resends: u32,
}

/// Why a request has no answer.
pub(super) enum Failure {
    /// The network lost it (connection, timeout): it may be sent again.
    Lost(String),
    /// The server refused it or answered nonsense: the session is over.
    Fatal(String),
}

type Outcome = (Sent, Result<Answer, Failure>);

pub(super) async fn run(link: Arc<Link>, carrier: Carrier) {
    let mut session = Session {
        link: link.clone(),
        carrier: Arc::new(carrier),
        sid: None,
        to: String::new(),
        from: None,
        next_rid: first_rid(),
        next_to_read: 0,
        requests: 1,
        header_due: false,
        answered: BTreeMap::new(),
    };
    let ending = match session.drive().await {
        Ok(()) => Ending::Closed,
        Err(why) => Ending::Failed(why),
    };
    link.end(ending);
}

/// XEP-0124 §7.1: a random first request id, far enough below 2^53 that it never gets there.
fn first_rid() -> u64 {
    (uuid::Uuid::new_v4().as_u128() as u64) & 0xFFFF_FFFF
}

struct Session {
    link: Arc<Link>,
    carrier: Arc<Carrier>,
    /// Known once the server answered the creation request.
    sid: Option<String>,
    /// The server's address, from our stream header, and as it names itself.
    to: String,
    from: Option<String>,
    next_rid: u64,
    /// The request whose answer is read next.
    next_to_read: u64,
    /// How many requests the server lets us have open at once.
    requests: usize,
    /// A stream (re)start was asked for, and the server has not said anything since: a
    /// header goes before what it says next. Not tied to the request that asked, because a
    /// server may answer on any request it holds (Prosody sends the features after a restart
    /// on the poll it was holding).
    header_due: bool,
    /// Answers that came before those of earlier requests.
    answered: BTreeMap<u64, (Purpose, Answer)>,
}

/// What our stream asked for and has not been sent yet.
#[derive(Default)]
struct Pending {
    elements: Vec<String>,
    restart: bool,
    close: bool,
}

impl Session {
    async fn drive(&mut self) -> Result<(), String> {
        let mut in_flight: FuturesUnordered<BoxFuture<'static, Outcome>> = FuturesUnordered::new();
        let mut pending = Pending::default();
        let mut terminating = false;
        let mut last_sent: Option<Instant> = None;
        loop {
            if self.link.dropped() {
                self.terminate_quietly(pending.elements).await;
                return Ok(());
            }
            for unit in self.link.take_units() {
                match unit {
                    Unit::Open { to } if self.sid.is_none() && in_flight.is_empty() => {
                        self.to = to;
                        let rid = self.take_rid();
                        self.next_to_read = rid;
                        let body = body::create(rid, &self.to);
                        self.header_due = true;
                        in_flight.push(self.send(Sent {
                            rid,
                            purpose: Purpose::Carry,
                            body,
                            resends: 0,
                        }));
                    }
                    Unit::Open { .. } => pending.restart = true,
                    Unit::Element(element) => pending.elements.push(element),
                    Unit::Close => pending.close = true,
                }
            }
            let mut paced = None;
            if let Some(sid) = self.sid.clone().filter(|_| !terminating) {
                while in_flight.len() < self.requests {
                    let next = last_sent.map(|at| at + REQUEST_GAP);
                    if let Some(next) = next.filter(|next| *next > Instant::now()) {
                        paced = Some(next);
                        break;
                    }
                    let Some(sent) = self.next_request(&sid, &mut pending, in_flight.is_empty())
                    else {
                        break;
                    };
                    terminating |= sent.purpose == Purpose::Terminate;
                    in_flight.push(self.send(sent));
                    last_sent = Some(Instant::now());
                }
            }
            tokio::select! {
                () = self.link.task.notified() => {}
                () = sleep_until(paced), if paced.is_some() => {}
                Some((sent, result)) = in_flight.next(), if !in_flight.is_empty() => {
                    match result {
                        Ok(answer) => {
                            if self.take_answer(sent.rid, sent.purpose, answer)? {
                                return Ok(());
                            }
                        }
                        Err(Failure::Lost(why)) if sent.resends < MAX_RESENDS => {
                            tracing::info!("a BOSH request was lost ({why}); sending it again");
                            let again = Sent { resends: sent.resends + 1, ..sent };
                            in_flight.push(self.send(again));
                        }
                        Err(Failure::Lost(why)) => {
                            return Err(format!("the BOSH connection was lost: {why}"));
                        }
                        Err(Failure::Fatal(why)) => return Err(why),
                    }
                }
            }
        }
    }

    fn take_rid(&mut self) -> u64 {
        let rid = self.next_rid;
        self.next_rid += 1;
        rid
    }

    /// The next request to send, if one should go: what was written (elements first, in
    /// order), else an empty one so that one is always held, unless the reader is behind.
    fn next_request(&mut self, sid: &str, pending: &mut Pending, idle: bool) -> Option<Sent> {
        if !pending.elements.is_empty() || pending.close {
            let elements = take_payload(&mut pending.elements);
            let terminate = pending.close && pending.elements.is_empty();
            let rid = self.take_rid();
            let body = body::carrying(rid, sid, &elements, terminate);
            let purpose = if terminate { Purpose::Terminate } else { Purpose::Carry };
            return Some(Sent { rid, purpose, body, resends: 0 });
        }
        if pending.restart {
            pending.restart = false;
            let rid = self.take_rid();
            let body = body::restart(rid, sid, &self.to);
            self.header_due = true;
            return Some(Sent { rid, purpose: Purpose::Carry, body, resends: 0 });
        }
        if idle && self.link.inbox_has_room() {
            let rid = self.take_rid();
            let body = body::carrying(rid, sid, &[], false);
            return Some(Sent { rid, purpose: Purpose::Carry, body, resends: 0 });
        }
        None
    }

    /// Keep an answer, and hand on every answer now due, in request order. True when the
    /// session is over and the stream's end was handed on.
    fn take_answer(&mut self, rid: u64, purpose: Purpose, answer: Answer) -> Result<bool, String> {
        match (&self.sid, &answer.sid) {
            (None, Some(sid)) => {
                self.sid = Some(sid.clone());
                self.requests = answer.requests.map_or(2, |n| n as usize).clamp(1, 2);
            }
            (None, None) if answer.terminated.is_none() => {
                return Err("the BOSH server created no session (its answer has no sid)".into());
            }
            (Some(ours), Some(theirs)) if ours != theirs => {
                return Err(format!(
                    "the BOSH server answered for another session (sid “{theirs}”, ours “{ours}”)"
                ));
            }
            _ => {}
        }
        if let Some(ack) = answer.ack.filter(|ack| *ack >= self.next_rid) {
            return Err(format!(
                "the BOSH server acknowledged request {ack}, which was never sent (the last was {})",
                self.next_rid - 1
            ));
        }
        self.answered.insert(rid, (purpose, answer));
        while let Some((purpose, answer)) = self.answered.remove(&self.next_to_read) {
            self.next_to_read += 1;
            if answer.from.is_some() {
                self.from.clone_from(&answer.from);
            }
            if self.header_due && !answer.payload.is_empty() {
                self.header_due = false;
                let id = answer.authid.as_deref().or(self.sid.as_deref());
                let fields = [("from", self.from.as_deref()), ("id", id), ("version", Some("1.0"))];
                self.link.deliver(stream_header(&fields).as_bytes());
            }
            self.link.deliver(&answer.payload);
            match answer.terminated {
                None if purpose != Purpose::Terminate => {}
                None | Some(None) => {
                    self.link.deliver(b"</stream:stream>");
                    return Ok(true);
                }
                Some(Some(condition)) => {
                    return Err(format!("the BOSH server ended the session ({condition})"));
                }
            }
        }
        Ok(false)
    }

    fn send(&self, sent: Sent) -> BoxFuture<'static, Outcome> {
        let carrier = self.carrier.clone();
        let pause = Duration::from_secs(u64::from(sent.resends));
        Box::pin(async move {
            tokio::time::sleep(pause).await;
            let within = Duration::from_secs(WAIT_SECONDS) + ANSWER_GRACE;
            let result = carrier.post(sent.body.clone(), within).await.and_then(|bytes| {
                body::read(&bytes)
                    .map_err(|why| Failure::Fatal(format!("the BOSH endpoint sent {why}")))
            });
            (sent, result)
        })
    }

    /// The byte stream is gone: end the session at the server, with what was still written
    /// (the stream's end is among it), without waiting long for the answer.
    async fn terminate_quietly(&mut self, elements: Vec<String>) {
        let Some(sid) = self.sid.clone() else { return };
        let rid = self.take_rid();
        let body = body::carrying(rid, &sid, &elements, true);
        let _ = self.carrier.post(body, Duration::from_secs(2)).await;
    }
}

/// Sleep until `at`; only polled when there is an `at`.
async fn sleep_until(at: Option<Instant>) {
    if let Some(at) = at {
        tokio::time::sleep_until(at).await;
    }
}

/// Elements from the front of `elements` up to [`MAX_PAYLOAD_BYTES`] (at least one).
fn take_payload(elements: &mut Vec<String>) -> Vec<String> {
    let mut size = 0;
    let count = elements
        .iter()
        .take_while(|e| {
            size += e.len();
            size <= MAX_PAYLOAD_BYTES
        })
        .count()
        .max(1)
        .min(elements.len());
    elements.drain(..count).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_goes_in_several_requests_and_a_huge_element_alone() {
        let mut elements = vec!["x".repeat(100_000); 5];
        assert_eq!(take_payload(&mut elements).len(), 2);
        assert_eq!(elements.len(), 3);
        let mut huge = vec!["y".repeat(MAX_PAYLOAD_BYTES + 1), "z".into()];
        assert_eq!(take_payload(&mut huge).len(), 1, "one element that is larger still goes");
        assert_eq!(huge, ["z"]);
    }
}
