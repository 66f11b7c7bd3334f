//! Pure conversions between stanzas and model values, with the origin checks that decide what
//! is believed. No I/O here, so most protocol behaviour is tested as plain functions over XML.

use crate::model::{
    Attachment, ChatId, Delivery, Direction, MessageKind, NewMessage, Removal, Reply,
};
use chrono::{DateTime, Utc};
use tokio_xmpp::jid::{BareJid, Jid};
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::delay::Delay;
use tokio_xmpp::parsers::message::{Id, Lang, Message, MessageType};
use tokio_xmpp::parsers::ns;
use tokio_xmpp::parsers::oob::Oob;
use tokio_xmpp::parsers::stanza_id::{OriginId, StanzaId};

/// XEP-0393 Message Styling, whose `<unstyled/>` hint asks that a body be shown as written.
const STYLING: &str = "urn:xmpp:styling:0";

/// Why an incoming message is not shown.
#[derive(Debug, PartialEq, Eq)]
pub enum Dropped {
    /// `type="error"`: logged, never shown as a message.
    Error,
    /// No body (chat states, receipts alone): nothing to show yet.
    NoBody,
    /// Not a one-to-one message (groupchat, headline).
    UnsupportedType,
    /// No sender, or the sender is not a user (a bare server domain).
    NoSender,
    /// A removal nobody there may ask for: a moderator's (XEP-0425) from anyone but a room
    /// itself, or an author's from a room itself.
    Misplaced,
}

/// Turn an incoming message into what the store keeps.
///
/// `own` is our bare JID: a stanza-id is believed only when our own server stamped it
/// (XEP-0359 §3.1), and a delay stamp in the future is clamped to `now` (XEP-0203 times come
/// from other clocks). A private message from a room occupant (a carbon or an archived copy)
/// goes to that occupant's private chat, as live ones do (see [`private_peer`]).
pub fn incoming_message(
    mut message: Message,
    own: &BareJid,
    known_room: &dyn Fn(&BareJid) -> bool,
    now: DateTime<Utc>,
) -> Result<NewMessage, Dropped> {
    match message.type_ {
        MessageType::Error => return Err(Dropped::Error),
        MessageType::Chat | MessageType::Normal => {}
        MessageType::Groupchat | MessageType::Headline => return Err(Dropped::UnsupportedType),
    }
    let from = message.from.clone().ok_or(Dropped::NoSender)?;
    if from.node().is_none() {
        return Err(Dropped::NoSender);
    }
    let occupant = private_peer(&message, &from, known_room);
    let parts = message_parts(&mut message, now)?.outside_rooms()?;
    let server_id = own_server_ids(&mut message, own);
    let to = message.to.as_ref().map_or_else(|| own.to_string(), ToString::to_string);
    let (chat, nick) = match occupant {
        Some(nick) => (from.to_string(), Some(nick)),
        None => (from.to_bare().to_string(), None),
    };
    Ok(NewMessage {
        chat: ChatId(chat),
        kind: parts.kind(MessageKind::Message),
        nick,
        direction: Direction::In,
        from: from.to_string(),
        to,
        body: parts.body,
        timestamp: parts.timestamp,
        state: Delivery::Received,
        stanza_id_attr: message.id.map(|id| id.0),
        origin_id: parts.origin_id,
        server_id,
        attachment: parts.attachment,
        author: Default::default(),
        replaces: parts.replaces,
        reply: parts.reply,
        unstyled: parts.unstyled,
    })
}

/// What every kind of message shares: its text, when it was written, the id its sender gave
/// it and the file it carries. A message with neither text nor file is dropped.
pub(super) struct Parts {
    pub body: String,
    pub timestamp: DateTime<Utc>,
    pub origin_id: Option<String>,
    pub attachment: Option<Attachment>,
    /// The line this message corrects, or with `removal` the line it asks to remove.
    pub replaces: Option<String>,
    /// What this message asks to do to the line `replaces` names instead of being a line
    /// (XEP-0424, XEP-0425); whether it may is decided where it is applied.
    pub removal: Option<Removal>,
    /// With `replaces`: the sender's whole new set of reactions to that line (XEP-0444)
    /// instead of a line; whose set it is, is decided where it is applied.
    pub reactions: Option<Vec<String>>,
    /// The line this one answers (XEP-0461), as a chat's; a room's reader marks it a room's.
    pub reply: Option<Reply>,
    /// Its sender asked that its words be shown as written (XEP-0393 §6).
    pub unstyled: bool,
}

