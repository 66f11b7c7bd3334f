//! Message retraction (XEP-0424) and moderated retraction (XEP-0425) as stanzas: what we send,
//! and what an incoming message asks to remove. xmpp-parsers 0.23 has no types for either (nor
//! for XEP-0428 fallback), so the elements are built and read here.
//!
//! Both the current namespaces and the fastened ones before them are read: XEP-0424 v0.4
//! (`urn:xmpp:message-retract:1`, `<retract id=…/>` in the message) and v0.2 (`<retract/>`
//! inside a XEP-0422 `<apply-to id=…/>`), and for moderation XEP-0425 v0.3 (`<retract
//! id=…><moderated/><reason/></retract>`) and v0.2 (`<apply-to id=…><moderated by=…><retract/>
//! <reason/></moderated></apply-to>`); Prosody's mod_muc_moderation sends both in one message.
//! Who may remove what is not decided here (see `session::retraction`).

use crate::model::Removal;
use tokio_xmpp::jid::{BareJid, Jid};
use tokio_xmpp::minidom::Element;
use tokio_xmpp::minidom::rxml::xml_ncname;
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::message::Message;

pub const RETRACT: &str = "urn:xmpp:message-retract:1";
const RETRACT_0: &str = "urn:xmpp:message-retract:0";
pub const MODERATE: &str = "urn:xmpp:message-moderate:1";
pub const MODERATE_0: &str = "urn:xmpp:message-moderate:0";
const FASTEN: &str = "urn:xmpp:fasten:0";
const FALLBACK: &str = "urn:xmpp:fallback:0";
const HINTS: &str = "urn:xmpp:hints";

/// What a client without retraction shows instead (XEP-0424 §4's own words).
pub const FALLBACK_BODY: &str =
    "This person attempted to retract a previous message, but it's unsupported by your client.";

/// The longest id a retraction may name; ids we keep are UUIDs or server ids far shorter, so
/// a longer one names nothing we have and is not looked up.
pub const MAX_NAMED_ID: usize = 256;

/// What an incoming message says about removing an earlier line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asked {
    /// Nothing: an ordinary message.
    Nothing,
    /// Remove the line with this id: its author takes it back, or (`Removal::Moderated`) a
    /// moderator removed it, which only the room itself may say.
    Remove(String, Removal),
    /// A retraction we cannot use (no id, or one too long): neither a line nor a removal.
    Unusable,
}

/// Take the retraction out of `message`, if it carries one; its fallback body is then not a
/// line of its own.
pub fn take(message: &mut Message) -> Asked {
    let asked = read(&message.payloads);
    if asked != Asked::Nothing {
        message.payloads.retain(|p| {
            !(p.is("retract", RETRACT) || p.is("apply-to", FASTEN) || p.is("fallback", FALLBACK))
        });
    }
    asked
}

fn read(payloads: &[Element]) -> Asked {
    let named = |id: Option<&str>, removal: Removal| match id {
        Some(id) if !id.is_empty() && id.len() <= MAX_NAMED_ID => {
            Asked::Remove(id.to_owned(), removal)
        }
        _ => Asked::Unusable,
    };
    if let Some(retract) = payloads.iter().find(|p| p.is("retract", RETRACT)) {
        let removal = match retract.get_child("moderated", MODERATE) {
            Some(moderated) => {
                // v0.3 makes `by` optional (Prosody leaves it out); the older element beside
                // it, in the same stanza from the same room, may name the moderator.
                let older = payloads
                    .iter()
                    .filter(|p| p.is("apply-to", FASTEN))
                    .find_map(|p| p.get_child("moderated", MODERATE_0));
                let by = moderated.attr("by").or_else(|| older.and_then(|m| m.attr("by")));
                let reason = retract.get_child("reason", RETRACT).map(Element::text);
                Removal::moderated(by, reason.as_deref())
            }
            None => Removal::Retracted,
        };
        return named(retract.attr("id"), removal);
    }
    let Some(apply_to) = payloads.iter().find(|p| p.is("apply-to", FASTEN)) else {
        return Asked::Nothing;
    };
    if apply_to.has_child("retract", RETRACT_0) {
        return named(apply_to.attr("id"), Removal::Retracted);
    }
    match apply_to.get_child("moderated", MODERATE_0) {
        Some(moderated) if moderated.has_child("retract", RETRACT_0) => {
            let reason = moderated.get_child("reason", MODERATE_0).map(Element::text);
            named(apply_to.attr("id"), Removal::moderated(moderated.attr("by"), reason.as_deref()))
        }
        // Some other fastening: not ours to read.
        _ => Asked::Nothing,
    }
}

