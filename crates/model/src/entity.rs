//! What service discovery (XEP-0030) tells about an address: who it is (identities), what it
//! does (features, and extended information forms, XEP-0128), and what it lists (items).
//! Read from what anyone can send, so the engine bounds each list before it gets here.

use crate::Form;

/// One `disco#info` answer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EntityInfo {
    pub identities: Vec<EntityIdentity>,
    pub features: Vec<String>,
    pub forms: Vec<Form>,
    /// Lists were longer than the bounds and were cut.
    pub cut: bool,
}

/// What an entity is, as a category and a type (`server`/`im`, `conference`/`text`, …).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EntityIdentity {
    pub category: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub name: Option<String>,
}

/// An item an entity lists: an address, maybe a node at it, maybe a name for people.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EntityItem {
    pub jid: String,
    pub node: Option<String>,
    pub name: Option<String>,
}

/// What a discovery request asks of an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiscoQuery {
    /// What it is and does (disco#info).
    Info,
    /// What it lists (disco#items): the first page, or the page after the cursor an earlier
    /// page gave (XEP-0059).
    Items { after: Option<String> },
}

/// What a discovery request brought.
#[derive(Debug, Clone, PartialEq)]
pub enum Discovered {
    Info(EntityInfo),
    /// The items, and whether the entity has more than were taken.
    Items {
        items: Vec<EntityItem>,
        more: bool,
        /// Where the next page starts, when the entity pages its list (XEP-0059) and has
        /// more.
        next: Option<String>,
    },
}
