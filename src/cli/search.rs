//! `confab search QUERY`: every account's history searched from the store, newest first, as lines
//! or as JSON (one object per line, for scripts and the tests).

use super::history::message_json;
use super::{choose_account, open_store};
use crate::model::search::{MAX_HITS, SearchQuery, parse_date};
use crate::model::{ChatId, Direction, parse_bare_jid};
use crate::paths::Paths;
use chrono::Local;

/// What `confab search` was asked, as typed.
#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// The words to find: every one must be in a line; a word finds the words it begins,
    /// accents and case do not matter.
    pub query: String,
    /// Only in the conversation with this contact or room.
    #[arg(long = "in", value_name = "JID")]
    pub chat: Option<String>,
    /// Only lines by this address or room nickname.
    #[arg(long, value_name = "JID")]
    pub from: Option<String>,
    /// Only lines written on or after this day (YYYY-MM-DD, local time) or time (RFC 3339).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only lines written before this day or time.
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only lines that share a picture.
    #[arg(long)]
    pub image: bool,
    /// The most hits shown.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,
}

/// Print the hits, newest first. Without `--account` every account's history is searched.
pub(super) fn run(paths: &Paths, account: Option<String>, args: SearchArgs) -> Result<(), String> {
    if args.limit == 0 || args.limit > MAX_HITS {
        return Err(format!("--limit must be between 1 and {MAX_HITS}"));
    }
    let account = account.map(|jid| choose_account(paths, Some(jid))).transpose()?;
    let query = SearchQuery {
        text: args.query,
        account,
        chat: args.chat.as_deref().map(parse_chat).transpose()?,
        from: args.from,
        since: args.since.as_deref().map(parse_date).transpose()?,
        until: args.until.as_deref().map(parse_date).transpose()?,
        with_image: args.image,
        before: None,
        limit: args.limit,
    };
    let store = open_store(paths)?;
    let results = store.search(&query).map_err(|e| store.locate(e).to_string())?;
    for hit in &results.hits {
        if args.json {
            let mut object = message_json(&hit.message);
            object["account"] = serde_json::Value::from(hit.account.as_str());
            println!("{object}");
        } else {
            let message = &hit.message;
            let arrow = if message.direction == Direction::In { "<" } else { ">" };
            let local = message.timestamp.with_timezone(&Local);
            let who = message.nick.as_deref().unwrap_or(&message.from);
            println!(
                "{} {} {arrow} {who}: {}",
                local.format("%Y-%m-%d %H:%M"),
                message.chat,
                message.body
            );
        }
    }
    if results.more && !args.json {
        eprintln!("(more hits: narrow the search or raise --limit)");
    }
    Ok(())
}

/// A conversation: a bare address, or a room occupant's full one.
fn parse_chat(jid: &str) -> Result<ChatId, String> {
    match jid.split_once('/') {
        Some((bare, nick)) if !nick.is_empty() => {
            Ok(ChatId(format!("{}/{nick}", parse_bare_jid(bare)?)))
        }
        _ => Ok(ChatId(parse_bare_jid(jid)?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conversation_is_a_bare_address_or_an_occupant() {
        assert_eq!(parse_chat("Bob@Example.org").map(|c| c.0), Ok("bob@example.org".into()));
        assert_eq!(
            parse_chat("room@muc.example.org/Ann").map(|c| c.0),
            Ok("room@muc.example.org/Ann".into())
        );
        assert!(parse_chat("not an address").is_err());
    }
}
