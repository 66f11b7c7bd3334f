//! "Send later": when the draft should go out, picked from a few common delays or typed as a
//! local time, in a small menu above the composer. The message then waits in the outbox (the
//! worker sends it when due, or at the next start if Confab was closed meanwhile).

use super::{Event, State, theme};
use chrono::{DateTime, Days, Duration, NaiveDateTime, NaiveTime, TimeZone, Utc};
use iced::widget::{Row, button, column, container, row, text, text_input};
use iced::{Center, Element, Fill, Task};
use std::fmt;

/// The hour "tomorrow morning" means.
const MORNING: NaiveTime = NaiveTime::from_hms_opt(9, 0, 0).expect("a valid time");
/// The longest delay a typed "in N minutes/hours" may ask for: a year.
const MAX_DELAY_MINUTES: i64 = 366 * 24 * 60;

pub(super) const TIME_ID: &str = "send-later-time";

/// The delays offered with one click.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    In10Minutes,
    InAnHour,
    In3Hours,
    TomorrowMorning,
}

const PRESETS: [Preset; 4] =
    [Preset::In10Minutes, Preset::InAnHour, Preset::In3Hours, Preset::TomorrowMorning];

impl Preset {
    fn label(self) -> &'static str {
        match self {
            Self::In10Minutes => "In 10 min",
            Self::InAnHour => "In 1 hour",
            Self::In3Hours => "In 3 hours",
            Self::TomorrowMorning => "Tomorrow 9:00",
        }
    }

    /// When the message goes out, counted from `now` in its time zone.
    pub fn time<Tz: TimeZone>(self, now: &DateTime<Tz>) -> DateTime<Utc> {
        let later = |minutes| now.to_utc() + Duration::minutes(minutes);
        match self {
            Self::In10Minutes => later(10),
            Self::InAnHour => later(60),
            Self::In3Hours => later(180),
            Self::TomorrowMorning => now
                .date_naive()
                .checked_add_days(Days::new(1))
                .and_then(|day| local(&now.timezone(), day.and_time(MORNING)))
                // 9:00 skipped by a clock change: a day from now is close enough.
                .unwrap_or_else(|| later(24 * 60)),
        }
    }
}

/// Why a typed time was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeError {
    Unreadable,
    Past,
    /// Skipped by a clock change (the hour that does not exist when summer time starts).
    NoSuchTime,
}

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Unreadable => "Write a time as 18:30, 2030-12-24 18:30, or in 20 min / in 2 h.",
            Self::Past => "That time has passed.",
            Self::NoSuchTime => "That time does not exist here (the clocks change then).",
        })
    }
}

/// A typed time, local to `now`'s zone: "HH:MM" (today, or tomorrow once it has passed),
/// "YYYY-MM-DD HH:MM", or a delay such as "in 20 min", "2h" or "in 3 hours".
pub fn parse_time<Tz: TimeZone>(
    input: &str,
    now: &DateTime<Tz>,
) -> Result<DateTime<Utc>, TimeError> {
    let input = input.trim().to_lowercase();
    if let Some(minutes) = delay_minutes(&input) {
        return Ok(now.to_utc() + Duration::minutes(minutes));
    }
    let zone = now.timezone();
    if let Ok(time) = NaiveTime::parse_from_str(&input, "%H:%M") {
        let today = now.date_naive().and_time(time);
        let at = local(&zone, today).ok_or(TimeError::NoSuchTime)?;
        if at > now.to_utc() {
            return Ok(at);
        }
        let tomorrow = today.checked_add_days(Days::new(1)).ok_or(TimeError::Unreadable)?;
        return local(&zone, tomorrow).ok_or(TimeError::NoSuchTime);
    }
    let naive = NaiveDateTime::parse_from_str(&input, "%Y-%m-%d %H:%M")
        .map_err(|_| TimeError::Unreadable)?;
    let at = local(&zone, naive).ok_or(TimeError::NoSuchTime)?;
    if at <= now.to_utc() { Err(TimeError::Past) } else { Ok(at) }
}

/// "in 20 min", "20m", "2 hours": the delay in minutes.
fn delay_minutes(input: &str) -> Option<i64> {
    let input = input.strip_prefix("in ").unwrap_or(input).trim();
    let digits = input.find(|c: char| !c.is_ascii_digit()).unwrap_or(input.len());
    let (number, unit) = input.split_at(digits);
    let number: i64 = number.parse().ok()?;
    let minutes = match unit.trim() {
        "m" | "min" | "mins" | "minute" | "minutes" => number,
        "h" | "hr" | "hrs" | "hour" | "hours" => number.checked_mul(60)?,
        _ => return None,
    };
    (1..=MAX_DELAY_MINUTES).contains(&minutes).then_some(minutes)
}

