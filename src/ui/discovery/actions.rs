//! What the browser offers to do with an entity, decided by what it says it is and does: join
//! a room, browse a conference service, list and run its commands, add it as a contact, watch
//! its stanzas. Facts worth a line (the upload limit) are read here too.

use super::{COMMANDS_NODE, Key};
use crate::model::EntityInfo;

const MUC: &str = "http://jabber.org/protocol/muc";
const UPLOAD: &str = "urn:xmpp:http:upload:0";
const REGISTER: &str = "jabber:iq:register";
const SEARCH: &str = "jabber:iq:search";

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    JoinRoom(String),
    /// List a conference service's public rooms in the room browser.
    BrowseRooms(String),
    /// Open the entity's list of commands in the tree.
    ListCommands(String),
    RunCommand {
        jid: String,
        node: String,
        name: String,
    },
    AddContact(String),
    /// Register with it (XEP-0077): a gateway, a room's nickname.
    Register(String),
    /// Search its user directory (XEP-0055).
    Search(String),
    /// Open the XML console, filtered to this address.
    Console(String),
}

impl Action {
    pub fn label(&self) -> &'static str {
        match self {
            Self::JoinRoom(_) => "Join this room",
            Self::BrowseRooms(_) => "Browse its rooms",
            Self::ListCommands(_) => "Show its commands",
            Self::RunCommand { .. } => "Run this command",
            Self::AddContact(_) => "Add as contact",
            Self::Register(_) => "Register with it",
            Self::Search(_) => "Search its directory",
            Self::Console(_) => "Watch in the XML console",
        }
    }
}

/// The actions an entity's answer allows; `command` says it was listed as a command.
pub fn offered(key: &Key, info: &EntityInfo, name: Option<&str>, command: bool) -> Vec<Action> {
    let is = |category: &str| info.identities.iter().any(|i| i.category == category);
    let does = |feature: &str| info.features.iter().any(|f| f == feature);
    let bare = key.jid.split('/').next().unwrap_or(&key.jid).to_owned();
    let has_user = key.jid.contains('@');
    let mut actions = Vec::new();
    let runnable = command
        || info.identities.iter().any(|i| i.category == "automation" && i.kind == "command-node");
    match &key.node {
        Some(node) if runnable && node != COMMANDS_NODE => {
            let name = name
                .or_else(|| info.identities.iter().find_map(|i| i.name.as_deref()))
                .unwrap_or(node)
                .to_owned();
            actions.push(Action::RunCommand { jid: key.jid.clone(), node: node.clone(), name });
        }
        Some(_) => {}
        None if is("conference") && has_user => actions.push(Action::JoinRoom(bare.clone())),
        None if is("conference") && does(MUC) => actions.push(Action::BrowseRooms(bare.clone())),
        None if has_user && (is("account") || is("client") || info.identities.is_empty()) => {
            actions.push(Action::AddContact(bare.clone()));
        }
        None => {}
    }
    if key.node.is_none() && does(REGISTER) && !is("server") {
        actions.push(Action::Register(key.jid.clone()));
    }
    if key.node.is_none() && does(SEARCH) {
        actions.push(Action::Search(key.jid.clone()));
    }
    if key.node.is_none() && does(super::COMMANDS_NODE) {
        actions.push(Action::ListCommands(key.jid.clone()));
    }
    actions.push(Action::Console(key.jid.clone()));
    actions
}

/// The largest file the entity takes, for an upload service (XEP-0363 §4).
pub fn upload_limit(info: &EntityInfo) -> Option<u64> {
    info.forms
        .iter()
        .filter(|form| form.form_type.as_deref() == Some(UPLOAD))
        .flat_map(|form| &form.fields)
        .find(|field| field.var == "max-file-size")
        .and_then(|field| field.values.first())
        .and_then(|value| value.trim().parse().ok())
}
