//! Pure conversions for people's profiles: vCards (XEP-0054) read into labelled lines, and our
//! own vCard's nickname changed without losing what other clients put in it.

use crate::model::{Profile, ProfileEntry};
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::ns;

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
