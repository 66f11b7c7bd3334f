//! Registering with a service in the browser (XEP-0077): its form (the shared renderer),
//! checked before it goes, and what the service said.

use super::Event;
use crate::model::{Form, ServiceRegistration};
use crate::ui::{form, theme};
use iced::Element;
use iced::widget::{Column, button, text};

#[derive(Debug)]
pub struct State {
    jid: String,
    stage: Stage,
}

#[derive(Debug)]
enum Stage {
    Waiting,
    Asked {
        form: Box<form::State>,
        registered: bool,
        /// Why the form as filled in cannot go yet.
        problem: Option<String>,
    },
    Done,
    Failed(String),
}

#[derive(Debug, Clone)]
pub enum Message {
    Form(form::Message),
    Send,
}

impl State {
    /// Ask the service for its form; the returned event goes to the worker.
    pub fn start(jid: String) -> (Self, Event) {
        let ask = Event::Register { jid: jid.clone(), form: None };
        (Self { jid, stage: Stage::Waiting }, ask)
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

    pub fn answer(&mut self, answer: Result<ServiceRegistration, String>) {
        self.stage = match answer {
            Ok(ServiceRegistration::Asked { form, registered }) => {
                Stage::Asked { form: Box::new(form::State::new(form)), registered, problem: None }
            }
            Ok(ServiceRegistration::Done) => Stage::Done,
            Err(why) => Stage::Failed(why),
        };
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        let Stage::Asked { form, problem, .. } = &mut self.stage else { return None };
        let send = match message {
            Message::Form(message) => form.update(message) == Some(form::Event::Submit),
            Message::Send => true,
        };
        if !send {
            return None;
        }
        let filled: Form = form.form();
        if let Err(why) = filled.check() {
            *problem = Some(why);
            return None;
        }
        self.stage = Stage::Waiting;
        Some(Event::Register { jid: self.jid.clone(), form: Some(filled) })
    }

    pub fn view(&self) -> Element<'_, Message> {
        match &self.stage {
            Stage::Waiting => text("Waiting for the service…").style(theme::muted).into(),
            Stage::Done => text("Registered.").style(theme::accent_text).into(),
            Stage::Failed(why) => text(why.as_str()).style(theme::error_text).into(),
            Stage::Asked { form, registered, problem } => {
                let mut page = Column::new().spacing(theme::SPACE_M);
                if *registered {
                    let note = "You are registered already; change what it keeps here.";
                    page = page.push(text(note).style(theme::muted));
                }
                page = page.push(form.view().map(Message::Form));
                if let Some(problem) = problem {
                    page = page.push(text(problem.as_str()).style(theme::error_text));
                }
                let label = if *registered { "Save" } else { "Register" };
                page.push(button(label).on_press(Message::Send)).into()
            }
        }
    }
}
