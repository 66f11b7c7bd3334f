//! `confab roster` and `confab contact ...`: the contact list from the local store, and changes
//! to it (adding, approving, removing, blocking) carried out by the worker.

use super::{choose_account, open_store};
use crate::model::parse_bare_jid;
use crate::paths::Paths;
use crate::worker;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum ContactCommand {
    /// Add a contact and ask to see their presence.
    Add {
        jid: String,
        #[arg(long)]
        name: Option<String>,
        /// A roster group; repeat for several.
        #[arg(long = "group")]
        groups: Vec<String>,
    },
    /// Change a contact's name or groups (the groups given replace the old ones).
    Edit {
        jid: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long = "group")]
        groups: Vec<String>,
    },
    /// Remove a contact; this also cancels presence subscriptions both ways.
    Remove { jid: String },
    /// Let someone who asked see your presence.
    Approve {
        jid: String,
        /// Also ask to see theirs.
        #[arg(long)]
        add_back: bool,
    },
    /// Decline someone's request to see your presence.
    Deny { jid: String },
    /// Block all messages and presence from this address (XEP-0191).
    Block { jid: String },
    /// Lift a block.
    Unblock { jid: String },
}

pub(super) fn contact_change(command: ContactCommand) -> Result<worker::ContactChange, String> {
    use worker::ContactChange as C;
    Ok(match command {
        ContactCommand::Add { jid, name, groups } => {
            C::Add { jid: parse_bare_jid(&jid)?, name, groups }
        }
        ContactCommand::Edit { jid, name, groups } => {
            C::Update { jid: parse_bare_jid(&jid)?, name, groups }
        }
        ContactCommand::Remove { jid } => C::Remove { jid: parse_bare_jid(&jid)? },
        ContactCommand::Approve { jid, add_back } => {
            C::Approve { jid: parse_bare_jid(&jid)?, add_back }
        }
        ContactCommand::Deny { jid } => C::Deny { jid: parse_bare_jid(&jid)? },
        ContactCommand::Block { jid } => C::Block { jid: parse_bare_jid(&jid)? },
        ContactCommand::Unblock { jid } => C::Unblock { jid: parse_bare_jid(&jid)? },
    })
}

pub(super) fn roster(paths: &Paths, account: Option<String>, json: bool) -> Result<(), String> {
    let account = choose_account(paths, account)?;
    let store = open_store(paths)?;
    let failed = |e| store.locate(e).to_string();
    let contacts = store.roster(&account).map_err(failed)?;
    let requests = store.subscription_requests(&account).map_err(failed)?;
    let blocked = store.blocked(&account).map_err(failed)?;
    for contact in &contacts {
        let pending_in = requests.contains(&contact.jid);
        let is_blocked = blocked.contains(&contact.jid);
        if json {
            let value = serde_json::json!({
                "jid": contact.jid,
                "name": contact.name,
                "subscription": contact.subscription.as_str(),
                "pending_out": contact.ask_subscribe,
                "pending_in": pending_in,
                "blocked": is_blocked,
                "groups": contact.groups,
                "presence": contact.presence.show.as_str(),
                "status": contact.presence.status,
                "avatar": contact.avatar,
            });
            println!("{value}");
        } else {
            let status =
                contact.presence.status.as_deref().map(|s| format!(" — {s}")).unwrap_or_default();
            let mut notes = String::new();
            if contact.ask_subscribe {
                notes.push_str(" (request sent)");
            }
            if pending_in {
                notes.push_str(" (asks to see your presence)");
            }
            if is_blocked {
                notes.push_str(" [blocked]");
            }
            println!(
                "{} <{}> [{}]{status}{notes}",
                contact.display_name(),
                contact.jid,
                contact.presence.show.as_str()
            );
        }
    }
    strangers(&contacts, &requests, &blocked, json);
    Ok(())
}

/// Requests and blocks from people who are not in the roster, after the roster itself.
fn strangers(
    contacts: &[crate::model::Contact],
    requests: &[String],
    blocked: &[String],
    json: bool,
) {
    let known = |jid: &&String| contacts.iter().any(|c| &c.jid == *jid);
    let mut others: Vec<&String> = requests.iter().chain(blocked).filter(|j| !known(j)).collect();
    others.sort();
    others.dedup();
    for jid in others {
        let (pending_in, is_blocked) = (requests.contains(jid), blocked.contains(jid));
        if json {
            let value = serde_json::json!({
                "jid": jid, "name": null, "subscription": "none", "pending_out": false,
                "pending_in": pending_in, "blocked": is_blocked, "groups": [],
                "presence": "offline", "status": null,
            });
            println!("{value}");
        } else if pending_in {
            println!("{jid} asks to see your presence (confab contact approve|deny {jid})");
        } else {
            println!("{jid} [blocked]");
        }
    }
}
