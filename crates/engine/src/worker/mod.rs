//! The XMPP worker: one per account. It owns the stream and a store connection, turns stanzas
//! into model values, stores them, and announces them as [`Event`]s. The UI and the CLI drive
//! it with [`Command`]s through a [`Handle`] and never see a stanza.

mod adhoc;
mod attachments;
mod bosh;
mod caps;
mod connect;
mod console;
mod contact_stanza;
mod data_form;
mod delivery;
mod disco;
mod endpoint;
mod entity;
mod event;
mod fast;
#[doc(hidden)]
pub mod fuzzing;
mod host_meta;
mod http;
mod invite;
mod muc;
mod presence;
mod profile;
mod proxy;
mod reactions;
mod register;
mod reply;
mod retraction;
mod room_stanza;
mod sasl;
mod sasl2;
mod scram;
mod search;
mod session;
pub mod stanza;
mod supervise;
mod tls;
mod units;
mod websocket;
mod xml_guard;

pub use connect::{ATTEMPT_TIMEOUT, FIRST_BACKOFF, check_endpoint};
pub use event::Event;
pub use proxy::{Proxy, redact as redact_proxy, split_setting as split_proxy_setting};
pub use register::{BobData, Registration, RegistrationForm};
pub use tls::fingerprint;

use crate::media::PreparedAvatar;
use crate::model::search::SearchQuery;
use crate::model::{
    AccountId, Affiliation, ChatId, Form, Invite, Moderation, Presence, RoomPreset, Typing,
};
use crate::paths::Paths;
use futures::Stream;
use tokio::sync::mpsc;

/// The store's per-account state keys for the strongest login method used (`sasl`), one per
/// transport: a WebSocket endpoint behind a TLS-terminating proxy cannot offer channel
/// binding, and that is not a downgrade of the TCP route. The command line clears them when
/// the user says the server's methods really changed.
pub const STRONGEST_LOGIN: [&str; 3] =
    ["strongest_login", "strongest_login_websocket", "strongest_login_bosh"];

/// The store's per-account state key for the HTTP endpoint (`wss://` or `https://`) the
/// automatic route found.
const HTTP_ROUTE_FOUND: &str = "http_route_found";

/// The store's per-account state key for this installation's SASL2 client id.
const SASL2_CLIENT_ID: &str = "sasl2_client_id";

/// The store's per-account state key for the route of the last login (a JSON [`Route`]).
pub const LAST_ROUTE: &str = "last_route";

/// Commands waiting beyond this are refused with an error rather than queued without bound.
const COMMAND_QUEUE: usize = 1024;

