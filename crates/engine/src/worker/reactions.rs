//! Message reactions (XEP-0444) as stanzas: the set an incoming message carries, and ours
//! going out. Who reacted is never read from here: the session derives it from the stanza's
//! verified origin (see `session::reactions`).

use super::stanza::Route;
use tokio_xmpp::jid::Jid;
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::message::{Message, MessageType};
use tokio_xmpp::parsers::reactions::{Reaction, Reactions};
use tokio_xmpp::parsers::stanza_id::OriginId;

pub use tokio_xmpp::parsers::ns::REACTIONS;
const HINTS: &str = "urn:xmpp:hints";

/// The longest id a set of reactions may name; ours are UUIDs or server ids far shorter.
pub const MAX_NAMED_ID: usize = 256;
/// The most `<reaction/>` elements read from one set before it is cut: the set is bounded
/// again after cleaning, this only stops the work early.
const MAX_READ: usize = 64;

/// What an incoming message says about reactions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asked {
    /// Nothing: an ordinary message.
    Nothing,
    /// The sender's whole new set of reactions (uncleaned) on the line with this id.
    React(String, Vec<String>),
    /// A set we cannot use (no id, one too long, not well formed): neither a line nor a set.
    Unusable,
}

/// Take the reactions out of `message`, if it carries them; its body, if any, is then a
/// fallback for clients without reactions and not a line of its own.
pub fn take(message: &mut Message) -> Asked {
    let Some(at) = message.payloads.iter().position(|p| p.is("reactions", REACTIONS)) else {
        return Asked::Nothing;
    };
    let element = message.payloads.remove(at);
    match Reactions::try_from(element) {
        Ok(set) if !set.id.is_empty() && set.id.len() <= MAX_NAMED_ID => Asked::React(
            set.id,
            set.reactions.into_iter().take(MAX_READ).map(|r| r.emoji).collect(),
        ),
        _ => Asked::Unusable,
    }
}

/// Our whole new set of reactions on the line `named_id` (the origin-id or id in a chat, the
/// room's stanza-id in a room, XEP-0444 §4), sent as message `id` to `to`. Archives are asked
/// to keep it (XEP-0334): it has no body, and our other clients and later logins learn of it
/// from the archive.
pub fn reactions_message(
    to: Jid,
    id: &str,
    route: Route,
    named_id: &str,
    emojis: &[String],
) -> Message {
    let mut message = Message::chat(Some(to));
    message.id = Some(tokio_xmpp::parsers::message::Id(id.to_owned()));
    match route {
        Route::Chat => {}
        Route::Room => message.type_ = MessageType::Groupchat,
        Route::RoomPrivate => {
            message.payloads.push(tokio_xmpp::parsers::muc::user::MucUser::default().into())
        }
    }
    let reactions = emojis.iter().map(|e| Reaction { emoji: e.clone() }).collect();
    message.payloads.push(Reactions { id: named_id.to_owned(), reactions }.into());
    message.payloads.push(OriginId { id: id.to_owned() }.into());
    message.payloads.push(Element::builder("store", HINTS).build());
    message
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn message(xml: &str) -> Message {
        let element = Element::from_str(xml).expect("fixture is XML");
        Message::try_from(element).expect("fixture is a message")
    }

    #[test]
    fn a_set_is_read_and_taken_out() {
        let xml = "<message xmlns='jabber:client' type='chat' from='bob@x/a'>\
            <reactions xmlns='urn:xmpp:reactions:0' id='o1'>\
            <reaction>👍</reaction><reaction>🐢</reaction></reactions></message>";
        let mut parsed = message(xml);
        assert_eq!(take(&mut parsed), Asked::React("o1".into(), vec!["👍".into(), "🐢".into()]));
        assert!(parsed.payloads.is_empty());
        let empty = "<message xmlns='jabber:client' type='chat' from='bob@x/a'>\
            <reactions xmlns='urn:xmpp:reactions:0' id='o1'/></message>";
        assert_eq!(take(&mut message(empty)), Asked::React("o1".into(), vec![]));
        let no_id = xml.replace(" id='o1'", "");
        assert_eq!(take(&mut message(&no_id)), Asked::Unusable);
        let long = xml.replace("'o1'", &format!("'{}'", "x".repeat(MAX_NAMED_ID + 1)));
        assert_eq!(take(&mut message(&long)), Asked::Unusable);
        let plain = "<message xmlns='jabber:client' type='chat'><body>hi</body></message>";
        assert_eq!(take(&mut message(plain)), Asked::Nothing);
        let many = format!(
            "<message xmlns='jabber:client' type='chat'><reactions \
             xmlns='urn:xmpp:reactions:0' id='o1'>{}</reactions></message>",
            "<reaction>x</reaction>".repeat(1000)
        );
        let Asked::React(_, set) = take(&mut message(&many)) else { panic!() };
        assert_eq!(set.len(), MAX_READ);
    }

    #[test]
    fn ours_go_out_in_xep_0444_form() {
        let to = Jid::new("tea@rooms.x").expect("jid");
        let out = reactions_message(to, "r1", Route::Room, "sid-1", &["👍".into()]);
        let xml = String::from(&Element::from(out.clone()));
        assert!(xml.contains("type='groupchat'"), "{xml}");
        assert!(
            xml.contains("<reactions xmlns='urn:xmpp:reactions:0' id='sid-1'><reaction>👍"),
            "{xml}"
        );
        assert!(!xml.contains("<body"), "{xml}");
        assert_eq!(take(&mut out.clone()), Asked::React("sid-1".into(), vec!["👍".into()]));
    }
}
