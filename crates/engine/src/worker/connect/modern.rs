//! The modern login where the server offers it: SASL2 (XEP-0388), with Bind2 (XEP-0386) binding
//! the resource in the same exchange and FAST (XEP-0484) replacing the password by a token from
//! the second login on. A token the server no longer takes is forgotten and the password used
//! at once, on a new connection.

use super::{Connection, Connector, LoggedIn, SecureIo, TlsXmppStream, header, unreachable};
use crate::model::{ConnectError, Route};
use crate::worker::fast::{self, Token};
use crate::worker::sasl::{self, Method, Offer, Policy, TlsBindings};
use crate::worker::sasl2::{self, Outcome, Proof};
use std::sync::atomic::Ordering;
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::bind::BindFeature;
use tokio_xmpp::parsers::ns;
use tokio_xmpp::parsers::sasl_cb::SaslChannelBinding;
use tokio_xmpp::parsers::sasl2::Authentication;
use tokio_xmpp::xmlstream::{FallibleStreamElement, XmlStream};

/// What became of the account's FAST token in a login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenChange {
    None,
    /// The server issued this one: keep it in place of any other.
    Issued(Token),
    /// The server refused the one we had: forget it.
    Refused,
}

/// What the server offered for a SASL2 login, and the rules for the password.
pub(super) struct Modern {
    pub offered: Authentication,
    pub bindings: Option<SaslChannelBinding>,
    pub tls: TlsBindings,
    pub policy: Policy,
}

impl Modern {
    /// The FAST mechanisms the server offers.
    fn fast_mechanisms(&self) -> Vec<String> {
        let inline = self.offered.inline.as_ref();
        let fast = inline.and_then(|i| i.payloads.iter().find(|p| p.is("fast", ns::FAST)));
        fast.map(|f| f.children().filter(|c| c.name() == "mechanism").map(Element::text).collect())
            .unwrap_or_default()
    }
}

impl Connector {
    /// Log in over SASL2 on `stream`: with the FAST token where it can be used here, else with
    /// the password (asking for a token where the server offers FAST).
    pub(super) async fn modern_login(
        &self,
        stream: TlsXmppStream,
        modern: Modern,
        mut route: Route,
        wire: super::Wire,
    ) -> Result<(Connection, Option<Method>, LoggedIn), ConnectError> {
        let username = self.jid.node().map(|n| n.as_str().to_owned()).unwrap_or_default();
        let fast_offered = modern.fast_mechanisms();
        let held = self.fast.lock().ok().and_then(|slot| slot.clone());
        let usable = held.filter(|t| fast_offered.contains(&t.mechanism)).and_then(|token| {
            // Every token is bound (`fast`): without its binding it cannot be used here.
            let binding = token.binding(&modern.tls)?;
            Some((token, binding))
        });
        let (proof, method) = match usable {
            Some((token, binding)) => (Proof::Token { token, binding }, None),
            None => {
                let offer = Offer {
                    mechanisms: modern.offered.mechanisms.iter().cloned().collect(),
                    bindings: modern.bindings.clone(),
                    tls: modern.tls.clone(),
                };
                let (method, binding) = sasl::choose(&offer, modern.policy)?;
                let request_token = fast::to_request(&fast_offered, &modern.tls);
                let password = self.password.clone();
                (Proof::Password { method, binding, password, request_token }, Some(method))
            }
        };
        let bind = self.account.resource.is_none()
            && modern.offered.inline.as_ref().is_some_and(|inline| inline.bind2.is_some())
            && !self.handed_over.load(Ordering::Relaxed);
        let used = match &proof {
            Proof::Token { token, .. } => format!("FAST {}", token.mechanism),
            Proof::Password { method, binding, .. } => method.described(binding),
        };
        let login = sasl2::Login { proof, username, client_id: self.client_id, bind };
        let domain = self.jid.domain().as_str().to_owned();
        let mut stream = restart_unseen::<_, Element>(stream, &domain).await?;
        let logged_in = match sasl2::authenticate(&mut stream, login).await? {
            Outcome::LoggedIn(logged_in) => logged_in,
            Outcome::TokenRefused => {
                tracing::info!("{}: the server no longer takes the FAST token", self.jid);
                self.keep_token(None);
                let (connection, method, mut how) = Box::pin(self.connect()).await?;
                if how.token == TokenChange::None {
                    how.token = TokenChange::Refused;
                }
                return Ok((connection, method, how));
            }
        };
        let mut features = logged_in.features;
        let stream = restart_unseen::<_, FallibleStreamElement>(stream, &domain).await?;
        if logged_in.bound {
            stream.get_stream().answer_bind(logged_in.jid.to_string());
            features.bind = Some(BindFeature { required: true });
        }
        let profile = if logged_in.bound { "SASL2 and Bind2" } else { "SASL2" };
        route.login = format!("{profile}, {used}");
        let token = match logged_in.token {
            Some(token) => {
                self.keep_token(Some(token.clone()));
                TokenChange::Issued(token)
            }
            None => TokenChange::None,
        };
        let connection =
            Connection { stream: stream.box_stream(), features, identity: self.jid.clone() };
        Ok((connection, method, LoggedIn { route, wire, token }))
    }

    fn keep_token(&self, token: Option<Token>) {
        if let Ok(mut slot) = self.fast.lock() {
            *slot = token;
        }
    }
}

/// Switch the element type `stream` reads, at a point where the server does not restart the
/// stream: our header is kept from it and one of its is read in its place (`splice`).
async fn restart_unseen<T, U>(
    stream: XmlStream<SecureIo, T>,
    domain: &str,
) -> Result<XmlStream<SecureIo, U>, ConnectError>
where
    T: xso::FromXml + std::fmt::Debug,
    U: xso::FromXml,
{
    stream.get_stream().restart_unseen(format!(
        "<stream:stream xmlns='{}' xmlns:stream='{}' version='1.0' from='{}' id='sasl2'>",
        ns::JABBER_CLIENT,
        ns::STREAM,
        domain
    ));
    let restarted =
        stream.initiate_reset().send_header(header(domain)).await.map_err(|e| unreachable(&e))?;
    Ok(restarted.skip_features::<U>())
}
