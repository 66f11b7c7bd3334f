//! The composer under a conversation: the draft, with `:shortcode:`s and (when the user wants
//! it) ASCII smileys turned into emoji as they are typed, the row of `:shortcode` completions
//! above it, the emoji picker behind its 😀 button, "Send later", and the 📎 button for files
//! (`sending.rs`; Ctrl+V also looks for a picture on the clipboard). Up in the empty composer
//! corrects our last message (`correction.rs`), with a hint while it does.
//!
//! The text input does not tell where its caret is, so the caret is taken to be where the last
//! edit ended: the first byte at which the old and the new draft differ, plus what was
//! inserted. That is exact for typing, pasting and deleting, which is when conversions run.

use super::{Event, Message, State, theme};
use crate::emoji::{self, Converted, Recent};
use crate::ui::fonts::EMOJI_FONT;
use crate::ui::{emoji_picker, keys};
use iced::keyboard::{Key, key::Named};
use iced::widget::tooltip::Position;
use iced::widget::{Column, button, checkbox, column, container, row, text, text_input, tooltip};
use iced::{Center, Element, Fill, Padding, Task};
use unicode_segmentation::UnicodeSegmentation;

/// The button that opens the picker.
const PICKER_ICON: &str = "😀";
/// The button that chooses files to send.
const ATTACH_ICON: &str = "📎";

/// What the composer keeps from the user's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composing {
    /// Turn ASCII smileys such as `:-)` into emoji while typing and on sending.
    pub smileys: bool,
    /// Draw messages' XEP-0393 styling (`*bold*`, `_italic_`, quotes, code); the composer
    /// keeps what is typed as it is either way.
    pub styling: bool,
    /// The emoji picked lately, first in the picker.
    pub recent: Recent,
}

impl Default for Composing {
    fn default() -> Self {
        Self { smileys: true, styling: true, recent: Recent::default() }
    }
}

impl State {
    /// The user typed, pasted or deleted: convert what was just finished, and look for a
    /// `:shortcode` being typed at the caret.
    pub(super) fn edit(&mut self, draft: String) -> Task<Message> {
        let caret = edit_caret(&self.draft, &draft);
        let converted = self.convert(&draft, Some(caret));
        let changed = converted.text != draft;
        self.draft = converted.text;
        self.caret = converted.cursor.unwrap_or(self.draft.len()).min(self.draft.len());
        self.completion = None;
        self.emoji_completion = emoji::completion_at(&self.draft, self.caret);
        if changed { self.place_caret() } else { Task::none() }
    }

    /// `:shortcode:`s always, smileys when wanted; `cursor` is `None` for finished text.
    fn convert(&self, text: &str, cursor: Option<usize>) -> Converted {
        let converted = emoji::shortcodes(text, cursor);
        if self.composing.smileys {
            emoji::ascii_smileys(&converted.text, converted.cursor)
        } else {
            converted
        }
    }

    /// The draft as it is sent: converted as finished text, trimmed.
    pub(super) fn finished_draft(&self) -> String {
        self.convert(&self.draft, None).text.trim().to_owned()
    }

    /// The draft went out or was given up: start afresh.
    pub(super) fn clear_draft(&mut self) {
        self.draft.clear();
        self.caret = 0;
        self.completion = None;
        self.emoji_completion = None;
        self.stop_typing();
    }

    /// Enter while completions are offered: take the first.
    pub(super) fn completing(&self) -> bool {
        self.emoji_completion.is_some()
    }

    /// Put the chosen completion in place of the typed `:shortcode`.
    pub(super) fn complete_emoji(&mut self, choice: usize) -> (Task<Message>, Option<Event>) {
        let Some(completion) = self.emoji_completion.take() else {
            return (Task::none(), None);
        };
        let Some(Converted { text, cursor }) = completion.apply(&self.draft, choice) else {
            return (Task::none(), None);
        };
        self.draft = text;
        self.caret = cursor.unwrap_or(self.draft.len());
        let recorded = completion
            .candidates
            .get(choice)
            .is_some_and(|(_, emoji)| self.composing.recent.record(emoji));
        let event = recorded.then(|| Event::RecentEmoji(self.composing.recent.clone()));
        (Self::focus_composer().chain(self.place_caret()), event)
    }

