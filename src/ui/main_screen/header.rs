//! A contact's conversation header: their avatar, name and presence, and what can be done
//! about them (mute, profile, rename, remove or add, block), with renaming in place.

use super::{Event, HeaderMessage, Message, State};
use crate::model::{ChatId, Contact, PresenceShow, Subscription};
use crate::ui::pictures::Pictures;
use crate::ui::{conversation, profile, theme, widget};
use crate::worker::{Command, ContactChange};
use iced::widget::{button, column, container, row, text, text_input};
use iced::{Center, Element, Fill, Task};

/// The field a contact's new name is typed in.
const RENAME_ID: &str = "rename-contact";

impl State {
    /// A header button or the rename field: a change to the contact for the worker, or the
    /// header's own state; the rename field takes the cursor when it opens.
    pub(super) fn header_action(
        &mut self,
        message: HeaderMessage,
    ) -> (Task<Message>, Option<Event>) {
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
        self.renaming = Some(contact.and_then(|c| c.name.clone()).unwrap_or_default());
    }

    fn contact_action(&mut self, message: HeaderMessage) -> Option<Event> {
        let jid = self.conversation.as_ref()?.chat.0.clone();
        let change = match message {
            HeaderMessage::Add => ContactChange::Add { jid, name: None, groups: Vec::new() },
            HeaderMessage::StartRename => return None,
            HeaderMessage::RenameDraft(draft) => {
                self.renaming = Some(draft);
                return None;
            }
            HeaderMessage::Rename => {
                let name = self.renaming.take()?;
                let groups =
                    self.sidebar.contact(&jid).map(|c| c.groups.clone()).unwrap_or_default();
                let name = Some(name.trim().to_owned()).filter(|n| !n.is_empty());
                ContactChange::Update { jid, name, groups }
            }
            HeaderMessage::Remove => ContactChange::Remove { jid },
            HeaderMessage::Block => ContactChange::Block { jid },
            HeaderMessage::Unblock => ContactChange::Unblock { jid },
            HeaderMessage::ShowProfile => {
                self.profile = Some(profile::State::new(jid.clone()));
                return Some(Event::Command(Command::FetchProfile { jid }));
            }
            HeaderMessage::Mute(muted) => return Some(Event::Mute { chat: ChatId(jid), muted }),
        };
        Some(Event::Command(Command::Contact(change)))
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
        let show = contact.map_or(PresenceShow::Offline, |c| c.presence.show);
        let avatar = widget::avatar(jid, contact.map_or(jid, Contact::display_name), show, picture);
        let blocked = self.blocked.iter().any(|b| b == jid);
        let title: Element<'a, Message> = match &self.renaming {
            Some(draft) => text_input("Name", draft)
                .id(RENAME_ID)
                .on_input(|d| Message::Header(HeaderMessage::RenameDraft(d)))
                .on_submit(Message::Header(HeaderMessage::Rename))
                .width(260)
                .into(),
            None => column![
                text(contact.map_or(jid, Contact::display_name)).size(theme::TEXT_TITLE),
                text(subtitle(jid, contact)).size(theme::TEXT_SMALL).style(theme::muted),
            ]
            .into(),
        };
        let mut actions = row![mute_button(muted)].spacing(theme::SPACE_XS);
        if self.profile.is_none() {
            actions = actions.push(
                button(text("Profile").size(theme::TEXT_SMALL))
                    .style(button::secondary)
                    .on_press(Message::Header(HeaderMessage::ShowProfile)),
            );
        }
        let action = |label: &'a str, message: HeaderMessage| {
            button(text(label).size(theme::TEXT_SMALL))
                .style(button::secondary)
                .on_press(Message::Header(message))
        };
        match (contact, &self.renaming) {
            (Some(_), Some(_)) => actions = actions.push(action("Save", HeaderMessage::Rename)),
            (Some(_), None) => {
                actions = actions.push(action("Rename", HeaderMessage::StartRename));
                actions = actions.push(action("Remove", HeaderMessage::Remove));
            }
            (None, _) => actions = actions.push(action("Add to contacts", HeaderMessage::Add)),
        }
        actions = actions.push(if blocked {
            action("Unblock", HeaderMessage::Unblock)
        } else {
            action("Block", HeaderMessage::Block)
        });
        container(
            row![avatar, title, iced::widget::space::horizontal(), actions]
                .spacing(theme::SPACE_S)
                .align_y(Center),
        )
        .padding([theme::SPACE_S, theme::SPACE_M])
        .width(Fill)
        .style(theme::header)
        .into()
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

fn subtitle(jid: &str, contact: Option<&Contact>) -> String {
    let Some(contact) = contact else { return format!("{jid} · not in your contacts") };
    let presence = match (&contact.presence.status, contact.presence.show) {
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
