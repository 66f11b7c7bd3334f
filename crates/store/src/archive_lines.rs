//! The store's side of putting archive pages in the archive's order (the engine's
//! `archive_order`): finding the lines of a page we had, where a page read forward must end,
//! and moving lines we had to where the archive has them.

use super::history::{encode_direction, millis_to_time};
use super::{Result, Store};
use crate::model::{ChatId, Direction, NewMessage};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use std::collections::HashMap;

/// A stored copy of a line an archive page brings again: which row, when it is shown, and
/// whether it came to us (only those are moved into the archive's order, see [`Store::retime`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StoredLine {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub incoming: bool,
}

impl Store {
    /// The stored copies of `lines` (all of `chat`), for those we have, by index in `lines`:
    /// found by the archive id our server gave them, or by their origin-id in the same
    /// direction (messages we sent, back in the archive). One query for a whole archive page.
    pub fn stored_lines(
        &self,
        account: &str,
        chat: &ChatId,
        lines: &[NewMessage],
    ) -> Result<Vec<Option<StoredLine>>> {
        let server_ids: Vec<&str> = lines.iter().filter_map(|l| l.server_id.as_deref()).collect();
        let origin_ids: Vec<&str> = lines.iter().filter_map(|l| l.origin_id.as_deref()).collect();
        if server_ids.is_empty() && origin_ids.is_empty() {
            return Ok(vec![None; lines.len()]);
        }
        let marks = |n: usize| vec!["?"; n].join(",");
        let mut stmt = self.conn.prepare(&format!(
            "SELECT server_id, origin_id, direction, ts, id FROM messages
             WHERE account = ? AND chat = ?
               AND (server_id IN ({}) OR origin_id IN ({}))",
            marks(server_ids.len()),
            marks(origin_ids.len())
        ))?;
        let mut values: Vec<&dyn rusqlite::ToSql> = vec![&account, &chat.0];
        values.extend(server_ids.iter().map(|id| id as &dyn rusqlite::ToSql));
        values.extend(origin_ids.iter().map(|id| id as &dyn rusqlite::ToSql));
        let mut by_server = HashMap::new();
        let mut by_origin = HashMap::new();
        let rows = stmt.query_map(values.as_slice(), |row| {
            Ok((
                row.get::<_, Option<String>>(0)?,
                row.get::<_, Option<String>>(1)?,
                row.get::<_, i64>(2)?,
                StoredLine {
                    id: row.get(4)?,
                    at: millis_to_time(row.get(3)?),
                    incoming: row.get::<_, i64>(2)? == encode_direction(Direction::In),
                },
            ))
        })?;
        for row in rows {
            let (server_id, origin_id, direction, at) = row?;
            if let Some(id) = server_id {
                by_server.insert(id, at);
            }
            if let Some(id) = origin_id {
                by_origin.insert((direction, id), at);
            }
        }
        Ok(lines
            .iter()
            .map(|line| {
                let server = line.server_id.as_ref().and_then(|id| by_server.get(id));
                let origin = line
                    .origin_id
                    .as_ref()
                    .and_then(|id| by_origin.get(&(encode_direction(line.direction), id.clone())));
                server.or(origin).copied()
            })
            .collect())
    }

    /// The line of `chat` the archive knows as `server_id`, if we have it.
    pub fn archived_line(
        &self,
        account: &str,
        chat: &ChatId,
        server_id: &str,
    ) -> Result<Option<StoredLine>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, ts, direction FROM messages
             WHERE account = ?1 AND chat = ?2 AND server_id = ?3 LIMIT 1",
        )?;
        let found = stmt
            .query_row(params![account, chat.as_str(), server_id], |row| {
                Ok(StoredLine {
                    id: row.get(0)?,
                    at: millis_to_time(row.get(1)?),
                    incoming: row.get::<_, i64>(2)? == encode_direction(Direction::In),
                })
            })
            .optional()?;
        Ok(found)
    }

    /// The time of the first line of `chat` that sorts after time `at` and row `row`, leaving
    /// out rows `passing`: where a page of a room's archive, read forward from that line, must
    /// end, since every other line we have past it came to the room later (`passing` are the
    /// page's own lines we had).
    pub fn next_line_time(
        &self,
        account: &str,
        chat: &ChatId,
        (at, row): (DateTime<Utc>, i64),
        passing: &[i64],
    ) -> Result<Option<DateTime<Utc>>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, ts FROM messages
             WHERE account = ?1 AND chat = ?2 AND (ts, id) > (?3, ?4)
             ORDER BY ts, id LIMIT ?5",
        )?;
        let limit = passing.len() as i64 + 1;
        let rows = stmt
            .query_map(params![account, chat.as_str(), at.timestamp_millis(), row, limit], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
            })?;
        for found in rows {
            let (id, ts) = found?;
            if !passing.contains(&id) {
                return Ok(Some(millis_to_time(ts)));
            }
        }
        Ok(None)
    }

    /// The archive id and time of the oldest message kept of a conversation that came with an
    /// archive id, or of the one with `server_id` when given: where an older page ends.
    pub fn archived_mark(
        &self,
        account: &str,
        chat: &ChatId,
        server_id: Option<&str>,
    ) -> Result<Option<(String, DateTime<Utc>)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT server_id, ts FROM messages
             WHERE account = ?1 AND chat = ?2 AND server_id IS NOT NULL
               AND (?3 IS NULL OR server_id = ?3)
             ORDER BY ts, id LIMIT 1",
        )?;
        let found = stmt
            .query_row(params![account, chat.as_str(), server_id], |row| {
                Ok((row.get::<_, String>(0)?, millis_to_time(row.get(1)?)))
            })
            .optional()?;
        Ok(found)
    }

    /// Give stored messages new times, in one transaction: lines that reached us out of the
    /// order the archive later showed (a server hands over what it kept offline while it
    /// already passes on new messages) move to where the archive has them.
    pub fn retime(&mut self, moves: &[(i64, DateTime<Utc>)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut update = tx.prepare_cached("UPDATE messages SET ts = ?2 WHERE id = ?1")?;
            for (id, at) in moves {
                update.execute(params![id, at.timestamp_millis()])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}
