//! A contact's conversation header: their avatar, name and presence, and what can be done
//! about them (mute, profile, rename, remove or add, block), with renaming in place. Remove
//! and Block ask first; in a narrow window the actions fold under "⋯".

use super::{Event, HeaderMessage, Message, State};
use crate::model::{ChatId, Contact, Subscription};
use crate::ui::pictures::Pictures;
use crate::ui::widget::{self, slot};
use crate::ui::{conversation, profile, theme};
use crate::worker::{Command, ContactChange};
use iced::widget::{Row, button, column, container, row, text, text_input};
use iced::{Center, Element, Fill, Task};

/// The field a contact's new name is typed in.
const RENAME_ID: &str = "rename-contact";
/// Around the "⋯" that unfolds the actions (the account bar has a "⋯" of its own).
pub(super) const MORE_ID: &str = "contact-actions";

/// What the open contact's header has open: the rename field, a question before a
/// destructive action, the folded actions.
#[derive(Debug, Default)]
pub(super) struct Bar {
    /// The new name being typed, when renaming.
    renaming: Option<String>,
    confirm: Option<Confirm>,
    /// The actions folded under "⋯" are shown.
    unfolded: bool,
}

/// An action that waits for "yes".
#[derive(Debug, Clone, Copy, PartialEq)]
enum Confirm {
    /// Also ends presence sharing both ways.
    Remove,
    Block,
}

impl State {
    /// A header button or the rename field: a change to the contact for the worker, or the
    /// header's own state; the rename field takes the cursor when it opens.
    pub(super) fn header_action(
        &mut self,
        message: HeaderMessage,
    ) -> (Task<Message>, Option<Event>) {
        if let HeaderMessage::Export = message {
            let _ = self.export_message(super::export::ExportMessage::Open);
            return (Task::none(), None);
        }
        if let HeaderMessage::Discover = message {
            let jid = self.conversation.as_ref().map(|c| c.chat.0.clone()).unwrap_or_default();
            return self.open_discovery(&jid);
        }
        if let HeaderMessage::StartRename = message {
            self.start_rename();
            // The current name selected, so typing replaces it.
            let focus = iced::widget::operation::focus(RENAME_ID)
                .chain(iced::widget::operation::select_all(RENAME_ID));
            return (focus, None);
        }
        (Task::none(), self.contact_action(message))
    }

    fn start_rename(&mut self) {
        let Some(conversation) = &self.conversation else { return };
        let contact = self.sidebar.contact(conversation.chat.as_str());
        self.bar.renaming = Some(contact.and_then(|c| c.name.clone()).unwrap_or_default());
    }

    fn contact_action(&mut self, message: HeaderMessage) -> Option<Event> {
        let jid = self.conversation.as_ref()?.chat.0.clone();
        // An action chosen from the folded menu closes it, as a menu does.
        if !matches!(message, HeaderMessage::Fold | HeaderMessage::RenameDraft(_)) {
            self.bar.unfolded = false;
        }
        let change = match message {
            HeaderMessage::Add => ContactChange::Add { jid, name: None, groups: Vec::new() },
            HeaderMessage::StartRename | HeaderMessage::Discover | HeaderMessage::Export => {
                return None;
            }
            HeaderMessage::RenameDraft(draft) => {
                self.bar.renaming = Some(draft);
                return None;
            }
            HeaderMessage::Rename => {
                let name = self.bar.renaming.take()?;
                let groups =
                    self.sidebar.contact(&jid).map(|c| c.groups.clone()).unwrap_or_default();
                let name = Some(name.trim().to_owned()).filter(|n| !n.is_empty());
                ContactChange::Update { jid, name, groups }
            }
            HeaderMessage::AskRemove => return self.ask(Confirm::Remove),
            HeaderMessage::AskBlock => return self.ask(Confirm::Block),
            HeaderMessage::Cancel => {
                self.bar.confirm = None;
                return None;
            }
            HeaderMessage::Remove => {
                self.bar.confirm.take().filter(|c| *c == Confirm::Remove)?;
                ContactChange::Remove { jid }
            }
            HeaderMessage::Block => {
                self.bar.confirm.take().filter(|c| *c == Confirm::Block)?;
                ContactChange::Block { jid }
            }
            HeaderMessage::Unblock => ContactChange::Unblock { jid },
            HeaderMessage::ShowProfile => {
                // The button stays where it is and closes what it opened.
                if self.profile.take().is_some() {
                    return None;
                }
                self.profile = Some(profile::State::new(jid.clone()));
                return Some(Event::Command(Command::FetchProfile { jid }));
            }
            HeaderMessage::Mute(muted) => return Some(Event::Mute { chat: ChatId(jid), muted }),
            HeaderMessage::Fold => {
                self.bar.unfolded = !self.bar.unfolded;
                return None;
            }
        };
        Some(Event::Command(Command::Contact(change)))
    }

