//! The service discovery browser (XEP-0030), in place of the conversation: any address (and
//! node) typed in, or opened from the account, a room or a contact. The left side is a tree
//! of what each entity lists, opened lazily and a page at a time (XEP-0059); the right side
//! is what the chosen entity is and does: identities, features by name, extended information
//! (XEP-0128) and the actions its features allow, an ad-hoc command (XEP-0050) run in place.
//!
//! Everything here comes from strangers: the engine cuts each answer, and this state bounds
//! what it keeps (entities, pages, depth) and what it draws.

mod actions;
mod command;
mod features;
mod registration;
mod search;
mod view;

#[cfg(test)]
mod tests;

pub use actions::Action;

use crate::model::{
    CommandAction, CommandStage, DirectorySearch, DiscoQuery, Discovered, EntityInfo, Form,
    ServiceRegistration,
};
use std::collections::{HashMap, HashSet};

/// Entities remembered at once; a tree opened past this stops listing and says so.
const MAX_ENTITIES: usize = 5_000;
/// Tree levels drawn: a service nesting nodes deeper than anyone reads is cut here.
const MAX_DEPTH: usize = 12;
/// Tree rows drawn at once; the filter narrows the rest.
const MAX_ROWS: usize = 300;
/// The discovery node where an entity lists its commands (XEP-0050 §2.2).
pub const COMMANDS_NODE: &str = "http://jabber.org/protocol/commands";
pub const ADDRESS_ID: &str = "discovery-address";
/// What a question or a step without an answer in time is said to have had.
const NO_ANSWER: &str = "It did not answer in time.";

/// An entity: an address, and maybe a node at it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub jid: String,
    pub node: Option<String>,
}

impl Key {
    pub fn new(jid: &str, node: Option<&str>) -> Self {
        Self { jid: jid.to_owned(), node: node.map(str::to_owned) }
    }
}

#[derive(Debug)]
pub struct State {
    /// What is typed in the address and node fields.
    address: String,
    node: String,
    root: Option<Key>,
    selected: Option<Key>,
    entities: HashMap<Key, Entity>,
    /// Narrows the tree to rows whose address, node or name contain it.
    filter: String,
    /// Entities were left out because the tree holds [`MAX_ENTITIES`].
    full: bool,
    /// A command being run or a registration, shown in place of the chosen entity's details.
    panel: Option<Panel>,
    /// Questions asked so far.
    asked: u64,
    /// Steps the panel (a command, a registration, a search) has asked of the worker so far;
    /// a "no answer in time" for an earlier one is stale.
    panel_asked: u64,
}

/// What takes the place of the chosen entity's details.
#[derive(Debug)]
enum Panel {
    Command(command::State),
    Registration(registration::State),
    Search(search::State),
}

#[derive(Debug, Default)]
struct Entity {
    /// The name the list that showed it gave.
    name: Option<String>,
    info: Load,
    items: Listing,
    open: bool,
}

/// How far the answer to one question has come.
#[derive(Debug, Default)]
enum Load {
    #[default]
    Unasked,
    /// Asked with this serial (see [`Ask`]).
    Asked(u64),
    Got(EntityInfo),
    Failed(String),
}

#[derive(Debug, Default)]
struct Listing {
    children: Vec<Key>,
    state: ListState,
}

#[derive(Debug, Default, Clone, PartialEq)]
enum ListState {
    #[default]
    Unasked,
    /// Asked with this serial (see [`Ask`]).
    Asked(u64),
    /// All of it is here.
    Complete,
    /// The entity pages: the next page starts after this cursor.
    More(String),
    /// The entity has more than it would send; no way to ask for them.
    Cut,
    Failed(String),
}

