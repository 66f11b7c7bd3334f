//! How the browser looks: the address bar, the tree of lists on the left (only rows that match
//! the filter and their parents, at most [`MAX_ROWS`]), the chosen entity on the right.

use super::actions::{self, Action};
use super::{
    ADDRESS_ID, Entity, Key, ListState, Load, MAX_DEPTH, MAX_ROWS, Message, Panel, State, features,
};
use crate::model::format_size;
use crate::model::{EntityInfo, Form};
use crate::ui::theme;
use iced::widget::{
    Column, button, column, container, row, rule, scrollable, space, text, text_input, tooltip,
};
use iced::{Center, Element, Fill, FillPortion};
use std::collections::HashSet;

/// Features drawn for one entity; the engine keeps up to 2,000.
const MAX_FEATURES_DRAWN: usize = 300;
const INDENT: f32 = 16.0;

/// Where the walk over the tree is: the entities on the way down, and those already opened.
struct Walk<'a> {
    path: HashSet<&'a Key>,
    expanded: HashSet<&'a Key>,
}

/// One row of the tree as drawn.
struct Row<'a> {
    key: &'a Key,
    entity: &'a Entity,
    depth: usize,
}

impl State {
    pub fn view(&self) -> Element<'_, Message> {
        let title = row![
            text("Service discovery").size(theme::TEXT_TITLE).width(Fill),
            button(text("Close").size(theme::TEXT_SMALL))
                .style(button::secondary)
                .on_press(Message::Close),
        ]
        .align_y(Center);
        let bar = row![
            text_input("Address: a server, service, room or person", &self.address)
                .id(ADDRESS_ID)
                .on_input(Message::Address)
                .on_submit(Message::Go)
                .width(FillPortion(3)),
            text_input("Node (optional)", &self.node)
                .on_input(Message::Node)
                .on_submit(Message::Go)
                .width(FillPortion(2)),
            button("Discover").on_press(Message::Go),
        ]
        .spacing(theme::SPACE_S)
        .align_y(Center);
        let tree = column![
            text_input("Filter the list", &self.filter).on_input(Message::Filter),
            scrollable(self.tree()).height(Fill),
        ]
        .spacing(theme::SPACE_S)
        .width(FillPortion(2));
        let details = scrollable(container(self.details()).padding(theme::SPACE_S))
            .height(Fill)
            .width(FillPortion(3));
        let panes = row![tree, rule::vertical(1), details].spacing(theme::SPACE_S).height(Fill);
        column![title, bar, panes].spacing(theme::SPACE_M).padding(theme::SPACE_M).into()
    }

    fn tree(&self) -> Element<'_, Message> {
        let Some(root) = &self.root else {
            return text("Type an address above.").style(theme::muted).into();
        };
        let needle = self.filter.trim().to_lowercase();
        let mut rows = Vec::new();
        let mut walk = Walk { path: HashSet::new(), expanded: HashSet::new() };
        self.collect(root, 0, &needle, &mut walk, &mut rows);
        let more = rows.len() > MAX_ROWS;
        let mut list = Column::new().spacing(2);
        for row in rows.into_iter().take(MAX_ROWS) {
            list = list.push(self.row(row));
        }
        if more {
            let note = "More rows than are shown: filter the list to find them.";
            list = list.push(text(note).size(theme::TEXT_SMALL).style(theme::muted));
        }
        if self.full {
            let note = "The list is too long to keep more; filter or start from a deeper address.";
            list = list.push(text(note).size(theme::TEXT_SMALL).style(theme::muted));
        }
        list.into()
    }

    /// The rows of `key`'s subtree that match `needle` (with the rows above them), skipping
    /// anything already on the way down so a list that contains itself ends. An entity listed
    /// in several places opens only in the first, and the walk stops one row past what is
    /// drawn, so lists that share their entries cannot multiply the work.
    fn collect<'a>(
        &'a self,
        key: &'a Key,
        depth: usize,
        needle: &str,
        walk: &mut Walk<'a>,
        rows: &mut Vec<Row<'a>>,
    ) -> bool {
        let Some(entity) = self.entities.get(key) else { return false };
        if depth > MAX_DEPTH || rows.len() > MAX_ROWS || !walk.path.insert(key) {
            return false;
        }
        let at = rows.len();
        rows.push(Row { key, entity, depth });
        let mut below = false;
        if entity.open && walk.expanded.insert(key) {
            for child in &entity.items.children {
                below |= self.collect(child, depth + 1, needle, walk, rows);
            }
        }
        walk.path.remove(key);
        let matches = needle.is_empty() || depth == 0 || mentions(key, entity, needle);
        if !matches && !below {
            rows.truncate(at);
        }
        matches || below
    }

    fn row<'a>(&'a self, row: Row<'a>) -> Element<'a, Message> {
        let Row { key, entity, depth } = row;
        let opener: Element<'a, Message> = match &entity.items.state {
            ListState::Complete if entity.items.children.is_empty() => {
                space::horizontal().width(24).into()
            }
            _ => button(text(if entity.open { "▾" } else { "▸" }).size(theme::TEXT_SMALL))
                .style(button::text)
                .width(24)
                .on_press(Message::Toggle(key.clone()))
                .into(),
        };
        let chosen = self.selected.as_ref() == Some(key);
        let label = button(text(label(key, entity)).size(theme::TEXT_BODY))
            .style(if chosen { button::primary } else { button::text })
            .on_press(Message::Select(key.clone()));
        let line =
            row![space::horizontal().width(INDENT * depth as f32), opener, label].align_y(Center);
        let status: Option<Element<'a, Message>> = match &entity.items.state {
            _ if !entity.open => None,
            ListState::Asked(_) => Some(quiet("Listing…")),
            ListState::Failed(why) => {
                Some(text(why.as_str()).size(theme::TEXT_SMALL).style(theme::error_text).into())
            }
            ListState::More(_) => Some(
                button(text("Load more").size(theme::TEXT_SMALL))
                    .style(button::text)
                    .on_press(Message::LoadMore(key.clone()))
                    .into(),
            ),
            ListState::Cut => Some(quiet("It has more than it sends.")),
            ListState::Complete if entity.items.children.is_empty() => {
                Some(quiet("It lists nothing."))
            }
            ListState::Complete | ListState::Unasked => None,
        };
        match status {
            Some(status) => {
                let indent = INDENT * (depth + 1) as f32 + 24.0;
                column![line, row![space::horizontal().width(indent), status]].into()
            }
            None => line.into(),
        }
    }

    fn details(&self) -> Element<'_, Message> {
        if let Some(panel) = &self.panel {
            let (name, body) = match panel {
                Panel::Command(runner) => {
                    (runner.name().to_owned(), runner.view().map(Message::Command))
                }
                Panel::Registration(registration) => (
                    format!("Register with {}", registration.jid()),
                    registration.view().map(Message::Registration),
                ),
                Panel::Search(search) => {
                    (format!("Search {}", search.jid()), search.view().map(Message::Search))
                }
            };
            let title = row![
                text(name).size(theme::TEXT_TITLE).width(Fill),
                button(text("Close").size(theme::TEXT_SMALL))
                    .style(button::secondary)
                    .on_press(Message::ClosePanel),
            ]
            .align_y(Center);
            return column![title, body].spacing(theme::SPACE_S).into();
        }
        let Some((key, entity)) =
            self.selected.as_ref().and_then(|key| Some((key, self.entities.get(key)?)))
        else {
            return space::vertical().into();
        };
        let heading = row![
            text(label(key, entity)).size(theme::TEXT_TITLE).width(Fill),
            button(text("Ask again").size(theme::TEXT_SMALL))
                .style(button::secondary)
                .on_press(Message::Refresh),
        ]
        .align_y(Center);
        let address = match &key.node {
            Some(node) => format!("{} — node {node}", key.jid),
            None => key.jid.clone(),
        };
        let top = column![heading, text(address).size(theme::TEXT_SMALL).style(theme::muted)];
        let body: Element<'_, Message> = match &entity.info {
            Load::Unasked | Load::Asked(_) => quiet("Asking…"),
            Load::Failed(why) => text(why.as_str()).style(theme::error_text).into(),
            Load::Got(info) => {
                let command = self.listed_as_command(key);
                let offered = actions::offered(key, info, entity.name.as_deref(), command);
                described(info, offered)
            }
        };
        column![top, body].spacing(theme::SPACE_M).into()
    }
}

