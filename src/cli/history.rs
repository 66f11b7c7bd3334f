//! `confab history JID`: a conversation's newest messages from the store, as lines or as JSON
//! (one object per line, for scripts and the tests).

use super::{choose_account, open_store};
use crate::model::parse_bare_jid;
use crate::model::{Direction, Message, MessageKind, Removal};
use crate::paths::Paths;

/// Print the newest `limit` messages of the conversation with `jid`, oldest first.
pub(super) fn print(
    paths: &Paths,
    account: Option<String>,
    jid: &str,
    limit: usize,
    json: bool,
) -> Result<(), String> {
    let account = choose_account(paths, account)?;
    let chat = crate::model::ChatId(parse_bare_jid(jid)?);
    let store = open_store(paths)?;
    let page =
        store.history(&account, &chat, None, limit).map_err(|e| store.locate(e).to_string())?;
    let ids: Vec<i64> = page.messages.iter().map(|m| m.id).collect();
    let reactions = store.reactions(&ids).map_err(|e| store.locate(e).to_string())?;
    for message in &page.messages {
        if json {
            let mut object = message_json(message);
            // {emoji: [who reacted]}, each emoji in the order first given.
            let mut by_emoji = serde_json::Map::new();
            for count in reactions.iter().filter(|(id, _)| *id == message.id).flat_map(|r| &r.1) {
                by_emoji.insert(count.emoji.clone(), serde_json::json!(count.who));
            }
            object["reactions"] = serde_json::Value::Object(by_emoji);
            println!("{object}");
        } else {
            let arrow = if message.direction == Direction::In { "<" } else { ">" };
            let local = message.timestamp.with_timezone(&chrono::Local);
            let answering = message.reply.as_ref().map_or_else(String::new, |reply| {
                let quote = reply.shown_text().unwrap_or("(deleted)").replace('\n', " ");
                format!("(replying to “{quote}”) ")
            });
            println!(
                "{} {arrow} {}: {answering}{}",
                local.format("%Y-%m-%d %H:%M"),
                message.from,
                match &message.kind {
                    MessageKind::Removed(removal) => format!("({})", removal.describe()),
                    _ => message.body.clone(),
                }
            );
        }
    }
    Ok(())
}

/// A reply names what it answers in `"reply_to"`. A removed line stays a `"message"` whose `"removed"` says how (`"retracted"` by its author
/// or `"moderated"`), with the moderator and reason the room gave.
pub(super) fn message_json(message: &Message) -> serde_json::Value {
    let (kind, removed, by, reason) = match &message.kind {
        MessageKind::Removed(Removal::Retracted) => ("message", Some("retracted"), None, None),
        MessageKind::Removed(Removal::Moderated { by, reason }) => {
            ("message", Some("moderated"), by.as_deref(), reason.as_deref())
        }
        kind => (kind.as_str(), None, None, None),
    };
    serde_json::json!({
        "id": message.id,
        "chat": message.chat.as_str(),
        "from": message.from,
        "to": message.to,
        "body": message.body,
        "timestamp": message.timestamp.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "direction": message.direction.as_str(),
        "state": message.state.as_str(),
        "kind": kind,
        "removed": removed,
        "removed_by": by,
        "removed_reason": reason,
        "nick": message.nick,
        "edited": message.edited,
        // XEP-0393 §6: its sender asked that its words not be styled.
        "unstyled": message.unstyled,
        "late": message.late,
        "scheduled_for": message.scheduled_for.map(|t| t.to_rfc3339()),
        "attachment": message.attachment.as_ref().map(|a| serde_json::json!({
            "url": a.url,
            "name": a.name,
            "size": a.size,
            "mime": a.mime,
            "local": a.local,
        })),
        // What the line answers (XEP-0461): the id it named, and the stored line, if here.
        "reply_to": message.reply.as_ref().map(|r| serde_json::json!({
            "id": r.id,
            "to": r.to,
            "quote": r.quote,
            "message_id": r.line.as_ref().map(|line| line.id),
            "text": r.shown_text(),
        })),
    })
}
