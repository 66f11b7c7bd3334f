//! Where the user left off, kept in the store so a restart shows it again: how far each
//! conversation was read (unread counts are what came after) and which one was open.

use super::Session;
use crate::model::ChatId;
use crate::worker::Event;

impl Session {
    /// Tell the window, before anything new arrives, what was unread and what was open.
    pub(super) fn announce_reading(&self) {
        let account = self.account_key();
        let unread = self.store.write(|store| store.unread_counts(account));
        let open = self.store.read(|store| store.open_chat(account));
        match (unread, open) {
            (Ok(unread), Ok(open)) => self.emit(Event::Reading { unread, open }),
            (Err(e), _) | (_, Err(e)) => tracing::warn!("{account}: {e}"),
        }
    }

    /// The user has seen `chat` up to its newest message: it is read that far (only incoming
    /// messages after it count as unread, so the mark may as well be one of ours).
    pub(super) fn read(&self, chat: &ChatId) {
        let page = self.store.read(|store| store.history(self.account_key(), chat, None, 1));
        let Some(newest) = page.ok().and_then(|p| p.messages.into_iter().next_back()) else {
            return;
        };
        if let Err(e) =
            self.store.write(|store| store.set_read_up_to(&self.account.jid, chat, newest.id))
        {
            tracing::warn!("{}: {e}", self.account.jid);
        }
    }

    /// The user opened `chat`: it opens again at the next start.
    pub(super) fn opened(&self, chat: &ChatId) {
        if let Err(e) = self.store.write(|store| store.set_open_chat(&self.account.jid, chat)) {
            tracing::warn!("{}: {e}", self.account.jid);
        }
    }
}
