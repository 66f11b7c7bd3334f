//! `confab export JID --format json|txt|html [--out DIR]`: a conversation from the store written
//! into a folder of its own, with the files this machine holds beside it (`worker::export`).

use super::{choose_account, open_store};
use crate::export::{Format, Request, export};
use crate::model::{ChatId, parse_bare_jid};
use crate::paths::Paths;
use std::path::PathBuf;

pub(super) fn run(
    paths: &Paths,
    account: Option<String>,
    jid: &str,
    format: &str,
    out: Option<PathBuf>,
) -> Result<(), String> {
    let format: Format = format.parse()?;
    let account = choose_account(paths, account)?;
    let chat = ChatId(parse_bare_jid(jid)?);
    let store = open_store(paths)?;
    let title = title(&store, &account, &chat);
    let into = match out {
        Some(dir) => dir,
        None => std::env::current_dir().map_err(|e| format!("no current folder: {e}"))?,
    };
    let request = Request { account: &account, chat: &chat, title: &title, format, into: &into };
    let exported = export(&store, &request)?;
    println!("{}", exported.file.display());
    eprintln!("{} messages, {} files copied", exported.messages, exported.files);
    Ok(())
}

/// The contact's or room's name, else its address.
fn title(store: &crate::store::Store, account: &str, chat: &ChatId) -> String {
    let contact = store.roster(account).ok().and_then(|contacts| {
        contacts.into_iter().find(|c| c.jid == chat.as_str()).and_then(|c| c.name)
    });
    let room = || {
        store.rooms(account).ok().and_then(|rooms| {
            rooms.into_iter().find(|r| r.jid == chat.as_str()).and_then(|r| r.name)
        })
    };
    contact.or_else(room).unwrap_or_else(|| chat.to_string())
}
