//! The main window: the connection banner, the contact list with its requests, invitations
//! and status, and the open conversation with its header (a contact's, a room's with its
//! side panel, or a private chat in a room), or the room browser. It turns worker events
//! into what is shown and user intents into worker commands. The open conversation's commands,
//! typing, read markers and the catch-up line are in `chat.rs`; rooms in `rooms.rs`; files
//! dropped on the window, what covers it, and opening links and files in `files.rs`; a
//! contact's header in `header.rs`; our own status as the connection has it in `status.rs`.

mod chat;
mod console;
mod discovery;
mod export;
mod files;
mod header;
mod layout;
mod rooms;
mod search;
mod status;
mod worker_events;

use super::pictures::Pictures;
use super::widget::slot;
use super::{
    accounts, connection, console as xml_console, contacts, conversation, discovery as browser,
    invites, profile, room, room_browser, search as everywhere, sidebar, theme,
};
use crate::config::{Privacy, ThemeChoice};
use crate::emoji::Recent;
use crate::model::{AccountId, ChatId, Contact, Occupant, Presence, PresenceShow, Room};
use crate::notify::{Target, Unread};
use crate::worker::Command;
use iced::widget::{button, column, container, row, stack, text};
use iced::{Center, Element, Fill, Task};
use std::collections::HashMap;
use std::path::PathBuf;

#[derive(Debug)]
pub struct State {
    pub account: AccountId,
    banner: connection::State,
    sidebar: sidebar::State,
    contacts: contacts::State,
    accounts: accounts::State,
    conversation: Option<conversation::State>,
    /// The open room, when the conversation is one.
    room: Option<room::State>,
    /// The room browser, shown instead of the conversation while open.
    browser: Option<room_browser::State>,
    /// The XML console, shown instead of the conversation (and the browsers) while open.
    console: Option<xml_console::State>,
    /// The service discovery browser, shown instead of the conversation while open.
    discovery: Option<browser::State>,
    /// The search over everything, shown instead of the conversation while open.
    search: Option<everywhere::State>,
    /// Which search asked under which serial.
    serials: search::Serials,
    /// The export dialog, while open.
    export: Option<export::Dialog>,
    invites: invites::State,
    /// Who is in each room we are in, as last reported, so a room opens with its people.
    occupants: HashMap<String, Vec<Occupant>>,
    /// The server's conference services (XEP-0045), for the room browser.
    conference: Vec<String>,
    blocked: Vec<String>,
    /// What the open contact's header has open (renaming, a question, folded actions).
    bar: header::Bar,
    /// The window's width, which decides what folds and what covers the conversation
    /// (infinite until the window says).
    width: f32,
    /// The open contact's profile, when asked for.
    profile: Option<profile::State>,
    notice: Option<String>,
    /// The smileys setting and recently used emoji, for every conversation opened.
    composing: conversation::Composing,
    /// Catching up with the server's archive, while it lasts.
    catch_up: Option<chat::CatchUp>,
    /// Files are being dragged over the window.
    dropping: bool,
    /// The keyboard shortcuts are listed over the window (Ctrl+/).
    shortcuts_shown: bool,
    /// The conversation open before the one open now, for Ctrl+Tab.
    previous: Option<ChatId>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Banner(connection::Message),
    Sidebar(sidebar::Message),
    Contacts(contacts::Message),
    Accounts(accounts::Message),
    Conversation(conversation::Message),
    Header(HeaderMessage),
    Profile(profile::Message),
    Room(room::Message),
    Browser(room_browser::Message),
    Console(xml_console::Message),
    Discovery(browser::Message),
    Search(everywhere::Message),
    /// Exporting the open conversation.
    Export(export::ExportMessage),
    /// Ctrl+F: find in the open conversation (or search everything without one).
    Find,
    /// Ctrl+Shift+F: search everything.
    SearchEverywhere,
    Invites(invites::Message),
    /// Tab in a room's composer.
    CompleteNick,
    /// Tab anywhere else: on to the next field.
    FocusNext,
    DismissNotice,
    /// We left this conversation while saying we were typing there.
    StoppedTyping(ChatId),
    /// Files are dragged over the window (`true`), or left it.
    FilesHovered(bool),
    /// A file was dropped on the window.
    FileDropped(PathBuf),
    /// Escape, with nothing focused that takes it.
    Escape,
    /// Ctrl+/: list the keyboard shortcuts over the window, or stop.
    ToggleShortcuts,
    /// Ctrl+Tab: back to the conversation open before this one.
    OpenPrevious,
    /// The system's opener was run for a link or a file: how it went.
    Opened(Result<(), String>),
}

