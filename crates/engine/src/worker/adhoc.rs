//! Ad-hoc commands (XEP-0050) between XML and the model's [`CommandStage`]: the request for a
//! step, and the entity's answer read with bounds (anyone can run a command service).
//! xmpp-parsers 0.23 has no types for this protocol, so it is read here from the element.

use crate::model::{CommandAction, CommandStage, CommandStatus, Form, NoteKind};
use crate::worker::data_form;
use tokio_xmpp::minidom::Element;
use tokio_xmpp::minidom::rxml::xml_ncname;
use xmpp_parsers::data_forms::DataForm;

pub const NS: &str = "http://jabber.org/protocol/commands";
/// Notes kept of one stage, and the length of each.
const MAX_NOTES: usize = 16;
const MAX_NOTE_CHARS: usize = 2_000;

/// The `<command/>` asking for `action` on `node`, in `session` once one runs, with the
/// filled-in `form` when going forward.
pub fn request(
    node: &str,
    session: Option<&str>,
    action: CommandAction,
    form: Option<&Form>,
) -> Element {
    let mut command = Element::builder("command", NS).attr(xml_ncname!("node").into(), node);
    if let Some(session) = session {
        command = command.attr(xml_ncname!("sessionid").into(), session);
    }
    command = command.attr(xml_ncname!("action").into(), action.name());
    let mut command = command.build();
    if let Some(form) =
        form.filter(|_| !matches!(action, CommandAction::Cancel | CommandAction::Prev))
    {
        command.append_child(data_form::submission(form).into());
    }
    command
}

/// One stage of the entity's answer, or why it cannot be read.
pub fn read(answer: &Element) -> Result<CommandStage, String> {
    if !answer.is("command", NS) {
        return Err("it did not answer with a command".into());
    }
    let status = match answer.attr("status") {
        Some("executing") => CommandStatus::Executing,
        Some("completed") => CommandStatus::Completed,
        Some("canceled") => CommandStatus::Canceled,
        other => return Err(format!("its answer has no usable status ({other:?})")),
    };
    let (allowed, suggested) = answer.get_child("actions", NS).map_or((Vec::new(), None), |a| {
        let allowed = a.children().filter_map(|c| action(c.name())).collect();
        (allowed, a.attr("execute").and_then(action))
    });
    let notes = answer
        .children()
        .filter(|c| c.is("note", NS))
        .take(MAX_NOTES)
        .map(|note| {
            let kind = match note.attr("type") {
                Some("warn") => NoteKind::Warning,
                Some("error") => NoteKind::Error,
                _ => NoteKind::Info,
            };
            (kind, note.text().chars().take(MAX_NOTE_CHARS).collect())
        })
        .collect();
    let form = answer
        .get_child("x", xmpp_parsers::ns::DATA_FORMS)
        .map(|x| DataForm::try_from(x.clone()).map(data_form::read))
        .transpose()
        .map_err(|e| format!("its form could not be read: {e}"))?;
    Ok(CommandStage {
        session: answer.attr("sessionid").map(str::to_owned),
        status,
        allowed,
        suggested,
        notes,
        form,
    })
}

fn action(name: &str) -> Option<CommandAction> {
    match name {
        "execute" => Some(CommandAction::Execute),
        "next" => Some(CommandAction::Next),
        "prev" => Some(CommandAction::Prev),
        "complete" => Some(CommandAction::Complete),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_with_a_form_and_a_note_is_read() {
        let xml = "<command xmlns='http://jabber.org/protocol/commands' node='announce' \
                     sessionid='s1' status='executing'>\
                     <actions execute='complete'><next/><complete/></actions>\
                     <note type='warn'>Be brief</note>\
                     <x xmlns='jabber:x:data' type='form'>\
                       <field var='body' type='text-multi' label='Message'><required/></field>\
                     </x></command>";
        let stage = read(&xml.parse().expect("xml")).expect("stage");
        assert_eq!(stage.status, CommandStatus::Executing);
        assert_eq!(stage.session.as_deref(), Some("s1"));
        assert_eq!(stage.allowed, [CommandAction::Next, CommandAction::Complete]);
        assert_eq!(stage.forward(), CommandAction::Complete);
        assert_eq!(stage.notes, [(NoteKind::Warning, "Be brief".to_owned())]);
        let form = stage.form.expect("form");
        assert_eq!(form.fields[0].var, "body");
        assert!(form.fields[0].required);
    }

    #[test]
    fn the_request_carries_the_session_the_step_and_the_answers() {
        let mut form = Form::default();
        form.fields.push(crate::model::Field::new("body", crate::model::FieldKind::TextMulti));
        form.fields[0].set_value("hello");
        let xml =
            String::from(&request("announce", Some("s1"), CommandAction::Complete, Some(&form)));
        assert!(xml.contains("action=\"complete\"") || xml.contains("action='complete'"), "{xml}");
        assert!(xml.contains("sessionid") && xml.contains("hello"), "{xml}");
        let cancel =
            String::from(&request("announce", Some("s1"), CommandAction::Cancel, Some(&form)));
        assert!(!cancel.contains("hello"), "a cancel sends no answers: {cancel}");
    }

    #[test]
    fn a_flood_of_notes_is_bounded_and_a_stranger_answer_refused() {
        let notes: String =
            (0..100).map(|_| format!("<note>{}</note>", "n".repeat(5_000))).collect();
        let xml = format!(
            "<command xmlns='http://jabber.org/protocol/commands' node='x' status='completed'>{notes}</command>"
        );
        let stage = read(&xml.parse().expect("xml")).expect("stage");
        assert_eq!(stage.notes.len(), MAX_NOTES);
        assert!(stage.notes.iter().all(|(_, text)| text.chars().count() == MAX_NOTE_CHARS));
        let other: Element = "<query xmlns='jabber:iq:version'/>".parse().expect("xml");
        assert!(read(&other).is_err());
        let no_status: Element =
            "<command xmlns='http://jabber.org/protocol/commands' node='x'/>".parse().expect("xml");
        assert!(read(&no_status).is_err());
    }
}
