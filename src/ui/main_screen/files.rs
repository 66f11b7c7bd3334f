//! Files and links at the level of the window: files dragged onto it go to the open
//! conversation (with a hint while they hover), Escape closes what the conversation shows over
//! the window (the picture viewer, a question), and links and files are handed to the system's
//! opener, whose failure is told.

use super::{Message, State};
use crate::ui::{conversation, opener, theme};
use iced::widget::{container, text};
use iced::{Element, Fill, Task};
use std::ffi::OsString;
use std::path::PathBuf;

impl State {
    /// Files are being dragged over the window (`true`), or went away.
    pub(super) fn hover_files(&mut self, hovering: bool) {
        self.dropping = hovering;
    }

    /// A file was dropped on the window: sent to the conversation on screen.
    pub(super) fn drop_file(&mut self, path: PathBuf) -> Task<Message> {
        self.dropping = false;
        if self.visible_chat().is_none() {
            self.notice = Some("Open a conversation, then drop files on it to send them.".into());
            return Task::none();
        }
        let send = conversation::Message::Outgoing(conversation::Outgoing::File(path));
        Task::done(Message::Conversation(send))
    }

    /// Escape: close the viewer or the question over the conversation, if one is open.
    pub(super) fn escape(&mut self) {
        if self.browser.is_none()
            && let Some(conversation) = &mut self.conversation
        {
            conversation.close_overlay();
        }
    }

    /// Hand a link or a file to the system; a failure becomes the notice.
    pub(super) fn open_externally(target: impl Into<OsString>) -> Task<Message> {
        Task::perform(opener::open(target.into()), Message::Opened)
    }

    /// What covers the whole window: the drop hint while files hover, the shortcut list,
    /// else what the visible conversation shows over it.
    pub(super) fn overlay(&self) -> Option<Element<'_, Message>> {
        if self.dropping {
            return Some(self.drop_hint());
        }
        if self.shortcuts_shown {
            return Some(crate::ui::shortcuts::view(Message::ToggleShortcuts));
        }
        if let Some(dialog) = self.export_dialog() {
            return Some(dialog);
        }
        let conversation = self.conversation.as_ref().filter(|_| self.browser.is_none())?;
        conversation.overlay().map(|overlay| overlay.map(Message::Conversation))
    }

    fn drop_hint(&self) -> Element<'_, Message> {
        let words = match self.visible_chat() {
            Some(chat) => {
                let jid = chat.as_str();
                let name = match (self.sidebar.contact(jid), self.sidebar.room(jid)) {
                    (Some(contact), _) => contact.display_name(),
                    (None, Some(room)) => room.display_name(),
                    (None, None) => jid,
                };
                format!("Drop to send to {name}")
            }
            None => "Open a conversation to send files".to_owned(),
        };
        let hint =
            container(text(words).size(theme::TEXT_TITLE)).center(Fill).style(theme::drop_target);
        container(hint).padding(theme::OVERLAY_MARGIN).style(theme::backdrop).into()
    }
}

#[cfg(test)]
mod tests {
    use super::super::Event;
    use super::*;
    use crate::model::HistoryPage;
    use crate::model::{
        AccountId, Attachment, ChatId, Delivery, Direction, Message as ChatMessage, MessageKind,
        Transfer,
    };
    use crate::ui::sidebar;
    use crate::worker::{Command, Event as WorkerEvent};

    fn bob() -> ChatId {
        ChatId("bob@x".into())
    }

    fn notes(id: i64, local: Option<&str>) -> Attachment {
        Attachment {
            url: Some(format!("https://up.x/{id}/notes.txt")),
            name: "notes.txt".into(),
            size: None,
            mime: Some("text/plain".into()),
            local: local.map(PathBuf::from),
        }
    }

    fn with_file(id: i64) -> ChatMessage {
        let attachment = notes(id, None);
        ChatMessage {
            id,
            chat: bob(),
            kind: MessageKind::Message,
            nick: None,
            edited: false,
            scheduled_for: None,
            late: false,
            direction: Direction::In,
            from: "bob@x/phone".into(),
            to: "me@x".into(),
            body: attachment.url.clone().unwrap_or_default(),
            timestamp: chrono::Utc::now(),
            state: Delivery::Received,
            origin_id: None,
            attachment: Some(attachment),
            reply: None,
            unstyled: false,
        }
    }

