//! A conversation exported from the store into a folder of its own: `conversation.json` (every
//! line with its time, author, words and file), `conversation.txt` (as a person reads it) or
//! `conversation.html` (one page that opens in any browser, the pictures shown), with the files
//! this machine holds copied into `files/` beside it. The window (through the worker) and
//! `confab export` share it.
//!
//! The conversation is read a page at a time and written as it is read, so its length costs
//! nothing in memory. What others wrote is text, never markup: the page escapes it and links
//! nothing but the files beside it and the addresses of files not downloaded.

use crate::media::safe_file_name;
use crate::model::{ChatId, Direction, Message, MessageKind};
use crate::store::Store;
use chrono::{DateTime, Local, Utc};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Lines read from the store at a time.
const PAGE: usize = 1000;

/// How to write the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Text,
    Html,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Html, Format::Text, Format::Json];

    fn file_name(self) -> &'static str {
        match self {
            Format::Json => "conversation.json",
            Format::Text => "conversation.txt",
            Format::Html => "conversation.html",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Format::Json => "JSON",
            Format::Text => "Plain text",
            Format::Html => "Web page (HTML)",
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "json" => Ok(Format::Json),
            "txt" | "text" => Ok(Format::Text),
            "html" => Ok(Format::Html),
            other => Err(format!("no export format {other:?}: choose json, txt or html")),
        }
    }
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Exported {
    /// The conversation's file.
    pub file: PathBuf,
    pub messages: usize,
    /// Files copied beside it.
    pub files: usize,
}

/// What to export, and where.
pub struct Request<'a> {
    pub account: &'a str,
    pub chat: &'a ChatId,
    /// How the conversation is called (a contact's name, a room's).
    pub title: &'a str,
    pub format: Format,
    /// The folder in which the export's own folder is made.
    pub into: &'a Path,
}

/// Writes the conversation into a new folder under `request.into`, named after it and the
/// time, and says what it wrote, or why it could not.
pub fn export(store: &Store, request: &Request<'_>) -> Result<Exported, String> {
    let now = Local::now();
    let folder = request.into.join(safe_file_name(&format!(
        "{} {}",
        request.chat,
        now.format("%Y-%m-%d %H%M%S")
    )));
    std::fs::create_dir_all(folder.join("files"))
        .map_err(|e| format!("cannot make {}: {e}", folder.display()))?;
    let file = folder.join(request.format.file_name());
    let out = File::create(&file).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    let mut writer = Writer { out: BufWriter::new(out), format: request.format, first: true };
    let failed = |e: std::io::Error| format!("cannot write {}: {e}", file.display());
    writer.begin(request, now.with_timezone(&Utc)).map_err(failed)?;
    let mut exported = Exported { file: file.clone(), messages: 0, files: 0 };
    let mut after: Option<Message> = None;
    loop {
        let page = store
            .history_forward(request.account, request.chat, after.as_ref(), PAGE)
            .map_err(|e| store.locate(e).to_string())?;
        for message in &page {
            let copied = copy_file(message, &folder);
            exported.files += usize::from(copied.is_some());
            writer.message(message, copied.as_deref()).map_err(failed)?;
            exported.messages += 1;
        }
        match page.last() {
            Some(last) if page.len() == PAGE => after = Some(last.clone()),
            _ => break,
        }
    }
    writer.end().map_err(failed)?;
    Ok(exported)
}

/// The message's file, when this machine holds it, copied into `files/`: its name there,
/// relative to the export's folder.
fn copy_file(message: &Message, folder: &Path) -> Option<String> {
    let attachment = message.attachment.as_ref()?;
    let local = attachment.local.as_ref()?;
    let name = format!("files/{}-{}", message.id, safe_file_name(&attachment.name));
    std::fs::copy(local, folder.join(&name)).ok()?;
    Some(name)
}

struct Writer {
    out: BufWriter<File>,
    format: Format,
    /// Nothing written yet after the head (JSON needs commas between).
    first: bool,
}

impl Writer {
    fn begin(&mut self, request: &Request<'_>, now: DateTime<Utc>) -> std::io::Result<()> {
        match self.format {
            Format::Json => write!(
                self.out,
                "{{\"account\":{},\"chat\":{},\"title\":{},\"exported\":{},\"messages\":[",
                json(request.account),
                json(request.chat.as_str()),
                json(request.title),
                json(&now.to_rfc3339()),
            ),
            Format::Text => writeln!(
                self.out,
                "{} ({})\nExported by Confab on {}\n",
                request.title,
                request.chat,
                now.with_timezone(&Local).format("%Y-%m-%d %H:%M")
            ),
            Format::Html => write!(
                self.out,
                "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\
                 <meta name=\"viewport\" content=\"width=device-width\">\
                 <title>{title}</title><style>{STYLE}</style></head><body>\
                 <h1>{title}</h1><p class=\"note\">{chat} · exported by Confab on {when}</p>\n",
                title = html(request.title),
                chat = html(request.chat.as_str()),
                when = now.with_timezone(&Local).format("%Y-%m-%d %H:%M"),
            ),
        }
    }

