//! What can be done to a line, offered where people look for it: a small bar beside the line
//! under the pointer (Reply, React, and "…" for the rest) and a menu on right click or "…"
//! (Reply, React, Copy text, Delete or Remove).
//!
//! The line under the pointer is the last one the pointer moved onto; turning the wheel leaves
//! it (`context_menu.rs` says why). Only that line carries the bar; the others hold an empty space as wide,
//! so a bubble never narrows (and its words never re-wrap) as the pointer moves. This also
//! keeps each line to a few widgets: buttons under every line cost the frames that take in a
//! page a third of their layout (`benches/conversation_frames.rs`).

use super::reactions::{REACT, ReactionMessage};
use super::removal::{self, RemovalMessage};
use super::reply::{self, REPLY, ReplyMessage};
use super::{Message, State, theme};
use crate::model::{Direction, Message as ChatMessage, MessageKind};
use crate::ui::context_menu::context_menu;
use iced::widget::{button, column, container, row, space, text};
use iced::{Element, Task};

/// The "…" button's label: everything else about the line.
pub(super) const MORE: &str = "…";
/// The menu's entry that puts a line's words on the clipboard.
pub(super) const COPY: &str = "Copy text";
/// Room for the bar beside every bubble, whether shown or not.
const BAR_WIDTH: f32 = 132.0;
const MENU_WIDTH: f32 = 180.0;

/// The line under the pointer and the line whose menu is open.
#[derive(Debug, Default)]
pub(super) struct LineActions {
    hovered: Option<i64>,
    menu: Option<i64>,
}

#[derive(Debug, Clone)]
pub enum LineMessage {
    /// The pointer came over line `id`.
    Hover(i64),
    /// The pointer left line `id`.
    Leave(i64),
    /// Right click on line `id`, or its "…".
    Menu(i64),
    CloseMenu,
    /// Something chosen in the menu: it closes, then this is done.
    Chosen(Box<Message>),
    /// Put line `id`'s words on the clipboard.
    Copy(i64),
}

/// What the line offers, as the bar and the menu show it.
struct Offer {
    reply: bool,
    react: bool,
    /// Its words to copy (a file alone has none).
    copy: bool,
    /// `Some(true)` to remove as a moderator, `Some(false)` to take back our own.
    removal: Option<bool>,
}

impl Offer {
    fn of(message: &ChatMessage, can_write: bool, moderator: bool) -> Option<Self> {
        if message.kind != MessageKind::Message {
            return None;
        }
        let offer = Self {
            reply: can_write && reply::answerable(message),
            react: can_write,
            copy: !message.body.is_empty(),
            removal: removal::offered(message, moderator),
        };
        (offer.reply || offer.react || offer.copy || offer.removal.is_some()).then_some(offer)
    }
}

impl State {
    pub(super) fn line_message(
        &mut self,
        message: LineMessage,
    ) -> (Task<Message>, Option<super::Event>) {
        let actions = &mut self.line_actions;
        match message {
            LineMessage::Hover(id) => actions.hovered = Some(id),
            LineMessage::Leave(id) => {
                actions.hovered.take_if(|hovered| *hovered == id);
            }
            LineMessage::Menu(id) => actions.menu = Some(id),
            LineMessage::CloseMenu => actions.menu = None,
            LineMessage::Chosen(chosen) => {
                actions.menu = None;
                return self.update(*chosen);
            }
            LineMessage::Copy(id) => {
                let words = self.messages.iter().find(|m| m.id == id).map(|m| m.body.clone());
                return (words.map_or_else(Task::none, iced::clipboard::write), None);
            }
        }
        (Task::none(), None)
    }

    /// Line `message`'s row: the bubble, the bar beside it (or the room it would take), all
    /// answering the pointer and a right click.
    pub(super) fn line_row<'a>(
        &'a self,
        message: &ChatMessage,
        bubble: Element<'a, Message>,
    ) -> Element<'a, Message> {
        let id = message.id;
        let offer = Offer::of(message, self.can_write(), self.moderator());
        let actions = &self.line_actions;
        let busy = self.reactions.picking() == Some(id) || actions.menu == Some(id);
        let bar = match &offer {
            Some(offer) if actions.hovered == Some(id) || busy => bar(id, offer, message.direction),
            _ => space().width(BAR_WIDTH).into(),
        };
        let line: Element<'a, Message> = if message.direction == Direction::Out {
            row![space::horizontal(), bar, bubble].into()
        } else {
            row![bubble, bar, space::horizontal()].into()
        };
        let Some(offer) = offer else { return line };
        let open = (actions.menu == Some(id)).then(|| {
            let close = Message::Line(LineMessage::CloseMenu);
            (menu(message, &offer), close)
        });
        context_menu(line, Message::Line(LineMessage::Menu(id)), open)
            .on_hover(
                id,
                Message::Line(LineMessage::Hover(id)),
                Message::Line(LineMessage::Leave(id)),
            )
            .into()
    }
}

/// Reply, React and "…", on the side of the bubble facing the middle.
fn bar<'a>(id: i64, offer: &Offer, direction: Direction) -> Element<'a, Message> {
    let small = |label: &'a str, message: Message| {
        button(text(label).size(theme::TEXT_SMALL))
            .style(button::text)
            .padding([1.0, theme::SPACE_XS])
            .on_press(message)
    };
    let reply = offer.reply.then(|| small(REPLY, Message::Reply(ReplyMessage::Start(id))));
    let react = offer.react.then(|| small(REACT, Message::Reaction(ReactionMessage::Pick(id))));
    let more = small(MORE, Message::Line(LineMessage::Menu(id)));
    let buttons = row![reply, react, more].spacing(2);
    let bar = container(buttons).width(iced::Fill).padding([0.0, theme::SPACE_XS]);
    let bar = if direction == Direction::Out { bar.align_right(iced::Fill) } else { bar };
    container(bar).width(BAR_WIDTH).into()
}