    /// The main screen with Bob's conversation open, showing `messages`.
    fn chatting(messages: Vec<ChatMessage>) -> State {
        let mut state = State::new(AccountId("me@x".into()));
        let _ = state.update(Message::Sidebar(sidebar::Message::Open("bob@x".into())));
        state.apply(WorkerEvent::History(HistoryPage { chat: bob(), messages, has_more: false }));
        state
    }

    /// Runs a message through the screen; the events for the parent.
    fn run(state: &mut State, message: Message) -> Vec<Event> {
        let (_, event) = state.update(message);
        event.into_iter().collect()
    }

    #[test]
    fn a_file_dropped_on_the_window_goes_to_the_open_conversation() {
        let mut nowhere = State::new(AccountId("me@x".into()));
        let _ = nowhere.update(Message::FilesHovered(true));
        assert!(nowhere.dropping);
        let (_, event) = nowhere.update(Message::FileDropped("/home/me/cat.png".into()));
        assert!(event.is_none() && !nowhere.dropping);
        assert!(nowhere.notice.as_deref().is_some_and(|n| n.starts_with("Open a conversation")));

        let mut state = chatting(Vec::new());
        let path = PathBuf::from("/home/me/cat.png");
        let _ = state.update(Message::FileDropped(path.clone()));
        let send = conversation::Message::Outgoing(conversation::Outgoing::File(path.clone()));
        let events = run(&mut state, Message::Conversation(send));
        let to = "bob@x".to_owned();
        assert_eq!(events, [Event::Command(Command::SendFile { to, path })]);
    }

    #[test]
    fn transfers_reach_their_conversation_and_downloads_are_asked_of_the_worker() {
        let mut state = chatting(vec![with_file(3)]);
        let download = conversation::Message::File(conversation::FileMessage::Download(3));
        let events = run(&mut state, Message::Conversation(download));
        assert_eq!(events, [Event::Command(Command::Download { message_id: 3 })]);

        let done = |chat: &str| {
            let transfer = Transfer::Done(notes(3, Some("/cache/m3/notes.txt")));
            WorkerEvent::Transfer { message_id: 3, chat: ChatId(chat.into()), transfer }
        };
        state.apply(done("eve@x"));
        let open = conversation::Message::File(conversation::FileMessage::Open(3));
        assert!(run(&mut state, Message::Conversation(open.clone())).is_empty(), "not here yet");
        state.apply(done("bob@x"));
        let (task, event) = state.update(Message::Conversation(open));
        assert!(event.is_none(), "opened here, not by the parent");
        assert_eq!(task.units(), 1, "handed to the system's opener");
    }

    #[test]
    fn escape_closes_a_question_over_the_window() {
        let mut state = chatting(Vec::new());
        let link = conversation::Message::OpenLink("javascript:alert(1)".into());
        assert!(run(&mut state, Message::Conversation(link)).is_empty());
        assert!(state.overlay().is_some(), "asked first");
        let _ = state.update(Message::Escape);
        assert!(state.overlay().is_none());
    }

    #[test]
    fn the_shortcut_list_comes_over_the_window_and_escape_closes_it() {
        let mut state = chatting(vec![]);
        assert!(state.overlay().is_none());
        let _ = state.update(Message::ToggleShortcuts);
        let overlay = state.overlay().expect("the list over the window");
        iced_test::simulator(overlay).find("Search every conversation").expect("listed");
        let _ = state.update(Message::Escape);
        assert!(state.overlay().is_none(), "closed by Escape");
        let _ = state.update(Message::ToggleShortcuts);
        let _ = state.update(Message::ToggleShortcuts);
        assert!(state.overlay().is_none(), "and by its own key again");
    }

    #[test]
    fn ctrl_tab_goes_back_to_the_conversation_open_before() {
        let mut state = chatting(vec![]);
        let _ = state.update(Message::OpenPrevious);
        assert_eq!(state.visible_chat(), Some(&bob()), "nothing before: stays");
        let _ = state.update(Message::Sidebar(sidebar::Message::Open("amy@x".into())));
        let _ = state.update(Message::OpenPrevious);
        assert_eq!(state.visible_chat(), Some(&bob()));
        let _ = state.update(Message::OpenPrevious);
        assert_eq!(state.visible_chat(), Some(&ChatId("amy@x".into())), "and back again");
    }
}
