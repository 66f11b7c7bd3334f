//! Readable names for the features entities announce most: the raw namespace stays on hover,
//! and one Confab has no name for is shown as it is, those sharing a namespace before `#`
//! (publish-subscribe announces thirty) on one line.

use std::collections::BTreeMap;

/// One line of the features as shown.
#[derive(Debug, PartialEq)]
pub struct Line {
    pub words: String,
    /// The namespace behind it, shown on hover.
    pub raw: String,
    /// Confab knows its name (else it is the namespace itself, shown quieter).
    pub named: bool,
}

/// The features as lines: the named ones by name, then the rest, grouped by namespace.
pub fn lines(features: &[String]) -> Vec<Line> {
    let mut named = Vec::new();
    let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut plain = Vec::new();
    for feature in features {
        match (name(feature), feature.split_once('#')) {
            (Some(words), _) => {
                named.push(Line { words: words.to_owned(), raw: feature.clone(), named: true })
            }
            (None, Some((base, fragment))) if !fragment.is_empty() => {
                groups.entry(base).or_default().push(fragment);
            }
            (None, _) => {
                plain.push(Line { words: feature.clone(), raw: feature.clone(), named: false })
            }
        }
    }
    named.sort_by(|a, b| a.words.cmp(&b.words));
    let grouped = groups.into_iter().map(|(base, fragments)| Line {
        words: format!("{}: {}", name(base).unwrap_or(base), fragments.join(", ")),
        raw: format!("{base}#…"),
        named: name(base).is_some(),
    });
    named.into_iter().chain(grouped).chain(plain).collect()
}

/// The name of a well-known feature, if it has one.
pub fn name(feature: &str) -> Option<&'static str> {
    let name = match feature {
        "http://jabber.org/protocol/disco#info" => "Service discovery: information",
        "http://jabber.org/protocol/disco#items" => "Service discovery: items",
        "http://jabber.org/protocol/commands" => "Ad-hoc commands",
        "http://jabber.org/protocol/muc" => "Multi-user chat",
        "http://jabber.org/protocol/muc#unique" => "Unique room names",
        "http://jabber.org/protocol/muc#stable_id" => "Stable message ids in rooms",
        "http://jabber.org/protocol/muc#self-ping-optimization" => "Room self-ping",
        "http://jabber.org/protocol/caps" => "Entity capabilities",
        "http://jabber.org/protocol/chatstates" => "Typing notifications",
        "http://jabber.org/protocol/pubsub" => "Publish-subscribe",
        "http://jabber.org/protocol/pubsub#publish" => "Publish-subscribe: publishing",
        "http://jabber.org/protocol/rsm" => "Result set paging",
        "http://jabber.org/protocol/xhtml-im" => "Formatted messages (XHTML-IM)",
        "http://jabber.org/protocol/bytestreams" => "SOCKS5 file transfer",
        "http://jabber.org/protocol/ibb" => "In-band file transfer",
        "http://jabber.org/protocol/si" => "Stream initiation",
        "http://jabber.org/protocol/nick" => "User nickname",
        "http://jabber.org/protocol/nick+notify" => "User nickname updates",
        "http://jabber.org/protocol/address" => "Extended addressing",
        "http://jabber.org/protocol/offline" => "Offline message retrieval",
        "http://jabber.org/protocol/amp" => "Advanced message processing",
        "jabber:iq:register" => "In-band registration",
        "jabber:iq:roster" => "Contact list",
        "jabber:iq:private" => "Private XML storage",
        "jabber:iq:privacy" => "Privacy lists",
        "jabber:iq:version" => "Software version",
        "jabber:iq:last" => "Last activity",
        "jabber:iq:search" => "User directory search",
        "jabber:iq:oob" => "Out-of-band data",
        "jabber:x:data" => "Data forms",
        "jabber:x:conference" => "Direct room invitations",
        "jabber:x:oob" => "Out-of-band file links",
        "vcard-temp" => "Profiles (vCard)",
        "urn:ietf:params:xml:ns:vcard-4.0" => "Profiles (vCard4)",
        "urn:xmpp:ping" => "Ping",
        "urn:xmpp:time" => "Entity time",
        "urn:xmpp:receipts" => "Delivery receipts",
        "urn:xmpp:chat-markers:0" => "Read markers",
        "urn:xmpp:carbons:2" => "Message carbons (copies to your other devices)",
        "urn:xmpp:mam:2" => "Message archive",
        "urn:xmpp:mam:2#extended" => "Message archive: extended queries",
        "urn:xmpp:sid:0" => "Stable message ids",
        "urn:xmpp:blocking" => "Blocking",
        "urn:xmpp:http:upload:0" => "File upload (HTTP)",
        "urn:xmpp:bookmarks:1" => "Bookmarks",
        "urn:xmpp:avatar:metadata" => "Avatars",
        "urn:xmpp:avatar:metadata+notify" => "Avatar updates",
        "urn:xmpp:message-correct:0" => "Message correction",
        "urn:xmpp:reactions:0" => "Reactions",
        "urn:xmpp:message-retract:1" => "Message retraction",
        "urn:xmpp:hints" => "Message processing hints",
        "urn:xmpp:invisible:0" => "Invisibility",
        "urn:xmpp:sm:3" => "Stream management",
        "urn:xmpp:csi:0" => "Client state indication",
        "urn:xmpp:push:0" => "Push notifications",
        "urn:xmpp:occupant-id:0" => "Occupant ids",
        "urn:xmpp:jingle:1" => "Jingle (calls and file transfer)",
        "urn:xmpp:jingle:apps:file-transfer:5" => "Jingle file transfer",
        "urn:xmpp:jingle:apps:rtp:1" => "Audio and video calls",
        "urn:xmpp:extdisco:2" => "External services (STUN/TURN)",
        "urn:xmpp:omemo:2" => "OMEMO encryption",
        "eu.siacs.conversations.axolotl.devicelist+notify" => "OMEMO encryption (legacy)",
        "msgoffline" => "Stores messages while you are offline",
        "muc_public" => "Public room",
        "muc_hidden" => "Hidden room",
        "muc_persistent" => "Persistent room",
        "muc_temporary" => "Temporary room",
        "muc_open" => "Open room (anyone may join)",
        "muc_membersonly" => "Members-only room",
        "muc_moderated" => "Moderated room",
        "muc_unmoderated" => "Unmoderated room",
        "muc_passwordprotected" => "Password-protected room",
        "muc_unsecured" => "No password needed",
        "muc_nonanonymous" => "Everyone's address visible",
        "muc_semianonymous" => "Addresses visible to moderators",
        "iq" => "Info/query",
        _ => return None,
    };
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_features_come_first_and_a_namespace_s_fragments_share_a_line() {
        let features: Vec<String> = [
            "urn:xmpp:ping",
            "http://jabber.org/protocol/pubsub#access-open",
            "urn:example:odd",
            "http://jabber.org/protocol/pubsub#auto-create",
            "http://jabber.org/protocol/disco#info",
        ]
        .map(str::to_owned)
        .to_vec();
        let shown: Vec<_> = lines(&features).into_iter().map(|l| (l.words, l.named)).collect();
        assert_eq!(
            shown,
            [
                ("Ping".to_owned(), true),
                ("Service discovery: information".to_owned(), true),
                ("Publish-subscribe: access-open, auto-create".to_owned(), true),
                ("urn:example:odd".to_owned(), false),
            ]
        );
    }
}
