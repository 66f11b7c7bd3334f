//! SCRAM (RFC 5802, RFC 7677) as the client side of a login, written here rather than taken
//! from the `sasl` crate because that one could not do what a login needs:
//!
//! - channel binding to the server's certificate (`tls-server-end-point`, RFC 5929), the only
//!   binding a TLS 1.2 connection under rustls can compute (rustls has no `tls-unique`);
//! - a bound on the work a server can ask for: the iteration count comes from the server, and
//!   PBKDF2 runs on the worker's thread, so a count of four billion would hang the account;
//! - the checks the RFC asks of a client: the server's nonce extends ours, a mandatory
//!   extension we do not know ends the login, and a server-final `e=` is reported as such;
//! - SASLprep of the password and the escaping of `,` and `=` in the user name.

use data_encoding::BASE64;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// The most PBKDF2 iterations a server may ask for: ten times what OWASP advises for SHA-256
/// today (600,000), about a second in a release build.
pub const MAX_ITERATIONS: u32 = 6_000_000;

/// The hash a SCRAM method is built on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    Sha1,
    Sha256,
}

/// What the login binds to the TLS connection (RFC 5802 §6, the GS2 header's flag).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Binding {
    /// `n`: we cannot bind this connection.
    None,
    /// `y`: we could bind, but the server offered no `-PLUS` method; a server that does
    /// support binding sees that its offer was stripped.
    Unsupported,
    /// `p=tls-exporter` (RFC 9266): keying material of this TLS 1.3 connection.
    Exporter(Vec<u8>),
    /// `p=tls-server-end-point` (RFC 5929 §4): a hash of the server's certificate.
    EndPoint(Vec<u8>),
}

impl Binding {
    fn gs2_header(&self) -> &'static str {
        match self {
            Binding::None => "n,,",
            Binding::Unsupported => "y,,",
            Binding::Exporter(_) => "p=tls-exporter,,",
            Binding::EndPoint(_) => "p=tls-server-end-point,,",
        }
    }

    fn data(&self) -> &[u8] {
        match self {
            Binding::None | Binding::Unsupported => &[],
            Binding::Exporter(data) | Binding::EndPoint(data) => data,
        }
    }

    /// The binding type's name (XEP-0440) where the channel is bound.
    pub fn type_name(&self) -> Option<&'static str> {
        match self {
            Binding::None | Binding::Unsupported => None,
            Binding::Exporter(_) => Some("tls-exporter"),
            Binding::EndPoint(_) => Some("tls-server-end-point"),
        }
    }
}

/// Why the server's side of the exchange cannot be accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScramError {
    #[error("its first message is not SCRAM")]
    Malformed,
    #[error("it requires an extension Confab does not know")]
    MandatoryExtension,
    #[error("its nonce does not extend ours")]
    ForeignNonce,
    #[error("it asks for {0} iterations, more than the {MAX_ITERATIONS} Confab allows")]
    TooManyIterations(u64),
    #[error("the server reports an error: {0}")]
    ServerError(String),
    #[error("its signature is wrong")]
    WrongSignature,
    #[error("it sent a message out of turn")]
    OutOfTurn,
}

enum State {
    Initial,
    /// The client-first message without its GS2 header, part of what both sides sign.
    SentFirst {
        bare: String,
    },
    /// The signature the server must answer with.
    SentFinal {
        server_signature: Vec<u8>,
    },
    Verified,
}

/// One SCRAM login, from the first message to the server's proof.
pub struct Client {
    hash: Hash,
    username: String,
    password: String,
    nonce: String,
    binding: Binding,
    state: State,
}

impl Client {
    pub fn new(hash: Hash, username: &str, password: &str, binding: Binding) -> Client {
        Client::with_nonce(hash, username, password, binding, fresh_nonce())
    }

    fn with_nonce(
        hash: Hash,
        username: &str,
        password: &str,
        binding: Binding,
        nonce: String,
    ) -> Client {
        let password = stringprep::saslprep(password).map_or_else(|_| password.into(), Into::into);
        let username = username.replace('=', "=3D").replace(',', "=2C");
        Client { hash, username, password, nonce, binding, state: State::Initial }
    }

    /// The client-first message.
    pub fn initial(&mut self) -> Vec<u8> {
        let bare = format!("n={},r={}", self.username, self.nonce);
        let message = format!("{}{bare}", self.binding.gs2_header());
        self.state = State::SentFirst { bare };
        message.into_bytes()
    }

    /// The answer to a challenge: the client-final message to the server-first one, and
    /// nothing to a server-final one sent as a challenge (RFC 6120 §6.3.10 allows both).
    pub fn response(&mut self, challenge: &[u8]) -> Result<Vec<u8>, ScramError> {
        match std::mem::replace(&mut self.state, State::Initial) {
            State::SentFirst { bare } => self.client_final(&bare, challenge),
            State::SentFinal { server_signature } => {
                check_server_final(&server_signature, challenge)?;
                self.state = State::Verified;
                Ok(Vec::new())
            }
            State::Initial | State::Verified => Err(ScramError::OutOfTurn),
        }
    }