/// The open conversation's header actions.
#[derive(Debug, Clone)]
pub enum HeaderMessage {
    Add,
    StartRename,
    RenameDraft(String),
    Rename,
    /// Remove, once confirmed.
    AskRemove,
    Remove,
    /// Block, once confirmed.
    AskBlock,
    Block,
    /// Do not remove or block after all.
    Cancel,
    Unblock,
    /// Show the profile panel, or close it.
    ShowProfile,
    /// Show or hide the actions folded under "⋯" in a narrow window.
    Fold,
    /// Stop notifying about this conversation (`true`), or start again.
    Mute(bool),
    /// Look at the contact in the discovery browser.
    Discover,
    /// Export the conversation.
    Export,
}

/// What the parent must do: talk to the worker, or persist a choice.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Command(Command),
    /// Several commands, in this order.
    Commands(Vec<Command>),
    /// Keep this fingerprint in the account's settings, then trust it.
    TrustAlways(String),
    /// Keep this password, then log in with it.
    SavePassword(String),
    /// Something about accounts as a whole: switch, add, enable, remove.
    Account(accounts::Event),
    /// Mute or unmute a conversation's notifications, and keep the choice.
    Mute {
        chat: ChatId,
        muted: bool,
    },
    /// An emoji was used: keep the recently used list (for every account).
    RecentEmoji(Recent),
    /// Keep the smileys setting (for every account).
    Smileys(bool),
    /// Keep the styling setting (for every account).
    Styling(bool),
    /// Search the accounts the queries name (all of them for `account: None`); the answers
    /// come back to [`State::search_results`] with this serial.
    Search {
        serial: u64,
        queries: Vec<crate::model::search::SearchQuery>,
    },
    /// Show a line of another account in place: switch to it first.
    OpenElsewhere {
        account: AccountId,
        chat: ChatId,
        message_id: i64,
    },
}

/// What the main screen shows that the parent owns: the account list, the decoded pictures
/// all accounts share, the unread counts, and whether the open conversation is muted.
pub struct Context<'a> {
    pub all: Vec<AccountId>,
    pub enabled: bool,
    pub pictures: &'a Pictures,
    pub unread: &'a Unread,
    pub muted: bool,
    /// What Confab tells others about reading and typing (for the account settings).
    pub privacy: Privacy,
    /// The theme chosen (for the account settings).
    pub theme: ThemeChoice,
    /// Whether the window's theme is dark, chosen or the system's.
    pub dark: bool,
}

impl State {
    pub fn new(account: AccountId) -> Self {
        Self {
            account,
            banner: connection::State::default(),
            sidebar: sidebar::State::default(),
            contacts: contacts::State::default(),
            accounts: accounts::State::default(),
            conversation: None,
            room: None,
            browser: None,
            console: None,
            discovery: None,
            search: None,
            serials: search::Serials::default(),
            export: None,
            invites: invites::State::default(),
            occupants: HashMap::new(),
            conference: Vec::new(),
            blocked: Vec::new(),
            bar: header::Bar::default(),
            width: f32::INFINITY,
            profile: None,
            notice: None,
            composing: conversation::Composing::default(),
            catch_up: None,
            dropping: false,
            shortcuts_shown: false,
            previous: None,
        }
    }

