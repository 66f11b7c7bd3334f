//! The iced program: the root state, its messages, and the wiring between screens and the
//! account workers. This is the only place that holds the workers' command handles.
//! Notifications and unread counts are wired in `alerts.rs`.

mod account_life;
mod alerts;
mod input;
mod main_events;
mod reading;

use crate::config::{AccountConfig, Config, ThemeChoice};
use crate::emoji::Recent;
use crate::media::PreparedAvatar;
use crate::model::{AccountId, ChatId, Form};
use crate::notify::Target;
use crate::paths::Paths;
use crate::secrets::StoredIn;
use crate::ui::conversation::Composing;
use crate::ui::pictures::Pictures;
use crate::ui::{main_screen, setup};
use crate::worker::{self, Command, Event as WorkerEvent, Handle, Registration, Update, WorkerKey};
use iced::widget::{column, container, text};
use iced::{Element, Fill, Subscription, Task, Theme, window};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

/// How long closing waits for workers to end their streams cleanly.
const CLOSE_GRACE: Duration = Duration::from_secs(3);

pub fn run(paths: Paths) -> iced::Result {
    iced::application(move || App::new(paths.clone()), App::update, App::view)
        .title(App::title)
        .subscription(App::subscription)
        .theme(App::theme)
        .window(window_settings())
        // Colour emoji everywhere, even where the system has no emoji font (ui/fonts.rs).
        .font(crate::ui::fonts::EMOJI)
        .run()
}

fn window_settings() -> window::Settings {
    window::Settings {
        size: iced::Size::new(1000.0, 680.0),
        min_size: Some(iced::Size::new(560.0, 400.0)),
        exit_on_close_request: false,
        #[cfg(target_os = "linux")]
        platform_specific: window::settings::PlatformSpecific {
            // Matches the desktop file's StartupWMClass, so docks group the window with it.
            application_id: crate::paths::APP_ID.to_owned(),
            ..Default::default()
        },
        ..window::Settings::default()
    }
}

pub struct App {
    paths: Paths,
    config: Config,
    screen: Screen,
    /// One main screen per configured account; the active one is shown.
    mains: BTreeMap<AccountId, main_screen::State>,
    active: Option<AccountId>,
    handles: HashMap<AccountId, Handle>,
    /// Accounts being removed: forgotten for good once their worker has stopped.
    removing: HashSet<AccountId>,
    /// A sign-up whose server asked for more than a name and password, waiting on the setup
    /// screen for the answers (its connection holds any CAPTCHA).
    registration: Option<Registration>,
    closing: bool,
    /// Decoded avatars, shared by all accounts (the cache is by picture, not by account).
    pictures: Pictures,
    /// Notifications, unread counts and whether the window has the focus.
    alerts: alerts::Alerts,
    /// The window's width, for the main screens' layout (infinite until the window says).
    width: f32,
    /// The conversation each account's worker last heard is open (see `app/reading.rs`).
    opened: HashMap<AccountId, ChatId>,
    /// The system's colour scheme is dark (followed where the theme is the system's).
    system_dark: bool,
}

enum Screen {
    /// The configuration could not be read: say so instead of starting half-configured.
    Broken(String),
    Setup(Box<setup::State>),
    Main,
}

