//! The command line: the same worker and store as the window, without the window. Every
//! command takes `--profile`, prints results on stdout, and on failure prints one line on
//! stderr and exits non-zero.

use crate::config::{AccountConfig, Config, TlsMode};
use crate::model::{DiscoQuery, parse_bare_jid};
use crate::paths::Paths;
use crate::secrets::{Secrets, StoredIn};
use crate::store::Store;
use crate::worker::{Command, Event, OutboxAction, RoomCommand};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

mod account;
mod command;
mod console;
mod contacts;
mod disco;
mod driver;
mod export;
mod history;
mod outbox;
mod register;
mod retract;
mod rooms;
mod search;
mod send;
mod sync;

pub use contacts::ContactCommand;
use contacts::{contact_change, roster};
use driver::{Driver, act, act_until, connection_failure};

/// How long `send` waits for the server to acknowledge before giving up (the message stays queued).
const SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// How long `sync` waits to get online and to see queued messages acknowledged; also how long
/// it waits for the next archive page while catching up.
const SYNC_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Parser)]
#[command(name = "confab", version = crate::VERSION, about = "A fast, light XMPP messenger")]
pub struct Cli {
    /// Keep all configuration and data in this directory (also: CONFAB_PROFILE).
    #[arg(long, global = true, value_name = "DIR")]
    pub profile: Option<PathBuf>,
    /// The account to act as, when more than one is configured.
    #[arg(long, global = true, value_name = "JID")]
    pub account: Option<String>,
    #[command(subcommand)]
    pub command: Option<CliCommand>,
}

