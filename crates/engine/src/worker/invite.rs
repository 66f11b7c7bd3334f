//! Pure conversions for invitations to chat rooms: mediated through the room (XEP-0045
//! §7.8.2), believed only from the room itself, and direct (XEP-0249), naming whoever sent
//! them; the ones we send, and declining.

use crate::model::Invite;
use tokio_xmpp::jid::{BareJid, Jid};
use tokio_xmpp::minidom::Element;
use tokio_xmpp::minidom::rxml::xml_ncname;
use tokio_xmpp::parsers::message::{Message, MessageType};
use tokio_xmpp::parsers::muc::user::{self, MucUser};
use tokio_xmpp::parsers::ns;

/// XEP-0249 direct invitations.
pub const DIRECT_INVITE: &str = "jabber:x:conference";

/// An invitation in `message`, if a genuine one.
///
/// Mediated (XEP-0045 §7.8.2): only the room itself sends it, from its bare address, so
/// anything else carrying `<invite/>` is ignored; the inviter it names is the room's claim
/// (`mediated` tells the user so). Direct (XEP-0249): the inviter is whoever sent it, never
/// a name inside; `occupant` says the sender is a room occupant, whose room address is all
/// we know of them (its bare part is the room, not a person).
pub fn invite(message: &Message, occupant: bool) -> Option<Invite> {
    let from = message.from.as_ref()?;
    mediated_invite_from_room(message, from).or_else(|| direct_invite_from(message, from, occupant))
}

fn mediated_invite_from_room(message: &Message, from: &Jid) -> Option<Invite> {
    if from.resource().is_some() || from.node().is_none() {
        return None;
    }
    let x = message.payloads.iter().find(|p| p.is("x", ns::MUC_USER))?;
    let invite = MucUser::try_from(x.clone()).ok()?.invite?;
    let password = x.get_child("password", ns::MUC_USER).map(Element::text);
    Some(Invite {
        room: from.to_bare().to_string(),
        from: invite.from?.to_bare().to_string(),
        reason: invite.reason.filter(|r| !r.is_empty()),
        password,
        mediated: true,
    })
}

fn direct_invite_from(message: &Message, from: &Jid, occupant: bool) -> Option<Invite> {
    let x = message.payloads.iter().find(|p| p.is("x", DIRECT_INVITE))?;
    let room = BareJid::new(x.attr("jid")?).ok()?;
    from.node()?;
    Some(Invite {
        room: room.to_string(),
        from: if occupant { from.to_string() } else { from.to_bare().to_string() },
        reason: x.attr("reason").map(str::to_owned).filter(|r| !r.is_empty()),
        password: x.attr("password").map(str::to_owned),
        mediated: false,
    })
}

pub fn direct_invite(
    room: &BareJid,
    to: &BareJid,
    reason: Option<&str>,
    password: Option<&str>,
) -> Message {
    let mut x = Element::builder("x", DIRECT_INVITE).attr(xml_ncname!("jid").into(), room.as_str());
    if let Some(reason) = reason {
        x = x.attr(xml_ncname!("reason").into(), reason);
    }
    if let Some(password) = password {
        x = x.attr(xml_ncname!("password").into(), password);
    }
    let mut message = Message::new(Some(Jid::from(to.clone())));
    message.type_ = MessageType::Normal;
    message.payloads.push(x.build());
    message
}

pub fn mediated_invite(room: &BareJid, to: &BareJid, reason: Option<&str>) -> Message {
    let invite = user::Invite {
        from: None,
        to: Some(Jid::from(to.clone())),
        reason: reason.map(str::to_owned),
    };
    let x = MucUser { invite: Some(invite), ..MucUser::default() };
    // XEP-0045 §7.8.2: a normal message; rooms refuse other types.
    let mut message = Message::new(Some(Jid::from(room.clone())));
    message.type_ = MessageType::Normal;
    message.payloads.push(x.into());
    message
}

pub fn decline(invite: &Invite) -> Option<Message> {
    let room = BareJid::new(&invite.room).ok()?;
    let from = BareJid::new(&invite.from).ok()?;
    let decline = user::Decline { from: None, to: Some(Jid::from(from)), reason: None };
    let x = MucUser { decline: Some(decline), ..MucUser::default() };
    let mut message = Message::new(Some(Jid::from(room)));
    message.type_ = MessageType::Normal;
    message.payloads.push(x.into());
    Some(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(xml: &str) -> Message {
        Message::try_from(xml.parse::<Element>().expect("xml")).expect("a message")
    }

    fn mediated(from: &str) -> Message {
        message(&format!(
            "<message xmlns='jabber:client' from='{from}' to='me@example.org'>\
             <x xmlns='http://jabber.org/protocol/muc#user'>\
             <invite from='boss@example.org/desk'><reason>urgent</reason></invite></x></message>"
        ))
    }

    #[test]
    fn a_mediated_invitation_counts_only_from_the_room_itself() {
        let invite = invite(&mediated("den@rooms.example.org"), false).expect("from the room");
        assert_eq!(invite.room, "den@rooms.example.org");
        assert_eq!(invite.from, "boss@example.org", "what the room says, shown as its claim");
        assert!(invite.mediated);
        assert_eq!(invite.reason.as_deref(), Some("urgent"));
        assert_eq!(super::invite(&mediated("mallory@example.org/pc"), false), None);
        assert_eq!(super::invite(&mediated("den@rooms.example.org/mallory"), true), None);
        assert_eq!(super::invite(&mediated("example.org"), false), None, "a server is no room");
    }

    #[test]
    fn a_direct_invitation_names_its_real_sender() {
        let direct = |from: &str| {
            message(&format!(
                "<message xmlns='jabber:client' from='{from}'>\
                 <x xmlns='jabber:x:conference' jid='den@rooms.example.org' reason='hi'/>\
                 <x xmlns='http://jabber.org/protocol/muc#user'>\
                 <invite from='boss@example.org'/></x></message>"
            ))
        };
        let invite = invite(&direct("mallory@example.org/pc"), false).expect("a direct one");
        assert_eq!((invite.from.as_str(), invite.mediated), ("mallory@example.org", false));
        assert_eq!(invite.room, "den@rooms.example.org");
        let from_occupant =
            super::invite(&direct("tea@rooms.example.org/mal"), true).expect("from an occupant");
        assert_eq!(from_occupant.from, "tea@rooms.example.org/mal", "not the room's address");
    }
}