#[derive(Debug, Clone)]
pub enum Message {
    Setup(setup::Message),
    Main(main_screen::Message),
    Worker(Update),
    /// The server said what it needs to create an account (or why it will not).
    RegistrationOpened(Box<Opened>),
    AccountSaved(Result<(AccountConfig, StoredIn), String>),
    ConfigSaved(Result<(), String>),
    /// An account's changed settings are saved; its worker may read them.
    SettingsSaved(AccountId, Result<(), String>),
    CloseRequested,
    CloseNow,
    FocusNext,
    FocusPrevious,
    /// A second passed while something on screen counts down or expires.
    Tick,
    /// Ctrl+K: jump to the contact search.
    FindContact,
    /// Ctrl+F: find in the open conversation.
    Find,
    /// Ctrl+Shift+F: search every conversation.
    SearchEverywhere,
    /// Show the active account's XML console.
    OpenConsole,
    /// Ctrl+/: list the keyboard shortcuts, or stop.
    ToggleShortcuts,
    /// Ctrl+,: open or close the active account's settings.
    ToggleSettings,
    /// Alt+Down (`true`) or Alt+Up: the next or previous conversation in the list.
    StepChat(bool),
    /// Ctrl+Tab: back to the conversation open before this one.
    PreviousChat,
    /// Escape, where nothing focused took it: close the picture viewer or a question.
    Escape,
    /// Files are dragged over the window (`true`), or left it.
    FilesHovered(bool),
    /// A file was dropped on the window: send it to the open conversation.
    FileDropped(std::path::PathBuf),
    /// The picture chosen as an account's avatar, ready to publish (`None`: nothing chosen).
    AvatarChosen(AccountId, Result<Option<PreparedAvatar>, String>),
    /// An avatar was decoded (or could not be).
    PictureLoaded(String, Option<iced::widget::image::Handle>),
    /// The window gained (`true`) or lost the keyboard focus.
    WindowFocused(bool),
    /// The window opened or changed size: the main screens fit their layout to its width.
    WindowResized(iced::Size),
    /// The system's colour scheme, at start and whenever it changes.
    SystemTheme(iced::theme::Mode),
    /// A notification was closed: clicked (its conversation), or not (`None`), or it could
    /// not be shown.
    NotificationClicked(Result<Option<Target>, String>),
}

/// A sign-up's first step done: the server's form for `account`, or why there is none.
#[derive(Debug, Clone)]
pub struct Opened {
    account: AccountConfig,
    password: String,
    /// What the user already answered to an earlier copy of the form.
    answers: Option<Box<Form>>,
    result: Result<Registration, String>,
}

impl App {
    pub fn new(paths: Paths) -> (Self, Task<Message>) {
        crate::ui::conversation::keep_thumbnails_in(paths.thumbnail_dir());
        let mut app = Self {
            paths,
            config: Config::default(),
            screen: Screen::Main,
            mains: BTreeMap::new(),
            active: None,
            handles: HashMap::new(),
            opened: HashMap::new(),
            removing: HashSet::new(),
            registration: None,
            closing: false,
            pictures: Pictures::default(),
            alerts: alerts::Alerts::default(),
            width: f32::INFINITY,
            system_dark: false,
        };
        match Config::load(&app.paths.config_file()) {
            Ok(config) => {
                let composing = composing(&config);
                for account in &config.accounts {
                    let mut main = main_screen::State::new(account.id());
                    main.set_composing(composing.clone());
                    app.mains.insert(account.id(), main);
                }
                app.active = config.accounts.first().map(AccountConfig::id);
                app.alerts = alerts::Alerts::new(&config.muted);
                app.config = config;
            }
            Err(e) => app.screen = Screen::Broken(e.to_string()),
        }
        let scheme = iced::system::theme().map(Message::SystemTheme);
        if matches!(app.screen, Screen::Main) && app.active.is_none() {
            app.screen = Screen::Setup(Box::default());
            return (app, Task::batch([scheme, setup::State::focus()]));
        }
        (app, scheme)
    }

    fn main(&self) -> Option<&main_screen::State> {
        self.active.as_ref().and_then(|a| self.mains.get(a))
    }

    fn main_mut(&mut self) -> Option<&mut main_screen::State> {
        self.active.as_ref().and_then(|a| self.mains.get_mut(a))
    }

    /// "Confab (3) — me@example.org (Online)": the unread total first, for the taskbar.
    fn title(&self) -> String {
        let detail = match (&self.screen, self.main()) {
            (Screen::Main, Some(main)) => Some(format!("{} ({})", main.account, main.summary())),
            _ => None,
        };
        self.alerts.unread.window_title(detail.as_deref())
    }

    /// The theme chosen, or none to follow the system's light or dark setting as it changes
    /// (iced reads it: the freedesktop appearance setting on Linux, the OS's elsewhere).
    fn theme(&self) -> Option<Theme> {
        match self.config.appearance.theme {
            ThemeChoice::System => None,
            ThemeChoice::Light => Some(Theme::Light),
            ThemeChoice::Dark => Some(Theme::Dark),
        }
    }

