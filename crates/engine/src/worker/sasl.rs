//! Logging in (RFC 6120 §6): which SASL mechanism, with which channel binding, and the exchange
//! itself. tokio-xmpp's own login always passed the TLS 1.3 channel binding, so it could only
//! pick `-PLUS` SCRAM and fell through to PLAIN on servers that offer plain SCRAM; it also never
//! checked the server's final SCRAM signature. Here:
//!
//! - `-PLUS` is used only when the server announces (XEP-0440) a binding type we can compute:
//!   `tls-exporter` (RFC 9266) on TLS 1.3, else `tls-server-end-point` (RFC 5929), a hash of
//!   the server's certificate, which also works on TLS 1.2. A server that offers `-PLUS`
//!   without saying which binding (ejabberd 23.01, which refuses `tls-exporter`) gets plain
//!   SCRAM.
//! - Plain SCRAM says `y` in its GS2 header when we could have bound the channel and the server
//!   offered no `-PLUS` at all, so a stripped `-PLUS` is caught by the server (RFC 5802 §6).
//! - PLAIN is the last resort, and only where the account allows it.
//! - The strongest method an account ever logged in with is remembered; a server offering only
//!   weaker ones later is refused as a possible downgrade, with a message saying so.
//! - The server's SCRAM signature is verified before the login counts.

use super::scram::{self, Binding, Hash, ScramError};
use crate::model::ConnectError;
use futures::{SinkExt, StreamExt};
use std::collections::BTreeSet;
use tokio::io::{AsyncBufRead, AsyncWrite};
use tokio_xmpp::parsers::sasl::{Auth, DefinedCondition, Failure, Nonza, Response};
use tokio_xmpp::parsers::sasl_cb::{SaslChannelBinding, Type as BindingType};
use tokio_xmpp::xmlstream::{InitiatingStream, ReadError, XmppStream, XmppStreamElement};

/// Login methods Confab uses, weakest first, so that they compare by strength.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    Plain,
    ScramSha1,
    ScramSha256,
    ScramSha1Plus,
    ScramSha256Plus,
}

impl Method {
    const ALL: [Method; 5] = [
        Method::Plain,
        Method::ScramSha1,
        Method::ScramSha256,
        Method::ScramSha1Plus,
        Method::ScramSha256Plus,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Method::Plain => "PLAIN",
            Method::ScramSha1 => "SCRAM-SHA-1",
            Method::ScramSha256 => "SCRAM-SHA-256",
            Method::ScramSha1Plus => "SCRAM-SHA-1-PLUS",
            Method::ScramSha256Plus => "SCRAM-SHA-256-PLUS",
        }
    }

    /// The method as the account's route shows it, with the channel binding it used.
    pub fn described(self, binding: &Binding) -> String {
        match binding.type_name() {
            Some(kind) => format!("{} ({kind})", self.name()),
            None => self.name().to_owned(),
        }
    }

    pub fn from_name(name: &str) -> Option<Method> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    fn binds_channel(self) -> bool {
        matches!(self, Method::ScramSha1Plus | Method::ScramSha256Plus)
    }

    /// What a stored method promises for the future: the same family of protection (channel
    /// binding, a salted challenge, or none), not the exact hash, which servers may change.
    fn class(self) -> u8 {
        match self {
            Method::Plain => 0,
            Method::ScramSha1 | Method::ScramSha256 => 1,
            Method::ScramSha1Plus | Method::ScramSha256Plus => 2,
        }
    }
}

/// What the server offered and what this connection can prove.
#[derive(Debug, Clone, Default)]
pub struct Offer {
    pub mechanisms: BTreeSet<String>,
    /// Channel-binding types the server announced (XEP-0440), if it did.
    pub bindings: Option<SaslChannelBinding>,
    /// What this connection can bind the login to.
    pub tls: TlsBindings,
}

/// The channel bindings a TLS connection gives.
#[derive(Debug, Clone, Default)]
pub struct TlsBindings {
    /// RFC 9266 keying material, on TLS 1.3.
    pub exporter: Option<Vec<u8>>,
    /// RFC 5929 §4 hash of the server's certificate.
    pub end_point: Option<Vec<u8>>,
}

impl TlsBindings {
    fn any(&self) -> bool {
        self.exporter.is_some() || self.end_point.is_some()
    }
}

/// The account's rules for choosing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Policy {
    pub allow_plain: bool,
    /// The strongest method this account has logged in with before.
    pub strongest_before: Option<Method>,
}

