//! What others may ask about us besides disco#info: our software and its version (XEP-0092),
//! our local time (XEP-0202), and how long ago the user last did something in Confab (XEP-0012
//! last activity, the idle time of an online client, §4). All tell something about the
//! person, so they are answered
//! like receipts (docs/decisions.md, "Receipts only to people who see our presence"): to
//! people who see our presence, our own account and server, and the rooms we are in. Anyone
//! else is told the service is unavailable, as for anything we do not do. The operating
//! system is named only when the user allows it (XEP-0092 §4: a user must be able to withhold
//! it), in the privacy settings.

use super::Session;
use tokio_xmpp::Stanza;
use tokio_xmpp::jid::Jid;
use tokio_xmpp::minidom::Element;
use tokio_xmpp::minidom::rxml::xml_ncname;
use tokio_xmpp::parsers::iq::Iq;
use tokio_xmpp::parsers::ns;
use tokio_xmpp::parsers::time::TimeResult;
use tokio_xmpp::parsers::version::VersionResult;

/// XEP-0012's namespace (xmpp-parsers 0.23 has no type for it).
pub const LAST_ACTIVITY: &str = "jabber:iq:last";

/// Whether a request is one answered here.
pub(super) fn asks_about_us(payload: &Element) -> bool {
    payload.is("query", ns::VERSION)
        || payload.is("time", ns::TIME)
        || payload.is("query", LAST_ACTIVITY)
}

/// The last-activity answer: whole seconds since the user last acted.
pub(super) fn idle(since: std::time::Duration) -> Element {
    Element::builder("query", LAST_ACTIVITY)
        .attr(xml_ncname!("seconds").into(), since.as_secs().to_string())
        .build()
}

/// Our software version answer; `share_os` adds the operating system's name.
pub(super) fn version(share_os: bool) -> VersionResult {
    VersionResult {
        name: "Confab".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        os: share_os.then(|| os_name().to_owned()),
    }
}

fn os_name() -> &'static str {
    match std::env::consts::OS {
        "linux" => "Linux",
        "macos" => "macOS",
        "windows" => "Windows",
        "freebsd" => "FreeBSD",
        other => other,
    }
}

/// Our local time and its offset from UTC.
pub(super) fn local_time() -> TimeResult {
    TimeResult::from(chrono::Local::now().fixed_offset())
}

impl Session {
    /// Answer a version or time request (`asks_about_us`), or refuse it to a stranger.
    pub(super) async fn answer_about_us(&mut self, from: Option<Jid>, id: String, query: Element) {
        if !self.may_ask_about_us(from.as_ref()) {
            self.reply_error(from, id).await;
            return;
        }
        let payload: Element = if query.is("time", ns::TIME) {
            local_time().into()
        } else if query.is("query", LAST_ACTIVITY) {
            idle(self.last_action.elapsed())
        } else {
            version(self.signals.privacy.share_os).into()
        };
        let iq = Iq::Result { from: None, to: from, id, payload: Some(payload) };
        self.send(Stanza::Iq(iq)).await;
    }

    fn may_ask_about_us(&self, from: Option<&Jid>) -> bool {
        let Some(from) = from else { return true };
        let bare = from.to_bare();
        bare == self.own
            || bare.as_str() == self.own.domain().as_str()
            || self.is_room(&bare)
            || self.sees_our_presence(&bare)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_names_confab_and_the_system_only_when_allowed() {
        let private = Element::from(version(false));
        assert_eq!(
            private.get_child("name", ns::VERSION).map(Element::text),
            Some("Confab".into())
        );
        assert!(private.get_child("os", ns::VERSION).is_none());
        let shared = version(true);
        assert_eq!(shared.os.as_deref(), Some(os_name()));
    }

    #[test]
    fn the_time_is_now_with_our_offset() {
        let answer = local_time();
        let now = chrono::Utc::now();
        assert!((now - answer.utc).num_seconds().abs() < 5);
        assert_eq!(answer.tz_offset, *chrono::Local::now().fixed_offset().offset());
        let xml = Element::from(answer);
        assert!(xml.is("time", ns::TIME) && xml.get_child("tzo", ns::TIME).is_some());
    }

    #[test]
    fn only_version_time_and_last_activity_requests_are_ours() {
        let version: Element = "<query xmlns='jabber:iq:version'/>".parse().expect("xml");
        let time: Element = "<time xmlns='urn:xmpp:time'/>".parse().expect("xml");
        let last: Element = "<query xmlns='jabber:iq:last'/>".parse().expect("xml");
        let other: Element = "<query xmlns='jabber:iq:private'/>".parse().expect("xml");
        assert!(asks_about_us(&version) && asks_about_us(&time) && asks_about_us(&last));
        assert!(!asks_about_us(&other));
    }

    #[test]
    fn the_idle_time_is_whole_seconds() {
        let answer = idle(std::time::Duration::from_millis(4_900));
        assert_eq!(answer.attr("seconds"), Some("4"));
        assert!(answer.is("query", LAST_ACTIVITY));
    }
}
