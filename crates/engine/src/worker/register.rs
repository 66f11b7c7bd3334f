//! XEP-0077 in-band registration: create an account on a server that allows it, over the
//! same secure connection a login uses (never in plaintext).
//!
//! The server first says what it wants: the legacy fixed fields (§3.1) or a data form (§6),
//! perhaps with a CAPTCHA whose picture comes along as XEP-0231 data (XEP-0158). A challenge
//! belongs to the stream it was sent on, so a [`Registration`] keeps that connection open
//! until the answer is sent on it.

use super::connect::{Connector, Secured, TlsXmppStream};
use crate::config::AccountConfig;
use crate::model::{ConnectError, Field, FieldKind, Form};
use futures::{SinkExt, StreamExt};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio_xmpp::Stanza;
use tokio_xmpp::jid::Jid;
use tokio_xmpp::minidom::Element;
use tokio_xmpp::parsers::bob;
use tokio_xmpp::parsers::data_forms::DataForm;
use tokio_xmpp::parsers::ibr::{FieldsQuery, FormQuery, LegacyQuery};
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::ns;
use tokio_xmpp::parsers::oob::Oob;
use tokio_xmpp::parsers::stanza_error::{DefinedCondition, StanzaError};
use tokio_xmpp::xmlstream::{ReadError, XmppStreamElement};

/// Connecting and getting the server's form must finish within this.
const OPEN_TIMEOUT: Duration = Duration::from_secs(30);
/// Sending the answer and reading the verdict must finish within this.
const SUBMIT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the connection waits for the user's answer. Servers drop connections that have not
/// logged in after a few minutes (Prosody's `c2s_timeout`: 300 s), so waiting longer is no use.
const ANSWER_WAIT: Duration = Duration::from_secs(280);
/// XEP-0231 data larger than this is ignored: a CAPTCHA picture is a few kilobytes.
const MAX_BOB_BYTES: usize = 1024 * 1024;

/// The fields Confab fills in itself, from the account's address and password.
const OWN_FIELDS: [&str; 2] = ["username", "password"];

/// XEP-0077 §14.1: the legacy field names, with labels to show them under.
const LEGACY_FIELDS: [(&str, &str); 17] = [
    ("username", "User name"),
    ("password", "Password"),
    ("nick", "Nickname"),
    ("name", "Full name"),
    ("first", "Given name"),
    ("last", "Family name"),
    ("email", "Email"),
    ("address", "Street"),
    ("city", "City"),
    ("state", "State or region"),
    ("zip", "Postal code"),
    ("phone", "Telephone"),
    ("url", "Web page"),
    ("date", "Date"),
    ("misc", "Other"),
    ("text", "Text"),
    ("key", "Key"),
];

/// What the server asks for before it creates an account.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistrationForm {
    /// The fields to fill in, with the server's instructions. Legacy fields come as a form of
    /// text fields, so every caller deals with one shape.
    pub form: Form,
    /// The server only offered the legacy fields, so the answer goes back as those.
    pub legacy: bool,
    /// XEP-0231 data sent with the form (CAPTCHA pictures), by content id (`sha1+…@bob.xmpp.org`).
    pub media: BTreeMap<String, BobData>,
}

/// One piece of XEP-0231 data, not decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BobData {
    pub mime: Option<String>,
    pub bytes: Vec<u8>,
}

impl RegistrationForm {
    /// What the user has to answer: the form without the user name and password, which come
    /// from the account. Hidden fields stay, as they must go back.
    pub fn extra(&self) -> Form {
        let mut form = self.form.clone();
        form.fields.retain(|f| !OWN_FIELDS.contains(&f.var.as_str()));
        form
    }

    /// Whether the server asks for more than a user name and a password.
    pub fn needs_user(&self) -> bool {
        self.extra().fields.iter().any(|f| f.kind != FieldKind::Hidden)
    }

    /// The data behind the first `cid:` picture of `field` that came with the form.
    pub fn media_for(&self, field: &Field) -> Option<&BobData> {
        field
            .media
            .iter()
            .filter_map(|m| m.uri.strip_prefix("cid:"))
            .find_map(|cid| self.media.get(cid))
    }
}

/// A sign-up in progress: the server's form, and the connection it must be answered on, held
/// by a task until the answer is sent, every copy of this is dropped, or [`ANSWER_WAIT`] passes.
#[derive(Debug, Clone)]
pub struct Registration {
    account: AccountConfig,
    asked: RegistrationForm,
    answers: mpsc::Sender<Answer>,
}