    /// Check the server's proof that it knows the password, sent with its success.
    pub fn verify(&mut self, data: &[u8]) -> Result<(), ScramError> {
        match std::mem::replace(&mut self.state, State::Verified) {
            State::SentFinal { server_signature } => check_server_final(&server_signature, data),
            State::Verified if data.is_empty() => Ok(()),
            _ => Err(ScramError::OutOfTurn),
        }
    }

    fn client_final(&mut self, bare: &str, server_first: &[u8]) -> Result<Vec<u8>, ScramError> {
        let text = std::str::from_utf8(server_first).map_err(|_| ScramError::Malformed)?;
        let first = ServerFirst::parse(text)?;
        if !first.nonce.starts_with(&self.nonce) || first.nonce.len() == self.nonce.len() {
            return Err(ScramError::ForeignNonce);
        }
        let mut channel = self.binding.gs2_header().as_bytes().to_vec();
        channel.extend_from_slice(self.binding.data());
        let without_proof = format!("c={},r={}", BASE64.encode(&channel), first.nonce);
        let auth_message = format!("{bare},{text},{without_proof}");
        let salted = self.hash.salted_password(&self.password, &first.salt, first.iterations);
        let client_key = self.hash.hmac(&salted, b"Client Key");
        let stored_key = self.hash.digest(&client_key);
        let client_signature = self.hash.hmac(&stored_key, auth_message.as_bytes());
        let proof: Vec<u8> =
            client_key.iter().zip(&client_signature).map(|(key, sig)| key ^ sig).collect();
        let server_key = self.hash.hmac(&salted, b"Server Key");
        let server_signature = self.hash.hmac(&server_key, auth_message.as_bytes());
        self.state = State::SentFinal { server_signature };
        Ok(format!("{without_proof},p={}", BASE64.encode(&proof)).into_bytes())
    }
}

/// The server-first message's fields.
struct ServerFirst {
    nonce: String,
    salt: Vec<u8>,
    iterations: u32,
}

impl ServerFirst {
    fn parse(text: &str) -> Result<ServerFirst, ScramError> {
        if text.starts_with("m=") {
            return Err(ScramError::MandatoryExtension);
        }
        let mut fields = text.split(',');
        let mut field = |name: &str| {
            fields.next().and_then(|f| f.strip_prefix(name)).ok_or(ScramError::Malformed)
        };
        let nonce = field("r=")?;
        let salt = BASE64.decode(field("s=")?.as_bytes()).map_err(|_| ScramError::Malformed)?;
        let iterations: u64 = field("i=")?.parse().map_err(|_| ScramError::Malformed)?;
        if iterations > u64::from(MAX_ITERATIONS) {
            return Err(ScramError::TooManyIterations(iterations));
        }
        let printable = |c: char| c.is_ascii_graphic() && c != ',';
        if nonce.is_empty() || !nonce.chars().all(printable) || iterations == 0 {
            return Err(ScramError::Malformed);
        }
        Ok(ServerFirst { nonce: nonce.to_owned(), salt, iterations: iterations as u32 })
    }
}

fn check_server_final(expected: &[u8], message: &[u8]) -> Result<(), ScramError> {
    let text = String::from_utf8_lossy(message);
    let first = text.split(',').next().unwrap_or_default();
    if let Some(error) = first.strip_prefix("e=") {
        return Err(ScramError::ServerError(error.chars().take(100).collect()));
    }
    let signature = first.strip_prefix("v=").and_then(|v| BASE64.decode(v.as_bytes()).ok());
    match signature {
        Some(signature) if signature == expected => Ok(()),
        _ => Err(ScramError::WrongSignature),
    }
}

impl Hash {
    fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        // HMAC takes a key of any length, so the key is never refused.
        let mac = match self {
            Hash::Sha1 => Hmac::<Sha1>::new_from_slice(key)
                .map(|mac| mac.chain_update(data).finalize().into_bytes().to_vec()),
            Hash::Sha256 => Hmac::<Sha256>::new_from_slice(key)
                .map(|mac| mac.chain_update(data).finalize().into_bytes().to_vec()),
        };
        mac.unwrap_or_default()
    }

    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha1 => Sha1::digest(data).to_vec(),
            Hash::Sha256 => Sha256::digest(data).to_vec(),
        }
    }

    /// RFC 5802's `Hi()`, which is PBKDF2 with one block of the hash's length.
    fn salted_password(self, password: &str, salt: &[u8], iterations: u32) -> Vec<u8> {
        let password = password.as_bytes();
        match self {
            Hash::Sha1 => {
                pbkdf2::pbkdf2_hmac_array::<Sha1, 20>(password, salt, iterations).to_vec()
            }
            Hash::Sha256 => {
                pbkdf2::pbkdf2_hmac_array::<Sha256, 32>(password, salt, iterations).to_vec()
            }
        }
    }
}

/// 122 random bits as 32 hex digits: printable and without commas, as RFC 5802 asks.
fn fresh_nonce() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

#[cfg(test)]
mod tests;
