//! The connection banner: always visible, in words a user can act on.

use super::theme;
use crate::model::{ConnectError, ConnectionState, Route};
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
    /// How the current login reached the server, in a few words.
    route: Option<String>,
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

    pub fn set_route(&mut self, route: Route) {
        self.route = Some(route.short());
    }

    /// How we are connected, while we are.
    pub fn route(&self) -> Option<&str> {
        self.online().then_some(self.route.as_deref()).flatten()
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
                Some(ConnectionState::Failed(
                    ConnectError::CertificateUntrusted { fingerprint, .. }
                    | ConnectError::CertificateChanged { fingerprint, .. },
                )) => Some(Action::Trust {
                    fingerprint: fingerprint.clone(),
                    always: matches!(message, Message::TrustAlways),
                }),
                _ => None,
            },
            Message::Reconnect => Some(Action::Reconnect),
        }
    }

    /// Whether we are connected, so what the server tells (presences) is current.
    pub fn online(&self) -> bool {
        self.connection == Some(ConnectionState::Online)
    }

    /// Whether the account is offline because the user chose it (or never connected it),
    /// rather than on its way or failing.
    pub fn idle(&self) -> bool {
        self.connection == Some(ConnectionState::Idle)
    }

    /// Whether the worker is connected or on its way there by itself.
    pub fn connecting_or_online(&self) -> bool {
        matches!(self.connection, Some(ConnectionState::Connecting | ConnectionState::Online))
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
                    // Greyed out until there is a password to try, so a click on it never
                    // silently does nothing.
                    button("Log in").on_press_maybe(
                        (!self.password.is_empty()).then_some(Message::RetryPassword),
                    ),
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
            ConnectionState::Failed(ConnectError::CertificateChanged {
                fingerprint,
                pinned,
                reason,
            }) => (changed_certificate(fingerprint, pinned, reason), true),
            ConnectionState::Failed(ConnectError::CertificateInvalid { fingerprint, reason }) => (
                column![
                    text(format!("The server's certificate is refused: {reason}.")),
                    text(format!("SHA-256 fingerprint: {fingerprint}")).size(theme::TEXT_SMALL),
                    text("Trusting it would not help: only the server's administrator can fix this.")
                        .size(theme::TEXT_SMALL),
                    button("Try again").on_press(Message::Reconnect),
                ]
                .spacing(theme::SPACE_XS)
                .into(),
                true,
            ),
            ConnectionState::Failed(ConnectError::Storage(why)) => (
                row![
                    text(why.as_str()).width(Fill),
                    button("Try again").on_press(Message::Reconnect),
                ]
                .spacing(theme::SPACE_S)
                .align_y(Center)
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

/// A certificate other than the pinned one: a renewal, or an attack. Worded so that it does
/// not read like the first-time question, and both fingerprints shown to compare.
fn changed_certificate<'a>(
    fingerprint: &'a str,
    pinned: &'a str,
    reason: &'a str,
) -> Element<'a, Message> {
    column![
        text("Warning: the server's certificate changed since you trusted it."),
        text(format!(
            "The new certificate is not trusted ({reason}). A server renewing its certificate \
             looks like this, and so does someone intercepting your connection."
        ))
        .size(theme::TEXT_SMALL),
        text(format!("Trusted SHA-256 fingerprint: {pinned}")).size(theme::TEXT_SMALL),
        text(format!("Presented now: {fingerprint}")).size(theme::TEXT_SMALL),
        text("Only trust it if your server's administrator confirms the new fingerprint.")
            .size(theme::TEXT_SMALL),
        row![
            button("Trust the new certificate once").on_press(Message::TrustOnce),
            button("Replace the trusted certificate").on_press(Message::TrustAlways),
        ]
        .spacing(theme::SPACE_S),
    ]
    .spacing(theme::SPACE_XS)
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use iced_test::simulator;

    fn failed(error: ConnectError) -> State {
        let mut state = State::default();
        state.set(ConnectionState::Failed(error));
        state
    }

    fn clicked(state: &mut State, label: &str) -> Vec<Action> {
        let mut ui = simulator(state.view().expect("a banner"));
        ui.click(label).expect("the button");
        let messages: Vec<_> = ui.into_messages().collect();
        messages.into_iter().filter_map(|m| state.update(m)).collect()
    }

    #[test]
    fn log_in_waits_for_a_password_then_sends_it() {
        let mut state = failed(ConnectError::WrongPassword);
        let mut ui = simulator(state.view().expect("a banner"));
        ui.click("Log in").expect("the button is there");
        assert_eq!(ui.into_messages().count(), 0, "greyed out with nothing to try");
        state.update(Message::Password("correct horse".into()));
        assert_eq!(clicked(&mut state, "Log in"), [Action::SetPassword("correct horse".into())]);
    }

    #[test]
    fn a_changed_certificate_warns_with_both_fingerprints_and_its_own_buttons() {
        let mut state = failed(ConnectError::CertificateChanged {
            fingerprint: "NE:W0".into(),
            pinned: "OL:D0".into(),
            reason: "issued by an unknown authority".into(),
        });
        let mut ui = simulator(state.view().expect("a banner"));
        ui.find("Warning: the server's certificate changed since you trusted it.")
            .expect("the cautious wording");
        ui.find("Trusted SHA-256 fingerprint: OL:D0").expect("the trusted fingerprint");
        ui.find("Presented now: NE:W0").expect("the new fingerprint");
        assert!(ui.find("Always trust this certificate").is_err(), "not the first-time prompt");
        drop(ui);
        assert_eq!(
            clicked(&mut state, "Replace the trusted certificate"),
            [Action::Trust { fingerprint: "NE:W0".into(), always: true }]
        );
    }

    #[test]
    fn a_certificate_no_pin_can_fix_offers_no_trust() {
        let mut state = failed(ConnectError::CertificateInvalid {
            fingerprint: "AB:CD".into(),
            reason: "expired".into(),
        });
        let mut ui = simulator(state.view().expect("a banner"));
        ui.find("The server's certificate is refused: expired.").expect("why");
        assert!(
            ui.find("Trust once").is_err() && ui.find("Always trust this certificate").is_err()
        );
        drop(ui);
        assert_eq!(clicked(&mut state, "Try again"), [Action::Reconnect]);
    }

    #[test]
    fn a_first_time_certificate_can_be_trusted() {
        let mut state = failed(ConnectError::CertificateUntrusted {
            fingerprint: "AB:CD".into(),
            reason: "issued by an unknown authority".into(),
        });
        assert_eq!(
            clicked(&mut state, "Always trust this certificate"),
            [Action::Trust { fingerprint: "AB:CD".into(), always: true }]
        );
    }
}