/// A wall-clock time in `zone`; the earlier one when the clocks go back.
fn local<Tz: TimeZone>(zone: &Tz, naive: NaiveDateTime) -> Option<DateTime<Utc>> {
    zone.from_local_datetime(&naive).earliest().map(|t| t.to_utc())
}

/// The open menu: the time being typed, and why the last one was refused.
#[derive(Debug, Default)]
pub(super) struct Menu {
    typed: String,
    error: Option<TimeError>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Toggle,
    Preset(Preset),
    Typed(String),
    /// Schedule for the typed time.
    Submit,
}

impl State {
    pub(super) fn send_later(&mut self, message: Message) -> (Task<super::Message>, Option<Event>) {
        let now = chrono::Local::now();
        let at = match message {
            Message::Toggle => {
                return match self.send_later.take() {
                    Some(_) => (Self::focus_composer(), None),
                    None => {
                        self.send_later = Some(Menu::default());
                        (iced::widget::operation::focus(TIME_ID), None)
                    }
                };
            }
            Message::Typed(typed) => {
                if let Some(menu) = &mut self.send_later {
                    menu.typed = typed;
                    menu.error = None;
                }
                return (Task::none(), None);
            }
            Message::Preset(preset) => preset.time(&now),
            Message::Submit => {
                let Some(menu) = &mut self.send_later else { return (Task::none(), None) };
                match parse_time(&menu.typed, &now) {
                    Ok(at) => at,
                    Err(error) => {
                        menu.error = Some(error);
                        return (Task::none(), None);
                    }
                }
            }
        };
        let body = self.finished_draft();
        if body.is_empty() {
            return (Task::none(), None);
        }
        self.send_later = None;
        self.clear_draft();
        (Self::focus_composer(), Some(Event::SendAt { to: self.chat.clone(), body, at }))
    }

