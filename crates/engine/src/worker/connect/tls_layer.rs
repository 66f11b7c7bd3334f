//! What the connector asks of TLS: the STARTTLS upgrade (RFC 6120 §5), the version agreed,
//! for the route shown to the user, and the channel bindings the connection gives: TLS 1.3's
//! exporter (RFC 9266) and the hash of the server's certificate (RFC 5929).

use super::certificate_hash::end_point_hash;
use super::splice::Splice;
use super::unreachable;
use crate::model::ConnectError;
use crate::worker::sasl::TlsBindings;
use crate::worker::xml_guard::Guarded;
use futures::{SinkExt, StreamExt};
use tokio::io::BufStream;
use tokio::net::TcpStream;
use tokio_xmpp::parsers::starttls;
use tokio_xmpp::xmlstream::{ReadError, XmppStream, XmppStreamElement};

/// RFC 6120 §5.4: ask for TLS and wait for `<proceed/>`, then hand back the raw socket.
pub(super) async fn starttls_upgrade(
    mut stream: XmppStream<Splice<BufStream<Guarded<TcpStream>>>>,
) -> Result<TcpStream, ConnectError> {
    stream
        .send(&XmppStreamElement::Starttls(starttls::Nonza::Request(starttls::Request)))
        .await
        .map_err(|e| unreachable(&e))?;
    loop {
        match stream.next().await.map(|v| v.and_then(|v| v.into_read_error())) {
            Some(Ok(XmppStreamElement::Starttls(starttls::Nonza::Proceed(_)))) => break,
            Some(Ok(_)) | Some(Err(ReadError::SoftTimeout)) => {}
            Some(Err(ReadError::HardError(e))) => return Err(unreachable(&e)),
            Some(Err(ReadError::ParseError(e))) => return Err(ConnectError::Other(e.to_string())),
            Some(Err(ReadError::StreamFooterReceived)) | None => {
                return Err(ConnectError::Unreachable("the server closed the connection".into()));
            }
        }
    }
    Ok(stream.into_inner().into_inner().into_inner().into_inner())
}

pub(super) fn tls_version(stream: &tokio_rustls::client::TlsStream<TcpStream>) -> String {
    use tokio_rustls::rustls::ProtocolVersion;
    match stream.get_ref().1.protocol_version() {
        Some(ProtocolVersion::TLSv1_3) => "TLS 1.3".into(),
        Some(ProtocolVersion::TLSv1_2) => "TLS 1.2".into(),
        Some(other) => format!("{other:?}"),
        None => "TLS".into(),
    }
}

/// What a login over this connection can be bound to.
pub(super) fn tls_bindings(stream: &tokio_rustls::client::TlsStream<TcpStream>) -> TlsBindings {
    use tokio_rustls::rustls::ProtocolVersion;
    let (_, connection) = stream.get_ref();
    let exporter = (connection.protocol_version() == Some(ProtocolVersion::TLSv1_3))
        .then(|| {
            let label = b"EXPORTER-Channel-Binding";
            connection.export_keying_material(vec![0u8; 32], label, None).ok()
        })
        .flatten();
    let server_certificate = connection.peer_certificates().and_then(|chain| chain.first());
    let end_point = server_certificate.map(|der| end_point_hash(der));
    TlsBindings { exporter, end_point }
}
