//! Pure conversions for people's profiles: vCards (XEP-0054) read into labelled lines, our own
//! vCard's nickname changed without losing what other clients put in it, and avatars
//! (XEP-0084, with the vCard photo of XEP-0153 as fallback) checked before anything keeps them.

use crate::model::{Profile, ProfileEntry};
use sha1::{Digest, Sha1};
use tokio_xmpp::jid::BareJid;
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::avatar::{Data, Metadata};
use tokio_xmpp::parsers::message::Message;
use tokio_xmpp::parsers::ns;
use tokio_xmpp::parsers::presence::Presence;
use tokio_xmpp::parsers::pubsub::event::{Event as PubSubEvent, Payload as PubSubPayload};
use tokio_xmpp::parsers::vcard::VCard;
use tokio_xmpp::parsers::vcard_update::VCardUpdate;

/// Avatars are small pictures (XEP-0084 §4.1 suggests well under 100 KiB); anything larger
/// is not fetched, and data larger than this is dropped unread.
pub const MAX_AVATAR_BYTES: usize = 1024 * 1024;

/// What a contact's avatar notification says.
#[derive(Debug, PartialEq, Eq)]
pub enum AvatarNotice {
    /// Their avatar is the picture with this SHA-1, stored in their `urn:xmpp:avatar:data` node.
    Picture { hash: String, bytes: usize },
    /// They removed their avatar (XEP-0084 §4.2: empty metadata).
    Removed,
}

/// The XEP-0084 metadata notification in `message`, with whose avatar it is. A PEP service
/// is the user's bare JID, so a notification from a full JID is nobody's avatar.
pub fn avatar_notice(message: &Message) -> Option<(BareJid, AvatarNotice)> {
    let from = message.from.as_ref()?;
    if from.resource().is_some() || from.node().is_none() {
        return None;
    }
    let event = message.payloads.iter().find(|p| p.is("event", ns::PUBSUB_EVENT))?;
    let PubSubPayload::Items { node, published, .. } =
        PubSubEvent::try_from(event.clone()).ok()?.payload
    else {
        return None;
    };
    if node.0 != ns::AVATAR_METADATA {
        return None;
    }
    let notice = metadata_notice(published.into_iter().last()?.payload?)?;
    Some((from.to_bare(), notice))
}

/// What one item of a `urn:xmpp:avatar:metadata` node says, pushed or asked for.
pub fn metadata_notice(payload: Element) -> Option<AvatarNotice> {
    if !ids_are_sha1_hex(&payload) {
        return None;
    }
    let metadata = Metadata::try_from(payload).ok()?;
    // The picture that is in the data node: an `info` without a URL (§4.2); PNG is the
    // format everyone must offer, so prefer it.
    let stored = metadata.infos.iter().filter(|i| i.url.is_none());
    let info = stored.clone().find(|i| i.type_ == "image/png").or_else(|| stored.clone().next());
    match (info, metadata.infos.is_empty()) {
        (Some(info), _) => {
            Some(AvatarNotice::Picture { hash: info.id.to_hex(), bytes: info.bytes as usize })
        }
        (None, true) => Some(AvatarNotice::Removed),
        (None, false) => None,
    }
}

/// Whether every `info` in avatar metadata has an id of 40 hex digits, the SHA-1 XEP-0084
/// §4.2.1 asks for. xmpp-parsers 0.23 reads an id two bytes at a time and panics when a
/// character wider than a byte straddles a pair (found by fuzzing: one notification from a
/// contact took the session down), so anything else is refused before it parses.
fn ids_are_sha1_hex(metadata: &Element) -> bool {
    metadata.children().filter(|child| child.name() == "info").all(|info| {
        info.attr("id")
            .is_some_and(|id| id.len() == 40 && id.bytes().all(|b| b.is_ascii_hexdigit()))
    })
}

/// The photo hash a contact's presence advertises (XEP-0153 §4.3), if any.
pub fn vcard_photo_hint(presence: &Presence) -> Option<(BareJid, String)> {
    let from = presence.from.as_ref()?.to_bare();
    let update = presence.payloads.iter().find(|p| p.is("x", ns::VCARD_UPDATE))?;
    let hash = VCardUpdate::try_from(update.clone()).ok()?.photo?.data?;
    Some((from, hex(&hash)))
}

/// The bytes of a published avatar, if they are what the metadata promised.
pub fn avatar_data(item_payload: Option<Element>, hash: &str) -> Result<Vec<u8>, String> {
    let data = item_payload
        .and_then(|p| Data::try_from(p).ok())
        .ok_or("the avatar data is missing or malformed")?
        .data;
    checked(data, hash)
}

/// The photo in a vCard, if it is the one the presence advertised.
pub fn vcard_photo(vcard: Option<Element>, hash: &str) -> Result<Vec<u8>, String> {
    let photo = vcard
        .and_then(|v| VCard::try_from(v).ok())
        .and_then(|v| v.photo)
        .ok_or("the vCard has no photo")?;
    checked(photo.binval.data, hash)
}

