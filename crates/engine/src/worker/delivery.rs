//! Pure conversions for what happens around a message: delivery receipts (XEP-0184), displayed
//! markers (XEP-0333), corrections (XEP-0308), chat states (XEP-0085), and unwrapping carbons
//! (XEP-0280) and archive results (XEP-0313). Each carries the origin check that decides
//! whether it is believed.

use crate::model::Typing;
use chrono::{DateTime, Utc};
use tokio_xmpp::jid::{BareJid, Jid};
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::carbons;
use tokio_xmpp::parsers::chatstates::ChatState;
use tokio_xmpp::parsers::data_forms::{DataForm, DataFormType, Field, FieldType};
use tokio_xmpp::parsers::displayed_markers::{Displayed, Markable};
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::mam;
use tokio_xmpp::parsers::message::{Id, Message, MessageType};
use tokio_xmpp::parsers::message_correct::Replace;
use tokio_xmpp::parsers::ns;
use tokio_xmpp::parsers::receipts::{Received, Request};
use tokio_xmpp::parsers::rsm::SetQuery;

/// What a contact tells us about messages we sent them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// XEP-0184: this message reached one of their devices.
    Received(String),
    /// XEP-0333: they have seen everything up to this message.
    Displayed(String),
}

/// A receipt or marker in `message`, believed only from a user (someone's bare address; the
/// caller checks it is the chat's peer).
pub fn signal(message: &Message) -> Option<(BareJid, Signal)> {
    let from = message.from.as_ref()?;
    from.node()?;
    let found = message.payloads.iter().find_map(|p| {
        if p.is("received", ns::RECEIPTS) {
            Received::try_from(p.clone()).ok().map(|r| Signal::Received(r.id))
        } else if p.is("displayed", ns::DISPLAYED_MARKERS) {
            Displayed::try_from(p.clone()).ok().map(|d| Signal::Displayed(d.id.0))
        } else {
            None
        }
    })?;
    Some((from.to_bare(), found))
}

/// Whether the sender asks for a receipt (XEP-0184 §5.1).
pub fn wants_receipt(message: &Message) -> bool {
    message.payloads.iter().any(|p| p.is("request", ns::RECEIPTS))
}

/// A chat message asks for a receipt and may be marked as displayed.
pub fn ask_for_receipt(message: &mut Message) {
    message.payloads.push(Request.into());
    message.payloads.push(Markable.into());
}

/// Our receipt for message `id` (XEP-0184 §5.2), to the full address it came from.
pub fn receipt(to: Jid, id: &str) -> Message {
    let mut message = Message::new(Some(to));
    message.type_ = MessageType::Chat;
    message.payloads.push(Received { id: id.to_owned() }.into());
    message.payloads.push(no_store());
    message
}

/// Our displayed marker for everything up to message `id` (XEP-0333 §3.2).
pub fn displayed(to: Jid, id: &str) -> Message {
    let mut message = Message::new(Some(to));
    message.type_ = MessageType::Chat;
    message.payloads.push(Displayed { id: Id(id.to_owned()) }.into());
    message.payloads.push(store_hint());
    message
}

/// XEP-0334: receipts need no place in anyone's archive.
fn no_store() -> Element {
    Element::builder("no-store", "urn:xmpp:hints").build()
}

/// XEP-0334: markers do belong in the archive, so our other clients learn what was read.
fn store_hint() -> Element {
    Element::builder("store", "urn:xmpp:hints").build()
}

/// The id of the message `message` corrects (XEP-0308), taken out of it.
pub fn take_correction(message: &mut Message) -> Option<String> {
    message.extract_payload::<Replace>().ok().flatten().map(|r| r.id.0)
}

pub fn correct(message: &mut Message, replaces: &str) {
    message.payloads.push(Replace { id: Id(replaces.to_owned()) }.into());
}

pub fn typing(message: &Message) -> Option<Typing> {
    let state = message.payloads.iter().find(|p| p.ns() == ns::CHATSTATES)?;
    Some(match ChatState::try_from(state.clone()).ok()? {
        ChatState::Composing => Typing::Composing,
        ChatState::Paused => Typing::Paused,
        ChatState::Active | ChatState::Inactive | ChatState::Gone => Typing::Idle,
    })
}

