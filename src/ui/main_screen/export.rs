//! Exporting the open conversation, from *Export* in its header: a small dialog over the window
//! asks for the format, then the worker writes it into a new folder under the user's documents
//! (`Confab exports`) and a notice says where.

use super::{Event, Message, State};
use crate::export::Format;
use crate::model::ChatId;
use crate::ui::theme;
use crate::ui::widget::modal;
use crate::worker::Command;
use iced::Element;
use iced::widget::{button, column, container, text};
use std::path::PathBuf;

/// The dialog, while open: which conversation, under which name.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Dialog {
    chat: ChatId,
    title: String,
}

#[derive(Debug, Clone)]
pub enum ExportMessage {
    Open,
    Choose(Format),
    Cancel,
}

impl State {
    pub(super) fn export_message(&mut self, message: ExportMessage) -> Option<Event> {
        match message {
            ExportMessage::Open => {
                let chat = self.conversation.as_ref()?.chat.clone();
                let title = self.chat_name(&self.account, &chat);
                self.export = Some(Dialog { chat, title });
                None
            }
            ExportMessage::Choose(format) => {
                let Dialog { chat, title } = self.export.take()?;
                Some(Event::Command(Command::Export { chat, title, format, into: folder() }))
            }
            ExportMessage::Cancel => {
                self.export = None;
                None
            }
        }
    }

    /// The dialog over the window, while open.
    pub(super) fn export_dialog(&self) -> Option<Element<'_, Message>> {
        let dialog = self.export.as_ref()?;
        let choice = |format: Format| {
            button(text(format.label()))
                .width(iced::Fill)
                .on_press(Message::Export(ExportMessage::Choose(format)))
        };
        let where_to =
            format!("Into a new folder in {}, with its files beside it.", folder().display());
        let content = column![
            text(format!("Export “{}”", dialog.title)).size(theme::TEXT_TITLE),
            text(where_to).size(theme::TEXT_SMALL).style(theme::muted),
        ]
        .extend(Format::ALL.map(|format| choice(format).into()))
        .push(
            button("Cancel")
                .style(button::secondary)
                .on_press(Message::Export(ExportMessage::Cancel)),
        )
        .spacing(theme::SPACE_S);
        let card = container(content)
            .padding(theme::SPACE_M)
            .max_width(theme::DIALOG_WIDTH)
            .style(theme::card);
        Some(modal(card, Message::Export(ExportMessage::Cancel)))
    }
}

/// Where exports go: `Confab exports` in the user's documents folder (or home).
fn folder() -> PathBuf {
    let dirs = directories::UserDirs::new();
    let base = dirs.as_ref().and_then(|d| d.document_dir().map(PathBuf::from));
    let home = || dirs.as_ref().map_or_else(std::env::temp_dir, |d| d.home_dir().to_owned());
    base.unwrap_or_else(home).join("Confab exports")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AccountId, HistoryPage};
    use crate::ui::sidebar;
    use crate::worker::Event as WorkerEvent;
    use iced_test::simulator;

    #[test]
    fn export_asks_for_a_format_and_the_worker_writes_it() {
        let mut state = State::new(AccountId("me@x".into()));
        let _ = state.update(Message::Sidebar(sidebar::Message::Open("bob@x".into())));
        let page = HistoryPage { chat: ChatId("bob@x".into()), messages: vec![], has_more: false };
        state.apply(WorkerEvent::History(page));
        let (_, event) = state.update(Message::Export(ExportMessage::Open));
        assert_eq!(event, None, "asked first");
        let mut ui = simulator(state.export_dialog().expect("the dialog"));
        ui.click("Plain text").expect("a format to choose");
        let messages: Vec<_> = ui.into_messages().collect();
        let events: Vec<_> = messages.into_iter().filter_map(|m| state.update(m).1).collect();
        match events.as_slice() {
            [Event::Command(Command::Export { chat, title, format, into })] => {
                assert_eq!(
                    (chat.as_str(), title.as_str(), *format),
                    ("bob@x", "bob@x", Format::Text)
                );
                assert!(into.ends_with("Confab exports"));
            }
            other => panic!("expected an export, got {other:?}"),
        }
        assert!(state.export_dialog().is_none(), "the dialog closes");
    }
}
