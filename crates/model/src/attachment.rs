//! A file shared in a message: one we send through HTTP File Upload (XEP-0363), or one someone
//! links with out-of-band data (XEP-0066) or as a message that is only an image's address.

use std::path::PathBuf;

/// Extensions shown as pictures; anything else is a file card. The decoder still decides
/// whether the bytes really are a picture.
const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "webp"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Where the file can be fetched; `None` while our own upload has not finished.
    pub url: Option<String>,
    /// A safe base name, for showing and for saving.
    pub name: String,
    /// In bytes, when known (our own files, finished downloads).
    pub size: Option<u64>,
    pub mime: Option<String>,
    /// A copy on this machine: the file we sent, or a finished download.
    pub local: Option<PathBuf>,
}

impl Attachment {
    /// Whether to show a thumbnail rather than a file card.
    pub fn is_image(&self) -> bool {
        if let Some(mime) = &self.mime {
            return mime.starts_with("image/");
        }
        has_image_extension(&self.name)
    }
}

/// Whether a file name ends like a picture Confab decodes.
pub fn has_image_extension(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(_, ext)| {
        IMAGE_EXTENSIONS.iter().any(|known| known.eq_ignore_ascii_case(ext))
    })
}

/// Progress of an upload or a download, as shown under the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transfer {
    Running {
        done: u64,
        total: Option<u64>,
    },
    /// Finished: the attachment as it now is (with its URL, or its local copy).
    Done(Attachment),
    Failed(String),
    Cancelled,
}

/// Human-readable file sizes, in the binary units file managers show.
pub fn format_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if value < 10.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str, mime: Option<&str>) -> Attachment {
        Attachment {
            url: None,
            name: name.into(),
            size: None,
            mime: mime.map(Into::into),
            local: None,
        }
    }

    #[test]
    fn pictures_are_known_by_type_or_extension() {
        assert!(named("cat.JPG", None).is_image());
        assert!(named("x.bin", Some("image/png")).is_image());
        assert!(!named("cat.png", Some("application/pdf")).is_image());
        assert!(!named("notes.txt", None).is_image());
        assert!(!named("png", None).is_image());
    }

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(format_size(0), "0 B");
        assert_eq!(format_size(1023), "1023 B");
        assert_eq!(format_size(1536), "1.5 KiB");
        assert_eq!(format_size(25 * 1024 * 1024), "25 MiB");
        assert_eq!(format_size(3 * 1024 * 1024 * 1024), "3.0 GiB");
    }
}
