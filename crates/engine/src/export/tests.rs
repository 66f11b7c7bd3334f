use super::*;
use crate::model::{Attachment, Delivery, NewMessage};

fn line(body: &str, secs: i64, direction: Direction) -> NewMessage {
    NewMessage {
        chat: ChatId("bob@x".into()),
        kind: MessageKind::Message,
        nick: None,
        direction,
        from: if direction == Direction::In { "bob@x/phone".into() } else { "me@x".into() },
        to: "bob@x".into(),
        body: body.into(),
        timestamp: DateTime::from_timestamp(secs, 0).unwrap_or_default(),
        state: Delivery::Received,
        stanza_id_attr: None,
        origin_id: None,
        server_id: None,
        attachment: None,
        author: Default::default(),
        replaces: None,
        reply: None,
        unstyled: false,
    }
}

/// A store with a hostile line, our answer, a picture we have, and a file we do not have
/// whose address is not a web address.
fn conversation(dir: &Path) -> Store {
    let picture = dir.join("cat.png");
    std::fs::write(&picture, b"\x89PNG not really").expect("written");
    let mut with_picture = line("https://up.x/cat.png", 30, Direction::In);
    with_picture.attachment = Some(Attachment {
        url: Some("https://up.x/cat.png".into()),
        name: "cat.png".into(),
        size: Some(15),
        mime: Some("image/png".into()),
        local: Some(picture),
    });
    let mut elsewhere = line("javascript:alert(2)", 40, Direction::In);
    elsewhere.attachment = Some(Attachment {
        url: Some("javascript:alert(2)".into()),
        name: "x.exe".into(),
        size: None,
        mime: None,
        local: None,
    });
    let mut store = Store::open_in_memory().expect("store");
    let lines = [
        line("<script>alert(1)</script> & \"friends\"", 10, Direction::In),
        line("two\nlines", 20, Direction::Out),
        with_picture,
        elsewhere,
    ];
    store.insert_messages("me@x", &lines).expect("stored");
    store
}

fn run(format: Format) -> (tempfile::TempDir, Exported, String) {
    let dir = tempfile::tempdir().expect("dir");
    let store = conversation(dir.path());
    let into = dir.path().join("exports");
    let chat = ChatId("bob@x".into());
    let request = Request { account: "me@x", chat: &chat, title: "Bob <B>", format, into: &into };
    let exported = export(&store, &request).expect("exported");
    let text = std::fs::read_to_string(&exported.file).expect("readable");
    (dir, exported, text)
}

#[test]
fn json_holds_every_line_in_order_with_the_files_copied() {
    let (_dir, exported, text) = run(Format::Json);
    assert_eq!((exported.messages, exported.files), (4, 1));
    let document: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let bodies: Vec<_> = document["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["body"].clone())
        .collect();
    assert_eq!(bodies[1], "two\nlines");
    assert_eq!(document["messages"][0]["author"], "bob@x");
    assert_eq!(document["messages"][1]["author"], "Me");
    let file = document["messages"][2]["attachment"]["file"].as_str().expect("copied");
    let folder = exported.file.parent().expect("folder");
    assert_eq!(std::fs::read(folder.join(file)).expect("beside it"), b"\x89PNG not really");
}

#[test]
fn the_page_shows_words_as_text_and_links_only_what_is_safe() {
    let (_dir, _, page) = run(Format::Html);
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;friends&quot;"));
    assert!(!page.contains("<script>"));
    assert!(page.contains("<title>Bob &lt;B&gt;</title>"));
    assert!(page.contains("two<br>lines"));
    assert!(page.contains("<img src=\"files/"), "the picture shown from beside the page");
    assert!(!page.contains("href=\"javascript:"), "a file's odd address is not linked");
    assert!(page.trim_end().ends_with("</body></html>"));
}

#[test]
fn text_reads_as_a_conversation() {
    let (_dir, _, text) = run(Format::Text);
    let lines: Vec<_> = text.lines().collect();
    assert_eq!(lines[0], "Bob <B> (bob@x)");
    assert!(lines.iter().any(|l| l.ends_with("bob@x: <script>alert(1)</script> & \"friends\"")));
    assert!(lines.iter().any(|l| l.contains("Me: two")));
    assert!(lines.iter().any(|l| l.contains("[file cat.png: files/")));
}

#[test]
fn formats_are_named_as_on_the_command_line() {
    assert_eq!("json".parse(), Ok(Format::Json));
    assert_eq!("txt".parse(), Ok(Format::Text));
    assert_eq!("html".parse(), Ok(Format::Html));
    assert!("pdf".parse::<Format>().is_err());
}