#[derive(Debug, Clone)]
pub enum Message {
    Address(String),
    Node(String),
    /// Discover the typed address and node.
    Go,
    Select(Key),
    /// Open a row's list, or close it.
    Toggle(Key),
    LoadMore(Key),
    Filter(String),
    /// Ask the chosen entity again.
    Refresh,
    Act(Action),
    Command(command::Message),
    Registration(registration::Message),
    Search(search::Message),
    /// Close the command (cancelling it if it is half-way) or the registration.
    ClosePanel,
    /// These questions had no answer in time.
    TimedOut(Vec<Ask>),
    /// The panel's step with this serial had no answer in time.
    PanelTimedOut(u64),
    Close,
}

/// One question for the worker. Its serial tells a late "no answer in time" from one about
/// the same question asked again since.
#[derive(Debug, Clone, PartialEq)]
pub struct Ask {
    pub key: Key,
    pub query: DiscoQuery,
    serial: u64,
}

/// What the main screen must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Ask(Vec<Ask>),
    /// Ask a service for its registration form (`None`), or send it filled in.
    Register {
        jid: String,
        form: Option<Form>,
    },
    /// Ask a directory for its search form (`None`), or search with it.
    Search {
        jid: String,
        form: Option<Form>,
    },
    /// A step of an ad-hoc command.
    Step {
        jid: String,
        node: String,
        session: Option<String>,
        action: CommandAction,
        form: Option<Form>,
    },
    JoinRoom(String),
    /// List a conference service's public rooms in the room browser.
    BrowseRooms(String),
    AddContact(String),
    /// Open the XML console, filtered to this address.
    Console(String),
    Close,
}

impl State {
    /// The browser open on `jid`; the main screen sends the returned questions.
    pub fn new(jid: &str) -> (Self, Option<Event>) {
        let mut state = Self {
            address: jid.to_owned(),
            node: String::new(),
            root: None,
            selected: None,
            entities: HashMap::new(),
            filter: String::new(),
            full: false,
            panel: None,
            asked: 0,
            panel_asked: 0,
        };
        let asks = state.go();
        (state, asks)
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        let event = self.handle(message);
        if matches!(event, Some(Event::Step { .. } | Event::Register { .. } | Event::Search { .. }))
        {
            self.panel_asked += 1;
        }
        event
    }

    /// The serial of the panel's latest step, for its "no answer in time".
    pub fn panel_serial(&self) -> u64 {
        self.panel_asked
    }

