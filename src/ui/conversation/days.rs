//! Dates in the conversation: a separator where a new day begins ("Today", "Yesterday",
//! "Tuesday 1 December", "30 November 2025"), and the full date and time when the pointer
//! rests on a message's time, so last week never reads like today.

use super::{Message, theme};
use chrono::{DateTime, Datelike, Local, NaiveDate, Utc};
use iced::widget::{container, row, rule, text, tooltip};
use iced::{Center, Element, Fill};

/// A separator's words for `day`, seen from `today`.
pub(super) fn label(day: NaiveDate, today: NaiveDate) -> String {
    let ago = today.signed_duration_since(day).num_days();
    match ago {
        0 => "Today".into(),
        1 => "Yesterday".into(),
        // Within the last week the weekday is what people remember.
        2..=6 => day.format("%A %-d %B").to_string(),
        _ if day.year() == today.year() => day.format("%A %-d %B").to_string(),
        _ => day.format("%-d %B %Y").to_string(),
    }
}

/// The line that opens a day: its name between two thin rules.
pub(super) fn separator<'a>(day: NaiveDate, today: NaiveDate) -> Element<'a, Message> {
    let name = text(label(day, today)).size(theme::TEXT_SMALL).style(theme::muted);
    row![rule::horizontal(1), container(name).padding([0.0, theme::SPACE_S]), rule::horizontal(1)]
        .align_y(Center)
        .width(Fill)
        .into()
}

/// Where the days change along a conversation told in time order: yields the day to announce
/// before a line, once per day and only forwards, so each separator has a key of its own even
/// when a late line is older than the one before it.
#[derive(Debug, Default)]
pub(super) struct DayBreaks {
    last: Option<NaiveDate>,
}

impl DayBreaks {
    /// The day `at` falls on, in local time, if a separator goes before it.
    pub(super) fn before(&mut self, at: DateTime<Utc>) -> Option<NaiveDate> {
        let day = at.with_timezone(&Local).date_naive();
        if self.last.is_some_and(|last| day <= last) {
            return None;
        }
        self.last = Some(day);
        Some(day)
    }
}

/// `content` (a message's time) with its full date and time shown while the pointer rests on
/// it.
pub(super) fn with_full_date<'a>(
    content: impl Into<Element<'a, Message>>,
    at: DateTime<Utc>,
) -> Element<'a, Message> {
    let full = at.with_timezone(&Local).format("%A %-d %B %Y, %H:%M:%S").to_string();
    let tip =
        container(text(full).size(theme::TEXT_SMALL)).padding(theme::SPACE_XS).style(theme::card);
    tooltip(content, tip, tooltip::Position::Top).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
    }

    #[test]
    fn days_are_named_as_people_say_them() {
        let today = day(2026, 12, 4);
        assert_eq!(label(today, today), "Today");
        assert_eq!(label(day(2026, 12, 3), today), "Yesterday");
        assert_eq!(label(day(2026, 12, 1), today), "Tuesday 1 December");
        assert_eq!(label(day(2026, 3, 5), today), "Thursday 5 March");
        assert_eq!(label(day(2025, 11, 30), today), "30 November 2025");
    }

    #[test]
    fn a_day_is_announced_once_and_only_forwards() {
        use chrono::TimeZone;
        let at = |d: u32, h: u32| {
            Local
                .with_ymd_and_hms(2026, 12, d, h, 0, 0)
                .single()
                .expect("an unambiguous local time")
                .with_timezone(&Utc)
        };
        let mut breaks = DayBreaks::default();
        assert_eq!(breaks.before(at(1, 9)), Some(day(2026, 12, 1)));
        assert_eq!(breaks.before(at(1, 18)), None, "same day");
        assert_eq!(breaks.before(at(3, 8)), Some(day(2026, 12, 3)));
        assert_eq!(breaks.before(at(2, 8)), None, "a late, older line opens no day twice");
        assert_eq!(breaks.before(at(4, 8)), Some(day(2026, 12, 4)));
    }
}
