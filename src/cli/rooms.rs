//! `confab rooms`, `join`, `room create|config`, `invite` and `leave`: chat rooms from the
//! command line. Each connects, does one thing, and reports what the room answered.

use super::{act, act_until, choose_account, read_password};
use crate::model::{Affiliation, ConnectionState, FieldKind, Form, RoomPreset, RoomState};
use crate::paths::Paths;
use crate::worker::{Command, Event, RoomCommand};
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum RoomCli {
    /// Create a room configured for its purpose, and join it.
    Create(CreateArgs),
    /// Print the room's configuration form (owners).
    Config {
        room: String,
        #[arg(long)]
        json: bool,
    },
    /// Print who holds an affiliation in the room, present or not (admins and owners).
    Members {
        room: String,
        /// member, admin, owner or outcast (banned).
        #[arg(long, default_value = "member", value_parser = parse_affiliation)]
        affiliation: Affiliation,
        #[arg(long)]
        json: bool,
    },
    /// Give someone an affiliation by address, present or not: member, admin, owner,
    /// outcast (ban) or none (take it away).
    Affiliate {
        room: String,
        jid: String,
        #[arg(value_parser = parse_affiliation)]
        affiliation: Affiliation,
        #[arg(long)]
        reason: Option<String>,
    },
}

fn parse_affiliation(text: &str) -> Result<Affiliation, String> {
    Affiliation::parse(text)
        .ok_or_else(|| format!("“{text}” is not one of owner, admin, member, outcast, none"))
}

/// Print an affiliation list, one person per line.
pub async fn members(
    paths: Paths,
    account: Option<String>,
    room: String,
    affiliation: Affiliation,
    json: bool,
) -> Result<(), String> {
    let account = choose_account(&paths, account)?;
    let command = Command::Room(RoomCommand::GetAffiliations { room: room.clone(), affiliation });
    act_until(paths, account, command, |event| match event {
        Event::Affiliations { room: answered, list, .. } if answered == room => {
            Some(list.map(|list| {
                for person in list {
                    if json {
                        println!("{}", serde_json::json!(person));
                    } else {
                        let nick = person.nick.map(|n| format!(" ({n})")).unwrap_or_default();
                        let reason = person.reason.map(|r| format!(": {r}")).unwrap_or_default();
                        println!("{}{nick}{reason}", person.jid);
                    }
                }
            }))
        }
        Event::Outcome(Err(why)) => Some(Err(why)),
        _ => None,
    })
    .await
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    pub room: String,
    /// Listed and open to anyone.
    #[arg(long, conflicts_with = "private", required_unless_present = "private")]
    pub public: bool,
    /// Members only, unlisted, addresses visible to members.
    #[arg(long)]
    pub private: bool,
    /// Only people given voice may speak (public rooms).
    #[arg(long, requires = "public")]
    pub moderated: bool,
    #[arg(long)]
    pub name: Option<String>,
    /// Read a room password from standard input (private rooms).
    #[arg(long, requires = "private")]
    pub password_stdin: bool,
}

pub async fn create(paths: Paths, account: Option<String>, args: CreateArgs) -> Result<(), String> {
    let preset = if args.public {
        RoomPreset::Public { moderated: args.moderated }
    } else {
        let password = if args.password_stdin { Some(read_password(true)?) } else { None };
        RoomPreset::Private { password }
    };
    let room = args.room.clone();
    let command = Command::Room(RoomCommand::Create { room, preset, name: args.name });
    act(paths, account, command).await
}

/// Join and wait until the room lets us in (or says why not).
pub async fn join(
    paths: Paths,
    account: Option<String>,
    room: String,
    nick: Option<String>,
    password: Option<String>,
) -> Result<(), String> {
    let account = choose_account(&paths, account)?;
    let command = Command::Room(RoomCommand::Join { room: room.clone(), nick, password });
    act_until(paths, account, command, |event| match event {
        Event::Rooms(rooms) => {
            let state = rooms.into_iter().find(|r| r.jid == room).map(|r| (r.state, r.nick))?;
            match state {
                (RoomState::Joined, nick) => {
                    eprintln!("Done: joined {room} as {nick}; it is joined again at every start.");
                    Some(Ok(()))
                }
                (RoomState::Failed(why), _) => Some(Err(format!("could not join {room}: {why}"))),
                _ => None,
            }
        }
        Event::Outcome(Err(why)) => Some(Err(why)),
        _ => None,
    })
    .await
}

