//! Where lines from an archive go in a conversation. Archives stamp whole seconds (read as the
//! end of their second, see `stanza::delay_time`), while the lines we already have carry their
//! own times, so sorting by time alone would put an archived line after a later line of the
//! same second. A page's lines new to us are therefore moved to just before the next line of
//! the page we had, or before the message the page ends at, keeping the archive's order.
//!
//! The same line can also carry different times from different routes: ejabberd stamps a
//! room's history on join a few milliseconds after the time its archive gives the same line.
//! So a line new to us never goes before the line the page has ahead of it either: it takes at
//! least that line's time, and the store's insertion order keeps it behind.
//!
//! Our own archive meets the same two clocks: a message that comes live while the catch-up is
//! still reading gets our time on arrival, a few milliseconds after the archive's stamp, so the
//! archive's next lines (new to us) would sort before it. The rule above keeps them behind, and
//! `after` carries it from one page to the next.
//!
//! Lines we had can be out of the archive's order too: Prosody hands over what it kept offline
//! while it already passes on new messages, so after a server restart the two reach us
//! interleaved. An incoming line we had that the page shows behind a line sorting after it is
//! moved up to just behind that line (`Placed::retimed`); times are kept to the millisecond and
//! equal times sort by row, so "behind" a new line, or a later row, is one millisecond later.
//! Our own messages keep the time they were written at.

use crate::model::NewMessage;
use crate::store::StoredLine;
use chrono::{DateTime, Duration, Utc};

/// Where a line sorts: its time, then, among equal times, its row (a line not yet stored gets
/// a row after every stored one).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Mark {
    at: DateTime<Utc>,
    row: Option<i64>,
}

impl Mark {
    /// Where a stored line sorts.
    pub(super) fn of(line: &StoredLine) -> Self {
        Self { at: line.at, row: Some(line.id) }
    }

    /// Its time and row, a line not yet stored taken to sort after every line of its time.
    pub(super) fn sort_key(self) -> (DateTime<Utc>, i64) {
        (self.at, self.row.unwrap_or(i64::MAX))
    }

    /// The mark as the store keeps it (`store::UnfinishedCatchUp`), and back.
    pub(super) fn kept(self) -> (DateTime<Utc>, Option<i64>) {
        (self.at, self.row)
    }

    pub(super) fn from_kept((at, row): (DateTime<Utc>, Option<i64>)) -> Self {
        Self { at, row }
    }

    /// The earliest time at which stored row `row` sorts behind this mark.
    fn earliest_behind(self, row: i64) -> DateTime<Utc> {
        match self.row {
            Some(ahead) if ahead < row => self.at,
            _ => self.at + Duration::milliseconds(1),
        }
    }
}

/// What placing a page decided besides the new lines' times.
#[derive(Debug, Default)]
pub(super) struct Placed {
    /// Where the page ends, the `after` of the conversation's next page.
    pub end: Option<Mark>,
    /// Stored incoming lines to move (row, new time), in the page's order.
    pub retimed: Vec<(i64, DateTime<Utc>)>,
}

