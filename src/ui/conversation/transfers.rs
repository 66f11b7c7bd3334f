//! The conversation's shared files at work: uploads and downloads as the worker reports them,
//! the buttons on files (download, cancel, open, save, view), and thumbnails decoded as they
//! come into view.

use super::attachment::FileMessage;
use super::links::Prompt;
use super::thumbnails;
use super::viewer::Viewer;
use super::{Event, Message, State};
use crate::media;
use crate::model::{Direction, Transfer};
use crate::ui::files;
use crate::worker::OutboxAction;
use iced::Task;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

impl State {
    /// The worker reports on a message's upload or download.
    pub fn transfer(&mut self, message_id: i64, transfer: Transfer) {
        let Some(message) = self.messages.iter_mut().find(|m| m.id == message_id) else {
            return;
        };
        match transfer {
            Transfer::Done(attachment) => {
                message.attachment = Some(attachment);
                self.bodies.renew(message);
                self.transfers.remove(&message_id);
            }
            Transfer::Cancelled => {
                self.transfers.remove(&message_id);
            }
            transfer @ (Transfer::Running { .. } | Transfer::Failed(_)) => {
                self.transfers.insert(message_id, transfer);
            }
        }
    }

    pub(super) fn file_message(&mut self, message: FileMessage) -> (Task<Message>, Option<Event>) {
        let event = match message {
            FileMessage::Shown(path) => {
                let jobs = self.thumbnails.shown(path);
                return (decode(jobs), None);
            }
            FileMessage::Hidden(path) => {
                self.thumbnails.hidden(&path);
                return (Task::none(), None);
            }
            FileMessage::Decoded(path, result) => {
                let jobs = self.thumbnails.decoded(path, result);
                return (decode(jobs), None);
            }
            FileMessage::Download(id) => {
                self.transfers.remove(&id);
                Event::Download(id)
            }
            FileMessage::CancelDownload(id) => Event::CancelDownload(id),
            FileMessage::CancelUpload(id) => Event::Outbox(OutboxAction::Cancel(id)),
            FileMessage::View(id) => {
                let Some((path, name, _)) = self.local_file(id) else {
                    return (Task::none(), None);
                };
                let (viewer, task) = Viewer::open(id, path, name);
                self.viewer = Some(viewer);
                return (task, None);
            }
            FileMessage::Enlarged(path, result) => {
                if let Some(viewer) = &mut self.viewer {
                    viewer.decoded(&path, result);
                }
                return (Task::none(), None);
            }
            FileMessage::CloseViewer => {
                self.viewer = None;
                return (Task::none(), None);
            }
            FileMessage::Open(id) => {
                let Some((path, name, direction)) = self.local_file(id) else {
                    return (Task::none(), None);
                };
                // The file's own name on disk is what the desktop picks an application by.
                let on_disk = path.file_name().unwrap_or_default().to_string_lossy();
                if direction == Direction::In && !media::opens_without_asking(&on_disk) {
                    self.prompt = Some(Prompt::File { path, name });
                    return (Task::none(), None);
                }
                Event::OpenFile(path)
            }
            FileMessage::Save(id) => {
                let Some((path, name, _)) = self.local_file(id) else {
                    return (Task::none(), None);
                };
                let task = Task::perform(files::save_copy(path, name.clone()), move |saved| {
                    Message::File(FileMessage::Saved(name.clone(), saved))
                });
                return (task, None);
            }
            FileMessage::Saved(name, Ok(Some(to))) => {
                self.note(format!("Saved {name} as {}", to.display()));
                return (Task::none(), None);
            }
            FileMessage::Saved(_, Ok(None)) => return (Task::none(), None),
            FileMessage::Saved(_, Err(why)) => Event::Notice(why),
        };
        (Task::none(), Some(event))
    }

    /// A message's file on this machine: where, its name, and whose it is.
    fn local_file(&self, id: i64) -> Option<(PathBuf, String, Direction)> {
        let message = self.messages.iter().find(|m| m.id == id)?;
        let attachment = message.attachment.as_ref()?;
        let path = attachment.local.clone()?;
        Some((path, attachment.name.clone(), message.direction))
    }

    /// Messages left the window: their transfers and pictures are forgotten too.
    pub(super) fn forget_gone_files(&mut self) {
        let ids: HashSet<i64> = self.messages.iter().map(|m| m.id).collect();
        self.transfers.retain(|id, _| ids.contains(id));
        let mut paths: HashSet<&Path> =
            self.messages.iter().filter_map(|m| m.attachment.as_ref()?.local.as_deref()).collect();
        paths.extend(self.pasted.as_ref().map(|pasted| pasted.path.as_path()));
        self.thumbnails.keep_only(&paths);
    }
}

