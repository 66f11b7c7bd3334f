//! Nicknames in chat rooms: Tab completion of the names of the people in the room, cycling
//! through the matches the way Gajim and IRC clients do. (What counts as a mention of our nick
//! is `notify::mentions`, shared by highlighting and notifications.)

/// A Tab completion under way. It remembers what it put in the composer, so the next Tab
/// offers the next match instead of completing the completion; typing anything ends it.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    /// The draft before the completed word, with the "@" kept when one was typed.
    stem: String,
    /// What follows the nickname: ": " when it opens the message, else a space.
    suffix: &'static str,
    matches: Vec<String>,
    index: usize,
}

impl Completion {
    /// Complete the last word of `draft` with the first of `nicks` (in order of preference)
    /// that starts with it, ignoring case; `None` when that word is empty or nothing matches.
    pub fn start<'a>(draft: &str, nicks: impl IntoIterator<Item = &'a str>) -> Option<Self> {
        let word_start = draft
            .rfind(char::is_whitespace)
            .map_or(0, |i| i + draft[i..].chars().next().map_or(1, char::len_utf8));
        let (before, word) = draft.split_at(word_start);
        let (at, prefix) = match word.strip_prefix('@') {
            Some(rest) => ("@", rest),
            None => ("", word),
        };
        if prefix.is_empty() {
            return None;
        }
        let prefix = prefix.to_lowercase();
        let matches: Vec<String> = nicks
            .into_iter()
            .filter(|nick| nick.to_lowercase().starts_with(&prefix))
            .map(str::to_owned)
            .collect();
        if matches.is_empty() {
            return None;
        }
        let opens = before.trim().is_empty() && at.is_empty();
        Some(Self {
            stem: format!("{before}{at}"),
            suffix: if opens { ": " } else { " " },
            matches,
            index: 0,
        })
    }

    /// The draft with the current match in place.
    pub fn text(&self) -> String {
        let nick = self.matches.get(self.index).map_or("", String::as_str);
        format!("{}{nick}{}", self.stem, self.suffix)
    }

    /// On to the next match, back to the first after the last.
    pub fn advance(&mut self) {
        self.index = (self.index + 1) % self.matches.len().max(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    // Highlighting and notifying must agree on what a mention is: one function decides both.
    use crate::notify::mentions;

    #[test]
    fn a_mention_is_the_nick_as_a_word_in_any_case() {
        assert!(mentions("alice: are you there?", "Alice"));
        assert!(mentions("Thanks, ALICE!", "alice"));
        assert!(mentions("ping @alice", "alice"));
        assert!(mentions("ask Ünal", "ünal"));
        assert!(mentions("what about the café? the Café Crew", "café crew"));
        assert!(!mentions("malice aforethought", "alice"));
        assert!(!mentions("alice2 is someone else", "alice"));
        assert!(!mentions("anything", ""));
    }

    #[test]
    fn tab_completes_the_last_word_and_cycles_through_matches() {
        let nicks = ["alice", "Albert", "bob"];
        let mut completion = Completion::start("al", nicks).expect("two match");
        assert_eq!(completion.text(), "alice: ");
        completion.advance();
        assert_eq!(completion.text(), "Albert: ");
        completion.advance();
        assert_eq!(completion.text(), "alice: ", "back to the first");

        let middle = Completion::start("thanks AL", nicks).expect("case does not matter");
        assert_eq!(middle.text(), "thanks alice ");
        let at = Completion::start("cc @bo", nicks).expect("an @ is kept");
        assert_eq!(at.text(), "cc @bob ");
        assert_eq!(Completion::start("hello ", nicks), None, "nothing typed to complete");
        assert_eq!(Completion::start("zed", nicks), None, "no match");
    }
}