/// A standalone chat state notification (XEP-0085 §5.5: no body, not archived).
pub fn typing_message(to: Jid, typing: Typing) -> Message {
    let state = match typing {
        Typing::Composing => ChatState::Composing,
        Typing::Paused => ChatState::Paused,
        Typing::Idle => ChatState::Active,
    };
    let mut message = Message::new(Some(to));
    message.type_ = MessageType::Chat;
    message.payloads.push(state.into());
    message.payloads.push(no_store());
    message
}

/// A carbon copy (XEP-0280) of a message one of our other clients sent or received.
#[derive(Debug)]
pub enum Carbon {
    Sent(Message),
    Received(Message),
}

/// The carbon in `message`, if any: `Ok` when it comes from our own account (§11: only our own
/// bare JID may send carbons), `Err` when someone else forged one.
pub fn carbon(message: &Message, own: &BareJid) -> Option<Result<Carbon, Jid>> {
    let wrapper = message
        .payloads
        .iter()
        .find(|p| p.is("sent", ns::CARBONS) || p.is("received", ns::CARBONS))?;
    let genuine = match &message.from {
        Some(from) => from.resource().is_none() && from.to_bare() == *own,
        None => false,
    };
    if !genuine {
        return Some(Err(message.from.clone().unwrap_or_else(|| Jid::from(own.clone()))));
    }
    let carbon = if wrapper.name() == "sent" {
        carbons::Sent::try_from(wrapper.clone()).ok().map(|s| Carbon::Sent(s.forwarded.message))
    } else {
        carbons::Received::try_from(wrapper.clone())
            .ok()
            .map(|r| Carbon::Received(r.forwarded.message))
    };
    carbon.map(Ok)
}

/// One message from our archive (XEP-0313 §4.2), with its archive id and original time.
#[derive(Debug)]
pub struct Archived {
    pub id: String,
    pub stamp: Option<DateTime<Utc>>,
    pub message: Message,
}

