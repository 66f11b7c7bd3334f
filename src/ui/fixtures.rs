//! Values the screens' tests share: a room we are in and its occupants.

use crate::model::{Affiliation, Occupant, PresenceShow, Role, Room, RoomState};

/// The room "Tea" at `jid`, joined as "me".
pub fn joined_room(jid: &str) -> Room {
    Room {
        jid: jid.into(),
        name: Some("Tea".into()),
        nick: "me".into(),
        autojoin: true,
        state: RoomState::Joined,
        subject: None,
        members_only: false,
    }
}

/// Someone present under `nick`, with no real address shown.
pub fn occupant(nick: &str, role: Role, affiliation: Affiliation) -> Occupant {
    Occupant {
        nick: nick.into(),
        role,
        affiliation,
        jid: None,
        show: PresenceShow::Online,
        status: None,
    }
}
