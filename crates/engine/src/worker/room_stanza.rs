//! Pure conversions for what comes from a room: its lines and its occupants' private
//! messages, with the checks that decide what of them is believed (see also `muc`).

use super::stanza::{Dropped, message_parts, own_server_ids};
use crate::model::{Author, ChatId, Delivery, Direction, MessageKind, NewMessage, Removal, Reply};
use chrono::{DateTime, Utc};
use tokio_xmpp::jid::BareJid;
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::message::{Message, MessageType};
use tokio_xmpp::parsers::ns;
use tokio_xmpp::parsers::occupant_id::OccupantId;

/// The longest XEP-0421 occupant id kept; a longer one is ignored (the line is then matched
/// as if the room had given none).
pub const MAX_OCCUPANT_ID: usize = 128;

/// A message from a room (`groupchat`) or from one of its occupants (a private message). The
/// chat is the room, or `room@service/nick` for a private one, never the occupant's contact
/// entry; a stanza-id is believed only when the room stamped it. Every occupant's line comes
/// in as theirs: whether it is in fact ours is for the session to say (our nick alone proves
/// nothing, see `session::room_authors`). Its XEP-0421 occupant id is kept only when
/// `occupant_ids` says the room announced the feature, since anyone may put the element in a
/// message to a room that does not replace it.
pub fn room_message(
    mut message: Message,
    room: &BareJid,
    occupant_ids: bool,
    now: DateTime<Utc>,
) -> Result<NewMessage, Dropped> {
    let from = message.from.clone().ok_or(Dropped::NoSender)?;
    if from.to_bare() != *room {
        return Err(Dropped::NoSender);
    }
    let nick = from.resource().map(|r| r.as_str().to_owned());
    let parts = message_parts(&mut message, now)?;
    let in_room_chat = message.type_ == MessageType::Groupchat;
    let (chat, server_id) = match message.type_ {
        MessageType::Error => return Err(Dropped::Error),
        MessageType::Headline => return Err(Dropped::UnsupportedType),
        MessageType::Groupchat => (room.to_string(), own_server_ids(&mut message, room)),
        MessageType::Chat | MessageType::Normal => {
            if nick.is_none() {
                return Err(Dropped::NoSender);
            }
            (from.to_string(), None)
        }
    };
    // XEP-0425 §4: a moderator's removal is told by the room itself, never by an occupant;
    // an author's comes from its author, never from the room's own address.
    match (&parts.removal, &nick) {
        (Some(Removal::Moderated { .. }), Some(_)) | (Some(Removal::Retracted), None) => {
            return Err(Dropped::Misplaced);
        }
        _ => {}
    }
    // XEP-0444: reactions are an occupant's; the room's own address has none to give.
    if parts.reactions.is_some() && nick.is_none() {
        return Err(Dropped::Misplaced);
    }
    let occupant_id = occupant_id(&mut message).filter(|_| occupant_ids && nick.is_some());
    Ok(NewMessage {
        chat: ChatId(chat),
        kind: parts.kind(if nick.is_some() { MessageKind::Message } else { MessageKind::Event }),
        nick,
        direction: Direction::In,
        from: from.to_string(),
        to: message.to.as_ref().map_or_else(String::new, ToString::to_string),
        body: parts.body,
        timestamp: parts.timestamp,
        state: Delivery::Received,
        stanza_id_attr: message.id.map(|id| id.0),
        origin_id: parts.origin_id,
        server_id,
        attachment: parts.attachment,
        author: Author { occupant_id, ..Author::default() },
        replaces: parts.replaces,
        // In a room only the room's own id names a line (store::replies).
        reply: parts.reply.map(|reply| Reply { in_room: in_room_chat, ..reply }),
        unstyled: parts.unstyled,
    })
}

/// The XEP-0421 occupant id in a room's message or presence, if it has a sane length.
pub fn occupant_id_of(payloads: &[Element]) -> Option<String> {
    let element = payloads.iter().find(|p| p.is("occupant-id", ns::OID))?;
    let id = OccupantId::try_from(element.clone()).ok()?.id;
    (!id.is_empty() && id.len() <= MAX_OCCUPANT_ID).then_some(id)
}