/// The method to use and the channel binding that goes with it.
pub fn choose(offer: &Offer, policy: Policy) -> Result<(Method, Binding), ConnectError> {
    let offered = |m: Method| offer.mechanisms.contains(m.name());
    let announced =
        |kind: BindingType| offer.bindings.as_ref().is_some_and(|b| b.types.contains(&kind));
    let binding = match (&offer.tls.exporter, &offer.tls.end_point) {
        (Some(data), _) if announced(BindingType::TlsExporter) => {
            Some(Binding::Exporter(data.clone()))
        }
        (_, Some(hash)) if announced(BindingType::TlsServerEndPoint) => {
            Some(Binding::EndPoint(hash.clone()))
        }
        _ => None,
    };
    let plus = [Method::ScramSha256Plus, Method::ScramSha1Plus].into_iter().find(|m| offered(*m));
    let chosen = plus.zip(binding);
    let chosen = chosen.or_else(|| {
        let flag =
            if offer.tls.any() && plus.is_none() { Binding::Unsupported } else { Binding::None };
        [Method::ScramSha256, Method::ScramSha1]
            .into_iter()
            .find(|m| offered(*m))
            .map(|m| (m, flag))
    });
    let chosen = chosen.or_else(|| {
        (policy.allow_plain && offered(Method::Plain)).then_some((Method::Plain, Binding::None))
    });
    let Some((method, binding)) = chosen else {
        return Err(if offered(Method::Plain) {
            ConnectError::Refused(
                "the server only accepts the password itself (PLAIN, inside TLS); allow that in \
                 the account's settings if you trust this server"
                    .into(),
            )
        } else {
            ConnectError::Refused(format!(
                "the server offers no login method Confab supports (it offers: {})",
                offered_list(offer)
            ))
        });
    };
    if let Some(before) = policy.strongest_before
        && method.class() < before.class()
    {
        return Err(ConnectError::Refused(format!(
            "possible attack: this account logged in with {} before, but the server now offers \
             only weaker methods ({}); Confab did not send the password. If the server really \
             changed, run `confab account add ... --forget-login-method`",
            before.name(),
            offered_list(offer)
        )));
    }
    Ok((method, binding))
}

fn offered_list(offer: &Offer) -> String {
    if offer.mechanisms.is_empty() {
        return "none".into();
    }
    offer.mechanisms.iter().cloned().collect::<Vec<_>>().join(", ")
}

/// A login by password, as the exchange runs it.
pub(super) enum PasswordLogin {
    Plain { username: String, password: String },
    Scram(Box<scram::Client>),
}

impl PasswordLogin {
    pub fn new(method: Method, binding: Binding, username: &str, password: &str) -> PasswordLogin {
        let (username, password) = (username.to_owned(), password.to_owned());
        let hash = match method {
            Method::Plain => return PasswordLogin::Plain { username, password },
            Method::ScramSha1 | Method::ScramSha1Plus => Hash::Sha1,
            Method::ScramSha256 | Method::ScramSha256Plus => Hash::Sha256,
        };
        PasswordLogin::Scram(Box::new(scram::Client::new(hash, &username, &password, binding)))
    }

    pub fn initial(&mut self) -> Vec<u8> {
        match self {
            PasswordLogin::Plain { username, password } => {
                format!("\0{username}\0{password}").into_bytes()
            }
            PasswordLogin::Scram(client) => client.initial(),
        }
    }

    /// The answer to the server's challenge, or why it cannot be answered.
    pub fn response(&mut self, challenge: &[u8]) -> Result<Vec<u8>, ConnectError> {
        let answer = match self {
            PasswordLogin::Plain { .. } => Err(ScramError::OutOfTurn),
            PasswordLogin::Scram(client) => client.response(challenge),
        };
        answer.map_err(|e| {
            ConnectError::Refused(format!("the server's login challenge is invalid: {e}"))
        })
    }

    /// Whether the server proved that it knows the account (PLAIN has no such proof).
    pub fn verify(&mut self, data: &[u8]) -> Result<(), ConnectError> {
        match self {
            PasswordLogin::Plain { .. } => Ok(()),
            PasswordLogin::Scram(client) => client.verify(data).map_err(|e| {
                ConnectError::Refused(format!(
                    "the server could not prove it knows the account ({e}); not logged in"
                ))
            }),
        }
    }
}

