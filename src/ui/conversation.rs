//! One conversation: a window of its history (paged in from the store as the user scrolls up)
//! and the composer. Only a bounded number of messages is held, however long the history.
//! In a room, senders are named in their colour, what happens (joins, kicks, a new subject)
//! is told in quiet lines, messages naming us stand out, and Tab completes nicknames.
//! A message of nothing but a few emoji is shown large. By feature: the composer
//! (`composer.rs`), bubbles with delivery states and the outbox's buttons (`bubble.rs`),
//! "Send later" (`send_later.rs`), corrections (`correction.rs`) and typing (`typing.rs`).
//! Shared files: sending them (`sending.rs`), drawing them (`attachment.rs`), their transfers
//! and buttons (`transfers.rs`), thumbnails (`thumbnails.rs`) and the picture viewer
//! (`viewer.rs`); links, and the question before opening what is not a web page (`links.rs`).
//! Each message's words are prepared once, capped and with their links found (`body.rs`);
//! messages and quiet lines are merged in time order (`timeline.rs`); what can be done to a
//! line is offered beside it and in its menu (`line_actions.rs`).

mod attachment;
mod body;
mod bubble;
mod composer;
mod correction;
mod days;
mod find;
mod line_actions;
mod links;
mod reactions;
mod removal;
mod reply;
mod room_context;
mod send_later;
mod sending;
mod stretch;
mod thumbnails;
mod timeline;
mod transfers;
mod typing;
mod viewer;

pub use attachment::FileMessage;
pub use bubble::OutboxMessage;
pub use composer::Composing;
pub use find::{FIND_ID, FindMessage};
pub use line_actions::LineMessage;
pub use room_context::RoomContext;
pub use sending::Outgoing;
pub use thumbnails::keep_in as keep_thumbnails_in;
pub use typing::PAUSE_AFTER;

use super::nick::Completion;
use super::widget::slot;
use super::{emoji_picker, theme};
use crate::emoji::{self, Recent};
use crate::model::{
    ChatId, Delivery, Direction, HistoryPage, Message as ChatMessage, MessageKind, Transfer, Typing,
};
use crate::ui::files::Pasted;
use crate::worker::OutboxAction;
use chrono::{DateTime, Utc};
use iced::widget::scrollable::Viewport;
use iced::widget::{column, container, scrollable, text};
use iced::{Element, Fill, Task};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

/// Messages asked for per page.
pub const PAGE: usize = 100;
/// The most messages held while the view is at the bottom; older ones are dropped as new ones
/// come, and come back a page at a time when scrolled to. Every event redraws the open
/// conversation, so what it holds is paid for on each: with 400 the soak's window spent
/// 0.5 CPU-s and 1 MB more every minute until the 400 were reached.
const MAX_WINDOW: usize = PAGE;
/// How close to the top (in pixels) scrolling must come before an older page is asked for.
const LOAD_MARGIN: f32 = 200.0;

pub const COMPOSER_ID: &str = "composer";
const LIST_ID: &str = "messages";

#[derive(Debug)]
pub struct State {
    pub chat: ChatId,
    /// Quiet lines (presence changes) seen while the conversation is open; not stored.
    notes: timeline::Notes,
    messages: Vec<ChatMessage>,
    /// The words of `messages`, ready to draw.
    bodies: body::Bodies,
    has_more: bool,
    loading_older: bool,
    at_bottom: bool,
    draft: String,
    /// Where the caret is taken to be in `draft` (a byte offset): where the last edit ended.
    caret: usize,
    /// Set when this is a room's conversation.
    room: Option<RoomContext>,
    /// The Tab completion under way, until something is typed.
    completion: Option<Completion>,
    /// The `:shortcode` being typed and what it could become, shown above the composer.
    emoji_completion: Option<emoji::Completion>,
    /// The emoji picker, while open.
    picker: Option<emoji_picker::State>,
    composing: Composing,
    /// Our last message, while the composer holds its correction.
    correcting: Option<i64>,
    /// A scheduled message being edited in its bubble, and its new text.
    outbox_edit: Option<(i64, String)>,
    /// The "Send later" menu, while open.
    send_later: Option<send_later::Menu>,
    typists: typing::Typists,
    /// The newest incoming message the user has been shown, as last told to the worker.
    displayed: Option<i64>,
    /// Pictures of the messages in view, decoded small.
    thumbnails: thumbnails::Thumbnails,
    /// Uploads and downloads under way (or failed), by message.
    transfers: HashMap<i64, Transfer>,
    /// A picture shown large, while open.
    viewer: Option<viewer::Viewer>,
    /// A link or file waiting for the user's word before it is opened.
    prompt: Option<links::Prompt>,
    /// A picture pasted from the clipboard, waiting for Send or Discard.
    pasted: Option<Pasted>,
    /// The path being typed for a file to send, when there is no file dialog to choose it.
    typed_path: Option<String>,
    /// A line being deleted or removed, until confirmed or cancelled.
    removing: Option<removal::Removing>,
    /// Reactions on the lines in view, and the line whose row of emoji is open.
    reactions: reactions::Reactions,
    /// The find bar (Ctrl+F), while open.
    find: Option<find::Find>,
    /// The line shown in place (a search hit, a reply's original).
    focus: Option<i64>,
    /// Set while newer lines than those held are left out (`stretch.rs`).
    left_out: Option<stretch::LeftOut>,
    /// A change at the bottom of the list waiting for the next viewport to keep what is on
    /// screen in place.
    keep_top: Option<stretch::KeepTop>,
    /// Where the list was when it last reported.
    seen: stretch::Seen,
    /// The line being answered, while the composer holds the answer.
    replying: Option<reply::Replying>,
    /// The line under the pointer, and the line whose menu is open.
    line_actions: line_actions::LineActions,
}

