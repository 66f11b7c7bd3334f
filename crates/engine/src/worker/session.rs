//! One account's connection as an explicit state machine over a single `select!`: commands,
//! connection reports, stream events, acknowledgements and a restart timer. Everything the
//! stream delivers is drained promptly (tokio-xmpp stalls if its queues fill), and bursts of
//! messages are stored in one transaction.
//!
//! The rule for features: each one lives in its own module under `session/` and keeps its
//! state in its own type there (`contacts::Contacts`, `discovery::Discovery`,
//! `avatars::Avatars`, `outbox::Outbox`, `delivery::Signals`, `transfers::Transfers`,
//! `older::Older`, `room_catch_up::RoomCatchUps`, `room_directory::Directory`,
//! `bookmarks::Bookmarks`), which `Session` holds in one field, and its pending requests in its
//! own `Request` type, answered in one `…_answer` method of its module. The session routes
//! commands and stanzas to the features; `requests.rs` routes answers (a new feature adds one
//! variant and one arm there). Every message a feature takes in is stored through `ingest`
//! (the one way into the store), and every store call goes through `store_handle`.

use super::connect::Report;
use super::proxy::Proxy;
use super::stanza;
use super::{Command, Event};
use crate::config::{AccountConfig, Config};
use crate::media::AvatarCache;
use crate::model::{AccountId, ConnectError, ConnectionState, Presence};
use crate::paths::Paths;
use crate::secrets::Secrets;
use crate::store::StoreError;
use connection::proxy_of;
use futures::StreamExt;
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_xmpp::jid::BareJid;
use tokio_xmpp::stanzastream::{Event as StreamEvent, StanzaStream};

/// How long a stop waits for the answers to changes the user made just before it.
const CLOSING_GRACE: Duration = Duration::from_secs(5);
/// The most history one request may ask for.
const MAX_PAGE: usize = 1000;
/// A scheduled message sent later than this after its time is marked late.
const LATE_AFTER: chrono::Duration = chrono::Duration::seconds(60);

mod about_us;
mod archive;
mod archive_order;
mod avatars;
mod bookmarks;
mod browse;
mod capabilities;
mod commands;
mod connection;
mod contacts;
mod delivery;
mod directory_search;
mod discovery;
mod history_search;
mod ingest;
mod invisible;
mod login_memory;
mod messages;
mod older;
mod outbox;
mod own_retractions;
mod profile;
mod reactions;
mod reading;
mod replies;
mod requests;
mod retraction;
mod room_authors;
mod room_catch_up;
mod room_config;
mod room_directory;
mod room_occupants;
mod rooms;
mod self_ping;
mod service_registration;
mod store_handle;
mod stream;
mod transfers;

struct Session {
    account: AccountConfig,
    own: BareJid,
    store: store_handle::StoreHandle,
    events: mpsc::UnboundedSender<Event>,
    password: Option<String>,
    /// The account's proxy, with its password, for every connection.
    proxy: Option<Proxy>,
    /// Where the proxy's password is read again when the settings change.
    secrets: Secrets,
    /// Fingerprints trusted "just this once".
    session_pins: Vec<String>,
    stream: Option<StanzaStream>,
    reports: Option<mpsc::UnboundedReceiver<Report>>,
    state: ConnectionState,
    /// Stream management was negotiated, so "sent" can mean "acknowledged by the server".
    stream_management: bool,
    /// Contacts' presences and the subscription requests answered.
    contacts: contacts::Contacts,
    restart_at: Option<Instant>,
    /// Requests awaiting an answer: who must answer (`None`: our own account), and what for.
    pending_iqs: HashMap<String, requests::Awaited>,
    /// Messages handed to the stream and the timer of scheduled ones.
    outbox: outbox::Outbox,
    /// Our retractions on their way to the server.
    own_retractions: own_retractions::OwnRetractions,
    next_iq: u64,
    /// What we show others, sent on every login.
    own_presence: Presence,
    /// What our server offers, learnt after each login.
    discovery: discovery::Discovery,
    /// What contacts' clients can do, as far as it matters.
    capabilities: capabilities::Capabilities,
    /// Forms services gave us to register with them, by service.
    registrations: service_registration::Registrations,
    /// Forms user directories gave us to search them, by directory.
    searches: directory_search::Searches,
    /// Contacts' pictures and those being fetched.
    avatars: avatars::Avatars,
    /// Rooms we are in or have bookmarked.
    rooms: HashMap<BareJid, rooms::RoomSession>,
    /// Rooms whose occupants changed in the burst being taken in.
    changed_rooms: HashMap<BareJid, room_occupants::OccupantChanges>,
    /// Public room lists being made.
    directory: room_directory::Directory,
    /// Where the account's settings live, read again on [`Command::Reload`].
    config_file: std::path::PathBuf,
    /// What we tell others about their messages and our typing, and what we last told.
    signals: delivery::Signals,
    /// When the user last asked something of Confab: the idle time others may ask for.
    last_action: std::time::Instant,
    /// The archive catch-up under way.
    catch_up: Option<archive::CatchUp>,
    /// Where the archive catch-up may move its saved position to.
    archive_cursor: archive::Cursor,
    /// The user chose to be invisible (XEP-0186).
    invisible: bool,
    /// Uploads and downloads under way.
    transfers: transfers::Transfers,
    transfer_tx: mpsc::UnboundedSender<transfers::TransferReport>,
    transfer_rx: mpsc::UnboundedReceiver<transfers::TransferReport>,
    /// Made on first use, with the account's certificate trust.
    http: Option<reqwest::Client>,
    /// Files we send and download, in the cache directory.
    files_dir: std::path::PathBuf,
    media: crate::config::Media,
    /// Older history being fetched from archives.
    older: older::Older,
    /// Rooms' archives being caught up with after joining.
    room_catch_ups: room_catch_up::RoomCatchUps,
    /// Where the account's room bookmarks are kept.
    bookmarks: bookmarks::Bookmarks,
    /// An XML console watches: every stanza is told (nothing is made while none does).
    console: bool,
}

