//! Contacts and presence in stanzas: roster pushes (believed only from our own account),
//! roster items as contacts, presence updates, and the roster and subscription stanzas we
//! send. Pure conversions, tested over XML.

use crate::model::{Contact, Presence, PresenceShow, Subscription};
use tokio_xmpp::jid::{BareJid, Jid};
use tokio_xmpp::parsers::presence::{self, Presence as XmppPresence, Show};
use tokio_xmpp::parsers::roster::{self, Roster};

/// What an available presence's `<show/>` says (none: simply online).
pub fn show_of(show: Option<&Show>) -> PresenceShow {
    match show {
        None => PresenceShow::Online,
        Some(Show::Chat) => PresenceShow::Chat,
        Some(Show::Away) => PresenceShow::Away,
        Some(Show::Dnd) => PresenceShow::Dnd,
        Some(Show::Xa) => PresenceShow::Xa,
    }
}

/// RFC 6121 §2.1.6: a roster push is only legitimate from our own account (no `from`, or our
/// bare JID). Anything else could rewrite our contact list.
pub fn roster_push_allowed(from: Option<&Jid>, own: &BareJid) -> bool {
    match from {
        None => true,
        Some(jid) => jid.to_bare() == *own && jid.resource().is_none(),
    }
}

/// One roster item as a contact; `None` for a removal.
pub fn roster_contact(item: roster::Item) -> Option<Contact> {
    let subscription = match item.subscription {
        roster::Subscription::Remove => return None,
        roster::Subscription::None => Subscription::None,
        roster::Subscription::To => Subscription::To,
        roster::Subscription::From => Subscription::From,
        roster::Subscription::Both => Subscription::Both,
    };
    Some(Contact {
        jid: item.jid.to_string(),
        name: item.name.filter(|n| !n.is_empty()),
        subscription,
        ask_subscribe: matches!(item.ask, roster::Ask::Subscribe),
        groups: item.groups.into_iter().map(|g| g.0).collect(),
        presence: Presence::offline(),
        avatar: None,
    })
}

pub fn roster_contacts(roster: Roster) -> Vec<Contact> {
    roster.items.into_iter().filter_map(roster_contact).collect()
}

/// A contact's availability change, per resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresenceUpdate {
    pub from: BareJid,
    pub resource: String,
    /// `None` when this resource went offline.
    pub presence: Option<Presence>,
    pub priority: i8,
}

/// Availability and unavailability; subscription requests and errors are other matters.
pub fn presence_update(presence: XmppPresence) -> Option<PresenceUpdate> {
    let from = presence.from.clone()?;
    let resource = from.resource().map(|r| r.as_str().to_owned()).unwrap_or_default();
    let status = presence.statuses.values().next().cloned().filter(|s| !s.is_empty());
    let presence_value = match presence.type_ {
        presence::Type::None => Some(Presence { show: show_of(presence.show.as_ref()), status }),
        presence::Type::Unavailable => None,
        _ => return None,
    };
    Some(PresenceUpdate {
        from: from.to_bare(),
        resource,
        presence: presence_value,
        priority: presence.priority.0,
    })
}

/// A roster set that adds or changes one item.
pub fn roster_item(jid: &BareJid, name: Option<&str>, groups: &[String]) -> Roster {
    Roster {
        ver: None,
        items: vec![roster::Item {
            jid: jid.clone(),
            name: name.filter(|n| !n.trim().is_empty()).map(|n| n.trim().to_owned()),
            subscription: roster::Subscription::None,
            ask: roster::Ask::None,
            groups: groups
                .iter()
                .map(|g| g.trim())
                .filter(|g| !g.is_empty())
                .map(|g| roster::Group(g.to_owned()))
                .collect(),
            approved: None,
        }],
    }
}