pub async fn list(
    paths: Paths,
    account: Option<String>,
    service: Option<String>,
    json: bool,
) -> Result<(), String> {
    let account = choose_account(&paths, account)?;
    let command = Command::Room(RoomCommand::List { service });
    act_until(paths, account, command, |event| match event {
        Event::PublicRooms { rooms, .. } => Some(rooms.map(|rooms| {
            for room in rooms {
                if json {
                    println!("{}", serde_json::json!(room));
                } else {
                    let people = room.occupants.map(|n| format!(" ({n} in)")).unwrap_or_default();
                    let about = room.description.map(|d| format!(" — {d}")).unwrap_or_default();
                    println!(
                        "{} <{}>{people}{about}",
                        room.name.as_deref().unwrap_or(""),
                        room.jid
                    );
                }
            }
        })),
        _ => None,
    })
    .await
}

/// Print the room's configuration form; joins first, as only occupants may ask.
pub async fn config(
    paths: Paths,
    account: Option<String>,
    room: String,
    json: bool,
) -> Result<(), String> {
    let get = Command::Room(RoomCommand::GetConfig { room: room.clone() });
    in_room(paths, account, room, get, |event| match event {
        Event::RoomConfig { form, .. } => Some(form.map(|form| print_form(&form, json))),
        _ => None,
    })
    .await
}

/// Join `room` (rooms take requests only from occupants), then give the worker `command` and
/// wait until `done` recognises the answer.
pub async fn in_room(
    paths: Paths,
    account: Option<String>,
    room: String,
    command: Command,
    mut done: impl FnMut(Event) -> Option<Result<(), String>>,
) -> Result<(), String> {
    let account = choose_account(&paths, account)?;
    let join = Command::Room(RoomCommand::Join { room: room.clone(), nick: None, password: None });
    let mut driver = super::Driver::start(paths, account)?;
    let deadline = tokio::time::Instant::now() + super::SYNC_CONNECT_TIMEOUT;
    let mut asked = false;
    let outcome = loop {
        let Some(event) = driver.next(deadline).await else {
            break Err("the server did not answer in time".to_owned());
        };
        let next = match event {
            Event::Connection(ConnectionState::Online) if !asked => Some(join.clone()),
            Event::Connection(state) => match super::connection_failure(&state) {
                Some(reason) => break Err(reason),
                None => None,
            },
            Event::Rooms(rooms) if !asked => {
                match rooms.into_iter().find(|r| r.jid == room).map(|r| r.state) {
                    Some(RoomState::Joined) => {
                        asked = true;
                        Some(command.clone())
                    }
                    Some(RoomState::Failed(why)) => {
                        break Err(format!("could not join {room}: {why}"));
                    }
                    _ => None,
                }
            }
            event if asked => match done(event) {
                Some(result) => break result,
                None => None,
            },
            _ => None,
        };
        if let Some(next) = next
            && let Err(e) = driver.handle.send(next)
        {
            break Err(e);
        }
    };
    driver.finish().await;
    outcome
}

pub(super) fn print_form(form: &Form, json: bool) {
    for field in form.fields.iter().filter(|f| !f.var.is_empty()) {
        if json {
            // A false boolean may come with no value at all (Prosody does that): say "0".
            let values = match field.kind {
                FieldKind::Boolean => vec![if field.is_checked() { "1" } else { "0" }.to_owned()],
                _ => field.values.clone(),
            };
            let value =
                serde_json::json!({ "var": field.var, "label": field.label, "values": values });
            println!("{value}");
        } else {
            println!("{} ({}): {}", field.name(), field.var, field.values.join(", "));
        }
    }
}
