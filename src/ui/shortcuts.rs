//! The keyboard shortcuts, listed once: the overlay that Ctrl+/ opens shows this list, and a
//! test holds the window-wide ones to what `app::input` does with them.

use super::theme;
use super::widget::modal;
use iced::widget::{button, column, container, row, scrollable, text};
use iced::{Center, Element, Fill};

/// Where a shortcut works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Anywhere in the window.
    Window,
    /// While writing a message.
    Composer,
    /// In the XML console's editor.
    Console,
}

impl Scope {
    fn title(self) -> &'static str {
        match self {
            Scope::Window => "Anywhere",
            Scope::Composer => "Writing a message",
            Scope::Console => "XML console",
        }
    }
}

/// A shortcut as it is shown: its keys (`Ctrl+Shift+F`) and what it does.
pub struct Shortcut {
    pub keys: &'static str,
    pub does: &'static str,
    pub scope: Scope,
}

const fn shortcut(keys: &'static str, does: &'static str, scope: Scope) -> Shortcut {
    Shortcut { keys, does, scope }
}

pub const SHORTCUTS: &[Shortcut] = &[
    shortcut("Ctrl+K", "Find a contact or room", Scope::Window),
    shortcut("Ctrl+F", "Find words in the open conversation", Scope::Window),
    shortcut("Ctrl+Shift+F", "Search every conversation", Scope::Window),
    shortcut("Ctrl+,", "The account's settings", Scope::Window),
    shortcut("Alt+Down", "The next conversation in the list", Scope::Window),
    shortcut("Alt+Up", "The previous conversation in the list", Scope::Window),
    shortcut("Ctrl+Tab", "Back to the conversation open before", Scope::Window),
    shortcut("Ctrl+/", "This list", Scope::Window),
    shortcut("F12", "XML console", Scope::Window),
    shortcut("Tab", "Next field (in a room's message field: complete a nickname)", Scope::Window),
    shortcut("Shift+Tab", "Previous field", Scope::Window),
    shortcut("Escape", "Close what is open over the window", Scope::Window),
    shortcut("Enter", "Send", Scope::Composer),
    shortcut("Up", "Correct your last message (in an empty field)", Scope::Composer),
    shortcut("Ctrl+Up", "Answer a message: the one before", Scope::Composer),
    shortcut("Ctrl+Down", "Answer a message: the one after", Scope::Composer),
    shortcut("Ctrl+V", "Paste text, or a picture to send", Scope::Composer),
    shortcut("Escape", "Stop correcting or answering", Scope::Composer),
    shortcut("Ctrl+Enter", "Send the stanza", Scope::Console),
];

/// The list over the dimmed window, its Close always in view above what scrolls; a click
/// outside or Escape closes it too.
pub fn view<'a, M: Clone + 'a>(close: M) -> Element<'a, M> {
    let title = row![
        text("Keyboard shortcuts").size(theme::TEXT_TITLE).width(Fill),
        button("Close").style(button::secondary).on_press(close.clone()),
    ]
    .align_y(Center);
    let mut list = column![].spacing(theme::SPACE_S);
    for scope in [Scope::Window, Scope::Composer, Scope::Console] {
        list = list.push(text(scope.title()).size(theme::TEXT_SMALL).style(theme::muted));
        for shortcut in SHORTCUTS.iter().filter(|s| s.scope == scope) {
            list = list.push(
                row![
                    text(shortcut.keys).width(theme::SHORTCUT_KEYS_WIDTH),
                    text(shortcut.does).width(Fill),
                ]
                .spacing(theme::SPACE_S),
            );
        }
    }
    let list = list.padding(iced::Padding::ZERO.right(theme::SCROLLBAR_GUTTER));
    let content = column![title, scrollable(list)].spacing(theme::SPACE_S).padding(theme::SPACE_M);
    let card = container(content).max_width(theme::DIALOG_WIDTH).style(theme::card);
    modal(card, close)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_shows_every_shortcut_and_closes() {
        let mut ui = iced_test::simulator(view(()));
        for shortcut in SHORTCUTS {
            ui.find(shortcut.does).expect("listed");
        }
        ui.click("Close").expect("a way out");
        assert_eq!(ui.into_messages().count(), 1);
    }
}