/// Run an account's worker until told to shut down or its handle is dropped.
pub async fn run(
    paths: Paths,
    account: AccountId,
    commands: &mut super::supervise::Inbox,
    events: mpsc::UnboundedSender<Event>,
) {
    let mut session = loop {
        match Session::open(&paths, &account, events.clone()) {
            Ok(session) => break session,
            Err(error) => {
                let _ = events.send(Event::Connection(ConnectionState::Failed(error)));
                if !wait_for_retry(commands).await {
                    let _ = events.send(Event::Stopped);
                    return;
                }
            }
        }
    };
    session.invisible = session.saved_invisible();
    session.load_rooms();
    session.announce_cache();
    session.announce_reading();
    session.schedule_next();
    if session.account.enabled {
        session.start();
    } else {
        // Said even though nothing changed, so the window knows we stay offline.
        session.emit(Event::Connection(ConnectionState::Idle));
    }
    let mut delete_history = false;
    let mut room_check = tokio::time::interval(self_ping::SELF_PING_CHECK);
    room_check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Asked to stop while changes the user made still wait for the server's answer: keep the
    // stream until they are answered (a bookmark may take three round trips), at most this long.
    let mut closing_by: Option<Instant> = None;
    loop {
        if closing_by.is_some_and(|by| Instant::now() >= by || !session.changes_unanswered()) {
            break;
        }
        tokio::select! {
            command = commands.recv(), if closing_by.is_none() => match command {
                Some(Command::Shutdown) | None if session.changes_unanswered() => {
                    closing_by = Some(Instant::now() + CLOSING_GRACE);
                }
                Some(Command::Shutdown) | None => break,
                Some(Command::Forget { delete_history: delete }) => {
                    delete_history = delete;
                    break;
                }
                Some(command) => {
                    // Whatever the user asks of Confab counts as activity (XEP-0012).
                    session.last_action = std::time::Instant::now();
                    session.command(command).await
                }
            },
            Some(report) = next_report(&mut session.reports) => session.report(report),
            event = next_event(&mut session.stream) => session.stream_event(event).await,
            Some(message_id) = session.outbox.acks_rx.recv() => session.acknowledged(message_id),
            Some(message_id) = session.own_retractions.acks_rx.recv() => {
                session.retraction_acked(message_id);
            }
            Some(report) = session.transfer_rx.recv() => session.transfer_report(report).await,
            () = restart_timer(closing_by) => {}
            () = restart_timer(session.restart_at) => {
                session.restart_at = None;
                session.start();
            }
            _ = room_check.tick() => session.ping_quiet_rooms().await,
            () = restart_timer(session.outbox.next_due) => {
                session.outbox.next_due = None;
                if session.is_online() {
                    session.flush_outbox().await;
                }
                session.schedule_next();
            }
        }
    }
    session.stop().await;
    if delete_history
        && let Err(e) =
            session.store.transaction(|store| store.delete_account(&session.account.jid))
    {
        session.emit(Event::Notice(format!("the local history could not be deleted: {e}")));
    }
    let _ = session.events.send(Event::Stopped);
}

