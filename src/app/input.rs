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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::shortcuts::{SHORTCUTS, Scope};
    use iced::keyboard::{Event, Key, Location, Modifiers, key};

    /// The press of keys written as the list writes them: `Ctrl+Shift+F`, `F12`, `Ctrl+/`.
    fn pressed(keys: &str) -> Event {
        let mut modifiers = Modifiers::empty();
        let mut parts: Vec<&str> = keys.split('+').collect();
        // "Ctrl+," and "Ctrl+/" end in their key; "Ctrl++" would not, and is not used.
        let last = parts.pop().unwrap_or_default();
        for part in parts {
            modifiers |= match part {
                "Ctrl" => Modifiers::CTRL,
                "Shift" => Modifiers::SHIFT,
                "Alt" => Modifiers::ALT,
                other => panic!("unknown modifier {other} in {keys}"),
            };
        }
        let key = match last {
            "F12" => Key::Named(key::Named::F12),
            "Tab" => Key::Named(key::Named::Tab),
            "Escape" => Key::Named(key::Named::Escape),
            "Enter" => Key::Named(key::Named::Enter),
            "Up" => Key::Named(key::Named::ArrowUp),
            "Down" => Key::Named(key::Named::ArrowDown),
            character => Key::Character(character.to_lowercase().into()),
        };
        Event::KeyPressed {
            key: key.clone(),
            modified_key: key,
            physical_key: key::Physical::Unidentified(key::NativeCode::Unidentified),
            location: Location::Standard,
            modifiers,
            text: None,
            repeat: false,
        }
    }

    #[test]
    fn every_window_shortcut_listed_does_something() {
        let window = SHORTCUTS.iter().filter(|s| s.scope == Scope::Window);
        for listed in window {
            assert!(shortcut(pressed(listed.keys)).is_some(), "{} is listed", listed.keys);
        }
        assert!(matches!(shortcut(pressed("Ctrl+/")), Some(Message::ToggleShortcuts)));
        assert!(matches!(shortcut(pressed("Ctrl+,")), Some(Message::ToggleSettings)));
        assert!(matches!(shortcut(pressed("Alt+Down")), Some(Message::StepChat(true))));
        assert!(matches!(shortcut(pressed("Alt+Up")), Some(Message::StepChat(false))));
        assert!(matches!(shortcut(pressed("Ctrl+Tab")), Some(Message::PreviousChat)));
        assert!(matches!(shortcut(pressed("Tab")), Some(Message::FocusNext)));
        assert!(shortcut(pressed("Ctrl+J")).is_none(), "nor does an unlisted one");
    }
}
