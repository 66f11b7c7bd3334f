//! Pure conversions for chat rooms (XEP-0045): the stanzas we send to join, leave, configure
//! and moderate, and what a room's presences and messages mean (invitations: `invite`). What a room says about
//! itself (subject, roles, affiliations, status codes) is believed only from that room.

use crate::model::{Affiliated, Affiliation, Form, Moderation, Occupant, Role, RoomPreset};
use chrono::Utc;
use tokio_xmpp::jid::{BareJid, Jid};
use tokio_xmpp::minidom::Element;
use tokio_xmpp::minidom::rxml::xml_ncname;
use tokio_xmpp::parsers::data_forms::DataForm;
use tokio_xmpp::parsers::date::DateTime;
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::message::{Lang, Message, MessageType};
use tokio_xmpp::parsers::muc::muc::{History, Muc};
use tokio_xmpp::parsers::muc::user::{self, MucUser, Status};
use tokio_xmpp::parsers::ns;
use tokio_xmpp::parsers::presence::{Presence, Type as PresenceType};

pub const MUC_OWNER: &str = "http://jabber.org/protocol/muc#owner";
pub const MUC_ADMIN: &str = "http://jabber.org/protocol/muc#admin";
/// History asked for on a first visit; later visits ask for what came since the last line.
pub const FIRST_VISIT_HISTORY: u32 = 50;

/// The presence that enters `room` as `nick` (XEP-0045 §7.2), asking for the history we lack.
pub fn join_presence(
    room: &BareJid,
    nick: &str,
    password: Option<&str>,
    since: Option<chrono::DateTime<Utc>>,
) -> Option<Presence> {
    let to = room.with_resource_str(nick).ok()?;
    let history = match since {
        Some(since) => History { since: Some(DateTime(since.fixed_offset())), ..History::new() },
        None => History::new().with_maxstanzas(FIRST_VISIT_HISTORY),
    };
    let muc = Muc { password: password.map(str::to_owned), history: Some(history) };
    Some(Presence::available().with_to(to).with_payloads(vec![muc.into()]))
}

/// Leave (XEP-0045 §7.14), or change nick when sent available to a new nick (§7.6).
pub fn leave_presence(room: &BareJid, nick: &str) -> Option<Presence> {
    let to = room.with_resource_str(nick).ok()?;
    Some(Presence::new(PresenceType::Unavailable).with_to(to))
}

pub fn nick_change_presence(room: &BareJid, nick: &str) -> Option<Presence> {
    Some(Presence::available().with_to(room.with_resource_str(nick).ok()?))
}

