//! `confab account register`: create an account where the server allows it (XEP-0077). When
//! the server asks for more than a user name and password, the answers come from
//! `--field VAR=VALUE` and, on a terminal, from prompts; a CAPTCHA picture is saved to a file
//! for the user to open.

use super::{AccountRegister, account_from_args, runtime, save_account};
use crate::model::{Field, FieldKind, Form};
use crate::paths::Paths;
use crate::worker::{BobData, Registration, RegistrationForm};
use std::collections::HashSet;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

pub(super) fn run(paths: &Paths, args: AccountRegister) -> Result<(), String> {
    let given = parse_fields(&args.fields)?;
    let (account, passwords) = account_from_args(args.account)?;
    let jid = account.jid.clone();
    let runtime = runtime()?;
    let registration = runtime
        .block_on(Registration::open(&account))
        .map_err(|e| format!("could not create {jid}: {e}"))?;
    let asked = registration.form();
    let mut answers = asked.extra();
    apply(&mut answers, &given)?;
    if asked.needs_user() && std::io::stdin().is_terminal() {
        let skip: HashSet<&str> = given.iter().map(|(var, _)| var.as_str()).collect();
        prompt(asked, &mut answers, &skip)?;
    }
    unanswered(&answers).map_err(|e| format!("could not create {jid}: {e}"))?;
    runtime
        .block_on(registration.submit(&passwords.account, answers))
        .map_err(|e| format!("could not create {jid}: {e}"))?;
    save_account(paths, account, &passwords, "Created")
}

/// `VAR=VALUE` pairs, in order.
pub(super) fn parse_fields(fields: &[String]) -> Result<Vec<(String, String)>, String> {
    fields
        .iter()
        .map(|pair| match pair.split_once('=') {
            Some((var, value)) if !var.trim().is_empty() => {
                Ok((var.trim().to_owned(), value.to_owned()))
            }
            _ => Err(format!("“{pair}” is not of the form --field VAR=VALUE")),
        })
        .collect()
}

/// Put the `--field` answers into the form. The first answer for a field replaces what the
/// server filled in; more answers for a multi-valued field add to it.
fn apply(form: &mut Form, given: &[(String, String)]) -> Result<(), String> {
    let fillable: Vec<String> = form
        .fields
        .iter()
        .filter(|f| !matches!(f.kind, FieldKind::Hidden | FieldKind::Fixed))
        .map(|f| f.var.clone())
        .collect();
    let mut touched = HashSet::new();
    for (var, value) in given {
        let Some(field) = form.field_mut(var).filter(|f| fillable.contains(&f.var)) else {
            return Err(if fillable.is_empty() {
                format!("the server asks for no field “{var}”, only a name and password")
            } else {
                format!("the server asks for no field “{var}”; it asks for {}", fillable.join(", "))
            });
        };
        let first = touched.insert(var.as_str());
        set(field, value, first)?;
    }
    Ok(())
}

/// Set one answer, checking it against the field's kind.
pub(super) fn set(field: &mut Field, value: &str, replace: bool) -> Result<(), String> {
    match field.kind {
        FieldKind::Boolean => match yes_no(value) {
            Some(on) => field.set_checked(on),
            None => return Err(format!("{}: answer yes or no, not “{value}”", field.name())),
        },
        FieldKind::ListSingle | FieldKind::ListMulti => {
            let Some(option) = field
                .options
                .iter()
                .find(|o| o.value == value || o.label.as_deref() == Some(value))
            else {
                let choices: Vec<_> = field.options.iter().map(|o| o.value.as_str()).collect();
                return Err(format!("{}: choose one of {}", field.name(), choices.join(", ")));
            };
            let chosen = option.value.clone();
            if replace || field.kind == FieldKind::ListSingle {
                field.values.clear();
            }
            field.values.push(chosen);
        }
        kind if kind.is_multi() && !replace => field.values.push(value.to_owned()),
        _ => field.set_value(value),
    }
    Ok(())
}

fn yes_no(answer: &str) -> Option<bool> {
    match answer.trim().to_lowercase().as_str() {
        "1" | "true" | "yes" | "y" | "on" => Some(true),
        "0" | "false" | "no" | "n" | "off" => Some(false),
        _ => None,
    }
}

/// Whether the form can go, or which `--field` answers are still needed.
pub(super) fn unanswered(form: &Form) -> Result<(), String> {
    let missing: Vec<_> = form
        .fields
        .iter()
        .filter(|f| f.is_missing())
        .map(|f| format!("{} (--field {}=…)", f.name(), f.var))
        .collect();
    if missing.is_empty() {
        return form.check();
    }
    let picture = if form.has_media() {
        "; the server shows a picture to answer, so run this on a terminal or use the window"
    } else {
        ""
    };
    Err(format!("the server also asks for {}{picture}", missing.join(", ")))
}

/// Ask on the terminal for every field not answered with `--field`.
fn prompt(asked: &RegistrationForm, form: &mut Form, skip: &HashSet<&str>) -> Result<(), String> {
    for line in form.title.iter().chain(&form.instructions) {
        eprintln!("{line}");
    }
    for field in &mut form.fields {
        if field.kind == FieldKind::Hidden || skip.contains(field.var.as_str()) {
            continue;
        }
        if let Some(picture) = asked.media_for(field) {
            let path = save_picture(picture)?;
            eprintln!("The server's picture for “{}” is in {}.", field.name(), path.display());
        } else if let Some(uri) = field
            .media
            .iter()
            .find(|m| m.uri.starts_with("https://") || m.uri.starts_with("http://"))
        {
            eprintln!("The server's picture for “{}” is at {}.", field.name(), uri.uri);
        }
        if let Some(desc) = &field.desc {
            eprintln!("({desc})");
        }
        ask(field)?;
    }
    Ok(())
}

