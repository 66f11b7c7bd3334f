//! The verifier through real handshakes in memory, with certificates made on the spot.

use super::*;
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, date_time_ymd};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, ServerName};

/// A certificate (with its key) and what it is called.
struct Made {
    der: CertificateDer<'static>,
    key: Vec<u8>,
    print: String,
}

fn params(names: &[&str]) -> CertificateParams {
    CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
        .expect("params")
}

fn self_signed(params: CertificateParams) -> Made {
    let key = KeyPair::generate().expect("key");
    let cert = params.self_signed(&key).expect("certificate");
    let der = cert.der().clone();
    Made { print: fingerprint(&der), der, key: key.serialize_der() }
}

/// A CA (written as PEM into `dir`) and a leaf it signed for `names`.
fn ca_and_leaf(dir: &Path, names: &[&str]) -> (std::path::PathBuf, Made) {
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca_params = params(&[]);
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).expect("CA");
    let path = dir.join("ca.pem");
    std::fs::write(&path, ca.pem()).expect("CA written");
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().expect("leaf key");
    let leaf = params(names).signed_by(&key, &issuer).expect("leaf");
    let der = leaf.der().clone();
    (path, Made { print: fingerprint(&der), der, key: key.serialize_der() })
}

fn account(pins: &[&str]) -> AccountConfig {
    let mut account = AccountConfig::new("me@confab.test");
    account.pinned_certificates = pins.iter().map(|p| (*p).to_owned()).collect();
    account
}

/// Connect to a server presenting `cert` under `name`; the handshake's outcome and what the
/// verifier remembered.
async fn handshake(
    account: &AccountConfig,
    cert: &Made,
    name: &str,
) -> (Result<(), String>, Option<Refusal>) {
    let provider = Arc::new(ring::default_provider());
    let server = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert.der.clone()], PrivateKeyDer::Pkcs8(cert.key.clone().into()))
        .expect("server config");
    let slot = RefusalSlot::default();
    let client = client_config(account, &[], slot.clone()).expect("client config");
    let (client_io, server_io) = tokio::io::duplex(64 * 1024);
    let name = ServerName::try_from(name.to_owned()).expect("name");
    let accept = tokio_rustls::TlsAcceptor::from(Arc::new(server)).accept(server_io);
    let connect = tokio_rustls::TlsConnector::from(client).connect(name, client_io);
    let (_, connected) = tokio::join!(accept, connect);
    let refusal = slot.lock().expect("slot").take();
    (connected.map(drop).map_err(|e| e.to_string()), refusal)
}

#[test]
fn fingerprints_compare_loosely() {
    assert!(same_fingerprint("ab:cd:ef", "ABCDEF"));
    assert!(!same_fingerprint("ab:cd", "ab:ce"));
}

#[test]
fn fingerprint_is_sha256_hex() {
    let print = fingerprint(b"");
    assert!(print.starts_with("E3:B0:C4:42"));
    assert_eq!(print.len(), 32 * 3 - 1);
}

#[test]
fn missing_ca_file_is_a_clear_error() {
    let mut account = account(&[]);
    account.ca_file = Some("/nonexistent/ca.pem".into());
    let err = client_config(&account, &[], RefusalSlot::default()).expect_err("must fail");
    assert!(err.contains("/nonexistent/ca.pem"), "{err}");
}

#[tokio::test]
async fn an_unknown_certificate_is_asked_about_once_and_accepted_when_pinned() {
    let cert = self_signed(params(&["confab.test"]));
    let (result, refusal) = handshake(&account(&[]), &cert, "confab.test").await;
    assert!(result.is_err());
    let refusal = refusal.expect("a refusal");
    assert_eq!(refusal.kind, RefusalKind::Unknown);
    assert_eq!(refusal.fingerprint, cert.print);
    assert_eq!(refusal.reason, "issued by an unknown authority");

    let (result, refusal) = handshake(&account(&[&cert.print]), &cert, "confab.test").await;
    assert_eq!(result, Ok(()));
    assert_eq!(refusal, None);
}

#[tokio::test]
async fn a_pinned_certificate_past_its_end_is_refused_as_expired() {
    let mut expired = params(&["confab.test"]);
    expired.not_before = date_time_ymd(2019, 1, 1);
    expired.not_after = date_time_ymd(2020, 1, 1);
    let cert = self_signed(expired);
    let (result, refusal) = handshake(&account(&[&cert.print]), &cert, "confab.test").await;
    assert!(result.is_err(), "an expired pinned certificate was accepted");
    let refusal = refusal.expect("a refusal");
    assert_eq!((refusal.kind, refusal.reason.as_str()), (RefusalKind::Invalid, "expired"));
}

