//! Unread messages per conversation: a badge beside each in the sidebar, the total in the
//! window title ("Confab (3)") so a glance at the taskbar tells.

use super::Target;
use crate::model::AccountId;
use std::collections::{HashMap, HashSet};

/// Counts above this show as "99+": the exact number stops mattering and stays narrow.
pub const UNREAD_SHOWN_MAX: u32 = 99;

/// Unread counts, per conversation of each account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unread {
    counts: HashMap<Target, u32>,
    /// Conversations whose unread messages include one naming us (a room mention).
    mentioned: HashSet<Target>,
}

/// What a conversation's badge shows: how many unread messages, and whether one of them
/// names us, which deserves a look of its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unseen {
    pub count: u32,
    pub mention: bool,
}

impl Unseen {
    /// Several conversations' unread together, as a folded group shows them.
    pub fn plus(self, other: Self) -> Self {
        Self {
            count: self.count.saturating_add(other.count),
            mention: self.mention || other.mention,
        }
    }
}

impl Unread {
    /// One more unread message in `target`; returns its count.
    pub fn add(&mut self, target: Target) -> u32 {
        let count = self.counts.entry(target).or_default();
        *count = count.saturating_add(1);
        *count
    }

    /// One more unread message in `target`, and it names us.
    pub fn add_mention(&mut self, target: Target) -> u32 {
        self.mentioned.insert(target.clone());
        self.add(target)
    }

    /// `target` was read (opened in the focused window).
    pub fn clear(&mut self, target: &Target) {
        self.counts.remove(target);
        self.mentioned.remove(target);
    }

    /// The account's counts as its worker found them in the store at start.
    pub fn restore(&mut self, account: &AccountId, counts: Vec<(crate::model::ChatId, u32)>) {
        self.forget(account);
        for (chat, count) in counts.into_iter().filter(|(_, n)| *n > 0) {
            self.counts.insert(Target { account: account.clone(), chat }, count);
        }
    }

    /// The account is gone: its counts go too.
    pub fn forget(&mut self, account: &AccountId) {
        self.counts.retain(|target, _| &target.account != account);
        self.mentioned.retain(|target| &target.account != account);
    }

    pub fn count(&self, target: &Target) -> u32 {
        self.counts.get(target).copied().unwrap_or(0)
    }

    /// What `target`'s badge shows.
    pub fn unseen(&self, target: &Target) -> Unseen {
        Unseen { count: self.count(target), mention: self.mentioned.contains(target) }
    }

    /// All unread messages of one account, for its entry in the account switcher.
    pub fn account(&self, account: &AccountId) -> u32 {
        self.counts
            .iter()
            .filter(|(target, _)| &target.account == account)
            .fold(0, |sum, (_, n)| sum.saturating_add(*n))
    }

    pub fn total(&self) -> u32 {
        self.counts.values().fold(0, |sum, n| sum.saturating_add(*n))
    }

    /// The window title: "Confab (3) — `detail`", without the count when all is read and
    /// without the dash when there is no detail.
    pub fn window_title(&self, detail: Option<&str>) -> String {
        let mut title = String::from("Confab");
        if let Some(count) = badge(self.total()) {
            title.push_str(&format!(" ({count})"));
        }
        if let Some(detail) = detail {
            title.push_str(" — ");
            title.push_str(detail);
        }
        title
    }
}

/// A count as a badge shows it: nothing for zero, "99+" past [`UNREAD_SHOWN_MAX`].
pub fn badge(count: u32) -> Option<String> {
    match count {
        0 => None,
        n if n > UNREAD_SHOWN_MAX => Some(format!("{UNREAD_SHOWN_MAX}+")),
        n => Some(n.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ChatId;

    fn target(account: &str, chat: &str) -> Target {
        Target { account: AccountId(account.into()), chat: ChatId(chat.into()) }
    }

    #[test]
    fn counts_per_conversation_account_and_in_total() {
        let mut unread = Unread::default();
        assert_eq!(unread.add(target("me@x", "juliet@x")), 1);
        assert_eq!(unread.add(target("me@x", "juliet@x")), 2);
        unread.add(target("me@x", "room@rooms.x"));
        unread.add(target("work@y", "boss@y"));
        assert_eq!(unread.count(&target("me@x", "juliet@x")), 2);
        assert_eq!(unread.count(&target("me@x", "nobody@x")), 0);
        assert_eq!(unread.account(&AccountId("me@x".into())), 3);
        assert_eq!(unread.total(), 4);
        unread.clear(&target("me@x", "juliet@x"));
        assert_eq!(unread.total(), 2);
        unread.add_mention(target("me@x", "room@rooms.x"));
        let room = target("me@x", "room@rooms.x");
        assert_eq!(unread.unseen(&room), Unseen { count: 2, mention: true });
        unread.clear(&room);
        assert_eq!(unread.unseen(&room), Unseen::default(), "read: the mention goes too");
        unread.add(room);
        unread.forget(&AccountId("work@y".into()));
        assert_eq!(unread.total(), 1);
    }

    #[test]
    fn the_window_title_carries_the_total() {
        let mut unread = Unread::default();
        assert_eq!(unread.window_title(None), "Confab");
        assert_eq!(unread.window_title(Some("me@x (Online)")), "Confab — me@x (Online)");
        for _ in 0..3 {
            unread.add(target("me@x", "juliet@x"));
        }
        assert_eq!(unread.window_title(None), "Confab (3)");
        assert_eq!(unread.window_title(Some("me@x (Online)")), "Confab (3) — me@x (Online)");
    }

    #[test]
    fn badges_stay_short() {
        assert_eq!(badge(0), None);
        assert_eq!(badge(7).as_deref(), Some("7"));
        assert_eq!(badge(UNREAD_SHOWN_MAX).as_deref(), Some("99"));
        assert_eq!(badge(UNREAD_SHOWN_MAX + 1).as_deref(), Some("99+"));
    }
}
