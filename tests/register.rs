//! Signing up (XEP-0077) on a real Prosody that asks for more than a name and a password:
//! mod_register_ibr adds fields listed in `additional_registration_fields`, and a trailing
//! "+" makes one required.

mod support;

use confab::config::AccountConfig;
use confab::worker::Registration;
use support::{DOMAIN, Kind, Profile, Server, Setup, stderr};

/// Only Prosody can be told to ask for more: ejabberd 23.01's registration form has a name
/// and a password (and a CAPTCHA where one is set up), nothing else.
fn servers_wanting_an_email() -> Vec<Kind> {
    support::servers_except(Kind::Ejabberd, "ejabberd 23.01 cannot ask for more at sign-up")
}

fn server_wanting_an_email(kind: Kind) -> Server {
    Server::start_with(kind, Setup { registration_wants_email: true, ..Setup::default() })
}

#[test]
fn a_required_extra_field_is_named_then_given_with_field() {
    for kind in servers_wanting_an_email() {
        let server = server_wanting_an_email(kind);
        let dave = Profile::empty("dave");
        // The password comes on standard input, so there is no terminal to ask on.
        let out = dave.account(&server, "register", "dave's secret", &[]);
        assert!(!out.status.success());
        let said = stderr(&out);
        assert!(said.contains("Email (--field email=…)"), "{said}");
        assert_eq!(said.lines().count(), 1, "one line: {said}");

        let field = ["--field", "email=dave@example.org"];
        let out = dave.account(&server, "register", "dave's secret", &field);
        assert!(out.status.success(), "{}", stderr(&out));
        let sync = dave.run(&["sync", "--wait", "0"]);
        assert!(sync.status.success(), "the new account logs in: {}", stderr(&sync));

        let unknown =
            Profile::empty("frank").account(&server, "register", "pw", &["--field", "age=3"]);
        assert!(!unknown.status.success());
        assert!(stderr(&unknown).contains("asks for email"), "{}", stderr(&unknown));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_carries_the_servers_words_and_a_sign_up_answers_once() {
    for kind in servers_wanting_an_email() {
        let server = server_wanting_an_email(kind);
        let mut account = AccountConfig::new(&format!("erin@{DOMAIN}"));
        account.host = Some("127.0.0.1".into());
        account.port = Some(server.port);
        account.ca_file = Some(server.ca_file.clone());

        let registration = Registration::open(&account).await.expect("the server's form");
        let asked = registration.form();
        assert!(!asked.legacy, "Prosody sends a data form");
        assert!(asked.needs_user());
        assert_eq!(asked.extra().missing_required(), ["Email"]);
        // Sent without the email anyway: Prosody says which field it misses.
        let error = registration.submit("erin's secret", asked.extra()).await.expect_err("refused");
        assert!(error.to_string().contains("Email"), "{error}");
        let again = registration.submit("erin's secret", asked.extra()).await.expect_err("used up");
        assert!(again.to_string().contains("try again"), "{again}");

        let registration = Registration::open(&account).await.expect("a new form");
        let mut answers = registration.form().extra();
        if let Some(email) = answers.field_mut("email") {
            email.set_value("erin@example.org");
        }
        registration.submit("erin's secret", answers).await.expect("created");
    }
}
