//! Reactions under a line (XEP-0444): chips "👍 2" (ours marked), each naming who on hover
//! and toggling ours when clicked, and React (beside the line or in its menu) opening a short
//! row of emoji to add.
//! The worker keeps the sets; this only draws what it last said and asks for our new set.

use super::{Event, Message, State, theme};
use crate::model::{Message as ChatMessage, MessageKind, ReactionCount, toggled_reactions};
use crate::ui::fonts::EMOJI_FONT;
use iced::widget::{button, container, row, text, tooltip};
use iced::{Element, Task};
use std::collections::HashMap;

/// The reactions offered first, as most clients do.
pub(super) const COMMON: [&str; 6] = ["👍", "❤️", "😂", "😮", "😢", "🙏"];
/// Recently used emoji added after the common ones in the row.
const RECENT_IN_ROW: usize = 4;
/// What opens the row of emoji, in a line's bar and menu.
pub(super) const REACT: &str = "React";

/// What the window knows of reactions in this conversation.
#[derive(Debug, Default)]
pub(super) struct Reactions {
    /// Per line in view, as the worker last said; lines without any are absent.
    counts: HashMap<i64, Vec<ReactionCount>>,
    /// The line whose row of emoji is open.
    picking: Option<i64>,
}

#[derive(Debug, Clone)]
pub enum ReactionMessage {
    /// Add or take back our `emoji` on line `id`.
    Toggle(i64, String),
    /// Open (or close) the row of emoji under line `id`.
    Pick(i64),
}

impl Reactions {
    /// The line whose row of emoji is open.
    pub(super) fn picking(&self) -> Option<i64> {
        self.picking
    }

    /// The worker's word on these lines; an empty list clears a line.
    pub(super) fn set(&mut self, reactions: Vec<(i64, Vec<ReactionCount>)>) {
        for (id, counts) in reactions {
            if counts.is_empty() {
                self.counts.remove(&id);
            } else {
                self.counts.insert(id, counts);
            }
        }
    }

    /// Forget lines no longer in view, so the map stays as small as the page.
    pub(super) fn keep_only(&mut self, ids: &[i64]) {
        self.counts.retain(|id, _| ids.contains(id));
    }
}

/// The chips under `message`, and the row of emoji to pick from while it is open (React is
/// in the line's bar and menu, `line_actions.rs`).
pub(super) fn view<'a>(
    message: &ChatMessage,
    reactions: &'a Reactions,
    recent: &'a crate::emoji::Recent,
) -> Option<Element<'a, Message>> {
    if message.kind != MessageKind::Message {
        return None;
    }
    let id = message.id;
    let counts = reactions.counts.get(&id);
    if counts.is_none() && reactions.picking != Some(id) {
        return None;
    }
    let mut line = row![].spacing(theme::SPACE_XS);
    for count in counts.into_iter().flatten() {
        let label = row![
            text(count.emoji.clone()).font(EMOJI_FONT).size(theme::TEXT_SMALL),
            text(count.count.to_string()).size(theme::TEXT_SMALL),
        ]
        .spacing(theme::SPACE_XS / 2.0);
        let chip = button(label)
            .padding([1.0, theme::SPACE_S])
            .style(if count.ours { button::primary } else { button::secondary })
            .on_press(Message::Reaction(ReactionMessage::Toggle(id, count.emoji.clone())));
        let tip = container(text(count.who.join(", ")).size(theme::TEXT_SMALL))
            .padding(theme::SPACE_XS)
            .style(theme::card);
        line = line.push(tooltip(chip, tip, tooltip::Position::Top));
    }
    if reactions.picking == Some(id) {
        let recent = recent.iter().map(|e| e.as_str()).filter(|e| !COMMON.contains(e));
        for emoji in COMMON.into_iter().chain(recent.take(RECENT_IN_ROW)) {
            let pick = button(text(emoji).font(EMOJI_FONT).size(theme::TEXT_BODY))
                .padding([1.0, theme::SPACE_XS])
                .style(button::text)
                .on_press(Message::Reaction(ReactionMessage::Toggle(id, emoji.to_owned())));
            line = line.push(pick);
        }
    }
    Some(line.wrap().into())
}