/// Decode these pictures for their thumbnails, each reporting when done.
fn decode(jobs: Vec<PathBuf>) -> Task<Message> {
    Task::batch(jobs.into_iter().map(|path| {
        let decoding = path.clone();
        Task::perform(thumbnails::load_thumbnail(path), move |result| {
            Message::File(FileMessage::Decoded(decoding.clone(), result))
        })
    }))
}

#[cfg(test)]
mod tests {
    use super::super::tests::message;
    use super::*;
    use crate::model::HistoryPage;
    use crate::model::{Attachment, ChatId, Delivery, Message as ChatMessage};
    use iced::widget::image::Handle;
    use iced_test::simulator;

    fn file(name: &str, url: Option<&str>, local: Option<&str>) -> Attachment {
        Attachment {
            url: url.map(Into::into),
            name: name.into(),
            size: Some(3 * 1024 * 1024),
            mime: None,
            local: local.map(PathBuf::from),
        }
    }

    fn with_file(id: i64, attachment: Attachment) -> ChatMessage {
        let body = attachment.url.clone().unwrap_or_default();
        ChatMessage { body, attachment: Some(attachment), ..message(id, 1000 + id) }
    }

    fn showing(messages: Vec<ChatMessage>) -> State {
        let mut state = State::new(ChatId("bob@x".into()));
        state.history(HistoryPage { chat: state.chat.clone(), messages, has_more: false });
        state
    }

    /// Clicks `label` in `state`'s view and feeds the messages back.
    fn click(state: &mut State, label: &str) -> Vec<Event> {
        let messages: Vec<Message> = {
            let mut ui = simulator(state.view());
            ui.click(label).unwrap_or_else(|_| panic!("no {label}"));
            ui.into_messages().collect()
        };
        messages.into_iter().filter_map(|m| state.update(m).1).collect()
    }

    fn shows(state: &State, words: &str) -> bool {
        simulator(state.view()).find(words).is_ok()
    }

    #[test]
    fn our_upload_shows_its_progress_and_cancel_takes_it_out_of_the_outbox() {
        let ours = ChatMessage {
            direction: Direction::Out,
            state: Delivery::Pending,
            ..with_file(4, file("report.pdf", None, Some("/files/a/report.pdf")))
        };
        let mut state = showing(vec![ours]);
        assert!(shows(&state, "Waiting to upload"), "before the connection is back");
        assert!(!shows(&state, ""), "its empty body is not drawn as an empty line");
        let total = 3 * 1024 * 1024;
        state.transfer(4, Transfer::Running { done: total / 2, total: Some(total) });
        assert!(shows(&state, "Uploading… 1.5 MiB of 3.0 MiB"));
        assert_eq!(click(&mut state, "Cancel"), [Event::Outbox(OutboxAction::Cancel(4))]);
    }

    #[test]
    fn a_file_card_downloads_then_opens_and_saves() {
        let url = "https://up.x/d/report.pdf";
        let mut state = showing(vec![with_file(5, file("report.pdf", Some(url), None))]);
        assert!(shows(&state, "report.pdf"));
        assert!(shows(&state, "3.0 MiB"));
        assert!(!shows(&state, url), "the address is not shown as the message's text");
        assert_eq!(click(&mut state, "Download"), [Event::Download(5)]);

        state.transfer(5, Transfer::Running { done: 1024 * 1024, total: None });
        assert!(shows(&state, "1.0 MiB of 3.0 MiB"), "the known size stands for the total");
        assert_eq!(click(&mut state, "Cancel"), [Event::CancelDownload(5)]);
        state.transfer(5, Transfer::Failed("the server said 404".into()));
        assert!(shows(&state, "Download failed: the server said 404"));
        assert!(shows(&state, "Download"), "and it can be tried again");

        let done = file("report.pdf", Some(url), Some("/cache/m5/report.pdf"));
        state.transfer(5, Transfer::Done(done.clone()));
        assert_eq!(state.messages[0].attachment, Some(done), "the message has its copy");
        assert!(!shows(&state, "Download"));
        let opened = click(&mut state, "Open");
        assert_eq!(opened, [Event::OpenFile(PathBuf::from("/cache/m5/report.pdf"))]);
        assert!(shows(&state, "Save…"));
    }

    #[test]
    fn a_received_program_is_asked_about_before_it_opens() {
        let setup = file("setup.exe", Some("https://up.x/setup.exe"), Some("/cache/m6/setup.exe"));
        let mut state = showing(vec![with_file(6, setup)]);
        assert!(click(&mut state, "Open").is_empty(), "not opened yet");
        let overlay = simulator(state.overlay().expect("a question")).find("Open setup.exe?");
        assert!(overlay.is_ok());
        assert_eq!(
            state.answer_prompt(true),
            Some(Event::OpenFile(PathBuf::from("/cache/m6/setup.exe")))
        );
    }

