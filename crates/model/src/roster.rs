//! Contacts and presence.

use serde::Serialize;

/// RFC 6121 §2.1.2.5 subscription states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Subscription {
    None,
    To,
    From,
    Both,
}

impl Subscription {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::To => "to",
            Self::From => "from",
            Self::Both => "both",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "to" => Self::To,
            "from" => Self::From,
            "both" => Self::Both,
            _ => Self::None,
        }
    }
}

/// The availability a contact shows, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PresenceShow {
    Chat,
    Online,
    Away,
    Dnd,
    Xa,
    Offline,
}

impl PresenceShow {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Chat => "chat",
            Self::Online => "online",
            Self::Away => "away",
            Self::Dnd => "dnd",
            Self::Xa => "xa",
            Self::Offline => "offline",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "chat" => Self::Chat,
            "online" => Self::Online,
            "away" => Self::Away,
            "dnd" => Self::Dnd,
            "xa" => Self::Xa,
            _ => Self::Offline,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Chat => "Free to chat",
            Self::Online => "Online",
            Self::Away => "Away",
            Self::Dnd => "Do not disturb",
            Self::Xa => "Extended away",
            Self::Offline => "Offline",
        }
    }
}

impl std::fmt::Display for PresenceShow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Presence {
    pub show: PresenceShow,
    pub status: Option<String>,
}

impl Presence {
    pub fn offline() -> Self {
        Self { show: PresenceShow::Offline, status: None }
    }
}

/// A roster entry with the best presence among the contact's resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub jid: String,
    pub name: Option<String>,
    pub subscription: Subscription,
    /// We asked for their presence and wait for an answer.
    pub ask_subscribe: bool,
    pub groups: Vec<String>,
    pub presence: Presence,
    /// Their picture, by the SHA-1 of its bytes in the avatar cache; none shows initials.
    pub avatar: Option<String>,
}

impl Contact {
    /// The name to show: the roster name, else the address.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().filter(|n| !n.is_empty()).unwrap_or(&self.jid)
    }
}