impl Parts {
    /// The kind of line: a removal, or `otherwise`.
    pub fn kind(&self, otherwise: MessageKind) -> MessageKind {
        if let Some(reactions) = &self.reactions {
            return MessageKind::Reactions(reactions.clone());
        }
        self.removal.clone().map_or(otherwise, MessageKind::Removed)
    }

    /// Outside a room only authors take lines back: a moderator's removal there is refused.
    fn outside_rooms(self) -> Result<Self, Dropped> {
        match self.removal {
            Some(Removal::Moderated { .. }) => Err(Dropped::Misplaced),
            _ => Ok(self),
        }
    }
}

pub(super) fn message_parts(message: &mut Message, now: DateTime<Utc>) -> Result<Parts, Dropped> {
    use super::retraction::Asked;
    let timestamp = delay_stamp(message).map_or(now, |t| t.min(now));
    match super::retraction::take(message) {
        Asked::Nothing => {}
        // Its fallback body is for clients without retraction, never a line here.
        Asked::Unusable => return Err(Dropped::NoBody),
        Asked::Remove(named, removal) => {
            return Ok(Parts {
                body: String::new(),
                timestamp,
                origin_id: message.extract_payload::<OriginId>().ok().flatten().map(|o| o.id),
                attachment: None,
                replaces: Some(named),
                reply: None,
                removal: Some(removal),
                reactions: None,
                unstyled: false,
            });
        }
    }
    match super::reactions::take(message) {
        super::reactions::Asked::Nothing => {}
        // A fallback body, if any, is for clients without reactions.
        super::reactions::Asked::Unusable => return Err(Dropped::NoBody),
        super::reactions::Asked::React(named, reactions) => {
            return Ok(Parts {
                body: String::new(),
                timestamp: reaction_time(timestamp),
                origin_id: message.extract_payload::<OriginId>().ok().flatten().map(|o| o.id),
                attachment: None,
                replaces: Some(named),
                reply: None,
                removal: None,
                reactions: Some(reactions),
                unstyled: false,
            });
        }
    }
    let body = message.get_best_body_cloned(vec![]).map(|(_, b)| b).unwrap_or_default();
    let (body, reply) = super::reply::take(message, body);
    let oob = message.extract_payload::<Oob>().ok().flatten();
    let attachment = super::attachments::shared_file(oob.as_ref().map(|o| o.url.as_str()), &body);
    let body = match (&attachment, body.trim().is_empty()) {
        (None, true) => return Err(Dropped::NoBody),
        // A file without words reads as its address in every client.
        (Some(file), true) => file.url.clone().unwrap_or_default(),
        (_, false) => body,
    };
    Ok(Parts {
        body,
        timestamp,
        origin_id: message.extract_payload::<OriginId>().ok().flatten().map(|o| o.id),
        attachment,
        replaces: super::delivery::take_correction(message),
        reply,
        removal: None,
        reactions: None,
        unstyled: message.payloads.iter().any(|p| p.is("unstyled", STYLING)),
    })
}

/// When a set of reactions was given, for telling the newer of two sets: a stamp in whole
/// seconds placed at its second's end (`delay_time`) is taken back to the second's start, so
/// a set replayed from an archive or offline storage never undoes one given after it within
/// that second. (Live sets carry no stamp and keep the time they came.)
pub fn reaction_time(at: DateTime<Utc>) -> DateTime<Utc> {
    if at.timestamp_subsec_nanos() == 999_000_000 {
        at - chrono::Duration::milliseconds(999)
    } else {
        at
    }
}

/// The time an archive's stamp gives a line of kind `kind`: a line's as `delay_time` places
/// it, a set of reactions' as stamped (see `reaction_time`); never later than `now`.
pub fn archive_time(kind: &MessageKind, stamp: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    match kind {
        MessageKind::Reactions(_) => stamp.min(now),
        _ => delay_time(stamp).min(now),
    }
}

fn delay_stamp(message: &mut Message) -> Option<DateTime<Utc>> {
    let delay = message.extract_payload::<Delay>().ok().flatten()?;
    Some(delay_time(delay.stamp.0.with_timezone(&Utc)))
}

