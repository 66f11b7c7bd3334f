//! Files shared in messages, one row per message that carries one.

use super::{Result, Store};
use crate::model::Attachment;
use rusqlite::{Row, Transaction, params};
use std::path::{Path, PathBuf};

pub(super) fn insert(tx: &Transaction<'_>, message_id: i64, attachment: &Attachment) -> Result<()> {
    tx.execute(
        "INSERT OR REPLACE INTO attachments (message_id, url, name, size, mime, local_path)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            message_id,
            attachment.url,
            attachment.name,
            attachment.size.and_then(|s| i64::try_from(s).ok()),
            attachment.mime,
            attachment.local.as_deref().map(path_text),
        ],
    )?;
    Ok(())
}

/// The attachment in a row read with [`super::history::MESSAGE_COLUMNS`]; `None` when the
/// message has none.
pub(super) fn read(row: &Row<'_>) -> rusqlite::Result<Option<Attachment>> {
    let Some(name) = row.get::<_, Option<String>>("name")? else {
        return Ok(None);
    };
    Ok(Some(Attachment {
        url: row.get("url")?,
        name,
        size: row.get::<_, Option<i64>>("size")?.and_then(|s| u64::try_from(s).ok()),
        mime: row.get("mime")?,
        local: row.get::<_, Option<String>>("local_path")?.map(PathBuf::from),
    }))
}

/// Paths are kept as text; a path that is not valid Unicode is stored lossily, which only
/// the cache directory could cause, and then the file is simply fetched again.
fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

impl Store {
    /// Our upload finished: the message now says where the file is, in its body too, which is
    /// what clients without out-of-band data show.
    pub fn set_uploaded(&mut self, message_id: i64, url: &str) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE attachments SET url = ?2 WHERE message_id = ?1",
            params![message_id, url],
        )?;
        tx.execute("UPDATE messages SET body = ?2 WHERE id = ?1", params![message_id, url])?;
        tx.commit()?;
        Ok(())
    }

    /// A download finished: where the copy is and how big it turned out.
    pub fn set_downloaded(&self, message_id: i64, path: &Path, size: u64) -> Result<()> {
        self.conn.execute(
            "UPDATE attachments SET local_path = ?2, size = ?3 WHERE message_id = ?1",
            params![message_id, path_text(path), i64::try_from(size).unwrap_or(i64::MAX)],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::Store;
    use crate::model::{Attachment, ChatId, Delivery, Direction, MessageKind, NewMessage};
    use std::path::PathBuf;

    fn with_file(direction: Direction, attachment: Attachment) -> NewMessage {
        NewMessage {
            chat: ChatId("bob@example.org".into()),
            kind: MessageKind::Message,
            nick: None,
            direction,
            from: "bob@example.org/phone".into(),
            to: "me@example.org".into(),
            body: attachment.url.clone().unwrap_or_default(),
            timestamp: chrono::Utc::now(),
            state: Delivery::Received,
            stanza_id_attr: None,
            origin_id: None,
            server_id: None,
            attachment: Some(attachment),
            author: Default::default(),
            replaces: None,
            reply: None,
            unstyled: false,
        }
    }

    #[test]
    fn a_received_file_is_kept_with_its_message_and_its_download() {
        let mut store = Store::open_in_memory().expect("store");
        let attachment = Attachment {
            url: Some("https://up.example.org/a/cat.png".into()),
            name: "cat.png".into(),
            size: None,
            mime: None,
            local: None,
        };
        let inserted = store
            .insert_messages("me@example.org", &[with_file(Direction::In, attachment.clone())])
            .expect("insert");
        let crate::Inserted::New(message) = &inserted[0] else { panic!("stored") };
        assert_eq!(message.attachment.as_ref(), Some(&attachment));
        store
            .set_downloaded(message.id, &PathBuf::from("/cache/files/x/cat.png"), 42)
            .expect("set");
        let read = store.message(message.id).expect("read").expect("exists");
        let read = read.attachment.expect("attachment");
        assert_eq!(read.local, Some(PathBuf::from("/cache/files/x/cat.png")));
        assert_eq!(read.size, Some(42));
    }

    #[test]
    fn our_file_waits_in_the_outbox_until_uploaded() {
        let mut store = Store::open_in_memory().expect("store");
        let attachment = Attachment {
            url: None,
            name: "report.pdf".into(),
            size: Some(1000),
            mime: Some("application/pdf".into()),
            local: Some(PathBuf::from("/cache/files/y/report.pdf")),
        };
        let mut message = with_file(Direction::Out, attachment);
        message.state = Delivery::Pending;
        message.origin_id = Some("o1".into());
        let queued = store.enqueue("me@example.org", &message, None).expect("enqueue");
        let outbox = store.outbox("me@example.org").expect("outbox");
        assert_eq!(outbox[0].message.attachment.as_ref().and_then(|a| a.url.clone()), None);
        store.set_uploaded(queued.id, "https://up.example.org/b/report.pdf").expect("uploaded");
        let outbox = store.outbox("me@example.org").expect("outbox");
        let sent = &outbox[0].message;
        assert_eq!(sent.body, "https://up.example.org/b/report.pdf");
        assert_eq!(
            sent.attachment.as_ref().and_then(|a| a.url.as_deref()),
            Some("https://up.example.org/b/report.pdf")
        );
    }
}
