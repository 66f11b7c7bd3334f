//! One line of the conversation drawn: a message in its bubble with its time, "edited" when
//! its author corrected it, and for ours where it stands, in words with check marks:
//! pending → sent ✓ → delivered ✓✓ → read ✓✓, or failed with the server's reason and Retry.
//! A scheduled message says when it goes out and offers Edit (in place), Send now and Cancel.
//! A message with a file shows the file (`attachment.rs`) above any words that came with it.

use super::attachment::{self, Files};
use super::body::Body;
use super::{Event, Message, State, days, theme};
use crate::model::{Delivery, Direction, Message as ChatMessage, MessageKind, Removal};
use crate::ui::fonts::{CHECK, ICON_FONT};
use crate::worker::OutboxAction;
use chrono::{DateTime, Datelike, Local, TimeZone};
use iced::widget::{Row, button, column, container, row, text, text_input};
use iced::{Center, Element, Task};

pub(super) const OUTBOX_EDIT_ID: &str = "outbox-edit";

/// The buttons on our messages, and the scheduled message being edited in place.
#[derive(Debug, Clone)]
pub enum OutboxMessage {
    Retry(i64),
    SendNow(i64),
    Cancel(i64),
    Edit(i64),
    EditDraft(String),
    SaveEdit,
    DiscardEdit,
}

/// How a status reads: quietly, in the accent colour (read), or as a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tone {
    Quiet,
    Accent,
    Danger,
}

/// Where one of our messages stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Status {
    pub words: String,
    /// Check marks after the words: one once the server has it, two once it arrived.
    pub checks: usize,
    pub tone: Tone,
}

impl Status {
    fn new(words: impl Into<String>, checks: usize, tone: Tone) -> Self {
        Self { words: words.into(), checks, tone }
    }
}

/// Waiting in the outbox for its time.
pub(super) fn is_scheduled(message: &ChatMessage) -> bool {
    message.state == Delivery::Pending && message.scheduled_for.is_some()
}

/// Our message's state in words, seen from `now` (whose zone the times are told in); `None`
/// for someone else's.
pub(super) fn status<Tz: TimeZone>(message: &ChatMessage, now: &DateTime<Tz>) -> Option<Status>
where
    Tz::Offset: std::fmt::Display,
{
    if message.direction != Direction::Out {
        return None;
    }
    Some(match (&message.state, message.scheduled_for) {
        (Delivery::Pending, Some(at)) if at > now.to_utc() => {
            Status::new(format!("scheduled for {}", when(at, now)), 0, Tone::Quiet)
        }
        (Delivery::Pending, Some(at)) => {
            Status::new(format!("due {}, waiting to go out", when(at, now)), 0, Tone::Quiet)
        }
        (Delivery::Pending, None) => Status::new("pending", 0, Tone::Quiet),
        (Delivery::Sent, _) if message.late => Status::new("sent late", 1, Tone::Quiet),
        (Delivery::Sent, _) => Status::new("sent", 1, Tone::Quiet),
        (Delivery::Delivered, _) => Status::new("delivered", 2, Tone::Quiet),
        (Delivery::Read, _) => Status::new("read", 2, Tone::Accent),
        (Delivery::Failed(reason), _) => Status::new(format!("failed: {reason}"), 0, Tone::Danger),
        (Delivery::Received, _) => return None,
    })
}

/// "18:30" today, "Tue 5 Mar, 09:00" this year, "5 Mar 2031, 09:00" after.
fn when<Tz: TimeZone>(at: DateTime<chrono::Utc>, now: &DateTime<Tz>) -> String
where
    Tz::Offset: std::fmt::Display,
{
    let at = at.with_timezone(&now.timezone());
    let format = if at.date_naive() == now.date_naive() {
        "%H:%M"
    } else if at.year() == now.year() {
        "%a %-d %b, %H:%M"
    } else {
        "%-d %b %Y, %H:%M"
    };
    at.format(format).to_string()
}

/// What a bubble needs besides its message.
pub(super) struct Look<'a> {
    /// Someone else's message in a room, naming us.
    pub highlighted: bool,
    /// The line a search went to, shown in place.
    pub found: bool,
    /// The new text, when this scheduled message is being edited in place.
    pub editing: Option<&'a str>,
    pub now: DateTime<Local>,
    /// What its file, if any, needs.
    pub files: Files<'a>,
    /// Its words, prepared when it came (none with a file and nothing else).
    pub body: Option<&'a Body>,
    /// The question asking to confirm a Delete (ours) or Remove (as a moderator).
    pub removal: Option<Element<'a, Message>>,
    /// Its reactions' chips, and the row of emoji to pick from while it is open.
    pub reactions: Option<Element<'a, Message>>,
    /// The line it answers, quoted above its words (XEP-0461).
    pub answers: Option<Element<'a, Message>>,
}

