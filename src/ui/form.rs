//! Any XEP-0004 data form, drawn and edited: the server decides the fields (sign-up extras, a
//! CAPTCHA, room configuration), this panel shows each kind with the matching widget and
//! hands back the edited [`Form`]. Hidden fields are never shown and always kept.

use super::theme;
use crate::model::{Field, FieldKind, Form, FormOption, Validation};
use iced::widget::{
    Column, checkbox, column, container, image, pick_list, row, text, text_editor, text_input,
};
use iced::{Element, Fill};
use std::collections::HashMap;

/// Shown where a field's picture would be when none could be drawn.
pub(super) const NO_PICTURE: &str = "The server sent a picture Confab could not show.";
const LOADING_PICTURE: &str = "Loading picture…";

#[derive(Debug)]
pub struct State {
    form: Form,
    /// text-multi and jid-multi fields are edited as text, one value per line; their values
    /// are read back from here by [`State::form`]. Keyed by field index.
    editors: HashMap<usize, text_editor::Content>,
    /// Pictures for fields, by field name; decoded by the caller. A field with media but no
    /// entry here has a picture that cannot be shown.
    media: HashMap<String, Media>,
}

/// A field's picture as far as the caller got with it.
#[derive(Debug)]
enum Media {
    /// Being decoded.
    Loading,
    Shown(image::Handle),
}

#[derive(Debug, Clone)]
pub enum Message {
    /// A one-line field (text-single, text-private, jid-single) changed.
    Input(usize, String),
    /// A multi-line field was edited.
    Edit(usize, text_editor::Action),
    /// A boolean was ticked or unticked.
    Toggle(usize, bool),
    /// A list-single choice.
    Select(usize, String),
    /// A list-multi option was ticked (`true`) or unticked.
    Pick(usize, String, bool),
    /// Enter in a one-line field.
    Submit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Enter was pressed in a field: the parent may send the form.
    Submit,
}

/// The widget id of a field's input, for focusing it (and for tests).
pub fn field_id(var: &str) -> iced::widget::Id {
    iced::widget::Id::from(format!("form-field-{var}"))
}