/// Run the SASL exchange with `method`; on success the stream is ready for its restart.
pub async fn authenticate<S: AsyncBufRead + AsyncWrite + Unpin>(
    mut stream: XmppStream<S>,
    method: Method,
    binding: Binding,
    username: &str,
    password: &str,
) -> Result<InitiatingStream<S>, ConnectError> {
    let mut login = PasswordLogin::new(method, binding, username, password);
    let parsed = method.name().parse().map_err(|_| ConnectError::Other("bad mechanism".into()))?;
    let auth = Auth { mechanism: parsed, data: login.initial() };
    send(&mut stream, Nonza::Auth(auth)).await?;
    loop {
        match stream.next().await.map(|v| v.and_then(|v| v.into_read_error())) {
            Some(Ok(XmppStreamElement::Sasl(Nonza::Challenge(challenge)))) => {
                let data = login.response(&challenge.data)?;
                send(&mut stream, Nonza::Response(Response { data })).await?;
            }
            Some(Ok(XmppStreamElement::Sasl(Nonza::Success(success)))) => {
                login.verify(&success.data)?;
                return Ok(stream.initiate_reset());
            }
            Some(Ok(XmppStreamElement::Sasl(Nonza::Failure(failure)))) => {
                return Err(failure_error(method, &failure));
            }
            Some(Ok(XmppStreamElement::Sasl(_))) => {}
            Some(Ok(other)) => {
                return Err(ConnectError::Other(format!(
                    "the server answered the login with something else: {other:?}"
                )));
            }
            Some(Err(e)) => {
                if let Some(error) = read_failure(e) {
                    return Err(error);
                }
            }
            None => return Err(closed()),
        }
    }
}

/// A read that brought no element, in the user's words; nothing for a soft timeout, after
/// which the read goes on.
pub(super) fn read_failure(error: ReadError) -> Option<ConnectError> {
    match error {
        ReadError::SoftTimeout => None,
        ReadError::HardError(e) => {
            Some(ConnectError::Unreachable(format!("the connection failed: {e}")))
        }
        ReadError::ParseError(e) => {
            Some(ConnectError::Other(format!("the server sent invalid XML: {e}")))
        }
        ReadError::StreamFooterReceived => Some(closed()),
    }
}

pub(super) fn closed() -> ConnectError {
    ConnectError::Unreachable("the server closed the connection".into())
}

async fn send<S: AsyncBufRead + AsyncWrite + Unpin>(
    stream: &mut XmppStream<S>,
    nonza: Nonza,
) -> Result<(), ConnectError> {
    stream
        .send(&XmppStreamElement::Sasl(nonza))
        .await
        .map_err(|e| ConnectError::Unreachable(format!("the connection failed: {e}")))
}