fn checked(bytes: Vec<u8>, hash: &str) -> Result<Vec<u8>, String> {
    if bytes.len() > MAX_AVATAR_BYTES {
        return Err(format!("the avatar is {} bytes, more than avatars may be", bytes.len()));
    }
    let actual = hex(&Sha1::digest(&bytes));
    if actual != hash {
        return Err(format!("the avatar's bytes hash to {actual}, not the advertised {hash}"));
    }
    Ok(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A vCard is someone else's text: lines are capped so a hostile one can't flood the window.
const MAX_ENTRIES: usize = 40;
const MAX_VALUE_CHARS: usize = 2000;

/// The lines worth showing, in the order people expect them.
pub fn profile_from_vcard(vcard: &Element) -> Profile {
    let mut entries = Vec::new();
    let mut push = |label: &'static str, value: Option<String>| {
        if let Some(value) = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
            && entries.len() < MAX_ENTRIES
        {
            entries
                .push(ProfileEntry { label, value: value.chars().take(MAX_VALUE_CHARS).collect() });
        }
    };
    push("Name", text(vcard, "FN").or_else(|| structured_name(vcard)));
    push("Nickname", text(vcard, "NICKNAME"));
    for email in children(vcard, "EMAIL") {
        push("Email", text(email, "USERID"));
    }
    for phone in children(vcard, "TEL") {
        push("Phone", text(phone, "NUMBER"));
    }
    push("Chat address", text(vcard, "JABBERID"));
    push("Organization", vcard.get_child("ORG", ns::VCARD).and_then(|org| text(org, "ORGNAME")));
    push("Title", text(vcard, "TITLE"));
    push("Role", text(vcard, "ROLE"));
    for url in children(vcard, "URL") {
        push("Website", Some(url.text()));
    }
    push("Birthday", text(vcard, "BDAY"));
    for address in children(vcard, "ADR") {
        let parts: Vec<String> = ["STREET", "LOCALITY", "REGION", "PCODE", "CTRY"]
            .iter()
            .filter_map(|p| text(address, p))
            .collect();
        push("Address", (!parts.is_empty()).then(|| parts.join(", ")));
    }
    push("About", text(vcard, "DESC"));
    Profile { entries }
}

fn children<'a>(vcard: &'a Element, name: &'a str) -> impl Iterator<Item = &'a Element> {
    vcard.children().filter(move |c| c.is(name, ns::VCARD))
}

fn text(parent: &Element, name: &str) -> Option<String> {
    parent.get_child(name, ns::VCARD).map(Element::text).filter(|t| !t.trim().is_empty())
}

fn structured_name(vcard: &Element) -> Option<String> {
    let n = vcard.get_child("N", ns::VCARD)?;
    let parts: Vec<String> = ["PREFIX", "GIVEN", "MIDDLE", "FAMILY", "SUFFIX"]
        .iter()
        .filter_map(|p| text(n, p).map(|t| t.trim().to_owned()))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// Our vCard with its NICKNAME set to `nickname` (removed when empty); every other field, the
/// photo included, is kept as the server had it.
pub fn with_nickname(vcard: Option<Element>, nickname: &str) -> Element {
    let mut builder = Element::builder("vCard", ns::VCARD);
    if let Some(vcard) = vcard {
        for child in vcard.children().filter(|c| !c.is("NICKNAME", ns::VCARD)) {
            builder = builder.append(child.clone());
        }
    }
    let nickname = nickname.trim();
    if !nickname.is_empty() {
        builder = builder.append(Element::builder("NICKNAME", ns::VCARD).append(nickname));
    }
    builder.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vcard(xml: &str) -> Element {
        xml.parse().expect("test vCard parses")
    }

    fn notice(xml: &str) -> Option<(BareJid, AvatarNotice)> {
        let element: Element = xml.parse().expect("test XML parses");
        avatar_notice(&Message::try_from(element).expect("a message"))
    }

    const HASH: &str = "da39a3ee5e6b4b0d3255bfef95601890afd80709";

    fn metadata(from: &str, infos: &str) -> String {
        format!(
            "<message xmlns='jabber:client' from='{from}' to='me@example.org'>\
             <event xmlns='http://jabber.org/protocol/pubsub#event'>\
             <items node='urn:xmpp:avatar:metadata'><item id='{HASH}'>\
             <metadata xmlns='urn:xmpp:avatar:metadata'>{infos}</metadata>\
             </item></items></event></message>"
        )
    }

    #[test]
    fn an_avatar_notification_names_the_png_in_the_data_node() {
        let infos = format!(
            "<info bytes='9' id='{}' type='image/jpeg'/><info bytes='12' id='{HASH}' type='image/png'/>\
             <info bytes='99' id='{}' type='image/png' url='https://example.org/a.png'/>",
            "1".repeat(40),
            "2".repeat(40)
        );
        let (from, said) = notice(&metadata("juliet@example.org", &infos)).expect("a notice");
        assert_eq!(from.as_str(), "juliet@example.org");
        assert_eq!(said, AvatarNotice::Picture { hash: HASH.into(), bytes: 12 });
        let removed = notice(&metadata("juliet@example.org", "")).expect("a notice");
        assert_eq!(removed.1, AvatarNotice::Removed);
    }

    #[test]
    fn an_avatar_id_that_is_not_hex_is_refused_without_a_panic() {
        let wide = format!(
            "<info bytes='9' id='{}ο{}' type='image/png'/>",
            "1".repeat(17),
            "2".repeat(21)
        );
        assert_eq!(notice(&metadata("juliet@example.org", &wide)), None);
        let short = "<info bytes='9' id='abc' type='image/png'/>";
        assert_eq!(notice(&metadata("juliet@example.org", short)), None);
    }

    #[test]
    fn only_a_bare_jid_speaks_for_an_avatar() {
        let info = format!("<info bytes='0' id='{HASH}' type='image/png'/>");
        assert_eq!(notice(&metadata("juliet@example.org/phone", &info)), None);
        assert_eq!(notice(&metadata("example.org", &info)), None);
    }

    #[test]
    fn avatar_bytes_must_match_their_hash_and_size() {
        let data = |bytes: &[u8]| Some(Element::from(Data { data: bytes.to_vec() }));
        assert_eq!(avatar_data(data(b""), HASH), Ok(Vec::new()), "SHA-1 of nothing");
        assert!(avatar_data(data(b"x"), HASH).is_err(), "a picture that is not the one announced");
        let huge = vec![0u8; MAX_AVATAR_BYTES + 1];
        let hash = hex(&Sha1::digest(&huge));
        assert!(avatar_data(data(&huge), &hash).is_err(), "too big even when genuine");
        assert!(avatar_data(None, HASH).is_err());
    }

    #[test]
    fn reads_the_lines_people_fill_in() {
        let card = vcard(
            "<vCard xmlns='vcard-temp'><N><GIVEN>Juliet</GIVEN><FAMILY>Capulet</FAMILY></N>\
             <NICKNAME>Jul</NICKNAME><EMAIL><INTERNET/><USERID>jc@example.com</USERID></EMAIL>\
             <ORG><ORGNAME>House Capulet</ORGNAME></ORG><URL>https://example.com</URL>\
             <ADR><LOCALITY>Verona</LOCALITY><CTRY>Italy</CTRY></ADR><DESC>  </DESC></vCard>",
        );
        let profile = profile_from_vcard(&card);
        assert_eq!(profile.value("Name"), Some("Juliet Capulet"));
        assert_eq!(profile.value("Nickname"), Some("Jul"));
        assert_eq!(profile.value("Email"), Some("jc@example.com"));
        assert_eq!(profile.value("Organization"), Some("House Capulet"));
        assert_eq!(profile.value("Website"), Some("https://example.com"));
        assert_eq!(profile.value("Address"), Some("Verona, Italy"));
        assert_eq!(profile.value("About"), None, "blank fields are left out");
    }

    #[test]
    fn a_hostile_vcard_is_capped() {
        let many: String = (0..500).map(|_| "<URL>https://x.example</URL>").collect();
        let long = "x".repeat(100_000);
        let card = vcard(&format!("<vCard xmlns='vcard-temp'><FN>{long}</FN>{many}</vCard>"));
        let profile = profile_from_vcard(&card);
        assert_eq!(profile.entries.len(), MAX_ENTRIES);
        assert_eq!(profile.value("Name").map(|n| n.chars().count()), Some(MAX_VALUE_CHARS));
    }

    #[test]
    fn setting_the_nickname_keeps_the_rest() {
        let card = vcard(
            "<vCard xmlns='vcard-temp'><FN>Juliet</FN><NICKNAME>old</NICKNAME>\
             <PHOTO><TYPE>image/png</TYPE><BINVAL>AAAA</BINVAL></PHOTO></vCard>",
        );
        let updated = with_nickname(Some(card), " Jules ");
        let profile = profile_from_vcard(&updated);
        assert_eq!(profile.value("Nickname"), Some("Jules"));
        assert_eq!(profile.value("Name"), Some("Juliet"));
        assert!(updated.get_child("PHOTO", ns::VCARD).is_some());
        assert_eq!(updated.children().filter(|c| c.is("NICKNAME", ns::VCARD)).count(), 1);
        let cleared = with_nickname(Some(updated), "");
        assert_eq!(profile_from_vcard(&cleared).value("Nickname"), None);
        assert_eq!(profile_from_vcard(&with_nickname(None, "New")).value("Nickname"), Some("New"));
    }
}
