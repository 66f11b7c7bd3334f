//! The main window: the connection banner, the contact list and the open conversation. It
//! turns worker events into what is shown and user intents into worker commands.

use super::{connection, conversation, sidebar, theme};
use crate::model::{AccountId, ChatId};
use crate::worker::{Command, Event as WorkerEvent};
use iced::widget::{column, container, row, text};
use iced::{Element, Fill, Task};

#[derive(Debug)]
pub struct State {
    pub account: AccountId,
    banner: connection::State,
    sidebar: sidebar::State,
    conversation: Option<conversation::State>,
    notice: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Banner(connection::Message),
    Sidebar(sidebar::Message),
    Conversation(conversation::Message),
}

/// What the parent must do: talk to the worker, or persist a choice.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Command(Command),
    /// Keep this fingerprint in the account's settings, then trust it.
    TrustAlways(String),
    /// Keep this password, then log in with it.
    SavePassword(String),
}

impl State {
    pub fn new(account: AccountId) -> Self {
        Self {
            account,
            banner: connection::State::default(),
            sidebar: sidebar::State::default(),
            conversation: None,
            notice: None,
        }
    }

    pub fn counting_down(&self) -> bool {
        self.banner.counting_down()
    }

    pub fn summary(&self) -> &'static str {
        self.banner.summary()
    }

    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Banner(message) => {
                let event = self.banner.update(message).map(|action| match action {
                    connection::Action::SetPassword(password) => Event::SavePassword(password),
                    connection::Action::Trust { fingerprint, always: true } => {
                        Event::TrustAlways(fingerprint)
                    }
                    connection::Action::Trust { fingerprint, always: false } => {
                        Event::Command(Command::TrustCertificate(fingerprint))
                    }
                    connection::Action::Reconnect => Event::Command(Command::Connect),
                });
                (Task::none(), event)
            }
            Message::Sidebar(message) => match self.sidebar.update(message) {
                Some(sidebar::Event::Open(jid)) => self.open(ChatId(jid)),
                None => (Task::none(), None),
            },
            Message::Conversation(message) => {
                let event = self.conversation.as_mut().and_then(|c| c.update(message));
                let event = event.map(|event| match event {
                    conversation::Event::Send { to, body } => {
                        Event::Command(Command::Send { to: to.0, body })
                    }
                    conversation::Event::LoadOlder { chat, before } => {
                        Event::Command(Command::LoadHistory {
                            chat,
                            before: Some(before),
                            limit: conversation::PAGE,
                        })
                    }
                });
                (Task::none(), event)
            }
        }
    }

    fn open(&mut self, chat: ChatId) -> (Task<Message>, Option<Event>) {
        if self.conversation.as_ref().is_some_and(|c| c.chat == chat) {
            return (conversation::State::focus_composer(), None);
        }
        self.sidebar.select(chat.as_str());
        let title = self
            .sidebar
            .contact(chat.as_str())
            .map_or(chat.0.clone(), |c| c.display_name().to_owned());
        self.conversation = Some(conversation::State::new(chat.clone(), title));
        let load = Command::LoadHistory { chat, before: None, limit: conversation::PAGE };
        (conversation::State::focus_composer(), Some(Event::Command(load)))
    }

    /// Show what the worker reports.
    pub fn apply(&mut self, event: WorkerEvent) {
        match event {
            WorkerEvent::Connection(state) => self.banner.set(state),
            WorkerEvent::Roster { contacts, .. } => self.sidebar.set_contacts(contacts),
            WorkerEvent::Presence { jid, presence } => self.sidebar.set_presence(&jid, presence),
            WorkerEvent::Message(message) => {
                if let Some(conversation) = &mut self.conversation {
                    conversation.push(message);
                }
            }
            WorkerEvent::Delivery { message_id, chat, state } => {
                if let Some(conversation) = self.conversation.as_mut().filter(|c| c.chat == chat) {
                    conversation.set_delivery(message_id, state);
                }
            }
            WorkerEvent::History(page) => {
                if let Some(conversation) = &mut self.conversation {
                    conversation.history(page);
                }
            }
            WorkerEvent::Notice(notice) | WorkerEvent::Outcome(Err(notice)) => {
                self.notice = Some(notice)
            }
            WorkerEvent::SubscriptionRequests(_)
            | WorkerEvent::BlockList(_)
            | WorkerEvent::OwnPresence(_)
            | WorkerEvent::Outcome(Ok(_)) => {}
            WorkerEvent::Ready(_) | WorkerEvent::Stopped => {}
        }
    }

    pub fn view(&self) -> Element<'_, Message> {
        let footer = column![
            text(self.account.as_str()).size(theme::TEXT_SMALL),
            text(self.summary()).size(theme::TEXT_SMALL).style(theme::muted),
        ];
        let sidebar = self.sidebar.view(footer.into()).map(Message::Sidebar);
        let main: Element<'_, Message> = match &self.conversation {
            Some(conversation) => conversation.view().map(Message::Conversation),
            None => container(text("Choose a contact to start chatting.").style(theme::muted))
                .center(Fill)
                .into(),
        };
        let mut page = column![];
        if let Some(banner) = self.banner.view() {
            page = page.push(banner.map(Message::Banner));
        }
        if let Some(notice) = &self.notice {
            page = page.push(
                container(text(notice.as_str()))
                    .padding(theme::SPACE_S)
                    .width(Fill)
                    .style(theme::banner_error),
            );
        }
        page.push(row![sidebar, main].height(Fill)).into()
    }
}
