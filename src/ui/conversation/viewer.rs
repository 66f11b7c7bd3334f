//! A picture shown large over the window, with Save…, Open (in the system's own viewer) and
//! Close (or Escape, or a click beside it). It is decoded again at a larger size than its
//! thumbnail, off the UI thread, and dropped when closed.

use super::attachment::FileMessage;
use super::thumbnails::{self, VIEWER_BOX};
use super::{Message, theme};
use crate::ui::widget;
use iced::widget::image::Handle;
use iced::widget::{button, column, container, image, row, text};
use iced::{Center, ContentFit, Element, Fill, Task};
use std::path::{Path, PathBuf};

/// The picture of one message, shown large.
#[derive(Debug)]
pub(super) struct Viewer {
    message_id: i64,
    path: PathBuf,
    name: String,
    picture: Picture,
}

#[derive(Debug)]
enum Picture {
    Loading,
    Ready(Handle),
    Failed(String),
}

impl Viewer {
    /// Open on a message's picture file, and start decoding it.
    pub fn open(message_id: i64, path: PathBuf, name: String) -> (Self, Task<Message>) {
        let decoding = path.clone();
        let task = Task::perform(thumbnails::load(path.clone(), VIEWER_BOX), move |result| {
            Message::File(FileMessage::Enlarged(decoding.clone(), result))
        });
        (Self { message_id, path, name, picture: Picture::Loading }, task)
    }

    /// A decode finished; one for a picture shown before is ignored.
    pub fn decoded(&mut self, path: &Path, result: Result<Handle, String>) {
        if *path == self.path {
            self.picture = match result {
                Ok(handle) => Picture::Ready(handle),
                Err(why) => Picture::Failed(why),
            };
        }
    }

    pub fn view(&self) -> Element<'_, Message> {
        let picture: Element<'_, Message> = match &self.picture {
            Picture::Loading => text("Loading picture…").style(theme::muted).into(),
            Picture::Ready(handle) => image(handle.clone())
                .content_fit(ContentFit::ScaleDown)
                .width(Fill)
                .height(Fill)
                .into(),
            Picture::Failed(why) => {
                text(format!("This picture cannot be shown: {why}")).style(theme::error_text).into()
            }
        };
        let action = |label, message: FileMessage| {
            button(text(label).size(theme::TEXT_SMALL))
                .style(button::secondary)
                .on_press(Message::File(message))
        };
        let bar = row![
            text(&self.name).size(theme::TEXT_BODY).width(Fill),
            action("Save…", FileMessage::Save(self.message_id)),
            action("Open", FileMessage::Open(self.message_id)),
            button(text("Close").size(theme::TEXT_SMALL))
                .on_press(Message::File(FileMessage::CloseViewer)),
        ]
        .spacing(theme::SPACE_S)
        .align_y(Center);
        let content = column![container(picture).center(Fill), bar]
            .spacing(theme::SPACE_M)
            .padding(theme::SPACE_M);
        let window = container(content).width(Fill).height(Fill).style(theme::dialog);
        widget::modal(window, Message::File(FileMessage::CloseViewer))
    }
}
