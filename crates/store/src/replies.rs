//! Replies (XEP-0461): a line keeps the id of the line it answers as the replier named it,
//! with the quote they gave. The answered line is found each time the reply is read, not when
//! it is stored: it may come after its reply (an archive page, a late offline message), and it
//! may be corrected or taken back since, which the quote then shows.
//!
//! In a room only the room's stanza-id names a line (occupants choose their own ids, and could
//! pick someone else's); elsewhere the sender's origin-id or stanza `id` does.

use crate::model::{QuotedLine, Reply, quote_of};
use rusqlite::Row;

/// Joined as `q` wherever [`super::history::MESSAGE_COLUMNS`] is read: the answered line.
/// Each lookup is one index probe, made only for lines that are replies.
pub(super) const QUOTED_JOIN: &str = "LEFT JOIN messages q ON q.id = CASE
    WHEN m.reply_id IS NULL THEN NULL
    WHEN m.reply_room THEN (SELECT r.id FROM messages r
        WHERE r.account = m.account AND r.chat = m.chat AND r.server_id = m.reply_id
          AND r.kind = 0)
    ELSE coalesce(
        (SELECT r.id FROM messages r
         WHERE r.account = m.account AND r.chat = m.chat AND r.direction IN (0, 1)
           AND r.origin_id = m.reply_id AND r.kind = 0 ORDER BY r.id DESC LIMIT 1),
        (SELECT r.id FROM messages r
         WHERE r.account = m.account AND r.chat = m.chat AND r.stanza_id_attr = m.reply_id
           AND r.kind = 0 ORDER BY r.id DESC LIMIT 1))
    END";

/// The reply in a row read with [`super::history::MESSAGE_COLUMNS`], if the line is one.
pub(super) fn read(row: &Row<'_>) -> rusqlite::Result<Option<Reply>> {
    let Some(id) = row.get::<_, Option<String>>("reply_id")? else {
        return Ok(None);
    };
    let line = match row.get::<_, Option<i64>>("quoted_id")? {
        Some(quoted) => Some(QuotedLine {
            id: quoted,
            author: match row.get::<_, Option<String>>("quoted_nick")? {
                Some(nick) => nick,
                None => {
                    let sender: String = row.get("quoted_sender")?;
                    sender.split_once('/').map_or(sender.clone(), |(bare, _)| bare.to_owned())
                }
            },
            ours: row.get::<_, i64>("quoted_direction")? == 1,
            body: quote_of(&row.get::<_, String>("quoted_body")?),
            removed: row.get::<_, i64>("quoted_removed")? != 0,
        }),
        None => None,
    };
    Ok(Some(Reply {
        id,
        in_room: row.get("reply_room")?,
        to: row.get("reply_to")?,
        quote: row.get("reply_quote")?,
        line,
    }))
}

#[cfg(test)]
mod tests {
    use crate::Inserted;
    use crate::Store;
    use crate::model::{
        ChatId, Delivery, Direction, Message, MessageKind, NewMessage, Removal, Reply,
    };

    fn line(chat: &str, body: &str, secs: i64, ids: (&str, Option<&str>)) -> NewMessage {
        NewMessage {
            chat: ChatId(chat.into()),
            kind: MessageKind::Message,
            nick: Some("anna".into()),
            direction: Direction::In,
            from: format!("{chat}/anna"),
            to: "me@x".into(),
            body: body.into(),
            timestamp: chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default(),
            state: Delivery::Received,
            stanza_id_attr: Some(ids.0.into()),
            origin_id: Some(ids.0.into()),
            server_id: ids.1.map(str::to_owned),
            attachment: None,
            author: Default::default(),
            replaces: None,
            reply: None,
            unstyled: false,
        }
    }

    fn answering(mut message: NewMessage, id: &str, in_room: bool) -> NewMessage {
        message.reply = Some(Reply {
            id: id.into(),
            in_room,
            to: None,
            quote: Some("what they quoted".into()),
            line: None,
        });
        message
    }

    fn store_lines(store: &mut Store, lines: &[NewMessage]) -> Vec<Message> {
        let inserted = store.insert_messages("me@x", lines).expect("insert");
        inserted
            .into_iter()
            .map(|i| match i {
                Inserted::New(m) => store.message(m.id).expect("read").expect("there"),
                Inserted::Duplicate => panic!("a duplicate"),
            })
            .collect()
    }

    #[test]
    fn a_reply_finds_its_line_when_read_even_if_the_line_came_after_it() {
        let mut store = Store::open_in_memory().expect("store");
        let chat = "anna@x";
        let reply = answering(line(chat, "yes!", 20, ("r1", None)), "o1", false);
        let [stored] = &store_lines(&mut store, &[reply])[..] else { panic!("one") };
        let shown = stored.reply.as_ref().expect("a reply");
        assert_eq!(shown.line, None, "its line is not here yet");
        assert_eq!(shown.shown_text(), Some("what they quoted"));

        let [answered] = &store_lines(&mut store, &[line(chat, "cake?", 10, ("o1", None))])[..]
        else {
            panic!("one")
        };
        let page = store.history("me@x", &ChatId(chat.into()), None, 10).expect("page");
        let reply = page.messages.iter().find_map(|m| m.reply.clone()).expect("the reply");
        let quoted = reply.line.expect("found now");
        assert_eq!(
            (quoted.id, quoted.body.as_str(), quoted.author.as_str()),
            (answered.id, "cake?", "anna")
        );
    }

    #[test]
    fn in_a_room_only_the_rooms_id_names_the_answered_line() {
        let mut store = Store::open_in_memory().expect("store");
        let room = "room@muc.x";
        let lines = [
            line(room, "victim's words", 10, ("chosen", Some("room-1"))),
            answering(line(room, "by origin", 11, ("r1", Some("room-2"))), "chosen", true),
            answering(line(room, "by room id", 12, ("r2", Some("room-3"))), "room-1", true),
        ];
        let stored = store_lines(&mut store, &lines);
        assert_eq!(stored[1].reply.as_ref().and_then(|r| r.line.clone()), None);
        let found = stored[2].reply.as_ref().and_then(|r| r.line.clone()).expect("found");
        assert_eq!(found.id, stored[0].id);
    }

    #[test]
    fn a_line_taken_back_is_no_longer_quoted_and_one_corrected_is_quoted_as_it_reads_now() {
        let mut store = Store::open_in_memory().expect("store");
        let chat = "anna@x";
        let lines = [
            line(chat, "first words", 10, ("o1", None)),
            answering(line(chat, "reply", 11, ("r1", None)), "o1", false),
        ];
        let stored = store_lines(&mut store, &lines);
        store.correct("me@x", chat, "o1", "better words", false, |_, _| true).expect("corrected");
        let reply = store.message(stored[1].id).expect("read").and_then(|m| m.reply);
        assert_eq!(reply.as_ref().and_then(Reply::shown_text), Some("better words"));
        store.remove_line(stored[0].id, &Removal::Retracted).expect("removed");
        let reply = store.message(stored[1].id).expect("read").and_then(|m| m.reply);
        assert_eq!(reply.as_ref().and_then(Reply::shown_text), None);
    }
}
