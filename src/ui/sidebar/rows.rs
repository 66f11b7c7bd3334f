//! How each row of the contact list looks: a group or section header with its count, a room
//! with its state or subject, a contact with avatar, presence dot and status, each with its
//! unread badge.

use super::{Message, ROOMS, ROW_HEIGHT, Row, State, UNGROUPED};
use crate::model::{Contact, Room, RoomState, Subscription};
use crate::notify::Unseen;
use crate::ui::pictures::Pictures;
use crate::ui::{theme, widget};
use iced::widget::text::Wrapping;
use iced::widget::{button, column, container, row, space, text};
use iced::{Center, Element, Fill};

impl State {
    pub(super) fn row<'a>(
        &'a self,
        row: &'a Row,
        pictures: &'a Pictures,
        unread: &impl Fn(&str) -> Unseen,
    ) -> Element<'a, Message> {
        match row {
            Row::Header { group, count, collapsed } => {
                let arrow = if *collapsed { "▸" } else { "▾" };
                // A folded group still tells of the messages waiting inside it.
                let hidden =
                    if *collapsed { self.group_unread(group, unread) } else { Unseen::default() };
                let label = format!("{arrow} {group}");
                header_row(label, *count, hidden, Message::ToggleGroup(group.clone()))
            }
            Row::Contact(i) => {
                let contact = &self.contacts[*i];
                self.contact_row(contact, pictures, unread(&contact.jid))
            }
            Row::RoomsHeader { count, collapsed } => {
                let arrow = if *collapsed { "▸" } else { "▾" };
                let hidden = if *collapsed {
                    sum(self.rooms.iter().map(|r| unread(&r.jid)))
                } else {
                    Unseen::default()
                };
                header_row(format!("{arrow} {ROOMS}"), *count, hidden, Message::ToggleRooms)
            }
            Row::Room(i) => self.room_row(&self.rooms[*i], unread(&self.rooms[*i].jid)),
            Row::JoinRoom => button(
                container(text("Join or create a room…").size(theme::TEXT_BODY)).center_y(Fill),
            )
            .on_press(Message::BrowseRooms)
            .style(button::text)
            .padding([theme::SPACE_XS, theme::SPACE_S])
            .width(Fill)
            .height(ROW_HEIGHT)
            .into(),
        }
    }

    /// The unread messages of a group's members, all together.
    fn group_unread(&self, group: &str, unread: &impl Fn(&str) -> Unseen) -> Unseen {
        let members = self.contacts.iter().filter(|c| {
            c.groups.iter().any(|g| g == group) || (c.groups.is_empty() && group == UNGROUPED)
        });
        sum(members.map(|c| unread(&c.jid)))
    }

    fn room_row<'a>(&'a self, room: &'a Room, unread: Unseen) -> Element<'a, Message> {
        let selected = self.selected.as_deref() == Some(room.jid.as_str());
        let name = row![
            text(room.display_name()).size(theme::TEXT_BODY).wrapping(Wrapping::None),
            room.members_only.then(widget::members_only),
        ]
        .spacing(theme::SPACE_XS)
        .align_y(Center);
        conversation_row(
            widget::room_avatar(&room.jid, room.display_name()),
            name,
            room_hint(room),
            unread,
            selected,
            Message::OpenRoom(room.jid.clone()),
        )
    }

    fn contact_row<'a>(
        &'a self,
        contact: &'a Contact,
        pictures: &'a Pictures,
        unread: Unseen,
    ) -> Element<'a, Message> {
        let selected = self.selected.as_deref() == Some(contact.jid.as_str());
        let picture = contact.avatar.as_deref().and_then(|hash| pictures.get(hash));
        let show = self.shown_presence(contact);
        conversation_row(
            widget::avatar(&contact.jid, contact.display_name(), show, picture),
            text(contact.display_name()).size(theme::TEXT_BODY).wrapping(Wrapping::None),
            self.secondary_line(contact),
            unread,
            selected,
            Message::Open(contact.jid.clone()),
        )
    }

    /// Status text, or what stands between us and their presence.
    fn secondary_line<'a>(&'a self, contact: &'a Contact) -> std::borrow::Cow<'a, str> {
        if self.blocked.contains(&contact.jid) {
            return "blocked".into();
        }
        if let Some(status) = contact.presence.status.as_deref() {
            return status.into();
        }
        match contact.subscription {
            Subscription::To | Subscription::Both => contact.jid.as_str().into(),
            _ if contact.ask_subscribe => "request sent, waiting for approval".into(),
            _ => "does not share presence with you".into(),
        }
    }
}

