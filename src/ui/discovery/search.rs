//! Searching a user directory in the browser (XEP-0055): the directory's form (the shared
//! renderer), then the people found as a table, each with *Add* where the directory gives an
//! address; *Search again* goes back to the form as it was filled in.

use super::Event;
use crate::model::{Directory, DirectorySearch};
use crate::ui::{form, theme};
use iced::widget::{Column, Row, button, column, row, text};
use iced::{Center, Element, Fill};

/// Rows drawn at once (the engine keeps up to 500).
const MAX_DRAWN: usize = 200;

#[derive(Debug)]
pub struct State {
    jid: String,
    /// The form as last filled in, for searching again.
    form: Option<Box<form::State>>,
    stage: Stage,
}

#[derive(Debug)]
enum Stage {
    Waiting,
    Asked { problem: Option<String> },
    Found(Directory),
    Failed(String),
}

#[derive(Debug, Clone)]
pub enum Message {
    Form(form::Message),
    Search,
    Again,
    Add(String),
}

impl State {
    /// Ask the directory for its form; the returned event goes to the worker.
    pub fn start(jid: String) -> (Self, Event) {
        let ask = Event::Search { jid: jid.clone(), form: None };
        (Self { jid, form: None, stage: Stage::Waiting }, ask)
    }

    /// The entity did not answer the last step in time.
    pub fn give_up(&mut self) {
        if matches!(self.stage, Stage::Waiting) {
            self.stage = Stage::Failed(super::NO_ANSWER.into());
        }
    }

    pub fn jid(&self) -> &str {
        &self.jid
    }

    pub fn answer(&mut self, answer: Result<DirectorySearch, String>) {
        self.stage = match answer {
            Ok(DirectorySearch::Asked(form)) => {
                self.form = Some(Box::new(form::State::new(form)));
                Stage::Asked { problem: None }
            }
            Ok(DirectorySearch::Found(directory)) => Stage::Found(directory),
            Err(why) => Stage::Failed(why),
        };
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        let search = match message {
            Message::Form(message) => {
                self.form.as_mut()?.update(message) == Some(form::Event::Submit)
            }
            Message::Search => true,
            Message::Again => {
                self.stage = Stage::Asked { problem: None };
                false
            }
            Message::Add(jid) => return Some(Event::AddContact(jid)),
        };
        if !search || !matches!(self.stage, Stage::Asked { .. }) {
            return None;
        }
        let filled = self.form.as_ref()?.form();
        if let Err(why) = filled.check() {
            self.stage = Stage::Asked { problem: Some(why) };
            return None;
        }
        self.stage = Stage::Waiting;
        Some(Event::Search { jid: self.jid.clone(), form: Some(filled) })
    }

    pub fn view(&self) -> Element<'_, Message> {
        match (&self.stage, &self.form) {
            (Stage::Waiting, _) => text("Waiting for the directory…").style(theme::muted).into(),
            (Stage::Failed(why), _) => text(why.as_str()).style(theme::error_text).into(),
            (Stage::Asked { problem }, Some(form)) => {
                let mut page = column![form.view().map(Message::Form)].spacing(theme::SPACE_M);
                if let Some(problem) = problem {
                    page = page.push(text(problem.as_str()).style(theme::error_text));
                }
                page.push(button("Search").on_press(Message::Search)).into()
            }
            (Stage::Asked { .. }, None) => column![].into(),
            (Stage::Found(directory), _) => found(directory),
        }
    }
}

fn found(directory: &Directory) -> Element<'_, Message> {
    let count = match directory.rows.len() {
        0 => "Nobody found.".to_owned(),
        1 => "One found.".to_owned(),
        n if directory.cut => format!("The first {n} found; narrow the search for the rest."),
        n => format!("{n} found."),
    };
    let mut table = Column::new().spacing(theme::SPACE_XS);
    let header = directory.columns.iter().map(|c| {
        text(c.as_str()).size(theme::TEXT_SMALL).style(theme::accent_text).width(Fill).into()
    });
    table = table.push(Row::with_children(header).push(text("").width(60)).spacing(theme::SPACE_S));
    for person in directory.rows.iter().take(MAX_DRAWN) {
        let cells = person.cells.iter().map(|c| text(c.as_str()).width(Fill).into());
        let add: Element<'_, Message> = match &person.jid {
            Some(jid) => button(text("Add").size(theme::TEXT_SMALL))
                .style(button::secondary)
                .on_press(Message::Add(jid.clone()))
                .width(60)
                .into(),
            None => text("").width(60).into(),
        };
        table =
            table.push(Row::with_children(cells).push(add).spacing(theme::SPACE_S).align_y(Center));
    }
    if directory.rows.len() > MAX_DRAWN {
        let more = directory.rows.len() - MAX_DRAWN;
        table = table.push(text(format!("and {more} more; narrow the search")).style(theme::muted));
    }
    let again = button(text("Search again").size(theme::TEXT_SMALL))
        .style(button::secondary)
        .on_press(Message::Again);
    column![row![text(count).width(Fill), again].align_y(Center), table]
        .spacing(theme::SPACE_M)
        .into()
}
