//! Service discovery (XEP-0030) both ways: what we tell others we support, with its entity
//! capabilities hashes (XEP-0115, and XEP-0390's SHA-256 one) in our presence, and what we
//! learn of our server's services.

use crate::model::{Services, UploadService};
use tokio_xmpp::parsers::caps::{self, Caps};
use tokio_xmpp::parsers::disco::{DiscoInfoResult, Identity};
use tokio_xmpp::parsers::ecaps2::{self, ECaps2};
use tokio_xmpp::parsers::hashes::Algo;
use tokio_xmpp::parsers::ns;

/// Names our software in the caps `node` (XEP-0115 §4: a URI for the product).
pub const CAPS_NODE: &str = "https://confab.im";

/// XEP-0186 invisible command.
const INVISIBLE: &str = "urn:xmpp:invisible:0";

/// Only what Confab really does: `+notify` features make the server push those PEP nodes.
const FEATURES: &[&str] = &[
    ns::DISCO_INFO,
    ns::CAPS,
    ns::ECAPS2,
    ns::PING,
    ns::VERSION,
    ns::TIME,
    "jabber:iq:last",
    "urn:xmpp:avatar:metadata+notify",
    "http://jabber.org/protocol/nick+notify",
    "urn:xmpp:bookmarks:1+notify",
    ns::MUC,
    // XEP-0424 §2: a client that honours retractions says so.
    super::retraction::RETRACT,
    // XEP-0444 §2: a client that shows reactions says so.
    super::reactions::REACTIONS,
    // XEP-0461 §2: replies are shown as such, their quote taken from the fallback.
    super::reply::REPLY,
    // XEP-0393 §5: message styling is shown.
    "urn:xmpp:styling:0",
];

/// Our answer to a disco#info request, echoing the node asked about (XEP-0115 §6.2).
pub fn own_info(node: Option<String>) -> DiscoInfoResult {
    DiscoInfoResult {
        node,
        identities: vec![Identity::new("client", "pc", "en", "Confab")],
        features: FEATURES.iter().map(|f| (*f).to_owned()).collect(),
        extensions: Vec::new(),
    }
}

/// The capabilities element for our presence.
pub fn own_caps() -> Option<Caps> {
    let hash = caps::hash_caps(&caps::compute_disco(&own_info(None)), Algo::Sha_1).ok()?;
    Some(Caps::new(CAPS_NODE, hash))
}

/// The XEP-0390 capabilities element for our presence: one SHA-256 hash. A disco#info query
/// for its node (`urn:xmpp:caps#sha-256.…`) is answered like any other, the node echoed.
pub fn own_ecaps2() -> Option<ECaps2> {
    let data = ecaps2::compute_disco(&own_info(None)).ok()?;
    Some(ECaps2::new(vec![ecaps2::hash_ecaps2(&data, Algo::Sha_256).ok()?]))
}

/// Fold one disco#info answer from the server or one of its services into `services`.
pub fn learn(services: &mut Services, from: &str, is_server: bool, info: &DiscoInfoResult) {
    if is_server && info.features.contains(INVISIBLE) {
        services.invisible = true;
    }
    let is_conference =
        info.identities.iter().any(|i| i.category == "conference" && i.type_ == "text")
            && info.features.contains(ns::MUC);
    if is_conference && !services.conference.iter().any(|s| s == from) {
        services.conference.push(from.to_owned());
        services.conference.sort();
    }
    // The first upload service found is used; a server rarely has two.
    if services.upload.is_none() && info.features.contains(ns::HTTP_UPLOAD) {
        services.upload = Some(UploadService { jid: from.to_owned(), max_size: max_upload(info) });
    }
}

/// XEP-0363 §2: the size limit is a field of the service's extended information.
fn max_upload(info: &DiscoInfoResult) -> Option<u64> {
    info.extensions
        .iter()
        .filter(|form| form.form_type() == Some(ns::HTTP_UPLOAD))
        .flat_map(|form| &form.fields)
        .find(|field| field.var.as_deref() == Some("max-file-size"))
        .and_then(|field| field.values.first())
        .and_then(|value| value.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_xmpp::minidom::Element;

    fn info(xml: &str) -> DiscoInfoResult {
        let element: Element = xml.parse().expect("test XML parses");
        DiscoInfoResult::try_from(element).expect("a disco#info result")
    }

    #[test]
    fn finds_the_upload_service_and_its_limit() {
        let mut services = Services::default();
        let upload = info(
            "<query xmlns='http://jabber.org/protocol/disco#info'>\
             <identity category='store' type='file' name='Uploads'/>\
             <feature var='urn:xmpp:http:upload:0'/>\
             <x type='result' xmlns='jabber:x:data'>\
             <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:http:upload:0</value></field>\
             <field var='max-file-size'><value>5242880</value></field></x></query>",
        );
        learn(&mut services, "upload.example", false, &upload);
        let found = services.upload.expect("upload service");
        assert_eq!(found.jid, "upload.example");
        assert_eq!(found.max_size, Some(5_242_880));
    }

    #[test]
    fn an_upload_service_without_a_limit_has_none() {
        let mut services = Services::default();
        let upload = info(
            "<query xmlns='http://jabber.org/protocol/disco#info'>\
             <feature var='urn:xmpp:http:upload:0'/></query>",
        );
        learn(&mut services, "upload.example", false, &upload);
        assert_eq!(services.upload.and_then(|u| u.max_size), None);
    }

    #[test]
    fn our_caps_hash_matches_what_we_answer() {
        let caps = own_caps().expect("caps");
        let answer = own_info(None);
        let again = caps::hash_caps(&caps::compute_disco(&answer), Algo::Sha_1).expect("hash");
        assert_eq!(caps.ver, again.hash);
        assert!(answer.features.contains("urn:xmpp:avatar:metadata+notify"));
        let ecaps = own_ecaps2().expect("ecaps2");
        let data = ecaps2::compute_disco(&answer).expect("ecaps2 input");
        let again = ecaps2::hash_ecaps2(&data, Algo::Sha_256).expect("hash");
        assert_eq!(ecaps.hashes, [again]);
        assert!(answer.features.contains(ns::ECAPS2));
    }

    #[test]
    fn finds_conference_services_and_invisibility() {
        let mut services = Services::default();
        let muc = info(
            "<query xmlns='http://jabber.org/protocol/disco#info'>\
             <identity category='conference' type='text' name='Rooms'/>\
             <feature var='http://jabber.org/protocol/muc'/></query>",
        );
        let upload = info(
            "<query xmlns='http://jabber.org/protocol/disco#info'>\
             <identity category='store' type='file'/><feature var='urn:xmpp:http:upload:0'/></query>",
        );
        learn(&mut services, "rooms.example", false, &muc);
        learn(&mut services, "rooms.example", false, &muc);
        learn(&mut services, "upload.example", false, &upload);
        assert_eq!(services.conference, vec!["rooms.example".to_owned()]);
        assert!(!services.invisible);
        let server = info(
            "<query xmlns='http://jabber.org/protocol/disco#info'>\
             <identity category='server' type='im'/><feature var='urn:xmpp:invisible:0'/></query>",
        );
        learn(&mut services, "example", true, &server);
        assert!(services.invisible);
    }
}