/// The time a delay stamp (XEP-0203) stands for. Servers stamp whole seconds when they store a
/// message offline or in the archive; the server stored it some time within that second, so
/// the stamp is read as the end of it: the message sorts after what reached us live earlier in
/// that second, before the connection went (callers clamp it to the moment it reached us; see
/// docs/decisions.md, "Ordering after a crash").
pub fn delay_time(stamp: DateTime<Utc>) -> DateTime<Utc> {
    if stamp.timestamp_subsec_nanos() == 0 {
        stamp + chrono::Duration::milliseconds(999)
    } else {
        stamp
    }
}

/// The stanza-id stamped `by` the archive we trust for this chat (our server, or the room).
pub(super) fn own_server_ids(message: &mut Message, by: &BareJid) -> Option<String> {
    let mut found = None;
    while let Ok(Some(id)) = message.extract_payload::<StanzaId>() {
        if id.by.to_bare() == *by {
            found = Some(id.id);
        }
    }
    found
}

/// The nick of the room occupant `peer` when `message` is a private message through a room
/// (XEP-0045 §7.5): `peer` is an occupant's address (`room@service/nick`) of a room we know,
/// or the message carries the `muc#user` mark private messages have. Such a message belongs in
/// the private chat with that occupant, never in the room's public conversation or the
/// room's bare address.
pub fn private_peer(
    message: &Message,
    peer: &Jid,
    known_room: &dyn Fn(&BareJid) -> bool,
) -> Option<String> {
    let nick = peer.resource()?.as_str().to_owned();
    let marked = message.payloads.iter().any(|p| p.is("x", ns::MUC_USER));
    (marked || known_room(&peer.to_bare())).then_some(nick)
}

/// A message one of our other clients sent (a carbon, or our archive): stored as ours, in the
/// chat with its recipient (an occupant's private chat for a private message through a room),
/// already sent.
pub fn outgoing_copy(
    mut message: Message,
    own: &BareJid,
    known_room: &dyn Fn(&BareJid) -> bool,
    now: DateTime<Utc>,
) -> Result<NewMessage, Dropped> {
    if !matches!(message.type_, MessageType::Chat | MessageType::Normal) {
        return Err(Dropped::UnsupportedType);
    }
    let to = message.to.clone().ok_or(Dropped::NoSender)?;
    if to.node().is_none() {
        return Err(Dropped::NoSender);
    }
    let chat = match private_peer(&message, &to, known_room) {
        Some(_) => to.to_string(),
        None => to.to_bare().to_string(),
    };
    let parts = message_parts(&mut message, now)?.outside_rooms()?;
    let server_id = own_server_ids(&mut message, own);
    Ok(NewMessage {
        chat: ChatId(chat),
        kind: parts.kind(MessageKind::Message),
        nick: None,
        direction: Direction::Out,
        from: message.from.as_ref().map_or_else(|| own.to_string(), ToString::to_string),
        to: to.to_string(),
        body: parts.body,
        timestamp: parts.timestamp,
        state: Delivery::Sent,
        stanza_id_attr: message.id.map(|id| id.0),
        origin_id: parts.origin_id,
        server_id,
        attachment: parts.attachment,
        author: Default::default(),
        replaces: parts.replaces,
        reply: parts.reply,
        unstyled: parts.unstyled,
    })
}

/// Whether a message carries a delay stamp (XEP-0203): a room's history or an archive, not
/// something said just now.
pub fn is_delayed(message: &Message) -> bool {
    message.payloads.iter().any(|p| p.is("delay", ns::DELAY))
}

/// How an outgoing message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// One-to-one.
    Chat,
    /// To everyone in a room.
    Room,
    /// To one occupant of a room, through it (XEP-0045 §7.5).
    RoomPrivate,
}

/// A message with a stable id used both as the stanza id and the origin-id, so that a resend
/// after a lost acknowledgement (or a room's reflection) is recognised as the same message.
///
/// It never carries a delay stamp of ours, not even when sent again after a lost connection:
/// the receiver places it by the server's clock, as everything else it gets from that server
/// (see docs/decisions.md, "Ordering after a crash").
pub fn outgoing_message(to: Jid, body: &str, id: &str, route: Route) -> Message {
    let mut message = Message::chat(Some(to))
        .with_body(Lang::default(), body.to_owned())
        .with_payload(OriginId { id: id.to_owned() })
        .with_id(id);
    match route {
        Route::Chat => {}
        Route::Room => message.type_ = MessageType::Groupchat,
        Route::RoomPrivate => {
            message.payloads.push(tokio_xmpp::parsers::muc::user::MucUser::default().into())
        }
    }
    message
}