    fn message(&mut self, message: &Message, file: Option<&str>) -> std::io::Result<()> {
        let author = author(message);
        let when = message.timestamp.with_timezone(&Local);
        match self.format {
            Format::Json => {
                let separator = if std::mem::take(&mut self.first) { "" } else { "," };
                let record = serde_json::json!({
                    "id": message.id,
                    "from": message.from,
                    "author": author,
                    "direction": message.direction.as_str(),
                    "kind": message.kind.as_str(),
                    "timestamp": message.timestamp.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    "body": message.body,
                    "removed": match &message.kind {
                        MessageKind::Removed(removal) => Some(removal.describe()),
                        _ => None,
                    },
                    "edited": message.edited,
                    "attachment": message.attachment.as_ref().map(|a| serde_json::json!({
                        "name": a.name,
                        "url": a.url,
                        "mime": a.mime,
                        "size": a.size,
                        "file": file,
                    })),
                });
                write!(self.out, "{separator}\n{record}")
            }
            Format::Text => {
                let time = when.format("%Y-%m-%d %H:%M");
                let words = match (&message.attachment, &message.kind) {
                    (_, MessageKind::Event) => format!("— {}", message.body),
                    (_, MessageKind::Removed(removal)) => {
                        format!("{author}: ({})", removal.describe())
                    }
                    (Some(a), _) => format!(
                        "{author}: [file {}: {}]",
                        a.name,
                        file.or(a.url.as_deref()).unwrap_or("not uploaded")
                    ),
                    (None, _) => format!("{author}: {}", message.body),
                };
                writeln!(self.out, "{time} {words}")
            }
            Format::Html => {
                let side = if message.direction == Direction::Out { "out" } else { "in" };
                let time = when.format("%Y-%m-%d %H:%M");
                let content = match (&message.attachment, file) {
                    (Some(a), Some(file)) if a.is_image() => format!(
                        "<a href=\"{f}\"><img src=\"{f}\" alt=\"{n}\"></a>",
                        f = html(file),
                        n = html(&a.name)
                    ),
                    (Some(a), Some(file)) => {
                        format!("<a href=\"{}\">📎 {}</a>", html(file), html(&a.name))
                    }
                    (Some(a), None) => match a.url.as_deref().filter(|u| u.starts_with("https://"))
                    {
                        Some(url) => format!("<a href=\"{}\">📎 {}</a>", html(url), html(&a.name)),
                        None => format!("📎 {}", html(&a.name)),
                    },
                    (None, _) => match &message.kind {
                        MessageKind::Removed(removal) => {
                            format!("<i>{}</i>", html(&removal.describe()))
                        }
                        _ => html(&message.body).replace('\n', "<br>"),
                    },
                };
                if message.kind == MessageKind::Event {
                    return writeln!(
                        self.out,
                        "<p class=\"event\">{content} <time>{time}</time></p>"
                    );
                }
                writeln!(
                    self.out,
                    "<div class=\"line {side}\"><p class=\"meta\"><b>{}</b> <time>{time}</time>{}</p>\
                     <p class=\"body\">{content}</p></div>",
                    html(&author),
                    if message.edited { " · edited" } else { "" },
                )
            }
        }
    }

    fn end(mut self) -> std::io::Result<()> {
        match self.format {
            Format::Json => writeln!(self.out, "\n]}}")?,
            Format::Text => {}
            Format::Html => writeln!(self.out, "</body></html>")?,
        }
        self.out.flush()
    }
}

/// Who wrote a line, as the conversation names them.
fn author(message: &Message) -> String {
    match (&message.direction, &message.nick) {
        (Direction::Out, _) => "Me".to_owned(),
        (Direction::In, Some(nick)) => nick.clone(),
        (Direction::In, None) => message.from.split('/').next().unwrap_or_default().to_owned(),
    }
}

fn json(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

/// Text made safe inside HTML, in element content and in quoted attributes.
fn html(text: &str) -> String {
    crate::model::text::escape_markup(text)
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;\
padding:0 1rem;color:#222}h1{font-size:1.4rem;margin-bottom:0}.note,.event,time{color:#777;\
font-size:.85rem}.line{margin:.6rem 0;padding:.5rem .8rem;border-radius:.6rem;background:#f1f1f4;\
max-width:80%}.line.out{margin-left:auto;background:#dfe9fb}.meta{margin:0 0 .2rem}\
.body{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}.event{text-align:center}\
img{max-width:100%;max-height:24rem;border-radius:.4rem}";

#[cfg(test)]
mod tests;
