//! The first screen: an address and a password, and under "Advanced" the server, port,
//! Direct TLS, the route (automatic, TCP only, WebSocket) and a certificate file. It validates what it can and hands a finished account
//! to its parent. When creating the account, the server may ask for more (an email address,
//! a CAPTCHA): those fields are shown below, in the generic form panel.

use super::{form, theme};
use crate::config::{AccountConfig, TlsMode, Transport};
use crate::media::{DecodeError, Picture};
use crate::model::Form;
use crate::worker::RegistrationForm;
use iced::widget::{
    button, checkbox, column, container, pick_list, row, scrollable, text, text_input,
};
use iced::{Center, Element, Fill, Padding};
use std::path::PathBuf;

mod captcha;

#[derive(Debug, Default)]
pub struct State {
    jid: String,
    password: String,
    advanced: bool,
    host: String,
    port: String,
    direct_tls: bool,
    transport: Route,
    /// A `wss://` (WebSocket) or `https://` (BOSH) address: where the web route goes (for
    /// the automatic route, instead of looking it up).
    web_url: String,
    ca_file: String,
    /// `http://…` or `socks5://…`, perhaps with a user name and password.
    proxy: String,
    /// Let the password itself go to a server that offers no better login (SASL PLAIN).
    allow_plain: bool,
    /// Create the account on the server first (XEP-0077).
    create: bool,
    /// Other accounts exist, so the user may go back to them.
    cancellable: bool,
    error: Option<String>,
    busy: bool,
    /// What the server asks for beyond a name and password, once it has said so.
    extra: Option<Box<form::State>>,
    /// Changing the server settings of this existing account (its address stays).
    editing: Option<AccountConfig>,
    /// How many forms the server has sent: a picture decoded for an earlier one is dropped.
    asked: u64,
}

/// The route choice as the list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Route(Transport);

impl Route {
    const ALL: [Route; 4] = [
        Route(Transport::Auto),
        Route(Transport::Tcp),
        Route(Transport::Websocket),
        Route(Transport::Bosh),
    ];

    fn url_hint(self) -> &'static str {
        match self.0 {
            Transport::Auto => "Web address (wss:// or https://, else found by itself)",
            Transport::Tcp => "Web address (not used over TCP)",
            Transport::Websocket => "WebSocket address (wss://…)",
            Transport::Bosh => "BOSH address (https://…)",
        }
    }
}

impl std::fmt::Display for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            Transport::Auto => "Automatically (TCP, else WebSocket or BOSH)",
            Transport::Tcp => "Over TCP only",
            Transport::Websocket => "Over WebSocket (where only HTTPS gets out)",
            Transport::Bosh => "Over BOSH (where only web requests get out)",
        })
    }
}

#[derive(Debug, Clone)]
pub enum Message {
    Jid(String),
    Password(String),
    ToggleAdvanced,
    Host(String),
    Port(String),
    DirectTls(bool),
    Transport(Route),
    WebUrl(String),
    CaFile(String),
    Proxy(String),
    AllowPlain(bool),
    Create(bool),
    Extra(form::Message),
    /// A picture of the server's form was decoded, or could not be.
    Picture {
        asked: u64,
        var: String,
        picture: Result<Picture, DecodeError>,
    },
    Submit,
    Cancel,
}

#[derive(Debug, Clone)]
pub enum Event {
    /// Save this account and its password (after creating it on the server when `create`),
    /// then connect. `answers` holds the server's extra fields, filled in, once it asked.
    /// `proxy_password` is the one typed into the proxy's address, kept apart from the
    /// settings like the account's.
    Submit {
        account: AccountConfig,
        password: String,
        create: bool,
        answers: Option<Box<Form>>,
        proxy_password: Option<String>,
    },
    /// Save new server settings for an existing account (and a new password, if one was
    /// typed), then connect with them.
    /// `proxy_password` as for [`Event::Submit`]; without one, the proxy's is kept.
    Edited { account: AccountConfig, password: Option<String>, proxy_password: Option<String> },
    /// Go back without adding an account.
    Cancel,
}

impl State {
    /// The form for adding another account, with a way back.
    pub fn another() -> Self {
        Self { cancellable: true, ..Self::default() }
    }

