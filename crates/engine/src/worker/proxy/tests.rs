use super::*;
use tokio::net::TcpListener;

#[test]
fn an_address_is_read_and_its_password_kept_apart() {
    let setting = split_setting("http://me:s%40cret@proxy.test:3128").expect("read");
    assert_eq!(setting.url, "http://me@proxy.test:3128");
    assert_eq!(setting.password.as_deref(), Some("s@cret"));
    let proxy = Proxy::parse(&setting.url, setting.password).expect("read");
    assert!(proxy.kind == Kind::Http && proxy.port == 3128);
    assert_eq!(proxy.user.as_deref(), Some("me"));
    assert!(!format!("{proxy:?}").contains("cret"), "Debug leaves the password out");
    let socks = split_setting("socks5://[::1]:1080").expect("read");
    assert_eq!((socks.url.as_str(), socks.password), ("socks5://[::1]:1080", None));
    for bad in ["proxy.test:3128", "ftp://proxy.test:21", "http://proxy.test", "http://:80"] {
        assert!(split_setting(bad).is_err(), "{bad}");
    }
    let refused = split_setting("gopher://me:hunter2@x:1").expect_err("refused");
    assert!(!refused.contains("hunter2"), "{refused}");
    assert_eq!(redact("http://me:hunter2@x:1"), "http://me:…@x:1");
    assert_eq!(redact("http://me@x:1"), "http://me@x:1");
}

/// A proxy over loopback that answers with `answer` and records what it was asked.
async fn proxy_answering(answer: &'static [u8]) -> (u16, tokio::task::JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bound");
    let port = listener.local_addr().expect("address").port();
    let task = tokio::spawn(async move {
        let (mut tcp, _) = listener.accept().await.expect("accepted");
        let mut asked = vec![0u8; 1024];
        let n = tcp.read(&mut asked).await.expect("read");
        asked.truncate(n);
        tcp.write_all(answer).await.expect("answered");
        asked
    });
    (port, task)
}

#[tokio::test]
async fn http_connect_asks_for_the_target_with_basic_credentials() {
    let (port, asked) = proxy_answering(b"HTTP/1.1 200 Connection established\r\n\r\n").await;
    let proxy =
        Proxy::parse(&format!("http://me@127.0.0.1:{port}"), Some("pw".into())).expect("read");
    proxy.connect("confab.test", 5222).await.expect("tunnel");
    let asked = String::from_utf8(asked.await.expect("proxy")).expect("text");
    assert!(asked.starts_with("CONNECT confab.test:5222 HTTP/1.1\r\n"), "{asked}");
    assert!(asked.contains("Proxy-Authorization: Basic bWU6cHc=\r\n"), "{asked}");
}

#[tokio::test]
async fn a_proxy_that_wants_credentials_or_refuses_says_so() {
    let (port, _) = proxy_answering(b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n").await;
    let proxy = Proxy::parse(&format!("http://127.0.0.1:{port}"), None).expect("read");
    let error = proxy.connect("confab.test", 5222).await.expect_err("refused");
    assert!(error.to_string().contains("user name and password"), "{error}");
    assert!(!error.is_transient(), "retrying cannot help: {error}");

    let (port, _) = proxy_answering(b"HTTP/1.1 403 Forbidden\r\n\r\n").await;
    let proxy = Proxy::parse(&format!("http://127.0.0.1:{port}"), None).expect("read");
    let error = proxy.connect("confab.test", 5222).await.expect_err("refused");
    assert!(error.to_string().contains("403 Forbidden"), "{error}");
}

#[tokio::test]
async fn an_endless_answer_to_connect_is_cut_short() {
    static ENDLESS: [u8; 16 * 1024] = [b'a'; 16 * 1024];
    let (port, _) = proxy_answering(&ENDLESS).await;
    let proxy = Proxy::parse(&format!("http://127.0.0.1:{port}"), None).expect("read");
    let error = proxy.connect("confab.test", 5222).await.expect_err("refused");
    assert!(error.to_string().contains("never ended"), "{error}");
}

#[tokio::test]
async fn socks5_logs_in_and_connects_by_name() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bound");
    let port = listener.local_addr().expect("address").port();
    let serve = tokio::spawn(async move {
        let (mut tcp, _) = listener.accept().await.expect("accepted");
        let mut greeting = [0u8; 4];
        tcp.read_exact(&mut greeting).await.expect("greeting");
        tcp.write_all(&[5, 2]).await.expect("chose login");
        let mut login = [0u8; 7];
        tcp.read_exact(&mut login).await.expect("login");
        tcp.write_all(&[1, 0]).await.expect("accepted login");
        let mut request = [0u8; 5 + 11 + 2];
        tcp.read_exact(&mut request).await.expect("request");
        tcp.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0x14, 0x66]).await.expect("connected");
        (greeting, login, request)
    });
    let proxy =
        Proxy::parse(&format!("socks5://me@127.0.0.1:{port}"), Some("pw".into())).expect("read");
    proxy.connect("confab.test", 5222).await.expect("tunnel");
    let (greeting, login, request) = serve.await.expect("proxy");
    assert_eq!(greeting, [5, 2, 0, 2]);
    assert_eq!(login, [1, 2, b'm', b'e', 2, b'p', b'w']);
    assert_eq!(&request[..5], [5, 1, 0, 3, 11]);
    assert_eq!(&request[5..16], b"confab.test");
    assert_eq!(&request[16..], 5222u16.to_be_bytes());
}
