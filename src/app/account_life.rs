//! The life of an account in the window: created on its server or added, saved with its
//! password (off the UI thread), switched to, edited, enabled or disabled, given an avatar or
//! a nickname, and forgotten when removed.

use super::{App, Message, Opened, Screen};
use crate::config::{AccountConfig, Config};
use crate::media::PreparedAvatar;
use crate::model::{AccountId, Form};
use crate::paths::Paths;
use crate::secrets::{Secrets, StoredIn};
use crate::ui::{accounts, setup};
use crate::worker::{Command, Registration};
use iced::Task;

impl App {
    /// Create the account on its server (XEP-0077) before saving it: answer the form the server
    /// already gave for this account, or ask it for one.
    pub(super) fn create_account(
        &mut self,
        account: AccountConfig,
        password: String,
        answers: Option<Box<Form>>,
    ) -> Task<Message> {
        match (self.registration.take(), answers) {
            (Some(registration), Some(answers)) if registration.account() == &account => {
                self.save_account(account, password, Some((registration, *answers)))
            }
            (_, answers) => Task::perform(
                async move {
                    let result = Registration::open(&account).await.map_err(|e| e.to_string());
                    Message::RegistrationOpened(Box::new(Opened {
                        account,
                        password,
                        answers,
                        result,
                    }))
                },
                |message| message,
            ),
        }
    }

    pub(super) fn save_account(
        &self,
        account: AccountConfig,
        password: String,
        registration: Option<(Registration, Form)>,
    ) -> Task<Message> {
        let paths = self.paths.clone();
        Task::perform(save_account(paths, account, password, registration), Message::AccountSaved)
    }

    pub(super) fn account_event(
        &mut self,
        account: AccountId,
        event: accounts::Event,
    ) -> Task<Message> {
        match event {
            accounts::Event::Switch(other) => {
                if self.mains.contains_key(&other) {
                    self.active = Some(other);
                }
                Task::none()
            }
            // The main screen opens its console and browser itself and never passes these on.
            accounts::Event::OpenConsole | accounts::Event::OpenDiscovery => Task::none(),
            accounts::Event::EditServer => {
                if let Some(config) = self.config.account(account.as_str()) {
                    self.screen = Screen::Setup(Box::new(setup::State::edit(config)));
                }
                Task::none()
            }
            accounts::Event::Add => {
                self.screen = Screen::Setup(Box::new(setup::State::another()));
                setup::State::focus()
            }
            accounts::Event::ChooseAvatar => {
                Task::perform(choose_avatar(), move |r| Message::AvatarChosen(account.clone(), r))
            }
            accounts::Event::RemoveAvatar => {
                self.tell(&account, Command::SetAvatar(None));
                Task::none()
            }
            accounts::Event::SetNickname(nickname) => {
                self.tell(&account, Command::SetNickname(nickname));
                Task::none()
            }
            accounts::Event::SetTheme(theme) => {
                self.config.appearance.theme = theme;
                self.save_config()
            }
            accounts::Event::SetPrivacy(privacy) => {
                self.config.privacy = privacy;
                // Every running worker follows the new choice from its next message on.
                let accounts: Vec<AccountId> = self.handles.keys().cloned().collect();
                for account in accounts {
                    self.tell(&account, Command::SetPrivacy(privacy));
                }
                self.save_config()
            }
            accounts::Event::SetEnabled(enabled) => {
                // Only what happens at the next start: going offline now is the status
                // menu's *Offline*.
                if let Some(config) = self.config.account_mut(account.as_str()) {
                    config.enabled = enabled;
                }
                self.save_config()
            }
            accounts::Event::Remove { delete_history } => {
                self.removing.insert(account.clone());
                if self.handles.contains_key(&account) {
                    self.tell(&account, Command::Forget { delete_history });
                    Task::none()
                } else {
                    self.forget(&account)
                }
            }
        }
    }

    /// The account's worker has stopped: drop it from the settings, the keyring and the screen.
    pub(super) fn forget(&mut self, account: &AccountId) -> Task<Message> {
        self.config.accounts.retain(|a| a.jid != account.as_str());
        self.alerts.forget(account);
        self.config.muted = self.alerts.muted();
        self.mains.remove(account);
        if self.active.as_ref() == Some(account) {
            self.active = self.mains.keys().next().cloned();
        }
        let focus = if self.active.is_none() {
            self.screen = Screen::Setup(Box::default());
            setup::State::focus()
        } else {
            Task::none()
        };
        let paths = self.paths.clone();
        let jid = account.as_str().to_owned();
        let forget_password = Task::perform(
            async move { tokio::task::spawn_blocking(move || Secrets::new(&paths).remove(&jid)).await },
            |_| Message::Tick,
        );
        Task::batch([self.save_config(), forget_password, focus])
    }