/// Make `message` (built with [`FALLBACK_BODY`] as its body) take back our line `named_id`:
/// the origin-id we gave it in a chat, the room's stanza-id in a room (XEP-0424 §4, §5). The
/// fallback is marked (XEP-0428) and archives asked to keep it (XEP-0334), so a client that
/// comes later still learns of it.
pub fn retract(message: &mut Message, named_id: &str) {
    message.payloads.push(
        Element::builder("retract", RETRACT).attr(xml_ncname!("id").into(), named_id).build(),
    );
    message.payloads.push(
        Element::builder("fallback", FALLBACK).attr(xml_ncname!("for").into(), RETRACT).build(),
    );
    message.payloads.push(Element::builder("store", HINTS).build());
}

/// Which version of moderation a room offers, from its disco#info features.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Moderation {
    /// Not announced: we do not ask.
    #[default]
    None,
    /// XEP-0425 v0.2 (`urn:xmpp:message-moderate:0`, fastened).
    Fastened,
    /// XEP-0425 v0.3 (`urn:xmpp:message-moderate:1`).
    Current,
}

impl Moderation {
    pub fn offered<'a>(features: impl IntoIterator<Item = &'a String>) -> Self {
        let features: Vec<&String> = features.into_iter().collect();
        if features.iter().any(|f| *f == MODERATE) {
            Self::Current
        } else if features.iter().any(|f| *f == MODERATE_0) {
            Self::Fastened
        } else {
            Self::None
        }
    }
}

