//! The `tls-server-end-point` channel binding (RFC 5929 §4.1): a hash of the server's
//! certificate, by the hash its signature uses, except that MD5 and SHA-1 become SHA-256. Only
//! the signature's algorithm is read from the certificate, by walking three DER headers; a
//! certificate we cannot read that far, or one signed another way (RSA-PSS, Ed25519, whose
//! hash RFC 5929 leaves open), is hashed with SHA-256, as Prosody and OpenSSL-based servers do.

use sha2::{Digest, Sha256, Sha384, Sha512};

/// The DER of the signature algorithms that name SHA-384 or SHA-512.
const SHA384_SIGNATURES: [&[u8]; 2] = [
    &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0C], // sha384WithRSAEncryption
    &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03],       // ecdsa-with-SHA384
];
const SHA512_SIGNATURES: [&[u8]; 2] = [
    &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0D], // sha512WithRSAEncryption
    &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x04],       // ecdsa-with-SHA512
];

const SEQUENCE: u8 = 0x30;
const OBJECT_IDENTIFIER: u8 = 0x06;

/// The binding data for a certificate in DER.
pub fn end_point_hash(certificate: &[u8]) -> Vec<u8> {
    match signature_algorithm(certificate) {
        Some(oid) if SHA384_SIGNATURES.contains(&oid) => Sha384::digest(certificate).to_vec(),
        Some(oid) if SHA512_SIGNATURES.contains(&oid) => Sha512::digest(certificate).to_vec(),
        _ => Sha256::digest(certificate).to_vec(),
    }
}

/// `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm SEQUENCE { OID, ... }, ... }`
fn signature_algorithm(certificate: &[u8]) -> Option<&[u8]> {
    let (SEQUENCE, certificate, _) = element(certificate)? else { return None };
    let (SEQUENCE, _to_be_signed, rest) = element(certificate)? else { return None };
    let (SEQUENCE, algorithm, _) = element(rest)? else { return None };
    let (OBJECT_IDENTIFIER, oid, _) = element(algorithm)? else { return None };
    Some(oid)
}

/// One DER element: its tag, its contents, and what follows it.
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (length, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7F);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let (bytes, rest) = rest.split_at(count);
        (bytes.iter().fold(0usize, |length, byte| length << 8 | usize::from(*byte)), rest)
    };
    if rest.len() < length {
        return None;
    }
    let (contents, rest) = rest.split_at(length);
    Some((tag, contents, rest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{CertificateParams, KeyPair, PKCS_ECDSA_P256_SHA256, PKCS_ECDSA_P384_SHA384};

    fn certificate(algorithm: &'static rcgen::SignatureAlgorithm) -> Vec<u8> {
        let key = KeyPair::generate_for(algorithm).expect("key");
        let params = CertificateParams::new(vec!["example.org".into()]).expect("params");
        params.self_signed(&key).expect("certificate").der().to_vec()
    }

    #[test]
    fn the_hash_follows_the_certificate_s_signature() {
        let p256 = certificate(&PKCS_ECDSA_P256_SHA256);
        assert_eq!(end_point_hash(&p256), Sha256::digest(&p256).to_vec());
        let p384 = certificate(&PKCS_ECDSA_P384_SHA384);
        assert_eq!(end_point_hash(&p384), Sha384::digest(&p384).to_vec());
    }

    #[test]
    fn a_certificate_that_cannot_be_read_is_hashed_with_sha_256() {
        let p384 = certificate(&PKCS_ECDSA_P384_SHA384);
        for broken in [&p384[..0], &p384[..1], &p384[..40], &[0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]] {
            assert_eq!(end_point_hash(broken), Sha256::digest(broken).to_vec());
        }
        let mut lying = p384.clone();
        lying[0] = 0x31;
        assert_eq!(end_point_hash(&lying), Sha256::digest(&lying).to_vec());
    }
}