#[derive(Debug, Clone)]
pub enum Message {
    Draft(String),
    /// Enter: apply the first `:shortcode` completion when one is offered, else send.
    Send,
    Scrolled(Viewport),
    /// The find bar (Ctrl+F).
    Find(FindMessage),
    /// Back from an older stretch to the latest lines.
    JumpToLatest,
    /// A `:shortcode` completion, by its index.
    CompleteEmoji(usize),
    TogglePicker,
    Picker(emoji_picker::Message),
    /// Turn ASCII smileys into emoji, or stop.
    Smileys(bool),
    /// Draw messages' styling, or show them as typed.
    Styling(bool),
    /// Up in an empty composer: correct our last message.
    EditLast,
    /// Escape while correcting, or Cancel beside the hint.
    CancelEdit,
    /// A button on one of our messages, or the text of a scheduled one being edited.
    Outbox(OutboxMessage),
    SendLater(send_later::Message),
    /// A shared file's buttons and thumbnails, and the picture viewer.
    File(FileMessage),
    /// Sending files: the 📎 button, a dropped file, a pasted picture.
    Outgoing(Outgoing),
    /// A link in a message was clicked.
    OpenLink(String),
    /// The answer to "Open this link?" (or file): open, or not.
    AnswerPrompt(bool),
    /// Delete one of our lines, or remove someone's as a moderator.
    Removal(removal::RemovalMessage),
    /// A reaction chip or the React row under a line.
    Reaction(reactions::ReactionMessage),
    /// Reply beside a line, the bar above the composer, or a reply's quote.
    Reply(reply::ReplyMessage),
    /// The pointer over a line, its menu.
    Line(LineMessage),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Send {
        to: ChatId,
        body: String,
    },
    LoadOlder {
        chat: ChatId,
        before: i64,
    },
    /// The lines after `after`, scrolling down an older stretch towards the latest.
    LoadNewer {
        chat: ChatId,
        after: i64,
    },
    /// The newest page again, leaving an older stretch shown in place.
    LoadLatest {
        chat: ChatId,
    },
    /// Search this conversation (the find bar).
    Search(crate::model::search::SearchQuery),
    /// Show this line in place, among its neighbours.
    ShowAround {
        chat: ChatId,
        message_id: i64,
    },
    /// An emoji was used: keep the recently used list.
    RecentEmoji(Recent),
    /// Keep the smileys setting.
    Smileys(bool),
    /// Keep the styling setting.
    Styling(bool),
    /// Put the message in the outbox until `at`.
    SendAt {
        to: ChatId,
        body: String,
        at: DateTime<Utc>,
    },
    /// Replace our last message in `chat` with `body`.
    Correct {
        chat: ChatId,
        body: String,
    },
    /// Retry, edit, send now or cancel a message that has not gone out.
    Outbox(OutboxAction),
    /// Take back our line `message_id` in `chat` (XEP-0424).
    Retract {
        chat: ChatId,
        message_id: i64,
    },
    /// Answer line `message_id` in `chat` with `body` (XEP-0461).
    Reply {
        chat: ChatId,
        message_id: i64,
        body: String,
    },
    /// Set our reactions on line `message_id` to `emojis`, our whole new set (XEP-0444).
    React {
        chat: ChatId,
        message_id: i64,
        emojis: Vec<String>,
    },
    /// Remove line `message_id` from `room` as a moderator (XEP-0425).
    Moderate {
        room: ChatId,
        message_id: i64,
        reason: Option<String>,
    },
    /// Tell the peer whether we are typing.
    Typing {
        chat: ChatId,
        typing: Typing,
    },
    /// Upload this file and send it here.
    SendFile {
        to: ChatId,
        path: PathBuf,
    },
    /// Fetch the file of this message.
    Download(i64),
    CancelDownload(i64),
    /// Open an address with the system's browser or handler; already agreed to if need be.
    OpenLink(String),
    /// Open a file with the system's application for it; already agreed to if need be.
    OpenFile(PathBuf),
    /// Something the user should know about.
    Notice(String),
}

