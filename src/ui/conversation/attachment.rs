//! A shared file drawn in its message. A picture here on disk is a thumbnail (a click opens the
//! viewer); anything else is a card with the file's name and size and what can be done with it:
//! Download (*Show image* for a picture not fetched yet), Cancel while it comes, Open and Save…
//! once it is here. Our own file shows its upload's progress, with Cancel, until it is up.

use super::thumbnails::{THUMBNAIL_BOX, Thumb, Thumbnails};
use super::{Message, theme};
use crate::model::{
    Attachment, Delivery, Direction, Message as ChatMessage, Transfer, format_size,
};
use crate::ui::fonts::EMOJI_FONT;
use iced::widget::image::Handle;
use iced::widget::{Column, button, column, container, image, progress_bar, row, sensor, text};
use iced::{Center, Element, Fill};
use std::path::{Path, PathBuf};

/// What the widgets of a shared file ask for.
#[derive(Debug, Clone)]
pub enum FileMessage {
    /// A thumbnail came into view (or close to it).
    Shown(PathBuf),
    /// A thumbnail left the view.
    Hidden(PathBuf),
    /// A picture was decoded for its thumbnail, or could not be.
    Decoded(PathBuf, Result<Handle, String>),
    Download(i64),
    CancelDownload(i64),
    /// Stop our upload: the message is taken out of the outbox.
    CancelUpload(i64),
    /// Show the message's picture in the viewer.
    View(i64),
    /// The viewer's picture was decoded, or could not be.
    Enlarged(PathBuf, Result<Handle, String>),
    CloseViewer,
    /// Open the message's file with the system's application for it.
    Open(i64),
    /// Save a copy of the message's file where the user chooses.
    Save(i64),
    /// The copy was saved (where), or not (the dialog was closed), or could not be.
    Saved(String, Result<Option<PathBuf>, String>),
}

/// What a shared file's drawing needs besides its message.
#[derive(Clone, Copy)]
pub(super) struct Files<'a> {
    pub thumbnails: &'a Thumbnails,
    /// The message's upload or download, while one runs or after one failed.
    pub transfer: Option<&'a Transfer>,
}

/// Whether this is our file still waiting to go up.
fn is_uploading(message: &ChatMessage) -> bool {
    message.direction == Direction::Out
        && message.state == Delivery::Pending
        && message.attachment.as_ref().is_some_and(|a| a.url.is_none())
}

/// The body worth showing beside an attachment: none when it is only the file's address.
pub(super) fn caption<'a>(message: &'a ChatMessage, attachment: &Attachment) -> Option<&'a str> {
    let body = message.body.trim();
    (!body.is_empty() && Some(body) != attachment.url.as_deref()).then_some(body)
}

/// A message's file: its thumbnail or card, and under it our upload's progress.
pub(super) fn attachment<'a>(
    message: &'a ChatMessage,
    attachment: &'a Attachment,
    files: Files<'a>,
) -> Element<'a, Message> {
    let id = message.id;
    let picture = attachment.local.as_ref().filter(|_| attachment.is_image());
    let mut parts = Column::new().spacing(theme::SPACE_XS);
    parts = match picture.map(|path| (path, files.thumbnails.get(path))) {
        Some((path, Thumb::Ready(handle))) => parts.push(in_view(path, ready(id, handle))),
        Some((path, Thumb::Loading)) => parts.push(in_view(path, placeholder())),
        Some((path, Thumb::Failed(why))) => {
            let why = format!("This picture cannot be shown: {why}");
            parts.push(in_view(path, card(attachment, id, files.transfer, Some(why))))
        }
        None => parts.push(card(attachment, id, files.transfer, None)),
    };
    if is_uploading(message) {
        parts = parts.push(upload(id, files.transfer));
    }
    parts.into()
}

/// Tells the conversation when a thumbnail comes into view and leaves it. Keyed by the file,
/// so a new file in the same place counts as a new showing.
pub(super) fn in_view<'a>(path: &Path, content: Element<'a, Message>) -> Element<'a, Message> {
    let (shown, hidden) = (path.to_path_buf(), path.to_path_buf());
    sensor(content)
        .key(path.to_path_buf())
        .anticipate(THUMBNAIL_BOX as f32)
        .on_show(move |_| Message::File(FileMessage::Shown(shown.clone())))
        .on_hide(Message::File(FileMessage::Hidden(hidden)))
        .into()
}

/// A decoded thumbnail: a click shows it large.
fn ready(id: i64, handle: &Handle) -> Element<'_, Message> {
    button(image(handle.clone()).border_radius(theme::RADIUS))
        .padding(0)
        .style(theme::picture_button)
        .on_press(Message::File(FileMessage::View(id)))
        .into()
}

