//! What the window and the keyboard tell the whole program, whatever screen is shown.

use super::Message;
use iced::window;

/// The window's keyboard focus, for notifications and unread counts, files dragged onto it,
/// and its size, for the layout.
pub(super) fn window_event((_, event): (window::Id, window::Event)) -> Option<Message> {
    match event {
        window::Event::Focused => Some(Message::WindowFocused(true)),
        window::Event::Unfocused => Some(Message::WindowFocused(false)),
        window::Event::FileHovered(_) => Some(Message::FilesHovered(true)),
        window::Event::FilesHoveredLeft => Some(Message::FilesHovered(false)),
        window::Event::FileDropped(path) => Some(Message::FileDropped(path)),
        window::Event::Opened { size, .. } | window::Event::Resized(size) => {
            Some(Message::WindowResized(size))
        }
        _ => None,
    }
}

/// Keys that work everywhere, as `ui::shortcuts` lists them: Tab and Shift+Tab move between
/// fields (Tab in a room's composer completes a nickname first), Ctrl+K finds a contact,
/// Ctrl+F finds words in the open conversation and Ctrl+Shift+F in all of them, Ctrl+, opens
/// the account's settings, Alt+Up and Alt+Down open the previous or next conversation listed,
/// Ctrl+Tab the one open before, Ctrl+/ lists the shortcuts, F12 (the browsers' key for developer
/// tools) opens the XML console, Escape closes what is over the window.
pub(super) fn shortcut(event: iced::keyboard::Event) -> Option<Message> {
    use iced::keyboard::{Event, Key, key::Named};
    match event {
        Event::KeyPressed { key: Key::Character(c), modifiers, .. }
            if modifiers.command() && c.as_str() == "/" =>
        {
            Some(Message::ToggleShortcuts)
        }
        Event::KeyPressed { key: Key::Character(c), modifiers, .. }
            if modifiers.command() && c.as_str() == "," =>
        {
            Some(Message::ToggleSettings)
        }
        Event::KeyPressed { key: Key::Character(c), modifiers, .. }
            if modifiers.command() && c.eq_ignore_ascii_case("k") =>
        {
            Some(Message::FindContact)
        }
        Event::KeyPressed { key: Key::Character(c), modifiers, .. }
            if modifiers.command() && c.eq_ignore_ascii_case("f") =>
        {
            Some(if modifiers.shift() { Message::SearchEverywhere } else { Message::Find })
        }
        Event::KeyPressed {
            key: Key::Named(Named::ArrowDown | Named::ArrowUp), modifiers, ..
        } if modifiers.alt() && !modifiers.command() => {
            let forward =
                matches!(event, Event::KeyPressed { key: Key::Named(Named::ArrowDown), .. });
            Some(Message::StepChat(forward))
        }
        // Not a Ctrl combination: text fields take Ctrl+X and its kin before us.
        Event::KeyPressed { key: Key::Named(Named::F12), .. } => Some(Message::OpenConsole),
        Event::KeyPressed { key: Key::Named(Named::Tab), modifiers, .. } if modifiers.command() => {
            Some(Message::PreviousChat)
        }
        Event::KeyPressed { key: Key::Named(Named::Tab), modifiers, .. } => {
            Some(if modifiers.shift() { Message::FocusPrevious } else { Message::FocusNext })
        }
        Event::KeyPressed { key: Key::Named(Named::Escape), .. } => Some(Message::Escape),
        _ => None,
    }
}
