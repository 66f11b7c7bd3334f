//! Logging in with SASL2 (XEP-0388) and, where the server offers it, binding the resource in the
//! same exchange with Bind2 (XEP-0386). The mechanism, its channel binding and the downgrade
//! rules are `sasl`'s; what changes is the framing, that the stream is not restarted after
//! success, and that the server may bind the resource on the way. A login this way saves the
//! restart's round trip, and with Bind2 the bind's too.
//!
//! The exchange reads plain elements (tokio-xmpp's stream type for a logged-in stream has no
//! SASL2 elements); `connect` switches the stream's element type around it (`connect::splice`).

use super::fast::Token;
use super::sasl::{Method, PasswordLogin, closed, failure_error, read_failure};
use super::scram::Binding;
use crate::model::ConnectError;
use futures::{SinkExt, StreamExt};
use std::collections::BTreeMap;
use tokio::io::{AsyncBufRead, AsyncWrite};
use tokio_xmpp::jid::Jid;
use tokio_xmpp::minidom::Element;
use tokio_xmpp::minidom::rxml::xml_ncname;
use tokio_xmpp::parsers::bind2::BindQuery;
use tokio_xmpp::parsers::ns;
use tokio_xmpp::parsers::sasl::{DefinedCondition, Failure};
use tokio_xmpp::parsers::sasl2::{self, Authenticate, Challenge, Response, Success, UserAgent};
use tokio_xmpp::parsers::stream_features::StreamFeatures;
use tokio_xmpp::xmlstream::XmlStream;

/// The resource Bind2 asks for: the server adds a suffix of its own, stable per client id.
pub const BIND_TAG: &str = "Confab";

/// An XML stream of plain elements, as the exchange reads it.
pub type ElementStream<S> = XmlStream<S, Element>;

/// How the login proves who we are.
pub enum Proof {
    /// The password, by `method` (`sasl::choose`); where the server offers FAST, a token for
    /// `request_token` is asked for on the way.
    Password {
        method: Method,
        binding: Binding,
        password: String,
        request_token: Option<&'static str>,
    },
    /// A FAST token, with the channel binding its mechanism needs.
    Token { token: Token, binding: Vec<u8> },
}

/// What to log in with.
pub struct Login {
    pub proof: Proof,
    pub username: String,
    /// This installation's id for the account (XEP-0388 user agent), kept across logins so the
    /// server recognises the device, Bind2 gives it the same resource each time, and its FAST
    /// token is its own.
    pub client_id: uuid::Uuid,
    /// Ask the server to bind a resource in the same exchange.
    pub bind: bool,
}

/// A logged-in stream's state after SASL2.
#[derive(Debug)]
pub struct LoggedIn {
    /// The features of the logged-in stream, sent right after success (XEP-0388 §2.6.1).
    pub features: StreamFeatures,
    /// The address the server authorised; a full one when Bind2 bound a resource.
    pub jid: Jid,
    /// Bind2 bound the resource.
    pub bound: bool,
    /// A FAST token the server issued (asked for, or a rotation of the one used).
    pub token: Option<Token>,
}

/// How the exchange ended, short of a connection error.
#[derive(Debug)]
pub enum Outcome {
    LoggedIn(Box<LoggedIn>),
    /// The server did not take the FAST token (expired, revoked, or the password changed):
    /// the token is to be forgotten and the password used.
    TokenRefused,
}

