//! The people in a room, beside its conversation: grouped by role (moderators, participants,
//! visitors), each with a presence dot and an affiliation badge, searchable, and windowed so
//! a room of thousands scrolls smoothly. Clicking someone opens a small menu: a private
//! message, and whatever our own role and affiliation let us do to them (a kick or a ban
//! asks first).

use super::widget::slot;
use super::windowed::Window;
use super::{theme, widget};
use crate::model::{Affiliation, Moderation, Occupant, Role};
use iced::widget::scrollable::Viewport;
use iced::widget::{
    Column, Row as Line, button, column, container, opaque, responsive, row, space, stack, text,
    text_input,
};
use iced::{Center, Element, Fill, Size};

/// Every row, heading or person, is this tall; the windowing depends on it.
pub const ROW_HEIGHT: f32 = 34.0;
/// Size of an occupant's presence dot.
const DOT_SIZE: f32 = 9.0;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Row {
    Header { role: Role, count: usize },
    Occupant(usize),
}

/// The occupant list of the open room.
#[derive(Debug, Default)]
pub struct State {
    /// In display order: by role, then by name.
    occupants: Vec<Occupant>,
    own_nick: String,
    filter: String,
    rows: Vec<Row>,
    window: Window,
    menu: Option<Menu>,
}

/// The menu open for one occupant.
#[derive(Debug, Clone, PartialEq)]
struct Menu {
    nick: String,
    /// Sent with a kick, a ban or a change of standing; the person is told.
    reason: String,
    /// A kick or a ban waiting for "yes".
    asked: Option<Moderation>,
}

/// What the list and the occupant menu emit.
#[derive(Debug, Clone)]
pub enum Message {
    Filter(String),
    Scrolled(Viewport),
    /// An occupant was clicked: open (or close) their menu.
    Select(String),
    CloseMenu,
    Reason(String),
    PrivateMessage(String),
    /// Do this to the selected occupant; a kick or a ban asks first.
    Moderate(Moderation),
    /// Yes, kick or ban them.
    Confirm,
    /// Not after all.
    CancelAsked,
}

/// What the room must act on.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Open a private chat with this occupant.
    PrivateMessage(String),
    Moderate {
        nick: String,
        action: Moderation,
        reason: Option<String>,
    },
}

impl State {
    /// Who is in the room now, and which of them is us.
    pub fn set(&mut self, mut occupants: Vec<Occupant>, own_nick: &str) {
        occupants.retain(|o| o.role != Role::None);
        occupants.sort_by_cached_key(|o| (o.role, o.nick.to_lowercase()));
        self.occupants = occupants;
        self.own_nick = own_nick.to_owned();
        if self.menu.as_ref().is_some_and(|m| self.occupant(&m.nick).is_none()) {
            self.menu = None;
        }
        self.rebuild();
    }

    /// Which occupant is us, after a change of nickname.
    pub fn set_own(&mut self, own_nick: &str) {
        self.own_nick = own_nick.to_owned();
    }

    pub fn all(&self) -> &[Occupant] {
        &self.occupants
    }

    /// Our own occupant, once the room has told us who we are in it.
    pub fn own(&self) -> Option<&Occupant> {
        self.occupant(&self.own_nick)
    }

    fn occupant(&self, nick: &str) -> Option<&Occupant> {
        self.occupants.iter().find(|o| o.nick == nick)
    }