impl State {
    pub(super) fn reaction(&mut self, message: ReactionMessage) -> (Task<Message>, Option<Event>) {
        match message {
            ReactionMessage::Pick(id) => {
                let open = self.reactions.picking != Some(id);
                self.reactions.picking = open.then_some(id);
                (Task::none(), None)
            }
            ReactionMessage::Toggle(id, emoji) => {
                self.reactions.picking = None;
                let current = self.reactions.counts.get(&id).map_or(&[][..], Vec::as_slice);
                let emojis = toggled_reactions(current, &emoji);
                let event = Event::React { chat: self.chat.clone(), message_id: id, emojis };
                (Task::none(), Some(event))
            }
        }
    }

    /// The worker's word on reactions in this conversation.
    /// Only lines in view are kept, so the map is as small as the page.
    pub fn set_reactions(
        &mut self,
        chat: &crate::model::ChatId,
        mut reactions: Vec<(i64, Vec<ReactionCount>)>,
    ) {
        if *chat == self.chat {
            let in_view: Vec<i64> = self.messages.iter().map(|m| m.id).collect();
            reactions.retain(|(id, _)| in_view.contains(id));
            self.reactions.set(reactions);
            self.reactions.keep_only(&in_view);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{message, room, room_line};
    use super::*;
    use crate::model::{ChatId, HistoryPage};
    use crate::ui::frames::Window;

    fn update(state: &mut State, message: Message) -> Task<Message> {
        state.update(message).0
    }

    fn count(emoji: &str, count: usize, ours: bool, who: &[&str]) -> ReactionCount {
        let who = who.iter().map(|w| (*w).to_owned()).collect();
        ReactionCount { emoji: emoji.into(), count, ours, who }
    }

    #[test]
    fn chips_show_counts_and_a_click_toggles_ours() {
        let mut state = State::new(ChatId("bob@x".into()));
        let messages = vec![message(1, 10)];
        state.history(HistoryPage { chat: state.chat.clone(), messages, has_more: false });
        let chat = state.chat.clone();
        state.set_reactions(
            &chat,
            vec![(
                1,
                vec![count("👍", 2, true, &["bob@x", "me@x"]), count("😂", 1, false, &["bob@x"])],
            )],
        );
        let mut window = Window::new(state, State::view, update);
        assert!(window.find("2").is_some(), "the count is shown");
        assert!(window.find("😂").is_some());
        let state = &mut window.state;
        let (_, event) = state.update(Message::Reaction(ReactionMessage::Toggle(1, "👍".into())));
        let expected = Event::React { chat: chat.clone(), message_id: 1, emojis: vec![] };
        assert_eq!(event, Some(expected), "ours taken back");
        let (_, event) = state.update(Message::Reaction(ReactionMessage::Toggle(1, "😂".into())));
        let emojis = vec!["👍".to_owned(), "😂".to_owned()];
        assert_eq!(event, Some(Event::React { chat: chat.clone(), message_id: 1, emojis }));
        state.set_reactions(&chat, vec![(1, vec![])]);
        assert!(state.reactions.counts.is_empty(), "cleared");
        state.set_reactions(&ChatId("other@x".into()), vec![(1, vec![count("👍", 1, false, &[])])]);
        assert!(state.reactions.counts.is_empty(), "another conversation's");
    }

    #[test]
    fn react_opens_a_row_of_common_emoji() {
        let mut state = room(&["bob", "me"]);
        let messages = vec![room_line(1, "bob", "hello", MessageKind::Message)];
        state.history(HistoryPage { chat: state.chat.clone(), messages, has_more: false });
        let mut window = Window::new(state, State::view, update);
        assert!(window.find("🙏").is_none(), "closed at first");
        window.hover("hello");
        window.click(REACT);
        assert!(window.find("🙏").is_some(), "the row is open");
        let (_, event) =
            window.state.update(Message::Reaction(ReactionMessage::Toggle(1, "🙏".into())));
        let Some(Event::React { message_id: 1, emojis, .. }) = event else { panic!("{event:?}") };
        assert_eq!(emojis, ["🙏"]);
        assert_eq!(window.state.reactions.picking, None, "closed once picked");
    }
}
