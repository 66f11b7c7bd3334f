//! Certificate trust. tokio-xmpp offers no hook for custom trust roots, so Confab verifies
//! itself: the system's roots plus an optional CA file, or a certificate the user pinned by its
//! SHA-256 fingerprint. A refused certificate is remembered, so the user can be shown its
//! fingerprint and asked, instead of seeing a bare handshake error.

use std::path::Path;
use std::sync::{Arc, Mutex};
use tokio_rustls::rustls::client::WebPkiServerVerifier;
use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::crypto::{CryptoProvider, ring};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_rustls::rustls::{
    ClientConfig, DigitallySignedStruct, Error, RootCertStore, SignatureScheme,
};

/// A certificate the verifier turned down, kept for the error shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub fingerprint: String,
    pub reason: String,
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

#[derive(Debug)]
struct Verifier {
    /// `None` when there are no roots at all: then only pinned certificates pass.
    webpki: Option<Arc<WebPkiServerVerifier>>,
    pinned: Vec<String>,
    provider: Arc<CryptoProvider>,
    refusal: RefusalSlot,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let print = fingerprint(end_entity);
        if self.pinned.iter().any(|p| same_fingerprint(p, &print)) {
            return Ok(ServerCertVerified::assertion());
        }
        let result = match &self.webpki {
            Some(webpki) => webpki.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            ),
            None => Err(Error::General("no trusted root certificates are available".into())),
        };
        if let Err(e) = &result
            && let Ok(mut slot) = self.refusal.lock()
        {
            *slot = Some(Refusal { fingerprint: print, reason: describe(e) });
        }
        result
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        tokio_rustls::rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        tokio_rustls::rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

/// Words a user can act on, rather than rustls' enum names.
fn describe(error: &Error) -> String {
    use tokio_rustls::rustls::CertificateError as C;
    match error {
        Error::InvalidCertificate(C::UnknownIssuer) => "issued by an unknown authority".into(),
        Error::InvalidCertificate(C::Expired)
        | Error::InvalidCertificate(C::ExpiredContext { .. }) => "expired".into(),
        Error::InvalidCertificate(C::NotValidForName)
        | Error::InvalidCertificate(C::NotValidForNameContext { .. }) => {
            "issued for another server name".into()
        }
        Error::InvalidCertificate(C::Revoked) => "revoked".into(),
        Error::InvalidCertificate(C::BadSignature) => "badly signed".into(),
        other => other.to_string(),
    }
}

/// Build the TLS client configuration for one account.
pub fn client_config(
    ca_file: Option<&Path>,
    pinned: &[String],
    refusal: RefusalSlot,
) -> Result<Arc<ClientConfig>, String> {
    let provider = Arc::new(ring::default_provider());
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if let Some(path) = ca_file {
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
    }
    let webpki = if roots.is_empty() {
        None
    } else {
        Some(
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|e| format!("cannot set up certificate checks: {e}"))?,
        )
    };
    let verifier =
        Verifier { webpki, pinned: pinned.to_vec(), provider: provider.clone(), refusal };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS set-up failed: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let slot = RefusalSlot::default();
        let err = client_config(Some(Path::new("/nonexistent/ca.pem")), &[], slot)
            .expect_err("must fail");
        assert!(err.contains("/nonexistent/ca.pem"), "{err}");
    }
}