    /// One heading per role that has someone in it (and matches the search).
    fn rebuild(&mut self) {
        let needle = self.filter.trim().to_lowercase();
        self.rows.clear();
        // The heading of the group being filled: its role and where it is in `rows`.
        let mut current: Option<(Role, usize)> = None;
        for (i, occupant) in self.occupants.iter().enumerate() {
            if !needle.is_empty() && !occupant.nick.to_lowercase().contains(&needle) {
                continue;
            }
            let heading = match current {
                Some((role, at)) if role == occupant.role => at,
                _ => {
                    self.rows.push(Row::Header { role: occupant.role, count: 0 });
                    current = Some((occupant.role, self.rows.len() - 1));
                    self.rows.len() - 1
                }
            };
            if let Some(Row::Header { count, .. }) = self.rows.get_mut(heading) {
                *count += 1;
            }
            self.rows.push(Row::Occupant(i));
        }
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Filter(filter) => {
                self.filter = filter;
                self.window.reset();
                self.rebuild();
            }
            Message::Scrolled(viewport) => self.window.scrolled(viewport),
            Message::Select(nick) => {
                let same = self.menu.as_ref().is_some_and(|m| m.nick == nick);
                self.menu = (!same).then(|| Menu { nick, reason: String::new(), asked: None });
            }
            Message::CloseMenu => self.menu = None,
            Message::Reason(reason) => {
                if let Some(menu) = &mut self.menu {
                    menu.reason = reason;
                }
            }
            Message::PrivateMessage(nick) => {
                self.menu = None;
                return Some(Event::PrivateMessage(nick));
            }
            Message::Moderate(action @ (Moderation::Kick | Moderation::Ban)) => {
                if let Some(menu) = &mut self.menu {
                    menu.asked = Some(action);
                }
            }
            Message::CancelAsked => {
                if let Some(menu) = &mut self.menu {
                    menu.asked = None;
                }
            }
            Message::Confirm => {
                let action = self.menu.as_ref()?.asked?;
                return self.moderate(action);
            }
            Message::Moderate(action) => return self.moderate(action),
        }
        None
    }

    /// Act on the selected occupant, and close their menu.
    fn moderate(&mut self, action: Moderation) -> Option<Event> {
        let menu = self.menu.take()?;
        let reason = Some(menu.reason.trim().to_owned()).filter(|r| !r.is_empty());
        Some(Event::Moderate { nick: menu.nick, action, reason })
    }

    pub fn view(&self) -> Element<'_, Message> {
        let title = text(format!("In the room ({})", self.occupants.len())).size(theme::TEXT_BODY);
        let filter = text_input("Search people", &self.filter)
            .on_input(Message::Filter)
            .size(theme::TEXT_SMALL)
            .padding(theme::SPACE_XS);
        let range = self.window.range(self.rows.len(), ROW_HEIGHT);
        let rows = self.rows[range.clone()].iter().map(|row| self.row(*row));
        let list = Window::view(range, self.rows.len(), ROW_HEIGHT, rows, Message::Scrolled);
        let card = self.menu.as_ref().map(|menu| responsive(|size| self.card_at(menu, size)));
        let list = stack![list, slot(card)];
        container(column![title, filter, list].spacing(theme::SPACE_S))
            .padding(theme::SPACE_S)
            .width(theme::OCCUPANTS_WIDTH)
            .height(Fill)
            .style(theme::side_panel)
            .into()
    }

    fn row(&self, row: Row) -> Element<'_, Message> {
        match row {
            Row::Header { role, count } => container(
                row![
                    text(role_heading(role)).size(theme::TEXT_SMALL),
                    space::horizontal(),
                    text(count.to_string()).size(theme::TEXT_SMALL).style(theme::muted),
                ]
                .align_y(Center),
            )
            .padding([0.0, theme::SPACE_XS])
            .center_y(ROW_HEIGHT)
            .into(),
            Row::Occupant(i) => {
                let occupant = &self.occupants[i];
                let selected = self.menu.as_ref().is_some_and(|m| m.nick == occupant.nick);
                let dot = container(space().width(DOT_SIZE).height(DOT_SIZE))
                    .style(theme::dot(theme::presence_color(occupant.show)));
                let name = text(&occupant.nick)
                    .size(theme::TEXT_BODY)
                    .wrapping(iced::widget::text::Wrapping::None);
                let badge = affiliation_label(occupant.affiliation).map(|label| {
                    container(text(label).size(theme::TEXT_SMALL))
                        .padding([0.0, theme::SPACE_XS])
                        .style(theme::badge)
                });
                button(
                    row![dot, container(name).clip(true).width(Fill), badge]
                        .spacing(theme::SPACE_S)
                        .align_y(Center),
                )
                .on_press(Message::Select(occupant.nick.clone()))
                .style(theme::contact_row(selected))
                .padding([0.0, theme::SPACE_XS])
                .width(Fill)
                .height(ROW_HEIGHT)
                .into()
            }
        }
    }

    /// The occupant's card over the list (`size`), next to their row where it was clicked:
    /// under it in the upper half, above it in the lower half, so it stays in view.
    fn card_at<'a>(&'a self, menu: &'a Menu, size: Size) -> Element<'a, Message> {
        let Some(card) = self.menu_card(menu) else { return Column::new().into() };
        let at = self.rows.iter().position(
            |row| matches!(row, Row::Occupant(i) if self.occupants[*i].nick == menu.nick),
        );
        let top = at.map_or(0.0, |at| self.window.top_of(at, ROW_HEIGHT)).clamp(0.0, size.height);
        if top + ROW_HEIGHT / 2.0 <= size.height / 2.0 {
            column![space().height(top + ROW_HEIGHT), opaque(card)].into()
        } else {
            column![space().height(Fill), opaque(card), space().height(size.height - top)].into()
        }
    }

    /// What can be done about one occupant; `None` once they have left.
    fn menu_card<'a>(&'a self, menu: &'a Menu) -> Option<Element<'a, Message>> {
        let target = self.occupant(&menu.nick)?;
        let small = |label: &'a str| text(label).size(theme::TEXT_SMALL);
        let mut about = vec![role_name(target.role).to_owned()];
        about.extend(affiliation_label(target.affiliation).map(str::to_owned));
        about.extend(target.jid.clone());
        let mut card = column![
            row![
                text(&target.nick).size(theme::TEXT_BODY).width(Fill),
                button(small("×")).style(button::text).on_press(Message::CloseMenu),
            ]
            .align_y(Center),
            text(about.join(" · ")).size(theme::TEXT_SMALL).style(theme::muted),
        ]
        .spacing(theme::SPACE_XS);
        if let Some(status) = &target.status {
            card = card.push(text(status).size(theme::TEXT_SMALL));
        }
        if target.nick == self.own_nick {
            card = card.push(small("This is you.").style(theme::muted));
        } else {
            card = card.push(
                button(small("Private message"))
                    .style(button::secondary)
                    .on_press(Message::PrivateMessage(target.nick.clone())),
            );
        }
        let actions = allowed(self.own(), target);
        if !actions.is_empty() {
            card = card.push(
                text_input("Reason (optional, they are told)", &menu.reason)
                    .on_input(Message::Reason)
                    .size(theme::TEXT_SMALL)
                    .padding(theme::SPACE_XS),
            );
            let buttons = actions.into_iter().map(|action| {
                let style = if matches!(action, Moderation::Kick | Moderation::Ban) {
                    button::danger
                } else {
                    button::secondary
                };
                button(small(moderation_label(action)))
                    .style(style)
                    .on_press(Message::Moderate(action))
                    .into()
            });
            card = card.push(Line::with_children(buttons).spacing(theme::SPACE_XS).wrap());
        }
        if let Some(asked) = menu.asked {
            let nick = &target.nick;
            let (question, action) = match asked {
                Moderation::Ban => (
                    format!("Ban {nick}? They leave the room and cannot come back until unbanned."),
                    format!("Ban {nick}"),
                ),
                _ => (
                    format!("Kick {nick}? They leave the room now; they may come back."),
                    format!("Kick {nick}"),
                ),
            };
            card = card.push(widget::confirm(
                question,
                action,
                Message::Confirm,
                Message::CancelAsked,
            ));
        }
        Some(container(card).padding(theme::SPACE_S).width(Fill).style(theme::card).into())
    }
}