    fn handle(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Address(address) => self.address = address,
            Message::Node(node) => self.node = node,
            Message::Go => return self.go(),
            Message::Select(key) => return self.select(key),
            Message::Toggle(key) => return self.toggle(key),
            Message::LoadMore(key) => return self.load_more(key),
            Message::Filter(filter) => self.filter = filter,
            Message::Refresh => {
                let key = self.selected.clone()?;
                let entity = self.entities.get_mut(&key)?;
                entity.info = Load::Unasked;
                return self.select(key);
            }
            Message::Act(action) => return self.act(action),
            Message::Command(message) => match &mut self.panel {
                Some(Panel::Command(runner)) => return runner.update(message),
                _ => return None,
            },
            Message::Registration(message) => match &mut self.panel {
                Some(Panel::Registration(registration)) => return registration.update(message),
                _ => return None,
            },
            Message::Search(message) => match &mut self.panel {
                Some(Panel::Search(search)) => return search.update(message),
                _ => return None,
            },
            Message::ClosePanel => match self.panel.take()? {
                Panel::Command(runner) => return runner.cancel(),
                Panel::Registration(_) | Panel::Search(_) => return None,
            },
            Message::TimedOut(asks) => asks.into_iter().for_each(|ask| self.timed_out(ask)),
            Message::PanelTimedOut(serial) if serial == self.panel_asked => match &mut self.panel {
                Some(Panel::Command(runner)) => runner.give_up(),
                Some(Panel::Registration(registration)) => registration.give_up(),
                Some(Panel::Search(search)) => search.give_up(),
                None => {}
            },
            Message::PanelTimedOut(_) => {}
            Message::Close => return Some(Event::Close),
        }
        None
    }

    fn act(&mut self, action: Action) -> Option<Event> {
        match action {
            Action::RunCommand { jid, node, name } => {
                let (runner, step) = command::State::start(jid, node, name);
                self.panel = Some(Panel::Command(runner));
                Some(step)
            }
            Action::Register(jid) => {
                let (registration, ask) = registration::State::start(jid);
                self.panel = Some(Panel::Registration(registration));
                Some(ask)
            }
            Action::Search(jid) => {
                let (search, ask) = search::State::start(jid);
                self.panel = Some(Panel::Search(search));
                Some(ask)
            }
            Action::ListCommands(jid) => self.list_commands(&jid),
            Action::JoinRoom(room) => Some(Event::JoinRoom(room)),
            Action::BrowseRooms(service) => Some(Event::BrowseRooms(service)),
            Action::AddContact(jid) => Some(Event::AddContact(jid)),
            Action::Console(jid) => Some(Event::Console(jid)),
        }
    }

    /// Start again at the typed address: forget the tree, ask what it is and what it lists.
    fn go(&mut self) -> Option<Event> {
        let jid = self.address.trim();
        if jid.is_empty() {
            return None;
        }
        let node = Some(self.node.trim()).filter(|n| !n.is_empty());
        let root = Key::new(jid, node);
        self.entities.clear();
        self.full = false;
        self.panel = None;
        self.entities.insert(root.clone(), Entity { open: true, ..Entity::default() });
        self.root = Some(root.clone());
        self.selected = Some(root.clone());
        let asks = [DiscoQuery::Info, DiscoQuery::Items { after: None }];
        Some(Event::Ask(asks.into_iter().map(|query| self.asked(&root, query)).collect()))
    }

    fn select(&mut self, key: Key) -> Option<Event> {
        self.panel = None;
        self.selected = Some(key.clone());
        let entity = self.entities.get(&key)?;
        matches!(entity.info, Load::Unasked)
            .then(|| Event::Ask(vec![self.asked(&key, DiscoQuery::Info)]))
    }

    /// Show the entity's commands: their list is a child of the chosen entity in the tree.
    fn list_commands(&mut self, jid: &str) -> Option<Event> {
        let parent = self.selected.clone()?;
        let key = Key::new(jid, Some(COMMANDS_NODE));
        let commands = self.entities.entry(key.clone()).or_default();
        commands.name.get_or_insert_with(|| "Commands".to_owned());
        commands.open = false;
        if let Some(parent) = self.entities.get_mut(&parent)
            && !parent.items.children.contains(&key)
        {
            parent.items.children.insert(0, key.clone());
            parent.open = true;
        }
        self.selected = Some(key.clone());
        let mut asks = vec![self.asked(&key, DiscoQuery::Info)];
        if let Some(Event::Ask(list)) = self.toggle(key) {
            asks.extend(list);
        }
        Some(Event::Ask(asks))
    }

    /// Whether the entity was listed among its address's commands.
    fn listed_as_command(&self, key: &Key) -> bool {
        let commands = Key::new(&key.jid, Some(COMMANDS_NODE));
        self.entities.get(&commands).is_some_and(|list| list.items.children.contains(key))
    }

    fn toggle(&mut self, key: Key) -> Option<Event> {
        let entity = self.entities.get_mut(&key)?;
        entity.open = !entity.open;
        // A list that failed is asked again from the start when opened again (what came
        // before is kept; nothing is listed twice).
        let ask = matches!(entity.items.state, ListState::Unasked | ListState::Failed(_));
        (entity.open && ask)
            .then(|| Event::Ask(vec![self.asked(&key, DiscoQuery::Items { after: None })]))
    }

    fn load_more(&mut self, key: Key) -> Option<Event> {
        let ListState::More(cursor) = &self.entities.get(&key)?.items.state else { return None };
        let query = DiscoQuery::Items { after: Some(cursor.clone()) };
        Some(Event::Ask(vec![self.asked(&key, query)]))
    }

    /// Mark a question as asked and make it.
    fn asked(&mut self, key: &Key, query: DiscoQuery) -> Ask {
        self.asked += 1;
        let serial = self.asked;
        if let Some(entity) = self.entities.get_mut(key) {
            match query {
                DiscoQuery::Info => entity.info = Load::Asked(serial),
                DiscoQuery::Items { .. } => entity.items.state = ListState::Asked(serial),
            }
        }
        Ask { key: key.clone(), query, serial }
    }

    fn timed_out(&mut self, ask: Ask) {
        let Some(entity) = self.entities.get_mut(&ask.key) else { return };
        let why = NO_ANSWER.to_owned();
        match ask.query {
            DiscoQuery::Info if matches!(entity.info, Load::Asked(s) if s == ask.serial) => {
                entity.info = Load::Failed(why);
            }
            DiscoQuery::Items { .. } if entity.items.state == ListState::Asked(ask.serial) => {
                entity.items.state = ListState::Failed(why);
            }
            DiscoQuery::Info | DiscoQuery::Items { .. } => {}
        }
    }

    /// The worker's answer to a question; one about an entity no longer in the tree (the
    /// user went elsewhere) is dropped.
    pub fn answer(&mut self, key: Key, query: &DiscoQuery, answer: Result<Discovered, String>) {
        let Some(entity) = self.entities.get_mut(&key) else { return };
        match (query, answer) {
            (DiscoQuery::Info, Ok(Discovered::Info(info))) => entity.info = Load::Got(info),
            (DiscoQuery::Info, Err(why)) => entity.info = Load::Failed(why),
            (DiscoQuery::Items { .. }, Ok(Discovered::Items { items, more, next })) => {
                self.list(&key, items, more, next);
            }
            (DiscoQuery::Items { .. }, Err(why)) => entity.items.state = ListState::Failed(why),
            (_, Ok(_)) => {}
        }
    }

    fn list(
        &mut self,
        key: &Key,
        items: Vec<crate::model::EntityItem>,
        more: bool,
        next: Option<String>,
    ) {
        let Some(parent) = self.entities.get(key) else { return };
        let mut seen: HashSet<Key> = parent.items.children.iter().cloned().collect();
        seen.insert(key.clone());
        let mut added = Vec::new();
        for item in items {
            let child = Key { jid: item.jid, node: item.node };
            if !seen.insert(child.clone()) {
                continue;
            }
            if self.entities.len() >= MAX_ENTITIES && !self.entities.contains_key(&child) {
                self.full = true;
                break;
            }
            let known = self.entities.entry(child.clone()).or_default();
            known.name = known.name.take().or(item.name);
            added.push(child);
        }
        let Some(entity) = self.entities.get_mut(key) else { return };
        entity.items.children.extend(added);
        entity.items.state = match next {
            Some(cursor) if !self.full => ListState::More(cursor),
            _ if more || self.full => ListState::Cut,
            _ => ListState::Complete,
        };
    }

    /// The stage an ad-hoc command step led to.
    pub fn command_stage(&mut self, jid: &str, node: &str, answer: Result<CommandStage, String>) {
        if let Some(Panel::Command(runner)) = &mut self.panel
            && runner.is_for(jid, node)
        {
            runner.stage(answer);
        }
    }

    /// A directory's form or results.
    pub fn directory(&mut self, jid: &str, answer: Result<DirectorySearch, String>) {
        if let Some(Panel::Search(search)) = &mut self.panel
            && search.jid() == jid
        {
            search.answer(answer);
        }
    }

    /// Where registering with a service stands.
    pub fn registration(&mut self, jid: &str, answer: Result<ServiceRegistration, String>) {
        if let Some(Panel::Registration(registration)) = &mut self.panel
            && registration.jid() == jid
        {
            registration.answer(answer);
        }
    }

    /// Put the cursor in the address field.
    pub fn focus() -> iced::Task<Message> {
        iced::widget::operation::focus(ADDRESS_ID)
    }
}
