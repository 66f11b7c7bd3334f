//! The first screen: an address and a password, and under "Advanced" the server, port,
//! Direct TLS and a certificate file. It validates what it can and hands a finished account
//! to its parent.

use super::theme;
use crate::config::{AccountConfig, TlsMode};
use iced::widget::{button, checkbox, column, container, row, text, text_input};
use iced::{Center, Element, Fill};
use std::path::PathBuf;

#[derive(Debug, Default)]
pub struct State {
    jid: String,
    password: String,
    advanced: bool,
    host: String,
    port: String,
    direct_tls: bool,
    ca_file: String,
    /// Create the account on the server first (XEP-0077).
    create: bool,
    /// Other accounts exist, so the user may go back to them.
    cancellable: bool,
    error: Option<String>,
    busy: bool,
}

#[derive(Debug, Clone)]
pub enum Message {
    Jid(String),
    Password(String),
    ToggleAdvanced,
    Host(String),
    Port(String),
    DirectTls(bool),
    CaFile(String),
    Create(bool),
    Submit,
    Cancel,
}

#[derive(Debug, Clone)]
pub enum Event {
    /// Save this account and its password (after creating it on the server when `create`),
    /// then connect.
    Submit { account: AccountConfig, password: String, create: bool },
    /// Go back without adding an account.
    Cancel,
}

impl State {
    /// The form for adding another account, with a way back.
    pub fn another() -> Self {
        Self { cancellable: true, ..Self::default() }
    }

    /// Show why saving failed and let the user try again.
    pub fn failed(&mut self, error: String) {
        self.error = Some(error);
        self.busy = false;
    }

    /// Put the cursor in the address field, ready to type.
    pub fn focus<M: Send + 'static>() -> iced::Task<M> {
        iced::widget::operation::focus("setup-jid")
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Jid(v) => self.jid = v,
            Message::Password(v) => self.password = v,
            Message::ToggleAdvanced => self.advanced = !self.advanced,
            Message::Host(v) => self.host = v,
            Message::Port(v) => self.port = v,
            Message::DirectTls(v) => self.direct_tls = v,
            Message::CaFile(v) => self.ca_file = v,
            Message::Create(v) => self.create = v,
            Message::Cancel => return self.cancellable.then_some(Event::Cancel),
            Message::Submit => match self.account() {
                Ok(account) => {
                    self.error = None;
                    self.busy = true;
                    return Some(Event::Submit {
                        account,
                        password: self.password.clone(),
                        create: self.create,
                    });
                }
                Err(e) => self.error = Some(e),
            },
        }
        None
    }

    fn account(&self) -> Result<AccountConfig, String> {
        let jid = crate::cli::parse_bare_jid(&self.jid)?;
        if self.password.is_empty() {
            return Err("Enter your password.".into());
        }
        let mut account = AccountConfig::new(&jid);
        let host = self.host.trim();
        account.host = (!host.is_empty()).then(|| host.to_owned());
        let port = self.port.trim();
        if !port.is_empty() {
            account.port =
                Some(port.parse().map_err(|_| format!("“{port}” is not a port number"))?);
        }
        account.tls = if self.direct_tls { TlsMode::DirectTls } else { TlsMode::Starttls };
        let ca = self.ca_file.trim();
        account.ca_file = (!ca.is_empty()).then(|| PathBuf::from(ca));
        Ok(account)
    }

    pub fn view(&self) -> Element<'_, Message> {
        let label = match (self.busy, self.create) {
            (true, _) => "Working…",
            (false, true) => "Create account",
            (false, false) => "Log in",
        };
        let submit = button(text(label))
            .on_press_maybe((!self.busy).then_some(Message::Submit))
            .padding([theme::SPACE_S, theme::SPACE_L]);
        let mut form = column![
            text("Welcome to Confab").size(24),
            text("Sign in with your XMPP account.").style(theme::muted),
            text_input("you@example.org", &self.jid)
                .id("setup-jid")
                .on_input(Message::Jid)
                .on_submit(Message::Submit)
                .padding(theme::SPACE_S),
            text_input("Password", &self.password)
                .id("setup-password")
                .secure(true)
                .on_input(Message::Password)
                .on_submit(Message::Submit)
                .padding(theme::SPACE_S),
            checkbox(self.create)
                .label("Create this account on the server (where it allows sign-up)")
                .on_toggle(Message::Create),
            button(text(if self.advanced { "▾ Advanced" } else { "▸ Advanced" }))
                .style(button::text)
                .on_press(Message::ToggleAdvanced),
        ]
        .spacing(theme::SPACE_M);
        if self.advanced {
            form = form.push(
                column![
                    row![
                        text_input("Server host (optional)", &self.host)
                            .on_input(Message::Host)
                            .padding(theme::SPACE_S),
                        text_input("Port", &self.port)
                            .on_input(Message::Port)
                            .padding(theme::SPACE_S)
                            .width(90),
                    ]
                    .spacing(theme::SPACE_S),
                    checkbox(self.direct_tls)
                        .label("Direct TLS (XEP-0368) instead of STARTTLS")
                        .on_toggle(Message::DirectTls),
                    text_input("CA or certificate file (PEM, optional)", &self.ca_file)
                        .on_input(Message::CaFile)
                        .padding(theme::SPACE_S),
                ]
                .spacing(theme::SPACE_S),
            );
        }
        if let Some(error) = &self.error {
            form = form.push(text(error.as_str()).style(theme::error_text));
        }
        let cancel = self
            .cancellable
            .then(|| button(text("Cancel")).style(button::secondary).on_press(Message::Cancel));
        form = form.push(row![submit].push(cancel).spacing(theme::SPACE_S));
        let card = container(form).padding(theme::SPACE_L).max_width(460).style(theme::card);
        container(card).center(Fill).align_x(Center).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submit_needs_a_valid_address_and_a_password() {
        let mut state = State::default();
        state.update(Message::Jid("not an address".into()));
        assert!(state.update(Message::Submit).is_none());
        assert!(state.error.is_some());
        state.update(Message::Jid("alice@example.org".into()));
        state.update(Message::Password("pw".into()));
        state.update(Message::Port("5223".into()));
        state.update(Message::DirectTls(true));
        let Some(Event::Submit { account, password, create }) = state.update(Message::Submit)
        else {
            panic!("expected a submission");
        };
        assert_eq!(account.jid, "alice@example.org");
        assert_eq!(account.port, Some(5223));
        assert_eq!(account.tls, TlsMode::DirectTls);
        assert_eq!(password, "pw");
        assert!(!create);
    }
}