    /// The server settings of `account`, to change: host, port, Direct TLS, CA file, and
    /// optionally the password. What is not shown (pinned certificates, resource) is kept.
    pub fn edit(account: &AccountConfig) -> Self {
        Self {
            jid: account.jid.clone(),
            advanced: true,
            host: account.host.clone().unwrap_or_default(),
            port: account.port.map(|p| p.to_string()).unwrap_or_default(),
            direct_tls: account.tls == TlsMode::DirectTls,
            transport: Route(account.transport),
            web_url: account.url.clone().unwrap_or_default(),
            ca_file: account.ca_file.as_ref().map(|p| p.display().to_string()).unwrap_or_default(),
            proxy: account.proxy.clone().unwrap_or_default(),
            allow_plain: account.allow_plain,
            cancellable: true,
            editing: Some(account.clone()),
            ..Self::default()
        }
    }

    /// Show why saving failed and let the user try again.
    pub fn failed(&mut self, error: String) {
        self.error = Some(error);
        self.busy = false;
    }

    /// The server wants more than a name and password to create the account: show its fields,
    /// keeping what was typed into an earlier copy of them. Their pictures show once
    /// [`State::decode_pictures`] has decoded them.
    pub fn ask(&mut self, asked: &RegistrationForm) {
        let mut extra = asked.extra();
        if let Some(earlier) = &self.extra {
            extra.fill_from(&earlier.form());
        }
        let mut panel = form::State::new(extra);
        for field in asked.form.fields.iter().filter(|f| asked.media_for(f).is_some()) {
            panel.expect_media(&field.var);
        }
        self.extra = Some(Box::new(panel));
        self.asked += 1;
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
            Message::Transport(v) => self.transport = v,
            Message::WebUrl(v) => self.web_url = v,
            Message::CaFile(v) => self.ca_file = v,
            Message::Proxy(v) => self.proxy = v,
            Message::AllowPlain(v) => self.allow_plain = v,
            Message::Create(v) => {
                self.create = v;
                if !v {
                    self.extra = None;
                }
            }
            Message::Picture { asked, var, picture } => self.picture(asked, &var, picture),
            Message::Extra(message) => {
                let submit = self.extra.as_mut().and_then(|extra| extra.update(message));
                if submit == Some(form::Event::Submit) {
                    return self.update(Message::Submit);
                }
            }
            Message::Cancel => return self.cancellable.then_some(Event::Cancel),
            Message::Submit if self.busy => {}
            Message::Submit => match self.submission() {
                Ok(event) => {
                    self.error = None;
                    self.busy = true;
                    return Some(event);
                }
                Err(e) => self.error = Some(e),
            },
        }
        None
    }

    fn submission(&self) -> Result<Event, String> {
        let (account, proxy_password) = self.account()?;
        if self.editing.is_some() {
            let password = Some(self.password.clone()).filter(|p| !p.is_empty());
            return Ok(Event::Edited { account, password, proxy_password });
        }
        let answers =
            self.extra.as_ref().filter(|_| self.create).map(|extra| Box::new(extra.form()));
        if let Some(answers) = &answers {
            answers.check()?;
        }
        let password = self.password.clone();
        Ok(Event::Submit { account, password, create: self.create, answers, proxy_password })
    }

    /// The account as the form describes it, and the password typed into the proxy's address.
    fn account(&self) -> Result<(AccountConfig, Option<String>), String> {
        let jid = crate::model::parse_bare_jid(&self.jid)?;
        if self.password.is_empty() && self.editing.is_none() {
            return Err("Enter your password.".into());
        }
        let mut account = self.editing.clone().unwrap_or_else(|| AccountConfig::new(&jid));
        let host = self.host.trim();
        account.host = (!host.is_empty()).then(|| host.to_owned());
        let port = self.port.trim();
        if !port.is_empty() {
            account.port =
                Some(port.parse().map_err(|_| format!("“{port}” is not a port number"))?);
        }
        account.tls = if self.direct_tls { TlsMode::DirectTls } else { TlsMode::Starttls };
        let url = self.web_url.trim();
        account.transport = self.transport.0;
        account.url = match (self.transport.0, url.is_empty()) {
            (Transport::Tcp, _) | (Transport::Auto, true) => None,
            (Transport::Websocket, true) => {
                return Err("WebSocket needs your server's address (wss://…).".into());
            }
            (Transport::Bosh, true) => {
                return Err("BOSH needs your server's address (https://…).".into());
            }
            (transport, false) => {
                crate::worker::check_endpoint(transport, url)?;
                Some(url.to_owned())
            }
        };
        let ca = self.ca_file.trim();
        account.ca_file = (!ca.is_empty()).then(|| PathBuf::from(ca));
        account.allow_plain = self.allow_plain;
        let proxy = self.proxy.trim();
        let proxy_password = if proxy.is_empty() {
            account.proxy = None;
            None
        } else {
            let setting = crate::worker::split_proxy_setting(proxy)?;
            account.proxy = Some(setting.url);
            setting.password
        };
        Ok((account, proxy_password))
    }

    pub fn view(&self) -> Element<'_, Message> {
        let label = match (self.busy, self.create, self.editing.is_some()) {
            (true, ..) => "Working…",
            (false, _, true) => "Save and reconnect",
            (false, true, false) => "Create account",
            (false, false, false) => "Log in",
        };
        let (title, hint) = match &self.editing {
            Some(account) => (
                format!("Server settings for {}", account.jid),
                "Leave the password empty to keep the one you have.",
            ),
            None => ("Welcome to Confab".to_owned(), "Sign in with your XMPP account."),
        };
        let jid = text_input("you@example.org", &self.jid).id("setup-jid").padding(theme::SPACE_S);
        // An account's address is what it is: editing keeps it.
        let jid = if self.editing.is_some() {
            jid
        } else {
            jid.on_input(Message::Jid).on_submit(Message::Submit)
        };
        let submit = button(text(label))
            .on_press_maybe((!self.busy).then_some(Message::Submit))
            .padding([theme::SPACE_S, theme::SPACE_L]);
        let mut form = column![
            text(title).size(24),
            text(hint).style(theme::muted),
            jid,
            text_input("Password", &self.password)
                .id("setup-password")
                .secure(true)
                .on_input(Message::Password)
                .on_submit(Message::Submit)
                .padding(theme::SPACE_S),
        ]
        .spacing(theme::SPACE_M);
        if self.editing.is_none() {
            form = form.push(
                checkbox(self.create)
                    .label("Create this account on the server (where it allows sign-up)")
                    .on_toggle(Message::Create),
            );
        }
        form = form.push(
            button(text(if self.advanced { "▾ Advanced" } else { "▸ Advanced" }))
                .style(button::text)
                .on_press(Message::ToggleAdvanced),
        );
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
                    row![
                        text("Connect"),
                        pick_list(Route::ALL, Some(self.transport), Message::Transport),
                    ]
                    .spacing(theme::SPACE_S)
                    .align_y(Center),
                    text_input(self.transport.url_hint(), &self.web_url)
                        .on_input_maybe(
                            (self.transport.0 != Transport::Tcp).then_some(Message::WebUrl)
                        )
                        .padding(theme::SPACE_S),
                    text_input("CA or certificate file (PEM, optional)", &self.ca_file)
                        .on_input(Message::CaFile)
                        .padding(theme::SPACE_S),
                    text_input("Proxy (http://… or socks5://…, optional)", &self.proxy)
                        .on_input(Message::Proxy)
                        .padding(theme::SPACE_S),
                    checkbox(self.allow_plain)
                        .label(
                            "Send the password itself (PLAIN, inside TLS) to a server that \
                             offers nothing safer",
                        )
                        .on_toggle(Message::AllowPlain),
                ]
                .spacing(theme::SPACE_S),
            );
        }
        if let Some(extra) = self.extra.as_ref().filter(|_| self.create) {
            let fields = container(extra.view().map(Message::Extra))
                .padding(Padding { right: theme::SCROLLBAR_GUTTER, ..Padding::ZERO });
            form = form.push(text("The server asks for more to create the account:"));
            form =
                form.push(container(scrollable(fields)).max_height(theme::SETUP_EXTRA_MAX_HEIGHT));
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
mod tests;
