use super::*;
use crate::ui::accounts;
use iced::keyboard::{Event, Key, Location, Modifiers, key};

fn press(key: Key, modifiers: Modifiers) -> Event {
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

pub(super) fn app_with(accounts: &[&str]) -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().expect("profile");
    let paths = Paths::in_profile(dir.path());
    let mut config = Config::default();
    for jid in accounts {
        config.upsert_account(AccountConfig::new(jid));
    }
    config.save(&paths.config_file()).expect("config saved");
    let (app, _) = App::new(paths);
    (dir, app)
}

fn account_message(message: accounts::Message) -> Message {
    Message::Main(main_screen::Message::Accounts(message))
}

#[test]
fn accounts_can_be_switched_added_and_removed() {
    let (_dir, mut app) = app_with(&["a@x", "b@x"]);
    assert_eq!(app.active, Some(AccountId("a@x".into())));
    let _ = app.update(account_message(accounts::Message::Switch(AccountId("b@x".into()))));
    assert_eq!(app.title(), "Confab — b@x (Offline)");

    let _ = app.update(account_message(accounts::Message::Add));
    assert!(matches!(app.screen, Screen::Setup(_)));
    let _ = app.update(Message::Setup(setup::Message::Cancel));
    assert!(matches!(app.screen, Screen::Main));

    let _ = app.update(account_message(accounts::Message::Remove { delete_history: true }));
    assert_eq!(app.active, Some(AccountId("a@x".into())), "the other account is shown");
    assert!(app.config.account("b@x").is_none());
    let _ = app.update(account_message(accounts::Message::Remove { delete_history: false }));
    assert!(matches!(app.screen, Screen::Setup(_)), "no account left: set one up");
}

#[test]
fn privacy_settings_are_kept_in_the_config() {
    let (_dir, mut app) = app_with(&["a@x"]);
    let privacy = crate::config::Privacy { read_markers: false, ..Default::default() };
    let _ = app.update(account_message(accounts::Message::Privacy(privacy)));
    assert_eq!(app.config.privacy, privacy);
}

#[test]
fn first_start_asks_for_an_account() {
    let (_dir, app) = app_with(&[]);
    assert!(matches!(app.screen, Screen::Setup(_)));
}

#[test]
fn ctrl_k_finds_a_contact_and_tab_moves_focus() {
    let ctrl_k = press(Key::Character("k".into()), Modifiers::CTRL);
    assert!(matches!(input::shortcut(ctrl_k), Some(Message::FindContact)));
    let plain_k = press(Key::Character("k".into()), Modifiers::empty());
    assert!(input::shortcut(plain_k).is_none());
    let shift_tab = press(Key::Named(key::Named::Tab), Modifiers::SHIFT);
    assert!(matches!(input::shortcut(shift_tab), Some(Message::FocusPrevious)));
    let console = press(Key::Named(key::Named::F12), Modifiers::empty());
    assert!(matches!(input::shortcut(console), Some(Message::OpenConsole)));
}

#[test]
fn ctrl_f_finds_in_the_conversation_and_ctrl_shift_f_everywhere() {
    let ctrl_f = press(Key::Character("f".into()), Modifiers::CTRL);
    assert!(matches!(input::shortcut(ctrl_f), Some(Message::Find)));
    let everywhere = press(Key::Character("F".into()), Modifiers::CTRL | Modifiers::SHIFT);
    assert!(matches!(input::shortcut(everywhere), Some(Message::SearchEverywhere)));
    assert!(input::shortcut(press(Key::Character("f".into()), Modifiers::empty())).is_none());
}

/// The press of keys written as the shortcut list writes them: `Ctrl+Shift+F`, `F12`, `Ctrl+/`.
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
    press(key, modifiers)
}

#[test]
fn every_window_shortcut_listed_does_something() {
    use crate::ui::shortcuts::{SHORTCUTS, Scope};
    for listed in SHORTCUTS.iter().filter(|s| s.scope == Scope::Window) {
        assert!(input::shortcut(pressed(listed.keys)).is_some(), "{} is listed", listed.keys);
    }
    assert!(matches!(input::shortcut(pressed("Ctrl+/")), Some(Message::ToggleShortcuts)));
    assert!(matches!(input::shortcut(pressed("Ctrl+,")), Some(Message::ToggleSettings)));
    assert!(matches!(input::shortcut(pressed("Alt+Down")), Some(Message::StepChat(true))));
    assert!(matches!(input::shortcut(pressed("Alt+Up")), Some(Message::StepChat(false))));
    assert!(matches!(input::shortcut(pressed("Ctrl+Tab")), Some(Message::PreviousChat)));
    assert!(matches!(input::shortcut(pressed("Tab")), Some(Message::FocusNext)));
    assert!(input::shortcut(pressed("Ctrl+J")).is_none(), "nor does an unlisted one");
}
