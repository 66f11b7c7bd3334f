//! What an account's main screen asks of the app: commands for its worker, and the settings
//! it changes (a trusted certificate, a muted conversation, recent emoji, smileys, styling),
//! saved to the configuration file off the UI thread.

use super::{App, Message, composing};
use crate::model::search::SearchQuery;
use crate::model::{AccountId, ChatId};
use crate::notify::Target;
use crate::ui::main_screen;
use crate::worker::{Command, Event as WorkerEvent};
use iced::Task;

impl App {
    pub(super) fn main_event(
        &mut self,
        account: AccountId,
        event: main_screen::Event,
    ) -> Task<Message> {
        let command = match event {
            // Turned off: not even asked for (the worker would not send it either).
            main_screen::Event::Command(Command::Typing { .. }) if !self.config.privacy.typing => {
                return Task::none();
            }
            main_screen::Event::Command(command) => command,
            main_screen::Event::Commands(commands) => {
                for command in commands {
                    self.tell(&account, command);
                }
                return Task::none();
            }
            main_screen::Event::TrustAlways(fingerprint) => {
                if let Some(config) = self.config.account_mut(account.as_str()) {
                    config.pin(&fingerprint);
                }
                self.tell(&account, Command::TrustCertificate(fingerprint));
                return self.save_config();
            }
            main_screen::Event::SavePassword(password) => {
                self.tell(&account, Command::SetPassword(password.clone()));
                return self.save_password(account, password);
            }
            main_screen::Event::Account(event) => return self.account_event(account, event),
            main_screen::Event::Mute { chat, muted } => {
                self.alerts.notifier.set_muted(Target { account, chat }, muted);
                self.config.muted = self.alerts.muted();
                return self.save_config();
            }
            main_screen::Event::RecentEmoji(recent) => {
                self.config.recent_emoji = recent.to_string();
                self.share_composing();
                return self.save_config();
            }
            main_screen::Event::Smileys(on) => {
                self.config.smileys_to_emoji = on;
                self.share_composing();
                return self.save_config();
            }
            main_screen::Event::Styling(on) => {
                self.config.message_styling = on;
                self.share_composing();
                return self.save_config();
            }
            main_screen::Event::Search { serial, queries } => {
                self.search(serial, queries);
                return Task::none();
            }
            main_screen::Event::OpenElsewhere { account, chat, message_id } => {
                return self.show_elsewhere(account, chat, message_id);
            }
        };
        self.tell(&account, command);
        Task::none()
    }

    /// Each query to the account it names, or to every account: their workers answer with
    /// `serial`, and the answers go to the screen in front.
    fn search(&mut self, serial: u64, queries: Vec<SearchQuery>) {
        for query in queries {
            let accounts: Vec<AccountId> = match &query.account {
                Some(account) => vec![AccountId(account.clone())],
                None => self.handles.keys().cloned().collect(),
            };
            for account in accounts {
                let query =
                    SearchQuery { account: Some(account.as_str().to_owned()), ..query.clone() };
                self.tell(&account, Command::Search { serial, query });
            }
        }
    }

    /// A search hit of another account: switch to it, then show the line in place.
    fn show_elsewhere(
        &mut self,
        account: AccountId,
        chat: ChatId,
        message_id: i64,
    ) -> Task<Message> {
        if !self.mains.contains_key(&account) {
            return Task::none();
        }
        self.active = Some(account.clone());
        let Some(main) = self.main_mut() else { return Task::none() };
        let (task, event) = main.show_in_place(chat, message_id);
        let follow_up = event.map_or_else(Task::none, |event| self.main_event(account, event));
        Task::batch([task.map(Message::Main), follow_up, self.request_pictures()])
    }

    pub(super) fn tell(&mut self, account: &AccountId, command: Command) {
        let result = match self.handles.get(account) {
            Some(handle) => handle.send(command),
            None => Err(format!("{account} is still starting; try again in a moment")),
        };
        if let (Err(e), Some(main)) = (result, self.mains.get_mut(account)) {
            main.apply(WorkerEvent::Notice(e));
        }
    }

    /// The smileys or styling setting or the recently used emoji changed: every account's
    /// screen composes with the new ones.
    pub(super) fn share_composing(&mut self) {
        let composing = composing(&self.config);
        for main in self.mains.values_mut() {
            main.set_composing(composing.clone());
        }
    }

    /// Save the configuration, then have `account`'s worker read it again.
    pub(super) fn save_config_and_reload(&self, account: AccountId) -> Task<Message> {
        self.saving_config(move |saved| Message::SettingsSaved(account.clone(), saved))
    }

    pub(super) fn save_config(&self) -> Task<Message> {
        self.saving_config(Message::ConfigSaved)
    }

    /// Write the configuration off the UI thread and say how it went with `done`.
    fn saving_config(
        &self,
        done: impl Fn(Result<(), String>) -> Message + Send + 'static,
    ) -> Task<Message> {
        let config = self.config.clone();
        let path = self.paths.config_file();
        Task::perform(
            async move {
                tokio::task::spawn_blocking(move || config.save(&path).map_err(|e| e.to_string()))
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|r| r)
            },
            done,
        )
    }
}