    /// Whether the window's theme is dark, for what is coloured in the view itself.
    fn dark(&self) -> bool {
        match self.config.appearance.theme {
            ThemeChoice::System => self.system_dark,
            ThemeChoice::Light => false,
            ThemeChoice::Dark => true,
        }
    }

    /// One worker per configured account, identified by the account alone; a disabled one
    /// keeps its history readable and connects when asked.
    fn subscription(&self) -> Subscription<Message> {
        let workers = self.config.accounts.iter().map(|account| {
            let key = WorkerKey { paths: self.paths.clone(), account: account.id() };
            Subscription::run_with(key, worker::updates).map(Message::Worker)
        });
        let close = window::close_requests().map(|_| Message::CloseRequested);
        let scheme = iced::system::theme_changes().map(Message::SystemTheme);
        let window = window::events().filter_map(input::window_event);
        let keys = iced::keyboard::listen().filter_map(input::shortcut);
        // A countdown on screen, or typing and catch-up to expire.
        let ticking = self.main().is_some_and(|main| main.counting_down() || main.wants_tick());
        let tick = if ticking {
            iced::time::every(Duration::from_secs(1)).map(|_| Message::Tick)
        } else {
            Subscription::none()
        };
        Subscription::batch(workers.chain([close, scheme, window, keys, tick]))
    }

    pub fn update(&mut self, message: Message) -> Task<Message> {
        let task = self.handle(message);
        // Whatever happened may have put a conversation in front of the user: it is read.
        self.mark_read();
        self.remember_open();
        task
    }

