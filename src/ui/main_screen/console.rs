//! The XML console in the main screen: opened from the account's settings, shown in place of
//! the conversation, fed the stanzas the worker tells while it is open.

use super::{Event, Message, State};
use crate::ui::console;
use crate::worker::Command;
use iced::Task;

impl State {
    /// Open the console, the cursor in its box; the worker tells stanzas from now on.
    pub(super) fn open_console(&mut self) -> (Task<Message>, Option<Event>) {
        if self.console.is_none() {
            self.console = Some(console::State::new(self.account.as_str()));
        }
        (console::State::focus(), Some(Event::Command(Command::Console(true))))
    }

    pub(super) fn console_message(
        &mut self,
        message: console::Message,
    ) -> (Task<Message>, Option<Event>) {
        let Some(event) = self.console.as_mut().and_then(|c| c.update(message)) else {
            return (Task::none(), None);
        };
        match event {
            console::Event::Send(xml) => {
                (Task::none(), Some(Event::Command(Command::SendRaw(xml))))
            }
            console::Event::Copy(xml) => (iced::clipboard::write(xml), None),
            console::Event::Close => {
                self.console = None;
                (Task::none(), Some(Event::Command(Command::Console(false))))
            }
        }
    }

    /// A stanza the worker told, for the console if it is open.
    pub(super) fn console_stanza(&mut self, outgoing: bool, xml: &str) {
        if let Some(console) = &mut self.console {
            console.stanza(outgoing, xml);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AccountId;
    use crate::ui::accounts;
    use crate::worker::Event as WorkerEvent;

    #[test]
    fn the_console_opens_from_the_account_settings_watches_and_stops_when_closed() {
        let mut state = State::new(AccountId("alice@example.org".into()));
        let (_, event) = state.update(Message::Accounts(accounts::Message::OpenConsole));
        assert_eq!(event, Some(Event::Command(Command::Console(true))));
        state.apply(WorkerEvent::Stanza { outgoing: false, xml: "<presence/>".into() });
        assert_eq!(state.console.as_ref().map(|c| c.kept()), Some(1));
        assert_eq!(state.visible_chat(), None, "the console hides the conversation");

        let (_, event) = state.update(Message::Console(console::Message::Send));
        assert_eq!(event, None, "nothing typed, nothing sent");
        let (_, event) = state.update(Message::Console(console::Message::Close));
        assert_eq!(event, Some(Event::Command(Command::Console(false))));
        assert!(state.console.is_none());
    }
}
