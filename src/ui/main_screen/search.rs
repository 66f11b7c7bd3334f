//! Searching in the main screen: the search over everything (Ctrl+Shift+F), shown in place of
//! the conversation, and the open conversation's find bar (Ctrl+F). Both ask the worker, under
//! a serial from one counter, so an answer goes to whichever asked it and only while its words
//! are still the ones typed. The app sends a search for every account to each account's worker
//! and hands every answer to the screen in front.

use super::{Event, Message, State};
use crate::model::search::{SearchQuery, SearchResults};
use crate::model::{AccountId, ChatId};
use crate::ui::{conversation, search};
use crate::worker::Command;
use iced::Task;

/// Which search asked under which serial.
#[derive(Debug, Default)]
pub(super) struct Serials {
    last: u64,
    /// The open conversation's find bar's last search.
    find: Option<u64>,
}

impl Serials {
    fn next(&mut self) -> u64 {
        self.last += 1;
        self.last
    }
}

impl State {
    /// Ctrl+Shift+F, or the button: open the search over everything, the cursor in its field.
    pub fn open_search(&mut self) -> (Task<Message>, Option<Event>) {
        self.console = None;
        self.discovery = None;
        self.browser = None;
        self.search.get_or_insert_with(search::State::default);
        (search::State::focus().map(Message::Search), None)
    }

    /// Ctrl+F: find in the open conversation, or search everything when none is open.
    pub fn find(&mut self) -> (Task<Message>, Option<Event>) {
        match (&mut self.conversation, self.search.is_some() || self.console.is_some()) {
            (Some(conversation), false) if self.browser.is_none() && self.discovery.is_none() => {
                (conversation.open_find().map(Message::Conversation), None)
            }
            _ => self.open_search(),
        }
    }

    pub(super) fn search_message(
        &mut self,
        message: search::Message,
    ) -> (Task<Message>, Option<Event>) {
        let serial = self.serials.next();
        let Some(event) = self.search.as_mut().and_then(|s| s.update(message, serial)) else {
            return (Task::none(), None);
        };
        match event {
            search::Event::Search { serial, queries } => {
                (Task::none(), Some(Event::Search { serial, queries }))
            }
            search::Event::Open { account, chat, message_id } if account == self.account => {
                self.search = None;
                self.show_in_place(chat, message_id)
            }
            search::Event::Open { account, chat, message_id } => {
                (Task::none(), Some(Event::OpenElsewhere { account, chat, message_id }))
            }
            search::Event::Close => {
                self.search = None;
                (Task::none(), None)
            }
        }
    }

    /// Open `chat` (a room as a room) with line `message_id` shown in place.
    pub fn show_in_place(
        &mut self,
        chat: ChatId,
        message_id: i64,
    ) -> (Task<Message>, Option<Event>) {
        let show = Command::ShowAround { chat: chat.clone(), message_id };
        let (task, opened) = self.open_chat(chat);
        // The page around the line stands in for the newest page opening would load.
        let commands = match opened {
            Some(Event::Command(Command::LoadHistory { .. })) | None => vec![show],
            Some(Event::Command(command)) => vec![command, show],
            Some(Event::Commands(commands)) => commands
                .into_iter()
                .filter(|c| !matches!(c, Command::LoadHistory { .. }))
                .chain([show])
                .collect(),
            Some(other) => return (task, Some(other)),
        };
        (task, Some(Event::Commands(commands)))
    }

    /// The open conversation's search, from its find bar: this account's only.
    pub(super) fn find_in_conversation(&mut self, query: SearchQuery) -> Option<Event> {
        let serial = self.serials.next();
        self.serials.find = Some(serial);
        let query = SearchQuery { account: Some(self.account.as_str().to_owned()), ..query };
        Some(Event::Search { serial, queries: vec![query] })
    }

    /// An account's answer to a search; the app hands every answer to the screen in front.
    pub fn search_results(
        &mut self,
        account: &AccountId,
        serial: u64,
        results: Result<SearchResults, String>,
    ) -> Option<Event> {
        if self.serials.find == Some(serial) && *account == self.account {
            let conversation = self.conversation.as_mut()?;
            let show = conversation.found(results)?;
            return self.conversation_event(show).1;
        }
        if let Some(panel) = &mut self.search {
            panel.answer(account, serial, results);
        }
        None
    }

    /// Escape: the find bar closes first, then the search over everything.
    pub(super) fn escape_search(&mut self) -> Option<Option<Event>> {
        if let Some(conversation) = self.conversation.as_mut().filter(|c| c.finding()) {
            let back = conversation.close_find();
            return Some(back.and_then(|event| self.conversation_event(event).1));
        }
        self.search.take().map(|_| None)
    }

    /// How the conversation `chat` of `account` is called here.
    pub(super) fn chat_name(&self, account: &AccountId, chat: &ChatId) -> String {
        if *account != self.account {
            return format!("{chat} ({account})");
        }
        if let Some(room) = self.sidebar.room(chat.as_str()) {
            return room.name.clone().unwrap_or_else(|| chat.to_string());
        }
        self.sidebar
            .contact(chat.as_str())
            .map_or_else(|| chat.to_string(), |c| c.display_name().to_owned())
    }
}

/// What the conversation's search events become.
pub(super) fn conversation_search_event(
    state: &mut State,
    event: conversation::Event,
) -> Option<Event> {
    match event {
        conversation::Event::Search(query) => state.find_in_conversation(query),
        conversation::Event::ShowAround { chat, message_id } => {
            Some(Event::Command(Command::ShowAround { chat, message_id }))
        }
        conversation::Event::LoadLatest { chat } => Some(Event::Command(Command::LoadHistory {
            chat,
            before: None,
            limit: conversation::PAGE,
        })),
        _ => None,
    }
}