/// What the UI or the CLI asks of an account's worker.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Store in the outbox, then send when online.
    Send {
        to: String,
        body: String,
    },
    /// A page of history, answered with [`Event::History`].
    LoadHistory {
        chat: ChatId,
        before: Option<i64>,
        limit: usize,
    },
    /// The lines after `after`, scrolling down an older stretch; answered with
    /// [`Event::Newer`].
    LoadNewer {
        chat: ChatId,
        after: i64,
        limit: usize,
    },
    /// Search this account's history; answered with [`Event::SearchResults`].
    Search {
        serial: u64,
        query: SearchQuery,
    },
    /// Write the conversation into a new folder under `into` (`crate::export`); the outcome is
    /// told as a notice.
    Export {
        chat: ChatId,
        title: String,
        format: crate::export::Format,
        into: std::path::PathBuf,
    },
    /// A message among its neighbours, to show it in place; answered with [`Event::Around`].
    ShowAround {
        chat: ChatId,
        message_id: i64,
    },
    /// Try again with this password (after "wrong password").
    SetPassword(String),
    /// Accept this certificate fingerprint for the rest of the session and reconnect.
    TrustCertificate(String),
    Connect,
    /// Change the contact list, answer a subscription request, or block someone.
    Contact(ContactChange),
    /// Join, leave, create, configure or moderate a chat room.
    Room(RoomCommand),
    /// What others see of us; kept across restarts and sent on every login.
    SetPresence(Presence),
    /// Store in the outbox and send at `at` (also if Confab was closed in between: then on the
    /// next start, marked late).
    SendAt {
        to: String,
        body: String,
        at: chrono::DateTime<chrono::Utc>,
    },
    /// Upload a file (HTTP File Upload, XEP-0363) and send its address, through the outbox
    /// like any message: it is copied at once, so the original may move, and it goes up when
    /// online.
    SendFile {
        to: String,
        path: std::path::PathBuf,
    },
    /// Fetch a message's attachment into the cache.
    Download {
        message_id: i64,
    },
    /// Stop a download (an upload is cancelled with [`OutboxAction::Cancel`]).
    CancelDownload {
        message_id: i64,
    },
    /// Change a message still waiting in the outbox.
    Outbox(OutboxAction),
    /// Correct our last message in `chat` (XEP-0308).
    Correct {
        chat: ChatId,
        body: String,
    },
    /// Take back our message `message_id` (the store's id) in `chat` (XEP-0424): its words
    /// are blanked here and everyone else is asked to do the same. Answered with
    /// [`Event::Edited`] and an [`Event::Outcome`].
    Retract {
        chat: ChatId,
        message_id: i64,
    },
    /// Answer message `message_id` (the store's id) in `chat` with `body` (XEP-0461): stored
    /// and sent like [`Command::Send`], the answered line named and quoted.
    Reply {
        chat: ChatId,
        message_id: i64,
        body: String,
    },
    /// Set our reactions on message `message_id` (the store's id) in `chat` to `emojis`, our
    /// whole new set (XEP-0444; empty takes ours back, toggling is the caller's): stored
    /// first, then sent. Answered with [`Event::Reactions`] and an [`Event::Outcome`].
    React {
        chat: ChatId,
        message_id: i64,
        emojis: Vec<String>,
    },
    /// As a moderator, ask `room` to remove its line `message_id` (XEP-0425), with a reason
    /// shown to everyone. The line changes when the room tells everyone ([`Event::Edited`]);
    /// the room's answer is an [`Event::Outcome`].
    Moderate {
        room: String,
        message_id: i64,
        reason: Option<String>,
    },
    /// The user is typing in `chat`, or stopped (told to the peer, rate-limited).
    Typing {
        chat: ChatId,
        typing: Typing,
    },
    /// The user has seen `chat` up to its newest message.
    MarkDisplayed {
        chat: ChatId,
    },
    /// The user has seen `chat` up to its newest message: its unread count starts after it,
    /// also at the next start. (Unlike [`Command::MarkDisplayed`], nothing is told to anyone.)
    Read {
        chat: ChatId,
    },
    /// The user opened `chat`: it opens again at the next start.
    Opened {
        chat: ChatId,
    },
    /// Read someone's public profile (their vCard), answered with [`Event::Profile`].
    FetchProfile {
        jid: String,
    },
    /// Tell every stanza in and out as [`Event::Stanza`] (the XML console), or stop.
    Console(bool),
    /// Take a step of an ad-hoc command (XEP-0050) at `jid`: `Execute` starts it; later
    /// steps name the `session` its first stage gave and carry the filled-in form. Answered
    /// with [`Event::CommandStage`].
    RunCommand {
        jid: String,
        node: String,
        session: Option<String>,
        action: crate::model::CommandAction,
        form: Option<Form>,
    },
    /// Register with a service (XEP-0077): without a form, ask for its form; with one, send
    /// it. Answered with [`Event::ServiceRegistration`].
    RegisterWith {
        jid: String,
        form: Option<Form>,
    },
    /// Search a user directory (XEP-0055): without a form, ask for its form; with one, search
    /// with it. Answered with [`Event::DirectorySearch`].
    SearchDirectory {
        jid: String,
        form: Option<Form>,
    },
    /// Ask any address what it is and does, or what it lists (XEP-0030), at `node` if
    /// given; answered with [`Event::Discovered`].
    Discover {
        jid: String,
        node: Option<String>,
        query: crate::model::DiscoQuery,
    },
    /// Publish our nickname (empty clears it).
    SetNickname(String),
    /// Publish our avatar (XEP-0084), or remove it with `None`.
    SetAvatar(Option<PreparedAvatar>),
    /// Send a stanza typed by hand (the XML console).
    SendRaw(String),
    /// Be invisible (XEP-0186) or visible again; refused where the server cannot.
    SetInvisible(bool),
    /// The account's settings changed on disk (server, port, TLS, CA): read them again and
    /// reconnect with them.
    Reload,
    /// Go offline; queued messages stay queued.
    Disconnect,
    /// What the user now lets us tell others (receipts, read markers, typing): from the next
    /// message on, without waiting for a restart.
    SetPrivacy(crate::config::Privacy),
    /// Close the stream cleanly and end the worker.
    Shutdown,
    /// The account is being removed: close the stream, delete its local history when asked,
    /// and end the worker.
    Forget {
        delete_history: bool,
    },
}

