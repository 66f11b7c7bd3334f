//! A contact's profile beside the conversation: what their vCard says, read when asked.

use super::theme;
use crate::model::Profile;
use iced::widget::{button, column, container, row, scrollable, text};
use iced::{Element, Fill};

#[derive(Debug)]
pub struct State {
    pub jid: String,
    /// `None` while the server has not answered.
    profile: Option<Result<Profile, String>>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Close,
}

impl State {
    pub fn new(jid: String) -> Self {
        Self { jid, profile: None }
    }

    /// The answer for `jid`; answers for someone else (asked earlier) are ignored.
    pub fn answer(&mut self, jid: &str, profile: Result<Profile, String>) {
        if jid == self.jid {
            self.profile = Some(profile);
        }
    }

    pub fn view(&self) -> Element<'_, Message> {
        let heading = row![
            text("Profile").size(theme::TEXT_TITLE).width(Fill),
            button(text("Close").size(theme::TEXT_SMALL))
                .style(button::text)
                .on_press(Message::Close),
        ];
        let body: Element<'_, Message> = match &self.profile {
            None => text("Asking their server…").style(theme::muted).into(),
            Some(Err(why)) => text(format!("The profile could not be read: {why}")).into(),
            Some(Ok(profile)) if profile.is_empty() => {
                text("They have not filled in a profile.").style(theme::muted).into()
            }
            Some(Ok(profile)) => column(profile.entries.iter().map(|entry| {
                column![
                    text(entry.label).size(theme::TEXT_SMALL).style(theme::muted),
                    text(entry.value.as_str()),
                ]
                .into()
            }))
            .spacing(theme::SPACE_S)
            .into(),
        };
        container(
            column![heading, text(self.jid.as_str()).size(theme::TEXT_SMALL), scrollable(body)]
                .spacing(theme::SPACE_S),
        )
        .padding(theme::SPACE_M)
        .width(theme::PROFILE_WIDTH)
        .height(Fill)
        .style(theme::side_panel)
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProfileEntry;

    #[test]
    fn shows_the_answer_for_the_contact_asked_about() {
        let mut state = State::new("juliet@example.com".into());
        let entry = |value: &str| ProfileEntry { label: "Nickname", value: value.into() };
        state.answer("romeo@example.com", Ok(Profile { entries: vec![entry("Romeo")] }));
        {
            let mut ui = iced_test::simulator(state.view());
            let waiting = ui.find("Asking their server…").is_ok();
            assert!(waiting, "a late answer for someone else is ignored");
        }
        state.answer("juliet@example.com", Ok(Profile { entries: vec![entry("Jul")] }));
        let mut ui = iced_test::simulator(state.view());
        assert!(ui.find("Jul").is_ok());
    }
}
