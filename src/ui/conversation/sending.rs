//! Files going out from the composer: chosen with the 📎 button, dropped on the window, or a
//! picture pasted from the clipboard. A pasted picture waits above the message field for Send
//! or Discard, since a stray Ctrl+V must not send a screenshot to someone.

use super::attachment::in_view;
use super::thumbnails::Thumb;
use super::{Event, Message, State, theme};
use crate::model::format_size;
use crate::ui::files::{self, NoDialog, Pasted};
use iced::widget::{button, column, container, image, row, space, text, text_input};
use iced::{Center, Element, Fill, Task};
use std::path::PathBuf;

/// The field where a file's path is typed when there is no file dialog.
const TYPED_PATH_ID: &str = "typed-path";

/// What the composer's file sending asks for.
#[derive(Debug, Clone)]
pub enum Outgoing {
    /// The 📎 button: choose files in the platform's dialog.
    Attach,
    /// What the dialog gave, or that there is no dialog here: then a path can be typed.
    Chosen(Result<Vec<PathBuf>, NoDialog>),
    PathTyped(String),
    SendTyped,
    CloseTyped,
    /// Send this file here (chosen, or dropped on the window).
    File(PathBuf),
    /// Ctrl+V in the message field: look for a picture on the clipboard.
    Paste,
    Pasted(Result<Option<Pasted>, String>),
    SendPasted,
    DiscardPasted,
}

impl State {
    /// Whether the user can write here: anywhere but a room we are not in.
    pub(super) fn can_write(&self) -> bool {
        self.room.as_ref().is_none_or(|room| room.joined)
    }

    pub(super) fn outgoing(&mut self, message: Outgoing) -> (Task<Message>, Option<Event>) {
        match message {
            Outgoing::Attach if self.can_write() => {
                let task = Task::perform(files::choose_files(), |paths| {
                    Message::Outgoing(Outgoing::Chosen(paths))
                });
                (task, None)
            }
            Outgoing::Chosen(Ok(paths)) => {
                let each =
                    paths.into_iter().map(|p| Task::done(Message::Outgoing(Outgoing::File(p))));
                (Task::batch(each), None)
            }
            Outgoing::Chosen(Err(NoDialog)) => {
                self.typed_path = Some(String::new());
                (iced::widget::operation::focus(TYPED_PATH_ID), None)
            }
            Outgoing::PathTyped(typed) => {
                self.typed_path = Some(typed);
                (Task::none(), None)
            }
            Outgoing::SendTyped => {
                let path = self.typed_path.as_deref().and_then(files::typed_path);
                match path {
                    Some(path) => {
                        self.typed_path = None;
                        self.outgoing(Outgoing::File(path))
                    }
                    None => (Task::none(), None),
                }
            }
            Outgoing::CloseTyped => {
                self.typed_path = None;
                (Task::none(), None)
            }
            Outgoing::File(path) if self.can_write() => {
                (Task::none(), Some(Event::SendFile { to: self.chat.clone(), path }))
            }
            Outgoing::File(_) => {
                (Task::none(), Some(Event::Notice("Join the room to send files there.".into())))
            }
            Outgoing::Paste if self.can_write() => {
                let task = Task::perform(files::paste_image(), |pasted| {
                    Message::Outgoing(Outgoing::Pasted(pasted))
                });
                (task, None)
            }
            Outgoing::Pasted(Ok(Some(pasted))) => {
                // A second paste replaces the first.
                let earlier = self.discard_pasted();
                self.pasted = Some(pasted);
                (earlier, None)
            }
            Outgoing::Pasted(Err(why)) => (Task::none(), Some(Event::Notice(why))),
            Outgoing::SendPasted => match self.pasted.take() {
                Some(pasted) if self.can_write() => {
                    let to = self.chat.clone();
                    (Task::none(), Some(Event::SendFile { to, path: pasted.path }))
                }
                _ => (Task::none(), None),
            },
            Outgoing::DiscardPasted => (self.discard_pasted(), None),
            Outgoing::Attach | Outgoing::Paste | Outgoing::Pasted(Ok(None)) => (Task::none(), None),
        }
    }

    /// Enter while a pasted picture waits above the field: the picture goes, after the words
    /// typed with it if there are any, as the user sees them both ready.
    pub(super) fn send_with_pasted(&mut self) -> (Task<Message>, Option<Event>) {
        let body = self.finished_draft();
        if body.is_empty() {
            return self.outgoing(Outgoing::SendPasted);
        }
        self.clear_draft();
        let picture = Task::done(Message::Outgoing(Outgoing::SendPasted));
        (picture, Some(Event::Send { to: self.chat.clone(), body }))
    }

