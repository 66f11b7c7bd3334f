//! `confab command`: list the ad-hoc commands (XEP-0050) an address offers, or run one
//! through all its stages without asking, the form answers given as `--field VAR=VALUE`.

use super::register::{parse_fields, set, unanswered};
use super::rooms::print_form;
use super::{Driver, SYNC_CONNECT_TIMEOUT, act_until, connection_failure};
use crate::model::{
    CommandAction, CommandStage, CommandStatus, ConnectionState, DiscoQuery, Discovered, FieldKind,
    Form, NoteKind,
};
use crate::paths::Paths;
use crate::worker::{Command, Event};
use std::collections::HashSet;

/// The discovery node where an entity lists its commands (XEP-0050 §2.2).
const COMMANDS_NODE: &str = "http://jabber.org/protocol/commands";
/// Stages one run may take: a command that never ends is stopped.
const MAX_STAGES: usize = 20;

/// Which command, and the answers for its forms.
pub(super) struct Run {
    pub jid: String,
    pub node: Option<String>,
    pub fields: Vec<String>,
}

pub(super) async fn run(paths: Paths, account: String, run: Run, json: bool) -> Result<(), String> {
    let Run { jid, node, fields } = run;
    let Some(node) = node else {
        return list(paths, account, jid, json).await;
    };
    let given = parse_fields(&fields)?;
    let mut driver = Driver::start(paths, account)?;
    let outcome = drive(&mut driver, &jid, &node, &given, json).await;
    driver.finish().await;
    outcome.map_err(|why| format!("{jid} “{node}”: {why}"))
}

async fn list(paths: Paths, account: String, jid: String, json: bool) -> Result<(), String> {
    let query = DiscoQuery::Items { after: None };
    let command = Command::Discover { jid: jid.clone(), node: Some(COMMANDS_NODE.into()), query };
    act_until(paths, account, command, |event| match event {
        Event::Discovered { jid: about, answer, .. } if about == jid => Some(answer.map(|found| {
            let Discovered::Items { items, .. } = found else { return };
            for item in &items {
                let node = item.node.as_deref().unwrap_or_default();
                if json {
                    println!("{}", serde_json::json!({ "node": node, "name": item.name }));
                } else {
                    println!("{node} — {}", item.name.as_deref().unwrap_or(node));
                }
            }
            if items.is_empty() {
                eprintln!("(no commands offered)");
            }
        })),
        _ => None,
    })
    .await
    .map_err(|why| format!("{jid}: {why}"))
}

/// Start the command once online, then answer each stage until it completes.
async fn drive(
    driver: &mut Driver,
    jid: &str,
    node: &str,
    given: &[(String, String)],
    json: bool,
) -> Result<(), String> {
    let mut used = HashSet::new();
    let mut stages = 0;
    let mut deadline = tokio::time::Instant::now() + SYNC_CONNECT_TIMEOUT;
    loop {
        let Some(event) = driver.next(deadline).await else {
            return Err("no answer in time".into());
        };
        let step = match event {
            Event::Connection(ConnectionState::Online) if stages == 0 => {
                (None, CommandAction::Execute, None)
            }
            Event::Connection(state) => match connection_failure(&state) {
                Some(reason) => return Err(reason),
                None => continue,
            },
            Event::CommandStage { jid: about, node: at, answer } if about == jid && at == node => {
                let stage = answer?;
                tell_notes(&stage);
                match stage.status {
                    CommandStatus::Completed => {
                        if let Some(form) = &stage.form {
                            print_form(form, json);
                        }
                        warn_unused(given, &used);
                        return Ok(());
                    }
                    CommandStatus::Canceled => return Err("the command was canceled".into()),
                    CommandStatus::Executing if stages >= MAX_STAGES => {
                        return Err(format!("still not done after {MAX_STAGES} stages"));
                    }
                    CommandStatus::Executing => {}
                }
                let mut form = stage.form.clone();
                if let Some(form) = form.as_mut() {
                    fill(form, given, &mut used)?;
                    unanswered(form)?;
                }
                (stage.session.clone(), stage.forward(), form)
            }
            _ => continue,
        };
        let (session, action, form) = step;
        stages += 1;
        deadline = tokio::time::Instant::now() + SYNC_CONNECT_TIMEOUT;
        let command = Command::RunCommand {
            jid: jid.to_owned(),
            node: node.to_owned(),
            session,
            action,
            form,
        };
        driver.handle.send(command)?;
    }
}

/// Put the answers for the fields this stage has into its form.
fn fill(
    form: &mut Form,
    given: &[(String, String)],
    used: &mut HashSet<String>,
) -> Result<(), String> {
    let mut touched = HashSet::new();
    for (var, value) in given {
        let fillable = |kind: FieldKind| !matches!(kind, FieldKind::Hidden | FieldKind::Fixed);
        if let Some(field) = form.field_mut(var).filter(|f| fillable(f.kind)) {
            set(field, value, touched.insert(var.clone()))?;
            used.insert(var.clone());
        }
    }
    Ok(())
}

fn tell_notes(stage: &CommandStage) {
    for (kind, text) in &stage.notes {
        let kind = match kind {
            NoteKind::Info => "note",
            NoteKind::Warning => "warning",
            NoteKind::Error => "error",
        };
        eprintln!("{kind}: {text}");
    }
}

fn warn_unused(given: &[(String, String)], used: &HashSet<String>) {
    for (var, _) in given.iter().filter(|(var, _)| !used.contains(var)) {
        eprintln!("warning: no stage asked for “{var}”; it was not used");
    }
}