/// A change to the contact list or to who may see or reach us. Each is answered with an
/// [`Event::Outcome`] once the server has taken it (or refused it).
#[derive(Debug, Clone, PartialEq)]
pub enum ContactChange {
    /// Put them in the roster and ask to see their presence.
    Add {
        jid: String,
        name: Option<String>,
        groups: Vec<String>,
    },
    /// Rename or regroup.
    Update {
        jid: String,
        name: Option<String>,
        groups: Vec<String>,
    },
    /// Remove from the roster, which also cancels subscriptions both ways (RFC 6121 §2.5).
    Remove {
        jid: String,
    },
    /// Let them see our presence; `add_back` also asks to see theirs.
    Approve {
        jid: String,
        add_back: bool,
    },
    Deny {
        jid: String,
    },
    Block {
        jid: String,
    },
    Unblock {
        jid: String,
    },
}

/// What the user does to a message that has not gone out (or failed).
#[derive(Debug, Clone, PartialEq)]
pub enum OutboxAction {
    Cancel(i64),
    Edit {
        id: i64,
        body: String,
    },
    SendNow(i64),
    Reschedule {
        id: i64,
        at: chrono::DateTime<chrono::Utc>,
    },
    /// Send a failed message again.
    Retry(i64),
}

/// Something to do about chat rooms (XEP-0045). Messages to a room or to an occupant
/// (`room@service/nick`) go through [`Command::Send`] like any other.
#[derive(Debug, Clone, PartialEq)]
pub enum RoomCommand {
    /// Enter a room (bookmarked with autojoin, so it is joined again at every login).
    Join {
        room: String,
        nick: Option<String>,
        password: Option<String>,
    },
    /// Leave the room and drop its autojoin bookmark.
    Leave {
        room: String,
    },
    /// Create a room configured as `preset` (never left locked), and join it.
    Create {
        room: String,
        preset: RoomPreset,
        name: Option<String>,
    },
    /// The public rooms of a conference service (the server's first one when `None`),
    /// answered with [`Event::PublicRooms`].
    List {
        service: Option<String>,
    },
    /// Ask for the room's configuration form, answered with [`Event::RoomConfig`].
    GetConfig {
        room: String,
    },
    SetConfig {
        room: String,
        form: Form,
    },
    SetSubject {
        room: String,
        subject: String,
    },
    /// Invite someone: directly (XEP-0249), and through the room (mediated) so that a
    /// members-only room lets them in.
    Invite {
        room: String,
        jid: String,
        reason: Option<String>,
    },
    Decline {
        invite: Invite,
    },
    Moderate {
        room: String,
        nick: String,
        action: Moderation,
        reason: Option<String>,
    },
    ChangeNick {
        room: String,
        nick: String,
    },
    Destroy {
        room: String,
        reason: Option<String>,
    },
    /// Everyone with this affiliation, present or not, answered with [`Event::Affiliations`].
    GetAffiliations {
        room: String,
        affiliation: Affiliation,
    },
    /// Give someone, present or not, an affiliation by address (`None` takes it away;
    /// `Outcast` bans).
    SetAffiliation {
        room: String,
        jid: String,
        affiliation: Affiliation,
        reason: Option<String>,
    },
}