/// The user's answer, on its way to the task that holds the connection.
#[derive(Debug)]
struct Answer {
    password: String,
    form: Form,
    verdict: oneshot::Sender<Result<(), ConnectError>>,
}

impl Registration {
    /// Connect securely and ask the account's server what it needs to create the account.
    pub async fn open(account: &AccountConfig) -> Result<Self, ConnectError> {
        // The password is not needed until the answer, which brings its own.
        let connector = Connector::new(account, String::new(), &[])?;
        let (stream, asked) =
            tokio::time::timeout(OPEN_TIMEOUT, ask(&connector)).await.map_err(|_| late())??;
        let (answers, waiting) = mpsc::channel(1);
        tokio::spawn(hold(connector, stream, asked.clone(), waiting));
        Ok(Self { account: account.clone(), asked, answers })
    }

    /// The account this sign-up is for.
    pub fn account(&self) -> &AccountConfig {
        &self.account
    }

    pub fn form(&self) -> &RegistrationForm {
        &self.asked
    }

    /// Create the account with `password` and `answers` (the filled [`RegistrationForm::extra`]).
    /// Only the first answer is sent; the connection closes after it.
    pub async fn submit(&self, password: &str, answers: Form) -> Result<(), ConnectError> {
        let (verdict, outcome) = oneshot::channel();
        let answer = Answer { password: password.to_owned(), form: answers, verdict };
        self.answers.try_send(answer).map_err(|_| expired())?;
        outcome.await.map_err(|_| expired())?
    }
}

fn late() -> ConnectError {
    ConnectError::Unreachable("the server did not answer in time".into())
}

fn expired() -> ConnectError {
    ConnectError::Other(
        "the server stopped waiting for this sign-up form; try again to get a new one".into(),
    )
}

/// Connect, check that sign-up is offered, and ask for the fields (§3.1).
async fn ask(connector: &Connector) -> Result<(TlsXmppStream, RegistrationForm), ConnectError> {
    let Secured { features, mut stream, .. } = connector.secure_stream().await?;
    if !features.in_band_registration {
        return Err(ConnectError::Other(
            "this server does not let clients create accounts; ask its administrator".into(),
        ));
    }
    let asked = match request(&mut stream, Iq::from_get("register-fields", FieldsQuery)).await? {
        Iq::Result { payload: Some(query), .. } => read_form(&query)?,
        Iq::Error { error, .. } => return Err(refusal(error, connector.jid())),
        _ => return Err(ConnectError::Other("the server answered something unexpected".into())),
    };
    Ok((stream, asked))
}

/// Keep the connection until the answer comes (or nobody will send one), send it, pass the
/// verdict back, and close the stream.
async fn hold(
    connector: Connector,
    mut stream: TlsXmppStream,
    asked: RegistrationForm,
    mut answers: mpsc::Receiver<Answer>,
) {
    let first = tokio::time::timeout(ANSWER_WAIT, answers.recv()).await;
    // Only the first answer is sent: close at once, so that a later one is refused when it is
    // offered rather than left in the channel.
    answers.close();
    if let Ok(Some(answer)) = first {
        let username = connector.jid().node().map_or("", |n| n.as_str());
        let filled = filled(&asked, username, &answer.password, &answer.form);
        let payload = answer_payload(&asked, &filled);
        let iq = Iq::Set { from: None, to: None, id: "register".into(), payload };
        let verdict = match tokio::time::timeout(SUBMIT_TIMEOUT, request(&mut stream, iq)).await {
            Ok(Ok(Iq::Result { .. })) => Ok(()),
            Ok(Ok(Iq::Error { error, .. })) => Err(refusal(error, connector.jid())),
            Ok(Ok(_)) => {
                Err(ConnectError::Other("the server answered something unexpected".into()))
            }
            Ok(Err(e)) => Err(e),
            Err(_) => Err(late()),
        };
        let _ = answer.verdict.send(verdict);
    }
    let close = <TlsXmppStream as SinkExt<&XmppStreamElement>>::close(&mut stream);
    let _ = tokio::time::timeout(Duration::from_secs(2), close).await;
    // One offered while the channel closed is still answered (tokio's contract: after close,
    // recv until None). Dropping the receiver alone once left such an answer waiting forever.
    while let Some(late) = answers.recv().await {
        let _ = late.verdict.send(Err(expired()));
    }
}