/// The line's menu: everything the bar offers, and its words to copy and its removal.
fn menu<'a>(message: &ChatMessage, offer: &Offer) -> Element<'a, Message> {
    let id = message.id;
    let entry = |label: &'a str, chosen: Message| {
        button(text(label).size(theme::TEXT_BODY))
            .style(button::text)
            .width(iced::Fill)
            .padding([theme::SPACE_XS, theme::SPACE_S])
            .on_press(Message::Line(LineMessage::Chosen(Box::new(chosen))))
    };
    let reply = offer.reply.then(|| entry(REPLY, Message::Reply(ReplyMessage::Start(id))));
    let react = offer.react.then(|| entry(REACT, Message::Reaction(ReactionMessage::Pick(id))));
    let copy =
        (!message.body.is_empty()).then(|| entry(COPY, Message::Line(LineMessage::Copy(id))));
    let removal = offer.removal.map(|moderate| {
        let label = if moderate { removal::REMOVE } else { removal::DELETE };
        entry(label, Message::Removal(RemovalMessage::Ask(id)))
    });
    let entries = column![reply, react, copy, removal].width(MENU_WIDTH);
    container(entries).padding(theme::SPACE_XS).style(theme::card).into()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{message, room, room_line};
    use super::*;
    use crate::model::{ChatId, Delivery, HistoryPage};
    use crate::ui::frames::Window;

    fn update(state: &mut State, message: Message) -> Task<Message> {
        state.update(message).0
    }

    #[test]
    fn the_bar_shows_beside_the_line_under_the_pointer_only() {
        let mut state = room(&["anna", "bob", "me"]);
        let lines = vec![
            room_line(1, "anna", "first words", MessageKind::Message),
            room_line(2, "bob", "second words", MessageKind::Message),
        ];
        state.history(HistoryPage { chat: state.chat.clone(), messages: lines, has_more: false });
        let mut window = Window::new(state, State::view, update);
        assert!(window.find(REPLY).is_none(), "nothing under the pointer yet");
        let width = |window: &mut Window<State, Message>, words: &str| {
            let found = window.find(words).expect("the line");
            found.visible_bounds().map(|b| b.width)
        };
        let before = width(&mut window, "first words");
        window.hover("first words");
        let reply = window.find(REPLY).and_then(|r| r.visible_bounds()).expect("Reply shown");
        let first = window.find("first words").and_then(|r| r.visible_bounds()).expect("line");
        assert!((reply.y - first.y).abs() < 40.0, "beside the first line, not the second");
        assert_eq!(width(&mut window, "first words"), before, "the words did not re-wrap");
        window.hover("second words");
        let reply = window.find(REPLY).and_then(|r| r.visible_bounds()).expect("Reply shown");
        let second = window.find("second words").and_then(|r| r.visible_bounds()).expect("line");
        assert!((reply.y - second.y).abs() < 40.0, "it moved with the pointer");
        window.wheel(1.0);
        assert!(window.find(REPLY).is_none(), "turning the wheel leaves the line");
    }

    #[test]
    fn a_right_click_opens_the_menu_and_a_choice_closes_it() {
        let mut state = State::new(ChatId("bob@x".into()));
        let ours = ChatMessage {
            direction: Direction::Out,
            state: Delivery::Sent,
            body: "our words".into(),
            ..message(2, 20)
        };
        let lines = vec![message(1, 10), ours];
        state.history(HistoryPage { chat: state.chat.clone(), messages: lines, has_more: false });
        let mut window = Window::new(state, State::view, update);
        window.right_click("our words");
        for entry in [REPLY, REACT, COPY, removal::DELETE] {
            assert!(window.find(entry).is_some(), "{entry} is in the menu");
        }
        window.click(removal::DELETE);
        assert!(window.find(COPY).is_none(), "the menu closed");
        assert!(window.state.removing.is_some(), "and the deletion is asked about");
        window.click("Cancel");

        window.right_click("our words");
        window.right_click("m1");
        assert!(window.find(COPY).is_some(), "a right click elsewhere opens the menu there");
        assert!(window.find(removal::DELETE).is_none(), "theirs cannot be deleted");
        window.tap(iced::keyboard::key::Named::Escape);
        assert!(window.find(COPY).is_none(), "Escape closes it");

        window.right_click("our words");
        window.click(COPY);
        assert_eq!(window.copied.as_deref(), Some("our words"));

        window.right_click("our words");
        window.wheel(1.0);
        assert!(window.find(COPY).is_none(), "the wheel closes it");
    }

    #[test]
    fn a_line_taken_back_offers_nothing() {
        let mut state = room(&["anna", "me"]);
        let mut gone = room_line(1, "anna", "", MessageKind::Message);
        gone.kind = MessageKind::Removed(crate::model::Removal::Retracted);
        let lines = vec![gone, room_line(2, "anna", "still here", MessageKind::Message)];
        state.history(HistoryPage { chat: state.chat.clone(), messages: lines, has_more: false });
        let mut window = Window::new(state, State::view, update);
        window.hover("Message deleted");
        assert!(window.find(MORE).is_none(), "no bar beside it");
        window.right_click("Message deleted");
        assert!(window.find(COPY).is_none(), "and no menu");
        window.right_click("still here");
        assert!(window.find(COPY).is_some(), "while a line with words has one");
    }
}
