//! What the worker reports, shown on the main screen: each event to the part of the screen
//! it concerns.

use super::{State, browser, presence_line};
use crate::model::Contact;
use crate::worker::Event as WorkerEvent;

impl State {
    /// Show what the worker reports.
    pub fn apply(&mut self, event: WorkerEvent) {
        match event {
            event @ (WorkerEvent::Connection(_)
            | WorkerEvent::Typing { .. }
            | WorkerEvent::CatchUp { .. }
            | WorkerEvent::Route(_)) => self.apply_signal(event),
            WorkerEvent::Roster { contacts, .. } => self.sidebar.set_contacts(contacts),
            WorkerEvent::Presences(changes) => {
                if let Some(conversation) = self.conversation.as_mut() {
                    let open = conversation.chat.0.clone();
                    for (jid, presence) in changes.iter().filter(|(jid, _)| *jid == open) {
                        let contact = self.sidebar.contact(jid);
                        let name = contact.map_or(jid.as_str(), Contact::display_name);
                        if contact.map(|c| &c.presence) != Some(presence) {
                            conversation.note(presence_line(name, presence));
                        }
                    }
                }
                self.sidebar.set_presences(&changes);
            }
            WorkerEvent::SubscriptionRequests(requests) => self.contacts.set_requests(requests),
            WorkerEvent::BlockList(blocked) => {
                self.sidebar.set_blocked(&blocked);
                self.blocked = blocked;
            }
            WorkerEvent::OwnPresence(presence) => self.contacts.set_own(presence),
            WorkerEvent::Invisible(on) => self.contacts.set_invisible(on),
            WorkerEvent::OwnNickname(nickname) => self.accounts.set_nickname(nickname),
            WorkerEvent::Avatar { jid, hash } => self.sidebar.set_avatar(&jid, hash),
            WorkerEvent::Profile { jid, profile } => {
                if let Some(panel) = &mut self.profile {
                    panel.answer(&jid, profile);
                }
            }
            WorkerEvent::Message(message) => {
                if let Some(conversation) = &mut self.conversation {
                    conversation.push(message);
                }
            }
            WorkerEvent::Reactions { chat, reactions } => {
                if let Some(conversation) = &mut self.conversation {
                    conversation.set_reactions(&chat, reactions);
                }
            }
            WorkerEvent::Edited(message) => {
                if let Some(conversation) = &mut self.conversation {
                    conversation.replace(message);
                }
            }
            WorkerEvent::Removed { message_id } => {
                if let Some(conversation) = &mut self.conversation {
                    conversation.remove(message_id);
                }
            }
            WorkerEvent::Delivery { message_id, chat, state } => {
                if let Some(conversation) = self.conversation.as_mut().filter(|c| c.chat == chat) {
                    conversation.set_delivery(message_id, state);
                }
            }
            WorkerEvent::History(page) => {
                if let Some(conversation) = &mut self.conversation {
                    conversation.history(page);
                }
            }
            WorkerEvent::Newer { page, more } => {
                if let Some(conversation) = &mut self.conversation {
                    conversation.newer(page, more);
                }
            }
            WorkerEvent::Around { page, focus, newer } => {
                if let Some(conversation) = &mut self.conversation {
                    conversation.around(page, focus, newer);
                }
            }
            // The app hands answers to the screen in front (`search_results`), whichever
            // account's worker gave them.
            WorkerEvent::SearchResults { .. } => {}
            WorkerEvent::Notice(notice) | WorkerEvent::StoreFailed(notice) => {
                self.notice = Some(notice)
            }
            WorkerEvent::Outcome(outcome) => {
                // A stanza sent from the console, or a change asked for in the open room's
                // members panel, is answered there.
                let taken = self.console.as_mut().is_some_and(|c| c.outcome(&outcome))
                    || self.room.as_mut().is_some_and(|room| room.outcome(&outcome));
                if let (Err(notice), false) = (outcome, taken) {
                    self.notice = Some(notice);
                }
            }
            event @ (WorkerEvent::Rooms(_)
            | WorkerEvent::Occupants { .. }
            | WorkerEvent::PublicRooms { .. }
            | WorkerEvent::RoomConfig { .. }
            | WorkerEvent::Affiliations { .. }
            | WorkerEvent::Invite(_)
            | WorkerEvent::Services(_)) => self.apply_room_event(event),
            WorkerEvent::Transfer { message_id, chat, transfer } => {
                if let Some(conversation) = self.conversation.as_mut().filter(|c| c.chat == chat) {
                    conversation.transfer(message_id, transfer);
                }
            }
            // The app's own business: the handle, and where the user left off.
            WorkerEvent::Ready(_) | WorkerEvent::Stopped | WorkerEvent::Reading { .. } => {}
            WorkerEvent::Stanza { outgoing, xml } => self.console_stanza(outgoing, &xml),
            WorkerEvent::Discovered { jid, node, query, answer } => {
                self.discovered(browser::Key { jid, node }, &query, answer);
            }
            WorkerEvent::CommandStage { jid, node, answer } => {
                if let Some(discovery) = &mut self.discovery {
                    discovery.command_stage(&jid, &node, answer);
                }
            }
            WorkerEvent::DirectorySearch { jid, answer } => {
                if let Some(discovery) = &mut self.discovery {
                    discovery.directory(&jid, answer);
                }
            }
            WorkerEvent::ServiceRegistration { jid, answer } => {
                if let Some(discovery) = &mut self.discovery {
                    discovery.registration(&jid, answer);
                }
            }
        }
    }
}
