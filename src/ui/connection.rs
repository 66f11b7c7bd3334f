//! The connection banner: always visible, in words a user can act on.

use super::theme;
use crate::model::{ConnectError, ConnectionState};
use iced::widget::{button, column, container, row, space, text, text_input};
use iced::{Center, Element, Fill};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub enum Message {
    Password(String),
    RetryPassword,
    TrustOnce,
    TrustAlways,
    Reconnect,
}

/// What the banner asks of the worker or the configuration.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    SetPassword(String),
    Trust { fingerprint: String, always: bool },
    Reconnect,
}

#[derive(Debug, Default)]
pub struct State {
    connection: Option<ConnectionState>,
    /// When the worker will try again, so the banner can count down.
    retry_at: Option<Instant>,
    password: String,
}

impl State {
    pub fn set(&mut self, state: ConnectionState) {
        self.retry_at = match &state {
            ConnectionState::Offline { retry_in_secs, .. } => {
                Some(Instant::now() + Duration::from_secs(*retry_in_secs))
            }
            _ => None,
        };
        self.connection = Some(state);
    }

    /// Whether the banner shows a countdown that needs a redraw every second.
    pub fn counting_down(&self) -> bool {
        self.retry_at.is_some()
    }

    pub fn update(&mut self, message: Message) -> Option<Action> {
        match message {
            Message::Password(p) => {
                self.password = p;
                None
            }
            Message::RetryPassword => (!self.password.is_empty())
                .then(|| Action::SetPassword(std::mem::take(&mut self.password))),
            Message::TrustOnce | Message::TrustAlways => match &self.connection {
                Some(ConnectionState::Failed(ConnectError::CertificateUntrusted {
                    fingerprint,
                    ..
                })) => Some(Action::Trust {
                    fingerprint: fingerprint.clone(),
                    always: matches!(message, Message::TrustAlways),
                }),
                _ => None,
            },
            Message::Reconnect => Some(Action::Reconnect),
        }
    }

    /// A one-line summary for the sidebar footer and the title.
    pub fn summary(&self) -> &'static str {
        match &self.connection {
            None | Some(ConnectionState::Idle) => "Offline",
            Some(ConnectionState::Connecting) => "Connecting…",
            Some(ConnectionState::Online) => "Online",
            Some(ConnectionState::Offline { .. }) => "Offline",
            Some(ConnectionState::Failed(_)) => "Not connected",
        }
    }

    fn offline_text(&self, reason: &str) -> String {
        let left = self.retry_at.map(|at| at.saturating_duration_since(Instant::now()).as_secs());
        match left {
            Some(secs) if secs > 0 => format!("Offline: {reason}. Retrying in {secs} s."),
            _ => format!("Offline: {reason}. Retrying…"),
        }
    }

    /// Nothing when online; otherwise what is going on and what the user can do.
    pub fn view(&self) -> Option<Element<'_, Message>> {
        let state = self.connection.as_ref()?;
        let (content, error): (Element<'_, Message>, bool) = match state {
            ConnectionState::Online => return None,
            ConnectionState::Idle => (
                row![text("You are offline."), space::horizontal(), button("Connect").on_press(Message::Reconnect)]
                    .align_y(Center)
                    .into(),
                false,
            ),
            ConnectionState::Connecting => (text("Connecting…").into(), false),
            ConnectionState::Offline { reason, .. } => (
                row![
                    text(self.offline_text(reason)).width(Fill),
                    button("Retry now").on_press(Message::Reconnect),
                ]
                .spacing(theme::SPACE_S)
                .align_y(Center)
                .into(),
                false,
            ),
            ConnectionState::Failed(ConnectError::WrongPassword) => (
                row![
                    text("Wrong password or unknown account.").width(Fill),
                    text_input("Password", &self.password)
                        .id("banner-password")
                        .secure(true)
                        .on_input(Message::Password)
                        .on_submit(Message::RetryPassword)
                        .width(220),
                    button("Log in").on_press(Message::RetryPassword),
                ]
                .spacing(theme::SPACE_S)
                .align_y(Center)
                .into(),
                true,
            ),
            ConnectionState::Failed(ConnectError::CertificateUntrusted { fingerprint, reason }) => (
                column![
                    text(format!("The server's certificate is not trusted: {reason}.")),
                    text(format!("SHA-256 fingerprint: {fingerprint}")).size(theme::TEXT_SMALL),
                    text("Compare it with the one your server's administrator gives you before trusting it.")
                        .size(theme::TEXT_SMALL),
                    row![
                        button("Trust once").on_press(Message::TrustOnce),
                        button("Always trust this certificate").on_press(Message::TrustAlways),
                    ]
                    .spacing(theme::SPACE_S),
                ]
                .spacing(theme::SPACE_XS)
                .into(),
                true,
            ),
            ConnectionState::Failed(other) => (
                row![
                    text(format!("Cannot connect: {other}.")).width(Fill),
                    button("Try again").on_press(Message::Reconnect),
                ]
                .spacing(theme::SPACE_S)
                .align_y(Center)
                .into(),
                true,
            ),
        };
        let style = if error { theme::banner_error } else { theme::banner_info };
        Some(
            container(content)
                .padding([theme::SPACE_S, theme::SPACE_M])
                .width(Fill)
                .style(style)
                .into(),
        )
    }
}