#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Manage accounts.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Queue a message, connect, and wait until the server has it; or, with `--at`, keep it
    /// in the outbox until that time.
    Send {
        jid: String,
        #[arg(required_unless_present = "file")]
        text: Option<String>,
        /// When to send: RFC 3339 (2026-11-24T18:00:00+01:00) or +10m, +2h, +1d.
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// Upload this file (HTTP File Upload) and send its address instead of a text.
        #[arg(long, value_name = "PATH", conflicts_with_all = ["text", "at"])]
        file: Option<PathBuf>,
    },
    /// Answer a message (XEP-0461): your text goes out with the message named and quoted,
    /// and waits in the outbox like any message if the server cannot be reached.
    Reply {
        /// The conversation: a contact's or a room's address.
        jid: String,
        /// The message's id, as `history --json` shows it.
        message_id: i64,
        text: String,
    },
    /// Take back one of your messages (XEP-0424): its words are removed here and asked to be
    /// removed everywhere else.
    Retract {
        /// The conversation: a contact's or a room's address.
        jid: String,
        /// The message's id, as `history --json` shows it.
        message_id: i64,
    },
    /// Set your reactions on a message (XEP-0444): the emoji given replace your earlier ones;
    /// none takes them all back.
    React {
        /// The conversation: a contact's or a room's address.
        jid: String,
        /// The message's id, as `history --json` shows it.
        message_id: i64,
        /// Your reactions, each one emoji.
        emojis: Vec<String>,
    },
    /// As a room moderator, remove someone's message from the room (XEP-0425).
    Moderate {
        room: String,
        /// The message's id, as `history --json` shows it.
        message_id: i64,
        /// Why, shown to everyone in the room.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Fetch a message's file into the cache and print where it is.
    Download {
        /// The message's id, as `history --json` shows it.
        message_id: i64,
    },
    /// What waits in the outbox (queued and scheduled messages).
    Outbox {
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        action: Option<outbox::OutboxCli>,
    },
    /// Connect, take in what is waiting, stay a while, disconnect cleanly.
    Sync {
        /// Seconds to stay connected after catching up.
        #[arg(long, default_value_t = 2)]
        wait: u64,
    },
    /// Show a conversation from the local store.
    History {
        jid: String,
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Search every conversation kept in the local store, newest first.
    Search(search::SearchArgs),
    /// Write a conversation from the local store into a new folder, with its files.
    Export {
        jid: String,
        /// json, txt or html (one page that opens in any browser, pictures shown).
        #[arg(long, default_value = "html")]
        format: String,
        /// Where the export's folder is made (the current folder by default).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Change the contact list, answer requests, block people.
    #[command(subcommand)]
    Contact(ContactCommand),
    /// Set what others see of you.
    #[command(subcommand)]
    Presence(PresenceCommand),
    /// Show the cached contact list.
    Roster {
        #[arg(long)]
        json: bool,
    },
    /// List the public rooms of a conference service (your server's first one by default).
    Rooms {
        service: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Join a chat room; it is bookmarked and joined again at every start.
    Join {
        room: String,
        #[arg(long)]
        nick: Option<String>,
        /// Read the room's password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Leave a chat room and drop its bookmark (its history stays).
    Leave { room: String },
    /// Invite someone to a room you are in.
    Invite {
        room: String,
        jid: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Create or configure a chat room.
    #[command(subcommand)]
    Room(rooms::RoomCli),
    /// List the ad-hoc commands an address offers, or run one through all its stages
    /// (XEP-0050).
    Command {
        jid: String,
        node: Option<String>,
        /// An answer for the command's forms, `VAR=VALUE` (repeat for more).
        #[arg(long = "field")]
        fields: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Ask any address what it is and does, or what it lists (service discovery, XEP-0030).
    Disco {
        jid: String,
        #[arg(long)]
        node: Option<String>,
        /// List its items (services, rooms, nodes) instead.
        #[arg(long)]
        items: bool,
        /// With --items: the page after this cursor, as the previous page told it.
        #[arg(long, requires = "items")]
        after: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The XML console: send a stanza written by hand.
    #[command(subcommand)]
    Console(ConsoleCommand),
    /// Read someone's public profile, or change your own nickname.
    #[command(subcommand)]
    Profile(ProfileCommand),
}

#[derive(Debug, Subcommand)]
pub enum ConsoleCommand {
    /// Send one message, presence or iq; `xmlns='jabber:client'` may be left out.
    Send { xml: String },
    /// Print the stanzas in (←) and out (→) while connected, passwords hidden.
    Watch {
        /// Only stanzas containing this text (any case).
        #[arg(long)]
        filter: Option<String>,
        /// Stop after this many seconds (otherwise when stopped).
        #[arg(long = "for")]
        seconds: Option<u64>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Print what someone's vCard says (yours when no address is given).
    Show {
        jid: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Publish the nickname others see (an empty one clears it).
    Nickname { nickname: String },
    /// Publish a picture (PNG, JPEG, GIF or WebP) as your avatar, cropped square and scaled.
    Avatar {
        #[arg(required_unless_present = "remove")]
        file: Option<PathBuf>,
        /// Remove your avatar instead.
        #[arg(long, conflicts_with = "file")]
        remove: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum PresenceCommand {
    /// online, chat, away, dnd (do not disturb) or xa (extended away).
    Set {
        show: String,
        #[arg(long)]
        status: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Add an account (or change an existing one).
    Add(AccountAdd),
    /// Create a new account on a server that allows it (XEP-0077), then add it.
    Register(AccountRegister),
    /// Show an account's settings and how its last connection got through.
    Show {
        /// The account (the only one when not given).
        jid: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct AccountRegister {
    #[command(flatten)]
    pub account: AccountAdd,
    /// Answer a field of the server's sign-up form (repeat for several; a terminal is asked
    /// for the rest).
    #[arg(long = "field", value_name = "VAR=VALUE")]
    pub fields: Vec<String>,
}

#[derive(Debug, Args)]
pub struct AccountAdd {
    pub jid: String,
    /// Server host to connect to, skipping SRV look-up.
    #[arg(long)]
    pub host: Option<String>,
    #[arg(long)]
    pub port: Option<u16>,
    /// TLS from the first byte (XEP-0368) instead of STARTTLS.
    #[arg(long)]
    pub direct_tls: bool,
    /// How to reach the server: auto (TCP, else WebSocket where only HTTPS gets out), tcp, or
    /// websocket.
    #[arg(long, value_enum, default_value_t = account::TransportArg::Auto)]
    pub transport: account::TransportArg,
    /// The endpoint: wss://… for --transport websocket, https://… for bosh; with auto,
    /// either, used instead of looking them up in the server's host-meta.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Connect through this proxy: http://[user[:password]@]host:port (CONNECT) or
    /// socks5://…; the password is kept with the account's, not in the settings.
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    /// Extra trusted CA or server certificates (PEM).
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
    /// Trust the server certificate with this SHA-256 fingerprint.
    #[arg(long, value_name = "SHA256")]
    pub trust_fingerprint: Option<String>,
    /// Read the password from standard input instead of prompting.
    #[arg(long)]
    pub password_stdin: bool,
    /// Let Confab send the password itself (SASL PLAIN, inside TLS) to a server that offers
    /// no better login method.
    #[arg(long)]
    pub allow_plain: bool,
    /// Forget the strongest login method this account used, after a server really changed
    /// its methods (otherwise a weaker offer is refused as a possible attack).
    #[arg(long)]
    pub forget_login_method: bool,
}

/// Run a command; the error is the one line shown to the user.
pub fn run(paths: Paths, account: Option<String>, command: CliCommand) -> Result<(), String> {
    match command {
        CliCommand::Account(AccountCommand::Add(add)) => {
            if add.forget_login_method {
                let jid = parse_bare_jid(&add.jid)?;
                let store = open_store(&paths)?;
                for key in crate::worker::STRONGEST_LOGIN {
                    store.delete_state(&jid, key).map_err(|e| store.locate(e).to_string())?;
                }
            }
            let (account, passwords) = account_from_args(add)?;
            save_account(&paths, account, &passwords, "Added")
        }
        CliCommand::Account(AccountCommand::Register(args)) => register::run(&paths, args),
        CliCommand::Account(AccountCommand::Show { jid, json }) => {
            account::show(&paths, jid.or(account), json)
        }
        CliCommand::History { jid, limit, json } => {
            history::print(&paths, account, &jid, limit, json)
        }
        CliCommand::Search(args) => search::run(&paths, account, args),
        CliCommand::Export { jid, format, out } => export::run(&paths, account, &jid, &format, out),
        CliCommand::Roster { json } => roster(&paths, account, json),
        CliCommand::Contact(command) => {
            let change = contact_change(command)?;
            runtime()?.block_on(act(paths, account, Command::Contact(change)))
        }
        CliCommand::Presence(PresenceCommand::Set { show, status }) => {
            let presence = parse_presence(&show, status)?;
            runtime()?.block_on(act(paths, account, Command::SetPresence(presence)))
        }
        CliCommand::Profile(ProfileCommand::Show { jid, json }) => {
            runtime()?.block_on(show_profile(paths, account, jid, json))
        }
        CliCommand::Profile(ProfileCommand::Avatar { file, remove: _ }) => {
            let avatar = match file {
                Some(file) => Some(prepare_avatar(&file)?),
                None => None,
            };
            runtime()?.block_on(act(paths, account, Command::SetAvatar(avatar)))
        }
        CliCommand::Profile(ProfileCommand::Nickname { nickname }) => {
            runtime()?.block_on(act(paths, account, Command::SetNickname(nickname)))
        }
        CliCommand::Command { jid, node, fields, json } => {
            let account = choose_account(&paths, account)?;
            let run = command::Run { jid, node, fields };
            runtime()?.block_on(command::run(paths, account, run, json))
        }
        CliCommand::Disco { jid, node, items, after, json } => {
            let query = if items { DiscoQuery::Items { after } } else { DiscoQuery::Info };
            runtime()?.block_on(disco::show(paths, account, disco::Ask { jid, node, query }, json))
        }
        CliCommand::Rooms { service, json } => {
            runtime()?.block_on(rooms::list(paths, account, service, json))
        }
        CliCommand::Join { room, nick, password_stdin } => {
            let password = if password_stdin { Some(read_password(true)?) } else { None };
            runtime()?.block_on(rooms::join(paths, account, room, nick, password))
        }
        CliCommand::Leave { room } => {
            runtime()?.block_on(act(paths, account, Command::Room(RoomCommand::Leave { room })))
        }
        CliCommand::Invite { room, jid, reason } => {
            let invite = Command::Room(RoomCommand::Invite { room: room.clone(), jid, reason });
            runtime()?.block_on(rooms::in_room(paths, account, room, invite, |event| match event {
                Event::Outcome(result) => Some(result.map(|what| eprintln!("Done: {what}."))),
                _ => None,
            }))
        }
        CliCommand::Room(rooms::RoomCli::Create(args)) => {
            runtime()?.block_on(rooms::create(paths, account, args))
        }
        CliCommand::Room(rooms::RoomCli::Config { room, json }) => {
            runtime()?.block_on(rooms::config(paths, account, room, json))
        }
        CliCommand::Room(rooms::RoomCli::Members { room, affiliation, json }) => {
            runtime()?.block_on(rooms::members(paths, account, room, affiliation, json))
        }
        CliCommand::Room(rooms::RoomCli::Affiliate { room, jid, affiliation, reason }) => {
            let command =
                Command::Room(RoomCommand::SetAffiliation { room, jid, affiliation, reason });
            runtime()?.block_on(act(paths, account, command))
        }
        CliCommand::Console(ConsoleCommand::Send { xml }) => {
            runtime()?.block_on(act(paths, account, Command::SendRaw(xml)))
        }
        CliCommand::Console(ConsoleCommand::Watch { filter, seconds }) => {
            let account = choose_account(&paths, account)?;
            runtime()?.block_on(console::watch(paths, account, console::Watch { filter, seconds }))
        }
        CliCommand::Send { jid, file: Some(file), .. } => {
            runtime()?.block_on(send::send(paths, account, jid, send::Outgoing::File(file)))
        }
        CliCommand::Send { jid, text: Some(text), at: None, .. } => {
            runtime()?.block_on(send::send(paths, account, jid, send::Outgoing::Text(text)))
        }
        CliCommand::Send { jid, text: Some(text), at: Some(at), .. } => {
            let at = outbox::parse_when(&at, chrono::Utc::now())?;
            let to = parse_bare_jid(&jid)?;
            runtime()?.block_on(outbox::send_at(paths, account, to, text, at))
        }
        CliCommand::Send { text: None, file: None, .. } => {
            Err("say what to send: a text, or --file PATH".into())
        }
        CliCommand::Reply { jid, message_id, text } => {
            let reply = send::Outgoing::Reply { message_id, body: text };
            runtime()?.block_on(send::send(paths, account, jid, reply))
        }
        CliCommand::Retract { jid, message_id } => {
            runtime()?.block_on(retract::retract(paths, account, jid, message_id))
        }
        CliCommand::React { jid, message_id, emojis } => {
            runtime()?.block_on(retract::react(paths, account, jid, message_id, emojis))
        }
        CliCommand::Moderate { room, message_id, reason } => {
            runtime()?.block_on(retract::moderate(paths, account, room, message_id, reason))
        }
        CliCommand::Download { message_id } => {
            runtime()?.block_on(send::download(paths, account, message_id))
        }
        CliCommand::Outbox { json, action: None } => outbox::list(&paths, account, json),
        CliCommand::Outbox { action: Some(outbox::OutboxCli::Cancel { id }), .. } => {
            runtime()?.block_on(outbox::change(paths, account, OutboxAction::Cancel(id)))
        }
        CliCommand::Sync { wait } => {
            runtime()?.block_on(sync::sync(paths, account, Duration::from_secs(wait)))
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start: {e}"))
}

fn load_config(paths: &Paths) -> Result<Config, String> {
    Config::load(&paths.config_file()).map_err(|e| e.to_string())
}

/// The account named by `--account`, or the only one configured.
fn choose_account(paths: &Paths, wanted: Option<String>) -> Result<String, String> {
    let config = load_config(paths)?;
    match wanted {
        Some(jid) => {
            let jid = parse_bare_jid(&jid)?;
            config.account(&jid).map(|a| a.jid.clone()).ok_or(format!("unknown account {jid}"))
        }
        None => match config.accounts.as_slice() {
            [] => Err("no account yet; add one with `confab account add JID`".into()),
            [only] => Ok(only.jid.clone()),
            _ => Err("several accounts are configured; choose one with --account JID".into()),
        },
    }
}

/// What `account add` keeps apart from the settings file.
struct Passwords {
    account: String,
    /// The proxy's, when its address carried one.
    proxy: Option<String>,
}

fn account_from_args(add: AccountAdd) -> Result<(AccountConfig, Passwords), String> {
    let jid = parse_bare_jid(&add.jid)?;
    let mut account = AccountConfig::new(&jid);
    account.host = add.host;
    account.port = add.port;
    account.tls = if add.direct_tls { TlsMode::DirectTls } else { TlsMode::Starttls };
    account::set_transport(&mut account, add.transport, add.url)?;
    let proxy = account::set_proxy(&mut account, add.proxy.as_deref())?;
    account.allow_plain = add.allow_plain;
    if let Some(ca) = add.ca_file {
        let ca = std::fs::canonicalize(&ca).map_err(|e| format!("{}: {e}", ca.display()))?;
        account.ca_file = Some(ca);
    }
    account.pinned_certificates.extend(add.trust_fingerprint);
    let password = read_password(add.password_stdin)?;
    Ok((account, Passwords { account: password, proxy }))
}

/// Keep the account in the configuration and its passwords in the keyring (or file).
fn save_account(
    paths: &Paths,
    account: AccountConfig,
    passwords: &Passwords,
    verb: &str,
) -> Result<(), String> {
    let jid = account.jid.clone();
    let secrets = Secrets::new(paths);
    match (&account.proxy, &passwords.proxy) {
        (Some(_), Some(proxy_password)) => {
            secrets.save(&account.proxy_secret(), proxy_password)?;
        }
        (None, _) => secrets.remove(&account.proxy_secret()),
        (Some(_), None) => {}
    }
    let password = &passwords.account;
    let mut config = load_config(paths)?;
    config.upsert_account(account);
    config.save(&paths.config_file()).map_err(|e| e.to_string())?;
    match secrets.save(&jid, password)? {
        StoredIn::Keyring => eprintln!("{verb} {jid}; the password is in the system keyring."),
        StoredIn::File(path) => eprintln!(
            "{verb} {jid}. No system keyring answered, so the password is in {} (readable only by you).",
            path.display()
        ),
    }
    Ok(())
}

fn parse_presence(show: &str, status: Option<String>) -> Result<crate::model::Presence, String> {
    use crate::model::PresenceShow;
    let show = match show {
        "online" | "available" => PresenceShow::Online,
        "chat" => PresenceShow::Chat,
        "away" => PresenceShow::Away,
        "dnd" => PresenceShow::Dnd,
        "xa" => PresenceShow::Xa,
        other => {
            return Err(format!("“{other}” is not a status; use online, chat, away, dnd or xa"));
        }
    };
    Ok(crate::model::Presence { show, status })
}

fn read_password(from_stdin: bool) -> Result<String, String> {
    let password = if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the password: {e}"))?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        rpassword::prompt_password("Password: ")
            .map_err(|e| format!("cannot read the password: {e}"))?
    };
    if password.is_empty() {
        return Err("the password is empty".into());
    }
    Ok(password)
}

fn open_store(paths: &Paths) -> Result<Store, String> {
    Store::open(&paths.database()).map_err(|e| e.to_string())
}

/// A picture made ready to publish as the avatar, or why it cannot be.
fn prepare_avatar(file: &std::path::Path) -> Result<crate::media::PreparedAvatar, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    crate::media::prepare_avatar(&bytes).map_err(|e| format!("{}: {e}", file.display()))
}

async fn show_profile(
    paths: Paths,
    account: Option<String>,
    jid: Option<String>,
    json: bool,
) -> Result<(), String> {
    let account = choose_account(&paths, account)?;
    let jid = jid.unwrap_or_else(|| account.clone());
    let command = Command::FetchProfile { jid: jid.clone() };
    act_until(paths, account, command, |event| match event {
        Event::Profile { jid: answered, profile } if answered == jid => Some(profile.map(|p| {
            if json {
                println!("{}", serde_json::json!({ "jid": jid, "entries": p.entries }));
            } else if p.is_empty() {
                println!("{jid} has not filled in a profile.");
            } else {
                for entry in p.entries {
                    println!("{}: {}", entry.label, entry.value);
                }
            }
        })),
        _ => None,
    })
    .await
}
