//! The account bar under the contact list: switch between accounts, add one, connect or
//! disconnect it (enabled accounts connect at start), and remove it with or without its
//! local history.

use super::theme;
use crate::model::AccountId;
use iced::widget::{button, column, pick_list, row, text, toggler};
use iced::{Center, Element, Fill};

#[derive(Debug, Default)]
pub struct State {
    settings_open: bool,
    confirm_remove: bool,
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
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Switch(AccountId),
    Add,
    SetEnabled(bool),
    Remove { delete_history: bool },
}

impl State {
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
        }
    }

    pub fn view<'a>(
        &'a self,
        all: Vec<AccountId>,
        active: &'a AccountId,
        enabled: bool,
    ) -> Element<'a, Message> {
        let small = |label: &'a str| text(label).size(theme::TEXT_SMALL);
        let bar = row![
            pick_list(all, Some(active), Message::Switch).text_size(theme::TEXT_SMALL).width(Fill),
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
            column![
                toggler(enabled).label("Connect at start").size(14).on_toggle(Message::SetEnabled),
                button(small("Remove account…")).style(button::danger).on_press(Message::AskRemove),
                text(about()).size(theme::TEXT_SMALL).style(theme::muted),
            ]
            .spacing(theme::SPACE_XS)
            .into()
        };
        column![bar, settings].spacing(theme::SPACE_XS).into()
    }
}

/// The About line: the same version and commit as `confab --version`.
fn about() -> String {
    format!("Confab {} · {}", crate::VERSION, crate::paths::APP_ID)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removing_asks_first_and_offers_to_keep_history() {
        let mut state = State::default();
        let all = [AccountId("a@x".into()), AccountId("b@x".into())];
        state.update(Message::ToggleSettings);
        state.update(Message::AskRemove);
        let mut ui = iced_test::simulator(state.view(all.to_vec(), &all[0], true));
        ui.click("Remove, keep history").expect("the choice is offered");
        let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
        assert_eq!(events, [Event::Remove { delete_history: false }]);
        assert!(!state.confirm_remove && !state.settings_open);
    }

    #[test]
    fn the_settings_show_version_and_commit() {
        let mut state = State::default();
        state.update(Message::ToggleSettings);
        let all = [AccountId("a@x".into())];
        let mut ui = iced_test::simulator(state.view(all.to_vec(), &all[0], true));
        ui.find(about().as_str()).expect("the about line is shown");
        assert!(about().contains(crate::VERSION));
    }
}
