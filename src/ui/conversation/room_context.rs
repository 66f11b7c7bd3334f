//! A room's conversation: who we are there (messages naming us are highlighted), and who is
//! in it, for completing nicknames with Tab.

use super::State;
use crate::model::{Direction, Message as ChatMessage};
use crate::notify::mentions;
use crate::ui::nick::Completion;
use std::collections::HashSet;

/// What a room's conversation needs to know about the room.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoomContext {
    /// Our nickname there: messages naming it are highlighted.
    pub own_nick: String,
    /// Who is in the room now, for Tab completion.
    pub nicks: Vec<String>,
    /// Whether we are in it; otherwise there is no one to write to.
    pub joined: bool,
    /// Whether we are a moderator there, who may remove others' lines (XEP-0425).
    pub moderator: bool,
}

impl State {
    /// Make this a room's conversation, or tell it who is in the room now.
    pub fn set_room(&mut self, room: RoomContext) {
        self.room = Some(room);
    }

    /// Tab in the composer: complete the nickname being typed at the end of the draft, or,
    /// right after a completion, replace it with the next match. `false` when there is
    /// nothing to complete, so Tab can move the focus as it does everywhere else.
    pub fn complete_nick(&mut self) -> bool {
        let Some(room) = &self.room else { return false };
        let completion = match self.completion.take() {
            Some(mut completion) if completion.text() == self.draft => {
                completion.advance();
                Some(completion)
            }
            _ => Completion::start(&self.draft, self.candidates(room)),
        };
        let Some(completion) = completion else { return false };
        self.draft = completion.text();
        self.caret = self.draft.len();
        self.emoji_completion = None;
        self.completion = Some(completion);
        true
    }

    /// The occupants to complete, those who spoke last first (the likeliest to be answered),
    /// then everyone else by name; never ourselves.
    fn candidates<'a>(&'a self, room: &'a RoomContext) -> Vec<&'a str> {
        let present: HashSet<&str> = room.nicks.iter().map(String::as_str).collect();
        let mut seen = HashSet::from([room.own_nick.as_str()]);
        let mut ordered = Vec::new();
        let speakers = self.messages.iter().rev().filter_map(|m| m.nick.as_deref());
        for nick in speakers.chain(room.nicks.iter().map(String::as_str)) {
            if present.contains(nick) && seen.insert(nick) {
                ordered.push(nick);
            }
        }
        ordered
    }

    /// Whether a message is someone else's in a room and names us.
    pub(super) fn highlighted(&self, message: &ChatMessage) -> bool {
        self.room.as_ref().is_some_and(|room| {
            message.direction == Direction::In
                && message.nick.as_deref() != Some(room.own_nick.as_str())
                && mentions(&message.body, &room.own_nick)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{room, room_line};
    use super::*;
    use crate::model::{ChatId, MessageKind};
    use crate::ui::conversation::Message;

    #[test]
    fn tab_completes_nicks_recent_speakers_first_and_cycles() {
        let mut state = room(&["alice", "Albert", "bob", "me"]);
        state.push(room_line(1, "Albert", "hi all", MessageKind::Message));
        let _ = state.update(Message::Draft("thanks al".into()));
        assert!(state.complete_nick());
        assert_eq!(state.draft, "thanks Albert ", "the last speaker first");
        assert!(state.complete_nick());
        assert_eq!(state.draft, "thanks alice ", "then the others");
        assert!(state.complete_nick());
        assert_eq!(state.draft, "thanks Albert ", "and round again");
        let _ = state.update(Message::Draft("m".into()));
        assert!(!state.complete_nick(), "never ourselves");
        let _ = state.update(Message::Draft("b".into()));
        assert!(state.complete_nick());
        assert_eq!(state.draft, "bob: ", "a nick opening the message is addressed");
        let mut chat = State::new(ChatId("bob@x".into()));
        let _ = chat.update(Message::Draft("b".into()));
        assert!(!chat.complete_nick(), "one-to-one chats have nobody to complete");
    }

    #[test]
    fn only_others_messages_naming_us_are_highlighted() {
        let state = room(&["alice", "me"]);
        let to_us = room_line(1, "alice", "me: lunch?", MessageKind::Message);
        assert!(state.highlighted(&to_us));
        assert!(!state.highlighted(&room_line(2, "alice", "meet you there", MessageKind::Message)));
        assert!(!state.highlighted(&room_line(3, "me", "me again", MessageKind::Message)));
        let mine = ChatMessage { direction: Direction::Out, ..to_us.clone() };
        assert!(!state.highlighted(&mine));
        assert!(!State::new(ChatId("bob@x".into())).highlighted(&to_us), "not in a room");
    }
}
