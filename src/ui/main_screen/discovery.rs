//! The discovery browser in the main screen: opened on our server from the account's
//! settings, on a contact from its header, or on a room from its header; shown in place of
//! the conversation. Its questions go to the worker and are given up on after a while.

use super::rooms::{open_room_later, room_command};
use super::{Event, Message, State};
use crate::model::DiscoQuery;
use crate::ui::discovery::{self, Ask};
use crate::worker::{Command, ContactChange, RoomCommand};
use iced::Task;
use std::time::Duration;

/// How long a question waits before the browser says it had no answer.
const PATIENCE: Duration = Duration::from_secs(30);

impl State {
    /// Open the browser on `jid`, replacing what it showed.
    pub(super) fn open_discovery(&mut self, jid: &str) -> (Task<Message>, Option<Event>) {
        let (browser, ask) = discovery::State::new(jid);
        self.discovery = Some(browser);
        let (task, event) = ask.map_or((Task::none(), None), |ask| self.discovery_event(ask));
        (Task::batch([discovery::State::focus().map(Message::Discovery), task]), event)
    }

    pub(super) fn discovery_message(
        &mut self,
        message: discovery::Message,
    ) -> (Task<Message>, Option<Event>) {
        match self.discovery.as_mut().and_then(|browser| browser.update(message)) {
            Some(event) => self.discovery_event(event),
            None => (Task::none(), None),
        }
    }

    fn discovery_event(&mut self, event: discovery::Event) -> (Task<Message>, Option<Event>) {
        match event {
            discovery::Event::Ask(asks) => {
                let commands = asks.iter().map(|ask| Command::Discover {
                    jid: ask.key.jid.clone(),
                    node: ask.key.node.clone(),
                    query: ask.query.clone(),
                });
                let commands = Event::Commands(commands.collect());
                (give_up_later(asks), Some(commands))
            }
            discovery::Event::Register { jid, form } => {
                let register = Command::RegisterWith { jid, form };
                (self.panel_patience(), Some(Event::Command(register)))
            }
            discovery::Event::Search { jid, form } => {
                let search = Command::SearchDirectory { jid, form };
                (self.panel_patience(), Some(Event::Command(search)))
            }
            discovery::Event::Step { jid, node, session, action, form } => {
                let step = Command::RunCommand { jid, node, session, action, form };
                (self.panel_patience(), Some(Event::Command(step)))
            }
            discovery::Event::JoinRoom(room) => {
                self.discovery = None;
                let join = RoomCommand::Join { room: room.clone(), nick: None, password: None };
                (open_room_later(room), Some(room_command(join)))
            }
            discovery::Event::BrowseRooms(service) => {
                self.discovery = None;
                self.browse(Some(service))
            }
            discovery::Event::AddContact(jid) => {
                let add = ContactChange::Add { jid, name: None, groups: Vec::new() };
                (Task::none(), Some(Event::Command(Command::Contact(add))))
            }
            discovery::Event::Console(jid) => {
                let (task, event) = self.open_console();
                if let Some(console) = &mut self.console {
                    console.filter_to(&jid);
                }
                (task, event)
            }
            discovery::Event::Close => {
                self.discovery = None;
                (Task::none(), None)
            }
        }
    }

    /// The browser's panel step just asked is said to have had no answer if none came by then.
    fn panel_patience(&self) -> Task<Message> {
        let Some(serial) = self.discovery.as_ref().map(discovery::State::panel_serial) else {
            return Task::none();
        };
        Task::future(async move {
            tokio::time::sleep(PATIENCE).await;
            Message::Discovery(discovery::Message::PanelTimedOut(serial))
        })
    }

    /// The worker's answer to a question the browser asked.
    pub(super) fn discovered(
        &mut self,
        key: discovery::Key,
        query: &DiscoQuery,
        answer: Result<crate::model::Discovered, String>,
    ) {
        if let Some(browser) = &mut self.discovery {
            browser.answer(key, query, answer);
        }
    }
}

/// Questions not answered by then are said to have had no answer.
fn give_up_later(asks: Vec<Ask>) -> Task<Message> {
    Task::future(async move {
        tokio::time::sleep(PATIENCE).await;
        Message::Discovery(discovery::Message::TimedOut(asks))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AccountId, Discovered, EntityIdentity, EntityInfo};
    use crate::ui::accounts;
    use crate::worker::Event as WorkerEvent;

    #[test]
    fn the_browser_opens_on_our_server_asks_through_the_worker_and_hides_the_conversation() {
        let mut state = State::new(AccountId("alice@example.org".into()));
        let (_, event) = state.update(Message::Accounts(accounts::Message::OpenDiscovery));
        let asked = |query| Command::Discover { jid: "example.org".into(), node: None, query };
        assert_eq!(
            event,
            Some(Event::Commands(vec![
                asked(DiscoQuery::Info),
                asked(DiscoQuery::Items { after: None })
            ]))
        );
        assert_eq!(state.visible_chat(), None);
        let server = EntityIdentity { category: "server".into(), kind: "im".into(), name: None };
        let info = EntityInfo { identities: vec![server], ..EntityInfo::default() };
        state.apply(WorkerEvent::Discovered {
            jid: "example.org".into(),
            node: None,
            query: DiscoQuery::Info,
            answer: Ok(Discovered::Info(info)),
        });
        let (_, event) = state.update(Message::Discovery(discovery::Message::Act(
            discovery::Action::Console("example.org".into()),
        )));
        assert_eq!(event, Some(Event::Command(Command::Console(true))));
        assert!(state.console.is_some(), "the console opens, filtered to the address");
        let (_, event) = state.update(Message::Discovery(discovery::Message::Close));
        assert_eq!(event, None);
        assert!(state.discovery.is_none());
    }
}