impl State {
    pub fn new(form: Form) -> Self {
        let editors = form
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| matches!(f.kind, FieldKind::TextMulti | FieldKind::JidMulti))
            .map(|(i, f)| (i, text_editor::Content::with_text(&f.values.join("\n"))))
            .collect();
        Self { form, editors, media: HashMap::new() }
    }

    /// The picture of the field named `var` is being decoded: say so until it comes.
    pub fn expect_media(&mut self, var: &str) {
        self.media.insert(var.to_owned(), Media::Loading);
    }

    /// Show `handle` above the field named `var` (a CAPTCHA picture the caller decoded), or
    /// that it cannot be shown (`None`).
    pub fn set_media(&mut self, var: &str, handle: Option<image::Handle>) {
        match handle {
            Some(handle) => self.media.insert(var.to_owned(), Media::Shown(handle)),
            None => self.media.remove(var),
        };
    }

    /// The form with everything typed so far.
    pub fn form(&self) -> Form {
        let mut form = self.form.clone();
        for (&index, content) in &self.editors {
            if let Some(field) = form.fields.get_mut(index) {
                field.values = content.text().lines().map(str::to_owned).collect();
            }
        }
        form
    }

    pub fn update(&mut self, message: Message) -> Option<Event> {
        let fields = &mut self.form.fields;
        match message {
            Message::Input(index, value) | Message::Select(index, value) => {
                if let Some(field) = fields.get_mut(index) {
                    field.set_value(&value);
                }
            }
            Message::Edit(index, action) => {
                if let Some(content) = self.editors.get_mut(&index) {
                    content.perform(action);
                }
            }
            Message::Toggle(index, checked) => {
                if let Some(field) = fields.get_mut(index) {
                    field.set_checked(checked);
                }
            }
            Message::Pick(index, value, on) => {
                if let Some(field) = fields.get_mut(index) {
                    field.values.retain(|v| *v != value);
                    if on {
                        field.values.push(value);
                    }
                }
            }
            Message::Submit => return Some(Event::Submit),
        }
        None
    }

    pub fn view(&self) -> Element<'_, Message> {
        let mut panel = Column::new().spacing(theme::SPACE_M);
        if let Some(title) = &self.form.title {
            panel = panel.push(text(title.as_str()).size(theme::TEXT_TITLE));
        }
        for paragraph in &self.form.instructions {
            panel = panel.push(text(paragraph.as_str()).style(theme::muted));
        }
        for (index, field) in self.form.fields.iter().enumerate() {
            if field.kind != FieldKind::Hidden {
                panel = panel.push(self.field(index, field));
            }
        }
        panel.into()
    }

    /// One field: its picture, its label, its input, its hint.
    fn field<'a>(&'a self, index: usize, field: &'a Field) -> Element<'a, Message> {
        let mut parts = Column::new().spacing(theme::SPACE_XS);
        if !field.media.is_empty() {
            parts = parts.push(match self.media.get(&field.var) {
                Some(Media::Loading) => text(LOADING_PICTURE).style(theme::muted).into(),
                Some(Media::Shown(handle)) => Element::from(
                    container(image(handle.clone()))
                        .padding(theme::SPACE_XS)
                        .max_width(theme::FORM_MEDIA_MAX_WIDTH)
                        .style(theme::form_media),
                ),
                None => text(NO_PICTURE).style(theme::muted).into(),
            });
        }
        if !matches!(field.kind, FieldKind::Boolean | FieldKind::Fixed) {
            parts = parts.push(label(field));
        }
        parts = parts.push(self.input(index, field));
        if let Some(desc) = &field.desc {
            parts = parts.push(text(desc.as_str()).size(theme::TEXT_SMALL).style(theme::muted));
        }
        if let Some(rule) = &field.validation {
            if let Some(hint) = rule.hint() {
                parts = parts.push(text(hint).size(theme::TEXT_SMALL).style(theme::muted));
            }
            if let Some(problem) = self.problem(index, field, rule) {
                parts = parts.push(text(problem).size(theme::TEXT_SMALL).style(theme::error_text));
            }
        }
        parts.into()
    }

    /// What is wrong with the field's value as typed so far, if anything (XEP-0122).
    fn problem(&self, index: usize, field: &Field, rule: &Validation) -> Option<String> {
        if field.kind == FieldKind::ListMulti {
            return rule.choice_problem(field.values.len()).map(|why| format!("Please {why}."));
        }
        let typed = match self.editors.get(&index) {
            Some(content) => content.text(),
            None => field.values.join("\n"),
        };
        typed
            .lines()
            .find_map(|value| Some(format!("“{}” {}.", value.trim(), rule.problem(value)?)))
    }

    fn input<'a>(&'a self, index: usize, field: &'a Field) -> Element<'a, Message> {
        match field.kind {
            FieldKind::Fixed => text(field.values.join("\n")).into(),
            // Never shown; `view` skips them. Kept here so every kind has an answer.
            FieldKind::Hidden => column![].into(),
            FieldKind::TextSingle | FieldKind::TextPrivate | FieldKind::JidSingle => {
                let placeholder =
                    if field.kind == FieldKind::JidSingle { "user@server" } else { "" };
                text_input(placeholder, field.value())
                    .id(field_id(&field.var))
                    .secure(field.kind == FieldKind::TextPrivate)
                    .on_input(move |value| Message::Input(index, value))
                    .on_submit(Message::Submit)
                    .padding(theme::SPACE_S)
                    .into()
            }
            FieldKind::TextMulti | FieldKind::JidMulti => match self.editors.get(&index) {
                Some(content) => text_editor(content)
                    .id(field_id(&field.var))
                    .placeholder(if field.kind == FieldKind::JidMulti {
                        "One address per line"
                    } else {
                        "One entry per line"
                    })
                    .on_action(move |action| Message::Edit(index, action))
                    .height(theme::FORM_EDITOR_HEIGHT)
                    .padding(theme::SPACE_S)
                    .into(),
                None => column![].into(),
            },
            FieldKind::Boolean => checkbox(field.is_checked())
                .label(marked(field))
                .on_toggle(move |on| Message::Toggle(index, on))
                .into(),
            FieldKind::ListSingle => {
                let selected = field.options.iter().find(|o| o.value == field.value());
                pick_list(field.options.as_slice(), selected, move |o: FormOption| {
                    Message::Select(index, o.value)
                })
                .placeholder("Choose…")
                .width(Fill)
                .into()
            }
            FieldKind::ListMulti => Column::with_children(field.options.iter().map(|option| {
                let value = option.value.clone();
                checkbox(field.values.contains(&option.value))
                    .label(option.to_string())
                    .on_toggle(move |on| Message::Pick(index, value.clone(), on))
                    .into()
            }))
            .spacing(theme::SPACE_XS)
            .into(),
        }
    }
}

/// A field's name as a label, with the required mark.
fn label(field: &Field) -> Element<'_, Message> {
    let mark = field.required.then(|| text(" *").style(theme::required_mark));
    row![text(field.name())].push(mark).into()
}