    #[test]
    fn a_received_web_page_or_shortcut_is_asked_about_and_a_pdf_is_not() {
        for (id, name) in [(8, "invoice.html"), (9, "photo.svg"), (10, "news.url")] {
            let path = format!("/cache/m{id}/{name}");
            let mut state = showing(vec![with_file(id, file(name, None, Some(&path)))]);
            assert!(click(&mut state, "Open").is_empty(), "{name} is not opened yet");
            let question = format!("Open {name}?");
            assert!(simulator(state.overlay().expect("asked")).find(question.as_str()).is_ok());
        }
        // Named like a PDF in the message, but its file on disk is what would open.
        let disguised = file("report.pdf", None, Some("/cache/m11/report.desktop"));
        let mut state = showing(vec![with_file(11, disguised)]);
        assert!(click(&mut state, "Open").is_empty(), "asked by its name on disk");
    }

    #[test]
    fn a_picture_not_fetched_yet_offers_to_show_it() {
        let url = "https://up.x/cat.jpg";
        let mut state = showing(vec![with_file(7, file("cat.jpg", Some(url), None))]);
        assert_eq!(click(&mut state, "Show image"), [Event::Download(7)]);
    }

    #[test]
    fn a_picture_here_is_decoded_once_in_view_then_drawn_and_opens_large() {
        let local = "/cache/m8/cat.png";
        let mut state =
            showing(vec![with_file(8, file("cat.png", Some("https://up.x/cat.png"), Some(local)))]);
        assert!(shows(&state, "Loading picture…"));
        let asked: Vec<Message> = {
            let mut ui = simulator(state.view());
            let frame = iced::window::Event::RedrawRequested(iced::time::Instant::now());
            let _ = ui.simulate([iced::Event::Window(frame)]);
            ui.into_messages().collect()
        };
        let [Message::File(FileMessage::Shown(path))] = asked.as_slice() else {
            panic!("{asked:?}")
        };
        assert_eq!(path, &PathBuf::from(local));
        let (task, _) = state.update(Message::File(FileMessage::Shown(path.clone())));
        assert_eq!(task.units(), 1, "one decode started");
        let (task, _) = state.update(Message::File(FileMessage::Shown(path.clone())));
        assert_eq!(task.units(), 0, "and only one");

        let picture = Handle::from_rgba(40, 30, [90, 90, 90, 255].repeat(40 * 30));
        let _ = state.update(Message::File(FileMessage::Decoded(path.clone(), Ok(picture))));
        assert!(!shows(&state, "Loading picture…"));
        assert!(!shows(&state, "cat.png"), "a picture, not a card");
        let clicked: Vec<Message> = {
            let mut ui = simulator(state.view());
            // The picture sits right above the message's time.
            let time = chrono::DateTime::from_timestamp(1008, 0).expect("a time");
            let time = time.with_timezone(&chrono::Local).format("%H:%M").to_string();
            let under = ui.find(time.as_str()).expect("the time").bounds();
            ui.point_at(iced::Point::new(under.x + 10.0, under.y - 12.0));
            let _ = ui.simulate(iced_test::simulator::click());
            ui.into_messages().collect()
        };
        let opened: Vec<Event> = clicked.into_iter().filter_map(|m| state.update(m).1).collect();
        assert!(opened.is_empty());
        assert!(state.viewer.is_some(), "a click on the picture opens the viewer");
        let (task, _) = state.update(Message::File(FileMessage::View(8)));
        assert_eq!(task.units(), 1, "decoded again, larger");
        let mut ui = simulator(state.overlay().expect("the viewer"));
        ui.find("Loading picture…").expect("while it decodes");
        ui.find("Save…").expect("Save");
        drop(ui);
        assert!(state.close_overlay(), "Escape closes it");
        assert!(state.overlay().is_none());
    }

    #[test]
    fn a_broken_picture_says_why_and_stays_a_file() {
        let local = "/cache/m9/bomb.png";
        let mut state =
            showing(vec![with_file(9, file("bomb.png", Some("https://up.x/b.png"), Some(local)))]);
        let path = PathBuf::from(local);
        let _ = state.update(Message::File(FileMessage::Shown(path.clone())));
        let why = "the picture is too big to show (100000×100000 pixels)".to_owned();
        let _ = state.update(Message::File(FileMessage::Decoded(path, Err(why))));
        assert!(shows(
            &state,
            "This picture cannot be shown: the picture is too big to show (100000×100000 pixels)"
        ));
        assert!(shows(&state, "Save…"), "it can still be saved");
    }
}
