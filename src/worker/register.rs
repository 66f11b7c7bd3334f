//! XEP-0077 in-band registration: create an account on a server that allows it, over the
//! same secure connection a login uses (never in plaintext).

use super::connect::{Connector, TlsXmppStream};
use crate::config::AccountConfig;
use crate::model::ConnectError;
use futures::{SinkExt, StreamExt};
use std::time::Duration;
use tokio_xmpp::Stanza;
use tokio_xmpp::parsers::ibr::{FieldsQuery, FormQuery, LegacyQuery};
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::stanza_error::DefinedCondition;
use tokio_xmpp::xmlstream::{ReadError, XmppStreamElement};

/// The whole exchange must finish within this.
const REGISTER_TIMEOUT: Duration = Duration::from_secs(30);

/// Create `account` with `password` on its server.
pub async fn register(account: &AccountConfig, password: &str) -> Result<(), ConnectError> {
    let connector = Connector::new(account, password.to_owned(), &[])?;
    tokio::time::timeout(REGISTER_TIMEOUT, exchange(&connector))
        .await
        .map_err(|_| ConnectError::Unreachable("the server did not answer in time".into()))?
}

async fn exchange(connector: &Connector) -> Result<(), ConnectError> {
    let (features, mut stream, _) = connector.secure_stream().await?;
    if !features.in_band_registration {
        return Err(ConnectError::Other(
            "this server does not let clients create accounts; ask its administrator".into(),
        ));
    }
    // §3.1: ask which fields the server wants before filling them in.
    let fields = request(&mut stream, Iq::from_get("register-fields", FieldsQuery)).await?;
    if let Iq::Result { payload: Some(payload), .. } = &fields {
        let legacy = LegacyQuery::try_from(payload.clone()).ok();
        let wants_form = FormQuery::try_from(payload.clone()).is_ok();
        if wants_form && legacy.as_ref().is_none_or(|q| q.username.is_none()) {
            return Err(ConnectError::Other(
                "the server asks for a form (for example a CAPTCHA) that Confab cannot show yet; \
                 create the account on the server's web page"
                    .into(),
            ));
        }
    }
    let username = connector.jid().node().map(|n| n.as_str().to_owned());
    let query = LegacyQuery {
        username,
        password: Some(connector.password().to_owned()),
        ..LegacyQuery::default()
    };
    let answer = request(&mut stream, Iq::from_set("register", query)).await?;
    let close = <TlsXmppStream as SinkExt<&XmppStreamElement>>::close(&mut stream);
    let _ = tokio::time::timeout(Duration::from_secs(2), close).await;
    match answer {
        Iq::Result { .. } => Ok(()),
        Iq::Error { error, .. } => Err(ConnectError::Other(match error.defined_condition {
            DefinedCondition::Conflict => format!("{} is already taken", connector.jid()),
            DefinedCondition::NotAcceptable => {
                "the server did not accept this name or password".to_owned()
            }
            DefinedCondition::NotAllowed | DefinedCondition::Forbidden => {
                "the server does not allow creating this account".to_owned()
            }
            other => error.texts.values().next().cloned().unwrap_or_else(|| format!("{other:?}")),
        })),
        _ => Err(ConnectError::Other("the server answered something unexpected".into())),
    }
}

/// Send one IQ on the raw stream and wait for its answer.
async fn request(stream: &mut TlsXmppStream, iq: Iq) -> Result<Iq, ConnectError> {
    let id = iq.id().to_owned();
    stream
        .send(&XmppStreamElement::Stanza(Stanza::Iq(iq)))
        .await
        .map_err(|e| ConnectError::Unreachable(e.to_string()))?;
    loop {
        match stream.next().await.map(|v| v.and_then(|v| v.into_read_error())) {
            Some(Ok(XmppStreamElement::Stanza(Stanza::Iq(answer)))) if answer.id() == id => {
                return Ok(answer);
            }
            Some(Ok(_)) | Some(Err(ReadError::SoftTimeout)) => {}
            Some(Err(e)) => return Err(ConnectError::Unreachable(format!("{e:?}"))),
            None => {
                return Err(ConnectError::Unreachable("the server closed the connection".into()));
            }
        }
    }
}