    pub(super) fn toggle_picker(&mut self) -> Task<Message> {
        if self.picker.take().is_some() {
            return Self::focus_composer();
        }
        self.picker = Some(emoji_picker::State::new(self.composing.recent.clone()));
        emoji_picker::State::focus()
    }

    pub(super) fn picker_message(
        &mut self,
        message: emoji_picker::Message,
    ) -> (Task<Message>, Option<Event>) {
        let Some(picker) = &mut self.picker else { return (Task::none(), None) };
        match picker.update(message) {
            Some(emoji_picker::Event::Picked(emoji)) => {
                self.composing.recent = picker.recent().clone();
                self.picker = None;
                let at = self.caret.min(self.draft.len());
                let at = if self.draft.is_char_boundary(at) { at } else { self.draft.len() };
                self.draft.insert_str(at, &emoji);
                self.caret = at + emoji.len();
                self.emoji_completion = None;
                let task = Self::focus_composer().chain(self.place_caret());
                (task, Some(Event::RecentEmoji(self.composing.recent.clone())))
            }
            Some(emoji_picker::Event::Closed) => {
                self.picker = None;
                (Self::focus_composer(), None)
            }
            None => (Task::none(), None),
        }
    }

    /// The smileys setting changed (here or elsewhere).
    pub(super) fn set_smileys(&mut self, on: bool) {
        self.composing.smileys = on;
        self.bodies.set_smileys(on, &self.messages);
    }

    /// The styling setting changed (here or elsewhere).
    pub(super) fn set_styling(&mut self, on: bool) {
        self.composing.styling = on;
        self.bodies.set_styling(on, &self.messages);
    }

    /// Move the text input's caret to where the draft's caret is now.
    fn place_caret(&self) -> Task<Message> {
        let at = self.draft.get(..self.caret).map_or(0, |before| before.graphemes(true).count());
        iced::widget::operation::move_cursor_to(super::COMPOSER_ID, at)
    }

