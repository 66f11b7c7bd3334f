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
/// Items asked for at a time from an entity that pages its lists (XEP-0059).
pub const PAGE: usize = 100;
/// A page cursor is the entity's own string, sent back as it is: a longer one is not.
const MAX_CURSOR: usize = 256;

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

/// A list, or one page of it. An entity that pages says where the page ends (`last`) and,
/// perhaps, how many there are and where the page began; the list goes on if the count says
/// so or, without a count, if the page was full.
pub fn items(answer: DiscoItemsResult) -> Discovered {
    let given = answer.items.len();
    let next = answer.rsm.as_ref().and_then(|set| {
        let last = set.last.as_ref().filter(|last| !last.is_empty() && last.len() <= MAX_CURSOR)?;
        let start = set.first.as_ref().and_then(|first| first.index).unwrap_or(0);
        let goes_on = match set.count {
            Some(count) => start.saturating_add(given) < count,
            None => given >= PAGE,
        };
        goes_on.then(|| last.clone())
    });
    let more = given > MAX_ITEMS || next.is_some();
    let items = answer.items.into_iter().take(MAX_ITEMS).map(|item| EntityItem {
        jid: item.jid.to_string(),
        node: item.node,
        name: item.name,
    });
    Discovered::Items { items: items.collect(), more, next }
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
        let Discovered::Items { items, more, next } = items(answer) else { panic!("items") };
        assert_eq!(items.len(), MAX_ITEMS);
        assert!(more);
        assert_eq!(next, None, "an entity that does not page gives no cursor");
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

    fn page(rsm: &str, count: usize) -> Discovered {
        let listed: String =
            (0..count).map(|i| format!("<item jid='room{i}@rooms.example.org'/>")).collect();
        items(parse(&format!(
            "<query xmlns='http://jabber.org/protocol/disco#items'>{listed}\
               <set xmlns='http://jabber.org/protocol/rsm'>{rsm}</set></query>"
        )))
    }

    fn cursor(found: Discovered) -> Option<String> {
        let Discovered::Items { next, more, .. } = found else { panic!("items") };
        assert_eq!(more, next.is_some());
        next
    }

    #[test]
    fn a_paged_list_says_where_its_next_page_starts_and_when_it_ends() {
        let counted = "<first index='0'>room0@rooms.example.org</first>\
                       <last>room99@rooms.example.org</last><count>250</count>";
        assert_eq!(cursor(page(counted, PAGE)).as_deref(), Some("room99@rooms.example.org"));
        let last_page = "<first index='200'>a</first><last>z</last><count>250</count>";
        assert_eq!(cursor(page(last_page, 50)), None, "200 + 50 of 250: the end");
        assert_eq!(cursor(page("<last>z</last>", PAGE)).as_deref(), Some("z"), "full, uncounted");
        assert_eq!(cursor(page("<last>z</last>", 7)), None, "a short page ends the list");
        let long = format!("<last>{}</last><count>9999</count>", "x".repeat(MAX_CURSOR + 1));
        assert_eq!(cursor(page(&long, 3)), None, "an oversized cursor is not sent back");
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