    fn discard_pasted(&mut self) -> Task<Message> {
        match self.pasted.take() {
            Some(pasted) => Task::future(files::discard_pasted(pasted.path)).discard(),
            None => Task::none(),
        }
    }

    /// Where a file's path is typed when no file dialog can be shown, saying why.
    pub(super) fn typed_path_view(&self) -> Option<Element<'_, Message>> {
        let typed = self.typed_path.as_deref()?;
        let why = text(format!("{NoDialog}. Type the path of the file to send, or drop it here."))
            .size(theme::TEXT_SMALL)
            .style(theme::muted);
        let field = text_input("/home/me/Pictures/photo.jpg", typed)
            .id(TYPED_PATH_ID)
            .on_input(|typed| Message::Outgoing(Outgoing::PathTyped(typed)))
            .on_submit(Message::Outgoing(Outgoing::SendTyped))
            .size(theme::TEXT_BODY);
        let send = button(text("Send").size(theme::TEXT_SMALL)).on_press_maybe(
            files::typed_path(typed).map(|_| Message::Outgoing(Outgoing::SendTyped)),
        );
        let close = button(text("Cancel").size(theme::TEXT_SMALL))
            .style(button::secondary)
            .on_press(Message::Outgoing(Outgoing::CloseTyped));
        let line = row![field, send, close].spacing(theme::SPACE_XS).align_y(Center);
        Some(column![why, line].spacing(theme::SPACE_XS).into())
    }

    /// The pasted picture waiting above the message field, small, with Send and Discard.
    pub(super) fn pasted_view(&self) -> Option<Element<'_, Message>> {
        let pasted = self.pasted.as_ref()?;
        let preview: Element<'_, Message> = match self.thumbnails.get(&pasted.path) {
            Thumb::Ready(handle) => image(handle.clone())
                .height(theme::PASTED_PREVIEW_HEIGHT)
                .border_radius(theme::RADIUS)
                .into(),
            Thumb::Loading => container(space())
                .width(theme::PASTED_PREVIEW_HEIGHT)
                .height(theme::PASTED_PREVIEW_HEIGHT)
                .style(theme::picture_placeholder)
                .into(),
            Thumb::Failed(why) => text(why).size(theme::TEXT_SMALL).style(theme::error_text).into(),
        };
        let about = column![
            text("Picture from the clipboard").size(theme::TEXT_BODY),
            text(format!("{}×{} · {}", pasted.width, pasted.height, format_size(pasted.bytes)))
                .size(theme::TEXT_SMALL)
                .style(theme::muted),
        ]
        .width(Fill);
        let send = button(text("Send").size(theme::TEXT_SMALL))
            .on_press_maybe(self.can_write().then_some(Message::Outgoing(Outgoing::SendPasted)));
        let discard = button(text("Discard").size(theme::TEXT_SMALL))
            .style(button::secondary)
            .on_press(Message::Outgoing(Outgoing::DiscardPasted));
        let strip = row![in_view(&pasted.path, preview), about, discard, send]
            .spacing(theme::SPACE_S)
            .align_y(Center);
        Some(container(strip).padding(theme::SPACE_S).width(Fill).style(theme::card).into())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{COMPOSER_ID, RoomContext};
    use super::*;
    use crate::model::ChatId;
    use iced::keyboard::{self, Key, Location, Modifiers, key};
    use iced_test::{selector, simulator};

    fn ctrl_v() -> iced::Event {
        let key = Key::Character("v".into());
        iced::Event::Keyboard(keyboard::Event::KeyPressed {
            key: key.clone(),
            modified_key: key,
            physical_key: key::Physical::Unidentified(key::NativeCode::Unidentified),
            location: Location::Standard,
            modifiers: Modifiers::CTRL,
            text: None,
            repeat: false,
        })
    }

    fn pasted() -> Pasted {
        Pasted { path: "/tmp/confab-x/pasted.png".into(), width: 1280, height: 800, bytes: 348_160 }
    }

    #[test]
    fn ctrl_v_in_the_message_field_looks_for_a_picture() {
        let mut state = State::new(ChatId("bob@x".into()));
        let messages: Vec<Message> = {
            let mut ui = simulator(state.view());
            ui.click(selector::id(COMPOSER_ID)).expect("the composer");
            let _ = ui.simulate([ctrl_v()]);
            ui.into_messages().collect()
        };
        assert!(
            matches!(messages.as_slice(), [Message::Outgoing(Outgoing::Paste)]),
            "{messages:?}"
        );
        let (task, _) = state.update(Message::Outgoing(Outgoing::Paste));
        assert_eq!(task.units(), 1, "the clipboard is read off the UI thread");

        state.set_room(RoomContext { joined: false, ..RoomContext::default() });
        let (task, _) = state.update(Message::Outgoing(Outgoing::Paste));
        assert_eq!(task.units(), 0, "nowhere to send it");
    }

    #[test]
    fn a_pasted_picture_waits_for_send_or_discard() {
        let mut state = State::new(ChatId("bob@x".into()));
        let (_, event) = state.update(Message::Outgoing(Outgoing::Pasted(Ok(Some(pasted())))));
        assert!(event.is_none(), "not sent by itself");
        let mut ui = simulator(state.view());
        ui.find("Picture from the clipboard").expect("shown above the field");
        ui.find("1280×800 · 340 KiB").expect("its size");
        ui.click("Send").expect("Send");
        let messages: Vec<Message> = ui.into_messages().collect();
        let events: Vec<Event> = messages.into_iter().filter_map(|m| state.update(m).1).collect();
        let path = pasted().path;
        assert_eq!(events, [Event::SendFile { to: ChatId("bob@x".into()), path }]);
        assert!(state.pasted.is_none());

        let _ = state.update(Message::Outgoing(Outgoing::Pasted(Ok(Some(pasted())))));
        let (_, event) = state.update(Message::Outgoing(Outgoing::DiscardPasted));
        assert!(event.is_none() && state.pasted.is_none());
    }

    #[test]
    fn chosen_files_are_sent_one_by_one_where_writing_is_allowed() {
        let mut state = State::new(ChatId("bob@x".into()));
        let (task, _) = state.update(Message::Outgoing(Outgoing::Chosen(Ok(vec![
            "/a.txt".into(),
            "/b.txt".into(),
        ]))));
        assert_eq!(task.units(), 2);
        let (_, event) = state.update(Message::Outgoing(Outgoing::File("/a.txt".into())));
        let to = ChatId("bob@x".into());
        assert_eq!(event, Some(Event::SendFile { to, path: "/a.txt".into() }));
        state.set_room(RoomContext { joined: false, ..RoomContext::default() });
        let (_, event) = state.update(Message::Outgoing(Outgoing::File("/a.txt".into())));
        assert!(matches!(event, Some(Event::Notice(_))), "{event:?}");
    }

    #[test]
    fn without_a_file_dialog_it_says_so_and_a_typed_path_is_sent() {
        let mut state = State::new(ChatId("bob@x".into()));
        let _ = state.update(Message::Outgoing(Outgoing::Chosen(Err(NoDialog))));
        let mut ui = simulator(state.view());
        ui.find(
            format!("{NoDialog}. Type the path of the file to send, or drop it here.").as_str(),
        )
        .expect("the user is told why no dialog came");
        ui.click(selector::id(TYPED_PATH_ID)).expect("the path field");
        ui.typewrite("/home/me/notes.txt");
        let _ = ui.simulate([enter()]);
        let messages: Vec<Message> = ui.into_messages().collect();
        let events: Vec<Event> = messages.into_iter().filter_map(|m| state.update(m).1).collect();
        let path = PathBuf::from("/home/me/notes.txt");
        assert_eq!(events, [Event::SendFile { to: ChatId("bob@x".into()), path }]);
        assert!(state.typed_path.is_none(), "the field goes once the file is on its way");

        let _ = state.update(Message::Outgoing(Outgoing::Chosen(Err(NoDialog))));
        let (_, event) = state.update(Message::Outgoing(Outgoing::SendTyped));
        assert!(event.is_none() && state.typed_path.is_some(), "nothing typed, nothing sent");
        let _ = state.update(Message::Outgoing(Outgoing::CloseTyped));
        assert!(state.typed_path.is_none());
    }

    #[test]
    fn a_typed_path_in_the_home_folder_may_start_with_a_tilde() {
        let home = directories::BaseDirs::new().map(|d| d.home_dir().join("a.png"));
        assert_eq!(files::typed_path(" ~/a.png "), home);
        assert_eq!(files::typed_path("/tmp/b.png"), Some(PathBuf::from("/tmp/b.png")));
        assert_eq!(files::typed_path("  "), None);
    }

    fn enter() -> iced::Event {
        let key = Key::Named(key::Named::Enter);
        iced::Event::Keyboard(keyboard::Event::KeyPressed {
            key: key.clone(),
            modified_key: key,
            physical_key: key::Physical::Unidentified(key::NativeCode::Unidentified),
            location: Location::Standard,
            modifiers: Modifiers::empty(),
            text: None,
            repeat: false,
        })
    }
}