    pub(super) fn composer(&self) -> Element<'_, Message> {
        let can_write = self.can_write();
        let placeholder =
            if can_write { "Write a message…" } else { "Join the room to write here" };
        let input = text_input(placeholder, &self.draft)
            .id(super::COMPOSER_ID)
            .on_input_maybe(can_write.then_some(Message::Draft as fn(String) -> Message))
            .on_submit(Message::Send)
            .padding(theme::SPACE_M);
        let (empty, correcting) = (self.draft.is_empty(), self.correcting.is_some());
        let replying = self.replying.is_some();
        // Before the field sees them: it ignores Up and takes Escape for itself.
        let input = keys::on_key(input, move |key, modifiers| match key {
            // Ctrl+Up and Ctrl+Down pick the line to answer, as in Telegram.
            Key::Named(Named::ArrowUp) if modifiers.command() && !correcting => {
                Some(Message::Reply(super::reply::ReplyMessage::Older))
            }
            Key::Named(Named::ArrowDown) if modifiers.command() && replying => {
                Some(Message::Reply(super::reply::ReplyMessage::Newer))
            }
            Key::Named(Named::ArrowUp) if empty && !correcting && modifiers.is_empty() => {
                Some(Message::EditLast)
            }
            Key::Named(Named::Escape) if correcting => Some(Message::CancelEdit),
            Key::Named(Named::Escape) if replying => {
                Some(Message::Reply(super::reply::ReplyMessage::Cancel))
            }
            _ => None,
        });
        // The field pastes text itself; a picture on the clipboard is looked for besides.
        let input = keys::watch_key(input, |key, modifiers| match key {
            Key::Character(c) if modifiers.command() && c.eq_ignore_ascii_case("v") => {
                Some(Message::Outgoing(super::Outgoing::Paste))
            }
            _ => None,
        });
        let later = button(text("Send later").size(theme::TEXT_SMALL))
            .style(button::secondary)
            .on_press_maybe(
                (can_write && !correcting && !replying)
                    .then_some(Message::SendLater(super::send_later::Message::Toggle)),
            );
        let open = button(text(PICKER_ICON).font(EMOJI_FONT).size(theme::TEXT_TITLE).center())
            .width(theme::EMOJI_CELL)
            .height(theme::EMOJI_CELL)
            .padding(0)
            .style(theme::emoji_button(self.picker.is_some()))
            .on_press_maybe(can_write.then_some(Message::TogglePicker));
        let attach = button(text(ATTACH_ICON).font(EMOJI_FONT).size(theme::TEXT_TITLE).center())
            .width(theme::EMOJI_CELL)
            .height(theme::EMOJI_CELL)
            .padding(0)
            .style(theme::emoji_button(false))
            .on_press_maybe(can_write.then_some(Message::Outgoing(super::Outgoing::Attach)));
        let attach = tooltip(attach, text("Send files").size(theme::TEXT_SMALL), Position::Top)
            .style(container::rounded_box);
        let completions = self
            .emoji_completion
            .as_ref()
            .map(|completion| emoji_picker::completions(completion, 0, Message::CompleteEmoji));
        let picker = self.picker.as_ref().map(|picker| {
            let smileys = checkbox(self.composing.smileys)
                .label("Show :-) as 🙂, typed or received")
                .text_size(theme::TEXT_SMALL)
                .on_toggle(Message::Smileys);
            let styling = checkbox(self.composing.styling)
                .label("Show *bold*, _italic_, ~struck~, `code` and > quotes styled")
                .text_size(theme::TEXT_SMALL)
                .on_toggle(Message::Styling);
            let panel = column![picker.view().map(Message::Picker), smileys, styling]
                .spacing(theme::SPACE_XS)
                .width(theme::EMOJI_PICKER_WIDTH);
            container(panel).align_right(Fill).into()
        });
        let hint = correcting.then(|| {
            let hint = text("Editing your last message — Esc to cancel")
                .size(theme::TEXT_SMALL)
                .style(theme::muted);
            let cancel = button(text("Cancel").size(theme::TEXT_SMALL))
                .style(button::text)
                .on_press(Message::CancelEdit);
            row![hint, cancel].spacing(theme::SPACE_XS).align_y(Center).into()
        });
        let above: Vec<Element<'_, Message>> = [
            completions,
            picker,
            self.send_later_menu(),
            hint,
            self.reply_bar(),
            self.typed_path_view(),
            self.pasted_view(),
        ]
        .into_iter()
        .flatten()
        .collect();
        let gap = if above.is_empty() { 0.0 } else { theme::SPACE_S };
        let above =
            Column::with_children(above).spacing(theme::SPACE_S).padding(Padding::ZERO.bottom(gap));
        // What comes and goes above the field stays in its own column: iced keeps a widget's
        // state, the field's focus among it, by its place among its siblings, so the field
        // must stay second whatever is shown.
        let field = row![input, attach, open, later].spacing(theme::SPACE_XS).align_y(Center);
        container(column![above, field]).padding(theme::SPACE_S).into()
    }
}

/// Where the caret is after the draft went from `old` to `new` by one edit: after what was
/// inserted, or where something was deleted. A byte offset into `new`, on a char boundary.
fn edit_caret(old: &str, new: &str) -> usize {
    let prefix: usize =
        old.chars().zip(new.chars()).take_while(|(a, b)| a == b).map(|(c, _)| c.len_utf8()).sum();
    let room = old.len().min(new.len()) - prefix;
    let suffix: usize = old[prefix..]
        .chars()
        .rev()
        .zip(new[prefix..].chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(c, _)| c.len_utf8())
        .scan(0, |total, len| {
            *total += len;
            (*total <= room).then_some(len)
        })
        .sum();
    new.len() - suffix
}

