//! The certificate check itself. A pinned certificate stands in for an authority the system
//! does not know, nothing more: it must still name the server and be within its validity
//! period, so a pin never outlives the certificate nor follows it to another name.

use super::scope::OwnHosts;
use super::{Refusal, RefusalKind, RefusalSlot, describe, fingerprint, same_fingerprint};
use std::sync::Arc;
use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::client::{WebPkiServerVerifier, verify_server_name};
use tokio_rustls::rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_rustls::rustls::server::ParsedCertificate;
use tokio_rustls::rustls::{
    CertificateError, DigitallySignedStruct, Error, OtherError, SignatureScheme,
};

#[derive(Debug)]
pub(super) struct Verifier {
    /// The system's roots, for every host. `None` when there are none at all.
    pub(super) system: Option<Arc<WebPkiServerVerifier>>,
    /// The system's roots plus the account's CA file, for the account's own hosts.
    pub(super) own: Option<Arc<WebPkiServerVerifier>>,
    /// Fingerprints the user trusts for the account's own hosts, the most recent last.
    pub(super) pinned: Vec<String>,
    pub(super) own_hosts: OwnHosts,
    pub(super) provider: Arc<CryptoProvider>,
    pub(super) refusal: RefusalSlot,
}

impl Verifier {
    fn check(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Refusal> {
        let print = fingerprint(end_entity);
        let own = self.own_hosts.covers(server_name);
        let pinned: &[String] = if own { &self.pinned } else { &[] };
        let algorithms = self.provider.signature_verification_algorithms;
        let refuse = |kind, error: &Error| Refusal {
            fingerprint: print.clone(),
            reason: describe(error),
            kind,
        };
        let name_and_time = name_and_time(end_entity, server_name, now, algorithms);
        if pinned.iter().any(|pin| same_fingerprint(pin, &print)) {
            return name_and_time
                .map(|()| ServerCertVerified::assertion())
                .map_err(|e| refuse(RefusalKind::Invalid, &e));
        }
        let verifier = if own { &self.own } else { &self.system };
        let chain = match verifier {
            Some(webpki) => webpki.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            ),
            None => Err(Error::General("no trusted root certificates are available".into())),
        };
        chain.map_err(|chain_error| match (name_and_time, pinned.last()) {
            // Trusting it could not help: say what is wrong with the certificate itself.
            (Err(e), _) => refuse(RefusalKind::Invalid, &e),
            (Ok(()), Some(pin)) => {
                refuse(RefusalKind::Changed { pinned: pin.clone() }, &chain_error)
            }
            (Ok(()), None) => refuse(RefusalKind::Unknown, &chain_error),
        })
    }
}

/// The checks a pin does not replace: the certificate names `server_name` (its subject
/// alternative names) and `now` is within its validity period.
pub(super) fn name_and_time(
    end_entity: &CertificateDer<'_>,
    server_name: &ServerName<'_>,
    now: UnixTime,
    algorithms: WebPkiSupportedAlgorithms,
) -> Result<(), Error> {
    let parsed = ParsedCertificate::try_from(end_entity)?;
    verify_server_name(&parsed, server_name)?;
    let cert = webpki::EndEntityCert::try_from(end_entity)
        .map_err(|_| Error::InvalidCertificate(CertificateError::BadEncoding))?;
    // With no anchors and no intermediates, webpki looks for an issuer only after the
    // certificate's own checks passed, the validity period first: reaching "unknown issuer"
    // (or, for a self-signed certificate marked as a CA, "CA used as end entity", checked
    // right after the period) means the period is fine.
    let usage = webpki::KeyUsage::server_auth();
    match cert.verify_for_usage(algorithms.all, &[], &[], now, usage, None, None) {
        Ok(_) | Err(webpki::Error::UnknownIssuer | webpki::Error::CaUsedAsEndEntity) => Ok(()),
        Err(webpki::Error::CertExpired { time, not_after }) => {
            Err(CertificateError::ExpiredContext { time, not_after }.into())
        }
        Err(webpki::Error::CertNotValidYet { time, not_before }) => {
            Err(CertificateError::NotValidYetContext { time, not_before }.into())
        }
        Err(webpki::Error::InvalidCertValidity) => Err(CertificateError::Expired.into()),
        Err(other) => Err(Error::General(format!("the certificate is unusable ({other})"))),
    }
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
        self.check(end_entity, intermediates, server_name, ocsp_response, now).map_err(|refusal| {
            if let Ok(mut slot) = self.refusal.lock() {
                *slot = Some(refusal.clone());
            }
            // Carried inside the error too, for the HTTP client, whose handshakes share one
            // verifier and so cannot share one slot.
            Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(refusal))))
        })
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
