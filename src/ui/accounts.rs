//! The account bar under the contact list: switch between accounts, add one, choose whether
//! it connects when Confab starts (going offline now is the status menu's *Offline*), and
//! remove it with or without its local history. Its settings also hold what Confab tells
//! others (receipts, read markers, typing) and how the window looks, the same for every
//! account.

use super::theme;
use crate::config::{Privacy, ThemeChoice};
use crate::model::AccountId;
use iced::widget::{
    button, checkbox, column, container, pick_list, row, text, text_input, toggler, tooltip,
};
use iced::{Center, Element, Fill};

const NICKNAME_ID: &str = "own-nickname";

#[derive(Debug, Default)]
pub struct State {
    settings_open: bool,
    confirm_remove: bool,
    /// The nickname others see, as the worker last reported it.
    nickname: String,
    /// The nickname being typed, until saved.
    nickname_draft: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Switch(AccountId),
    Add,
    ToggleSettings,
    SetEnabled(bool),
    AskRemove,
    Remove { delete_history: bool },
    CancelRemove,
    NicknameDraft(String),
    SaveNickname,
    ChooseAvatar,
    RemoveAvatar,
    Privacy(Privacy),
    Theme(ThemeChoice),
    EditServer,
    OpenConsole,
    OpenDiscovery,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Switch(AccountId),
    Add,
    SetEnabled(bool),
    Remove {
        delete_history: bool,
    },
    /// Publish this nickname for the active account.
    SetNickname(String),
    /// Change the active account's server settings (host, port, TLS, CA, password).
    EditServer,
    /// Let the user pick a picture, then publish it as the active account's avatar.
    ChooseAvatar,
    RemoveAvatar,
    /// Keep these privacy settings (for every account).
    SetPrivacy(Privacy),
    /// Look light, dark, or as the system does.
    SetTheme(ThemeChoice),
    /// Show the active account's XML console.
    OpenConsole,
    /// Browse the active account's server (service discovery).
    OpenDiscovery,
}

/// What the bar shows that its parent owns.
pub struct Context<'a> {
    pub all: Vec<AccountId>,
    pub active: &'a AccountId,
    /// Whether the active account connects when Confab starts.
    pub enabled: bool,
    /// Unread messages in the other accounts, shown beside the switcher so they are not missed.
    pub elsewhere: u32,
    pub privacy: Privacy,
    pub theme: ThemeChoice,
}