/// After a failed start, keep answering so the failure stays visible: `true` when the user
/// tries again (the disk may have room now, the file may be writable), `false` when the owner
/// lets go.
async fn wait_for_retry(commands: &mut super::supervise::Inbox) -> bool {
    while let Some(command) = commands.recv().await {
        match command {
            Command::Shutdown | Command::Forget { .. } => return false,
            Command::Connect | Command::Reload => return true,
            _ => {}
        }
    }
    false
}

async fn next_report(reports: &mut Option<mpsc::UnboundedReceiver<Report>>) -> Option<Report> {
    match reports {
        Some(reports) => reports.recv().await,
        None => std::future::pending().await,
    }
}

async fn next_event(stream: &mut Option<StanzaStream>) -> Option<StreamEvent> {
    match stream {
        Some(stream) => stream.next().await,
        None => std::future::pending().await,
    }
}

async fn restart_timer(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

impl Session {
    fn open(
        paths: &Paths,
        account: &AccountId,
        events: mpsc::UnboundedSender<Event>,
    ) -> Result<Self, ConnectError> {
        let config =
            Config::load(&paths.config_file()).map_err(|e| ConnectError::Other(e.to_string()))?;
        let account = config
            .account(account.as_str())
            .cloned()
            .ok_or_else(|| ConnectError::Other(format!("no account {account} is configured")))?;
        let own = BareJid::new(&account.jid).map_err(|e| {
            ConnectError::Other(format!("“{}” is not a valid address: {e}", account.jid))
        })?;
        let store = store_handle::StoreHandle::open(&paths.database())
            .map_err(|e| ConnectError::Storage(e.to_string()))?;
        let own_presence = store.read(|store| contacts::saved_presence(store, &account.jid));
        let secrets = Secrets::new(paths);
        let password = secrets.load(&account.jid);
        let proxy = proxy_of(&account, &secrets).map_err(ConnectError::Other)?;
        let (transfer_tx, transfer_rx) = mpsc::unbounded_channel();
        Ok(Self {
            account,
            own,
            store,
            events,
            password,
            proxy,
            secrets,
            session_pins: Vec::new(),
            stream: None,
            reports: None,
            state: ConnectionState::Idle,
            stream_management: false,
            restart_at: None,
            contacts: contacts::Contacts::default(),
            pending_iqs: HashMap::new(),
            outbox: outbox::Outbox::default(),
            own_retractions: own_retractions::OwnRetractions::default(),
            next_iq: 0,
            own_presence,
            discovery: discovery::Discovery::default(),
            capabilities: capabilities::Capabilities::default(),
            registrations: service_registration::Registrations::default(),
            searches: directory_search::Searches::default(),
            avatars: avatars::Avatars::new(AvatarCache::new(paths.avatar_dir())),
            rooms: HashMap::new(),
            changed_rooms: HashMap::new(),
            directory: room_directory::Directory::default(),
            signals: delivery::Signals::new(config.privacy),
            last_action: std::time::Instant::now(),
            config_file: paths.config_file(),
            catch_up: None,
            archive_cursor: archive::Cursor::default(),
            invisible: false,
            transfers: transfers::Transfers::default(),
            transfer_tx,
            transfer_rx,
            http: None,
            files_dir: paths.files_dir(),
            media: config.media,
            older: older::Older::default(),
            room_catch_ups: room_catch_up::RoomCatchUps::default(),
            bookmarks: bookmarks::Bookmarks::default(),
            console: false,
        })
    }

    fn emit(&self, event: Event) {
        // A page of lines is followed by their reactions, wherever it was read.
        let page = match &event {
            Event::History(page) | Event::Around { page, .. } | Event::Newer { page, .. } => {
                Some((page.chat.clone(), page.messages.iter().map(|m| m.id).collect::<Vec<_>>()))
            }
            _ => None,
        };
        let _ = self.events.send(event);
        if let Some((chat, ids)) = page.filter(|(_, ids)| !ids.is_empty()) {
            self.emit_reactions(&chat, &ids);
        }
    }

    /// A write to the store failed: log it, and tell the user `what` was not kept, why, and
    /// what to do.
    fn store_failed(&self, what: &str, e: StoreError) {
        let e = self.store.locate(e);
        tracing::error!("{}: {what}: {e}", self.account.jid);
        self.emit(Event::StoreFailed(format!("{what}. {e}")));
    }

    fn set_state(&mut self, state: ConnectionState) {
        if self.state != state {
            self.state = state.clone();
            self.emit(Event::Connection(state));
        }
    }

    fn is_online(&self) -> bool {
        self.state == ConnectionState::Online
    }

    /// Online, with a change the user asked for still waiting for the server's answer.
    fn changes_unanswered(&self) -> bool {
        self.is_online() && self.pending_iqs.values().any(|a| a.pending.is_change())
    }

    fn account_key(&self) -> &str {
        &self.account.jid
    }

    /// Show what we already know before the network answers.
    fn announce_cache(&self) {
        match self.store.read(|store| store.roster(self.account_key())) {
            Ok(contacts) => self.emit(Event::Roster { contacts, from_server: false }),
            Err(e) => self.emit(Event::Notice(e.to_string())),
        }
        self.announce_requests();
        self.announce_blocked();
        self.emit(Event::OwnPresence(self.own_presence.clone()));
        self.announce_own_nickname();
        self.announce_rooms();
        self.emit(Event::Invisible(self.invisible));
    }

    async fn command(&mut self, command: Command) {
        match command {
            Command::Send { to, body } => self.queue_message(&to, body, None).await,
            Command::SendAt { to, body, at } => {
                self.queue_message(&to, body, Some(at)).await;
                self.schedule_next();
            }
            Command::SendFile { to, path } => self.send_file(&to, &path).await,
            Command::Download { message_id } => {
                self.start_download(message_id, transfers::MAX_DOWNLOAD)
            }
            Command::CancelDownload { message_id } => self.cancel_download(message_id),
            Command::Outbox(action) => self.outbox_command(action).await,
            Command::Correct { chat, body } => self.correct_last(&chat, body).await,
            Command::Retract { chat, message_id } => self.retract_own(&chat, message_id).await,
            Command::Reply { chat, message_id, body } => self.reply(&chat, message_id, body).await,
            Command::React { chat, message_id, emojis } => {
                self.react(&chat, message_id, emojis).await
            }
            Command::Moderate { room, message_id, reason } => {
                self.moderate(&room, message_id, reason).await
            }
            Command::Typing { chat, typing } => self.typing(&chat, typing).await,
            Command::MarkDisplayed { chat } => self.mark_displayed(&chat).await,
            Command::Read { chat } => self.read(&chat),
            Command::Opened { chat } => self.opened(&chat),
            Command::LoadHistory { chat, before, limit } => {
                self.load_history(chat, before, limit.min(MAX_PAGE)).await
            }
            Command::LoadNewer { chat, after, limit } => {
                self.load_newer(chat, after, limit.min(MAX_PAGE))
            }
            Command::Search { serial, query } => self.search_history(serial, query),
            Command::ShowAround { chat, message_id } => self.show_around(chat, message_id),
            Command::Export { chat, title, format, into } => {
                self.export_conversation(&chat, &title, format, &into)
            }
            Command::SetPassword(password) => {
                self.password = Some(password);
                self.restart().await;
            }
            Command::TrustCertificate(fingerprint) => {
                self.session_pins.push(fingerprint);
                self.restart().await;
            }
            Command::Connect => match self.state {
                // Waiting between attempts: the user asked to try now.
                ConnectionState::Offline { .. } => self.restart().await,
                _ if self.stream.is_none() => self.start(),
                _ => {}
            },
            Command::Reload => self.reload().await,
            Command::SetInvisible(on) => self.set_invisible(on).await,
            Command::Disconnect => {
                self.stop().await;
                self.restart_at = None;
                self.set_state(ConnectionState::Idle);
            }
            Command::SetPrivacy(privacy) => self.signals.privacy = privacy,
            Command::Contact(change) => self.contact_command(change).await,
            Command::Room(command) => self.room_command(command).await,
            Command::SetPresence(presence) => self.set_own_presence(presence).await,
            Command::FetchProfile { jid } => self.fetch_profile(&jid).await,
            Command::Console(on) => self.console = on,
            Command::Discover { jid, node, query } => self.discover(jid, node, query).await,
            Command::RegisterWith { jid, form } => self.register_with(jid, form).await,
            Command::SearchDirectory { jid, form } => self.search_directory(jid, form).await,
            Command::RunCommand { jid, node, session, action, form } => {
                self.run_command(jid, node, session, action, form).await;
            }
            Command::SetNickname(nickname) => self.set_nickname(nickname).await,
            Command::SetAvatar(avatar) => self.publish_avatar(avatar).await,
            Command::SendRaw(xml) => self.send_raw(&xml).await,
            Command::Shutdown | Command::Forget { .. } => {}
        }
    }
}
