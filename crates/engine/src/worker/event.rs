//! What the worker announces to the window or the command line, in the order it happened.

use super::Handle;
use crate::model::search::SearchResults;
use crate::model::{
    Affiliated, Affiliation, ChatId, ConnectionState, Contact, Delivery, Form, HistoryPage, Invite,
    Message, Occupant, Presence, Profile, PublicRoom, Room, Services, Transfer, Typing,
};

/// What the worker announces.
#[derive(Debug, Clone)]
pub enum Event {
    /// The first event: how to reach the worker.
    Ready(Handle),
    Connection(ConnectionState),
    /// The whole contact list; `from_server` is false for the cached copy shown at start.
    Roster {
        contacts: Vec<Contact>,
        from_server: bool,
    },
    /// Contacts' best presences that changed, one event per burst so a login with thousands
    /// of contacts online is one update, not thousands.
    Presences(Vec<(String, Presence)>),
    /// People waiting for an answer to "may I see your presence?", oldest first.
    SubscriptionRequests(Vec<String>),
    /// The addresses blocked on the server (XEP-0191).
    BlockList(Vec<String>),
    /// What we show others.
    OwnPresence(Presence),
    /// Whether we are invisible (XEP-0186), as the user chose.
    Invisible(bool),
    /// The nickname we publish, as last set here.
    OwnNickname(String),
    /// What our server offers, as discovery found it so far.
    Services(Services),
    /// Every room we are in or have bookmarked, with where we stand in it.
    Rooms(Vec<Room>),
    /// Who came, changed or left a room in a burst: `present` are new or changed occupants,
    /// `gone` the nicks that left; with `replace`, `present` is the whole list.
    Occupants {
        room: String,
        present: Vec<Occupant>,
        gone: Vec<String>,
        replace: bool,
    },
    PublicRooms {
        service: String,
        rooms: Result<Vec<PublicRoom>, String>,
    },
    /// A stanza in or out, as the XML console shows it (secrets hidden), while it watches.
    Stanza {
        outgoing: bool,
        xml: String,
    },
    /// The stage a command step led to, or why it failed.
    CommandStage {
        jid: String,
        node: String,
        answer: Result<crate::model::CommandStage, String>,
    },
    /// Where registering with a service stands, or why it failed.
    ServiceRegistration {
        jid: String,
        answer: Result<crate::model::ServiceRegistration, String>,
    },
    /// A directory's form or results, or why there are none.
    DirectorySearch {
        jid: String,
        answer: Result<crate::model::DirectorySearch, String>,
    },
    /// The answer to [`Command::Discover`], or why there is none.
    Discovered {
        jid: String,
        node: Option<String>,
        query: crate::model::DiscoQuery,
        answer: Result<crate::model::Discovered, String>,
    },
    RoomConfig {
        room: String,
        form: Result<Form, String>,
    },
    /// A room's list of one affiliation, or why it could not be read.
    Affiliations {
        room: String,
        affiliation: Affiliation,
        list: Result<Vec<Affiliated>, String>,
    },
    /// Someone invites us into a room; nothing is joined until the user says so.
    Invite(Invite),
    /// The reactions on these lines of `chat` as the store now has them (XEP-0444), each
    /// emoji with its count, whether we gave it and who did; an empty list: none left. Sent
    /// when a set changes and after each page of history.
    Reactions {
        chat: ChatId,
        reactions: Vec<(i64, Vec<crate::model::ReactionCount>)>,
    },
    /// A stored message changed: corrected, or edited or rescheduled in the outbox.
    Edited(Message),
    /// An upload or download moved on, ended or failed; `Done` carries the attachment as it
    /// now is.
    Transfer {
        message_id: i64,
        chat: ChatId,
        transfer: Transfer,
    },
    /// A queued message was cancelled and is gone.
    Removed {
        message_id: i64,
    },
    /// Someone is typing in a chat (or stopped).
    Typing {
        chat: ChatId,
        typing: Typing,
    },
    /// How this login reached the server (transport, endpoint, proxy), for the status.
    Route(crate::model::Route),
    /// Catching up with the archive: messages taken in so far, and whether it is over.
    CatchUp {
        fetched: usize,
        done: bool,
    },
    /// Someone's avatar changed: the picture's hash in the avatar cache, or none.
    Avatar {
        jid: String,
        hash: Option<String>,
    },
    /// Someone's profile, or why it could not be read.
    Profile {
        jid: String,
        profile: Result<Profile, String>,
    },
    /// The server took a requested change (`Ok`, saying what), or refused it (`Err`, why).
    Outcome(Result<String, String>),
    /// Where the user left off, from the store when the worker starts and before anything new
    /// arrives: unread messages per conversation, and the conversation that was open.
    Reading {
        unread: Vec<(ChatId, u32)>,
        open: Option<ChatId>,
    },
    /// A message was stored: received, or accepted for sending.
    Message(Message),
    Delivery {
        message_id: i64,
        chat: ChatId,
        state: Delivery,
    },
    History(HistoryPage),
    /// The answer to [`Command::LoadNewer`]: the lines after the one named, oldest first, and
    /// whether newer ones remain past them.
    Newer {
        page: HistoryPage,
        more: bool,
    },
    /// The answer to [`Command::ShowAround`]: the page holding message `focus`, whether newer
    /// lines exist past it.
    Around {
        page: HistoryPage,
        focus: i64,
        newer: bool,
    },
    /// The answer to [`Command::Search`] with the same serial, or why there is none.
    SearchResults {
        serial: u64,
        results: Result<SearchResults, String>,
    },
    /// Something the user should know that is not a connection state.
    Notice(String),
    /// The local store refused a write (a full disk, a read-only or damaged file): what was
    /// not kept, why, and what to do. Nothing is shown as stored that was not.
    StoreFailed(String),
    /// The worker has ended; nothing more follows.
    Stopped,
}