    /// The smileys setting and recently used emoji changed.
    pub fn set_composing(&mut self, composing: conversation::Composing) {
        if let Some(conversation) = &mut self.conversation {
            conversation.set_composing(composing.clone());
        }
        self.composing = composing;
    }

    /// The conversation on screen, if any (the room browser hides it).
    pub fn visible_chat(&self) -> Option<&ChatId> {
        let covered = self.browser.is_some()
            || self.console.is_some()
            || self.discovery.is_some()
            || self.search.is_some();
        self.conversation.as_ref().filter(|_| !covered).map(|c| &c.chat)
    }

    /// A contact of this account, as last reported.
    pub fn contact(&self, jid: &str) -> Option<&Contact> {
        self.sidebar.contact(jid)
    }

    /// One of our rooms, as last reported.
    pub fn room(&self, jid: &str) -> Option<&Room> {
        self.sidebar.room(jid)
    }

    /// Our own availability, once the worker has said it.
    pub fn own_show(&self) -> Option<PresenceShow> {
        self.contacts.own_show()
    }

    /// Open a conversation from outside the screen (a notification clicked): a room as a
    /// room, anything else as a chat.
    pub fn open_chat(&mut self, chat: ChatId) -> (Task<Message>, Option<Event>) {
        self.sidebar.select(chat.as_str());
        if self.sidebar.room(chat.as_str()).is_some() {
            self.open_room(chat.0)
        } else {
            self.open(chat)
        }
    }

    pub fn counting_down(&self) -> bool {
        self.banner.counting_down()
    }

