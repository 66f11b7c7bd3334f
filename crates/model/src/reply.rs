//! Replies (XEP-0461): a line that answers another names it by the id others know it by, and
//! carries a quote of it (a XEP-0428 fallback) for clients that do not know replies. The quote
//! is kept, so a reply to a line this store never had still says what it answered.

/// The longest id a reply may name, in bytes; ours are UUIDs or server ids far shorter.
pub const MAX_REPLY_ID: usize = 256;
/// The longest quote kept or sent, in characters.
pub const MAX_QUOTE: usize = 300;
/// The most lines of the answered text a quote keeps.
const MAX_QUOTE_LINES: usize = 4;

/// What a line answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reply {
    /// The id the answered line goes by: the room's stanza-id in a room, else its sender's
    /// origin-id or stanza `id` (XEP-0461 §3). Bounded by [`MAX_REPLY_ID`].
    pub id: String,
    /// Whether `id` is a room's stanza-id (only those name a room's lines: an occupant's own
    /// ids are theirs to choose, and could name someone else's line).
    pub in_room: bool,
    /// The answered line's author as the replier named them, if they did.
    pub to: Option<String>,
    /// The words quoted, as the replier's fallback gave them or as we quoted; bounded.
    pub quote: Option<String>,
    /// The answered line as this store has it, found when the reply is read.
    pub line: Option<QuotedLine>,
}

/// The answered line, when the store has it: enough to show it above the reply and to jump to
/// it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotedLine {
    pub id: i64,
    /// Its author as a conversation names them: the nick in a room, else the bare address.
    pub author: String,
    /// Written by us.
    pub ours: bool,
    /// Its words now (corrected, or blank once taken back), cut as a quote is.
    pub body: String,
    pub removed: bool,
}

impl Reply {
    /// The text to show for the answered line: its words as stored, else the quote.
    pub fn shown_text(&self) -> Option<&str> {
        match &self.line {
            Some(line) if line.removed => None,
            Some(line) => Some(&line.body),
            None => self.quote.as_deref(),
        }
    }

    /// Who wrote the answered line, as far as known: "You" for ours.
    pub fn shown_author(&self) -> Option<&str> {
        match &self.line {
            Some(line) if line.ours => Some("You"),
            Some(line) => Some(&line.author),
            None => self.to.as_deref().map(|to| to.rsplit_once('/').map_or(to, |(_, nick)| nick)),
        }
    }
}

/// A line's words cut to a quote: its first lines, at most [`MAX_QUOTE`] characters, an
/// ellipsis where anything was cut.
pub fn quote_of(body: &str) -> String {
    let body = body.trim();
    let mut quote: String = body.lines().take(MAX_QUOTE_LINES).collect::<Vec<_>>().join("\n");
    let mut cut = quote.len() < body.len();
    if quote.chars().count() > MAX_QUOTE {
        quote = quote.chars().take(MAX_QUOTE - 1).collect();
        cut = true;
    }
    if cut {
        quote.push('…');
    }
    quote
}

/// The fallback text a reply starts with for clients without replies (XEP-0461 §4):
/// "> author wrote:" then each quoted line after "> ".
pub fn fallback_text(author: Option<&str>, quote: &str) -> String {
    let mut text = String::new();
    if let Some(author) = author {
        text.push_str(&format!("> {author} wrote:\n"));
    }
    for line in quote.lines() {
        text.push_str("> ");
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// The quote inside a fallback someone else wrote: the "> " marks taken off, a heading naming
/// the author dropped ("Anna wrote:" as we write it, "anna:" as slixmpp does, with the name
/// `author` was given as: an address, its user part or a room nick), bounded as a quote.
pub fn quote_from_fallback(fallback: &str, author: Option<&str>) -> Option<String> {
    let lines: Vec<&str> = fallback
        .lines()
        .map(|line| {
            line.strip_prefix('>').map_or(line, |rest| rest.strip_prefix(' ').unwrap_or(rest))
        })
        .collect();
    let lines = match lines.first() {
        Some(first) if lines.len() > 1 && is_heading(first, author) => &lines[1..],
        _ => &lines[..],
    };
    let quote = quote_of(&lines.join("\n"));
    (!quote.is_empty()).then_some(quote)
}

/// Whether a fallback's first line names the quoted author rather than quoting them.
fn is_heading(line: &str, author: Option<&str>) -> bool {
    let line = line.trim_end();
    if line.ends_with("wrote:") {
        return true;
    }
    let (Some(named), Some(author)) = (line.strip_suffix(':'), author) else { return false };
    let bare = author.split('/').next().unwrap_or(author);
    let user = bare.split('@').next().unwrap_or(bare);
    let nick = author.split_once('/').map_or("", |(_, nick)| nick);
    [author, bare, user, nick]
        .iter()
        .any(|name| !name.is_empty() && name.eq_ignore_ascii_case(named.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quote_keeps_the_first_lines_and_marks_the_cut() {
        assert_eq!(quote_of("  hello  "), "hello");
        assert_eq!(quote_of("1\n2\n3\n4\n5"), "1\n2\n3\n4…");
        let long = "é".repeat(1000);
        let quote = quote_of(&long);
        assert_eq!(quote.chars().count(), MAX_QUOTE);
        assert!(quote.ends_with('…'));
    }

    #[test]
    fn our_fallback_and_theirs_read_back_to_the_quote() {
        let text = fallback_text(Some("Anna"), "We should\nbake a cake");
        assert_eq!(text, "> Anna wrote:\n> We should\n> bake a cake\n");
        assert_eq!(quote_from_fallback(&text, None).as_deref(), Some("We should\nbake a cake"));
        assert_eq!(quote_from_fallback(">plain\n", None).as_deref(), Some("plain"));
        assert_eq!(quote_from_fallback("> \n", None), None);
        // slixmpp heads its quote with the nick; a line ending in ':' is kept otherwise.
        let slixmpp = "> bob:\n> cake?\n";
        assert_eq!(quote_from_fallback(slixmpp, Some("bob@x/phone")).as_deref(), Some("cake?"));
        assert_eq!(quote_from_fallback(slixmpp, Some("room@muc/bob")).as_deref(), Some("cake?"));
        assert_eq!(quote_from_fallback(slixmpp, Some("anna@x")).as_deref(), Some("bob:\ncake?"));
        assert_eq!(quote_from_fallback(slixmpp, None).as_deref(), Some("bob:\ncake?"));
    }

    #[test]
    fn the_answered_line_shown_is_the_stored_one_when_there() {
        let mut reply = Reply {
            id: "x".into(),
            to: Some("room@muc/anna".into()),
            quote: Some("old words".into()),
            ..Reply::default()
        };
        assert_eq!(reply.shown_text(), Some("old words"));
        assert_eq!(reply.shown_author(), Some("anna"));
        reply.line = Some(QuotedLine {
            id: 1,
            author: "Anna".into(),
            ours: false,
            body: "new".into(),
            removed: false,
        });
        assert_eq!(reply.shown_text(), Some("new"));
        assert_eq!(reply.shown_author(), Some("Anna"));
        if let Some(line) = reply.line.as_mut() {
            line.ours = true;
        }
        assert_eq!(reply.shown_author(), Some("You"), "our own line");
        if let Some(line) = reply.line.as_mut() {
            line.removed = true;
        }
        assert_eq!(reply.shown_text(), None, "a line taken back is not quoted");
    }
}