/// What a SASL failure means for the user: only `not-authorized` is a wrong password.
pub(super) fn failure_error(method: Method, failure: &Failure) -> ConnectError {
    let text = failure.texts.values().next().map(|t| format!(": {t}")).unwrap_or_default();
    let words = match &failure.defined_condition {
        DefinedCondition::NotAuthorized if method.binds_channel() => {
            return ConnectError::Refused(format!(
                "the server refused the login with channel binding ({}){text}; either the \
                 password is wrong or the connection is being intercepted",
                method.name()
            ));
        }
        DefinedCondition::NotAuthorized => return ConnectError::WrongPassword,
        DefinedCondition::AccountDisabled => "the account is disabled",
        DefinedCondition::CredentialsExpired => "the password has expired",
        DefinedCondition::EncryptionRequired => "the server requires stronger encryption",
        DefinedCondition::MechanismTooWeak => "the server finds the login method too weak",
        DefinedCondition::InvalidMechanism => "the server does not take that login method",
        DefinedCondition::TemporaryAuthFailure => {
            return ConnectError::Unreachable(format!(
                "the server could not check the password just now{text}"
            ));
        }
        other => {
            return ConnectError::Refused(format!(
                "the server refused the login ({other:?}{text})"
            ));
        }
    };
    ConnectError::Refused(format!("{words} ({}){text}", method.name()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An offer over TLS 1.3 (the exporter and the certificate's hash) or 1.2 (the hash).
    fn offer(mechanisms: &[&str], bindings: &[BindingType], tls13: bool) -> Offer {
        Offer {
            mechanisms: mechanisms.iter().map(|m| m.to_string()).collect(),
            bindings: (!bindings.is_empty())
                .then(|| SaslChannelBinding { types: bindings.to_vec() }),
            tls: TlsBindings { exporter: tls13.then(|| vec![7; 32]), end_point: Some(vec![9; 32]) },
        }
    }

    /// The method chosen, and the GS2 flag or binding type that goes with it.
    fn picked(offer: &Offer, policy: Policy) -> (Method, &'static str) {
        let (method, binding) = choose(offer, policy).expect("a method");
        let flag = match binding {
            Binding::None => "n",
            Binding::Unsupported => "y",
            Binding::Exporter(data) => {
                assert_eq!(data, vec![7; 32]);
                "tls-exporter"
            }
            Binding::EndPoint(hash) => {
                assert_eq!(hash, vec![9; 32]);
                "tls-server-end-point"
            }
        };
        (method, flag)
    }

    #[test]
    fn without_plus_scram_carries_the_downgrade_flag_and_plain_is_not_used() {
        let prosody = offer(&["PLAIN", "SCRAM-SHA-1"], &[], true);
        assert_eq!(picked(&prosody, Policy::default()), (Method::ScramSha1, "y"));
        let over_tls12 = offer(&["PLAIN", "SCRAM-SHA-1"], &[], false);
        assert_eq!(picked(&over_tls12, Policy::default()), (Method::ScramSha1, "y"));
        let mut over_bosh = offer(&["PLAIN", "SCRAM-SHA-1"], &[], false);
        over_bosh.tls = TlsBindings::default();
        assert_eq!(picked(&over_bosh, Policy::default()), (Method::ScramSha1, "n"));
    }

    #[test]
    fn plus_is_used_only_with_an_announced_binding_we_can_compute() {
        let ejabberd =
            offer(&["PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"], &[], true);
        assert_eq!(picked(&ejabberd, Policy::default()), (Method::ScramSha256, "n"));
        let unique_only =
            offer(&["SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"], &[BindingType::TlsUnique], false);
        assert_eq!(picked(&unique_only, Policy::default()), (Method::ScramSha256, "n"));
        let exporter_on_tls12 =
            offer(&["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"], &[BindingType::TlsExporter], false);
        assert_eq!(picked(&exporter_on_tls12, Policy::default()), (Method::ScramSha256, "n"));
    }

    #[test]
    fn the_exporter_is_preferred_and_the_certificate_hash_serves_where_it_is_not() {
        let both = [BindingType::TlsServerEndPoint, BindingType::TlsExporter];
        let plus = ["SCRAM-SHA-1", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256"];
        let tls13 = offer(&plus, &both, true);
        assert_eq!(picked(&tls13, Policy::default()), (Method::ScramSha1Plus, "tls-exporter"));
        let tls12 = offer(&plus, &both, false);
        let expected = (Method::ScramSha1Plus, "tls-server-end-point");
        assert_eq!(picked(&tls12, Policy::default()), expected);
        let end_point_only = offer(
            &["SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"],
            &[BindingType::TlsServerEndPoint, BindingType::TlsUnique],
            true,
        );
        let expected = (Method::ScramSha256Plus, "tls-server-end-point");
        assert_eq!(picked(&end_point_only, Policy::default()), expected);
    }

    #[test]
    fn plain_only_where_the_account_allows_it() {
        let plain_only = offer(&["PLAIN"], &[], true);
        let refused = choose(&plain_only, Policy::default()).expect_err("refused");
        assert!(refused.to_string().contains("allow that in the account's settings"), "{refused}");
        assert!(!refused.is_transient());
        let allowed = Policy { allow_plain: true, strongest_before: None };
        assert_eq!(picked(&plain_only, allowed), (Method::Plain, "n"));
        let none = offer(&["X-OAUTH2"], &[], true);
        assert!(choose(&none, allowed).expect_err("nothing").to_string().contains("X-OAUTH2"));
    }

    #[test]
    fn a_weaker_offer_than_before_is_refused_as_a_downgrade() {
        let plain_only = offer(&["PLAIN"], &[], true);
        let policy = Policy { allow_plain: true, strongest_before: Some(Method::ScramSha1) };
        let refused = choose(&plain_only, policy).expect_err("downgrade");
        assert!(refused.to_string().starts_with("possible attack"), "{refused}");
        let stripped = offer(&["SCRAM-SHA-256"], &[], true);
        let policy = Policy { allow_plain: false, strongest_before: Some(Method::ScramSha256Plus) };
        assert!(choose(&stripped, policy).is_err());
        // A different hash of the same family is no downgrade.
        let sha1 = offer(&["SCRAM-SHA-1"], &[], true);
        let policy = Policy { allow_plain: false, strongest_before: Some(Method::ScramSha256) };
        assert_eq!(picked(&sha1, policy).0, Method::ScramSha1);
    }

    #[test]
    fn method_names_round_trip() {
        for method in Method::ALL {
            assert_eq!(Method::from_name(method.name()), Some(method));
        }
        assert_eq!(Method::from_name("ANONYMOUS"), None);
    }

    #[test]
    fn only_not_authorized_reads_as_a_wrong_password() {
        let failure =
            |condition| Failure { defined_condition: condition, texts: Default::default() };
        assert_eq!(
            failure_error(Method::ScramSha1, &failure(DefinedCondition::NotAuthorized)),
            ConnectError::WrongPassword
        );
        let disabled =
            failure_error(Method::ScramSha1, &failure(DefinedCondition::AccountDisabled));
        assert!(disabled.to_string().contains("disabled"), "{disabled}");
        let bound =
            failure_error(Method::ScramSha256Plus, &failure(DefinedCondition::NotAuthorized));
        assert!(bound.to_string().contains("channel binding"), "{bound}");
    }
}
