//! Reactions to a message (XEP-0444): who reacted with what, as the window shows them.

/// The most distinct reactions kept from one reactor on one message; the rest of a longer
/// set is dropped (a stranger may send thousands).
pub const MAX_REACTIONS_PER_REACTOR: usize = 20;
/// The longest reaction kept, in bytes: one emoji, even a family or a flag with its
/// modifiers, fits; a reaction is not a message.
pub const MAX_REACTION_BYTES: usize = 32;
/// The reactor key of this account's own reactions, whichever of our clients sent them.
pub const OWN_REACTOR: &str = "self";

/// One emoji on one message: how many reacted with it, whether we did, and who (their names
/// as the conversation shows them, for the tooltip).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReactionCount {
    pub emoji: String,
    pub count: usize,
    pub ours: bool,
    pub who: Vec<String>,
}

/// A reactor's new set as it is kept: each reaction trimmed, empty, over-long and control-
/// character ones dropped, duplicates dropped (first kept), at most
/// [`MAX_REACTIONS_PER_REACTOR`].
pub fn clean_reactions<S: AsRef<str>>(reactions: &[S]) -> Vec<String> {
    let mut kept: Vec<String> = Vec::new();
    for reaction in reactions {
        let reaction = reaction.as_ref().trim();
        if reaction.is_empty()
            || reaction.len() > MAX_REACTION_BYTES
            || reaction.chars().any(char::is_control)
            || kept.iter().any(|k| k == reaction)
        {
            continue;
        }
        kept.push(reaction.to_owned());
        if kept.len() == MAX_REACTIONS_PER_REACTOR {
            break;
        }
    }
    kept
}

/// Our new set after clicking `emoji` under a message whose counts are `current`: added when
/// we had not reacted with it, taken away when we had.
pub fn toggled(current: &[ReactionCount], emoji: &str) -> Vec<String> {
    let mut ours: Vec<String> =
        current.iter().filter(|r| r.ours).map(|r| r.emoji.clone()).collect();
    match ours.iter().position(|e| e == emoji) {
        Some(at) => {
            ours.remove(at);
        }
        None => ours.push(emoji.to_owned()),
    }
    ours
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_is_cleaned_and_bounded() {
        let long = "👍".repeat(9);
        let set = ["👍", " ❤️ ", "👍", "", &long, "a\u{7}"];
        assert_eq!(clean_reactions(&set), ["👍", "❤️"]);
        let many: Vec<String> = (0..50).map(|i| format!("e{i}")).collect();
        assert_eq!(clean_reactions(&many).len(), MAX_REACTIONS_PER_REACTOR);
        let family = "👨‍👩‍👧‍👦";
        assert!(family.len() <= MAX_REACTION_BYTES);
        assert_eq!(clean_reactions(&[family]), [family]);
    }

    #[test]
    fn a_click_toggles_only_ours() {
        let counts = [
            ReactionCount { emoji: "👍".into(), count: 2, ours: true, who: vec![] },
            ReactionCount { emoji: "😂".into(), count: 1, ours: false, who: vec![] },
        ];
        assert_eq!(toggled(&counts, "👍"), Vec::<String>::new());
        assert_eq!(toggled(&counts, "😂"), ["👍", "😂"]);
    }
}
