use super::*;

fn exchange(client: &mut Client, server_first: &str) -> Result<String, ScramError> {
    client.initial();
    client.response(server_first.as_bytes()).map(|bytes| String::from_utf8_lossy(&bytes).into())
}

#[test]
fn the_rfc_5802_example_logs_in_with_sha_1() {
    let nonce = "fyko+d2lbbFgONRv9qkxdawL";
    let mut client = Client::with_nonce(Hash::Sha1, "user", "pencil", Binding::None, nonce.into());
    assert_eq!(client.initial(), b"n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL");
    let first = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096";
    let last = client.response(first.as_bytes()).expect("client final");
    assert_eq!(
        String::from_utf8_lossy(&last),
        "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="
    );
    assert_eq!(client.verify(b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ="), Ok(()));
}

#[test]
fn the_rfc_7677_example_logs_in_with_sha_256() {
    let nonce = "rOprNGfwEbeRWgbNEkqO";
    let mut client =
        Client::with_nonce(Hash::Sha256, "user", "pencil", Binding::None, nonce.into());
    let first = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,\
                 i=4096";
    assert_eq!(
        exchange(&mut client, first).expect("client final"),
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,\
         p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
    );
    // The server's proof may come as a last challenge, with an empty success after it.
    assert_eq!(client.response(b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="), Ok(vec![]));
    assert_eq!(client.verify(b""), Ok(()));
}

fn sha1_client(binding: Binding) -> Client {
    Client::with_nonce(Hash::Sha1, "user", "pencil", binding, "abc".into())
}

#[test]
fn a_wrong_or_missing_server_proof_or_a_server_error_fails_the_login() {
    let first = "r=abcdef,s=QSXCR+Q6sek8bf92,i=4096";
    let mut client = sha1_client(Binding::None);
    exchange(&mut client, first).expect("client final");
    assert_eq!(client.verify(b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ="), Err(ScramError::WrongSignature));
    let mut client = sha1_client(Binding::None);
    exchange(&mut client, first).expect("client final");
    assert_eq!(client.verify(b""), Err(ScramError::WrongSignature));
    let mut client = sha1_client(Binding::None);
    exchange(&mut client, first).expect("client final");
    let error = client.verify(b"e=channel-bindings-dont-match").expect_err("refused");
    assert_eq!(error.to_string(), "the server reports an error: channel-bindings-dont-match");
    let mut client = sha1_client(Binding::None);
    client.initial();
    assert_eq!(client.verify(b"v=anything"), Err(ScramError::OutOfTurn));
}

#[test]
fn a_server_nonce_that_does_not_extend_ours_is_refused() {
    let stolen = exchange(&mut sha1_client(Binding::None), "r=xyzdef,s=QSXCR+Q6sek8bf92,i=4096");
    assert_eq!(stolen, Err(ScramError::ForeignNonce));
    let bare = exchange(&mut sha1_client(Binding::None), "r=abc,s=QSXCR+Q6sek8bf92,i=4096");
    assert_eq!(bare, Err(ScramError::ForeignNonce));
}

#[test]
fn the_work_a_server_can_ask_for_is_bounded() {
    let greedy =
        exchange(&mut sha1_client(Binding::None), "r=abcd,s=QSXCR+Q6sek8bf92,i=4294967295");
    assert_eq!(greedy, Err(ScramError::TooManyIterations(4_294_967_295)));
    let huge = exchange(&mut sha1_client(Binding::None), "r=abcd,s=QSXCR+Q6sek8bf92,i=99999999999");
    assert_eq!(huge, Err(ScramError::TooManyIterations(99_999_999_999)));
    let none = exchange(&mut sha1_client(Binding::None), "r=abcd,s=QSXCR+Q6sek8bf92,i=0");
    assert_eq!(none, Err(ScramError::Malformed));
}

#[test]
fn malformed_first_messages_and_mandatory_extensions_are_refused() {
    for first in
        ["", "garbage", "s=QSXCR+Q6sek8bf92,r=abcd,i=1", "r=abcd,s=!!,i=1", "r=abcd,s=QQ==,i=x"]
    {
        assert_eq!(exchange(&mut sha1_client(Binding::None), first), Err(ScramError::Malformed));
    }
    let mandatory = exchange(&mut sha1_client(Binding::None), "m=x,r=abcd,s=QQ==,i=1");
    assert_eq!(mandatory, Err(ScramError::MandatoryExtension));
    let mut client = sha1_client(Binding::None);
    assert_eq!(client.response(b"r=abcd,s=QQ==,i=1"), Err(ScramError::OutOfTurn));
}

#[test]
fn the_channel_binding_goes_into_the_header_and_the_final_message() {
    let hash = vec![0xAB; 32];
    let mut client = sha1_client(Binding::EndPoint(hash.clone()));
    assert!(client.initial().starts_with(b"p=tls-server-end-point,,n=user,r=abc"));
    let last = client.response(b"r=abcd,s=QQ==,i=1").expect("client final");
    let mut channel = b"p=tls-server-end-point,,".to_vec();
    channel.extend_from_slice(&hash);
    let expected = format!("c={},r=abcd,p=", BASE64.encode(&channel));
    assert!(String::from_utf8_lossy(&last).starts_with(&expected));
    let mut flagged = sha1_client(Binding::Unsupported);
    assert!(flagged.initial().starts_with(b"y,,"));
    let last = flagged.response(b"r=abcd,s=QQ==,i=1").expect("client final");
    assert!(last.starts_with(b"c=eSws,"), "{}", String::from_utf8_lossy(&last));
}

#[test]
fn user_names_are_escaped_and_passwords_prepared() {
    let mut odd = Client::with_nonce(Hash::Sha1, "a,b=c", "pencil", Binding::None, "n".into());
    assert_eq!(odd.initial(), b"n,,n=a=2Cb=3Dc,r=n");
    // SASLprep maps a soft hyphen to nothing, so both spellings are the same password.
    let proof = |password: &str| {
        let mut client = Client::with_nonce(Hash::Sha1, "u", password, Binding::None, "n".into());
        exchange(&mut client, "r=nn,s=QQ==,i=2").expect("client final")
    };
    assert_eq!(proof("pen\u{00AD}cil"), proof("pencil"));
    assert_ne!(proof("pencil"), proof("pencil!"));
}
