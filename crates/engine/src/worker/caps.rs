//! Others' entity capabilities (XEP-0115): a presence names its client's features by a hash of
//! them; one disco#info per hash tells the features, and only an answer whose own hash
//! matches the announced one is believed and remembered (for every client announcing it).

use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::caps::{self, Caps};
use tokio_xmpp::parsers::disco::{DiscoInfoQuery, DiscoInfoResult};
use tokio_xmpp::parsers::hashes::Algo;
use tokio_xmpp::parsers::ns;
use tokio_xmpp::parsers::presence::Presence;

/// No hash Confab verifies is longer (SHA-512, 64 bytes); a longer "hash" is not one.
const MAX_HASH: usize = 64;
/// A node names a client's web page; anything longer is not asked about.
const MAX_NODE: usize = 1_024;

/// What a presence announces.
#[derive(Debug, Clone, PartialEq)]
pub struct Announced {
    node: String,
    algo: Algo,
    ver: Vec<u8>,
}

impl Announced {
    /// The announcement in a presence, if it has one Confab can verify.
    pub fn read(presence: &Presence) -> Option<Self> {
        let element = presence.payloads.iter().find(|p| p.is("c", ns::CAPS))?;
        Self::from_element(element.clone())
    }

    fn from_element(element: Element) -> Option<Self> {
        let Caps { node, hash, ver, .. } = Caps::try_from(element).ok()?;
        let verifiable = !matches!(hash, Algo::Unknown(_) | Algo::Blake2b_256 | Algo::Blake2b_512);
        (verifiable && !ver.is_empty() && ver.len() <= MAX_HASH && node.len() <= MAX_NODE)
            .then_some(Self { node, algo: hash, ver })
    }

    /// The name it is remembered by: the algorithm and the hash.
    pub fn key(&self) -> String {
        let hex: String = self.ver.iter().map(|b| format!("{b:02x}")).collect();
        format!("{} {hex}", String::from(self.algo.clone()))
    }

    /// The question that tells the features behind the hash.
    pub fn query(&self) -> DiscoInfoQuery {
        let caps = Caps {
            ext: None,
            node: self.node.clone(),
            hash: self.algo.clone(),
            ver: self.ver.clone(),
        };
        caps::query_caps(caps)
    }

    /// Whether `answer` is what the hash was made of.
    pub fn verifies(&self, answer: &DiscoInfoResult) -> bool {
        caps::hash_caps(&caps::compute_disco(answer), self.algo.clone())
            .is_ok_and(|hash| hash.hash == self.ver)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_xmpp::parsers::disco::Identity;

    fn client_info() -> DiscoInfoResult {
        DiscoInfoResult {
            node: None,
            identities: vec![Identity::new("client", "pc", "en", "Exodus 0.9.1")],
            features: ["http://jabber.org/protocol/caps", "urn:xmpp:receipts"]
                .map(str::to_owned)
                .into_iter()
                .collect(),
            extensions: Vec::new(),
        }
    }

    fn announcement(ver: &[u8]) -> Element {
        let ver = data_encoding::BASE64.encode(ver);
        format!("<c xmlns='{}' hash='sha-1' node='https://example.org' ver='{ver}'/>", ns::CAPS)
            .parse()
            .expect("xml")
    }

    #[test]
    fn an_answer_is_believed_only_when_it_makes_the_announced_hash() {
        let info = client_info();
        let right = caps::hash_caps(&caps::compute_disco(&info), Algo::Sha_1).expect("hash");
        let announced = Announced::from_element(announcement(&right.hash)).expect("read");
        assert!(announced.verifies(&info));
        assert_eq!(
            announced.query().node.as_deref().map(|n| n.starts_with("https://example.org#")),
            Some(true)
        );
        let mut forged = info.clone();
        forged.features.insert("urn:xmpp:jingle:1".into());
        assert!(!announced.verifies(&forged), "a feature more makes another hash");
        assert!(announced.key().starts_with("sha-1 "));
    }

    #[test]
    fn what_cannot_be_a_hash_is_not_read() {
        assert!(Announced::from_element(announcement(&[7; 65])).is_none(), "too long");
        assert!(Announced::from_element(announcement(&[])).is_none(), "empty");
        let legacy: Element =
            format!("<c xmlns='{}' node='n' ver='1.0' ext='a b'/>", ns::CAPS).parse().expect("xml");
        assert!(Announced::from_element(legacy).is_none(), "legacy caps have no hash");
    }
}