fn occupant_id(message: &mut Message) -> Option<String> {
    let id = occupant_id_of(&message.payloads);
    message.payloads.retain(|p| !p.is("occupant-id", ns::OID));
    id
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn parse_message(xml: &str) -> Message {
        let element = Element::from_str(xml).expect("fixture is XML");
        Message::try_from(element).expect("fixture is a message")
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z").expect("valid").with_timezone(&Utc)
    }

    fn room_line(xml: &str) -> Result<NewMessage, Dropped> {
        let room = BareJid::new("tea@rooms.example.org").expect("valid");
        room_message(parse_message(xml), &room, false, now())
    }

    #[test]
    fn room_messages_carry_the_nick_and_trust_only_the_rooms_stanza_id() {
        let line = room_line(
            "<message xmlns='jabber:client' type='groupchat' from='tea@rooms.example.org/ann'>\
             <body>hello</body>\
             <stanza-id xmlns='urn:xmpp:sid:0' by='tea@rooms.example.org' id='r1'/>\
             <stanza-id xmlns='urn:xmpp:sid:0' by='example.org' id='forged'/></message>",
        )
        .expect("a room message");
        assert_eq!(line.chat.as_str(), "tea@rooms.example.org");
        assert_eq!(line.nick.as_deref(), Some("ann"));
        assert_eq!(line.direction, Direction::In);
        assert_eq!(line.server_id.as_deref(), Some("r1"));
        assert_eq!(line.kind, MessageKind::Message);
        let under_our_nick = room_line(
            "<message xmlns='jabber:client' type='groupchat' from='tea@rooms.example.org/me'>\
             <body>mine?</body></message>",
        )
        .expect("a line under our nick");
        assert_eq!(under_our_nick.direction, Direction::In, "a nick proves nothing");
    }

    const WITH_OCCUPANT_ID: &str = "<message xmlns='jabber:client' type='groupchat' \
        from='tea@rooms.example.org/ann'><body>hi</body>\
        <occupant-id xmlns='urn:xmpp:occupant-id:0' id='oid-ann'/></message>";

    #[test]
    fn an_occupant_id_is_kept_only_from_a_room_that_announces_them() {
        let room = BareJid::new("tea@rooms.example.org").expect("valid");
        let trusted = room_message(parse_message(WITH_OCCUPANT_ID), &room, true, now());
        let trusted = trusted.expect("a line");
        assert_eq!(trusted.author.occupant_id.as_deref(), Some("oid-ann"));
        let forged = room_message(parse_message(WITH_OCCUPANT_ID), &room, false, now());
        assert_eq!(forged.expect("a line").author.occupant_id, None, "the sender's own claim");
        let long = WITH_OCCUPANT_ID.replace("oid-ann", &"x".repeat(MAX_OCCUPANT_ID + 1));
        let long = room_message(parse_message(&long), &room, true, now()).expect("a line");
        assert_eq!(long.author.occupant_id, None, "an oversized id is not kept");
        let from_room =
            WITH_OCCUPANT_ID.replace("tea@rooms.example.org/ann", "tea@rooms.example.org");
        let from_room = room_message(parse_message(&from_room), &room, true, now()).expect("line");
        assert_eq!(from_room.author.occupant_id, None, "the room itself is no occupant");
    }

    #[test]
    fn a_private_message_from_an_occupant_is_its_own_chat() {
        let line = room_line(
            "<message xmlns='jabber:client' type='chat' from='tea@rooms.example.org/ann'>\
             <body>psst</body><x xmlns='http://jabber.org/protocol/muc#user'/></message>",
        )
        .expect("a private message");
        assert_eq!(line.chat.as_str(), "tea@rooms.example.org/ann");
        let system = room_line(
            "<message xmlns='jabber:client' type='groupchat' from='tea@rooms.example.org'>\
             <body>This room is not anonymous</body></message>",
        )
        .expect("a line from the room itself");
        assert_eq!(system.kind, MessageKind::Event);
        let elsewhere = room_line(
            "<message xmlns='jabber:client' type='groupchat' from='other@rooms.example.org/x'>\
             <body>hi</body></message>",
        );
        assert_eq!(elsewhere, Err(Dropped::NoSender));
    }
}