fn placeholder<'a>() -> Element<'a, Message> {
    let (width, height) = theme::THUMBNAIL_PLACEHOLDER;
    container(text("Loading picture…").size(theme::TEXT_SMALL))
        .center_x(width)
        .center_y(height)
        .style(theme::picture_placeholder)
        .into()
}

/// A file as a card: its name, its size or what is happening to it, and its buttons.
fn card<'a>(
    attachment: &'a Attachment,
    id: i64,
    transfer: Option<&'a Transfer>,
    problem: Option<String>,
) -> Element<'a, Message> {
    let icon = if attachment.is_image() { "🖼️" } else { "📄" };
    let icon = text(icon).font(EMOJI_FONT).size(theme::TEXT_TITLE);
    let running = match transfer {
        Some(Transfer::Running { done, total }) if attachment.local.is_none() => {
            Some((*done, total.or(attachment.size)))
        }
        _ => None,
    };
    let small = |words: String| text(words).size(theme::TEXT_SMALL);
    let failed = match transfer {
        Some(Transfer::Failed(why)) if attachment.local.is_none() => Some(why),
        _ => None,
    };
    // One line under the name: what is wrong, how far it came, or how big it is.
    let line = match (problem, running, failed) {
        (Some(problem), _, _) => Some(small(problem).style(theme::error_text)),
        (None, Some((done, Some(total))), _) => Some(
            small(format!("{} of {}", format_size(done), format_size(total))).style(theme::muted),
        ),
        (None, Some((done, None)), _) => {
            Some(small(format!("{} so far", format_size(done))).style(theme::muted))
        }
        (None, None, Some(why)) => {
            Some(small(format!("Download failed: {why}")).style(theme::error_text))
        }
        (None, None, None) => {
            attachment.size.map(|size| small(format_size(size)).style(theme::muted))
        }
    };
    let details = column![text(&attachment.name).size(theme::TEXT_BODY), line];
    let action = |label: &'a str, message: FileMessage| {
        button(text(label).size(theme::TEXT_SMALL))
            .style(button::secondary)
            .padding([2.0, theme::SPACE_S])
            .on_press(Message::File(message))
    };
    let buttons = if attachment.local.is_some() {
        row![action("Open", FileMessage::Open(id)), action("Save…", FileMessage::Save(id))]
    } else if running.is_some() {
        row![action("Cancel", FileMessage::CancelDownload(id))]
    } else if attachment.url.is_some() {
        let label = if attachment.is_image() { "Show image" } else { "Download" };
        row![action(label, FileMessage::Download(id))]
    } else {
        row![]
    };
    let top = row![icon, details.width(Fill), buttons.spacing(theme::SPACE_XS)]
        .spacing(theme::SPACE_S)
        .align_y(Center);
    let mut content = column![top].spacing(theme::SPACE_XS);
    if let Some((done, Some(total))) = running {
        content = content.push(bar(done, total));
    }
    container(content)
        .padding(theme::SPACE_S)
        .width(theme::FILE_CARD_WIDTH)
        .style(theme::file_card)
        .into()
}

/// Our file on its way up: how far, with Cancel; or waiting for the connection.
fn upload<'a>(id: i64, transfer: Option<&'a Transfer>) -> Element<'a, Message> {
    let cancel = button(text("Cancel").size(theme::TEXT_SMALL))
        .style(button::secondary)
        .padding([2.0, theme::SPACE_S])
        .on_press(Message::File(FileMessage::CancelUpload(id)));
    let progress: Element<'a, Message> = match transfer {
        Some(Transfer::Running { done, total: Some(total) }) => column![
            bar(*done, *total),
            text(format!("Uploading… {} of {}", format_size(*done), format_size(*total)))
                .size(theme::TEXT_SMALL)
                .style(theme::muted),
        ]
        .spacing(theme::SPACE_XS)
        .into(),
        Some(Transfer::Running { done, total: None }) => {
            text(format!("Uploading… {}", format_size(*done)))
                .size(theme::TEXT_SMALL)
                .style(theme::muted)
                .into()
        }
        _ => text("Waiting to upload").size(theme::TEXT_SMALL).style(theme::muted).into(),
    };
    row![container(progress).width(Fill), cancel]
        .spacing(theme::SPACE_S)
        .align_y(Center)
        .width(theme::FILE_CARD_WIDTH)
        .into()
}

fn bar<'a>(done: u64, total: u64) -> Element<'a, Message> {
    let total = total.max(1) as f32;
    progress_bar(0.0..=total, (done as f32).min(total))
        .girth(theme::PROGRESS_GIRTH)
        .length(Fill)
        .into()
}
