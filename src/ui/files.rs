//! Files the user hands to Confab or takes from it, off the UI thread: chosen in the platform's
//! dialog, saved elsewhere, or a picture pasted from the clipboard (written as a PNG into a
//! private folder of the system's temporary directory, for the worker to copy).

use std::path::{Path, PathBuf};

/// A picture taken from the clipboard, waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pasted {
    pub path: PathBuf,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
}

/// No file dialog can be shown on this desktop: on Linux the dialog is asked of the desktop
/// portal, or of `zenity` without one, and with neither it fails without a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoDialog;

impl std::fmt::Display for NoDialog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "No file dialog is available on this desktop (it needs xdg-desktop-portal or zenity)",
        )
    }
}

/// Ask for files to send with the platform's dialog (none when it is closed).
pub async fn choose_files() -> Result<Vec<PathBuf>, NoDialog> {
    if !dialog_available().await {
        return Err(NoDialog);
    }
    let chosen = rfd::AsyncFileDialog::new().set_title("Send files").pick_files().await;
    Ok(chosen.unwrap_or_default().iter().map(|file| file.path().to_path_buf()).collect())
}

/// Whether the platform's file dialog can be shown. Windows and macOS always have one.
#[cfg(all(unix, not(target_os = "macos")))]
pub async fn dialog_available() -> bool {
    in_path("zenity") || portal_on_bus().await
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
pub async fn dialog_available() -> bool {
    true
}

/// The desktop portal, running or ready to be started by the session bus.
#[cfg(all(unix, not(target_os = "macos")))]
async fn portal_on_bus() -> bool {
    const PORTAL: &str = "org.freedesktop.portal.Desktop";
    let Ok(bus) = zbus::Connection::session().await else { return false };
    let Ok(dbus) = zbus::fdo::DBusProxy::new(&bus).await else { return false };
    let Ok(name) = zbus::names::BusName::try_from(PORTAL) else { return false };
    if dbus.name_has_owner(name).await.unwrap_or(false) {
        return true;
    }
    dbus.list_activatable_names().await.is_ok_and(|names| names.iter().any(|n| *n == PORTAL))
}

#[cfg(all(unix, not(target_os = "macos")))]
fn in_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// What the user typed as a file's path: `~/` is their home folder, as in a shell.
pub fn typed_path(typed: &str) -> Option<PathBuf> {
    let typed = typed.trim();
    if typed.is_empty() {
        return None;
    }
    let home = || directories::BaseDirs::new().map(|dirs| dirs.home_dir().to_path_buf());
    match typed.strip_prefix("~/").and_then(|rest| Some(home()?.join(rest))) {
        Some(in_home) => Some(in_home),
        None => Some(PathBuf::from(typed)),
    }
}

/// Ask where to save a copy of `from`, suggesting `name`, and copy it there. `None` when the
/// dialog was closed.
pub async fn save_copy(from: PathBuf, name: String) -> Result<Option<PathBuf>, String> {
    let dialog = rfd::AsyncFileDialog::new().set_title("Save").set_file_name(&name);
    let Some(target) = dialog.save_file().await else { return Ok(None) };
    let target = target.path().to_path_buf();
    copy_as_new(&from, &target)
        .await
        .map_err(|e| format!("Could not save {name} as {}: {e}", target.display()))?;
    Ok(Some(target))
}

/// Copies `from`'s bytes to a file made as the user's other files are (umask), not with the
/// private mode of Confab's own copy, which `fs::copy` would carry over.
async fn copy_as_new(from: &Path, to: &Path) -> std::io::Result<u64> {
    let mut original = tokio::fs::File::open(from).await?;
    let mut copy = tokio::fs::File::create(to).await?;
    tokio::io::copy(&mut original, &mut copy).await
}

/// The picture on the clipboard as a PNG file, or `None` when the clipboard holds text (the
/// message field pastes that itself) or nothing usable.
pub async fn paste_image() -> Result<Option<Pasted>, String> {
    tokio::task::spawn_blocking(|| {
        let Some(image) = clipboard_image()? else { return Ok(None) };
        let dir = private_temp_dir()?;
        let name = format!("pasted-{}.png", chrono::Local::now().format("%Y%m%d-%H%M%S"));
        let path = dir.join(name);
        let (width, height) = (image.width, image.height);
        let bytes = write_png(&path, width, height, &image.bytes)?;
        let size = |n: usize| u32::try_from(n).map_err(|_| "the picture is too big".to_owned());
        Ok(Some(Pasted { path, width: size(width)?, height: size(height)?, bytes }))
    })
    .await
    .map_err(|e| e.to_string())?
}

/// A pasted picture that will not be sent: its file and private folder go.
pub async fn discard_pasted(path: PathBuf) {
    let _ = tokio::fs::remove_file(&path).await;
    if let Some(dir) = path.parent() {
        // Only ever empty now; never removes anything else.
        let _ = tokio::fs::remove_dir(dir).await;
    }
}

fn clipboard_image() -> Result<Option<arboard::ImageData<'static>>, String> {
    let mut clipboard = match arboard::Clipboard::new() {
        Ok(clipboard) => clipboard,
        Err(e) => {
            // No clipboard at all: the text field could not paste either; nothing to say.
            tracing::info!("no clipboard: {e}");
            return Ok(None);
        }
    };
    if clipboard.get_text().is_ok_and(|text| !text.is_empty()) {
        return Ok(None);
    }
    match clipboard.get_image() {
        Ok(image) => Ok(Some(image.to_owned_img())),
        Err(arboard::Error::ContentNotAvailable) => Ok(None),
        Err(e) => Err(format!("Could not read the picture on the clipboard: {e}")),
    }
}