    /// Keep the proxy's password with the account's when one was typed, or forget it once the
    /// account has no proxy; off the UI thread.
    pub(super) fn save_proxy_password(
        &self,
        account: &AccountConfig,
        password: Option<String>,
    ) -> Task<Message> {
        let (paths, key) = (self.paths.clone(), account.proxy_secret());
        let change = match (&account.proxy, password) {
            (Some(_), None) => return Task::none(),
            (Some(_), Some(password)) => Some(password),
            (None, _) => None,
        };
        Task::perform(
            async move {
                tokio::task::spawn_blocking(move || {
                    let secrets = Secrets::new(&paths);
                    match change {
                        Some(password) => secrets.save(&key, &password).map(|_| ()),
                        None => {
                            secrets.remove(&key);
                            Ok(())
                        }
                    }
                })
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r)
            },
            Message::ConfigSaved,
        )
    }

    /// Keep a password where passwords are kept (keyring or private file), off the UI thread.
    pub(super) fn save_password(&self, account: AccountId, password: String) -> Task<Message> {
        let paths = self.paths.clone();
        Task::perform(
            async move {
                tokio::task::spawn_blocking(move || {
                    Secrets::new(&paths).save(account.as_str(), &password)
                })
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r.map(|_| ()))
            },
            Message::ConfigSaved,
        )
    }
}

/// Ask for a picture with the platform's file dialog, then crop and scale it off the UI thread.
async fn choose_avatar() -> Result<Option<PreparedAvatar>, String> {
    if !crate::ui::files::dialog_available().await {
        let no_dialog = crate::ui::files::NoDialog;
        return Err(format!("{no_dialog}, so an avatar cannot be chosen here."));
    }
    let Some(file) = rfd::AsyncFileDialog::new()
        .set_title("Choose your avatar")
        .add_filter("Pictures", &["png", "jpg", "jpeg", "gif", "webp"])
        .pick_file()
        .await
    else {
        return Ok(None);
    };
    let name = file.file_name();
    let bytes = file.read().await;
    tokio::task::spawn_blocking(move || crate::media::prepare_avatar(&bytes))
        .await
        .map_err(|e| e.to_string())?
        .map(Some)
        .map_err(|e| format!("{name} cannot be your avatar: {e}"))
}

/// Create the account on its server first when given its sign-up and the answers (XEP-0077),
/// then write it to the configuration and its password to the keyring (or file), off the UI
/// thread.
async fn save_account(
    paths: Paths,
    account: AccountConfig,
    password: String,
    registration: Option<(Registration, Form)>,
) -> Result<(AccountConfig, StoredIn), String> {
    if let Some((registration, answers)) = registration {
        registration
            .submit(&password, answers)
            .await
            .map_err(|e| format!("Could not create the account: {e}."))?;
    }
    tokio::task::spawn_blocking(move || {
        let mut config = Config::load(&paths.config_file()).map_err(|e| e.to_string())?;
        config.upsert_account(account.clone());
        config.save(&paths.config_file()).map_err(|e| e.to_string())?;
        let stored = Secrets::new(&paths).save(&account.jid, &password)?;
        Ok((account, stored))
    })
    .await
    .map_err(|e| e.to_string())?
}

#[cfg(test)]
mod tests {
    use super::super::tests::app_with;
    use super::super::{Message, main_screen};
    use crate::config::Privacy;
    use crate::config::ThemeChoice;
    use crate::model::AccountId;
    use crate::ui::accounts;
    use crate::worker::{Command, Handle};

    fn account_message(message: accounts::Message) -> Message {
        Message::Main(main_screen::Message::Accounts(message))
    }

    #[test]
    fn connect_when_confab_starts_is_kept_and_does_not_disconnect() {
        let (_dir, mut app) = app_with(&["a@x"]);
        let (handle, mut worker) = Handle::detached(AccountId("a@x".into()));
        app.handles.insert(AccountId("a@x".into()), handle);
        let _ = app.update(account_message(accounts::Message::SetEnabled(false)));
        assert!(app.config.account("a@x").is_some_and(|a| !a.enabled), "kept for the next start");
        assert!(worker.try_recv().is_err(), "the connection is left alone");
    }

    #[test]
    fn privacy_settings_reach_every_running_worker_at_once() {
        let (_dir, mut app) = app_with(&["a@x", "b@x"]);
        let mut workers = Vec::new();
        for jid in ["a@x", "b@x"] {
            let (handle, worker) = Handle::detached(AccountId(jid.into()));
            app.handles.insert(AccountId(jid.into()), handle);
            workers.push(worker);
        }
        let privacy = Privacy { receipts: false, ..Privacy::default() };
        let _ = app.update(account_message(accounts::Message::Privacy(privacy)));
        for worker in &mut workers {
            assert_eq!(worker.try_recv().ok(), Some(Command::SetPrivacy(privacy)));
        }
    }

    #[test]
    fn the_look_chosen_applies_at_once_and_follows_the_system_only_when_asked() {
        let (_dir, mut app) = app_with(&["a@x"]);
        assert_eq!(app.theme(), None, "the system's, by default");
        let _ = app.update(Message::SystemTheme(iced::theme::Mode::Dark));
        assert!(app.dark(), "the system went dark");
        let _ = app.update(account_message(accounts::Message::Theme(ThemeChoice::Light)));
        assert_eq!(app.theme(), Some(iced::Theme::Light));
        assert!(!app.dark(), "light whatever the system");
        let _ = app.update(account_message(accounts::Message::Theme(ThemeChoice::Dark)));
        assert_eq!(app.theme(), Some(iced::Theme::Dark));
        let _ = app.update(Message::SystemTheme(iced::theme::Mode::Light));
        assert!(app.dark(), "dark whatever the system");
        assert_eq!(app.config.appearance.theme, ThemeChoice::Dark, "kept in the settings");
    }
}