    /// Ctrl+K: jump to the search field, ready to type a name.
    pub fn find_contact() -> Task<Message> {
        sidebar::State::focus_filter()
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
                Some(sidebar::Event::OpenRoom(jid)) => self.open_room(jid),
                Some(sidebar::Event::BrowseRooms) => self.browse(None),
                None => (Task::none(), None),
            },
            Message::Room(message) => self.room_message(message),
            Message::Browser(message) => self.browser_message(message),
            Message::Invites(message) => self.invite_message(message),
            Message::CompleteNick => (self.complete_nick(), None),
            Message::FocusNext => (iced::widget::operation::focus_next(), None),
            Message::Contacts(message) => {
                let focus = match message {
                    contacts::Message::OpenAdd => contacts::State::focus_add(),
                    _ => Task::none(),
                };
                let Some(event) = self.contacts.update(message) else { return (focus, None) };
                let (follow_up, command) = match event {
                    contacts::Event::Change(change) => (Task::none(), Command::Contact(change)),
                    contacts::Event::SetPresence(presence) => {
                        (Task::none(), Command::SetPresence(presence))
                    }
                    // A status chosen while offline means "be there": connect, once the
                    // worker has it, so the login already shows it.
                    contacts::Event::Choose(presence) if !self.banner.connecting_or_online() => (
                        Task::done(Message::Banner(connection::Message::Reconnect)),
                        Command::SetPresence(presence),
                    ),
                    contacts::Event::Choose(presence) => {
                        (Task::none(), Command::SetPresence(presence))
                    }
                    contacts::Event::GoOffline => (Task::none(), Command::Disconnect),
                    contacts::Event::SetInvisible(on) => (Task::none(), Command::SetInvisible(on)),
                };
                (Task::batch([focus, follow_up]), Some(Event::Command(command)))
            }
            Message::Conversation(message) => {
                let Some(conversation) = &mut self.conversation else {
                    return (Task::none(), None);
                };
                let (task, event) = conversation.update(message);
                let task = task.map(Message::Conversation);
                match event {
                    Some(event) => {
                        let (follow_up, event) = self.conversation_event(event);
                        (Task::batch([task, follow_up]), event)
                    }
                    None => (task, None),
                }
            }
            Message::Header(message) => self.header_action(message),
            Message::Profile(profile::Message::Close) => {
                self.profile = None;
                (Task::none(), None)
            }
            Message::Accounts(message) => match self.accounts.update(message) {
                Some(accounts::Event::OpenConsole) => self.open_console(),
                Some(accounts::Event::OpenDiscovery) => {
                    let server = self.account.as_str().rsplit('@').next().map(str::to_owned);
                    self.open_discovery(&server.unwrap_or_default())
                }
                event => (Task::none(), event.map(Event::Account)),
            },
            Message::Console(message) => self.console_message(message),
            Message::Discovery(message) => self.discovery_message(message),
            Message::Search(message) => self.search_message(message),
            Message::Export(message) => (Task::none(), self.export_message(message)),
            Message::Find => self.find(),
            Message::SearchEverywhere => self.open_search(),
            Message::DismissNotice => {
                self.notice = None;
                (Task::none(), None)
            }
            Message::StoppedTyping(chat) => {
                let typing = crate::model::Typing::Idle;
                (Task::none(), Some(Event::Command(Command::Typing { chat, typing })))
            }
            Message::FilesHovered(hovering) => {
                self.hover_files(hovering);
                (Task::none(), None)
            }
            Message::FileDropped(path) => (self.drop_file(path), None),
            Message::OpenPrevious => match self.previous.clone() {
                Some(chat) if self.sidebar.room(chat.as_str()).is_some() => self.open_room(chat.0),
                Some(chat) => self.open(chat),
                None => (Task::none(), None),
            },
            Message::ToggleShortcuts => {
                self.shortcuts_shown = !self.shortcuts_shown;
                (Task::none(), None)
            }
            Message::Escape if self.shortcuts_shown => {
                self.shortcuts_shown = false;
                (Task::none(), None)
            }
            Message::Escape => match self.escape_search() {
                Some(event) => (Task::none(), event),
                None => {
                    self.escape();
                    (Task::none(), None)
                }
            },
            Message::Opened(result) => {
                if let Err(why) = result {
                    self.notice = Some(why);
                }
                (Task::none(), None)
            }
        }
    }

    fn open(&mut self, chat: ChatId) -> (Task<Message>, Option<Event>) {
        self.browser = None;
        self.discovery = None;
        self.search = None;
        if self.conversation.as_ref().is_some_and(|c| c.chat == chat) {
            return (conversation::State::focus_composer(), None);
        }
        self.sidebar.select(chat.as_str());
        self.previous = self.conversation.as_ref().map(|open| open.chat.clone());
        self.bar = header::Bar::default();
        self.profile = None;
        self.room = None;
        let stopped_typing = self.leave_conversation();
        let conversation = conversation::State::new(chat.clone());
        self.conversation = Some(conversation.with_composing(self.composing.clone()));
        let load = Command::LoadHistory { chat, before: None, limit: conversation::PAGE };
        let task = Task::batch([stopped_typing, conversation::State::focus_composer()]);
        (task, Some(Event::Command(load)))
    }

    /// The avatars worth having decoded now: those in view.
    pub fn visible_avatars(&self) -> Vec<String> {
        let mut hashes = self.sidebar.visible_avatars();
        let open = self.conversation.as_ref().and_then(|c| self.sidebar.contact(c.chat.as_str()));
        hashes.extend(open.and_then(|c| c.avatar.clone()));
        hashes
    }

    pub fn view<'a>(&'a self, context: Context<'a>) -> Element<'a, Message> {
        let elsewhere =
            context.unread.total().saturating_sub(context.unread.account(&self.account));
        let footer = column![
            self.contacts.view_footer(self.link()).map(Message::Contacts),
            self.accounts
                .view(accounts::Context {
                    all: context.all,
                    active: &self.account,
                    enabled: context.enabled,
                    elsewhere,
                    privacy: context.privacy,
                    theme: context.theme,
                })
                .map(Message::Accounts),
        ]
        .spacing(theme::SPACE_XS)
        .into();
        let top = column![
            slot(self.invites.view().map(|cards| cards.map(Message::Invites))),
            slot(self.contacts.view_top().map(|top| top.map(Message::Contacts))),
        ]
        .spacing(theme::SPACE_S);
        let unread = |jid: &str| {
            let target = Target { account: self.account.clone(), chat: ChatId(jid.to_owned()) };
            context.unread.unseen(&target)
        };
        let sidebar =
            self.sidebar.view(Some(top.into()), footer, context.pictures, unread, Message::Sidebar);
        let main: Element<'_, Message> = match (&self.browser, &self.conversation) {
            _ if self.console.is_some() => self
                .console
                .as_ref()
                .map_or_else(|| column![].into(), |c| c.view(context.dark).map(Message::Console)),
            _ if self.discovery.is_some() => self
                .discovery
                .as_ref()
                .map_or_else(|| column![].into(), |d| d.view().map(Message::Discovery)),
            _ if self.search.is_some() => self.search.as_ref().map_or_else(
                || column![].into(),
                |s| {
                    let name_of =
                        |account: &AccountId, chat: &ChatId| self.chat_name(account, chat);
                    s.view(context.dark, name_of).map(Message::Search)
                },
            ),
            (Some(browser), _) => browser.view().map(Message::Browser),
            (None, Some(conversation)) => self.chat(conversation, context.pictures, context.muted),
            (None, None) => {
                container(text("Choose a contact or a room to start chatting.").style(theme::muted))
                    .center(Fill)
                    .into()
            }
        };
        let notice = self.notice.as_ref().map(|notice| {
            container(
                row![
                    text(notice.as_str()).width(Fill),
                    button("Dismiss").on_press(Message::DismissNotice)
                ]
                .align_y(Center),
            )
            .padding(theme::SPACE_S)
            .width(Fill)
            .style(theme::banner_error)
        });
        // Every bar keeps its place, shown or not, so the page under them keeps its widgets
        // (the message field's focus, where the conversation was scrolled to). Always a
        // stack, so opening something over the page keeps them too.
        let page = column![
            slot(self.banner.view().map(|banner| banner.map(Message::Banner))),
            slot(self.catch_up_line()),
            slot(notice),
            row![sidebar, main].height(Fill),
        ];
        match self.overlay() {
            Some(overlay) => stack![page, overlay].into(),
            None => stack![page].into(),
        }
    }

    /// The open conversation with its header, and the panel beside it when one is open.
    fn chat<'a>(
        &'a self,
        conversation: &'a conversation::State,
        pictures: &'a Pictures,
        muted: bool,
    ) -> Element<'a, Message> {
        let messages = conversation.view().map(Message::Conversation);
        let (header, side) = if let Some(room) = &self.room {
            let header = room.header(muted, self.narrow_header()).map(Message::Room);
            (header, room.side_panel().map(|p| p.map(Message::Room)))
        } else if let Some((room, nick)) = self.private_chat(conversation.chat.as_str()) {
            (rooms::private_header(room, nick, muted), None)
        } else {
            let profile = self.profile.as_ref().map(|panel| panel.view().map(Message::Profile));
            (self.header(conversation, pictures, muted), profile)
        };
        // One shape for every conversation, panel or not: what is known about it (a room, a
        // room's private chat) may change while it is open, and the composer must keep its
        // place to keep its focus.
        column![header, self.with_panel(messages, side)].into()
    }
}

/// A quiet line in the conversation when the contact's availability changes.
fn presence_line(name: &str, presence: &Presence) -> String {
    let what = match presence.show {
        PresenceShow::Offline => "went offline".to_owned(),
        PresenceShow::Online | PresenceShow::Chat => "is online".to_owned(),
        show => format!("is now {}", show.label().to_lowercase()),
    };
    match &presence.status {
        Some(status) => format!("{name} {what}: {status}"),
        None => format!("{name} {what}"),
    }
}