    /// The menu above the composer, while open.
    pub(super) fn send_later_menu(&self) -> Option<Element<'_, super::Message>> {
        let menu = self.send_later.as_ref()?;
        let small = |label| text(label).size(theme::TEXT_SMALL);
        let ready = !self.draft.trim().is_empty();
        let send = |message: Message| ready.then_some(super::Message::SendLater(message));
        let presets = Row::with_children(PRESETS.map(|preset| {
            button(small(preset.label()))
                .style(button::secondary)
                .on_press_maybe(send(Message::Preset(preset)))
                .into()
        }))
        .spacing(theme::SPACE_XS);
        let typed = row![
            text_input("18:30, 2030-12-24 18:30 or in 20 min", &menu.typed)
                .id(TIME_ID)
                .on_input(|typed| super::Message::SendLater(Message::Typed(typed)))
                .on_submit_maybe(send(Message::Submit))
                .size(theme::TEXT_SMALL)
                .width(Fill),
            button(small("Schedule")).on_press_maybe(send(Message::Submit)),
        ]
        .spacing(theme::SPACE_XS)
        .align_y(Center);
        let note = match (&menu.error, ready) {
            (Some(error), _) => {
                text(error.to_string()).size(theme::TEXT_SMALL).style(theme::error_text)
            }
            (None, false) => {
                small("Write the message first, then choose when it goes out.").style(theme::muted)
            }
            (None, true) => small("Local time. It goes out then, or as soon as Confab runs again.")
                .style(theme::muted),
        };
        let panel = column![small("When should it go out?"), presets, typed, note]
            .spacing(theme::SPACE_XS)
            .width(theme::SEND_LATER_WIDTH);
        Some(
            container(container(panel).padding(theme::SPACE_S).style(theme::card))
                .align_right(Fill)
                .into(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::Message as ChatMessage;
    use super::*;
    use crate::model::ChatId;
    use chrono::{FixedOffset, Local};
    use iced::keyboard::key::Named;
    use iced_test::{selector, simulator};

    /// 2030-03-04 15:20 at UTC+2.
    fn afternoon() -> DateTime<FixedOffset> {
        let zone = FixedOffset::east_opt(2 * 3600).expect("an offset");
        zone.with_ymd_and_hms(2030, 3, 4, 15, 20, 0).single().expect("a time")
    }

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().expect("an RFC 3339 time")
    }

    #[test]
    fn typed_times_are_local_and_never_in_the_past() {
        let now = afternoon();
        assert_eq!(parse_time("18:30", &now), Ok(utc("2030-03-04T16:30:00Z")), "later today");
        assert_eq!(parse_time(" 9:05 ", &now), Ok(utc("2030-03-05T07:05:00Z")), "tomorrow");
        assert_eq!(parse_time("2030-12-24 18:00", &now), Ok(utc("2030-12-24T16:00:00Z")));
        assert_eq!(parse_time("2030-03-04 15:00", &now), Err(TimeError::Past));
        assert_eq!(parse_time("in 20 min", &now), Ok(utc("2030-03-04T13:40:00Z")));
        assert_eq!(parse_time("2h", &now), Ok(utc("2030-03-04T15:20:00Z")));
        assert_eq!(parse_time("In 3 Hours", &now), Ok(utc("2030-03-04T16:20:00Z")));
        for nonsense in ["", "soon", "25:00", "in 0 min", "in -5 min", "2030-02-30 10:00"] {
            assert_eq!(parse_time(nonsense, &now), Err(TimeError::Unreadable), "{nonsense:?}");
        }
    }

    #[test]
    fn presets_count_from_now_and_tomorrow_means_nine_local() {
        let now = afternoon();
        assert_eq!(Preset::In10Minutes.time(&now), utc("2030-03-04T13:30:00Z"));
        assert_eq!(Preset::InAnHour.time(&now), utc("2030-03-04T14:20:00Z"));
        assert_eq!(Preset::In3Hours.time(&now), utc("2030-03-04T16:20:00Z"));
        assert_eq!(Preset::TomorrowMorning.time(&now), utc("2030-03-05T07:00:00Z"));
    }

    fn with_draft(draft: &str) -> State {
        let mut state = State::new(ChatId("bob@x".into()));
        let _ = state.update(ChatMessage::Draft(draft.into()));
        let _ = state.update(ChatMessage::SendLater(Message::Toggle));
        state
    }

    fn events(
        state: &mut State,
        act: impl FnOnce(&mut iced_test::Simulator<'_, ChatMessage>),
    ) -> Vec<Event> {
        let messages: Vec<ChatMessage> = {
            let mut ui = simulator(state.view());
            act(&mut ui);
            ui.into_messages().collect()
        };
        messages.into_iter().filter_map(|m| state.update(m).1).collect()
    }

    #[test]
    fn a_preset_schedules_the_draft() {
        let mut state = with_draft("see you at the station");
        let before = Utc::now();
        let events = events(&mut state, |ui| {
            ui.click("In 1 hour").expect("the preset");
        });
        let after = Utc::now();
        let [Event::SendAt { to, body, at }] = events.as_slice() else {
            panic!("one SendAt, not {events:?}")
        };
        assert_eq!((to.as_str(), body.as_str()), ("bob@x", "see you at the station"));
        let hour = Duration::hours(1);
        assert!(before + hour <= *at && *at <= after + hour, "{at} is not an hour from now");
        assert!(state.draft.is_empty() && state.send_later.is_none(), "sent and closed");
    }

    #[test]
    fn a_typed_time_schedules_the_draft_or_says_why_not() {
        let mut state = with_draft("happy new year");
        let refused = events(&mut state, |ui| {
            ui.click(selector::id(TIME_ID)).expect("the time field");
            ui.typewrite("tomorrowish");
            ui.tap_key(Named::Enter);
        });
        assert!(refused.is_empty());
        let mut ui = simulator(state.view());
        ui.find(TimeError::Unreadable.to_string().as_str()).expect("the reason is shown");
        drop(ui);
        let _ = state.update(ChatMessage::SendLater(Message::Typed(String::new())));
        let events = events(&mut state, |ui| {
            ui.click(selector::id(TIME_ID)).expect("the time field");
            ui.typewrite("2099-12-31 23:59");
            ui.click("Schedule").expect("the button");
        });
        let naive = NaiveDateTime::parse_from_str("2099-12-31 23:59", "%Y-%m-%d %H:%M");
        let expected = Local.from_local_datetime(&naive.expect("a time")).earliest();
        let body = "happy new year".to_owned();
        let to = ChatId("bob@x".into());
        let at = expected.expect("a local time").to_utc();
        assert_eq!(events, [Event::SendAt { to, body, at }]);
    }

    #[test]
    fn nothing_is_scheduled_without_a_message() {
        let mut state = with_draft("");
        let events = events(&mut state, |ui| {
            let _ = ui.click("In 10 min");
        });
        assert!(events.is_empty());
        let mut ui = simulator(state.view());
        ui.find("Write the message first, then choose when it goes out.").expect("the hint");
    }
}