impl State {
    pub fn set_nickname(&mut self, nickname: String) {
        self.nickname = nickname;
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Switch(account) => Some(Event::Switch(account)),
            Message::Add => Some(Event::Add),
            Message::ToggleSettings => {
                self.settings_open = !self.settings_open;
                self.confirm_remove = false;
                None
            }
            Message::SetEnabled(enabled) => Some(Event::SetEnabled(enabled)),
            Message::AskRemove => {
                self.confirm_remove = true;
                None
            }
            Message::Remove { delete_history } => {
                self.settings_open = false;
                self.confirm_remove = false;
                Some(Event::Remove { delete_history })
            }
            Message::CancelRemove => {
                self.confirm_remove = false;
                None
            }
            Message::ChooseAvatar => Some(Event::ChooseAvatar),
            Message::RemoveAvatar => Some(Event::RemoveAvatar),
            Message::EditServer => {
                self.settings_open = false;
                Some(Event::EditServer)
            }
            Message::OpenConsole => {
                self.settings_open = false;
                Some(Event::OpenConsole)
            }
            Message::OpenDiscovery => {
                self.settings_open = false;
                Some(Event::OpenDiscovery)
            }
            Message::Privacy(privacy) => Some(Event::SetPrivacy(privacy)),
            Message::Theme(theme) => Some(Event::SetTheme(theme)),
            Message::NicknameDraft(draft) => {
                self.nickname_draft = Some(draft);
                None
            }
            Message::SaveNickname => {
                let nickname = self.nickname_draft.take()?;
                (nickname.trim() != self.nickname).then_some(Event::SetNickname(nickname))
            }
        }
    }

    pub fn view<'a>(&'a self, context: Context<'a>) -> Element<'a, Message> {
        let Context { all, active, enabled, elsewhere, privacy, theme: look } = context;
        let small = |label: &'a str| text(label).size(theme::TEXT_SMALL);
        let elsewhere = crate::notify::badge(elsewhere).map(|count| {
            let pill = container(text(count).size(theme::TEXT_SMALL))
                .padding([0.0, theme::SPACE_XS + 2.0])
                .style(theme::unread_badge);
            let hint = container(small("Unread in your other accounts"))
                .padding(theme::SPACE_XS)
                .style(theme::card);
            tooltip(pill, hint, tooltip::Position::Top)
        });
        let bar = row![
            pick_list(all, Some(active), Message::Switch).text_size(theme::TEXT_SMALL).width(Fill),
            elsewhere,
            button(small("+")).style(button::secondary).on_press(Message::Add),
            button(small("⋯")).style(button::secondary).on_press(Message::ToggleSettings),
        ]
        .spacing(theme::SPACE_XS)
        .align_y(Center);
        if !self.settings_open {
            return bar.into();
        }
        let settings: Element<'a, Message> = if self.confirm_remove {
            column![
                small("Remove this account from Confab? The account stays on its server."),
                button(small("Remove, keep history"))
                    .style(button::secondary)
                    .on_press(Message::Remove { delete_history: false }),
                button(small("Remove and delete history"))
                    .style(button::danger)
                    .on_press(Message::Remove { delete_history: true }),
                button(small("Cancel")).style(button::text).on_press(Message::CancelRemove),
            ]
            .spacing(theme::SPACE_XS)
            .into()
        } else {
            let draft = self.nickname_draft.as_deref().unwrap_or(&self.nickname);
            let mut nickname = row![
                text_input("Nickname others see", draft)
                    .id(NICKNAME_ID)
                    .on_input(Message::NicknameDraft)
                    .on_submit(Message::SaveNickname)
                    .size(theme::TEXT_SMALL)
                    .width(Fill),
            ]
            .spacing(theme::SPACE_XS)
            .align_y(Center);
            if self.nickname_draft.is_some() {
                nickname = nickname.push(
                    button(small("Save")).style(button::secondary).on_press(Message::SaveNickname),
                );
            }
            let avatar = row![
                button(small("Choose avatar…"))
                    .style(button::secondary)
                    .on_press(Message::ChooseAvatar),
                button(small("Remove avatar")).style(button::text).on_press(Message::RemoveAvatar),
            ]
            .spacing(theme::SPACE_XS);
            column![
                nickname,
                avatar,
                toggler(enabled)
                    .label("Connect when Confab starts")
                    .size(14)
                    .on_toggle(Message::SetEnabled),
                privacy_settings(privacy),
                theme_setting(look),
                button(small("Server settings…"))
                    .style(button::secondary)
                    .on_press(Message::EditServer),
                row![
                    button(small("XML console"))
                        .style(button::secondary)
                        .on_press(Message::OpenConsole),
                    button(small("Service discovery"))
                        .style(button::secondary)
                        .on_press(Message::OpenDiscovery),
                ]
                .spacing(theme::SPACE_XS),
                button(small("Remove account…")).style(button::danger).on_press(Message::AskRemove),
                text(about()).size(theme::TEXT_SMALL).style(theme::muted),
            ]
            .spacing(theme::SPACE_XS)
            .into()
        };
        column![bar, settings].spacing(theme::SPACE_XS).into()
    }
}

/// What Confab tells the people we write to; a change reaches the running workers at once.
fn privacy_settings<'a>(privacy: Privacy) -> Element<'a, Message> {
    let setting = |label: &'a str, on: bool, change: fn(Privacy, bool) -> Privacy| {
        checkbox(on)
            .label(label)
            .text_size(theme::TEXT_SMALL)
            .on_toggle(move |on| Message::Privacy(change(privacy, on)))
    };
    column![
        text("For all accounts:").size(theme::TEXT_SMALL),
        setting("Tell contacts their messages arrived", privacy.receipts, |p, on| Privacy {
            receipts: on,
            ..p
        }),
        setting("Tell contacts I have read their messages", privacy.read_markers, |p, on| {
            Privacy { read_markers: on, ..p }
        }),
        setting("Tell contacts I am typing", privacy.typing, |p, on| Privacy { typing: on, ..p }),
        setting("Name my operating system when contacts ask", privacy.share_os, |p, on| {
            Privacy { share_os: on, ..p }
        }),
        text("Applies at once.").size(theme::TEXT_SMALL).style(theme::muted),
    ]
    .spacing(theme::SPACE_XS)
    .into()
}