/// A checkbox label carries its required mark in the text itself.
fn marked(field: &Field) -> String {
    if field.required { format!("{} *", field.name()) } else { field.name().to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iced_test::{selector, simulator};

    fn field(var: &str, kind: FieldKind, label: &str) -> Field {
        Field { label: Some(label.into()), ..Field::new(var, kind) }
    }

    fn sample() -> Form {
        Form {
            form_type: Some("jabber:iq:register".into()),
            title: Some("More about you".into()),
            instructions: vec!["The server needs these.".into()],
            fields: vec![
                Field { required: true, ..field("email", FieldKind::TextSingle, "Email") },
                field("news", FieldKind::Boolean, "Send me news"),
                Field {
                    values: vec!["F3A6292C".into()],
                    ..Field::new("challenge", FieldKind::Hidden)
                },
                field("friends", FieldKind::JidMulti, "Friends"),
                Field {
                    options: vec![
                        FormOption { label: Some("Polls".into()), value: "polls".into() },
                        FormOption { label: None, value: "news".into() },
                    ],
                    ..field("features", FieldKind::ListMulti, "Features")
                },
            ],
        }
    }

    #[test]
    fn typing_and_ticking_change_the_form_and_hidden_fields_are_kept() {
        let mut state = State::new(sample());
        let mut ui = simulator(state.view());
        ui.click(selector::id(field_id("email"))).expect("the email field is shown");
        ui.typewrite("me@example.org");
        ui.click("Send me news").expect("the checkbox is shown");
        ui.click("Polls").expect("the list option is shown");
        assert!(ui.find("F3A6292C").is_err(), "hidden values are not shown");
        let messages: Vec<_> = ui.into_messages().collect();
        for message in messages {
            assert_eq!(state.update(message), None);
        }
        let form = state.form();
        let value = |var: &str| form.field(var).map(|f| f.values.clone()).unwrap_or_default();
        assert_eq!(value("email"), ["me@example.org"]);
        assert!(form.field("news").is_some_and(Field::is_checked));
        assert_eq!(value("features"), ["polls"]);
        assert_eq!(value("challenge"), ["F3A6292C"]);
        assert_eq!(form.form_type.as_deref(), Some("jabber:iq:register"));
    }

    #[test]
    fn multi_line_fields_give_one_value_per_line_and_enter_submits() {
        let mut state = State::new(sample());
        let paste = text_editor::Edit::Paste(std::sync::Arc::new("a@x\nb@x".into()));
        state.update(Message::Edit(3, text_editor::Action::Edit(paste)));
        let friends = state.form().field("friends").map(|f| f.values.clone()).unwrap_or_default();
        assert_eq!(friends, ["a@x", "b@x"]);

        let mut ui = simulator(state.view());
        ui.click(selector::id(field_id("email"))).expect("the email field is shown");
        ui.tap_key(iced::keyboard::key::Named::Enter);
        let events: Vec<_> = ui.into_messages().filter_map(|m| state.update(m)).collect();
        assert_eq!(events, [Event::Submit]);
    }

    #[test]
    fn every_field_type_is_drawn_and_hidden_ones_are_not() {
        let option =
            |value: &str| FormOption { label: Some(format!("{value} label")), value: value.into() };
        let form = Form {
            fields: vec![
                field("a", FieldKind::TextSingle, "Text single"),
                field("b", FieldKind::TextPrivate, "Text private"),
                field("c", FieldKind::TextMulti, "Text multi"),
                field("d", FieldKind::JidSingle, "Jid single"),
                field("e", FieldKind::JidMulti, "Jid multi"),
                field("f", FieldKind::Boolean, "Boolean"),
                Field { values: vec!["Fixed words".into()], ..Field::new("", FieldKind::Fixed) },
                Field {
                    options: vec![option("one")],
                    ..field("h", FieldKind::ListSingle, "List single")
                },
                Field {
                    options: vec![option("two")],
                    ..field("i", FieldKind::ListMulti, "List multi")
                },
                Field { values: vec!["secret-id".into()], ..Field::new("j", FieldKind::Hidden) },
            ],
            ..Form::default()
        };
        let state = State::new(form);
        let mut ui = simulator(state.view());
        for shown in [
            "Text single",
            "Text private",
            "Text multi",
            "Jid single",
            "Jid multi",
            "Boolean",
            "Fixed words",
            "List single",
            "List multi",
            "two label",
        ] {
            assert!(ui.find(shown).is_ok(), "{shown} is drawn");
        }
        assert!(ui.find("secret-id").is_err(), "hidden values are not");
    }

    #[test]
    fn validation_hints_show_and_a_value_that_does_not_fit_is_said_to() {
        use crate::model::{Datatype, Validation};
        let age = Validation {
            datatype: Datatype::Integer,
            min: Some("18".into()),
            max: Some("120".into()),
            ..Validation::default()
        };
        let mut form = sample();
        form.fields[0] =
            Field { validation: Some(age), ..field("age", FieldKind::TextSingle, "Age") };
        let mut state = State::new(form);
        let mut ui = simulator(state.view());
        ui.find("A whole number from 18 to 120.").expect("the hint");
        drop(ui);
        state.update(Message::Input(0, "twelve".into()));
        let mut ui = simulator(state.view());
        ui.find("“twelve” is not a whole number.").expect("said in place");
        drop(ui);
        assert!(state.form().check().is_err_and(|why| why.contains("Age: “twelve”")));
        state.update(Message::Input(0, "42".into()));
        let mut ui = simulator(state.view());
        assert!(ui.find("“42” is not a whole number.").is_err());
    }

    #[test]
    fn a_picture_is_shown_when_set_and_a_note_when_not() {
        let mut form = sample();
        form.fields[0].media = vec![crate::model::MediaUri {
            mime: "image/png".into(),
            uri: "cid:sha1+00@bob.xmpp.org".into(),
        }];
        let mut state = State::new(form);
        let mut ui = simulator(state.view());
        assert!(ui.find(NO_PICTURE).is_ok());
        drop(ui);
        state.set_media("email", Some(image::Handle::from_rgba(1, 1, vec![0, 0, 0, 255])));
        let mut ui = simulator(state.view());
        assert!(ui.find(NO_PICTURE).is_err());
    }
}