/// Move each line of `page` new to us (`stored` gives the stored copy of those we had, by
/// index) to just before the next line we had, and all of them before `ends_before` when
/// given, if they would otherwise sort after it; and to no earlier than the line ahead of it in
/// the page, or than `after` (where the previous page of the same conversation ended). Incoming
/// lines we had that sort ahead of a line the page has before them are moved behind it.
pub(super) fn place_in_archive_order(
    page: &mut [NewMessage],
    stored: &[Option<StoredLine>],
    ends_before: Option<DateTime<Utc>>,
    after: Option<Mark>,
) -> Placed {
    let mut ceiling = ends_before;
    for (line, stored) in page.iter_mut().zip(stored).rev() {
        let at = match stored {
            Some(stored) => stored.at,
            None => {
                if let Some(ceiling) = ceiling {
                    line.timestamp = line.timestamp.min(ceiling - Duration::milliseconds(1));
                }
                line.timestamp
            }
        };
        ceiling = Some(ceiling.map_or(at, |c| c.min(at)));
    }
    let mut placed = Placed { end: after, retimed: Vec::new() };
    for (line, stored) in page.iter_mut().zip(stored) {
        let mark = match stored {
            None => {
                if let Some(ahead) = placed.end {
                    line.timestamp = line.timestamp.max(ahead.at);
                }
                Mark { at: line.timestamp, row: None }
            }
            Some(stored) => {
                let mut at = stored.at;
                if let Some(ahead) = placed.end.filter(|_| stored.incoming) {
                    let earliest = ahead.earliest_behind(stored.id);
                    if at < earliest {
                        at = earliest;
                        placed.retimed.push((stored.id, at));
                    }
                }
                Mark { at, row: Some(stored.id) }
            }
        };
        placed.end = Some(mark);
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ChatId, Delivery, Direction, MessageKind};

    fn line(body: &str, at: DateTime<Utc>) -> NewMessage {
        NewMessage {
            chat: ChatId("den@rooms.example".into()),
            kind: MessageKind::Message,
            nick: Some("alice".into()),
            direction: Direction::In,
            from: "den@rooms.example/alice".into(),
            to: String::new(),
            body: body.into(),
            timestamp: at,
            state: Delivery::Received,
            stanza_id_attr: None,
            origin_id: None,
            server_id: None,
            attachment: None,
            author: Default::default(),
            replaces: None,
            reply: None,
            unstyled: false,
        }
    }

    fn at(millis: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(millis).expect("time")
    }

    /// `stored` as the tests give it: the stored times of the incoming lines named, with rows
    /// in the order named (the order they reached us).
    fn had(page: &[NewMessage], lines: &[(&str, i64)]) -> Vec<Option<StoredLine>> {
        let known = |line: &NewMessage| lines.iter().position(|(body, _)| *body == line.body);
        let stored =
            |row: usize| StoredLine { id: row as i64 + 1, at: at(lines[row].1), incoming: true };
        page.iter().map(|line| known(line).map(stored)).collect()
    }

    #[test]
    fn lines_of_the_same_second_go_before_the_page_end_in_order() {
        let mut page =
            vec![line("a", at(900_000)), line("b", at(1_000_999)), line("c", at(1_000_999))];
        let known = had(&page, &[]);
        place_in_archive_order(&mut page, &known, Some(at(1_000_999)), None);
        assert_eq!(page[0].timestamp, at(900_000), "already earlier: kept");
        assert!(page[1].timestamp < page[2].timestamp);
        assert!(page[2].timestamp < at(1_000_999));
    }

    #[test]
    fn new_lines_go_before_the_next_line_we_had_in_the_pages_order() {
        // The archive's second ends at 1.999; the live copy of "c" came in at 1.500.
        let mut page = vec![line("a", at(1_999)), line("b", at(1_999)), line("c", at(1_999))];
        let known = had(&page, &[("c", 1_500)]);
        place_in_archive_order(&mut page, &known, None, None);
        assert!(page[0].timestamp < page[1].timestamp, "{page:?}");
        assert!(page[1].timestamp < at(1_500), "{page:?}");
        assert_eq!(page[2].timestamp, at(1_999), "a line we had is stored as it was");
    }

    #[test]
    fn new_lines_stamped_before_the_known_line_ahead_of_them_follow_it() {
        // ejabberd's history on join stamped "a" and "b" a little later than its archive
        // stamps "c" and "d", which came after them.
        let mut page = vec![
            line("a", at(1_000)),
            line("b", at(1_001)),
            line("c", at(995)),
            line("d", at(997)),
        ];
        let known = had(&page, &[("a", 1_008), ("b", 1_009)]);
        place_in_archive_order(&mut page, &known, None, None);
        assert_eq!(page[2].timestamp, at(1_009), "{page:?}");
        assert_eq!(page[3].timestamp, at(1_009), "insertion order keeps d after c: {page:?}");
    }

    #[test]
    fn new_lines_after_the_last_known_one_keep_their_time() {
        let mut page = vec![line("a", at(1_000)), line("b", at(2_999))];
        let known = had(&page, &[("a", 1_200)]);
        place_in_archive_order(&mut page, &known, None, None);
        assert_eq!(page[1].timestamp, at(2_999));
        let mut early = vec![line("a", at(500)), line("b", at(2_999))];
        let known = had(&early, &[("b", 2_000)]);
        place_in_archive_order(&mut early, &known, None, None);
        assert_eq!(early[0].timestamp, at(500), "already earlier: kept");
    }

    #[test]
    fn a_live_line_ahead_of_new_ones_keeps_them_behind_across_pages() {
        // "0" came live at 1.004 (our clock); the archive stamps "0".."3" a millisecond apart
        // from 1.000, and "3" arrives on the next page.
        let mut first = vec![line("0", at(1_000)), line("1", at(1_001)), line("2", at(1_002))];
        let known = had(&first, &[("0", 1_004)]);
        let end = place_in_archive_order(&mut first, &known, None, None).end;
        assert_eq!(end, Some(Mark { at: at(1_004), row: None }));
        assert_eq!(first[1].timestamp, at(1_004), "{first:?}");
        assert_eq!(first[2].timestamp, at(1_004), "insertion order keeps 2 after 1: {first:?}");
        let mut next = vec![line("3", at(1_003))];
        let known = had(&next, &[]);
        place_in_archive_order(&mut next, &known, None, end);
        assert_eq!(next[0].timestamp, at(1_004), "{next:?}");
    }

    #[test]
    fn lines_kept_offline_that_came_between_newer_live_ones_are_put_back_in_order() {
        // "1" and "2" were kept offline and came interleaved with the live "3" and "4", after
        // "3" (rows 2, 3, 4, 5: "3", "1", "4", "2"); the archive has them in order.
        let mut page = vec![line("0", at(0)), line("1", at(0)), line("2", at(0))];
        page.extend([line("3", at(0)), line("4", at(0))]);
        let known =
            had(&page, &[("0", 1_000), ("3", 1_000), ("1", 1_001), ("4", 1_001), ("2", 1_002)]);
        let placed = place_in_archive_order(&mut page, &known, None, None);
        let row = |body: &str| known[page.iter().position(|l| l.body == body).expect("line")];
        let id = |body: &str| row(body).expect("stored").id;
        assert_eq!(
            placed.retimed,
            [(id("3"), at(1_003)), (id("4"), at(1_003))],
            "\"3\" goes behind \"2\" (a later row, so a millisecond later); \"4\" behind \"3\""
        );
        assert_eq!(placed.end, Some(Mark { at: at(1_003), row: Some(id("4")) }));
    }

    #[test]
    fn a_line_we_had_goes_behind_new_lines_placed_at_its_time() {
        // "a" and "c" came live in the same millisecond; the archive has "b" between them.
        let mut page = vec![line("a", at(0)), line("b", at(0)), line("c", at(0))];
        let known = had(&page, &[("a", 1_000), ("c", 1_000)]);
        let placed = place_in_archive_order(&mut page, &known, None, None);
        assert_eq!(page[1].timestamp, at(1_000), "b stays with a, stored after it");
        let c = known[2].expect("stored").id;
        assert_eq!(placed.retimed, [(c, at(1_001))], "c follows b");
    }

    #[test]
    fn our_own_lines_keep_the_time_they_were_written_at() {
        let mut page = vec![line("theirs", at(0)), line("ours", at(0))];
        let mut known = had(&page, &[("theirs", 2_000), ("ours", 1_000)]);
        if let Some(ours) = known[1].as_mut() {
            ours.incoming = false;
        }
        let placed = place_in_archive_order(&mut page, &known, None, None);
        assert!(placed.retimed.is_empty(), "{:?}", placed.retimed);
    }

    #[test]
    fn lines_in_order_stay_where_they_are() {
        let mut page = vec![line("a", at(0)), line("b", at(0)), line("c", at(0))];
        let known = had(&page, &[("a", 1_000), ("b", 1_000), ("c", 1_005)]);
        let placed = place_in_archive_order(&mut page, &known, None, None);
        assert!(placed.retimed.is_empty(), "{:?}", placed.retimed);
    }

    #[test]
    fn a_pages_first_line_we_had_goes_behind_where_the_last_page_ended() {
        let mut page = vec![line("a", at(0))];
        let known = had(&page, &[("a", 1_000)]);
        let after = Some(Mark { at: at(2_000), row: None });
        let placed = place_in_archive_order(&mut page, &known, None, after);
        assert_eq!(placed.retimed, [(1, at(2_001))]);
    }
}
