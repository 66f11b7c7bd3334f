//! Where a room's catch-up stopped when the connection went or Confab quit (the room's
//! archive id to go on after, and where the lines stored so far end), so the next join goes
//! on from there even after a restart. Without it the next join would ask for what came
//! after the room's newest line, which its history on join had already brought, and the lines
//! in between would never be read.

use super::{Result, Store};
use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;

/// A catch-up cut short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnfinishedCatchUp {
    /// The archive id of the last result taken in.
    pub resume: String,
    /// Where the lines stored so far end: their time and, once stored, their row.
    pub end: Option<(DateTime<Utc>, Option<i64>)>,
}

impl Store {
    /// Keep where `room`'s catch-up stopped, replacing what was kept.
    pub fn keep_unfinished_catch_up(
        &self,
        account: &str,
        room: &str,
        unfinished: &UnfinishedCatchUp,
    ) -> Result<()> {
        let end_ts = unfinished.end.map(|(at, _)| at.timestamp_millis());
        let end_row = unfinished.end.and_then(|(_, row)| row);
        self.conn.execute(
            "INSERT INTO room_catch_ups (account, room, resume, end_ts, end_row)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (account, room) DO UPDATE SET resume = excluded.resume,
                 end_ts = excluded.end_ts, end_row = excluded.end_row",
            (account, room, &unfinished.resume, end_ts, end_row),
        )?;
        Ok(())
    }

    /// Where `room`'s catch-up stopped, if one was cut short.
    pub fn unfinished_catch_up(
        &self,
        account: &str,
        room: &str,
    ) -> Result<Option<UnfinishedCatchUp>> {
        let found = self
            .conn
            .query_row(
                "SELECT resume, end_ts, end_row FROM room_catch_ups
                 WHERE account = ?1 AND room = ?2",
                (account, room),
                |row| {
                    let end_ts: Option<i64> = row.get(1)?;
                    let end = end_ts
                        .and_then(DateTime::from_timestamp_millis)
                        .map(|at| Ok::<_, rusqlite::Error>((at, row.get(2)?)))
                        .transpose()?;
                    Ok(UnfinishedCatchUp { resume: row.get(0)?, end })
                },
            )
            .optional()?;
        Ok(found)
    }

    /// `room`'s catch-up has read everything.
    pub fn catch_up_finished(&self, account: &str, room: &str) -> Result<()> {
        self.conn.execute(
            "DELETE FROM room_catch_ups WHERE account = ?1 AND room = ?2",
            (account, room),
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_catch_up_is_kept_replaced_and_forgotten_when_finished() {
        let store = Store::open_in_memory().expect("store");
        assert_eq!(store.unfinished_catch_up("me@x", "den@muc.x").expect("read"), None);
        let at = DateTime::from_timestamp_millis(1_700_000_000_123).expect("a time");
        let first = UnfinishedCatchUp { resume: "a-50".into(), end: Some((at, Some(7))) };
        store.keep_unfinished_catch_up("me@x", "den@muc.x", &first).expect("kept");
        assert_eq!(store.unfinished_catch_up("me@x", "den@muc.x").expect("read"), Some(first));
        let next = UnfinishedCatchUp { resume: "a-100".into(), end: None };
        store.keep_unfinished_catch_up("me@x", "den@muc.x", &next).expect("kept");
        assert_eq!(store.unfinished_catch_up("me@x", "den@muc.x").expect("read"), Some(next));
        assert_eq!(store.unfinished_catch_up("you@x", "den@muc.x").expect("read"), None);
        store.catch_up_finished("me@x", "den@muc.x").expect("finished");
        assert_eq!(store.unfinished_catch_up("me@x", "den@muc.x").expect("read"), None);
    }
}
