//! Certificate trust. tokio-xmpp offers no hook for custom trust roots, so Confab verifies
//! itself: the system's roots plus an optional CA file, or a certificate the user pinned by its
//! SHA-256 fingerprint. A refused certificate is remembered, so the user can be shown its
//! fingerprint and asked, instead of seeing a bare handshake error.

mod scope;
mod verifier;

use crate::config::AccountConfig;
use crate::model::ConnectError;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tokio_rustls::rustls::client::WebPkiServerVerifier;
use tokio_rustls::rustls::crypto::{CryptoProvider, ring};
use tokio_rustls::rustls::pki_types::CertificateDer;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::{ClientConfig, Error, RootCertStore};

/// A certificate the verifier turned down, kept for the error shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub fingerprint: String,
    pub reason: String,
    pub kind: RefusalKind,
}

/// What trusting the refused certificate would mean, so the user is asked the right question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefusalKind {
    /// Issued by an authority we do not know: pinning it is a first-time decision.
    Unknown,
    /// Not the certificate the user pinned (`pinned`): a new one, or someone in between.
    Changed { pinned: String },
    /// Wrong name or outside its validity period: no pin can make it acceptable.
    Invalid,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            RefusalKind::Unknown => write!(f, "its certificate is not trusted ({})", self.reason),
            RefusalKind::Changed { .. } => {
                f.write_str("its certificate changed since you trusted it")
            }
            RefusalKind::Invalid => write!(f, "its certificate is refused ({})", self.reason),
        }
    }
}

impl std::error::Error for Refusal {}

impl From<Refusal> for ConnectError {
    fn from(refusal: Refusal) -> Self {
        let Refusal { fingerprint, reason, kind } = refusal;
        match kind {
            RefusalKind::Unknown => Self::CertificateUntrusted { fingerprint, reason },
            RefusalKind::Changed { pinned } => {
                Self::CertificateChanged { fingerprint, pinned, reason }
            }
            RefusalKind::Invalid => Self::CertificateInvalid { fingerprint, reason },
        }
    }
}

/// The refusal behind a failed handshake, found in an error's chain of causes (rustls hands it
/// on inside an I/O error, which the HTTP client may wrap in another I/O error of its own;
/// an I/O error does not list the error it wraps as its source, so those are opened here).
pub fn refusal_in<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a Refusal> {
    use tokio_rustls::rustls::{CertificateError, OtherError};
    let mut cause = Some(error);
    while let Some(error) = cause {
        let mut inner: &(dyn std::error::Error + 'static) = error;
        while let Some(wrapped) = inner.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref())
        {
            inner = wrapped;
        }
        if let Some(Error::InvalidCertificate(CertificateError::Other(OtherError(other)))) =
            inner.downcast_ref::<Error>()
            && let Some(refusal) = other.downcast_ref::<Refusal>()
        {
            return Some(refusal);
        }
        cause = error.source();
    }
    None
}

/// Shared between the verifier (inside the handshake) and the connector that reports errors.
pub type RefusalSlot = Arc<Mutex<Option<Refusal>>>;

/// SHA-256 of a DER certificate as colon-separated upper-case hex, the form browsers show.
pub fn fingerprint(der: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(der);
    digest.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

/// Compare fingerprints regardless of case and separators.
fn same_fingerprint(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.chars()
            .filter(char::is_ascii_hexdigit)
            .map(|c| c.to_ascii_uppercase())
            .collect::<String>()
    };
    norm(a) == norm(b)
}

/// Words a user can act on, rather than rustls' enum names.
fn describe(error: &Error) -> String {
    use tokio_rustls::rustls::CertificateError as C;
    match error {
        Error::InvalidCertificate(C::UnknownIssuer) => "issued by an unknown authority".into(),
        Error::InvalidCertificate(C::Expired)
        | Error::InvalidCertificate(C::ExpiredContext { .. }) => "expired".into(),
        Error::InvalidCertificate(C::NotValidYet)
        | Error::InvalidCertificate(C::NotValidYetContext { .. }) => "not valid yet".into(),
        Error::InvalidCertificate(C::NotValidForName)
        | Error::InvalidCertificate(C::NotValidForNameContext { .. }) => {
            "issued for another server name".into()
        }
        Error::InvalidCertificate(C::Revoked) => "revoked".into(),
        Error::InvalidCertificate(C::BadSignature) => "badly signed".into(),
        Error::General(words) => words.clone(),
        other => other.to_string(),
    }
}

/// Build the TLS client configuration for one account: the system's roots everywhere, and for
/// the account's own server ([`scope::OwnHosts`]) also its CA file, its pinned certificates and
/// `extra_pins` (trusted for this session only), the most recent last.
pub fn client_config(
    account: &AccountConfig,
    extra_pins: &[String],
    refusal: RefusalSlot,
) -> Result<Arc<ClientConfig>, String> {
    let provider = Arc::new(ring::default_provider());
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    let system = webpki_verifier(roots.clone(), &provider)?;
    if let Some(path) = account.ca_file.as_deref() {
        add_ca_file(&mut roots, path)?;
    }
    let own = webpki_verifier(roots, &provider)?;
    let mut pinned = account.pinned_certificates.clone();
    pinned.extend_from_slice(extra_pins);
    let verifier = verifier::Verifier {
        system,
        own,
        pinned,
        own_hosts: scope::OwnHosts::of(account),
        provider: provider.clone(),
        refusal,
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS set-up failed: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

fn add_ca_file(roots: &mut RootCertStore, path: &Path) -> Result<(), String> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("cannot read certificate file {}: {e}", path.display()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("certificate file {} is not valid PEM: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("certificate file {} holds no certificate", path.display()));
    }
    let (_, ignored) = roots.add_parsable_certificates(certs);
    if ignored > 0 {
        tracing::warn!("{ignored} certificate(s) in {} could not be used", path.display());
    }
    Ok(())
}

/// `None` when there are no roots at all: then only pinned certificates pass.
fn webpki_verifier(
    roots: RootCertStore,
    provider: &Arc<CryptoProvider>,
) -> Result<Option<Arc<WebPkiServerVerifier>>, String> {
    if roots.is_empty() {
        return Ok(None);
    }
    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map(Some)
        .map_err(|e| format!("cannot set up certificate checks: {e}"))
}

#[cfg(test)]
mod tests;