/// Light, dark, or the system's choice, for the whole window; it changes at once.
fn theme_setting<'a>(chosen: ThemeChoice) -> Element<'a, Message> {
    let choice = |label: &'a str, theme: ThemeChoice| {
        let style = if theme == chosen { button::primary } else { button::secondary };
        button(text(label).size(theme::TEXT_SMALL)).style(style).on_press(Message::Theme(theme))
    };
    row![
        text("Look:").size(theme::TEXT_SMALL),
        choice("As the system", ThemeChoice::System),
        choice("Light", ThemeChoice::Light),
        choice("Dark", ThemeChoice::Dark),
    ]
    .spacing(theme::SPACE_XS)
    .align_y(Center)
    .into()
}

/// The About line: the same version and commit as `confab --version`.
fn about() -> String {
    format!("Confab {} · {}", crate::VERSION, crate::paths::APP_ID)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(all: &[AccountId], elsewhere: u32) -> Context<'_> {
        let privacy = Privacy::default();
        let theme = ThemeChoice::System;
        Context { all: all.to_vec(), active: &all[0], enabled: true, elsewhere, privacy, theme }
    }

    #[test]
    fn privacy_settings_are_offered_and_kept() {
        let mut state = State::default();
        state.update(Message::ToggleSettings);
        let all = [AccountId("a@x".into())];
        let mut ui = iced_test::simulator(state.view(context(&all, 0)));
        ui.find("Applies at once.").expect("honest about when");
        ui.click("Tell contacts I am typing").expect("the typing setting");
        let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
        let privacy = Privacy { typing: false, ..Privacy::default() };
        assert_eq!(events, [Event::SetPrivacy(privacy)]);
        let mut ui = iced_test::simulator(state.view(context(&all, 0)));
        ui.click("Name my operating system when contacts ask").expect("off by default, offered");
        let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
        let privacy = Privacy { share_os: true, ..Privacy::default() };
        assert_eq!(events, [Event::SetPrivacy(privacy)]);
    }

    #[test]
    fn the_look_is_chosen_here_and_the_choice_shown() {
        let mut state = State::default();
        state.update(Message::ToggleSettings);
        let all = [AccountId("a@x".into())];
        let mut ui = iced_test::simulator(state.view(context(&all, 0)));
        ui.click("Dark").expect("offered");
        let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
        assert_eq!(events, [Event::SetTheme(ThemeChoice::Dark)]);
        let mut ui = iced_test::simulator(state.view(context(&all, 0)));
        ui.click("As the system").expect("the default, offered");
        let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
        assert_eq!(events, [Event::SetTheme(ThemeChoice::System)]);
    }

    #[test]
    fn removing_asks_first_and_offers_to_keep_history() {
        let mut state = State::default();
        let all = [AccountId("a@x".into()), AccountId("b@x".into())];
        state.update(Message::ToggleSettings);
        state.update(Message::AskRemove);
        let mut ui = iced_test::simulator(state.view(context(&all, 0)));
        ui.click("Remove, keep history").expect("the choice is offered");
        let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
        assert_eq!(events, [Event::Remove { delete_history: false }]);
        assert!(!state.confirm_remove && !state.settings_open);
    }

    #[test]
    fn a_changed_nickname_is_published_once_saved() {
        let mut state = State::default();
        state.set_nickname("Jul".into());
        state.update(Message::ToggleSettings);
        let all = [AccountId("a@x".into())];
        let mut ui = iced_test::simulator(state.view(context(&all, 0)));
        ui.click(iced_test::selector::id(NICKNAME_ID)).expect("the nickname field is shown");
        ui.typewrite("iet");
        let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
        assert!(events.is_empty(), "nothing is published while typing");
        let mut ui = iced_test::simulator(state.view(context(&all, 0)));
        ui.click("Save").expect("a Save button appears once edited");
        let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
        assert_eq!(events, [Event::SetNickname("Juliet".into())]);
    }

    #[test]
    fn unread_messages_of_other_accounts_show_beside_the_switcher() {
        let state = State::default();
        let all = [AccountId("a@x".into()), AccountId("b@x".into())];
        let mut ui = iced_test::simulator(state.view(context(&all, 4)));
        ui.find("4").expect("the other accounts' unread count");
        let mut ui = iced_test::simulator(state.view(context(&all, 0)));
        assert!(ui.find("0").is_err(), "nothing when all is read");
    }

    #[test]
    fn the_settings_show_version_and_commit() {
        let mut state = State::default();
        state.update(Message::ToggleSettings);
        let all = [AccountId("a@x".into())];
        let mut ui = iced_test::simulator(state.view(context(&all, 0)));
        ui.find(about().as_str()).expect("the about line is shown");
        assert!(about().contains(crate::VERSION));
    }
}