#[tokio::test]
async fn a_pinned_certificate_before_its_start_is_refused() {
    let mut future = params(&["confab.test"]);
    future.not_before = date_time_ymd(2200, 1, 1);
    future.not_after = date_time_ymd(2201, 1, 1);
    let cert = self_signed(future);
    let (result, refusal) = handshake(&account(&[&cert.print]), &cert, "confab.test").await;
    assert!(result.is_err());
    let refusal = refusal.expect("a refusal");
    assert_eq!((refusal.kind, refusal.reason.as_str()), (RefusalKind::Invalid, "not valid yet"));
}

#[tokio::test]
async fn a_pinned_certificate_for_another_name_is_refused() {
    let cert = self_signed(params(&["elsewhere.test"]));
    let (result, refusal) = handshake(&account(&[&cert.print]), &cert, "confab.test").await;
    assert!(result.is_err(), "a pinned certificate passed for a name it does not carry");
    let refusal = refusal.expect("a refusal");
    assert_eq!(refusal.kind, RefusalKind::Invalid);
    assert_eq!(refusal.reason, "issued for another server name");
}

#[tokio::test]
async fn an_unknown_certificate_that_no_pin_could_fix_offers_no_pin() {
    let mut expired = params(&["confab.test"]);
    expired.not_before = date_time_ymd(2019, 1, 1);
    expired.not_after = date_time_ymd(2020, 1, 1);
    let cert = self_signed(expired);
    let (_, refusal) = handshake(&account(&[]), &cert, "confab.test").await;
    let refusal = refusal.expect("a refusal");
    assert_eq!((refusal.kind, refusal.reason.as_str()), (RefusalKind::Invalid, "expired"));
}

#[tokio::test]
async fn a_self_signed_certificate_marked_as_a_ca_can_still_be_pinned() {
    let mut ca_like = params(&["confab.test"]);
    ca_like.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let cert = self_signed(ca_like);
    let (result, _) = handshake(&account(&[&cert.print]), &cert, "confab.test").await;
    assert_eq!(result, Ok(()));
}

#[tokio::test]
async fn another_certificate_than_the_pinned_one_is_reported_as_changed_with_both_prints() {
    let old = self_signed(params(&["confab.test"]));
    let new = self_signed(params(&["confab.test"]));
    let older = self_signed(params(&["confab.test"]));
    let (result, refusal) =
        handshake(&account(&[&older.print, &old.print]), &new, "confab.test").await;
    assert!(result.is_err());
    let refusal = refusal.expect("a refusal");
    assert_eq!(refusal.kind, RefusalKind::Changed { pinned: old.print.clone() });
    let shown = ConnectError::from(refusal).to_string();
    assert!(shown.contains("changed since you trusted it"), "{shown}");
    assert!(shown.contains(&old.print) && shown.contains(&new.print), "{shown}");
}

#[tokio::test]
async fn the_accounts_ca_and_pins_vouch_only_for_its_own_server() {
    let dir = tempfile::tempdir().expect("dir");
    let (ca, leaf) = ca_and_leaf(dir.path(), &["upload.confab.test", "files.other.test"]);
    let mut with_ca = account(&[]);
    with_ca.ca_file = Some(ca);
    let (result, _) = handshake(&with_ca, &leaf, "upload.confab.test").await;
    assert_eq!(result, Ok(()), "the account's CA vouches for its own upload host");
    let (result, refusal) = handshake(&with_ca, &leaf, "files.other.test").await;
    assert!(result.is_err(), "the account's CA vouched for someone else's host");
    assert_eq!(refusal.expect("a refusal").kind, RefusalKind::Unknown);

    let pinned = account(&[&leaf.print]);
    let (result, refusal) = handshake(&pinned, &leaf, "files.other.test").await;
    assert!(result.is_err(), "the account's pin vouched for someone else's host");
    assert_eq!(refusal.expect("a refusal").kind, RefusalKind::Unknown, "no pin there to change");
}

#[tokio::test]
async fn a_refusal_travels_inside_the_handshake_error() {
    let cert = self_signed(params(&["confab.test"]));
    let provider = Arc::new(ring::default_provider());
    let server = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert.der.clone()], PrivateKeyDer::Pkcs8(cert.key.clone().into()))
        .expect("server config");
    let client = client_config(&account(&[]), &[], RefusalSlot::default()).expect("client");
    let (client_io, server_io) = tokio::io::duplex(64 * 1024);
    let name = ServerName::try_from("confab.test").expect("name");
    let accept = tokio_rustls::TlsAcceptor::from(Arc::new(server)).accept(server_io);
    let connect = tokio_rustls::TlsConnector::from(client).connect(name, client_io);
    let (_, connected) = tokio::join!(accept, connect);
    let error = connected.map(drop).expect_err("refused");
    let refusal = refusal_in(&error).expect("the refusal in the error");
    assert_eq!(refusal.fingerprint, cert.print);
    assert_eq!(
        refusal.to_string(),
        "its certificate is not trusted (issued by an unknown authority)"
    );
}
