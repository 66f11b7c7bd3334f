//! File names chosen by someone else (a sender's XEP-0446 file metadata, the end of a download
//! URL) made safe to save under in the downloads folder: no directories, nothing hidden,
//! nothing a file system refuses or treats as a device, and nothing that makes the name read
//! differently from what it is. Also which received files open without asking.
//!
//! That rule is an allow-list: only pictures, sound, video, PDF and plain text open at once,
//! the kinds whose usual applications show them and run nothing. Any other ending may run a
//! program or a script (`.exe`, `.desktop`, `.jar`, `.ps1`), open in a browser with scripts
//! (`.html`, `.svg`, `.mht`), mount or install something (`.iso`, `.dmg`, `.deb`) or point
//! elsewhere (`.url`, `.lnk`, `.webloc`); a list of those is never complete, so the user is
//! asked before any of them opens. SVG is left out on purpose: it is opened by browsers.

/// The longest name kept, in bytes. Most file systems allow 255 bytes per name; staying below
/// leaves room for the " (2)" a caller adds when the name is taken.
const MAX_NAME_BYTES: usize = 200;

/// The longest ending still treated as an extension and kept when a name is shortened
/// (".webmanifest" is 12); a longer "extension" is just part of the name.
const MAX_EXTENSION_BYTES: usize = 16;

/// What a name becomes when nothing usable is left of it.
const FALLBACK_NAME: &str = "download";

/// Pictures that open without asking (not SVG, which browsers open with its scripts).
const PICTURES: &[&str] =
    &["png", "jpg", "jpeg", "gif", "webp", "bmp", "avif", "heic", "heif", "tif", "tiff"];
/// Sound that opens without asking.
const SOUND: &[&str] = &["mp3", "ogg", "oga", "opus", "flac", "wav", "m4a", "aac", "weba"];
/// Video that opens without asking.
const VIDEO: &[&str] = &["mp4", "m4v", "webm", "mkv", "mov", "avi", "ogv"];
/// Documents whose usual viewers run nothing in them.
const DOCUMENTS: &[&str] = &["pdf", "txt"];

/// Whether a received file named so may be opened at once: its last ending is on the
/// allow-list. A name without an ending, or with any other, is asked about first.
pub fn opens_without_asking(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty()
            && [PICTURES, SOUND, VIDEO, DOCUMENTS]
                .iter()
                .any(|kind| kind.iter().any(|safe| safe.eq_ignore_ascii_case(ext)))
    })
}

/// A file name safe to create in a directory of our choosing, from an untrusted one.
///
/// Keeps only the last path component (after `/` or `\`); drops control characters and the
/// Unicode bidirectional controls that make "photo\u{202E}gpj.exe" display as "photoexe.jpg";
/// strips leading dots and white space (no hidden files) and trailing dots and spaces (which
/// Windows silently drops); turns the characters Windows forbids (`:*?"<>|`) into `_`;
/// prefixes `_` to names Windows reserves for devices (CON, NUL, COM1, `con.txt`…); shortens
/// to 200 bytes keeping the extension; and falls back to "download" when nothing is left.
pub fn safe_file_name(untrusted: &str) -> String {
    let last = untrusted.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|&c| !c.is_control() && !is_bidi_control(c))
        .map(|c| if is_forbidden_on_windows(c) { '_' } else { c })
        .collect();
    let trimmed = trim_end(cleaned.trim_start_matches(|c: char| c == '.' || c.is_whitespace()));
    if trimmed.is_empty() {
        return FALLBACK_NAME.to_string();
    }
    let name =
        if is_reserved_on_windows(trimmed) { format!("_{trimmed}") } else { trimmed.to_string() };
    trim_end(&shorten(&name)).to_string()
}

/// Unicode bidirectional formatting characters: embeddings and overrides (U+202A–U+202E),
/// isolates (U+2066–U+2069) and the implicit marks (U+200E, U+200F, U+061C).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Characters Windows refuses in file names (besides the separators and control characters
/// already gone).
fn is_forbidden_on_windows(c: char) -> bool {
    matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|')
}

/// Trailing dots and spaces, which Windows drops, so "evil.exe." would run as "evil.exe".
fn trim_end(name: &str) -> &str {
    name.trim_end_matches(['.', ' '])
}

/// Whether Windows takes this name for a device, whatever the extension ("nul.txt" is NUL)
/// and ignoring spaces before it. COM and LPT with superscript digits count too.
fn is_reserved_on_windows(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or_default().trim_end_matches(' ');
    let upper = stem.to_uppercase();
    match upper.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" => true,
        _ => {
            let mut chars = upper.chars();
            let prefix: String = chars.by_ref().take(3).collect();
            let digit = chars.next();
            (prefix == "COM" || prefix == "LPT")
                && matches!(digit, Some('0'..='9' | '¹' | '²' | '³'))
                && chars.next().is_none()
        }
    }
}