impl State {
    pub fn new(chat: ChatId) -> Self {
        Self {
            chat,
            notes: timeline::Notes::default(),
            messages: Vec::new(),
            bodies: body::Bodies::default(),
            has_more: false,
            loading_older: true,
            at_bottom: true,
            draft: String::new(),
            caret: 0,
            room: None,
            completion: None,
            emoji_completion: None,
            picker: None,
            composing: Composing::default(),
            correcting: None,
            outbox_edit: None,
            send_later: None,
            typists: typing::Typists::default(),
            displayed: None,
            thumbnails: thumbnails::Thumbnails::default(),
            transfers: HashMap::new(),
            viewer: None,
            prompt: None,
            pasted: None,
            typed_path: None,
            removing: None,
            reactions: reactions::Reactions::default(),
            find: None,
            focus: None,
            left_out: None,
            keep_top: None,
            seen: stretch::Seen::default(),
            replying: None,
            line_actions: line_actions::LineActions::default(),
        }
    }

    /// With the user's smileys and styling settings and recently used emoji.
    pub fn with_composing(mut self, composing: Composing) -> Self {
        self.set_composing(composing);
        self
    }

    /// The settings changed elsewhere (another conversation, another account).
    pub fn set_composing(&mut self, composing: Composing) {
        self.set_smileys(composing.smileys);
        self.set_styling(composing.styling);
        self.composing.recent = composing.recent;
    }

