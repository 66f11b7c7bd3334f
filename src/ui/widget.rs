//! Small reusable pieces of the interface.

use super::theme;
use crate::model::{PresenceShow, consistent_color};
use iced::widget::image::Handle;
use iced::widget::{
    Column, button, column, container, image, mouse_area, opaque, row, space, stack, text, tooltip,
};
use iced::{Color, Element, Fill, Theme};

/// Diameter of a contact's avatar in lists.
pub const AVATAR_SIZE: f32 = 34.0;
const DOT_SIZE: f32 = 11.0;

/// A contact's avatar with a presence dot at its corner (none while their presence is not
/// known): their picture when it is decoded, else the first letter of the name on the
/// person's XEP-0392 colour.
pub fn avatar<'a, M: 'a>(
    jid: &str,
    name: &str,
    show: Option<PresenceShow>,
    picture: Option<&Handle>,
) -> Element<'a, M> {
    let dot = container(space().width(DOT_SIZE).height(DOT_SIZE)).style(theme::presence_dot(show));
    let corner = container(dot).align_right(AVATAR_SIZE).align_bottom(AVATAR_SIZE);
    let face: Element<'a, M> = match picture {
        Some(picture) => image(picture.clone())
            .width(AVATAR_SIZE)
            .height(AVATAR_SIZE)
            .content_fit(iced::ContentFit::Cover)
            .border_radius(AVATAR_SIZE / 2.0)
            .into(),
        None => initials(jid, name),
    };
    stack![face, corner].into()
}

/// A presence dot on its own, as in the status menu.
pub fn presence_dot<'a, M: 'a>(show: PresenceShow) -> Element<'a, M> {
    container(space().width(DOT_SIZE).height(DOT_SIZE))
        .style(theme::presence_dot(Some(show)))
        .into()
}

/// A chat room's avatar: the first letter of its name on the room's XEP-0392 colour, in a
/// rounded square rather than a circle, so rooms and people tell apart at a glance.
pub fn room_avatar<'a, M: 'a>(jid: &str, name: &str) -> Element<'a, M> {
    let [r, g, b] = consistent_color(jid);
    let background = Color::from_rgb(r as f32, g as f32, b as f32);
    container(text(initial(name)).size(theme::TEXT_BODY).color(Color::WHITE))
        .center(AVATAR_SIZE)
        .style(theme::room_avatar(background))
        .into()
}

fn initials<'a, M: 'a>(jid: &str, name: &str) -> Element<'a, M> {
    let [r, g, b] = consistent_color(jid);
    let background = Color::from_rgb(r as f32, g as f32, b as f32);
    container(text(initial(name)).size(theme::TEXT_BODY).color(Color::WHITE))
        .center(AVATAR_SIZE)
        .style(move |_: &Theme| {
            container::Style::default()
                .background(background)
                .border(iced::border::rounded(AVATAR_SIZE / 2.0))
        })
        .into()
}

fn initial(name: &str) -> String {
    name.chars().find(|c| c.is_alphanumeric()).map_or('?', |c| c).to_uppercase().to_string()
}

/// The padlock that marks a members-only room (XEP-0045 `muc_membersonly`).
pub const LOCK: &str = "🔒";

/// A members-only room's padlock, in colour from the emoji font, saying what it means when
/// the pointer rests on it.
pub fn members_only<'a, M: 'a>() -> Element<'a, M> {
    let lock = text(LOCK).size(theme::TEXT_SMALL).font(super::fonts::EMOJI_FONT);
    let tip = container(text("Members only").size(theme::TEXT_SMALL))
        .padding(theme::SPACE_XS)
        .style(theme::card);
    tooltip(lock, tip, tooltip::Position::Bottom).into()
}

/// `content` over the dimmed window, centred: nothing under it can be clicked, and a click
/// beside it sends `on_close`.
pub fn modal<'a, M: Clone + 'a>(content: impl Into<Element<'a, M>>, on_close: M) -> Element<'a, M> {
    let dimmed = container(opaque(content))
        .padding(theme::OVERLAY_MARGIN)
        .center(Fill)
        .style(theme::backdrop);
    opaque(mouse_area(dimmed).on_press(on_close))
}

/// Something shown only at times, keeping its place among its siblings either way. A row or
/// column drops a child of no size, which is what a `None` becomes, so the widgets after it
/// move up a place; iced matches widgets to their state (a field's focus, a list's scroll
/// position) by place, so they would lose it whenever this comes or goes. An empty column has
/// no fixed size and is kept.
pub fn slot<'a, M: 'a>(content: Option<impl Into<Element<'a, M>>>) -> Element<'a, M> {
    content.map_or_else(|| Column::new().into(), Into::into)
}

/// The question before something that cannot simply be undone: what it does, in words, the
/// action in the danger colour (named, so it cannot be mistaken for the button that asked),
/// and a way back.
pub fn confirm<'a, M: Clone + 'a>(
    question: String,
    action: String,
    on_confirm: M,
    on_cancel: M,
) -> Element<'a, M> {
    // The question above its answers, so it reads whole however narrow the place.
    container(
        column![
            text(question).size(theme::TEXT_SMALL),
            row![
                button(text(action).size(theme::TEXT_SMALL))
                    .style(button::danger)
                    .on_press(on_confirm),
                button(text("Cancel").size(theme::TEXT_SMALL))
                    .style(button::secondary)
                    .on_press(on_cancel),
            ]
            .spacing(theme::SPACE_S),
        ]
        .spacing(theme::SPACE_XS),
    )
    .padding(theme::SPACE_S)
    .width(Fill)
    .style(theme::card)
    .into()
}
