//! Service discovery answers about any address (XEP-0030), turned into the model's bounded
//! lists: whatever an entity sends (a stanza holds up to 1 MiB, some 20,000 items), the window
//! and the command line get at most these many of each, and are told when a list was cut.

use crate::model::{Discovered, EntityIdentity, EntityInfo, EntityItem};
use crate::worker::data_form;
use tokio_xmpp::parsers::disco::{DiscoInfoResult, DiscoItemsResult};
use tokio_xmpp::parsers::stanza_error::{DefinedCondition, StanzaError};

const MAX_IDENTITIES: usize = 64;
const MAX_FEATURES: usize = 2_000;
const MAX_FORMS: usize = 8;
/// Items kept of one answer; a service with more is said to have more.
pub const MAX_ITEMS: usize = 1_000;

pub fn info(answer: DiscoInfoResult) -> Discovered {
    let cut = answer.identities.len() > MAX_IDENTITIES
        || answer.features.len() > MAX_FEATURES
        || answer.extensions.len() > MAX_FORMS;
    let identities = answer.identities.into_iter().take(MAX_IDENTITIES).map(|identity| {
        EntityIdentity { category: identity.category, kind: identity.type_, name: identity.name }
    });
    Discovered::Info(EntityInfo {
        identities: identities.collect(),
        features: answer.features.into_iter().take(MAX_FEATURES).collect(),
        forms: answer.extensions.into_iter().take(MAX_FORMS).map(data_form::read).collect(),
        cut,
    })
}

pub fn items(answer: DiscoItemsResult) -> Discovered {
    let more = answer.items.len() > MAX_ITEMS
        || answer.rsm.as_ref().and_then(|set| set.count).is_some_and(|n| n > MAX_ITEMS);
    let items = answer.items.into_iter().take(MAX_ITEMS).map(|item| EntityItem {
        jid: item.jid.to_string(),
        node: item.node,
        name: item.name,
    });
    Discovered::Items { items: items.collect(), more }
}

/// Why a discovery request failed, in words: the entity's own text when it gave one.
pub fn refusal(error: &StanzaError) -> String {
    if let Some(text) = error.texts.values().next().filter(|t| !t.trim().is_empty()) {
        return text.clone();
    }
    match error.defined_condition {
        DefinedCondition::ItemNotFound => "there is nothing at this address".into(),
        DefinedCondition::ServiceUnavailable | DefinedCondition::FeatureNotImplemented => {
            "it does not answer discovery requests".into()
        }
        DefinedCondition::RemoteServerNotFound => "its server could not be found".into(),
        DefinedCondition::RemoteServerTimeout => "its server did not answer in time".into(),
        DefinedCondition::Forbidden | DefinedCondition::NotAuthorized => {
            "it does not tell us".into()
        }
        ref other => format!("it refused ({other:?})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_xmpp::minidom::Element;

    fn parse<T: TryFrom<Element>>(xml: &str) -> T
    where
        T::Error: std::fmt::Debug,
    {
        T::try_from(xml.parse::<Element>().expect("xml")).expect("parsed")
    }

    #[test]
    fn an_answer_becomes_identities_features_and_forms() {
        let answer: DiscoInfoResult = parse(
            "<query xmlns='http://jabber.org/protocol/disco#info'>\
               <identity category='server' type='im' name='Prosody'/>\
               <feature var='urn:xmpp:ping'/>\
               <x xmlns='jabber:x:data' type='result'>\
                 <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/network/serverinfo</value></field>\
                 <field var='admin-addresses'><value>mailto:admin@example.org</value></field>\
               </x>\
             </query>",
        );
        let Discovered::Info(info) = info(answer) else { panic!("info") };
        assert_eq!(info.identities[0].name.as_deref(), Some("Prosody"));
        assert_eq!(info.identities[0].kind, "im");
        assert_eq!(info.features, ["urn:xmpp:ping"]);
        assert_eq!(
            info.forms[0].form_type.as_deref(),
            Some("http://jabber.org/network/serverinfo")
        );
        assert!(!info.cut);
    }

    #[test]
    fn a_flood_of_items_or_features_is_cut_and_said_to_be() {
        let many: String = (0..MAX_ITEMS + 5)
            .map(|i| format!("<item jid='room{i}@rooms.example.org'/>"))
            .collect();
        let answer: DiscoItemsResult =
            parse(&format!("<query xmlns='http://jabber.org/protocol/disco#items'>{many}</query>"));
        let Discovered::Items { items, more } = items(answer) else { panic!("items") };
        assert_eq!(items.len(), MAX_ITEMS);
        assert!(more);
        let features: String =
            (0..MAX_FEATURES + 1).map(|i| format!("<feature var='urn:x:{i}'/>")).collect();
        let answer: DiscoInfoResult = parse(&format!(
            "<query xmlns='http://jabber.org/protocol/disco#info'>\
               <identity category='client' type='pc'/>{features}</query>"
        ));
        let Discovered::Info(info) = info(answer) else { panic!("info") };
        assert_eq!(info.features.len(), MAX_FEATURES);
        assert!(info.cut);
    }

    #[test]
    fn refusals_are_told_in_words() {
        use tokio_xmpp::parsers::stanza_error::ErrorType;
        let bare = |condition| StanzaError::new(ErrorType::Cancel, condition, "en", "");
        assert_eq!(
            refusal(&bare(DefinedCondition::ItemNotFound)),
            "there is nothing at this address"
        );
        assert_eq!(
            refusal(&bare(DefinedCondition::RemoteServerNotFound)),
            "its server could not be found"
        );
        let told =
            StanzaError::new(ErrorType::Cancel, DefinedCondition::Forbidden, "en", "Go away");
        assert_eq!(refusal(&told), "Go away");
    }
}