/// A new folder only the user can read, so a pasted screenshot is not readable by others
/// on a shared machine while it waits.
fn private_temp_dir() -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("confab-{}", uuid::Uuid::new_v4()));
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(&dir).map_err(|e| format!("Could not keep the pasted picture: {e}"))?;
    Ok(dir)
}

/// Writes 8-bit RGBA rows as a PNG; the file's size in bytes.
fn write_png(path: &Path, width: usize, height: usize, rgba: &[u8]) -> Result<u64, String> {
    let broken = || "the picture on the clipboard is damaged".to_owned();
    let (w, h) =
        (u32::try_from(width).map_err(|_| broken())?, u32::try_from(height).map_err(|_| broken())?);
    let image = image::RgbaImage::from_raw(w, h, rgba.to_vec()).ok_or_else(broken)?;
    image
        .save_with_format(path, image::ImageFormat::Png)
        .map_err(|e| format!("Could not keep the pasted picture: {e}"))?;
    std::fs::metadata(path).map(|m| m.len()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::{Limits, decode};

    #[test]
    fn a_pasted_picture_is_written_as_a_png_that_decodes() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("pasted.png");
        let red = [255, 0, 0, 255].repeat(3 * 2);
        let bytes = write_png(&path, 3, 2, &red).expect("written");
        assert_eq!(bytes, std::fs::metadata(&path).expect("there").len());
        let picture =
            decode(&std::fs::read(&path).expect("read"), &Limits::IMAGE, 10).expect("a picture");
        assert_eq!((picture.width, picture.height), (3, 2));
        assert_eq!(&picture.rgba[..4], &[255, 0, 0, 255]);
        assert!(write_png(&path, 5, 5, &red).is_err(), "too few pixels for the size");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_saved_copy_is_not_private_like_confabs_own() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("dir");
        let ours = dir.path().join("ours.pdf");
        crate::paths::private::write(&ours, b"%PDF").expect("written");
        let saved = dir.path().join("saved.pdf");
        assert_eq!(copy_as_new(&ours, &saved).await.expect("copied"), 4);
        let mode = std::fs::metadata(&saved).expect("there").permissions().mode() & 0o777;
        let fresh = dir.path().join("fresh");
        std::fs::write(&fresh, "").expect("written");
        let umask_mode = std::fs::metadata(&fresh).expect("there").permissions().mode() & 0o777;
        assert_eq!(mode, umask_mode, "as any new file of the user's");
    }

    #[cfg(unix)]
    #[test]
    fn pasted_pictures_wait_where_only_we_can_read_them() {
        use std::os::unix::fs::PermissionsExt;
        let dir = private_temp_dir().expect("made");
        let mode = std::fs::metadata(&dir).expect("there").permissions().mode();
        std::fs::remove_dir(&dir).expect("removed");
        assert_eq!(mode & 0o777, 0o700);
    }
}
