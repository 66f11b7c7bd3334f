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

use crate::model::NewMessage;
use chrono::{DateTime, Duration, Utc};

/// Move each line of `page` new to us (`stored` gives the stored time of those we had, by
/// index) to just
/// before the next line we had, and all of them before `ends_before` when given, if they would
/// otherwise sort after it; and to no earlier than the line ahead of it in the page, or than
/// `after` (where the previous page of the same conversation ended). Lines we had keep their
/// times. Returns where the page ends, the `after` of its next page.
pub(super) fn place_in_archive_order(
    page: &mut [NewMessage],
    stored: &[Option<DateTime<Utc>>],
    ends_before: Option<DateTime<Utc>>,
    after: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    let mut ceiling = ends_before;
    for (line, stored) in page.iter_mut().zip(stored).rev() {
        let at = match stored {
            Some(stored) => *stored,
            None => {
                if let Some(ceiling) = ceiling {
                    line.timestamp = line.timestamp.min(ceiling - Duration::milliseconds(1));
                }
                line.timestamp
            }
        };
        ceiling = Some(ceiling.map_or(at, |c| c.min(at)));
    }
    let mut floor = after;
    for (line, stored) in page.iter_mut().zip(stored) {
        if stored.is_none()
            && let Some(floor) = floor
        {
            line.timestamp = line.timestamp.max(floor);
        }
        floor = Some(stored.unwrap_or(line.timestamp));
    }
    floor
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
        }
    }

    fn at(millis: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(millis).expect("time")
    }

    /// `stored` as the tests give it: the stored times of the lines named.
    fn had(page: &[NewMessage], lines: &[(&str, i64)]) -> Vec<Option<DateTime<Utc>>> {
        let known = |line: &NewMessage| lines.iter().find(|(body, _)| *body == line.body);
        page.iter().map(|line| known(line).map(|(_, ms)| at(*ms))).collect()
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
        let end = place_in_archive_order(&mut first, &known, None, None);
        assert_eq!(end, Some(at(1_004)));
        assert_eq!(first[1].timestamp, at(1_004), "{first:?}");
        assert_eq!(first[2].timestamp, at(1_004), "insertion order keeps 2 after 1: {first:?}");
        let mut next = vec![line("3", at(1_003))];
        let known = had(&next, &[]);
        place_in_archive_order(&mut next, &known, None, end);
        assert_eq!(next[0].timestamp, at(1_004), "{next:?}");
    }
}