/// A message; in a room an incoming one is headed by the sender's nickname in its colour.
/// Its row, with what can be done to it, is `line_actions.rs`'s.
pub(super) fn bubble<'a>(message: &'a ChatMessage, mut look: Look<'a>) -> Element<'a, Message> {
    let removal = look.removal.take();
    let answers = look.answers.take();
    let reactions = look.reactions.take();
    let sender = match (&message.direction, message.nick.as_deref()) {
        (Direction::In, Some(nick)) => {
            Some(text(nick).size(theme::TEXT_SMALL).style(theme::nick(nick)))
        }
        _ => None,
    };
    let body: Option<Element<'a, Message>> = match look.editing {
        Some(draft) => Some(
            text_input("The message", draft)
                .id(OUTBOX_EDIT_ID)
                .on_input(|draft| Message::Outbox(OutboxMessage::EditDraft(draft)))
                .on_submit(Message::Outbox(OutboxMessage::SaveEdit))
                .size(theme::TEXT_BODY)
                .into(),
        ),
        None => match &message.kind {
            MessageKind::Removed(removal) => Some(removed(removal)),
            _ => look.body.map(Body::view),
        },
    };
    let file =
        message.attachment.as_ref().map(|file| attachment::attachment(message, file, look.files));
    let content = column![
        sender,
        answers,
        file,
        body,
        meta(message, &look.now),
        actions(message, &look),
        removal,
        reactions
    ]
    .spacing(theme::SPACE_XS / 2.0);
    let style: fn(&iced::Theme) -> container::Style = match message.direction {
        _ if look.found => theme::bubble_found,
        Direction::In if look.highlighted => theme::bubble_mention,
        Direction::In => theme::bubble_in,
        Direction::Out => theme::bubble_out,
    };
    container(content)
        .padding([theme::SPACE_S, theme::SPACE_M])
        .max_width(theme::BUBBLE_MAX_WIDTH)
        .style(style)
        .into()
}

fn removed<'a>(removal: &Removal) -> Element<'a, Message> {
    text(removal.describe()).size(theme::TEXT_BODY).style(theme::muted).into()
}

/// "18:02 · edited · delivered ✓✓": the time (but for a scheduled message, which says when
/// it goes out instead), whether it was corrected or went out late, and where ours stands.
fn meta<'a>(message: &ChatMessage, now: &DateTime<Local>) -> Element<'a, Message> {
    let small = |words: String| text(words).size(theme::TEXT_SMALL);
    let mut parts: Vec<Element<'a, Message>> = Vec::new();
    if !is_scheduled(message) {
        let time = message.timestamp.with_timezone(&Local).format("%H:%M").to_string();
        parts.push(days::with_full_date(small(time).style(theme::muted), message.timestamp));
    }
    if message.edited {
        parts.push(small("edited".into()).style(theme::muted).into());
    }
    // Once it has arrived, it still went out late ("sent late" is the status until then).
    if message.late && message.state != Delivery::Sent {
        parts.push(small("sent late".into()).style(theme::muted).into());
    }
    if let Some(status) = status(message, now) {
        let style: fn(&iced::Theme) -> text::Style = match status.tone {
            Tone::Quiet => theme::muted,
            Tone::Accent => theme::accent_text,
            Tone::Danger => theme::error_text,
        };
        let mut words = row![small(status.words).style(style)].spacing(2).align_y(Center);
        if status.checks > 0 {
            let checks = CHECK.to_string().repeat(status.checks);
            words = words.push(small(checks).font(ICON_FONT).style(style));
        }
        parts.push(words.into());
    }
    let mut line = Row::new().spacing(theme::SPACE_XS).align_y(Center);
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            line = line.push(small("·".into()).style(theme::muted));
        }
        line = line.push(part);
    }
    line.into()
}

