//! What the command line accepts: every command and its arguments, as clap reads them.

use super::{account, contacts::ContactCommand, outbox, rooms, search, settings::ConfigCli};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

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
    /// Read or change the settings the window shows, by dotted names (`config list`).
    #[command(subcommand)]
    Config(ConfigCli),
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
