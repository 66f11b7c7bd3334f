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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::search::SearchHit;
    use crate::model::{Delivery, Direction, HistoryPage, Message as ChatMessage, MessageKind};
    use crate::ui::sidebar;
    use crate::worker::Event as WorkerEvent;

    fn line(id: i64, chat: &str) -> ChatMessage {
        ChatMessage {
            id,
            chat: ChatId(chat.into()),
            kind: MessageKind::Message,
            nick: None,
            edited: false,
            scheduled_for: None,
            late: false,
            direction: Direction::In,
            from: format!("{chat}/phone"),
            to: "me@x".into(),
            body: format!("lunch {id}"),
            timestamp: chrono::DateTime::from_timestamp(id, 0).unwrap_or_default(),
            state: Delivery::Received,
            origin_id: None,
            attachment: None,
            reply: None,
            unstyled: false,
        }
    }

    fn answer(account: &str, ids: &[i64], chat: &str) -> Result<SearchResults, String> {
        let hits = ids
            .iter()
            .map(|&id| SearchHit { account: account.into(), message: line(id, chat) })
            .collect();
        Ok(SearchResults { hits, more: false })
    }

    fn chatting() -> State {
        let mut state = State::new(AccountId("me@x".into()));
        let _ = state.update(Message::Sidebar(sidebar::Message::Open("bob@x".into())));
        let page = HistoryPage { chat: ChatId("bob@x".into()), messages: vec![], has_more: false };
        state.apply(WorkerEvent::History(page));
        state
    }

    fn asked(event: Option<Event>) -> (u64, Vec<SearchQuery>) {
        match event {
            Some(Event::Search { serial, queries }) => (serial, queries),
            other => panic!("expected a search, got {other:?}"),
        }
    }

    #[test]
    fn ctrl_f_finds_in_the_open_conversation_of_this_account_and_goes_to_the_newest_hit() {
        let mut state = chatting();
        let _ = state.update(Message::Find);
        let query = conversation::Message::Find(conversation::FindMessage::Query("lunch".into()));
        let (serial, queries) = asked(state.update(Message::Conversation(query)).1);
        assert_eq!(queries[0].account.as_deref(), Some("me@x"));
        assert_eq!(queries[0].chat, Some(ChatId("bob@x".into())));
        // Another account's answer under that serial is not this conversation's.
        assert_eq!(
            state.search_results(
                &AccountId("other@x".into()),
                serial,
                answer("other@x", &[9], "bob@x")
            ),
            None
        );
        let shown = state.search_results(
            &AccountId("me@x".into()),
            serial,
            answer("me@x", &[7, 3], "bob@x"),
        );
        let show = Command::ShowAround { chat: ChatId("bob@x".into()), message_id: 7 };
        assert_eq!(shown, Some(Event::Command(show)));
        // Escape closes the find bar first; the line shown reached the newest, so nothing more.
        let _ = state.update(Message::Escape);
        assert!(state.conversation.as_ref().is_some_and(|c| !c.finding()));
    }

    #[test]
    fn the_search_over_everything_asks_every_account_and_opens_a_hit_in_place() {
        let mut state = chatting();
        let _ = state.update(Message::SearchEverywhere);
        assert_eq!(state.visible_chat(), None, "the search covers the conversation");
        let (serial, queries) =
            asked(state.update(Message::Search(search::Message::Query("lunch".into()))).1);
        assert_eq!(queries[0].account, None, "every account");
        assert_eq!(
            state.search_results(
                &AccountId("me@x".into()),
                serial,
                answer("me@x", &[5], "carol@x")
            ),
            None
        );
        let opened = state.update(Message::Search(search::Message::Open(0))).1;
        let show = Command::ShowAround { chat: ChatId("carol@x".into()), message_id: 5 };
        assert_eq!(opened, Some(Event::Commands(vec![show])));
        assert_eq!(state.visible_chat(), Some(&ChatId("carol@x".into())));
    }

    #[test]
    fn a_hit_of_another_account_is_opened_there() {
        let mut state = chatting();
        let _ = state.update(Message::SearchEverywhere);
        let (serial, _) =
            asked(state.update(Message::Search(search::Message::Query("lunch".into()))).1);
        let work = AccountId("me@work.x".into());
        let _ = state.search_results(&work, serial, answer("me@work.x", &[8], "dan@work.x"));
        let opened = state.update(Message::Search(search::Message::Open(0))).1;
        assert_eq!(
            opened,
            Some(Event::OpenElsewhere {
                account: work,
                chat: ChatId("dan@work.x".into()),
                message_id: 8
            })
        );
        let _ = state.update(Message::Escape);
        assert!(state.search.is_none(), "Escape closes the search");
    }
}