/// Out-of-band data (XEP-0066) naming a shared file, as XEP-0363 §2 recommends next to the
/// address in the body, so receivers show the file rather than a link.
pub fn attach_url(message: &mut Message, url: &str) {
    message.payloads.push(Oob { url: url.to_owned(), desc: None }.into());
}

trait WithId {
    fn with_id(self, id: &str) -> Self;
}

impl WithId for Message {
    fn with_id(mut self, id: &str) -> Self {
        self.id = Some(Id(id.to_owned()));
        self
    }
}

/// A stanza typed by hand in the XML console. The `jabber:client` namespace may be left out,
/// as everyone does when typing; anything but a message, presence or iq is refused.
pub fn parse_raw(xml: &str) -> Result<tokio_xmpp::Stanza, String> {
    let xml = xml.trim();
    let element: Element = match xml.parse() {
        Ok(element) => element,
        Err(_) => with_client_namespace(xml)
            .parse()
            .map_err(|e| format!("that is not well-formed XML: {e}"))?,
    };
    if element.ns() != "jabber:client" {
        return Err("only stanzas in the jabber:client namespace can be sent".into());
    }
    tokio_xmpp::Stanza::try_from(element)
        .map_err(|e| format!("that is not a valid message, presence or iq: {e}"))
}

/// Put `xmlns='jabber:client'` on the root element of `xml` when it has no namespace.
fn with_client_namespace(xml: &str) -> String {
    let name_end = xml
        .char_indices()
        .skip(1)
        .find(|(_, c)| c.is_whitespace() || *c == '>' || *c == '/')
        .map_or(xml.len(), |(i, _)| i);
    format!("{} xmlns='jabber:client'{}", &xml[..name_end], &xml[name_end..])
}

/// What a user should read of a server's refusal: its text, else the condition's name.
pub fn error_text(error: &tokio_xmpp::parsers::stanza_error::StanzaError) -> String {
    error.texts.values().next().cloned().unwrap_or_else(|| format!("{:?}", error.defined_condition))
}

/// An address the user typed (any JID: a server, a service, a person, a resource), or why it
/// is not one.
pub fn address(text: &str) -> Result<Jid, String> {
    Jid::new(text.trim()).map_err(|e| format!("“{text}” is not a valid address: {e}"))
}

/// An `<iq type='error'/>` answer for requests we do not handle (RFC 6120 §8.4).
pub fn service_unavailable() -> tokio_xmpp::parsers::stanza_error::StanzaError {
    use tokio_xmpp::parsers::stanza_error::{DefinedCondition, ErrorType, StanzaError};
    StanzaError::new(ErrorType::Cancel, DefinedCondition::ServiceUnavailable, "en", "")
}

/// Whether an IQ payload is a XEP-0199 ping, which we answer with an empty result.
pub fn is_ping(payload: &Element) -> bool {
    payload.is("ping", tokio_xmpp::parsers::ns::PING)
}

