//! What the account remembers of its logins, in the store's per-account state: the strongest
//! method used (a weaker offer later is refused as a possible downgrade), the route that got
//! through, and the installation's SASL2 client id.

use super::Session;
use crate::config::Transport;
use crate::worker::connect::{LoggedIn, TokenChange, Wire};
use crate::worker::fast::Token;
use crate::worker::sasl::Method;
use crate::worker::{Event, HTTP_ROUTE_FOUND, LAST_ROUTE, SASL2_CLIENT_ID, STRONGEST_LOGIN};

impl Session {
    /// The strongest login method this account has used: a later offer of only weaker ones
    /// is refused as a possible downgrade (`worker::sasl`).
    pub(super) fn strongest_login(&self, wire: Wire) -> Option<Method> {
        let key = STRONGEST_LOGIN[wire as usize];
        let stored = self.store.read(|store| store.get_state(self.account_key(), key));
        stored.ok().flatten().and_then(|name| Method::from_name(&name))
    }

    pub(super) fn remember_login(&mut self, method: Method, wire: Wire) {
        if self.strongest_login(wire).is_some_and(|before| before >= method) {
            return;
        }
        let key = STRONGEST_LOGIN[wire as usize];
        if let Err(e) =
            self.store.write(|store| store.set_state(self.account_key(), key, method.name()))
        {
            tracing::warn!("{}: {e}", self.account.jid);
        }
    }

    /// Kept for `confab account show`, which reports how the last login got through, and for
    /// the automatic route, which tries the HTTP endpoint it found first next time.
    pub(super) fn remember_route(&mut self, how: &LoggedIn) {
        let route = &how.route;
        tracing::info!("{}: logged in over {route}", self.account.jid);
        self.emit(Event::Route(route.clone()));
        let account = self.account_key().to_owned();
        let json = serde_json::to_string(route).unwrap_or_default();
        let automatic = self.account.transport == Transport::Auto;
        let written = self.store.write(|store| {
            store.set_state(&account, LAST_ROUTE, &json)?;
            match how.wire {
                Wire::Websocket | Wire::Bosh if automatic => {
                    store.set_state(&account, HTTP_ROUTE_FOUND, &route.endpoint)
                }
                Wire::Tcp => store.delete_state(&account, HTTP_ROUTE_FOUND),
                Wire::Websocket | Wire::Bosh => Ok(()),
            }
        });
        if let Err(e) = written {
            tracing::warn!("{}: {e}", self.account.jid);
        }
    }

    pub(super) fn http_route_found(&self) -> Option<String> {
        if self.account.transport != Transport::Auto {
            return None;
        }
        self.store
            .read(|store| store.get_state(self.account_key(), HTTP_ROUTE_FOUND))
            .ok()
            .flatten()
    }

    /// This installation's id towards the account's server (XEP-0388 user agent): made once
    /// and kept, so the server knows the device again and Bind2 gives it the same resource.
    pub(super) fn client_id(&self) -> uuid::Uuid {
        let stored = self.store.read(|store| store.get_state(self.account_key(), SASL2_CLIENT_ID));
        if let Some(id) = stored.ok().flatten().and_then(|id| uuid::Uuid::parse_str(&id).ok()) {
            return id;
        }
        let id = uuid::Uuid::new_v4();
        let account = self.account_key().to_owned();
        let written =
            self.store.write(|store| store.set_state(&account, SASL2_CLIENT_ID, &id.to_string()));
        if let Err(e) = written {
            tracing::warn!("{}: {e}", self.account.jid);
        }
        id
    }

    /// The account's FAST token (XEP-0484), kept with the secrets like the password.
    pub(super) fn fast_token(&self) -> Option<Token> {
        let stored = self.secrets.load(&self.account.fast_token_secret())?;
        Token::from_stored(&stored)
    }

    pub(super) fn keep_fast_token(&self, change: &TokenChange) {
        let key = self.account.fast_token_secret();
        match change {
            TokenChange::None => {}
            TokenChange::Refused => self.secrets.remove(&key),
            TokenChange::Issued(token) => {
                if let Err(e) = self.secrets.save(&key, &token.stored()) {
                    tracing::warn!("{}: the FAST token could not be kept: {e}", self.account.jid);
                }
            }
        }
    }
}