    fn handle(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::Setup(message) => {
                let Screen::Setup(setup) = &mut self.screen else { return Task::none() };
                match setup.update(message) {
                    Some(setup::Event::Submit {
                        account,
                        password,
                        create,
                        answers,
                        proxy_password,
                    }) => {
                        // The proxy's password is kept before the account, whose worker
                        // starts once it is saved.
                        let proxy = self.save_proxy_password(&account, proxy_password);
                        let saved = if create {
                            self.create_account(account, password, answers)
                        } else {
                            self.save_account(account, password, None)
                        };
                        proxy.chain(saved)
                    }
                    Some(setup::Event::Edited { account, password, proxy_password }) => {
                        let id = account.id();
                        let proxy = self.save_proxy_password(&account, proxy_password);
                        self.config.upsert_account(account);
                        self.screen = Screen::Main;
                        // The worker reads the saved settings again once they are saved, and
                        // reconnects with them.
                        let mut tasks = vec![proxy.chain(self.save_config_and_reload(id.clone()))];
                        if let Some(password) = password {
                            tasks.push(self.save_password(id, password));
                        }
                        Task::batch(tasks)
                    }
                    Some(setup::Event::Cancel) => {
                        self.registration = None;
                        self.screen = Screen::Main;
                        Task::none()
                    }
                    None => Task::none(),
                }
            }
            Message::RegistrationOpened(opened) => {
                let Screen::Setup(setup) = &mut self.screen else { return Task::none() };
                let Opened { account, password, answers, result } = *opened;
                let registration = match result {
                    Ok(registration) => registration,
                    Err(error) => {
                        setup.failed(format!("Could not create the account: {error}."));
                        return Task::none();
                    }
                };
                let asked = registration.form();
                let mut extra = asked.extra();
                if let Some(earlier) = &answers {
                    extra.fill_from(earlier);
                }
                // Go on when there is nothing to ask, or when the user already answered the
                // same questions on an earlier connection (a new CAPTCHA needs a new answer).
                let answered = answers.is_some() && !extra.has_media() && extra.check().is_ok();
                if !asked.needs_user() || answered {
                    return self.save_account(account, password, Some((registration, extra)));
                }
                setup.ask(asked);
                let pictures = setup.decode_pictures(asked).map(Message::Setup);
                self.registration = Some(registration);
                pictures
            }
            Message::AccountSaved(Ok((account, stored))) => {
                self.registration = None;
                let mut main = main_screen::State::new(account.id());
                main.set_composing(composing(&self.config));
                main.set_width(self.width);
                if let StoredIn::File(path) = stored {
                    main.apply(WorkerEvent::Notice(format!(
                        "No system keyring is available: your password is kept in {} (readable only by you).",
                        path.display()
                    )));
                }
                self.mains.insert(account.id(), main);
                self.active = Some(account.id());
                self.config.upsert_account(account);
                self.screen = Screen::Main;
                Task::none()
            }
            Message::AccountSaved(Err(error)) => {
                if let Screen::Setup(setup) = &mut self.screen {
                    setup.failed(error);
                }
                Task::none()
            }
            Message::Main(message) => {
                let Some(main) = self.main_mut() else { return Task::none() };
                let account = main.account.clone();
                let (task, event) = main.update(message);
                let follow_up = match event {
                    Some(event) => self.main_event(account, event),
                    None => Task::none(),
                };
                Task::batch([task.map(Message::Main), follow_up, self.request_pictures()])
            }
            Message::Worker(Update { account, events }) => {
                let mut tasks: Vec<Task<Message>> = events
                    .into_iter()
                    .map(|event| self.worker_event(account.clone(), event))
                    .collect();
                tasks.push(self.request_pictures());
                Task::batch(tasks)
            }
            Message::AvatarChosen(account, Ok(Some(avatar))) => {
                self.tell(&account, Command::SetAvatar(Some(avatar)));
                Task::none()
            }
            Message::AvatarChosen(_, Ok(None)) => Task::none(),
            Message::AvatarChosen(account, Err(e)) => {
                if let Some(main) = self.mains.get_mut(&account) {
                    main.apply(WorkerEvent::Notice(e));
                }
                Task::none()
            }
            Message::PictureLoaded(hash, picture) => {
                self.pictures.loaded(hash, picture);
                Task::none()
            }
            Message::SettingsSaved(account, Ok(())) => {
                self.tell(&account, Command::Reload);
                Task::none()
            }
            Message::ConfigSaved(result) | Message::SettingsSaved(_, result) => {
                if let (Err(e), Some(main)) = (result, self.main_mut()) {
                    main.apply(WorkerEvent::Notice(e));
                }
                Task::none()
            }
            Message::CloseRequested => {
                if self.closing || self.handles.is_empty() {
                    return iced::exit();
                }
                self.closing = true;
                for handle in self.handles.values() {
                    let _ = handle.send(Command::Shutdown);
                }
                Task::perform(tokio::time::sleep(CLOSE_GRACE), |()| Message::CloseNow)
            }
            Message::CloseNow => iced::exit(),
            Message::WindowFocused(focused) => {
                self.alerts.focused = focused;
                Task::none()
            }
            Message::WindowResized(size) => {
                self.width = size.width;
                for main in self.mains.values_mut() {
                    main.set_width(size.width);
                }
                Task::none()
            }
            Message::SystemTheme(mode) => {
                self.system_dark = mode == iced::theme::Mode::Dark;
                Task::none()
            }
            Message::NotificationClicked(clicked) => self.notification_clicked(clicked),
            Message::Tick => {
                let Some(main) = self.main_mut() else { return Task::none() };
                let account = main.account.clone();
                let (task, event) = main.tick(std::time::Instant::now());
                let follow_up = match event {
                    Some(event) => self.main_event(account, event),
                    None => Task::none(),
                };
                Task::batch([task.map(Message::Main), follow_up])
            }
            Message::FindContact => match self.screen {
                Screen::Main => main_screen::State::find_contact().map(Message::Main),
                _ => Task::none(),
            },
            Message::Find => self.on_main_screen(main_screen::Message::Find),
            Message::SearchEverywhere => {
                self.on_main_screen(main_screen::Message::SearchEverywhere)
            }
            Message::OpenConsole => self.on_main_screen(main_screen::Message::Accounts(
                crate::ui::accounts::Message::OpenConsole,
            )),
            Message::Escape => self.on_main_screen(main_screen::Message::Escape),
            Message::ToggleShortcuts => self.on_main_screen(main_screen::Message::ToggleShortcuts),
            Message::PreviousChat => self.on_main_screen(main_screen::Message::OpenPrevious),
            Message::StepChat(forward) => self.on_main_screen(main_screen::Message::Sidebar(
                crate::ui::sidebar::Message::Step { forward },
            )),
            Message::ToggleSettings => self.on_main_screen(main_screen::Message::Accounts(
                crate::ui::accounts::Message::ToggleSettings,
            )),
            Message::FilesHovered(hovering) => {
                self.on_main_screen(main_screen::Message::FilesHovered(hovering))
            }
            Message::FileDropped(path) => {
                self.on_main_screen(main_screen::Message::FileDropped(path))
            }
            Message::FocusNext => match (&self.screen, self.main()) {
                // In a room, Tab in the composer completes nicknames instead.
                (Screen::Main, Some(main)) if main.completes_nicks() => {
                    main_screen::State::tab().map(Message::Main)
                }
                _ => iced::widget::operation::focus_next(),
            },
            Message::FocusPrevious => iced::widget::operation::focus_previous(),
        }
    }

    /// A window-wide event for the main screen; the setup screen has no use for it.
    fn on_main_screen(&mut self, message: main_screen::Message) -> Task<Message> {
        match self.screen {
            Screen::Main => self.handle(Message::Main(message)),
            _ => Task::none(),
        }
    }

    /// Decode the avatars that came into view.
    fn request_pictures(&mut self) -> Task<Message> {
        let Some(main) = self.main() else { return Task::none() };
        let wanted = main.visible_avatars();
        if wanted.is_empty() {
            return Task::none();
        }
        let loads = self.pictures.request(self.paths.avatar_dir(), &wanted);
        Task::batch(loads.into_iter().map(|load| {
            Task::perform(load, |(hash, picture)| Message::PictureLoaded(hash, picture))
        }))
    }

    fn worker_event(&mut self, account: AccountId, event: WorkerEvent) -> Task<Message> {
        match event {
            WorkerEvent::Ready(handle) => {
                self.handles.insert(account, handle);
                Task::none()
            }
            WorkerEvent::Reading { unread, open } => self.restore_reading(account, unread, open),
            WorkerEvent::SearchResults { serial, results } => {
                let Some(main) = self.main_mut() else { return Task::none() };
                let front = main.account.clone();
                match main.search_results(&account, serial, results) {
                    Some(event) => self.main_event(front, event),
                    None => Task::none(),
                }
            }
            WorkerEvent::Stopped => {
                self.handles.remove(&account);
                if self.removing.remove(&account) {
                    return self.forget(&account);
                }
                if self.closing && self.handles.is_empty() { iced::exit() } else { Task::none() }
            }
            event => {
                let alert = self.alert(&account, &event);
                if let Some(main) = self.mains.get_mut(&account) {
                    main.apply(event);
                }
                alert
            }
        }
    }

    pub fn view(&self) -> Element<'_, Message> {
        match (&self.screen, self.main()) {
            (Screen::Broken(error), _) => container(
                column![
                    text("Confab cannot read its settings").size(22),
                    text(error.as_str()),
                    text("Fix or move the file away, then start Confab again."),
                ]
                .spacing(12),
            )
            .center(Fill)
            .into(),
            (Screen::Setup(setup), _) => setup.view().map(Message::Setup),
            (Screen::Main, Some(main)) => {
                let enabled = self.config.account(main.account.as_str()).is_some_and(|a| a.enabled);
                let all = self.mains.keys().cloned().collect();
                let muted = main.visible_chat().is_some_and(|chat| {
                    let target = Target { account: main.account.clone(), chat: chat.clone() };
                    self.alerts.notifier.is_muted(&target)
                });
                let context = main_screen::Context {
                    all,
                    enabled,
                    pictures: &self.pictures,
                    unread: &self.alerts.unread,
                    muted,
                    privacy: self.config.privacy,
                    theme: self.config.appearance.theme,
                    dark: self.dark(),
                };
                main.view(context).map(Message::Main)
            }
            (Screen::Main, None) => container(text("No account.")).center(Fill).into(),
        }
    }
}

/// What the composer keeps from the settings.
fn composing(config: &Config) -> Composing {
    Composing {
        smileys: config.smileys_to_emoji,
        styling: config.message_styling,
        recent: Recent::parse(&config.recent_emoji),
    }
}

#[cfg(test)]
mod tests;