#[cfg(test)]
mod tests {
    use super::super::COMPOSER_ID;
    use super::super::Outgoing;
    use super::*;
    use crate::model::HistoryPage;
    use crate::model::{ChatId, Delivery, Direction, Message as ChatMessage};
    use crate::ui::files::Pasted;
    use crate::ui::frames::Window;
    use iced::keyboard::key::Named;
    use iced_test::{selector, simulator};

    fn chat(smileys: bool) -> State {
        let composing = Composing { smileys, ..Composing::default() };
        State::new(ChatId("bob@x".into())).with_composing(composing)
    }

    /// Types `keys` into the composer as the user would, one update per message.
    fn type_in(state: &mut State, keys: &str) -> Vec<Event> {
        let messages: Vec<Message> = {
            let mut ui = simulator(state.view());
            ui.click(selector::id(COMPOSER_ID)).expect("the composer");
            ui.typewrite(keys);
            ui.into_messages().collect()
        };
        messages.into_iter().filter_map(|m| state.update(m).1).collect()
    }

    /// A conversation in a window that keeps its widgets between views, remembering what it
    /// asked of its parent, with the cursor in the message field.
    struct Open {
        chat: State,
        events: Vec<Event>,
    }

    fn view(open: &Open) -> Element<'_, Message> {
        open.chat.view()
    }

    fn update(open: &mut Open, message: Message) -> Task<Message> {
        let (task, event) = open.chat.update(message);
        open.events.extend(event);
        task
    }

    fn open(chat: State) -> Window<Open, Message> {
        let mut window = Window::new(Open { chat, events: Vec::new() }, view, update);
        window.click(selector::id(COMPOSER_ID));
        window
    }

    fn field_has_focus(window: &mut Window<Open, Message>) -> bool {
        let field = window.find(selector::id(COMPOSER_ID)).map(|t| t.bounds());
        field.is_some() && window.focused().map(|t| t.bounds()) == field
    }

    #[test]
    fn typing_on_while_completions_come_and_go_keeps_every_key() {
        let mut window = open(chat(true));
        window.type_text("Launch :ro");
        assert!(window.state.chat.emoji_completion.is_some(), "the row is shown");
        window.type_text("cket: ");
        assert_eq!(window.state.chat.draft, "Launch 🚀 ");
        assert!(field_has_focus(&mut window));
    }

    #[test]
    fn up_corrects_and_the_correction_can_be_typed_and_given_up() {
        let ours = ChatMessage {
            direction: Direction::Out,
            state: Delivery::Sent,
            body: "see you at 5".into(),
            ..super::super::tests::message(1, 10)
        };
        let mut state = chat(true);
        state.history(HistoryPage {
            chat: state.chat.clone(),
            messages: vec![ours],
            has_more: false,
        });
        let mut window = open(state);
        window.tap(Named::ArrowUp);
        assert!(window.find("Editing your last message — Esc to cancel").is_some());
        window.type_text(":30");
        assert_eq!(window.state.chat.draft, "see you at 5:30");
        window.tap(Named::Escape);
        assert!(!window.state.chat.is_correcting(), "Esc gave up");
        assert!(window.state.chat.draft.is_empty());
        assert!(window.find("Editing your last message — Esc to cancel").is_none());
        assert!(!window.state.events.iter().any(|e| matches!(e, Event::Correct { .. })));
        assert!(field_has_focus(&mut window));
    }

    #[test]
    fn enter_sends_a_pasted_picture_and_the_words_typed_with_it() {
        let picture =
            || Pasted { path: "/tmp/confab-x/p.png".into(), width: 8, height: 8, bytes: 64 };
        let mut window = open(chat(true));
        window.change(|open| {
            open.chat.update(Message::Outgoing(Outgoing::Pasted(Ok(Some(picture()))))).0
        });
        assert!(window.find("Picture from the clipboard").is_some());
        window.tap(Named::Enter);
        let to = ChatId("bob@x".into());
        assert_eq!(window.state.events, [Event::SendFile { to: to.clone(), path: picture().path }]);

        window.state.events.clear();
        window.change(|open| {
            open.chat.update(Message::Outgoing(Outgoing::Pasted(Ok(Some(picture()))))).0
        });
        window.type_text("look");
        window.tap(Named::Enter);
        let sent: Vec<_> =
            window.state.events.iter().filter(|e| !matches!(e, Event::Typing { .. })).collect();
        let words = Event::Send { to: to.clone(), body: "look".into() };
        assert_eq!(sent, [&words, &Event::SendFile { to, path: picture().path }]);
        assert!(window.find("Picture from the clipboard").is_none());
    }

    #[test]
    fn the_caret_is_where_the_last_edit_ended() {
        assert_eq!(edit_caret("", "a"), 1);
        assert_eq!(edit_caret("hello", "hello!"), 6);
        assert_eq!(edit_caret("hllo", "hello"), 2, "inserted in the middle");
        assert_eq!(edit_caret("hello", "helo"), 3, "deleted in the middle");
        assert_eq!(edit_caret("ab", "a😀b"), 5);
        assert_eq!(edit_caret("same", "same"), 4);
        assert_eq!(edit_caret("aa", "aaa"), 3, "either a would do; the text is the same");
    }

    #[test]
    fn typed_smileys_become_emoji_when_the_setting_is_on() {
        let mut on = chat(true);
        type_in(&mut on, "hi :-) ");
        assert_eq!(on.draft, "hi 🙂 ");
        let mut off = chat(false);
        type_in(&mut off, "hi :-) ");
        assert_eq!(off.draft, "hi :-) ", "left alone when turned off");
        type_in(&mut off, "go :rocket: ");
        assert_eq!(off.draft, "hi :-) go 🚀 ", "shortcodes are converted either way");
    }

    #[test]
    fn received_smileys_are_shown_like_typed_ones_and_follow_the_setting() {
        let mut state = chat(true);
        let mut received = crate::ui::conversation::tests::message(1, 10);
        received.body = "thanks :)".into();
        let page =
            HistoryPage { chat: state.chat.clone(), messages: vec![received], has_more: false };
        state.history(page);
        let mut window = open(state);
        assert!(window.find("thanks 🙂").is_some(), "shown as the emoji typing would give");
        window.change(|open| update(open, Message::Smileys(false)));
        assert!(window.find("thanks :)").is_some(), "as sent, once the setting is off");
    }

    #[test]
    fn a_smiley_at_the_end_is_converted_on_sending() {
        let mut state = chat(true);
        let _ = state.update(Message::Draft("see you :)".into()));
        assert_eq!(state.draft, "see you :)", "it may still become :)) while typing");
        let (_, event) = state.update(Message::Send);
        let body = "see you 🙂".to_owned();
        assert_eq!(event, Some(Event::Send { to: ChatId("bob@x".into()), body }));
        let mut off = chat(false);
        let _ = off.update(Message::Draft("see you :)".into()));
        let (_, event) = off.update(Message::Send);
        let body = "see you :)".to_owned();
        assert_eq!(event, Some(Event::Send { to: ChatId("bob@x".into()), body }));
    }

    #[test]
    fn a_shortcode_being_typed_offers_completions_and_enter_takes_the_first() {
        let mut state = chat(true);
        type_in(&mut state, "great :thu");
        let mut ui = simulator(state.view());
        ui.find("thumbsup").expect("the completion row offers 👍");
        drop(ui);
        let (_, event) = state.update(Message::Send);
        assert_eq!(event, Some(Event::RecentEmoji(Recent::parse("👍"))), "not sent");
        assert_eq!(state.draft, "great 👍");
        assert!(state.emoji_completion.is_none(), "the row is gone");
        let (_, event) = state.update(Message::Send);
        assert!(matches!(event, Some(Event::Send { body, .. }) if body == "great 👍"));
    }

    #[test]
    fn clicking_a_completion_applies_it() {
        let mut state = chat(true);
        let _ = state.update(Message::Draft("go :rock".into()));
        let clicked: Vec<Message> = {
            let mut ui = simulator(state.view());
            ui.click("rocket").expect("the candidate");
            ui.into_messages().collect()
        };
        for message in clicked {
            let _ = state.update(message);
        }
        assert_eq!(state.draft, "go 🚀");
    }

    #[test]
    fn the_picker_inserts_at_the_caret_and_remembers_the_emoji() {
        let mut state = chat(true);
        let _ = state.update(Message::Draft("hello".into()));
        let _ = state.update(Message::Draft("hello !".into()));
        let _ = state.update(Message::Draft("hello world!".into()));
        assert_eq!(state.caret, "hello world".len());
        let opened: Vec<Message> = {
            let mut ui = simulator(state.view());
            ui.click(PICKER_ICON).expect("the emoji button");
            ui.into_messages().collect()
        };
        for message in opened {
            let _ = state.update(message);
        }
        assert!(state.picker.is_some());
        let _ = state.update(Message::Picker(emoji_picker::Message::Query("rocket".into())));
        let (_, event) = state.update(Message::Picker(emoji_picker::Message::PickFirst));
        assert_eq!(state.draft, "hello world🚀!");
        assert_eq!(event, Some(Event::RecentEmoji(Recent::parse("🚀"))));
        assert!(state.picker.is_none(), "closed after picking");
        let _ = state.update(Message::TogglePicker);
        let mut ui = simulator(state.view());
        ui.find("Show :-) as 🙂, typed or received")
            .expect("the smileys setting beside the picker");
        drop(ui);
        let (_, event) = state.update(Message::Smileys(false));
        assert_eq!(event, Some(Event::Smileys(false)));
        type_in(&mut state, " :) ");
        assert!(state.draft.ends_with(":) "), "{}", state.draft);
    }

    #[test]
    fn received_styling_follows_the_setting_and_the_draft_keeps_its_markers() {
        let mut state = chat(true);
        let mut received = crate::ui::conversation::tests::message(1, 10);
        received.body = "*big* news".into();
        let page =
            HistoryPage { chat: state.chat.clone(), messages: vec![received], has_more: false };
        state.history(page);
        let mut window = open(state);
        assert!(window.find("*big* news").is_none(), "styled, not one plain text");
        window.change(|open| update(open, Message::Styling(false)));
        assert!(window.find("*big* news").is_some(), "as sent, once the setting is off");

        let mut state = chat(true);
        type_in(&mut state, "*typed* _as is_ ");
        assert_eq!(state.draft, "*typed* _as is_ ");
        let _ = state.update(Message::TogglePicker);
        let mut ui = simulator(state.view());
        ui.find("Show *bold*, _italic_, ~struck~, `code` and > quotes styled")
            .expect("the styling setting beside the picker");
        drop(ui);
        let (_, event) = state.update(Message::Styling(false));
        assert_eq!(event, Some(Event::Styling(false)));
        assert!(!state.composing.styling);
    }

    #[test]
    fn enter_without_completions_still_sends() {
        let mut state = chat(true);
        let typed: Vec<Message> = {
            let mut ui = simulator(state.view());
            ui.click(selector::id(COMPOSER_ID)).expect("composer is there");
            ui.typewrite("10:30 ok");
            ui.tap_key(Named::Enter);
            ui.into_messages().collect()
        };
        let events: Vec<Event> = typed
            .into_iter()
            .filter_map(|m| state.update(m).1)
            .filter(|e| !matches!(e, Event::Typing { .. }))
            .collect();
        let body = "10:30 ok".to_owned();
        assert_eq!(events, [Event::Send { to: ChatId("bob@x".into()), body }]);
    }
}