    fn ask(&mut self, confirm: Confirm) -> Option<Event> {
        self.bar.confirm = Some(confirm);
        None
    }

    pub(super) fn header<'a>(
        &'a self,
        conversation: &'a conversation::State,
        pictures: &'a Pictures,
        muted: bool,
    ) -> Element<'a, Message> {
        let jid = conversation.chat.as_str();
        let contact = self.sidebar.contact(jid);
        let picture = contact.and_then(|c| c.avatar.as_deref()).and_then(|h| pictures.get(h));
        let show = contact.and_then(|c| self.sidebar.shown_presence(c));
        let name = contact.map_or(jid, Contact::display_name);
        let avatar = widget::avatar(jid, name, show, picture);
        let title: Element<'a, Message> = match &self.bar.renaming {
            Some(draft) => text_input("Name", draft)
                .id(RENAME_ID)
                .on_input(|d| Message::Header(HeaderMessage::RenameDraft(d)))
                .on_submit(Message::Header(HeaderMessage::Rename))
                .width(Fill)
                .into(),
            None => column![
                text(name).size(theme::TEXT_TITLE),
                text(subtitle(jid, contact, show.is_some()))
                    .size(theme::TEXT_SMALL)
                    .style(theme::muted),
            ]
            .width(Fill)
            .into(),
        };
        let actions = self.actions(contact.is_some(), muted);
        let folded = self.narrow_header();
        // One shape folded or not, asked or not: the rows below the title come and go in
        // their own places.
        let (top, unfolded) = if folded {
            let more = button(text("⋯").size(theme::TEXT_SMALL))
                .style(button::secondary)
                .on_press(Message::Header(HeaderMessage::Fold));
            (row![container(more).id(MORE_ID)], self.bar.unfolded.then(|| actions.wrap()))
        } else {
            (actions, None)
        };
        let confirm = self.bar.confirm.map(|confirm| {
            let (question, action, message) = match confirm {
                Confirm::Remove => (
                    format!("Remove {name} from your contacts? This also stops sharing presence both ways."),
                    format!("Remove {name}"),
                    HeaderMessage::Remove,
                ),
                Confirm::Block => (
                    format!("Block {name}? No messages or presence reach you from them until you unblock them."),
                    format!("Block {name}"),
                    HeaderMessage::Block,
                ),
            };
            let cancel = Message::Header(HeaderMessage::Cancel);
            widget::confirm(question, action, Message::Header(message), cancel)
        });
        container(
            column![
                row![avatar, title, top].spacing(theme::SPACE_S).align_y(Center),
                slot(unfolded),
                slot(confirm),
            ]
            .spacing(theme::SPACE_S),
        )
        .padding([theme::SPACE_S, theme::SPACE_M])
        .width(Fill)
        .style(theme::header)
        .into()
    }

    /// Every action, each in its place whatever is open: the dangerous ones in the danger
    /// colour, at the end.
    fn actions<'a>(&self, known: bool, muted: bool) -> Row<'a, Message> {
        let jid = self.conversation.as_ref().map_or("", |c| c.chat.as_str());
        let blocked = self.blocked.iter().any(|b| b == jid);
        let action = |label: &'a str, message: HeaderMessage| {
            button(text(label).size(theme::TEXT_SMALL))
                .style(button::secondary)
                .on_press(Message::Header(message))
        };
        let danger = |label: &'a str, message: HeaderMessage| {
            button(text(label).size(theme::TEXT_SMALL))
                .style(button::danger)
                .on_press(Message::Header(message))
        };
        let rename = match (known, &self.bar.renaming) {
            (true, Some(_)) => action("Save", HeaderMessage::Rename),
            (true, None) => action("Rename", HeaderMessage::StartRename),
            (false, _) => action("Add to contacts", HeaderMessage::Add),
        };
        let block = if blocked {
            action("Unblock", HeaderMessage::Unblock)
        } else {
            danger("Block", HeaderMessage::AskBlock)
        };
        row![
            mute_button(muted),
            action("Profile", HeaderMessage::ShowProfile),
            action("Discover", HeaderMessage::Discover),
            action("Export", HeaderMessage::Export),
            rename,
            slot(known.then(|| danger("Remove", HeaderMessage::AskRemove))),
            block,
        ]
        .spacing(theme::SPACE_XS)
    }
}