/// One field's question; an empty answer keeps what was there.
fn ask(field: &mut Field) -> Result<(), String> {
    let name = if field.required { format!("{} *", field.name()) } else { field.name().to_owned() };
    match field.kind {
        FieldKind::Fixed => eprintln!("{}", field.values.join("\n")),
        FieldKind::Hidden => {}
        FieldKind::TextPrivate => {
            let answer = rpassword::prompt_password(format!("{name}: "))
                .map_err(|e| format!("cannot read the answer: {e}"))?;
            if !answer.is_empty() {
                field.set_value(&answer);
            }
        }
        FieldKind::Boolean => {
            let default = if field.is_checked() { "Y/n" } else { "y/N" };
            let answer = read_line(&format!("{name} [{default}]: "))?;
            if let Some(on) = yes_no(&answer) {
                field.set_checked(on);
            }
        }
        FieldKind::ListSingle | FieldKind::ListMulti => {
            for (n, option) in field.options.iter().enumerate() {
                eprintln!("  {}. {option}", n + 1);
            }
            let how = if field.kind == FieldKind::ListMulti {
                "numbers, comma-separated"
            } else {
                "number"
            };
            let answer = read_line(&format!("{name} ({how}): "))?;
            let chosen: Vec<String> = answer
                .split(',')
                .filter_map(|n| n.trim().parse::<usize>().ok())
                .filter_map(|n| n.checked_sub(1).and_then(|i| field.options.get(i)))
                .map(|o| o.value.clone())
                .collect();
            if !chosen.is_empty() {
                let keep = if field.kind == FieldKind::ListSingle { 1 } else { chosen.len() };
                field.values = chosen.into_iter().take(keep).collect();
            }
        }
        FieldKind::TextMulti | FieldKind::JidMulti => {
            eprintln!("{name} (one per line, an empty line ends):");
            let mut lines = Vec::new();
            loop {
                let line = read_line("  ")?;
                if line.trim().is_empty() {
                    break;
                }
                lines.push(line);
            }
            if !lines.is_empty() {
                field.values = lines;
            }
        }
        FieldKind::TextSingle | FieldKind::JidSingle => {
            let answer = read_line(&format!("{name}: "))?;
            if !answer.trim().is_empty() {
                field.set_value(answer.trim());
            }
        }
    }
    Ok(())
}

fn read_line(prompt: &str) -> Result<String, String> {
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the answer: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Write a picture to a new file in the temporary directory, for the user to open.
fn save_picture(picture: &BobData) -> Result<PathBuf, String> {
    let extension = match picture.mime.as_deref() {
        Some("image/png") => "png",
        Some("image/jpeg") => "jpg",
        Some("image/gif") => "gif",
        Some("image/webp") => "webp",
        _ => "bin",
    };
    let name = format!("confab-picture-{}.{extension}", uuid::Uuid::new_v4());
    let path = std::env::temp_dir().join(name);
    // create_new: never write through a file (or link) someone else put there.
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .and_then(|mut file| file.write_all(&picture.bytes))
        .map_err(|e| format!("cannot save the server's picture to {}: {e}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FormOption;

    fn form() -> Form {
        let option = |v: &str| FormOption { label: Some(v.to_uppercase()), value: v.into() };
        Form {
            fields: vec![
                Field {
                    required: true,
                    label: Some("Email".into()),
                    ..Field::new("email", FieldKind::TextSingle)
                },
                Field::new("news", FieldKind::Boolean),
                Field {
                    options: vec![option("a"), option("b")],
                    values: vec!["a".into()],
                    ..Field::new("topics", FieldKind::ListMulti)
                },
                Field { values: vec!["x".into()], ..Field::new("challenge", FieldKind::Hidden) },
            ],
            ..Form::default()
        }
    }

    fn pairs(args: &[&str]) -> Vec<(String, String)> {
        parse_fields(&args.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>()).expect("pairs")
    }

    #[test]
    fn field_answers_fill_the_form_and_bad_ones_are_named() {
        let mut answers = form();
        assert_eq!(
            unanswered(&answers),
            Err("the server also asks for Email (--field email=…)".into())
        );
        apply(&mut answers, &pairs(&["email=me@x", "news=yes", "topics=B", "topics=a"]))
            .expect("all fit");
        assert_eq!(answers.field("email").map(Field::value), Some("me@x"));
        assert!(answers.field("news").is_some_and(Field::is_checked));
        assert_eq!(
            answers.field("topics").map(|f| f.values.clone()),
            Some(vec!["b".into(), "a".into()])
        );
        assert_eq!(unanswered(&answers), Ok(()));

        let unknown = apply(&mut form(), &pairs(&["challenge=y"]));
        assert_eq!(
            unknown,
            Err("the server asks for no field “challenge”; it asks for email, news, topics".into())
        );
        assert!(apply(&mut form(), &pairs(&["news=maybe"])).is_err());
        assert!(apply(&mut form(), &pairs(&["topics=c"])).is_err_and(|e| e.contains("a, b")));
        assert!(parse_fields(&["novalue".to_owned()]).is_err());
    }
}