/// The two ways of proving, as the exchange runs them.
enum Exchange {
    /// The password by this method, with the token mechanism asked for.
    Sasl(Method, Box<PasswordLogin>, Option<&'static str>),
    Fast(Token, Vec<u8>),
}

/// Run the exchange; on success the stream carries stanzas without a restart.
pub async fn authenticate<S: AsyncBufRead + AsyncWrite + Unpin>(
    stream: &mut ElementStream<S>,
    login: Login,
) -> Result<Outcome, ConnectError> {
    let mut payloads = Vec::new();
    if login.bind {
        payloads
            .push(Element::from(BindQuery { tag: Some(BIND_TAG.into()), payloads: Vec::new() }));
    }
    let (name, initial, mut exchange) = match login.proof {
        Proof::Password { method, binding, password, request_token } => {
            let mut mechanism =
                Box::new(PasswordLogin::new(method, binding, &login.username, &password));
            if let Some(wanted) = request_token {
                let request = Element::builder("request-token", ns::FAST)
                    .attr(xml_ncname!("mechanism").into(), wanted)
                    .build();
                payloads.push(request);
            }
            let initial = mechanism.initial();
            (method.name().to_owned(), initial, Exchange::Sasl(method, mechanism, request_token))
        }
        Proof::Token { token, binding } => {
            payloads.push(Element::builder("fast", ns::FAST).build());
            let initial = token.initial_response(&login.username, &binding);
            (token.mechanism.clone(), initial, Exchange::Fast(token, binding))
        }
    };
    let authenticate = Authenticate {
        mechanism: name,
        initial_response: (!initial.is_empty()).then_some(initial),
        user_agent: UserAgent {
            id: login.client_id,
            software: Some("Confab".into()),
            device: None,
        },
        payloads,
    };
    send(stream, Element::from(authenticate)).await?;
    let success = loop {
        let element = next(stream).await?;
        if !element.has_ns(ns::SASL2) {
            return Err(unexpected(&element));
        }
        match (element.name(), &mut exchange) {
            ("challenge", Exchange::Sasl(_, mechanism, _)) => {
                let challenge = Challenge::try_from(element).map_err(invalid)?;
                let data = mechanism.response(&challenge.sasl_data)?;
                send(stream, Element::from(Response { sasl_data: data })).await?;
            }
            ("success", _) => break Success::try_from(element).map_err(invalid)?,
            ("failure", Exchange::Sasl(method, ..)) => {
                let failure = sasl2::Failure::try_from(element).map_err(invalid)?;
                return Err(failure_error(*method, &as_sasl_failure(failure)));
            }
            ("failure", Exchange::Fast(..)) => return Ok(Outcome::TokenRefused),
            ("continue", _) => {
                return Err(ConnectError::Refused(
                    "the server asks for a further login step (such as a second factor) that \
                     Confab cannot take yet"
                        .into(),
                ));
            }
            _ => return Err(unexpected(&element)),
        }
    };
    let proof = success.additional_data.as_deref().unwrap_or_default();
    match &mut exchange {
        Exchange::Sasl(_, mechanism, _) => mechanism.verify(proof)?,
        Exchange::Fast(token, binding) if !token.server_proof_holds(binding, proof) => {
            return Err(ConnectError::Refused(
                "the server could not prove it knows the account; not logged in".into(),
            ));
        }
        Exchange::Fast(..) => {}
    }
    let bound = success.payloads.iter().any(|p| p.is("bound", ns::BIND2));
    if login.bind && !bound {
        let reason = success.payloads.iter().find(|p| p.is("failed", ns::BIND2));
        tracing::info!("Bind2 did not bind a resource ({reason:?}); binding it the usual way");
    }
    let token =
        success.payloads.iter().find(|p| p.is("token", ns::FAST)).and_then(|t| {
            Token::issued(&issued_for(&exchange), t.attr("token").unwrap_or_default())
        });
    let features = next(stream).await?;
    if !features.is("features", ns::STREAM) {
        return Err(unexpected(&features));
    }
    let features = StreamFeatures::try_from(features).map_err(invalid)?;
    let logged_in = LoggedIn { features, jid: success.authorization_identifier, bound, token };
    Ok(Outcome::LoggedIn(Box::new(logged_in)))
}

/// The mechanism a token issued at the end of `exchange` is for: the one asked for with the
/// password, or the one just used (a rotation).
fn issued_for(exchange: &Exchange) -> String {
    match exchange {
        Exchange::Sasl(_, _, requested) => requested.unwrap_or_default().to_owned(),
        Exchange::Fast(token, _) => token.mechanism.clone(),
    }
}

/// A SASL2 failure read as the SASL one it wraps, so both are told to the user alike.
fn as_sasl_failure(failure: sasl2::Failure) -> Failure {
    let defined_condition = failure
        .payloads
        .into_iter()
        .find(|p| p.ns() == ns::SASL)
        .and_then(|p| DefinedCondition::try_from(p).ok())
        .unwrap_or(DefinedCondition::NotAuthorized);
    let texts =
        failure.text.into_iter().map(|t| (Default::default(), t)).collect::<BTreeMap<_, _>>();
    Failure { defined_condition, texts }
}

async fn send<S: AsyncBufRead + AsyncWrite + Unpin>(
    stream: &mut ElementStream<S>,
    element: Element,
) -> Result<(), ConnectError> {
    stream
        .send(&element)
        .await
        .map_err(|e| ConnectError::Unreachable(format!("the connection failed: {e}")))
}

async fn next<S: AsyncBufRead + AsyncWrite + Unpin>(
    stream: &mut ElementStream<S>,
) -> Result<Element, ConnectError> {
    loop {
        match stream.next().await {
            Some(Ok(element)) => return Ok(element),
            Some(Err(e)) => {
                if let Some(error) = read_failure(e) {
                    return Err(error);
                }
            }
            None => return Err(closed()),
        }
    }
}

fn unexpected(element: &Element) -> ConnectError {
    ConnectError::Other(format!(
        "the server answered the login with something else: <{} xmlns='{}'>",
        element.name(),
        element.ns()
    ))
}

fn invalid(e: impl std::fmt::Display) -> ConnectError {
    ConnectError::Other(format!("the server's login answer is invalid: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(xml: &str) -> Element {
        xml.parse().expect("test XML")
    }

    #[test]
    fn a_sasl2_failure_is_told_like_a_sasl_one() {
        let failure = sasl2::Failure::try_from(parse(
            "<failure xmlns='urn:xmpp:sasl:2'>\
               <not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>\
               <text>Unable to authorize you with the authentication credentials you've sent.</text>\
             </failure>",
        ))
        .expect("a failure");
        let error = failure_error(Method::ScramSha1, &as_sasl_failure(failure));
        assert_eq!(error, ConnectError::WrongPassword);
    }

    #[test]
    fn a_disabled_account_says_so_with_the_servers_words() {
        let failure = sasl2::Failure::try_from(parse(
            "<failure xmlns='urn:xmpp:sasl:2'>\
               <account-disabled xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>\
               <text>Banned</text>\
             </failure>",
        ))
        .expect("a failure");
        let error = failure_error(Method::ScramSha1, &as_sasl_failure(failure));
        let ConnectError::Refused(words) = error else { panic!("refused: {error:?}") };
        assert!(words.contains("disabled") && words.contains("Banned"), "{words}");
    }
}
