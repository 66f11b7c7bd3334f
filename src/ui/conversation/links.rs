//! Links in messages (drawn clickable in `body.rs`) and the question asked before opening
//! anything that is not a web page: a link with another scheme (`file:`, `xmpp:`, an
//! application's own), or a received file that is not a known safe type (`ui::files`).

use super::{Event, Message, State, theme};
use crate::ui::linkify;
use crate::ui::widget;
use iced::widget::text::Wrapping;
use iced::widget::{button, column, container, row, text};
use iced::{Element, Fill};
use std::path::PathBuf;

/// Something that waits for the user's word before it is opened.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Prompt {
    Link(String),
    /// A file someone sent that is not of a kind known to be safe to open.
    File {
        path: PathBuf,
        name: String,
    },
}

impl State {
    /// A link was clicked: a web page opens at once, anything else is asked about first.
    pub(super) fn link_clicked(&mut self, link: String) -> Option<Event> {
        if linkify::opens_at_once(&link) {
            return Some(Event::OpenLink(link));
        }
        self.prompt = Some(Prompt::Link(link));
        None
    }

    /// The user answered the question: open (`true`) or not.
    pub(super) fn answer_prompt(&mut self, open: bool) -> Option<Event> {
        let prompt = self.prompt.take().filter(|_| open)?;
        Some(match prompt {
            Prompt::Link(link) => Event::OpenLink(link),
            Prompt::File { path, .. } => Event::OpenFile(path),
        })
    }
}

/// "Open this link?" with the whole address, or "Open setup.exe?", over the window.
pub(super) fn prompt(prompt: &Prompt) -> Element<'_, Message> {
    let (title, target, why) = match prompt {
        Prompt::Link(link) => (
            "Open this link?".to_owned(),
            Some(link.as_str()),
            "It is not a web page: it may start another program on your computer.",
        ),
        Prompt::File { name, .. } => (
            format!("Open {name}?"),
            None,
            "Only pictures, sound, video, PDF and plain text open at once. Other files can \
             run programs or web pages on your computer: open it only if you expected it and \
             trust who sent it.",
        ),
    };
    let target = target.map(|link| {
        container(text(link).size(theme::TEXT_BODY).wrapping(Wrapping::WordOrGlyph))
            .padding(theme::SPACE_S)
            .width(Fill)
            .style(theme::card)
    });
    let buttons = row![
        iced::widget::space::horizontal(),
        button(text("Cancel")).on_press(Message::AnswerPrompt(false)),
        button(text("Open")).style(button::secondary).on_press(Message::AnswerPrompt(true)),
    ]
    .spacing(theme::SPACE_S);
    let content = column![
        text(title).size(theme::TEXT_TITLE),
        target,
        text(why).size(theme::TEXT_SMALL).style(theme::muted),
        buttons,
    ]
    .spacing(theme::SPACE_M);
    let dialog =
        container(content).padding(theme::SPACE_L).width(theme::DIALOG_WIDTH).style(theme::dialog);
    widget::modal(dialog, Message::AnswerPrompt(false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use iced_test::simulator;

    #[test]
    fn web_links_open_and_others_are_asked_about_first() {
        let mut state = State::new(crate::model::ChatId("bob@x".into()));
        let web = "https://example.org".to_owned();
        assert_eq!(state.link_clicked(web.clone()), Some(Event::OpenLink(web)));
        assert!(state.prompt.is_none());

        let file = "file:///etc/passwd".to_owned();
        assert_eq!(state.link_clicked(file.clone()), None, "not opened");
        let overlay = state.overlay().expect("a question");
        let mut ui = simulator(overlay);
        ui.find("Open this link?").expect("asked");
        ui.find("file:///etc/passwd").expect("the whole target is shown");
        ui.click("Cancel").expect("Cancel");
        let answers: Vec<Message> = ui.into_messages().collect();
        let events: Vec<Event> = answers.into_iter().filter_map(|m| state.update(m).1).collect();
        assert!(events.is_empty(), "cancelled: {events:?}");
        assert!(state.prompt.is_none());

        let _ = state.link_clicked(file.clone());
        let mut ui = simulator(state.overlay().expect("asked again"));
        ui.click("Open").expect("Open");
        let answers: Vec<Message> = ui.into_messages().collect();
        let events: Vec<Event> = answers.into_iter().filter_map(|m| state.update(m).1).collect();
        assert_eq!(events, [Event::OpenLink(file)]);
    }
}
