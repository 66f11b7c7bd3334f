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
    let Some(Event::Submit { account, password, create, answers, .. }) =
        state.update(Message::Submit)
    else {
        panic!("expected a submission");
    };
    assert_eq!(account.jid, "alice@example.org");
    assert_eq!(account.port, Some(5223));
    assert_eq!(account.tls, TlsMode::DirectTls);
    assert!(!account.allow_plain, "PLAIN is never allowed unless asked for");
    assert_eq!(password, "pw");
    assert!(!create);
    assert!(answers.is_none());
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    ::image::DynamicImage::new_rgba8(width, height)
        .write_to(&mut bytes, ::image::ImageFormat::Png)
        .expect("a PNG is written");
    bytes.into_inner()
}

/// A sign-up form asking for the text in a CAPTCHA picture (`picture`).
fn captcha_form(picture: Vec<u8>) -> RegistrationForm {
    use crate::model::{Field, FieldKind, MediaUri};
    use crate::worker::BobData;
    let cid = "sha1+00@bob.xmpp.org";
    let captcha = Field {
        required: true,
        media: vec![MediaUri { mime: "image/png".into(), uri: format!("cid:{cid}") }],
        ..Field::new("ocr", FieldKind::TextSingle)
    };
    RegistrationForm {
        form: Form {
            fields: vec![
                Field::new("username", FieldKind::TextSingle),
                Field::new("password", FieldKind::TextPrivate),
                captcha,
            ],
            ..Form::default()
        },
        legacy: false,
        media: [(cid.to_owned(), BobData { mime: None, bytes: picture })].into(),
    }
}

#[test]
fn the_captcha_is_decoded_off_the_ui_thread() {
    let asked = captcha_form(png(4, 4));
    let mut state = State::default();
    state.update(Message::Create(true));
    state.ask(&asked);
    let mut ui = iced_test::simulator(state.view());
    ui.find("Loading picture…").expect("the picture is decoded elsewhere meanwhile");
    drop(ui);
    assert_eq!(state.decode_pictures(&asked).units(), 1, "one picture to decode");
    let decoded = crate::media::decode(&png(4, 4), &crate::media::Limits::AVATAR, 640);
    let var = "ocr".to_owned();
    let stale = Message::Picture { asked: 0, var: var.clone(), picture: decoded.clone() };
    state.update(stale);
    let mut ui = iced_test::simulator(state.view());
    ui.find("Loading picture…").expect("a picture for an earlier form is not this one's");
    drop(ui);
    state.update(Message::Picture { asked: 1, var: var.clone(), picture: decoded });
    let mut ui = iced_test::simulator(state.view());
    assert!(ui.find("Loading picture…").is_err(), "decoded");
    assert!(ui.find(form::NO_PICTURE).is_err(), "and shown");
    drop(ui);

    let broken = Err(crate::media::DecodeError::UnknownFormat);
    state.update(Message::Picture { asked: 1, var, picture: broken });
    let mut ui = iced_test::simulator(state.view());
    ui.find(form::NO_PICTURE).expect("a picture that cannot be shown says so");
}

#[test]
fn the_servers_extra_fields_are_asked_and_sent_with_the_submission() {
    let asked = captcha_form(png(4, 4));
    let mut state = State::default();
    state.update(Message::Jid("carol@example.org".into()));
    state.update(Message::Password("pw".into()));
    state.update(Message::Create(true));
    assert!(state.update(Message::Submit).is_some());
    state.ask(&asked);
    assert!(!state.busy);

    let mut ui = iced_test::simulator(state.view());
    assert!(ui.find("The server asks for more to create the account:").is_ok());
    assert!(ui.find("The server sent a picture Confab could not show.").is_err());
    assert!(ui.find(iced_test::selector::id("setup-password")).is_ok());
    drop(ui);

    assert!(state.update(Message::Submit).is_none(), "the answer is required");
    assert!(state.error.as_deref().is_some_and(|e| e.contains("ocr")));
    state.update(Message::Extra(form::Message::Input(0, "7nHL3".into())));
    let Some(Event::Submit { create: true, answers: Some(answers), .. }) =
        state.update(Message::Submit)
    else {
        panic!("expected a submission with answers");
    };
    assert_eq!(answers.field("ocr").map(|f| f.value()), Some("7nHL3"));
    assert!(answers.field("username").is_none(), "filled from the account instead");
}