/// A cheap, cloneable way to reach one account's worker. Sending never blocks or panics.
#[derive(Debug, Clone)]
pub struct Handle {
    account: AccountId,
    commands: mpsc::Sender<Command>,
}

impl Handle {
    pub fn account(&self) -> &AccountId {
        &self.account
    }

    pub fn send(&self, command: Command) -> Result<(), String> {
        self.commands.try_send(command).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => format!("{} is busy; try again", self.account),
            mpsc::error::TrySendError::Closed(_) => format!("{} has stopped", self.account),
        })
    }
}

#[cfg(any(test, feature = "test-support"))]
impl Handle {
    /// A handle whose commands land in the returned queue: what the window asks of a worker,
    /// without one.
    pub fn detached(account: AccountId) -> (Self, mpsc::Receiver<Command>) {
        let (commands, received) = mpsc::channel(COMMAND_QUEUE);
        (Self { account, commands }, received)
    }
}

/// Events of one account, in the order they happened.
#[derive(Debug, Clone)]
pub struct Update {
    pub account: AccountId,
    pub events: Vec<Event>,
}

/// While events keep coming (a flood of messages, a catch-up), the window takes them at most
/// this often, together: drawing the window costs milliseconds, and a frame for every message
/// of a flood cost more than the messages (docs/performance.md). A lone event goes at once.
const PACE: std::time::Duration = std::time::Duration::from_millis(50);

/// Start an account's worker on the current tokio runtime, started again if it panics.
pub fn spawn(paths: Paths, account: AccountId) -> (Handle, mpsc::UnboundedReceiver<Event>) {
    let (commands_tx, commands_rx) = mpsc::channel(COMMAND_QUEUE);
    let (events_tx, events_rx) = mpsc::unbounded_channel();
    let handle = Handle { account: account.clone(), commands: commands_tx };
    let inbox = supervise::Inbox::new(commands_rx);
    let events = events_tx.clone();
    tokio::spawn(supervise::supervise(inbox, events_tx, move |inbox| {
        Box::pin(session::run(paths.clone(), account.clone(), inbox, events.clone()))
    }));
    (handle, events_rx)
}

/// The identity of a worker subscription: only what should restart it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WorkerKey {
    pub paths: Paths,
    pub account: AccountId,
}

/// The worker as a stream of updates, starting with [`Event::Ready`]. The worker runs in its
/// own task, so a slow consumer never stalls the network; events wait in an unbounded queue
/// and are handed over in batches, at most one per [`PACE`].
pub fn updates(key: &WorkerKey) -> impl Stream<Item = Update> + Send + use<> {
    use futures::StreamExt;
    let key = key.clone();
    futures::stream::once(async move {
        let (handle, events) = spawn(key.paths, key.account.clone());
        let account = key.account;
        let first = Update { account: account.clone(), events: vec![Event::Ready(handle)] };
        let rest = futures::stream::unfold((events, None), |(mut events, handed)| async move {
            let first = events.recv().await?;
            if let Some(handed) = handed {
                tokio::time::sleep_until(handed + PACE).await;
            }
            let mut batch = vec![first];
            while let Ok(more) = events.try_recv() {
                batch.push(more);
            }
            Some((batch, (events, Some(tokio::time::Instant::now()))))
        })
        .map(move |events| Update { account: account.clone(), events });
        futures::stream::once(async move { first }).chain(rest)
    })
    .flatten()
}