/// What an entity is and does, with what can be done with it.
fn described(info: &EntityInfo, offered: Vec<Action>) -> Element<'_, Message> {
    let mut page = Column::new().spacing(theme::SPACE_M);
    let buttons = offered.into_iter().map(|action| {
        let label = action.label();
        button(text(label).size(theme::TEXT_SMALL))
            .style(button::secondary)
            .on_press(Message::Act(action))
            .into()
    });
    page = page.push(iced::widget::Row::with_children(buttons).spacing(theme::SPACE_S).wrap());
    let mut what = Column::new().spacing(2);
    for identity in &info.identities {
        let name = identity.name.as_deref().map(|n| format!(" — {n}")).unwrap_or_default();
        what = what.push(text(format!("{} ({}){name}", identity.category, identity.kind)));
    }
    if let Some(limit) = actions::upload_limit(info) {
        what = what.push(text(format!("Takes files up to {}.", format_size(limit))));
    }
    page = page.push(section("Is", what.into()));
    let mut named = Column::new().spacing(2);
    let lines = features::lines(&info.features);
    let count = lines.len();
    for line in lines.into_iter().take(MAX_FEATURES_DRAWN) {
        let words = if line.named {
            text(line.words)
        } else {
            text(line.words).size(theme::TEXT_SMALL).style(theme::muted)
        };
        named = named.push(tooltip(
            words,
            container(text(line.raw).size(theme::TEXT_SMALL))
                .padding(theme::SPACE_XS)
                .style(container::rounded_box),
            tooltip::Position::Bottom,
        ));
    }
    if count > MAX_FEATURES_DRAWN {
        named = named.push(quiet_owned(format!("and {} more", count - MAX_FEATURES_DRAWN)));
    }
    if count == 0 {
        named = named.push(quiet("None announced."));
    }
    page = page.push(section("Does", named.into()));
    for form in info.forms.iter().filter(|f| f.fields.iter().any(shown_in_form)) {
        page = page.push(extended(form));
    }
    if info.cut {
        page = page.push(quiet("Its answer was longer; only the first entries are shown."));
    }
    page.into()
}

