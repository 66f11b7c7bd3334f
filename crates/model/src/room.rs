//! Chat rooms (XEP-0045 multi-user chat): the rooms we know, who is in them, what they let us
//! do, and invitations.

use super::PresenceShow;
use serde::Serialize;

/// Where we stand in a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "state", content = "reason")]
pub enum RoomState {
    /// Bookmarked or remembered, not in it now.
    Left,
    Joining,
    Joined,
    /// The room refused us or went away; the reason is for the user.
    Failed(String),
}

/// A room we are in or have bookmarked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Room {
    /// The room's bare address, also its conversation id.
    pub jid: String,
    /// The bookmark's or the room's own name.
    pub name: Option<String>,
    /// Our nickname in it.
    pub nick: String,
    /// Join it at every login (XEP-0402 autojoin).
    pub autojoin: bool,
    pub state: RoomState,
    pub subject: Option<String>,
    /// XEP-0045 `muc_membersonly`, as the room's disco#info says once joined: only members
    /// get in, and the room is marked so.
    pub members_only: bool,
}

impl Room {
    pub fn display_name(&self) -> &str {
        self.name.as_deref().filter(|n| !n.is_empty()).unwrap_or(&self.jid)
    }
}

/// XEP-0045 §5.1 roles: what an occupant may do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Moderator,
    Participant,
    Visitor,
    None,
}

/// XEP-0045 §5.2 affiliations: a person's standing in the room across visits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Affiliation {
    Owner,
    Admin,
    Member,
    None,
    Outcast,
}

impl Affiliation {
    /// The XEP-0045 name, as in stanzas and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Member => "member",
            Self::None => "none",
            Self::Outcast => "outcast",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Owner, Self::Admin, Self::Member, Self::None, Self::Outcast]
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// Someone on a room's list of owners, admins, members or banned people (XEP-0045 §9.5,
/// §10.5), present or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Affiliated {
    pub jid: String,
    /// The nickname reserved for them, if any.
    pub nick: Option<String>,
    /// Why they were banned, for outcasts.
    pub reason: Option<String>,
}

/// Someone in a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Occupant {
    pub nick: String,
    pub role: Role,
    pub affiliation: Affiliation,
    /// Their real address, when the room shows it to us (non-anonymous rooms, or as moderator).
    pub jid: Option<String>,
    pub show: PresenceShow,
    pub status: Option<String>,
}

/// A room listed by a conference service (disco#items, with disco#info details).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicRoom {
    pub jid: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub occupants: Option<u32>,
    /// XEP-0045 `muc_membersonly`: only members get in.
    pub members_only: bool,
}

/// What kind of room to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoomPreset {
    /// Listed, open to anyone; `moderated` gives newcomers no voice until granted.
    Public { moderated: bool },
    /// Members only, unlisted, real addresses visible to members, optionally with a password.
    Private { password: Option<String> },
}

/// An invitation to a room (XEP-0249 direct, or XEP-0045 §7.8.2 mediated through the room).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invite {
    pub room: String,
    /// Who invites us (their bare address).
    pub from: String,
    pub reason: Option<String>,
    pub password: Option<String>,
    /// Sent through the room, so a decline goes back through it.
    pub mediated: bool,
}

/// What a moderator, admin or owner does to an occupant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moderation {
    Kick,
    Ban,
    GrantVoice,
    RevokeVoice,
    GrantModerator,
    RevokeModerator,
    GrantMembership,
    RevokeMembership,
    GrantAdmin,
    GrantOwner,
}
