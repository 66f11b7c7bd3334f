//! An ad-hoc command (XEP-0050) run in the browser: each stage's notes and form (the one form
//! renderer registration and room configuration use), and the steps the entity allows:
//! back, next, finish, cancel. A finished command shows its result until closed.

use super::Event;
use crate::model::{CommandAction, CommandStage, CommandStatus, NoteKind};
use crate::ui::{form, theme};
use iced::widget::{Column, button, column, row, scrollable, text};
use iced::{Center, Element};

#[derive(Debug)]
pub struct State {
    jid: String,
    node: String,
    name: String,
    /// The entity's session for this run, once its first stage named it.
    session: Option<String>,
    stage: Stage,
}

#[derive(Debug)]
enum Stage {
    /// A step was asked for; its answer is awaited.
    Waiting,
    Shown(Box<Shown>),
    Failed(String),
}

/// A stage as the entity answered it, with its form as filled in so far.
#[derive(Debug)]
struct Shown {
    stage: CommandStage,
    form: Option<form::State>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Form(form::Message),
    Step(CommandAction),
}

impl State {
    /// Start the command; the returned step goes to the worker.
    pub fn start(jid: String, node: String, name: String) -> (Self, Event) {
        let step = Event::Step {
            jid: jid.clone(),
            node: node.clone(),
            session: None,
            action: CommandAction::Execute,
            form: None,
        };
        (Self { jid, node, name, session: None, stage: Stage::Waiting }, step)
    }

    /// The entity did not answer the last step in time.
    pub fn give_up(&mut self) {
        if matches!(self.stage, Stage::Waiting) {
            self.stage = Stage::Failed(super::NO_ANSWER.into());
        }
    }

    pub fn is_for(&self, jid: &str, node: &str) -> bool {
        self.jid == jid && self.node == node
    }

    pub fn stage(&mut self, answer: Result<CommandStage, String>) {
        if !matches!(self.stage, Stage::Waiting) {
            return;
        }
        // The answer to the cancel of an earlier run of the same command, closed half-way:
        // this run has no session yet, and a first step is never answered "cancelled".
        let first = self.session.is_none();
        if let Ok(stage) = &answer
            && (first && stage.status == CommandStatus::Canceled
                || !first && stage.session.is_some() && stage.session != self.session)
        {
            return;
        }
        if let Ok(stage) = &answer {
            self.session = stage.session.clone().or(self.session.take());
        }
        self.stage = match answer {
            Ok(stage) => {
                let form = stage.form.clone().map(form::State::new);
                Stage::Shown(Box::new(Shown { stage, form }))
            }
            Err(why) => Stage::Failed(why),
        };
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Form(message) => {
                let Stage::Shown(shown) = &mut self.stage else { return None };
                let Shown { stage, form: Some(form) } = shown.as_mut() else { return None };
                let submitted = form.update(message) == Some(form::Event::Submit);
                let forward = stage.forward();
                (submitted && stage.status == CommandStatus::Executing)
                    .then(|| self.step(forward))
                    .flatten()
            }
            Message::Step(action) => self.step(action),
        }
    }

    /// The command is closed: a run left half-way is cancelled, so the entity can let its
    /// session go.
    pub fn cancel(self) -> Option<Event> {
        let Stage::Shown(shown) = self.stage else { return None };
        (shown.stage.status == CommandStatus::Executing).then_some(Event::Step {
            jid: self.jid,
            node: self.node,
            session: shown.stage.session,
            action: CommandAction::Cancel,
            form: None,
        })
    }

    fn step(&mut self, action: CommandAction) -> Option<Event> {
        let Stage::Shown(shown) = &self.stage else { return None };
        let Shown { stage, form } = shown.as_ref();
        if stage.status != CommandStatus::Executing {
            return None;
        }
        let form = match action {
            CommandAction::Cancel | CommandAction::Prev => None,
            _ => form.as_ref().map(form::State::form),
        };
        let session = stage.session.clone();
        self.stage = Stage::Waiting;
        Some(Event::Step { jid: self.jid.clone(), node: self.node.clone(), session, action, form })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn view(&self) -> Element<'_, Message> {
        let body: Element<'_, Message> = match &self.stage {
            Stage::Waiting => text("Waiting for the answer…").style(theme::muted).into(),
            Stage::Failed(why) => text(why.as_str()).style(theme::error_text).into(),
            Stage::Shown(shown) => stage_view(&shown.stage, shown.form.as_ref()),
        };
        column![text(self.jid.as_str()).size(theme::TEXT_SMALL).style(theme::muted), body]
            .spacing(theme::SPACE_S)
            .into()
    }
}

fn stage_view<'a>(stage: &'a CommandStage, form: Option<&'a form::State>) -> Element<'a, Message> {
    let mut content = Column::new().spacing(theme::SPACE_S);
    for (kind, note) in &stage.notes {
        let style = match kind {
            NoteKind::Info => theme::accent_text,
            NoteKind::Warning => theme::muted,
            NoteKind::Error => theme::error_text,
        };
        let prefix = match kind {
            NoteKind::Info => "",
            NoteKind::Warning => "Warning: ",
            NoteKind::Error => "Error: ",
        };
        content = content.push(text(format!("{prefix}{note}")).style(style));
    }
    if stage.status == CommandStatus::Executing {
        if let Some(form) = form {
            content = content.push(form.view().map(Message::Form));
        }
    } else if let Some(result) = &stage.form {
        // What a finished command tells is read, not filled in.
        if let Some(title) = &result.title {
            content = content.push(text(title.as_str()).size(theme::TEXT_TITLE));
        }
        content = content.push(super::view::values(result));
    }
    let buttons = match stage.status {
        CommandStatus::Executing => steps(stage),
        CommandStatus::Completed => {
            row![text("Done.").style(theme::muted)].align_y(Center).spacing(theme::SPACE_S)
        }
        CommandStatus::Canceled => {
            row![text("Cancelled.").style(theme::muted)].align_y(Center).spacing(theme::SPACE_S)
        }
    };
    column![scrollable(content).height(iced::Shrink), buttons].spacing(theme::SPACE_M).into()
}

/// The buttons for the steps the stage allows: the one that goes forward is the main one.
fn steps(stage: &CommandStage) -> iced::widget::Row<'_, Message> {
    let forward = stage.forward();
    let mut buttons = row![
        button("Cancel").style(button::secondary).on_press(Message::Step(CommandAction::Cancel))
    ]
    .spacing(theme::SPACE_S)
    .align_y(Center);
    if stage.allowed.contains(&CommandAction::Prev) {
        buttons = buttons.push(
            button("Back").style(button::secondary).on_press(Message::Step(CommandAction::Prev)),
        );
    }
    let label = match forward {
        CommandAction::Next => "Next",
        CommandAction::Complete => "Finish",
        _ => "Go on",
    };
    let next_too =
        forward == CommandAction::Complete && stage.allowed.contains(&CommandAction::Next);
    if next_too {
        buttons = buttons.push(
            button("Next").style(button::secondary).on_press(Message::Step(CommandAction::Next)),
        );
    }
    buttons.push(button(label).on_press(Message::Step(forward)))
}
