//! The command line: the same worker and store as the window, without the window. Every
//! command takes `--profile`, prints results on stdout, and on failure prints one line on
//! stderr and exits non-zero.

use crate::config::{AccountConfig, Config, TlsMode};
use crate::model::{DiscoQuery, parse_bare_jid};
use crate::paths::Paths;
use crate::secrets::{Secrets, StoredIn};
use crate::store::Store;
use crate::worker::{Command, Event, OutboxAction, RoomCommand};
use std::time::Duration;

mod account;
mod args;
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
mod settings;
mod sync;

pub use args::{
    AccountAdd, AccountCommand, AccountRegister, Cli, CliCommand, ConsoleCommand, PresenceCommand,
    ProfileCommand,
};
pub use contacts::ContactCommand;
use contacts::{contact_change, roster};
use driver::{Driver, act, act_until, connection_failure};

/// How long `send` waits for the server to acknowledge before giving up (the message stays queued).
const SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// How long `sync` waits to get online and to see queued messages acknowledged; also how long
/// it waits for the next archive page while catching up.
const SYNC_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

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
        CliCommand::Config(command) => settings::run(&paths, command),
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