/// What the server asks for, from its answer to the fields query. A data form is preferred
/// over the legacy fields when both come (§6: the form is what the server really wants).
pub(super) fn read_form(query: &Element) -> Result<RegistrationForm, ConnectError> {
    let instructions = query.get_child("instructions", ns::REGISTER).map(Element::text);
    let form_element = query.get_child("x", ns::DATA_FORMS);
    let mut media = bob_data(query);
    if let Some(x) = form_element {
        media.extend(bob_data(x));
        let parsed = DataForm::try_from(x.clone()).map_err(|e| {
            ConnectError::Other(format!("the server's sign-up form could not be read ({e})"))
        })?;
        let mut form = super::data_form::read(parsed);
        if form.instructions.is_empty() {
            form.instructions = paragraphs(instructions.as_deref());
        }
        return Ok(RegistrationForm { form, legacy: false, media });
    }
    let legacy = LegacyQuery::try_from(query.clone()).map_err(|e| {
        ConnectError::Other(format!("the server's sign-up fields could not be read ({e})"))
    })?;
    if legacy.username.is_none() && legacy.password.is_none() {
        // §5: no fields, only a page to sign up on.
        let page = query.get_child("x", ns::OOB).and_then(|x| Oob::try_from(x.clone()).ok());
        return Err(ConnectError::Other(match page {
            Some(oob) => format!("this server creates accounts on its web page: {}", oob.url),
            None => "the server did not say what it needs to create an account".into(),
        }));
    }
    let form = Form {
        instructions: paragraphs(instructions.as_deref()),
        fields: legacy_fields(legacy),
        ..Form::default()
    };
    Ok(RegistrationForm { form, legacy: true, media })
}

fn paragraphs(text: Option<&str>) -> Vec<String> {
    let lines = text.into_iter().flat_map(str::lines).map(str::trim);
    lines.filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

/// The legacy fields the server listed, as form fields. §3.1: each one listed is needed.
fn legacy_fields(mut query: LegacyQuery) -> Vec<Field> {
    LEGACY_FIELDS
        .iter()
        .filter_map(|&(var, label)| {
            let value = legacy_slot(&mut query, var)?.take()?;
            let kind = match var {
                "password" => FieldKind::TextPrivate,
                // §14.1: an obsolete session key, handed out to be sent back as it is.
                "key" => FieldKind::Hidden,
                _ => FieldKind::TextSingle,
            };
            let values = if value.is_empty() { Vec::new() } else { vec![value] };
            Some(Field {
                label: Some(label.to_owned()),
                required: true,
                values,
                ..Field::new(var, kind)
            })
        })
        .collect()
}

fn legacy_slot<'a>(query: &'a mut LegacyQuery, var: &str) -> Option<&'a mut Option<String>> {
    Some(match var {
        "username" => &mut query.username,
        "password" => &mut query.password,
        "nick" => &mut query.nick,
        "name" => &mut query.name,
        "first" => &mut query.first,
        "last" => &mut query.last,
        "email" => &mut query.email,
        "address" => &mut query.address,
        "city" => &mut query.city,
        "state" => &mut query.state,
        "zip" => &mut query.zip,
        "phone" => &mut query.phone,
        "url" => &mut query.url,
        "date" => &mut query.date,
        "misc" => &mut query.misc,
        "text" => &mut query.text,
        "key" => &mut query.key,
        _ => return None,
    })
}

/// The server's form filled in: user name and password from the account, the rest from the
/// user's `answers`; hidden and fixed fields as the server sent them.
fn filled(asked: &RegistrationForm, username: &str, password: &str, answers: &Form) -> Form {
    let mut form = asked.form.clone();
    for field in &mut form.fields {
        match field.var.as_str() {
            "username" => field.set_value(username),
            "password" => field.set_value(password),
            _ if matches!(field.kind, FieldKind::Hidden | FieldKind::Fixed) => {}
            var => {
                if let Some(answer) = answers.field(var) {
                    field.values = answer.values.clone();
                }
            }
        }
    }
    form
}

/// The registration query carrying `filled`, the way the server asked for it.
pub(super) fn answer_payload(asked: &RegistrationForm, filled: &Form) -> Element {
    if !asked.legacy {
        return FormQuery { instructions: None, form: super::data_form::submission(filled) }.into();
    }
    let mut query = LegacyQuery::default();
    for field in &filled.fields {
        let value = field.value();
        if let (Some(slot), false) = (legacy_slot(&mut query, &field.var), value.is_empty()) {
            *slot = Some(value.to_owned());
        }
    }
    query.into()
}

/// XEP-0231 data among `parent`'s children, by content id. Only ids of the form XEP-0231 §2
/// defines are read: xmpp-parsers panics on other hash names.
fn bob_data(parent: &Element) -> BTreeMap<String, BobData> {
    parent
        .children()
        .filter(|c| c.is("data", ns::BOB))
        .filter_map(|c| {
            let cid = c.attr("cid").filter(|cid| readable_cid(cid))?.to_owned();
            let data = bob::Data::try_from(c.clone()).ok()?;
            (data.data.len() <= MAX_BOB_BYTES)
                .then_some((cid, BobData { mime: data.type_, bytes: data.data }))
        })
        .collect()
}