/// The items of a pubsub answer. A server may put children beside `<items/>` that the
/// parser refuses the whole answer for (ejabberd 23.01 adds an RSM `<set/>` when `max_items`
/// was asked), so the `items` child is read on its own.
pub fn pubsub_items(payload: Option<Element>) -> Vec<tokio_xmpp::parsers::pubsub::pubsub::Item> {
    use tokio_xmpp::parsers::pubsub::pubsub::Items;
    payload
        .as_ref()
        .filter(|p| p.is("pubsub", ns::PUBSUB))
        .and_then(|p| p.get_child("items", ns::PUBSUB))
        .and_then(|items| Items::try_from(items.clone()).ok())
        .map(|items| items.items)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn pubsub_items_are_read_beside_a_result_set() {
        let answer = Element::from_str(
            "<pubsub xmlns='http://jabber.org/protocol/pubsub'>\
             <set xmlns='http://jabber.org/protocol/rsm'><count>1</count></set>\
             <items node='urn:xmpp:avatar:metadata'><item id='a1'/></items></pubsub>",
        )
        .expect("xml");
        let items = pubsub_items(Some(answer));
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].id.as_ref().map(|id| id.0.as_str()), Some("a1"));
        assert!(pubsub_items(None).is_empty());
    }

    #[test]
    fn hand_typed_stanzas_need_no_namespace() {
        let typed =
            "<iq type='get' id='v1' to='example.org'><query xmlns='jabber:iq:version'/></iq>";
        assert!(matches!(parse_raw(typed), Ok(tokio_xmpp::Stanza::Iq(_))));
        let message = "<message to='a@example.org'><body>hi</body></message>";
        assert!(matches!(parse_raw(message), Ok(tokio_xmpp::Stanza::Message(_))));
        assert!(parse_raw("<presence/>").is_ok());
        assert!(parse_raw("<iq type='get'").is_err(), "broken XML is refused");
        assert!(parse_raw("<stream:features xmlns:stream='x'/>").is_err());
        assert!(parse_raw("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>").is_err());
    }

    fn parse_message(xml: &str) -> Message {
        let element = Element::from_str(xml).expect("fixture is XML");
        Message::try_from(element).expect("fixture is a message")
    }

    fn own() -> BareJid {
        BareJid::new("me@example.org").expect("valid")
    }

    fn no_rooms(_: &BareJid) -> bool {
        false
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z").expect("valid").with_timezone(&Utc)
    }

    #[test]
    fn chat_message_becomes_incoming_with_its_ids() {
        let message = parse_message(
            "<message xmlns='jabber:client' from='bob@example.org/phone' to='me@example.org/pc'
                      type='chat' id='m1'>
               <body>hello</body>
               <origin-id xmlns='urn:xmpp:sid:0' id='o1'/>
               <stanza-id xmlns='urn:xmpp:sid:0' id='s1' by='me@example.org'/>
             </message>",
        );
        let m = incoming_message(message, &own(), &no_rooms, now()).expect("accepted");
        assert_eq!(m.chat.as_str(), "bob@example.org");
        assert_eq!(m.from, "bob@example.org/phone");
        assert_eq!(m.body, "hello");
        assert_eq!(m.direction, Direction::In);
        assert_eq!(m.origin_id.as_deref(), Some("o1"));
        assert_eq!(m.server_id.as_deref(), Some("s1"));
        assert_eq!(m.stanza_id_attr.as_deref(), Some("m1"));
        assert_eq!(m.timestamp, now());
    }

    #[test]
    fn the_unstyled_hint_is_kept_with_the_words() {
        let hinted = parse_message(
            "<message xmlns='jabber:client' from='bob@example.org/phone' type='chat'>
               <body>*literally* this</body>
               <unstyled xmlns='urn:xmpp:styling:0'/>
             </message>",
        );
        let m = incoming_message(hinted, &own(), &no_rooms, now()).expect("accepted");
        assert!(m.unstyled);
        let elsewhere = parse_message(
            "<message xmlns='jabber:client' from='bob@example.org/phone' type='chat'>
               <body>*styled*</body>
               <unstyled xmlns='urn:example:not-styling'/>
             </message>",
        );
        let m = incoming_message(elsewhere, &own(), &no_rooms, now()).expect("accepted");
        assert!(!m.unstyled, "only the styling namespace's hint counts");
    }

    #[test]
    fn stanza_id_from_someone_else_is_not_trusted() {
        let message = parse_message(
            "<message xmlns='jabber:client' from='bob@example.org/phone' type='chat'>
               <body>hi</body>
               <stanza-id xmlns='urn:xmpp:sid:0' id='forged' by='bob@example.org'/>
             </message>",
        );
        let m = incoming_message(message, &own(), &no_rooms, now()).expect("accepted");
        assert_eq!(m.server_id, None);
    }

    #[test]
    fn delay_gives_the_original_time_and_future_stamps_are_clamped() {
        let old = parse_message(
            "<message xmlns='jabber:client' from='bob@example.org/phone' type='chat'>
               <body>sent earlier</body>
               <delay xmlns='urn:xmpp:delay' from='example.org' stamp='2025-12-31T23:00:00Z'/>
             </message>",
        );
        let m = incoming_message(old, &own(), &no_rooms, now()).expect("accepted");
        // A server's whole-second stamp stands for the end of that second.
        assert_eq!(m.timestamp.to_rfc3339(), "2025-12-31T23:00:00.999+00:00");
        let exact = parse_message(
            "<message xmlns='jabber:client' from='bob@example.org/phone' type='chat'>
               <body>resent</body>
               <delay xmlns='urn:xmpp:delay' from='bob@example.org' stamp='2025-12-31T23:00:00.250Z'/>
             </message>",
        );
        let m = incoming_message(exact, &own(), &no_rooms, now()).expect("accepted");
        assert_eq!(m.timestamp.to_rfc3339(), "2025-12-31T23:00:00.250+00:00");
        let future = parse_message(
            "<message xmlns='jabber:client' from='bob@example.org/phone' type='chat'>
               <body>from the future</body>
               <delay xmlns='urn:xmpp:delay' stamp='2099-01-01T00:00:00Z'/>
             </message>",
        );
        let m = incoming_message(future, &own(), &no_rooms, now()).expect("accepted");
        assert_eq!(m.timestamp, now());
    }

    #[test]
    fn errors_bodiless_and_serverless_messages_are_dropped() {
        let error = parse_message(
            "<message xmlns='jabber:client' from='bob@example.org' type='error'><body>x</body></message>",
        );
        assert_eq!(incoming_message(error, &own(), &no_rooms, now()), Err(Dropped::Error));
        let bodiless = parse_message(
            "<message xmlns='jabber:client' from='bob@example.org/a' type='chat'>
               <active xmlns='http://jabber.org/protocol/chatstates'/></message>",
        );
        assert_eq!(incoming_message(bodiless, &own(), &no_rooms, now()), Err(Dropped::NoBody));
        let from_server = parse_message(
            "<message xmlns='jabber:client' from='example.org'><body>motd</body></message>",
        );
        assert_eq!(incoming_message(from_server, &own(), &no_rooms, now()), Err(Dropped::NoSender));
    }

    #[test]
    fn outgoing_message_carries_origin_id_equal_to_its_id() {
        let to = Jid::new("bob@example.org").expect("valid");
        let element: Element = outgoing_message(to, "hi", "abc", Route::Chat).into();
        assert_eq!(element.attr("id"), Some("abc"));
        assert_eq!(element.attr("type"), Some("chat"));
        let origin = element.get_child("origin-id", "urn:xmpp:sid:0").expect("origin-id");
        assert_eq!(origin.attr("id"), Some("abc"));
        let body = element.get_child("body", "jabber:client").expect("body");
        assert_eq!(body.text(), "hi");
    }

    #[test]
    fn copies_of_private_messages_through_a_room_go_to_the_occupants_chat() {
        let known = |jid: &BareJid| jid.as_str() == "tea@rooms.example.org";
        let received = parse_message(
            "<message xmlns='jabber:client' type='chat' from='tea@rooms.example.org/ann'>\
             <body>psst</body></message>",
        );
        let line = incoming_message(received, &own(), &known, now()).expect("a line");
        assert_eq!(line.chat.as_str(), "tea@rooms.example.org/ann");
        assert_eq!(line.nick.as_deref(), Some("ann"));
        let marked = parse_message(
            "<message xmlns='jabber:client' type='chat' from='den@rooms.example.org/bo'>\
             <body>psst</body><x xmlns='http://jabber.org/protocol/muc#user'/></message>",
        );
        let line = incoming_message(marked, &own(), &no_rooms, now()).expect("a line");
        assert_eq!(line.chat.as_str(), "den@rooms.example.org/bo", "marked as private");
        let sent = parse_message(
            "<message xmlns='jabber:client' type='chat' from='me@example.org/phone' \
             to='tea@rooms.example.org/ann'><body>back</body></message>",
        );
        let line = outgoing_copy(sent, &own(), &known, now()).expect("a line");
        assert_eq!(
            (line.chat.as_str(), line.direction),
            ("tea@rooms.example.org/ann", Direction::Out)
        );
        let plain = parse_message(
            "<message xmlns='jabber:client' type='chat' from='bob@example.org/phone'>\
             <body>hi</body></message>",
        );
        let line = incoming_message(plain, &own(), &known, now()).expect("a line");
        assert_eq!(line.chat.as_str(), "bob@example.org", "a person's resource is no nick");
    }
}