#[test]
fn editing_keeps_the_address_pins_and_password_unless_changed() {
    let mut account = AccountConfig::new("me@example.org");
    account.pinned_certificates = vec!["AB:CD".into()];
    account.port = Some(5222);
    let mut state = State::edit(&account);
    state.update(Message::Jid("someone@else.org".into()));
    state.update(Message::Port("5223".into()));
    state.update(Message::DirectTls(true));
    let Some(Event::Edited { account: edited, password, .. }) = state.update(Message::Submit)
    else {
        panic!("an edit is submitted without a password");
    };
    assert_eq!(edited.jid, "me@example.org");
    assert_eq!((edited.port, edited.tls), (Some(5223), TlsMode::DirectTls));
    assert_eq!(edited.pinned_certificates, ["AB:CD"]);
    assert_eq!(password, None);
}

#[test]
fn plain_is_allowed_only_by_ticking_it_and_the_edit_screen_shows_it() {
    let mut account = AccountConfig::new("me@example.org");
    let mut state = State::edit(&account);
    state.update(Message::AllowPlain(true));
    let Some(Event::Edited { account: edited, .. }) = state.update(Message::Submit) else {
        panic!("an edit is submitted");
    };
    assert!(edited.allow_plain);
    account.allow_plain = true;
    assert!(State::edit(&account).allow_plain);
}

#[test]
fn the_route_is_chosen_and_a_websocket_address_must_be_encrypted() {
    let account = AccountConfig::new("me@example.org");
    let mut state = State::edit(&account);
    assert_eq!(state.transport, Route(Transport::Auto), "automatic by default");
    state.update(Message::Transport(Route(Transport::Websocket)));
    assert!(state.update(Message::Submit).is_none(), "WebSocket needs an address");
    state.update(Message::WebUrl("ws://example.org/ws".into()));
    assert!(state.update(Message::Submit).is_none(), "ws:// is refused");
    assert!(state.error.as_deref().is_some_and(|e| e.contains("not encrypted")));
    state.update(Message::WebUrl("wss://example.org/ws".into()));
    let Some(Event::Edited { account: edited, .. }) = state.update(Message::Submit) else {
        panic!("an edit is submitted");
    };
    assert_eq!(edited.transport, Transport::Websocket);
    assert_eq!(edited.url.as_deref(), Some("wss://example.org/ws"));
    let mut state = State::edit(&edited);
    assert_eq!(state.web_url, "wss://example.org/ws", "the edit screen shows it");
    state.update(Message::Transport(Route(Transport::Tcp)));
    let Some(Event::Edited { account: back, .. }) = state.update(Message::Submit) else {
        panic!("an edit is submitted");
    };
    assert_eq!((back.transport, back.url), (Transport::Tcp, None));
}

#[test]
fn a_bosh_address_must_be_https() {
    let account = AccountConfig::new("me@example.org");
    let mut state = State::edit(&account);
    state.update(Message::Transport(Route(Transport::Bosh)));
    assert!(state.update(Message::Submit).is_none(), "BOSH needs an address");
    assert!(state.error.as_deref().is_some_and(|e| e.contains("BOSH needs")));
    state.update(Message::WebUrl("http://example.org/http-bind".into()));
    assert!(state.update(Message::Submit).is_none(), "http:// is refused");
    assert!(state.error.as_deref().is_some_and(|e| e.contains("not encrypted")));
    state.update(Message::WebUrl("wss://example.org/ws".into()));
    assert!(state.update(Message::Submit).is_none(), "a WebSocket address is not BOSH's");
    state.update(Message::WebUrl("https://example.org/http-bind".into()));
    let Some(Event::Edited { account: edited, .. }) = state.update(Message::Submit) else {
        panic!("an edit is submitted");
    };
    assert_eq!(edited.transport, Transport::Bosh);
    assert_eq!(edited.url.as_deref(), Some("https://example.org/http-bind"));
}

#[test]
fn a_proxy_is_kept_without_its_password_which_goes_apart() {
    let mut state = State::default();
    state.update(Message::Jid("me@example.org".into()));
    state.update(Message::Password("pw".into()));
    state.update(Message::Proxy("socks5://me:hunter2@proxy.example:1080".into()));
    let Some(Event::Submit { account, proxy_password, .. }) = state.update(Message::Submit) else {
        panic!("submitted");
    };
    assert_eq!(account.proxy.as_deref(), Some("socks5://me@proxy.example:1080"));
    assert_eq!(proxy_password.as_deref(), Some("hunter2"));
    let mut edit = State::edit(&account);
    assert_eq!(edit.proxy, "socks5://me@proxy.example:1080");
    edit.update(Message::Proxy("ftp://nope".into()));
    assert!(edit.update(Message::Submit).is_none(), "not a proxy address");
}