/// Mute or Unmute, in every conversation's header.
pub(super) fn mute_button<'a>(muted: bool) -> Element<'a, Message> {
    let label = if muted { "Unmute" } else { "Mute" };
    button(text(label).size(theme::TEXT_SMALL))
        .style(button::secondary)
        .on_press(Message::Header(HeaderMessage::Mute(!muted)))
        .into()
}

/// Who they are and what we know of their presence: nothing while we are offline.
fn subtitle(jid: &str, contact: Option<&Contact>, presence_known: bool) -> String {
    let Some(contact) = contact else { return format!("{jid} · not in your contacts") };
    let presence = match (&contact.presence.status, contact.presence.show) {
        _ if !presence_known => "presence unknown while you are offline".to_owned(),
        (Some(status), show) => format!("{} — {status}", show.label()),
        (None, show) => show.label().to_owned(),
    };
    match contact.subscription {
        Subscription::To | Subscription::Both => format!("{jid} · {presence}"),
        _ if contact.ask_subscribe => format!("{jid} · waiting for them to approve your request"),
        _ => format!("{jid} · does not share presence with you"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::chat::tests::{talking_to_bob, window};
    use super::*;
    use iced::keyboard::key::Named;

    #[test]
    fn rename_takes_the_cursor_and_what_is_typed_replaces_the_name() {
        let mut window = window(talking_to_bob());
        window.click("Rename");
        window.type_text("Robert");
        window.tap(Named::Enter);
        let rename = ContactChange::Update {
            jid: "bob@x".into(),
            name: Some("Robert".into()),
            groups: Vec::new(),
        };
        let events = &window.state.events;
        assert!(events.contains(&Event::Command(Command::Contact(rename))), "{events:?}");
    }

    #[test]
    fn remove_and_block_ask_first_and_cancel_leaves_bob_be() {
        let mut window = window(talking_to_bob());
        window.click("Remove");
        assert_eq!(window.state.events, [], "the first click only asks");
        let question = "Remove Bob from your contacts? This also stops sharing presence both ways.";
        assert!(window.find(question).is_some());
        window.click("Cancel");
        assert_eq!(window.state.events, []);
        assert!(window.find(question).is_none(), "the question is gone");

        window.click("Remove");
        window.click("Remove Bob");
        let remove = ContactChange::Remove { jid: "bob@x".into() };
        assert_eq!(window.state.events, [Event::Command(Command::Contact(remove.clone()))]);

        window.click("Block");
        assert_eq!(window.state.events.len(), 1, "blocking asks too");
        window.click("Block Bob");
        let block = ContactChange::Block { jid: "bob@x".into() };
        assert_eq!(
            window.state.events,
            [Event::Command(Command::Contact(remove)), Event::Command(Command::Contact(block))]
        );
    }

    #[test]
    fn add_contact_takes_the_cursor() {
        let mut window = window(talking_to_bob());
        window.click("+ Add contact");
        window.type_text("eve@x");
        window.tap(Named::Enter);
        let add = ContactChange::Add { jid: "eve@x".into(), name: None, groups: Vec::new() };
        let events = &window.state.events;
        assert!(events.contains(&Event::Command(Command::Contact(add))), "{events:?}");
    }
}