/// What `own` may do to `target` (XEP-0045): moderators kick and give or take voice (§8);
/// admins and owners also ban and change roles and membership (§9); owners make admins
/// and owners (§10). Nobody but an owner acts on an admin or owner, and nobody on
/// themselves or on another owner.
pub fn allowed(own: Option<&Occupant>, target: &Occupant) -> Vec<Moderation> {
    let Some(own) = own else { return Vec::new() };
    if own.nick == target.nick || target.affiliation == Affiliation::Owner {
        return Vec::new();
    }
    let owner = own.affiliation == Affiliation::Owner;
    let admin = owner || own.affiliation == Affiliation::Admin;
    let high = target.affiliation == Affiliation::Admin;
    let mut actions = Vec::new();
    if own.role == Role::Moderator && !high {
        actions.push(Moderation::Kick);
        match target.role {
            Role::Visitor => actions.push(Moderation::GrantVoice),
            Role::Participant => actions.push(Moderation::RevokeVoice),
            Role::Moderator | Role::None => {}
        }
    }
    if admin && (owner || !high) {
        actions.push(Moderation::Ban);
        if target.role != Role::Moderator {
            actions.push(Moderation::GrantModerator);
        } else if !high {
            actions.push(Moderation::RevokeModerator);
        }
        match target.affiliation {
            Affiliation::None => actions.push(Moderation::GrantMembership),
            Affiliation::Member => actions.push(Moderation::RevokeMembership),
            _ => {}
        }
    }
    if owner {
        if !high {
            actions.push(Moderation::GrantAdmin);
        }
        actions.push(Moderation::GrantOwner);
    }
    actions
}

fn moderation_label(action: Moderation) -> &'static str {
    match action {
        Moderation::Kick => "Kick",
        Moderation::Ban => "Ban",
        Moderation::GrantVoice => "Grant voice",
        Moderation::RevokeVoice => "Revoke voice",
        Moderation::GrantModerator => "Grant moderator",
        Moderation::RevokeModerator => "Revoke moderator",
        Moderation::GrantMembership => "Grant membership",
        Moderation::RevokeMembership => "Revoke membership",
        Moderation::GrantAdmin => "Make admin",
        Moderation::GrantOwner => "Make owner",
    }
}

fn role_heading(role: Role) -> &'static str {
    match role {
        Role::Moderator => "Moderators",
        Role::Participant => "Participants",
        Role::Visitor => "Visitors",
        Role::None => "Not in the room",
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Moderator => "moderator",
        Role::Participant => "participant",
        Role::Visitor => "visitor (no voice)",
        Role::None => "not in the room",
    }
}

/// The badge beside a name; nothing for people without standing in the room.
fn affiliation_label(affiliation: Affiliation) -> Option<&'static str> {
    match affiliation {
        Affiliation::Owner => Some("owner"),
        Affiliation::Admin => Some("admin"),
        Affiliation::Member => Some("member"),
        Affiliation::None | Affiliation::Outcast => None,
    }
}

#[cfg(test)]
mod tests;