/// Ask `room` to remove its line `stanza_id` as a moderator (XEP-0425 §4), in the version the
/// room offers; `None` when it offers none.
pub fn moderate(
    id: String,
    room: &BareJid,
    stanza_id: &str,
    reason: Option<&str>,
    version: Moderation,
) -> Option<Iq> {
    let payload = match version {
        Moderation::None => return None,
        Moderation::Current => {
            let mut moderate = Element::builder("moderate", MODERATE)
                .attr(xml_ncname!("id").into(), stanza_id)
                .append(Element::builder("retract", RETRACT).build());
            if let Some(reason) = reason {
                moderate = moderate.append(Element::builder("reason", MODERATE).append(reason));
            }
            moderate.build()
        }
        Moderation::Fastened => {
            let mut moderate = Element::builder("moderate", MODERATE_0)
                .append(Element::builder("retract", RETRACT_0).build());
            if let Some(reason) = reason {
                moderate = moderate.append(Element::builder("reason", MODERATE_0).append(reason));
            }
            Element::builder("apply-to", FASTEN)
                .attr(xml_ncname!("id").into(), stanza_id)
                .append(moderate)
                .build()
        }
    };
    Some(Iq::Set { from: None, to: Some(Jid::from(room.clone())), id, payload })
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
    fn a_retraction_in_either_version_names_its_line() {
        let current = "<message xmlns='jabber:client' type='chat' from='bob@x/a'>\
            <retract xmlns='urn:xmpp:message-retract:1' id='o1'/>\
            <fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:message-retract:1'/>\
            <body>This person attempted to retract…</body></message>";
        let mut parsed = message(current);
        assert_eq!(take(&mut parsed), Asked::Remove("o1".into(), Removal::Retracted));
        assert!(parsed.payloads.is_empty(), "taken out: {:?}", parsed.payloads);
        let fastened = "<message xmlns='jabber:client' type='chat' from='bob@x/a'>\
            <apply-to xmlns='urn:xmpp:fasten:0' id='o2'>\
            <retract xmlns='urn:xmpp:message-retract:0'/></apply-to></message>";
        assert_eq!(take(&mut message(fastened)), Asked::Remove("o2".into(), Removal::Retracted));
        let plain = "<message xmlns='jabber:client' type='chat'><body>hi</body></message>";
        assert_eq!(take(&mut message(plain)), Asked::Nothing);
        let long = current.replace("'o1'", &format!("'{}'", "x".repeat(MAX_NAMED_ID + 1)));
        assert_eq!(take(&mut message(&long)), Asked::Unusable);
        let without_id = current.replace(" id='o1'", "");
        assert_eq!(take(&mut message(&without_id)), Asked::Unusable);
    }

    #[test]
    fn prosodys_moderation_notice_is_read_with_its_reason() {
        let notice = "<message xmlns='jabber:client' type='groupchat' from='tea@rooms.x' id='n'>\
            <apply-to xmlns='urn:xmpp:fasten:0' id='sid-1'>\
              <moderated xmlns='urn:xmpp:message-moderate:0' by='tea@rooms.x/boss'>\
                <retract xmlns='urn:xmpp:message-retract:0'/><reason>spam</reason>\
              </moderated></apply-to>\
            <retract xmlns='urn:xmpp:message-retract:1' id='sid-1'>\
              <moderated xmlns='urn:xmpp:message-moderate:1'>\
                <occupant-id xmlns='urn:xmpp:occupant-id:0' id='oid-boss'/></moderated>\
              <reason>spam</reason></retract></message>";
        let expected =
            Removal::Moderated { by: Some("tea@rooms.x/boss".into()), reason: Some("spam".into()) };
        assert_eq!(take(&mut message(notice)), Asked::Remove("sid-1".into(), expected));
        let old_only = "<message xmlns='jabber:client' type='groupchat' from='tea@rooms.x'>\
            <apply-to xmlns='urn:xmpp:fasten:0' id='sid-2'>\
              <moderated xmlns='urn:xmpp:message-moderate:0' by='tea@rooms.x/boss'>\
                <retract xmlns='urn:xmpp:message-retract:0'/><reason>rude</reason>\
              </moderated></apply-to></message>";
        let expected =
            Removal::Moderated { by: Some("tea@rooms.x/boss".into()), reason: Some("rude".into()) };
        assert_eq!(take(&mut message(old_only)), Asked::Remove("sid-2".into(), expected));
    }

    #[test]
    fn our_retraction_and_moderation_requests_are_well_formed() {
        let to = Jid::new("bob@x").expect("jid");
        let mut out = crate::worker::stanza::outgoing_message(
            to,
            FALLBACK_BODY,
            "r1",
            crate::worker::stanza::Route::Chat,
        );
        retract(&mut out, "o1");
        assert_eq!(take(&mut out.clone()), Asked::Remove("o1".into(), Removal::Retracted));
        let xml = String::from(&Element::from(out));
        assert!(xml.contains("for='urn:xmpp:message-retract:1'"), "{xml}");
        assert!(xml.contains("<store xmlns='urn:xmpp:hints'"), "{xml}");

        let room = BareJid::new("tea@rooms.x").expect("jid");
        assert!(moderate("q".into(), &room, "sid", None, Moderation::None).is_none());
        for (version, wanted) in [
            (Moderation::Current, "<moderate xmlns='urn:xmpp:message-moderate:1' id='sid'>"),
            (Moderation::Fastened, "<apply-to xmlns='urn:xmpp:fasten:0' id='sid'>"),
        ] {
            let iq = moderate("q".into(), &room, "sid", Some("spam"), version).expect("iq");
            let xml = String::from(&Element::from(iq));
            assert!(xml.contains(wanted) && xml.contains(">spam</reason>"), "{xml}");
        }
        let features = vec![MODERATE_0.to_owned(), MODERATE.to_owned()];
        assert_eq!(Moderation::offered(&features), Moderation::Current);
        assert_eq!(Moderation::offered(&features[..1]), Moderation::Fastened);
    }
}