/// A roster set that removes one item (RFC 6121 §2.5).
pub fn roster_removal(jid: &BareJid) -> Roster {
    let mut roster = roster_item(jid, None, &[]);
    for item in &mut roster.items {
        item.subscription = roster::Subscription::Remove;
    }
    roster
}

/// A subscription-management presence (subscribe, subscribed, unsubscribed …) to a bare JID.
pub fn subscription_presence(type_: presence::Type, to: &BareJid) -> XmppPresence {
    XmppPresence::new(type_).with_to(Jid::from(to.clone()))
}

/// Our own availability as a presence stanza.
pub fn own_presence(presence: &Presence) -> XmppPresence {
    let show = match presence.show {
        PresenceShow::Online | PresenceShow::Offline => None,
        PresenceShow::Chat => Some(Show::Chat),
        PresenceShow::Away => Some(Show::Away),
        PresenceShow::Dnd => Some(Show::Dnd),
        PresenceShow::Xa => Some(Show::Xa),
    };
    let mut stanza = XmppPresence::available();
    stanza.show = show;
    if let Some(status) = presence.status.as_deref().filter(|s| !s.is_empty()) {
        stanza.set_status(String::new(), status.to_owned());
    }
    stanza
}

/// Someone asks to see our presence (RFC 6121 §3.1.3). Only user accounts can ask.
pub fn subscription_request(presence: &XmppPresence) -> Option<BareJid> {
    if presence.type_ != presence::Type::Subscribe {
        return None;
    }
    let from = presence.from.as_ref()?.to_bare();
    from.node().is_some().then_some(from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;
    use tokio_xmpp::minidom::Element;

    fn own() -> BareJid {
        BareJid::new("me@example.org").expect("valid")
    }

    #[test]
    fn roster_pushes_only_from_our_own_account() {
        let own = own();
        assert!(roster_push_allowed(None, &own));
        assert!(roster_push_allowed(Some(&Jid::new("me@example.org").expect("jid")), &own));
        assert!(!roster_push_allowed(Some(&Jid::new("mallory@example.org").expect("jid")), &own));
        assert!(!roster_push_allowed(Some(&Jid::new("example.org").expect("jid")), &own));
    }

    #[test]
    fn roster_items_become_contacts_and_removals_vanish() {
        let element = Element::from_str(
            "<query xmlns='jabber:iq:roster' ver='v1'>
               <item jid='bob@example.org' name='Bob' subscription='both'><group>Friends</group></item>
               <item jid='carol@example.org' subscription='none' ask='subscribe'/>
               <item jid='dave@example.org' subscription='remove'/>
             </query>",
        )
        .expect("xml");
        let contacts = roster_contacts(Roster::try_from(element).expect("roster"));
        assert_eq!(contacts.len(), 2);
        assert_eq!(contacts[0].display_name(), "Bob");
        assert_eq!(contacts[0].groups, ["Friends"]);
        assert_eq!(contacts[0].subscription, Subscription::Both);
        assert!(contacts[1].ask_subscribe);
        assert_eq!(contacts[1].display_name(), "carol@example.org");
    }

    #[test]
    fn presence_show_status_and_unavailable() {
        let element = Element::from_str(
            "<presence xmlns='jabber:client' from='bob@example.org/phone'>
               <show>away</show><status>at lunch</status><priority>5</priority></presence>",
        )
        .expect("xml");
        let update =
            presence_update(XmppPresence::try_from(element).expect("presence")).expect("update");
        assert_eq!(update.resource, "phone");
        assert_eq!(update.priority, 5);
        assert_eq!(
            update.presence,
            Some(Presence { show: PresenceShow::Away, status: Some("at lunch".into()) })
        );
        let gone = Element::from_str(
            "<presence xmlns='jabber:client' from='bob@example.org/phone' type='unavailable'/>",
        )
        .expect("xml");
        let update =
            presence_update(XmppPresence::try_from(gone).expect("presence")).expect("update");
        assert_eq!(update.presence, None);
    }
}