/// An extended information form (XEP-0128), as labelled values.
fn extended(form: &Form) -> Element<'_, Message> {
    let title = match form.form_type.as_deref() {
        Some("http://jabber.org/network/serverinfo") => "Contact addresses",
        Some("urn:xmpp:http:upload:0") => "File upload",
        Some("http://jabber.org/protocol/muc#roominfo") => "About the room",
        _ => "More information",
    };
    section(title, values(form))
}

/// A form's fields as labelled values, to read rather than fill in (an information form, a
/// finished command's result); a field with nothing to say is left out.
pub(super) fn values<'a, M: 'a>(form: &'a Form) -> Element<'a, M> {
    let mut fields = Column::new().spacing(2);
    for field in form.fields.iter().filter(|f| shown_in_form(f)) {
        let label = field.label.as_deref().unwrap_or(&field.var);
        fields = fields.push(
            row![
                text(label).width(theme::LABEL_WIDTH * 1.6).style(theme::muted),
                text(field.values.join("\n")).width(Fill),
            ]
            .spacing(theme::SPACE_S),
        );
    }
    fields.into()
}

/// A field worth a line when read: shown to people, and it says something.
fn shown_in_form(field: &crate::model::Field) -> bool {
    field.var != "FORM_TYPE"
        && field.kind != crate::model::FieldKind::Hidden
        && field.values.iter().any(|v| !v.trim().is_empty())
}

fn section<'a>(title: &'a str, body: Element<'a, Message>) -> Element<'a, Message> {
    column![text(title).size(theme::TEXT_SMALL).style(theme::accent_text), body]
        .spacing(theme::SPACE_XS)
        .into()
}

fn quiet(words: &str) -> Element<'_, Message> {
    text(words).size(theme::TEXT_SMALL).style(theme::muted).into()
}

fn quiet_owned<'a>(words: String) -> Element<'a, Message> {
    text(words).size(theme::TEXT_SMALL).style(theme::muted).into()
}

/// A row's words: the name its list gave, else the node, else the address.
fn label(key: &Key, entity: &Entity) -> String {
    entity.name.clone().or_else(|| key.node.clone()).unwrap_or_else(|| key.jid.clone())
}

fn mentions(key: &Key, entity: &Entity, needle: &str) -> bool {
    [Some(&key.jid), key.node.as_ref(), entity.name.as_ref()]
        .into_iter()
        .flatten()
        .any(|field| field.to_lowercase().contains(needle))
}
