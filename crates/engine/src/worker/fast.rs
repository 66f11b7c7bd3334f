//! FAST (XEP-0484): after one login with the password, the server hands this device a token,
//! and later logins prove they hold it in a single message instead of running SCRAM — one
//! round trip less, and the password is not used at all. The token is a secret like the
//! password and is kept beside it (`secrets`, under `AccountConfig::fast_token_secret`).
//!
//! A token is tied to its mechanism, and Confab asks only for bound ones, so that a token seen
//! by someone in the path is of no use to them: `HT-SHA-256-EXPR`, bound to the TLS 1.3
//! connection (RFC 9266 `tls-exporter`), or over TLS 1.2 `HT-SHA-256-ENDP`, bound to the
//! server's certificate (RFC 5929 `tls-server-end-point`). Where the connection has no binding
//! (BOSH, where each request has its own TLS connection) no token is asked for and the password
//! is used: an unbound token asked for there would replace the bound one for every route.

use super::sasl::TlsBindings;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The mechanisms Confab uses, strongest first.
pub const EXPORTER_BOUND: &str = "HT-SHA-256-EXPR";
pub const CERTIFICATE_BOUND: &str = "HT-SHA-256-ENDP";

/// The longest token we keep; Prosody's are about 60 bytes.
const MAX_TOKEN: usize = 1024;

/// A token the server issued, with the mechanism it is for.
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    pub mechanism: String,
    pub secret: String,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Token({}, [redacted])", self.mechanism)
    }
}

impl Token {
    /// A token from the server's `<token/>`, if it is for a mechanism we use and of sane size.
    pub fn issued(mechanism: &str, secret: &str) -> Option<Token> {
        let known = mechanism == EXPORTER_BOUND || mechanism == CERTIFICATE_BOUND;
        (known && !secret.is_empty() && secret.len() <= MAX_TOKEN)
            .then(|| Token { mechanism: mechanism.into(), secret: secret.into() })
    }

    /// As kept in the secret store: the mechanism, a line break, the token.
    pub fn stored(&self) -> String {
        format!("{}\n{}", self.mechanism, self.secret)
    }

    pub fn from_stored(text: &str) -> Option<Token> {
        let (mechanism, secret) = text.split_once('\n')?;
        Token::issued(mechanism, secret.trim_end())
    }

    /// The channel binding this token's mechanism needs, if this connection gives it.
    pub fn binding(&self, tls: &TlsBindings) -> Option<Vec<u8>> {
        match self.mechanism.as_str() {
            EXPORTER_BOUND => tls.exporter.clone(),
            CERTIFICATE_BOUND => tls.end_point.clone(),
            _ => None,
        }
    }

    /// The login message: the user name, a zero byte, and the proof of holding the token.
    pub fn initial_response(&self, username: &str, binding: &[u8]) -> Vec<u8> {
        let mut message = username.as_bytes().to_vec();
        message.push(0);
        message.extend(self.mac(b"Initiator", binding));
        message
    }

    /// Whether the server's answer proves it knows the token too.
    pub fn server_proof_holds(&self, binding: &[u8], proof: &[u8]) -> bool {
        let mut mac = self.keyed();
        mac.update(b"Responder");
        mac.update(binding);
        mac.verify_slice(proof).is_ok()
    }

    fn mac(&self, label: &[u8], binding: &[u8]) -> Vec<u8> {
        let mut mac = self.keyed();
        mac.update(label);
        mac.update(binding);
        mac.finalize().into_bytes().to_vec()
    }

    fn keyed(&self) -> Hmac<Sha256> {
        // HMAC takes keys of any length, so this cannot fail.
        <Hmac<Sha256> as Mac>::new_from_slice(self.secret.as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
    }
}

/// The mechanism to ask a new token for: the strongest bound one this connection can bind.
pub fn to_request(offered: &[String], tls: &TlsBindings) -> Option<&'static str> {
    [(EXPORTER_BOUND, tls.exporter.is_some()), (CERTIFICATE_BOUND, tls.end_point.is_some())]
        .into_iter()
        .find(|(mechanism, can_bind)| *can_bind && offered.iter().any(|o| o == mechanism))
        .map(|(mechanism, _)| mechanism)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_round_trips_through_the_secret_store_and_stays_out_of_debug_output() {
        let token = Token::issued(EXPORTER_BOUND, "secret-token:fast-abc").expect("a token");
        assert_eq!(Token::from_stored(&token.stored()), Some(token.clone()));
        assert!(!format!("{token:?}").contains("abc"));
    }

    #[test]
    fn unknown_mechanisms_and_oversized_tokens_are_not_kept() {
        assert_eq!(Token::issued("HT-SHA-256-UNIQ", "x"), None);
        assert_eq!(Token::issued("HT-SHA-256-NONE", "x"), None, "unbound tokens are not kept");
        assert_eq!(Token::issued(EXPORTER_BOUND, ""), None);
        assert_eq!(Token::issued(EXPORTER_BOUND, &"x".repeat(MAX_TOKEN + 1)), None);
        assert_eq!(Token::from_stored("garbage"), None);
    }

    #[test]
    fn the_proofs_are_hmacs_of_the_token_over_label_and_binding() {
        let token = Token::issued(EXPORTER_BOUND, "key").expect("a token");
        let message = token.initial_response("alice", b"cb");
        let (user, proof) = message.split_at(6);
        assert_eq!(user, b"alice\0");
        let mut expected = <Hmac<Sha256> as Mac>::new_from_slice(b"key").expect("key");
        expected.update(b"Initiatorcb");
        assert_eq!(proof, expected.finalize().into_bytes().as_slice());
        let mut responder = <Hmac<Sha256> as Mac>::new_from_slice(b"key").expect("key");
        responder.update(b"Respondercb");
        let answer = responder.finalize().into_bytes();
        assert!(token.server_proof_holds(b"cb", &answer));
        assert!(!token.server_proof_holds(b"other", &answer));
    }

    fn tls(exporter: bool, end_point: bool) -> TlsBindings {
        TlsBindings { exporter: exporter.then(|| vec![1]), end_point: end_point.then(|| vec![2]) }
    }

    #[test]
    fn a_token_is_asked_for_only_where_the_connection_binds_it() {
        let all = ["HT-SHA-256-NONE", CERTIFICATE_BOUND, EXPORTER_BOUND].map(String::from);
        assert_eq!(to_request(&all, &tls(true, true)), Some(EXPORTER_BOUND));
        assert_eq!(to_request(&all, &tls(false, true)), Some(CERTIFICATE_BOUND));
        let unbound = tls(false, false);
        assert_eq!(to_request(&all, &unbound), None, "no unbound token to replace the bound one");
        assert_eq!(to_request(&all[..2], &tls(true, false)), None);
        assert_eq!(to_request(&[], &tls(true, true)), None);
    }

    #[test]
    fn a_token_is_used_only_with_the_binding_its_mechanism_names() {
        let exporter = Token::issued(EXPORTER_BOUND, "a").expect("a token");
        let certificate = Token::issued(CERTIFICATE_BOUND, "b").expect("a token");
        assert_eq!(exporter.binding(&tls(true, true)), Some(vec![1]));
        assert_eq!(exporter.binding(&tls(false, true)), None);
        assert_eq!(certificate.binding(&tls(true, true)), Some(vec![2]));
        assert_eq!(certificate.binding(&tls(true, false)), None);
    }
}