/// At most [`MAX_NAME_BYTES`], cut on a character boundary, keeping a short extension whole.
fn shorten(name: &str) -> String {
    if name.len() <= MAX_NAME_BYTES {
        return name.to_string();
    }
    let extension = match name.rfind('.') {
        Some(dot) if dot > 0 && name.len() - dot <= MAX_EXTENSION_BYTES => &name[dot..],
        _ => "",
    };
    let stem = &name[..name.len() - extension.len()];
    let mut end = MAX_NAME_BYTES - extension.len();
    while !stem.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{extension}", &stem[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_safe_kinds_open_without_asking() {
        for name in ["cat.JPG", "song.mp3", "clip.webm", "report.pdf", "notes.txt", "a.b.png"] {
            assert!(opens_without_asking(name), "{name}");
        }
        let asked = [
            "setup.exe",
            "install.sh",
            "Firefox.desktop",
            "link.url",
            "page.html",
            "page.htm",
            "page.xhtml",
            "drawing.svg",
            "disk.iso",
            "disk.img",
            "short.lnk",
            "saver.scr",
            "app.hta",
            "app.jar",
            "app.AppImage",
            "pkg.deb",
            "pkg.rpm",
            "setup.msi",
            "run.ps1",
            "run.vbs",
            "run.js",
            "archive.mht",
            "place.webloc",
            "run.command",
            "disk.dmg",
            "setup.pkg",
            "photo.jpg.exe",
            "macro.docm",
            "table.csv",
            "unknown.xyz",
        ];
        for name in asked {
            assert!(!opens_without_asking(name), "{name}");
        }
        for name in ["README", "jpg", ".png", "photo.", ""] {
            assert!(!opens_without_asking(name), "no ending: {name:?}");
        }
    }

    #[test]
    fn ordinary_names_are_kept() {
        assert_eq!(safe_file_name("holiday photo.jpg"), "holiday photo.jpg");
        assert_eq!(safe_file_name("archive.tar.gz"), "archive.tar.gz");
        assert_eq!(safe_file_name("Grüße – 日本語.pdf"), "Grüße – 日本語.pdf");
        assert_eq!(safe_file_name("console.log"), "console.log");
        assert_eq!(safe_file_name("COM10.txt"), "COM10.txt");
    }

    #[test]
    fn only_the_last_path_component_is_kept() {
        assert_eq!(safe_file_name("../../.bashrc"), "bashrc");
        assert_eq!(safe_file_name("/etc/passwd"), "passwd");
        assert_eq!(safe_file_name("C:\\Windows\\evil.exe"), "evil.exe");
        assert_eq!(safe_file_name("..\\..\\startup\\run.bat"), "run.bat");
        assert_eq!(safe_file_name("https://example.org/files/report.pdf"), "report.pdf");
        assert_eq!(safe_file_name("dir/"), FALLBACK_NAME);
    }

    #[test]
    fn bidi_controls_cannot_disguise_the_extension() {
        assert_eq!(safe_file_name("photo\u{202E}gpj.exe"), "photogpj.exe");
        assert_eq!(
            safe_file_name("a\u{2066}b\u{2069}c\u{200E}d\u{200F}e\u{061C}.txt"),
            "abcde.txt"
        );
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(safe_file_name("new\nline\t.txt\0"), "newline.txt");
        assert_eq!(safe_file_name("bell\u{7}\u{1b}[31m.txt"), "bell[31m.txt");
        assert_eq!(safe_file_name("c1\u{85}\u{9b}.txt"), "c1.txt");
    }

    #[test]
    fn hidden_and_windows_trimmed_names_are_trimmed() {
        assert_eq!(safe_file_name(".hidden"), "hidden");
        assert_eq!(safe_file_name(" .profile"), "profile");
        assert_eq!(safe_file_name("evil.exe. . "), "evil.exe");
        assert_eq!(safe_file_name("..."), FALLBACK_NAME);
        assert_eq!(safe_file_name(".."), FALLBACK_NAME);
        assert_eq!(safe_file_name(""), FALLBACK_NAME);
        assert_eq!(safe_file_name("\u{202E}\u{0}"), FALLBACK_NAME);
    }

    #[test]
    fn characters_windows_forbids_are_replaced() {
        assert_eq!(safe_file_name("C:evil.exe"), "C_evil.exe");
        assert_eq!(
            safe_file_name("what? *really* <yes> \"no\" a|b.txt"),
            "what_ _really_ _yes_ _no_ a_b.txt"
        );
    }

    #[test]
    fn windows_device_names_are_prefixed() {
        for name in
            ["CON", "con", "Prn", "aux", "NUL", "COM1", "com9", "LPT1", "lpt9", "COM¹", "LPT³"]
        {
            assert_eq!(safe_file_name(name), format!("_{name}"), "{name}");
        }
        assert_eq!(safe_file_name("con.txt"), "_con.txt");
        assert_eq!(safe_file_name("NUL.tar.gz"), "_NUL.tar.gz");
        assert_eq!(safe_file_name("aux .txt"), "_aux .txt");
        assert_eq!(safe_file_name("CON."), "_CON");
    }

    #[test]
    fn long_names_are_shortened_keeping_the_extension() {
        let long = format!("{}.jpeg", "a".repeat(300));
        let short = safe_file_name(&long);
        assert_eq!(short.len(), MAX_NAME_BYTES);
        assert!(short.ends_with("a.jpeg"), "{short}");

        // Multi-byte characters are never cut in half.
        let long = format!("{}.txt", "é".repeat(150));
        let short = safe_file_name(&long);
        assert!(short.len() <= MAX_NAME_BYTES);
        assert!(short.ends_with("é.txt"), "{short}");

        // A long ending is not an extension: the name is simply cut.
        let long = format!("a.{}", "b".repeat(300));
        assert_eq!(safe_file_name(&long), format!("a.{}", "b".repeat(MAX_NAME_BYTES - 2)));

        // No trailing dot or space is left at the cut.
        let long = format!("{}{}", "a".repeat(MAX_NAME_BYTES - 1), " ".repeat(50) + "z");
        assert_eq!(safe_file_name(&long), "a".repeat(MAX_NAME_BYTES - 1));
    }
}