    pub fn focus_composer<M: Send + 'static>() -> Task<M> {
        iced::widget::operation::focus(COMPOSER_ID)
    }

    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::Draft(draft) => {
                let task = self.edit(draft);
                (task, self.draft_typing(Instant::now()))
            }
            Message::Send if self.completing() => self.complete_emoji(0),
            // Sending from an older stretch (a search hit) goes back to the latest lines first,
            // where what is sent will show.
            Message::Send if self.away_from_latest() => {
                let back = self.back_to_latest();
                (Task::done(Message::Send), Some(back))
            }
            Message::Send if self.correcting.is_some() => (Task::none(), self.send_correction()),
            Message::Send if self.pasted.is_some() => self.send_with_pasted(),
            Message::Send if self.replying.is_some() => (Task::none(), self.send_reply()),
            Message::Send => {
                let body = self.finished_draft();
                if body.is_empty() {
                    return (Task::none(), None);
                }
                self.clear_draft();
                (Task::none(), Some(Event::Send { to: self.chat.clone(), body }))
            }
            Message::Scrolled(viewport) => self.scrolled(viewport),
            Message::Find(message) => self.find_message(message),
            Message::JumpToLatest => (Task::none(), Some(self.back_to_latest())),
            Message::CompleteEmoji(choice) => self.complete_emoji(choice),
            Message::TogglePicker => (self.toggle_picker(), None),
            Message::Picker(message) => self.picker_message(message),
            Message::Smileys(on) => {
                self.set_smileys(on);
                (Task::none(), Some(Event::Smileys(on)))
            }
            Message::Styling(on) => {
                self.set_styling(on);
                (Task::none(), Some(Event::Styling(on)))
            }
            Message::EditLast => (self.edit_last(), None),
            Message::CancelEdit => {
                self.cancel_edit();
                (Task::none(), None)
            }
            Message::Outbox(message) => self.outbox_message(message),
            Message::Removal(message) => self.removal(message),
            Message::Reaction(message) => self.reaction(message),
            Message::Reply(message) => self.reply_message(message),
            Message::Line(message) => self.line_message(message),
            Message::SendLater(message) => self.send_later(message),
            Message::File(message) => self.file_message(message),
            Message::Outgoing(message) => self.outgoing(message),
            Message::OpenLink(link) => (Task::none(), self.link_clicked(link)),
            Message::AnswerPrompt(open) => (Task::none(), self.answer_prompt(open)),
        }
    }

    /// What is shown over the whole window for this conversation: a question before opening
    /// something, or a picture shown large.
    pub fn overlay(&self) -> Option<Element<'_, Message>> {
        match (&self.prompt, &self.viewer) {
            (Some(prompt), _) => Some(links::prompt(prompt)),
            (None, Some(viewer)) => Some(viewer.view()),
            (None, None) => None,
        }
    }

    /// Escape: close the question or the viewer; `false` when neither was open.
    pub fn close_overlay(&mut self) -> bool {
        self.prompt.take().is_some() || self.viewer.take().is_some()
    }

    /// A page from the store: the newest one on opening, older ones when scrolling up.
    pub fn history(&mut self, page: HistoryPage) {
        if page.chat != self.chat {
            return;
        }
        self.loading_older = false;
        let older = self.not_held(page.messages);
        self.has_more = page.has_more;
        self.messages.splice(0..0, older);
        self.bodies.keep(&self.messages);
    }

    /// Those of `lines` not held already.
    fn not_held(&self, lines: Vec<ChatMessage>) -> Vec<ChatMessage> {
        lines
            .into_iter()
            .filter(|line| !self.messages.iter().any(|held| held.id == line.id))
            .collect()
    }

    /// A message was stored: show it if it belongs here.
    pub fn push(&mut self, message: ChatMessage) {
        if message.chat != self.chat || self.messages.iter().any(|m| m.id == message.id) {
            return;
        }
        if self.away() {
            return;
        }
        let position = self
            .messages
            .partition_point(|m| (m.timestamp, m.id) <= (message.timestamp, message.id));
        if message.direction == Direction::In && message.kind == MessageKind::Message {
            self.peer_wrote();
        }
        if position == self.messages.len() {
            self.keep_top_in_place();
        }
        self.bodies.renew(&message);
        self.messages.insert(position, message);
        if self.at_bottom && self.messages.len() > MAX_WINDOW {
            let excess = self.messages.len() - MAX_WINDOW;
            for gone in self.messages.drain(..excess) {
                self.bodies.forget(gone.id);
            }
            self.has_more = true;
            self.forget_gone_files();
        }
    }

    /// Add a quiet line, such as "Bob is now away", at the current time.
    pub fn note(&mut self, line: String) {
        self.notes.push(Utc::now(), line);
    }

    /// A shown message changed (corrected, edited or rescheduled in the outbox, or moved to
    /// where the archive has it); it keeps its place unless its time changed.
    pub fn replace(&mut self, message: ChatMessage) {
        let Some(at) = self.messages.iter().position(|m| m.id == message.id) else { return };
        self.bodies.renew(&message);
        if self.messages[at].timestamp == message.timestamp {
            self.messages[at] = message;
            return;
        }
        self.messages.remove(at);
        let position = self
            .messages
            .partition_point(|m| (m.timestamp, m.id) <= (message.timestamp, message.id));
        self.messages.insert(position, message);
    }

    /// A queued message was cancelled.
    pub fn remove(&mut self, message_id: i64) {
        self.messages.retain(|m| m.id != message_id);
        self.bodies.keep(&self.messages);
        self.outbox_edit.take_if(|(id, _)| *id == message_id);
        self.forget_gone_files();
    }

    pub fn set_delivery(&mut self, message_id: i64, state: Delivery) {
        if let Some(message) = self.messages.iter_mut().find(|m| m.id == message_id) {
            if state != Delivery::Pending {
                // It has left the outbox: no longer scheduled.
                message.scheduled_for = None;
                self.outbox_edit.take_if(|(id, _)| *id == message_id);
            }
            message.state = state;
        }
    }

    /// Called while the conversation is in front of the user (the window focused): the newest
    /// incoming message when it is in view and has not been reported yet, for a read marker.
    pub fn take_displayed(&mut self) -> Option<i64> {
        if !self.at_bottom || self.room.is_some() || self.away_from_latest() {
            return None;
        }
        let newest = self
            .messages
            .iter()
            .rev()
            .find(|m| m.direction == Direction::In && m.kind == MessageKind::Message)?
            .id;
        (self.displayed != Some(newest)).then(|| {
            self.displayed = Some(newest);
            newest
        })
    }

    pub fn view(&self) -> Element<'_, Message> {
        let bubbles = self.timeline();
        let list: Element<'_, Message> = if self.messages.is_empty() && !self.loading_older {
            container(text("No messages yet. Say hello!").style(theme::muted)).center(Fill).into()
        } else {
            scrollable(bubbles)
                .id(LIST_ID)
                .anchor_bottom()
                .on_scroll(Message::Scrolled)
                .height(Fill)
                .into()
        };
        // The typing line keeps its place when nobody is typing, and the composer with it; so
        // do the find bar and the way back from an older stretch.
        column![
            slot(self.find_bar()),
            list,
            slot(self.latest_bar()),
            slot(self.typing_line()),
            self.composer()
        ]
        .into()
    }
}

#[cfg(test)]
pub(super) mod tests;