/// `sha1+HEX@bob.xmpp.org` or `sha256+HEX@bob.xmpp.org`.
fn readable_cid(cid: &str) -> bool {
    let Some((hash, "bob.xmpp.org")) = cid.split_once('@') else { return false };
    let Some((algo, hex)) = hash.split_once('+') else { return false };
    matches!(algo, "sha1" | "sha256")
        && !hex.is_empty()
        && hex.len() % 2 == 0
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The server's "no", in words a user can act on, with the server's own text when it gave one
/// (it often names the field, or says the CAPTCHA answer was wrong).
fn refusal(error: StanzaError, jid: &Jid) -> ConnectError {
    let said = error.texts.values().map(|t| t.trim()).find(|t| !t.is_empty()).map(str::to_owned);
    let words = match error.defined_condition {
        DefinedCondition::Conflict => {
            return ConnectError::Other(format!("{} is already taken", jid.to_bare()));
        }
        DefinedCondition::NotAcceptable | DefinedCondition::BadRequest => {
            "the server did not accept the details given"
        }
        DefinedCondition::NotAllowed | DefinedCondition::Forbidden => {
            "the server does not allow creating this account"
        }
        DefinedCondition::ServiceUnavailable | DefinedCondition::FeatureNotImplemented => {
            "this server does not let clients create accounts"
        }
        DefinedCondition::PolicyViolation | DefinedCondition::ResourceConstraint => {
            "the server will not create more accounts right now"
        }
        _ => "the server refused to create the account",
    };
    ConnectError::Other(match said {
        Some(text) => format!("{words}: {text}"),
        None => words.to_owned(),
    })
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
            Some(Err(ReadError::HardError(e))) => {
                return Err(ConnectError::Unreachable(e.to_string()));
            }
            Some(Err(ReadError::ParseError(e))) => return Err(ConnectError::Other(e.to_string())),
            Some(Err(ReadError::StreamFooterReceived)) | None => {
                return Err(ConnectError::Unreachable("the server closed the connection".into()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_xmpp::parsers::stanza_error::ErrorType;

    const CID: &str = "sha1+f24030b8d91d233bac14777be5ab531ca3b9f102@bob.xmpp.org";

    fn element(xml: &str) -> Element {
        xml.parse().expect("the fixture is XML")
    }

    fn values(form: &Form, var: &str) -> Vec<String> {
        form.field(var).map(|f| f.values.clone()).unwrap_or_default()
    }

    /// What Prosody's mod_register_ibr answers with `additional_registration_fields = {"email+"}`.
    const PROSODY: &str = "<query xmlns='jabber:iq:register'>\
        <instructions>Choose a username and password for use with this service.</instructions>\
        <username/><password/><email/>\
        <x xmlns='jabber:x:data' type='form'>\
          <title>Creating a new account</title>\
          <instructions>Choose a username and password for use with this service.</instructions>\
          <field var='FORM_TYPE' type='hidden'><value>jabber:iq:register</value></field>\
          <field var='username' type='text-single' label='Username'><required/></field>\
          <field var='password' type='text-private' label='Password'><required/></field>\
          <field var='email' type='text-single' label='Email'><required/></field>\
        </x></query>";

    #[test]
    fn the_form_is_preferred_and_only_the_extra_fields_are_asked() {
        let asked = read_form(&element(PROSODY)).expect("a form");
        assert!(!asked.legacy);
        assert_eq!(asked.form.form_type.as_deref(), Some("jabber:iq:register"));
        let extra = asked.extra();
        let vars: Vec<_> = extra.fields.iter().map(|f| f.var.as_str()).collect();
        assert_eq!(vars, ["email"]);
        assert!(asked.needs_user());
        assert_eq!(extra.missing_required(), ["Email"]);

        let mut answers = extra;
        if let Some(email) = answers.field_mut("email") {
            email.set_value("carol@example.org");
        }
        let filled = filled(&asked, "carol", "secret", &answers);
        let expected = element(
            "<query xmlns='jabber:iq:register'><x xmlns='jabber:x:data' type='submit'>\
               <field var='FORM_TYPE' type='hidden'><value>jabber:iq:register</value></field>\
               <field var='username'><value>carol</value></field>\
               <field var='password' type='text-private'><value>secret</value></field>\
               <field var='email'><value>carol@example.org</value></field>\
             </x></query>",
        );
        assert_eq!(answer_payload(&asked, &filled), expected);
    }

    #[test]
    fn a_plain_form_needs_nothing_from_the_user() {
        let plain = PROSODY
            .replace("<field var='email' type='text-single' label='Email'><required/></field>", "");
        let asked = read_form(&element(&plain)).expect("a form");
        assert!(!asked.needs_user(), "{:?}", asked.extra());
    }

    #[test]
    fn legacy_fields_become_a_form_and_go_back_as_legacy_fields() {
        let asked = read_form(&element(
            "<query xmlns='jabber:iq:register'>\
               <instructions>Choose a name.\nAlso give your email.</instructions>\
               <username/><password/><email/><key>abc123</key></query>",
        ))
        .expect("legacy fields");
        assert!(asked.legacy);
        assert_eq!(asked.form.instructions, ["Choose a name.", "Also give your email."]);
        let extra = asked.extra();
        let kinds: Vec<_> = extra.fields.iter().map(|f| (f.var.as_str(), f.kind)).collect();
        assert_eq!(kinds, [("email", FieldKind::TextSingle), ("key", FieldKind::Hidden)]);
        assert_eq!(extra.missing_required(), ["Email"]);

        let mut answers = extra;
        if let Some(email) = answers.field_mut("email") {
            email.set_value("dave@example.org");
        }
        let filled = filled(&asked, "dave", "pw", &answers);
        let expected = element(
            "<query xmlns='jabber:iq:register'><username>dave</username><password>pw</password>\
             <email>dave@example.org</email><key>abc123</key></query>",
        );
        assert_eq!(answer_payload(&asked, &filled), expected);
    }

    #[test]
    fn a_captcha_brings_its_picture_and_odd_content_ids_are_skipped() {
        let asked = read_form(&element(&format!(
            "<query xmlns='jabber:iq:register'>\
               <x xmlns='jabber:x:data' type='form'>\
                 <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:captcha</value></field>\
                 <field var='challenge' type='hidden'><value>F3A6292C</value></field>\
                 <field var='username' type='text-single'><required/></field>\
                 <field var='password' type='text-private'><required/></field>\
                 <field var='ocr' label='Enter the text you see'><required/>\
                   <media xmlns='urn:xmpp:media-element'>\
                     <uri type='image/png'>cid:{CID}</uri></media></field>\
               </x>\
               <data xmlns='urn:xmpp:bob' cid='{CID}' type='image/png'>iVBORw0KGgo=</data>\
               <data xmlns='urn:xmpp:bob' cid='md5+00@bob.xmpp.org'>AA==</data>\
               <data xmlns='urn:xmpp:bob' cid='sha1+é0@bob.xmpp.org'>AA==</data>\
             </query>"
        )))
        .expect("a CAPTCHA form");
        assert_eq!(asked.media.len(), 1, "{:?}", asked.media.keys());
        let extra = asked.extra();
        let ocr = extra.field("ocr").expect("the answer field");
        let picture = asked.media_for(ocr).expect("the picture came along");
        assert_eq!(picture.mime.as_deref(), Some("image/png"));
        assert_eq!(picture.bytes, b"\x89PNG\r\n\x1a\n");
        assert_eq!(values(&extra, "challenge"), ["F3A6292C"]);
    }

    #[test]
    fn a_web_page_only_server_is_named() {
        let error = read_form(&element(
            "<query xmlns='jabber:iq:register'><instructions>Go to the web.</instructions>\
               <x xmlns='jabber:x:oob'><url>https://example.org/signup</url></x></query>",
        ));
        assert_eq!(
            error,
            Err(ConnectError::Other(
                "this server creates accounts on its web page: https://example.org/signup".into()
            ))
        );
    }

    #[test]
    fn refusals_keep_the_servers_words() {
        let jid = Jid::new("carol@example.org/confab").expect("a JID");
        let error =
            |condition, text: &str| StanzaError::new(ErrorType::Modify, condition, "en", text);
        assert_eq!(
            refusal(
                error(DefinedCondition::Conflict, "The requested username already exists."),
                &jid
            ),
            ConnectError::Other("carol@example.org is already taken".into())
        );
        assert_eq!(
            refusal(error(DefinedCondition::NotAcceptable, "The CAPTCHA answer is wrong"), &jid)
                .to_string(),
            "the server did not accept the details given: The CAPTCHA answer is wrong"
        );
        assert_eq!(
            refusal(error(DefinedCondition::NotAllowed, ""), &jid).to_string(),
            "the server does not allow creating this account"
        );
    }
}
