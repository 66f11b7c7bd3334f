//! Putting a [`Notice`] on the desktop with notify-rust. Every platform difference is here:
//!
//! - Linux and the BSDs speak the freedesktop Desktop Notifications protocol on the session
//!   bus (zbus, driven by our tokio runtime). The server's capabilities are asked once: the
//!   "default" action (a click on the notification) is only offered where the server has
//!   actions, and the body is escaped where it reads markup (`&`, `<`, `>` and quotes as
//!   entities), so a message saying `<3` or `a & b` shows as written and a stranger's
//!   `<a href=…>` or `<img src=…>` is neither a link nor a picture fetched from their server.
//!   A click is listened for until the notification closes or [`ACTION_WAIT`] passes.
//! - The title (a nickname, a room's name) is plain text by the specification, and servers
//!   such as GNOME Shell escape it themselves, so entities there would show as `&amp;`; but
//!   some servers read markup in it too. So on every platform its `<`, `>` and `&` become
//!   look-alikes (‹ › ＆) that no server reads as markup and every reader still understands.
//! - macOS and Windows show the notification from a blocking thread; notify-rust reports no
//!   clicks there, so [`show`] resolves to `None` once it is shown.

use super::{Notice, Target};
use std::time::Duration;

/// How long a shown notification is listened to for a click. Servers that keep old
/// notifications in a tray may report a click much later; past this it is not heard, so one
/// bus connection per notification is not held forever.
pub const ACTION_WAIT: Duration = Duration::from_secs(5 * 60);

/// The name servers show as the sender application.
const APP_NAME: &str = "Confab";

/// The title with the characters markup is made of replaced by look-alikes.
fn plain_title(title: &str) -> String {
    title.replace('<', "‹").replace('>', "›").replace('&', "＆")
}

/// Shows `notice`; resolves to its [`Target`] when the user clicks it, to `None` when it is
/// dismissed, expires or is not clicked within [`ACTION_WAIT`] (or where clicks are not
/// reported), and to an error when there is no notification server or no async runtime.
/// Runs off the UI thread (a tokio task); turn the result into a message with
/// `Task::perform(notify::show(notice), Message::NotificationClicked)`.
pub async fn show(notice: Notice) -> Result<Option<Target>, String> {
    let runtime = tokio::runtime::Handle::try_current()
        .map_err(|_| "notifications need the async runtime".to_owned())?;
    // Its own task: a panic inside notify-rust (it unwraps some bus replies) ends that task,
    // not the caller.
    runtime
        .spawn(platform::show(notice))
        .await
        .map_err(|e| format!("the notification failed: {e}"))?
}

#[cfg(all(unix, not(target_os = "macos")))]
mod platform {
    use super::{ACTION_WAIT, APP_NAME, Notice, Target, plain_title};
    use crate::paths::APP_ID;
    use notify_rust::{ActionResponse, Hint, Notification};
    use std::sync::OnceLock;

    /// The action id a click on the notification itself invokes (Desktop Notifications
    /// specification, "Actions").
    const DEFAULT_ACTION: &str = "default";
    /// The specification's category for a received instant message.
    const CATEGORY: &str = "im.received";

    /// What the notification server can do; asked once per run.
    #[derive(Debug, Clone, Copy)]
    struct Capabilities {
        actions: bool,
        markup: bool,
    }

    /// What nearly every server does, assumed while the server cannot be asked.
    const ASSUMED: Capabilities = Capabilities { actions: true, markup: true };

    static CAPABILITIES: OnceLock<Capabilities> = OnceLock::new();