/// A row's name and the line under it, cut where the badge begins: a long address cannot
/// wrap within a fixed-height row (its texts say `Wrapping::None`), and drawn whole it runs
/// under the badge.
/// One conversation in the list, a room's or a contact's: picture, name over a hint line,
/// unread badge, the whole row a button.
fn conversation_row<'a>(
    picture: impl Into<Element<'a, Message>>,
    name: impl Into<Element<'a, Message>>,
    hint: impl text::IntoFragment<'a>,
    unread: Unseen,
    selected: bool,
    open: Message,
) -> Element<'a, Message> {
    let hint = text(hint).size(theme::TEXT_SMALL).style(theme::muted).wrapping(Wrapping::None);
    button(
        row![picture.into(), one_line_each(name, hint.into()), unread_badge(unread)]
            .spacing(theme::SPACE_S)
            .align_y(Center),
    )
    .on_press(open)
    .style(theme::contact_row(selected))
    .padding([theme::SPACE_XS, theme::SPACE_S])
    .width(Fill)
    .height(ROW_HEIGHT)
    .into()
}

fn one_line_each<'a>(
    name: impl Into<Element<'a, Message>>,
    hint: Element<'a, Message>,
) -> Element<'a, Message> {
    container(column![name.into(), hint].spacing(2)).clip(true).width(Fill).into()
}

/// How many unread messages a conversation has, at the end of its row; nothing when none.
/// When one of them names us, the badge says "@" and takes the mention's colour.
fn unread_badge<'a>(unseen: Unseen) -> Option<Element<'a, Message>> {
    let count = crate::notify::badge(unseen.count)?;
    let (label, style): (_, fn(&iced::Theme) -> container::Style) = if unseen.mention {
        (format!("@{count}"), theme::mention_badge)
    } else {
        (count, theme::unread_badge)
    };
    Some(
        container(text(label).size(theme::TEXT_SMALL))
            .padding([0.0, theme::SPACE_XS + 2.0])
            .style(style)
            .into(),
    )
}

fn sum(unseen: impl Iterator<Item = Unseen>) -> Unseen {
    unseen.fold(Unseen::default(), Unseen::plus)
}

/// A section heading that folds its section when clicked, with the unread messages it
/// hides while folded.
fn header_row<'a>(
    label: String,
    count: usize,
    hidden_unread: Unseen,
    toggle: Message,
) -> Element<'a, Message> {
    button(
        container(
            row![
                text(label).size(theme::TEXT_SMALL),
                space::horizontal(),
                text(count.to_string()).size(theme::TEXT_SMALL).style(theme::muted),
                unread_badge(hidden_unread),
            ]
            .spacing(theme::SPACE_S)
            .align_y(Center),
        )
        .center_y(Fill),
    )
    .on_press(toggle)
    .style(button::text)
    .padding([theme::SPACE_XS, theme::SPACE_S])
    .width(Fill)
    .height(ROW_HEIGHT)
    .into()
}

/// Where we stand in a room, or its subject once we are in.
fn room_hint(room: &Room) -> std::borrow::Cow<'_, str> {
    match &room.state {
        RoomState::Joined => match room.subject.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(subject) => subject.lines().next().unwrap_or(subject).into(),
            None => room.jid.as_str().into(),
        },
        RoomState::Joining => "joining…".into(),
        RoomState::Failed(reason) => format!("could not join: {reason}").into(),
        RoomState::Left => "not joined".into(),
    }
}