/// Whose archive a query asked: results are believed only from there.
#[derive(Debug, Clone, Copy)]
pub enum ArchiveOwner<'a> {
    /// Our account's (results come without `from`, or from our bare JID).
    Own(&'a BareJid),
    /// A room's (results come from the room's bare JID).
    Room(&'a BareJid),
}

/// An archive result for our query `queryid`, believed only from the archive we asked and
/// only with the query id we issued.
pub fn archived(message: &Message, owner: ArchiveOwner<'_>, queryid: &str) -> Option<Archived> {
    let from_archive = |archive: &BareJid| {
        message.from.as_ref().map(|f| f.resource().is_none() && f.to_bare() == *archive)
    };
    let genuine = match owner {
        ArchiveOwner::Own(own) => from_archive(own).unwrap_or(true),
        ArchiveOwner::Room(room) => from_archive(room).unwrap_or(false),
    };
    let result = message.payloads.iter().find(|p| p.is("result", ns::MAM))?;
    let result = mam::Result_::try_from(result.clone()).ok()?;
    if !genuine || result.queryid.as_ref().map(|q| q.0.as_str()) != Some(queryid) {
        return None;
    }
    let stamp = result.forwarded.delay.map(|d| d.stamp.0.with_timezone(&Utc));
    Some(Archived { id: result.id, stamp, message: result.forwarded.message })
}

/// The query an archive result answers, whoever sent it.
pub fn archive_queryid(message: &Message) -> Option<String> {
    let result = message.payloads.iter().find(|p| p.is("result", ns::MAM))?;
    result.attr("queryid").map(str::to_owned)
}

/// Whether `message` is an archive result at all (for ours or not), so it is never shown as
/// a message from our own account.
pub fn is_archive_result(message: &Message) -> bool {
    message.payloads.iter().any(|p| p.is("result", ns::MAM))
}

/// A page of our archive after `after` (an archive id), or from `start` on a first catch-up.
pub fn archive_query(
    id: String,
    queryid: &str,
    after: Option<&str>,
    start: Option<DateTime<Utc>>,
    page: usize,
) -> Iq {
    let mut fields = Vec::new();
    if let (None, Some(start)) = (after, start) {
        fields.push(
            Field::new("start", FieldType::TextSingle)
                .with_value(&start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        );
    }
    let set =
        SetQuery { max: Some(page), after: after.map(str::to_owned), before: None, index: None };
    Iq::from_set(id, query(queryid, fields, set))
}

/// Where an older page ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OlderThan<'a> {
    /// Before this archive id (RSM), the exact way.
    Id(&'a str),
    /// Up to this time, inclusive, when no archive id is known yet.
    Time(DateTime<Utc>),
    /// The newest messages.
    Now,
}

/// The last `page` messages before `older_than`, with `with` in our archive, or in a room's
/// archive (the query is sent to the room) when `with` is `None`.
pub fn older_query(
    id: String,
    queryid: &str,
    with: Option<&BareJid>,
    older_than: OlderThan<'_>,
    page: usize,
) -> Iq {
    let mut fields = Vec::new();
    if let Some(with) = with {
        fields.push(Field::new("with", FieldType::JidSingle).with_value(with.as_str()));
    }
    if let OlderThan::Time(end) = older_than {
        fields.push(
            Field::new("end", FieldType::TextSingle)
                .with_value(&end.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        );
    }
    // An empty <before/> asks for the last page of what matches.
    let before = match older_than {
        OlderThan::Id(id) => id.to_owned(),
        OlderThan::Time(_) | OlderThan::Now => String::new(),
    };
    let set = SetQuery { max: Some(page), after: None, before: Some(before), index: None };
    Iq::from_set(id, query(queryid, fields, set))
}

fn query(queryid: &str, fields: Vec<Field>, set: SetQuery) -> mam::Query {
    mam::Query {
        queryid: Some(mam::QueryId(queryid.to_owned())),
        node: None,
        form: Some(DataForm::new(DataFormType::Submit, ns::MAM, fields)),
        set: Some(set),
        flip_page: false,
    }
}

/// The end of an older page: whether it reached the start of the archive, and the first
/// archive id in it (where the next older page ends).
pub fn older_page_end(payload: Option<Element>) -> Option<(bool, Option<String>)> {
    let fin = mam::Fin::try_from(payload?).ok()?;
    Some((fin.complete, fin.set.first.map(|first| first.item)))
}

/// The end of an archive page: whether it was the last, and the last archive id in it.
pub fn archive_page_end(payload: Option<Element>) -> Option<(bool, Option<String>)> {
    let fin = mam::Fin::try_from(payload?).ok()?;
    Some((fin.complete, fin.set.last))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(xml: &str) -> Message {
        let element: Element = xml.parse().expect("test XML parses");
        Message::try_from(element).expect("a message")
    }

    fn own() -> BareJid {
        BareJid::new("me@example.org").expect("valid")
    }

    #[test]
    fn receipts_and_markers_name_the_message() {
        let got = message(
            "<message xmlns='jabber:client' from='bob@example.org/phone'>\
             <received xmlns='urn:xmpp:receipts' id='m1'/></message>",
        );
        let (from, what) = signal(&got).expect("a receipt");
        assert_eq!((from.as_str(), what), ("bob@example.org", Signal::Received("m1".into())));
        let seen = message(
            "<message xmlns='jabber:client' from='bob@example.org/phone'>\
             <displayed xmlns='urn:xmpp:chat-markers:0' id='m2'/></message>",
        );
        assert_eq!(signal(&seen).map(|s| s.1), Some(Signal::Displayed("m2".into())));
        let from_server = message(
            "<message xmlns='jabber:client' from='example.org'>\
             <received xmlns='urn:xmpp:receipts' id='m1'/></message>",
        );
        assert_eq!(signal(&from_server), None, "a server is nobody's chat peer");
    }

    #[test]
    fn only_our_account_sends_carbons() {
        let wrapped = |from: &str| {
            message(&format!(
                "<message xmlns='jabber:client' from='{from}' to='me@example.org/pc'>\
                 <sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>\
                 <message xmlns='jabber:client' from='me@example.org/phone' to='bob@example.org' type='chat'>\
                 <body>from my phone</body></message></forwarded></sent></message>"
            ))
        };
        match carbon(&wrapped("me@example.org"), &own()) {
            Some(Ok(Carbon::Sent(inner))) => {
                assert_eq!(inner.to.map(|t| t.to_string()).as_deref(), Some("bob@example.org"))
            }
            other => panic!("a genuine sent carbon, got {other:?}"),
        }
        assert!(matches!(carbon(&wrapped("eve@example.org"), &own()), Some(Err(_))));
        assert!(matches!(carbon(&wrapped("me@example.org/evil"), &own()), Some(Err(_))));
    }

    #[test]
    fn archive_results_count_only_for_our_query_from_our_account() {
        let result = |from: &str, queryid: &str| {
            message(&format!(
                "<message xmlns='jabber:client' {from} to='me@example.org/pc'>\
                 <result xmlns='urn:xmpp:mam:2' queryid='{queryid}' id='a1'>\
                 <forwarded xmlns='urn:xmpp:forward:0'>\
                 <delay xmlns='urn:xmpp:delay' stamp='2026-01-02T03:04:05Z'/>\
                 <message xmlns='jabber:client' from='bob@example.org/phone' to='me@example.org' type='chat'>\
                 <body>while you were out</body></message></forwarded></result></message>"
            ))
        };
        let ok = archived(&result("", "q1"), ArchiveOwner::Own(&own()), "q1").expect("our result");
        assert_eq!(ok.id, "a1");
        assert_eq!(ok.stamp.map(|s| s.to_rfc3339()), Some("2026-01-02T03:04:05+00:00".into()));
        assert!(
            archived(&result("from='me@example.org'", "q1"), ArchiveOwner::Own(&own()), "q1")
                .is_some()
        );
        assert!(
            archived(&result("", "q2"), ArchiveOwner::Own(&own()), "q1").is_none(),
            "someone else's query"
        );
        assert!(
            archived(&result("from='eve@example.org'", "q1"), ArchiveOwner::Own(&own()), "q1")
                .is_none()
        );
        assert!(is_archive_result(&result("from='eve@example.org'", "q1")));
    }

    #[test]
    fn a_rooms_archive_answers_only_from_the_room() {
        let room: BareJid = "den@rooms.example.org".parse().expect("jid");
        let result = |from: &str| {
            message(&format!(
                "<message xmlns='jabber:client' {from} to='me@example.org/pc'>\
                 <result xmlns='urn:xmpp:mam:2' queryid='q1' id='r1'>\
                 <forwarded xmlns='urn:xmpp:forward:0'>\
                 <message xmlns='jabber:client' from='den@rooms.example.org/bob' type='groupchat'>\
                 <body>earlier</body></message></forwarded></result></message>"
            ))
        };
        let owner = ArchiveOwner::Room(&room);
        assert!(archived(&result("from='den@rooms.example.org'"), owner, "q1").is_some());
        assert!(archived(&result(""), owner, "q1").is_none(), "our server is not the room");
        assert!(archived(&result("from='den@rooms.example.org/bob'"), owner, "q1").is_none());
    }

    #[test]
    fn an_older_page_asks_for_the_last_messages_before_a_time() {
        let bob: BareJid = "bob@example.org".parse().expect("jid");
        let end = DateTime::from_timestamp(1_700_000_000, 0).expect("time");
        let iq = older_query("i1".into(), "q9", Some(&bob), OlderThan::Time(end), 50);
        let xml = String::from(&Element::from(iq));
        assert!(xml.contains("<value>bob@example.org</value>"), "{xml}");
        assert!(xml.contains("<value>2023-11-14T22:13:20.000Z</value>"), "{xml}");
        assert!(xml.contains("<before></before>"), "{xml}");
        assert!(xml.contains("<max>50</max>"), "{xml}");
        let iq = older_query("i2".into(), "q9", None, OlderThan::Id("a17"), 50);
        let xml = String::from(&Element::from(iq));
        assert!(xml.contains("<before>a17</before>"), "{xml}");
        assert!(!xml.contains("end"), "{xml}");
    }

    #[test]
    fn corrections_and_typing_are_read_and_written() {
        let mut fixed = message(
            "<message xmlns='jabber:client' from='bob@example.org/phone' type='chat'><body>fixed</body>\
             <replace xmlns='urn:xmpp:message-correct:0' id='m1'/></message>",
        );
        assert_eq!(take_correction(&mut fixed).as_deref(), Some("m1"));
        assert_eq!(take_correction(&mut fixed), None, "taken out");
        let typing_now = message(
            "<message xmlns='jabber:client' from='bob@example.org/phone' type='chat'>\
             <composing xmlns='http://jabber.org/protocol/chatstates'/></message>",
        );
        assert_eq!(typing(&typing_now), Some(Typing::Composing));
        let sent = typing_message(Jid::new("bob@example.org").expect("valid"), Typing::Paused);
        assert_eq!(typing(&sent), Some(Typing::Paused));
    }
}
