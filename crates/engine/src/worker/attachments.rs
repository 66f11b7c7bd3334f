//! Which messages carry a file, and what to call it: pure functions over what a message says,
//! so the rules are tested without a server.

use crate::media::safe_file_name;
use crate::model::{Attachment, has_image_extension};
use reqwest::Url;

/// The file a message shares: its out-of-band URL (XEP-0066), or, failing that, a body that is
/// nothing but the https address of a picture (how many clients share images). Only http and
/// https addresses count: a `file:` or `javascript:` URL is left as text.
pub fn shared_file(oob_url: Option<&str>, body: &str) -> Option<Attachment> {
    if let Some(url) = oob_url.and_then(web_url) {
        return Some(remote(url));
    }
    let body = body.trim();
    if body.contains(char::is_whitespace) {
        return None;
    }
    let url = web_url(body).filter(|url| url.scheme() == "https")?;
    has_image_extension(&name_from_url(&url)).then(|| remote(url))
}

fn web_url(text: &str) -> Option<Url> {
    Url::parse(text.trim()).ok().filter(|url| matches!(url.scheme(), "http" | "https"))
}

fn remote(url: Url) -> Attachment {
    let name = name_from_url(&url);
    Attachment { url: Some(url.to_string()), mime: None, size: None, local: None, name }
}

/// The last segment of the URL's path, decoded and made safe to save under.
fn name_from_url(url: &Url) -> String {
    let last = url.path_segments().and_then(|mut segments| segments.next_back()).unwrap_or("");
    let decoded = percent_encoding::percent_decode_str(last).decode_utf8_lossy();
    safe_file_name(&decoded)
}

/// The media type an upload is announced with, from the file's extension; the upload service
/// serves the file back with it, so a wrong guess only costs a generic type.
pub fn mime_for_name(name: &str) -> &'static str {
    let extension = name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase());
    match extension.as_deref() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("pdf") => "application/pdf",
        Some("txt") => "text/plain",
        Some("mp4") => "video/mp4",
        Some("webm") => "video/webm",
        Some("mp3") => "audio/mpeg",
        Some("ogg" | "oga" | "opus") => "audio/ogg",
        Some("m4a") => "audio/mp4",
        Some("zip") => "application/zip",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_band_data_names_the_file() {
        let file = shared_file(Some("https://up.example/a1/holiday%20photo.jpg"), "look!")
            .expect("an attachment");
        assert_eq!(file.url.as_deref(), Some("https://up.example/a1/holiday%20photo.jpg"));
        assert_eq!(file.name, "holiday photo.jpg");
        assert!(file.is_image());
    }

    #[test]
    fn a_bare_https_image_address_is_a_picture() {
        let file = shared_file(None, " https://up.example/x/cat.PNG ").expect("a picture");
        assert_eq!(file.name, "cat.PNG");
    }

    #[test]
    fn other_links_and_sentences_stay_text() {
        assert_eq!(shared_file(None, "https://example.org/page.html"), None);
        assert_eq!(shared_file(None, "see https://up.example/x/cat.png"), None);
        assert_eq!(shared_file(None, "http://up.example/x/cat.png"), None);
        assert_eq!(shared_file(Some("file:///etc/passwd"), "hi"), None);
        assert_eq!(shared_file(Some("javascript:alert(1)"), "hi"), None);
    }

    #[test]
    fn hostile_names_in_urls_are_made_safe() {
        let file = shared_file(Some("https://up.example/x/..%2F..%2F.bashrc"), "").expect("file");
        assert_eq!(file.name, "bashrc");
        let file = shared_file(Some("https://up.example/x/CON"), "").expect("file");
        assert_eq!(file.name, "_CON");
        let file = shared_file(Some("https://up.example/"), "").expect("file");
        assert_eq!(file.name, "download");
    }

    #[test]
    fn media_types_follow_the_extension() {
        assert_eq!(mime_for_name("a.JPG"), "image/jpeg");
        assert_eq!(mime_for_name("notes"), "application/octet-stream");
    }
}