    pub(super) async fn show(notice: Notice) -> Result<Option<Target>, String> {
        let capabilities = capabilities().await;
        let body =
            if capabilities.markup { escape_markup(&notice.body) } else { notice.body.clone() };
        let mut notification = Notification::new();
        notification
            .appname(APP_NAME)
            .summary(&plain_title(&notice.title))
            .body(&body)
            .icon(APP_ID)
            .hint(Hint::DesktopEntry(APP_ID.to_owned()))
            .hint(Hint::Category(CATEGORY.to_owned()));
        if let Some(path) = notice.picture.as_deref().and_then(std::path::Path::to_str) {
            notification.image_path(path);
        }
        if capabilities.actions {
            notification.action(DEFAULT_ACTION, "Open");
        }
        let handle = notification.show_async().await.map_err(|e| e.to_string())?;
        if !capabilities.actions {
            return Ok(None);
        }
        let mut clicked = false;
        let wait = handle.wait_for_action_async(|response| {
            clicked =
                matches!(response, ActionResponse::Custom(action) if *action == DEFAULT_ACTION);
        });
        let _ = tokio::time::timeout(ACTION_WAIT, wait).await;
        Ok(clicked.then_some(notice.target))
    }

    /// The server's capabilities, asked on a blocking thread (notify-rust only has a blocking
    /// call for it) the first time one is needed; assumed, and asked again next time, when
    /// the server does not answer.
    async fn capabilities() -> Capabilities {
        if let Some(known) = CAPABILITIES.get() {
            return *known;
        }
        match tokio::task::spawn_blocking(notify_rust::get_capabilities).await {
            Ok(Ok(list)) => {
                let has = |name: &str| list.iter().any(|c| c == name);
                let known = Capabilities { actions: has("actions"), markup: has("body-markup") };
                *CAPABILITIES.get_or_init(|| known)
            }
            _ => ASSUMED,
        }
    }

    /// The body as markup that reads as the plain text (the specification's markup is a small
    /// XML subset: `&`, `<` and `>` must be entities; quotes are too, should a server put text
    /// in an attribute). Only the five XML entities, which every server we know reads.
    pub(super) fn escape_markup(text: &str) -> String {
        crate::model::text::escape_markup(text)
    }
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
mod platform {
    use super::{APP_NAME, Notice, Target, plain_title};
    use notify_rust::Notification;

    pub(super) async fn show(notice: Notice) -> Result<Option<Target>, String> {
        let shown = tokio::task::spawn_blocking(move || {
            let mut notification = Notification::new();
            notification.appname(APP_NAME).summary(&plain_title(&notice.title)).body(&notice.body);
            if let Some(path) = notice.picture.as_deref().and_then(std::path::Path::to_str) {
                notification.image_path(path);
            }
            notification.show().map(|_| None).map_err(|e| e.to_string())
        });
        shown.await.map_err(|e| format!("the notification failed: {e}"))?
    }
}

#[cfg(test)]
mod tests {
    use super::plain_title;

    #[test]
    fn titles_carry_no_markup_on_any_server() {
        assert_eq!(
            plain_title("<a href='https://evil.example'>Bob</a>"),
            "‹a href='https://evil.example'›Bob‹/a›"
        );
        assert_eq!(plain_title("Tom & Jerry <3"), "Tom ＆ Jerry ‹3");
        assert_eq!(plain_title("plain 👍"), "plain 👍");
    }

    #[cfg(all(unix, not(target_os = "macos")))]
    #[test]
    fn bodies_are_escaped_for_markup_servers() {
        use super::platform::escape_markup;
        assert_eq!(escape_markup("<3 & <b>hi</b>"), "&lt;3 &amp; &lt;b&gt;hi&lt;/b&gt;");
        assert_eq!(
            escape_markup("<img src=\"https://evil.example/t.png\"/>"),
            "&lt;img src=&quot;https://evil.example/t.png&quot;/&gt;"
        );
        assert_eq!(
            escape_markup("<a href='x'>it's</a>"),
            "&lt;a href=&apos;x&apos;&gt;it&apos;s&lt;/a&gt;"
        );
        assert_eq!(escape_markup("&amp;"), "&amp;amp;", "an entity sent is shown as sent");
        assert_eq!(escape_markup("plain 👍"), "plain 👍");
    }
}