/// Retry on a failed message; Edit, Send now and Cancel on a scheduled one (Save and Discard
/// while it is being edited).
fn actions<'a>(message: &ChatMessage, look: &Look<'a>) -> Option<Element<'a, Message>> {
    let id = message.id;
    let action = |label: &'a str, message: OutboxMessage| {
        button(text(label).size(theme::TEXT_SMALL))
            .style(button::secondary)
            .padding([2.0, theme::SPACE_S])
            .on_press(Message::Outbox(message))
    };
    let buttons = if message.direction != Direction::Out {
        return None;
    } else if let Delivery::Failed(_) = message.state {
        row![action("Retry", OutboxMessage::Retry(id))]
    } else if look.editing.is_some() {
        row![action("Save", OutboxMessage::SaveEdit), action("Discard", OutboxMessage::DiscardEdit)]
    } else if is_scheduled(message) {
        row![
            action("Edit", OutboxMessage::Edit(id)),
            action("Send now", OutboxMessage::SendNow(id)),
            action("Cancel", OutboxMessage::Cancel(id)),
        ]
    } else {
        return None;
    };
    Some(buttons.spacing(theme::SPACE_XS).into())
}

impl State {
    pub(super) fn outbox_message(
        &mut self,
        message: OutboxMessage,
    ) -> (Task<Message>, Option<Event>) {
        let action = match message {
            OutboxMessage::Retry(id) => OutboxAction::Retry(id),
            OutboxMessage::SendNow(id) => OutboxAction::SendNow(id),
            OutboxMessage::Cancel(id) => {
                self.outbox_edit.take_if(|(editing, _)| *editing == id);
                OutboxAction::Cancel(id)
            }
            OutboxMessage::Edit(id) => {
                let Some(shown) = self.messages.iter().find(|m| m.id == id) else {
                    return (Task::none(), None);
                };
                self.outbox_edit = Some((id, shown.body.clone()));
                let focus = iced::widget::operation::focus(OUTBOX_EDIT_ID);
                return (
                    focus.chain(iced::widget::operation::move_cursor_to_end(OUTBOX_EDIT_ID)),
                    None,
                );
            }
            OutboxMessage::EditDraft(draft) => {
                if let Some((_, editing)) = &mut self.outbox_edit {
                    *editing = draft;
                }
                return (Task::none(), None);
            }
            OutboxMessage::SaveEdit => {
                let Some((id, draft)) = self.outbox_edit.take() else {
                    return (Task::none(), None);
                };
                let body = draft.trim().to_owned();
                let unchanged = self.messages.iter().any(|m| m.id == id && m.body == body);
                if body.is_empty() {
                    // Nothing left to send: that is Cancel, which the user did not ask for.
                    self.outbox_edit = Some((id, draft));
                    return (Task::none(), None);
                }
                if unchanged {
                    return (Task::none(), None);
                }
                OutboxAction::Edit { id, body }
            }
            OutboxMessage::DiscardEdit => {
                self.outbox_edit = None;
                return (Task::none(), None);
            }
        };
        (Task::none(), Some(Event::Outbox(action)))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::message;
    use super::*;
    use crate::model::ChatId;
    use crate::model::HistoryPage;
    use chrono::{FixedOffset, Utc};
    use iced_test::{selector, simulator};

    fn ours(id: i64, state: Delivery) -> ChatMessage {
        ChatMessage {
            direction: Direction::Out,
            state,
            body: format!("ours {id}"),
            ..message(id, 1000)
        }
    }

    fn showing(messages: Vec<ChatMessage>) -> State {
        let mut state = State::new(ChatId("bob@x".into()));
        state.history(HistoryPage { chat: state.chat.clone(), messages, has_more: false });
        state
    }

    /// Clicks `label` in `state`'s view and feeds the messages back.
    fn events(state: &mut State, label: &str) -> Vec<Event> {
        let messages: Vec<Message> = {
            let mut ui = simulator(state.view());
            ui.click(label).unwrap_or_else(|_| panic!("no {label}"));
            ui.into_messages().collect()
        };
        messages.into_iter().filter_map(|m| state.update(m).1).collect()
    }

    #[test]
    fn our_messages_say_where_they_stand() {
        let now = Utc::now();
        let words = |state| status(&ours(1, state), &now).map(|s| (s.words, s.checks, s.tone));
        assert_eq!(words(Delivery::Pending), Some(("pending".into(), 0, Tone::Quiet)));
        assert_eq!(words(Delivery::Sent), Some(("sent".into(), 1, Tone::Quiet)));
        assert_eq!(words(Delivery::Delivered), Some(("delivered".into(), 2, Tone::Quiet)));
        assert_eq!(words(Delivery::Read), Some(("read".into(), 2, Tone::Accent)));
        let failed = Delivery::Failed("service unavailable".into());
        assert_eq!(words(failed), Some(("failed: service unavailable".into(), 0, Tone::Danger)));
        assert_eq!(status(&message(2, 1000), &now), None, "theirs say nothing");

        let state = showing(vec![
            ours(1, Delivery::Delivered),
            ours(2, Delivery::Read),
            ours(3, Delivery::Sent),
            ChatMessage { late: true, ..ours(4, Delivery::Sent) },
            ChatMessage { late: true, ..ours(5, Delivery::Delivered) },
        ]);
        let mut ui = simulator(state.view());
        for label in ["delivered", "read", "sent", "sent late"] {
            ui.find(label).unwrap_or_else(|_| panic!("{label} is shown"));
        }
        assert!(ui.find("edited").is_err(), "nothing was corrected");
        let corrected = [ours(6, Delivery::Read), message(7, 1000)];
        for message in corrected {
            let state = showing(vec![ChatMessage { edited: true, ..message }]);
            let mut ui = simulator(state.view());
            ui.find("edited").expect("corrected messages say so, ours and theirs");
        }
    }

    #[test]
    fn a_failed_message_says_why_and_retry_queues_it_again() {
        let failed = ours(7, Delivery::Failed("recipient unavailable".into()));
        let mut state = showing(vec![failed]);
        let mut ui = simulator(state.view());
        ui.find("failed: recipient unavailable").expect("the server's reason");
        drop(ui);
        assert_eq!(events(&mut state, "Retry"), [Event::Outbox(OutboxAction::Retry(7))]);
    }

    #[test]
    fn scheduled_times_name_the_day_unless_today() {
        let zone = FixedOffset::east_opt(3600).expect("an offset");
        let now = zone.with_ymd_and_hms(2030, 3, 4, 10, 0, 0).single().expect("a time");
        let at = |text: &str| Some(text.parse::<DateTime<Utc>>().expect("a time"));
        let scheduled = |due| ChatMessage { scheduled_for: due, ..ours(1, Delivery::Pending) };
        let words = |due| status(&scheduled(due), &now).map(|s| s.words);
        assert_eq!(words(at("2030-03-04T17:30:00Z")).as_deref(), Some("scheduled for 18:30"));
        assert_eq!(
            words(at("2030-03-05T08:00:00Z")).as_deref(),
            Some("scheduled for Tue 5 Mar, 09:00")
        );
        assert_eq!(
            words(at("2031-01-02T08:00:00Z")).as_deref(),
            Some("scheduled for 2 Jan 2031, 09:00")
        );
        assert_eq!(
            words(at("2030-03-04T08:00:00Z")).as_deref(),
            Some("due 09:00, waiting to go out")
        );
    }

    #[test]
    fn a_scheduled_message_can_be_sent_now_cancelled_or_edited() {
        let due = Utc::now() + chrono::Duration::hours(2);
        let scheduled =
            ChatMessage { scheduled_for: Some(due), timestamp: due, ..ours(9, Delivery::Pending) };
        let mut state = showing(vec![scheduled]);
        let mut ui = simulator(state.view());
        let label = format!("scheduled for {}", when(due, &Local::now()));
        ui.find(label.as_str()).expect("when it goes out");
        drop(ui);
        assert_eq!(events(&mut state, "Send now"), [Event::Outbox(OutboxAction::SendNow(9))]);
        assert_eq!(events(&mut state, "Cancel"), [Event::Outbox(OutboxAction::Cancel(9))]);
        assert!(events(&mut state, "Edit").is_empty());
        assert_eq!(state.outbox_edit, Some((9, "ours 9".into())), "its text, ready to change");
        let messages: Vec<Message> = {
            let mut ui = simulator(state.view());
            ui.click(selector::id(OUTBOX_EDIT_ID)).expect("the text in place");
            ui.typewrite(", later");
            ui.click("Save").expect("Save");
            ui.into_messages().collect()
        };
        let events: Vec<Event> = messages.into_iter().filter_map(|m| state.update(m).1).collect();
        let body = "ours 9, later".to_owned();
        assert_eq!(events, [Event::Outbox(OutboxAction::Edit { id: 9, body })]);
        assert!(state.outbox_edit.is_none());
    }
}