/// What a presence from a room occupant tells.
#[derive(Debug, Clone, PartialEq)]
pub enum OccupantChange {
    /// Someone is (still) in the room.
    Present { occupant: Occupant, is_self: bool, created: bool },
    /// Someone left, changed nick, or was removed.
    Gone { nick: String, is_self: bool, why: Departure },
    /// The room refused us (wrong password, members only, nick taken, banned…).
    Refused(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Departure {
    Left,
    NewNick(String),
    Kicked(Option<String>),
    Banned(Option<String>),
    /// Removed because the room became members-only or they lost membership.
    Removed,
    /// The room was destroyed or the service shut down.
    RoomClosed(Option<String>),
}

/// `presence` from `room`'s occupant `nick`.
pub fn occupant_change(presence: &Presence, nick: &str) -> OccupantChange {
    if presence.type_ == PresenceType::Error {
        return OccupantChange::Refused(refusal(presence));
    }
    let x = presence
        .payloads
        .iter()
        .find(|p| p.is("x", ns::MUC_USER))
        .and_then(|x| MucUser::try_from(x.clone()).ok())
        .unwrap_or_default();
    let has = |status: Status| x.status.contains(&status);
    let is_self = has(Status::SelfPresence);
    let item = x.items.first();
    if presence.type_ == PresenceType::Unavailable {
        let reason = item.and_then(|i| i.reason.as_ref()).map(|r| r.0.clone());
        let destroyed = presence
            .payloads
            .iter()
            .any(|p| p.is("x", ns::MUC_USER) && p.has_child("destroy", ns::MUC_USER));
        let why = if has(Status::NewNick) {
            item.and_then(|i| i.nick.clone()).map_or(Departure::Left, Departure::NewNick)
        } else if has(Status::Banned) {
            Departure::Banned(reason)
        } else if has(Status::Kicked) {
            Departure::Kicked(reason)
        } else if has(Status::RemovalFromRoom) || has(Status::ConfigMembersOnly) {
            Departure::Removed
        } else if destroyed || has(Status::ServiceShutdown) {
            Departure::RoomClosed(reason)
        } else {
            Departure::Left
        };
        return OccupantChange::Gone { nick: nick.to_owned(), is_self, why };
    }
    let occupant = Occupant {
        nick: nick.to_owned(),
        role: item.map_or(Role::Participant, |i| role(&i.role)),
        affiliation: item.map_or(Affiliation::None, |i| affiliation(&i.affiliation)),
        jid: item.and_then(|i| i.jid.as_ref()).map(|j| j.to_bare().to_string()),
        show: super::contact_stanza::show_of(presence.show.as_ref()),
        status: presence.statuses.values().next().cloned().filter(|s| !s.is_empty()),
    };
    OccupantChange::Present { occupant, is_self, created: has(Status::RoomHasBeenCreated) }
}

fn refusal(presence: &Presence) -> String {
    use tokio_xmpp::parsers::stanza_error::{DefinedCondition as C, StanzaError};
    let error = presence.payloads.iter().find_map(|p| StanzaError::try_from(p.clone()).ok());
    let Some(error) = error else { return "the room refused to let you in".into() };
    let text = error.texts.values().next().cloned();
    let why = match error.defined_condition {
        C::NotAuthorized => "the room needs a password, and this one is wrong or missing",
        C::RegistrationRequired => "the room is for members only; ask for an invitation",
        C::Forbidden => "you are banned from this room",
        C::Conflict => "that nickname is already in use in this room; choose another",
        C::ServiceUnavailable => "the room is full",
        C::ItemNotFound => "the room does not exist and cannot be created by you",
        C::NotAllowed => "you may not create rooms on this service",
        _ => return text.unwrap_or_else(|| "the room refused to let you in".into()),
    };
    match text {
        Some(text) => format!("{why} ({text})"),
        None => why.to_owned(),
    }
}

fn role(role: &user::Role) -> Role {
    match role {
        user::Role::Moderator => Role::Moderator,
        user::Role::Participant => Role::Participant,
        user::Role::Visitor => Role::Visitor,
        user::Role::None => Role::None,
    }
}

fn affiliation(affiliation: &user::Affiliation) -> Affiliation {
    match affiliation {
        user::Affiliation::Owner => Affiliation::Owner,
        user::Affiliation::Admin => Affiliation::Admin,
        user::Affiliation::Member => Affiliation::Member,
        user::Affiliation::Outcast => Affiliation::Outcast,
        user::Affiliation::None => Affiliation::None,
    }
}

/// The event line for an occupant leaving, in words.
pub fn departure_line(nick: &str, why: &Departure) -> String {
    let because =
        |reason: &Option<String>| reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default();
    match why {
        Departure::Left => format!("{nick} left"),
        Departure::NewNick(new) => format!("{nick} is now known as {new}"),
        Departure::Kicked(reason) => format!("{nick} was kicked{}", because(reason)),
        Departure::Banned(reason) => format!("{nick} was banned{}", because(reason)),
        Departure::Removed => format!("{nick} was removed (members only)"),
        Departure::RoomClosed(reason) => format!("the room was closed{}", because(reason)),
    }
}

/// The event line for our own departure.
pub fn own_departure_line(why: &Departure) -> String {
    let because =
        |reason: &Option<String>| reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default();
    match why {
        Departure::Left => "You left".to_owned(),
        Departure::NewNick(new) => format!("You are now known as {new}"),
        Departure::Kicked(reason) => format!("You were kicked{}", because(reason)),
        Departure::Banned(reason) => format!("You were banned{}", because(reason)),
        Departure::Removed => "You were removed (the room is for members only)".to_owned(),
        Departure::RoomClosed(reason) => format!("The room was closed{}", because(reason)),
    }
}

/// What a room says about itself in disco#info (XEP-0045 §6.4, muc#roominfo).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RoomDetails {
    pub name: Option<String>,
    pub description: Option<String>,
    pub occupants: Option<u32>,
    /// XEP-0045 `muc_membersonly`.
    pub members_only: bool,
}

pub fn room_details(info: &tokio_xmpp::parsers::disco::DiscoInfoResult) -> RoomDetails {
    let name = info.identities.iter().find_map(|i| i.name.clone()).filter(|n| !n.is_empty());
    let members_only = info.features.contains("muc_membersonly");
    let mut details = RoomDetails { name, members_only, ..RoomDetails::default() };
    for form in &info.extensions {
        for field in &form.fields {
            let value = field.values.first().cloned().filter(|v| !v.is_empty());
            match field.var.as_deref() {
                Some("muc#roominfo_description") => details.description = value,
                Some("muc#roominfo_occupants") => {
                    details.occupants = value.and_then(|v| v.parse().ok())
                }
                _ => {}
            }
        }
    }
    details
}

/// The event line for a role or affiliation change of someone already present.
pub fn standing_line(before: &Occupant, after: &Occupant) -> Option<String> {
    let nick = &after.nick;
    if before.role != after.role {
        return Some(match after.role {
            Role::Moderator => format!("{nick} is now a moderator"),
            Role::Participant if before.role == Role::Visitor => format!("{nick} may now speak"),
            Role::Participant => format!("{nick} is no longer a moderator"),
            Role::Visitor => format!("{nick} may no longer speak"),
            Role::None => return None,
        });
    }
    (before.affiliation != after.affiliation).then(|| match after.affiliation {
        Affiliation::Owner => format!("{nick} is now an owner"),
        Affiliation::Admin => format!("{nick} is now an admin"),
        Affiliation::Member => format!("{nick} is now a member"),
        Affiliation::None => format!("{nick} is no longer a member"),
        Affiliation::Outcast => format!("{nick} was banned"),
    })
}

/// The room's subject, when `message` (from the room) sets it: `Some("")` clears it.
pub fn subject(message: &Message) -> Option<String> {
    if message.type_ != MessageType::Groupchat || !message.bodies.is_empty() {
        return None;
    }
    message.subjects.values().next().cloned().or_else(|| {
        message.payloads.iter().any(|p| p.is("subject", ns::DEFAULT_NS)).then(String::new)
    })
}

pub fn subject_message(room: &BareJid, subject: &str) -> Message {
    let mut message = Message::new(Some(Jid::from(room.clone())));
    message.type_ = MessageType::Groupchat;
    message.subjects.insert(Lang(String::new()), subject.to_owned());
    message
}

/// Ask for the room's configuration form (XEP-0045 §10.2).
pub fn config_request(id: String, room: &BareJid) -> Iq {
    let query = Element::builder("query", MUC_OWNER).build();
    Iq::Get { from: None, to: Some(Jid::from(room.clone())), id, payload: query }
}

pub fn config_submission(id: String, room: &BareJid, form: DataForm) -> Iq {
    let query = Element::builder("query", MUC_OWNER).append(Element::from(form)).build();
    Iq::Set { from: None, to: Some(Jid::from(room.clone())), id, payload: query }
}

/// The room's configuration form in an owner query result.
pub fn config_form(payload: Option<Element>) -> Option<Form> {
    let query = payload.filter(|p| p.is("query", MUC_OWNER))?;
    let x = query.get_child("x", ns::DATA_FORMS)?;
    DataForm::try_from(x.clone()).ok().map(super::data_form::read)
}

pub fn destroy(id: String, room: &BareJid, reason: Option<&str>) -> Iq {
    let mut destroy = Element::builder("destroy", MUC_OWNER);
    if let Some(reason) = reason {
        destroy = destroy.append(Element::builder("reason", MUC_OWNER).append(reason));
    }
    let query = Element::builder("query", MUC_OWNER).append(destroy).build();
    Iq::Set { from: None, to: Some(Jid::from(room.clone())), id, payload: query }
}

/// Fill a new room's configuration form for `preset` (XEP-0045 §10.1.3 muc#roomconfig
/// fields); fields the service does not offer are left as they are.
pub fn apply_preset(form: &mut Form, preset: &RoomPreset, name: Option<&str>) {
    let mut set = |var: &str, value: &str| {
        if let Some(field) = form.field_mut(var) {
            field.set_value(value);
        }
    };
    if let Some(name) = name {
        set("muc#roomconfig_roomname", name);
    }
    set("muc#roomconfig_persistentroom", "1");
    match preset {
        RoomPreset::Public { moderated } => {
            set("muc#roomconfig_publicroom", "1");
            set("muc#roomconfig_membersonly", "0");
            set("muc#roomconfig_moderatedroom", if *moderated { "1" } else { "0" });
            set("muc#roomconfig_whois", "moderators");
            set("muc#roomconfig_passwordprotectedroom", "0");
        }
        RoomPreset::Private { password } => {
            set("muc#roomconfig_publicroom", "0");
            set("muc#roomconfig_membersonly", "1");
            set("muc#roomconfig_whois", "anyone");
            set("muc#roomconfig_allowinvites", "1");
            // Prosody's own name for the same setting.
            set("{http://prosody.im/protocol/muc}roomconfig_allowmemberinvites", "1");
            match password.as_deref().filter(|p| !p.is_empty()) {
                Some(password) => {
                    set("muc#roomconfig_passwordprotectedroom", "1");
                    set("muc#roomconfig_roomsecret", password);
                }
                None => set("muc#roomconfig_passwordprotectedroom", "0"),
            }
        }
    }
}

/// A moderation request (XEP-0045 §8 and §9): roles by nick, affiliations by real address.
pub fn moderation(
    id: String,
    room: &BareJid,
    nick: &str,
    jid: Option<&str>,
    action: Moderation,
    reason: Option<&str>,
) -> Result<Iq, String> {
    let role = |value: &str| {
        Element::builder("item", MUC_ADMIN)
            .attr(xml_ncname!("role").into(), value)
            .attr(xml_ncname!("nick").into(), nick)
    };
    let affiliation = |value: Affiliation| {
        let jid = jid.ok_or_else(|| {
            format!("the room does not show {nick}'s address, so their standing cannot be changed")
        })?;
        Ok::<_, String>(affiliation_item(jid, value))
    };
    let mut item = match action {
        Moderation::Kick => role("none"),
        Moderation::GrantVoice | Moderation::RevokeModerator => role("participant"),
        Moderation::RevokeVoice => role("visitor"),
        Moderation::GrantModerator => role("moderator"),
        Moderation::Ban => affiliation(Affiliation::Outcast)?,
        Moderation::GrantMembership => affiliation(Affiliation::Member)?,
        Moderation::RevokeMembership => affiliation(Affiliation::None)?,
        Moderation::GrantAdmin => affiliation(Affiliation::Admin)?,
        Moderation::GrantOwner => affiliation(Affiliation::Owner)?,
    };
    if let Some(reason) = reason.filter(|r| !r.is_empty()) {
        item = item.append(Element::builder("reason", MUC_ADMIN).append(reason));
    }
    let query = Element::builder("query", MUC_ADMIN).append(item).build();
    Ok(Iq::Set { from: None, to: Some(Jid::from(room.clone())), id, payload: query })
}

fn affiliation_item(jid: &str, affiliation: Affiliation) -> tokio_xmpp::minidom::ElementBuilder {
    Element::builder("item", MUC_ADMIN)
        .attr(xml_ncname!("affiliation").into(), affiliation.as_str())
        .attr(xml_ncname!("jid").into(), jid)
}

/// Change the affiliation of someone who need not be present (XEP-0045 §9, §10).
pub fn affiliation_change(
    id: String,
    room: &BareJid,
    jid: &BareJid,
    affiliation: Affiliation,
    reason: Option<&str>,
) -> Iq {
    let mut item = affiliation_item(jid.as_str(), affiliation);
    if let Some(reason) = reason.filter(|r| !r.is_empty()) {
        item = item.append(Element::builder("reason", MUC_ADMIN).append(reason));
    }
    let query = Element::builder("query", MUC_ADMIN).append(item).build();
    Iq::Set { from: None, to: Some(Jid::from(room.clone())), id, payload: query }
}

/// Ask for everyone with one affiliation (XEP-0045 §9.5: members, §10.5: owners...).
pub fn affiliation_list_request(id: String, room: &BareJid, affiliation: Affiliation) -> Iq {
    let item = Element::builder("item", MUC_ADMIN)
        .attr(xml_ncname!("affiliation").into(), affiliation.as_str());
    let query = Element::builder("query", MUC_ADMIN).append(item).build();
    Iq::Get { from: None, to: Some(Jid::from(room.clone())), id, payload: query }
}

/// The people in an affiliation list answer; items without a valid address are skipped.
pub fn affiliation_list(payload: Option<Element>) -> Vec<Affiliated> {
    let Some(query) = payload.filter(|p| p.is("query", MUC_ADMIN)) else { return Vec::new() };
    let mut list: Vec<Affiliated> = query
        .children()
        .filter(|item| item.is("item", MUC_ADMIN))
        .filter_map(|item| {
            let jid = BareJid::new(item.attr("jid")?).ok()?;
            Some(Affiliated {
                jid: jid.to_string(),
                nick: item.attr("nick").map(str::to_owned),
                reason: item.get_child("reason", MUC_ADMIN).map(Element::text),
            })
        })
        .collect();
    list.sort_by(|a, b| a.jid.cmp(&b.jid));
    list
}

/// XEP-0410 §3.2: errors to a self-ping that do not mean we were dropped. Our client (or the
/// room) does not answer pings, a nick change is under way, or the room's server cannot be
/// reached right now (rejoining would not help); anything else, `not-acceptable` above all,
/// means the room no longer counts us in.
pub fn still_joined(error: &tokio_xmpp::parsers::stanza_error::StanzaError) -> bool {
    use tokio_xmpp::parsers::stanza_error::DefinedCondition as C;
    matches!(
        error.defined_condition,
        C::ServiceUnavailable
            | C::FeatureNotImplemented
            | C::ItemNotFound
            | C::RemoteServerNotFound
            | C::RemoteServerTimeout
    )
}

/// The nick part of an occupant's address.
pub fn nick_of(from: &Jid) -> Option<&str> {
    from.resource().map(|r| r.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affiliation_lists_keep_addresses_nicks_and_reasons() {
        let answer: Element = "<query xmlns='http://jabber.org/protocol/muc#admin'>\
             <item affiliation='outcast' jid='zed@example.org'><reason>spam</reason></item>\
             <item affiliation='outcast' jid='amy@example.org' nick='amy'/>\
             <item affiliation='outcast' jid='not a jid@@'/></query>"
            .parse()
            .expect("xml");
        let list = affiliation_list(Some(answer));
        assert_eq!(
            list,
            vec![
                Affiliated {
                    jid: "amy@example.org".into(),
                    nick: Some("amy".into()),
                    reason: None
                },
                Affiliated {
                    jid: "zed@example.org".into(),
                    nick: None,
                    reason: Some("spam".into())
                },
            ]
        );
    }

    #[test]
    fn a_rooms_details_say_whether_it_is_for_members_only() {
        let info = |features: &str| -> tokio_xmpp::parsers::disco::DiscoInfoResult {
            let xml = format!(
                "<query xmlns='http://jabber.org/protocol/disco#info'>\
                 <identity category='conference' type='text' name='The Den'/>\
                 <feature var='http://jabber.org/protocol/muc'/>{features}</query>"
            );
            let element: Element = xml.parse().expect("xml");
            element.try_into().expect("disco#info")
        };
        let closed = room_details(&info("<feature var='muc_membersonly'/>"));
        assert_eq!((closed.name.as_deref(), closed.members_only), (Some("The Den"), true));
        assert!(!room_details(&info("<feature var='muc_open'/>")).members_only);
    }

    #[test]
    fn an_affiliation_change_names_the_person_by_address() {
        let room: BareJid = "den@rooms.example.org".parse().expect("jid");
        let bob: BareJid = "bob@example.org".parse().expect("jid");
        let iq = affiliation_change("a1".into(), &room, &bob, Affiliation::Outcast, Some("spam"));
        let xml = String::from(&Element::from(iq));
        assert!(
            xml.contains("affiliation='outcast'") || xml.contains("affiliation=\"outcast\""),
            "{xml}"
        );
        assert!(xml.contains("bob@example.org"), "{xml}");
        assert!(xml.contains("<reason>spam</reason>"), "{xml}");
    }
}
