//! Full-text search over every account's history, through SQLite's FTS5.
//!
//! The index (`message_search`, schema 9) keeps only words, not text: the lines stay in
//! `messages`, and triggers feed the index whatever is written there, so a correction, an edit
//! in the outbox or a deleted line changes what is found without any caller remembering to. The
//! words are folded by FTS5's `unicode61` tokenizer (case, accents) after `search_words()`, our
//! function, has set apart the letters of scripts without spaces (`model::search`).
//!
//! Hits come newest stored first. The index's rowid is the line's id negated, so that this is
//! the order FTS5 reads its lists in (forwards; backwards it reads a whole list first) and it
//! stops as soon as a page is full, however many lines match: a common word over a million
//! lines costs what a rare one does. A search in one conversation or by one author adds their
//! word (`scope`, `model::search::scope_words`) to the query, so FTS5 walks the lists together
//! instead of Confab checking every line the words find.
//!
//! A query word of up to [`WHOLE_WORD_MAX`] letters finds only that word, longer ones the words
//! they begin: "walk" finds "walked", "the" does not find "there". Finding every word a short
//! start begins would make FTS5 gather all their lists first (a word of two letters begins
//! thousands), where a word alone is read only as far as a page of hits needs.

use super::history::{MESSAGE_COLUMNS, read_message};
use super::replies::QUOTED_JOIN;
use super::{Result, Store};
use crate::model::search::{self, MAX_HITS, Scope, SearchHit, SearchQuery, SearchResults};
use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, params};

/// The longest query word that finds only itself, not the words it begins.
const WHOLE_WORD_MAX: usize = 3;

/// Registers `search_words(body)` and `search_scope(chat, sender, author, nick)` on a connection, before the
/// schema is brought up to date (the step that builds the index calls them) and before any
/// write (the triggers call them).
pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_DETERMINISTIC
        | FunctionFlags::SQLITE_INNOCUOUS;
    conn.create_scalar_function("search_words", 1, flags, |ctx| {
        let body = ctx.get_raw(0).as_str_or_null().ok().flatten().unwrap_or_default();
        Ok(search::index_text(body).into_owned())
    })?;
    conn.create_scalar_function("search_scope", 4, flags, |ctx| {
        let text = |at| ctx.get_raw(at).as_str_or_null().ok().flatten();
        Ok(search::scope_words(&Scope {
            chat: text(0).unwrap_or_default(),
            sender: text(1).unwrap_or_default(),
            author: text(2),
            nick: text(3),
        }))
    })
}

/// The query in FTS5's language: each word a quoted phrase (so nothing typed is read as
/// syntax), all of them required, and the words of the conversation and author asked for. `None`
/// when nothing typed is a word.
fn match_expression(query: &SearchQuery) -> Option<String> {
    let mut parts: Vec<String> = search::terms(&query.text).into_iter().map(phrase).collect();
    if parts.is_empty() {
        return None;
    }
    if let Some(chat) = &query.chat {
        parts.push(format!("scope : {}", search::chat_word(chat.as_str())));
    }
    if let Some(from) = &query.from {
        // An address, or a nickname in a room: lines by either are found.
        let from_word = search::from_word(from);
        parts.push(format!("scope : ({from_word} OR {})", search::nick_word(from)));
    }
    Some(parts.join(" AND "))
}

/// One query word as an FTS5 phrase: quoted, and open at its end when long enough (see
/// [`WHOLE_WORD_MAX`]). Letters of unsegmented scripts are words of one letter, so a phrase of
/// them is found anywhere and never needs opening.
fn phrase(term: &str) -> String {
    let words = search::index_text(term);
    let quoted = format!("body : \"{}\"", words.replace('"', "\"\""));
    let last_word = words.split_whitespace().last().unwrap_or_default();
    let letters = last_word.chars().filter(|c| c.is_alphanumeric()).count();
    if letters > WHOLE_WORD_MAX { format!("{quoted}*") } else { quoted }
}

impl Store {
    /// The lines that hold every word of `query.text`, newest stored first, within the query's
    /// filters. Lines that are events (joins, subjects) are not searched.
    pub fn search(&self, query: &SearchQuery) -> Result<SearchResults> {
        let Some(expression) = match_expression(query) else {
            return Ok(SearchResults::default());
        };
        let limit = query.limit.clamp(1, MAX_HITS);
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT m.account, {MESSAGE_COLUMNS}
             FROM message_search s
             JOIN messages m ON m.id = -s.rowid
             LEFT JOIN outbox o ON o.message_id = m.id
             LEFT JOIN attachments a ON a.message_id = m.id {QUOTED_JOIN}
             WHERE message_search MATCH ?1
               AND (?2 IS NULL OR m.account = ?2)
               AND (?3 IS NULL OR m.chat = ?3)
               AND (?4 IS NULL OR m.sender = ?4 OR substr(m.sender, 1, length(?4) + 1) = ?4 || '/'
                    OR m.author_jid = ?4 OR m.nick = ?4)
               AND (?5 IS NULL OR m.ts >= ?5)
               AND (?6 IS NULL OR m.ts < ?6)
               AND (?7 = 0 OR a.mime LIKE 'image/%')
               AND (?8 IS NULL OR s.rowid > -?8)
             ORDER BY s.rowid LIMIT ?9"
        ))?;
        let rows = stmt.query_map(
            params![
                expression,
                query.account,
                query.chat.as_ref().map(|chat| chat.as_str()),
                query.from,
                query.since.map(|t| t.timestamp_millis()),
                query.until.map(|t| t.timestamp_millis()),
                query.with_image,
                query.before,
                limit as i64 + 1,
            ],
            |row| Ok(SearchHit { account: row.get("account")?, message: read_message(row)? }),
        )?;
        let mut hits = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        let more = hits.len() > limit;
        hits.truncate(limit);
        Ok(SearchResults { hits, more })
    }
}

#[cfg(test)]
mod tests {
    use super::match_expression;
    use crate::Store;
    use crate::model::search::SearchQuery;
    use crate::model::{ChatId, Delivery, Direction, MessageKind, NewMessage};
    use chrono::DateTime;

    fn line(chat: &str, from: &str, body: &str, secs: i64) -> NewMessage {
        NewMessage {
            chat: ChatId(chat.into()),
            kind: MessageKind::Message,
            nick: None,
            direction: Direction::In,
            from: from.into(),
            to: "me@x".into(),
            body: body.into(),
            timestamp: DateTime::from_timestamp(secs, 0).unwrap_or_default(),
            state: Delivery::Received,
            stanza_id_attr: None,
            origin_id: None,
            server_id: None,
            attachment: None,
            author: Default::default(),
            replaces: None,
            reply: None,
            unstyled: false,
        }
    }

    fn store_with(lines: &[NewMessage]) -> Store {
        let mut store = Store::open_in_memory().expect("store");
        store.insert_messages("me@x", lines).expect("stored");
        store
    }

    fn found(store: &Store, query: SearchQuery) -> Vec<String> {
        let results = store.search(&SearchQuery { limit: 50, ..query }).expect("searched");
        results.hits.into_iter().map(|hit| hit.message.body).collect()
    }

    fn words(text: &str) -> SearchQuery {
        SearchQuery { text: text.into(), ..SearchQuery::default() }
    }

    #[test]
    fn words_are_found_by_their_start_without_case_or_accents() {
        let store = store_with(&[
            line("bob@x", "bob@x/phone", "Meet at the Café tomorrow", 1),
            line("bob@x", "bob@x/phone", "walked home", 2),
            line("bob@x", "bob@x/phone", "nothing to see", 3),
        ]);
        assert_eq!(found(&store, words("cafe")), ["Meet at the Café tomorrow"]);
        assert_eq!(found(&store, words("WALK")), ["walked home"]);
        assert!(found(&store, words("wal")).is_empty(), "three letters find only themselves");
        assert_eq!(found(&store, words("the")).len(), 1);
        assert_eq!(found(&store, words("meet tomorrow")), ["Meet at the Café tomorrow"]);
        assert!(found(&store, words("meet home")).is_empty());
    }

    #[test]
    fn unsegmented_scripts_are_found_anywhere_in_a_line() {
        let store = store_with(&[
            line("bob@x", "bob@x", "明日は東京都に行きます", 1),
            line("bob@x", "bob@x", "京都もいい", 2),
            line("bob@x", "bob@x", "สวัสดีครับ", 3),
        ]);
        assert_eq!(found(&store, words("東京")), ["明日は東京都に行きます"]);
        assert_eq!(found(&store, words("京都")).len(), 2);
        assert_eq!(found(&store, words("ดีค")), ["สวัสดีครับ"]);
    }

    #[test]
    fn search_syntax_typed_is_taken_as_words_and_never_fails() {
        let store = store_with(&[line("bob@x", "bob@x", "say \"hi\" * or NEAR(a b) AND c:d", 1)]);
        for query in [
            "\"", "*", "\"\"", "AND", "OR", "NOT", "NEAR(", "a:b", "^hi", "-x", "(", "\"hi", "c:d",
            "hi\"*", "{a b}", "\u{0}", "\\",
        ] {
            assert!(store.search(&words(query)).is_ok(), "{query:?}");
        }
        assert_eq!(found(&store, words("\"hi\"")).len(), 1);
        assert_eq!(found(&store, words("near(a")).len(), 1);
        assert_eq!(found(&store, words("c:d")).len(), 1);
        assert_eq!(match_expression(&words("\" *")), None);
    }

    #[test]
    fn filters_narrow_the_hits() {
        let mut room_line = line("room@muc.x", "room@muc.x/ann", "lunch in the room", 30);
        room_line.nick = Some("ann".into());
        room_line.author.jid = Some("ann@x".into());
        let store = store_with(&[
            line("bob@x", "bob@x/phone", "lunch with bob", 10),
            line("carol@x", "carol@x/desk", "lunch with carol", 20),
            room_line,
        ]);
        let lunch =
            |query: SearchQuery| found(&store, SearchQuery { text: "lunch".into(), ..query });
        assert_eq!(lunch(SearchQuery::default()).len(), 3);
        let in_bob = SearchQuery { chat: Some(ChatId("bob@x".into())), ..SearchQuery::default() };
        assert_eq!(lunch(in_bob.clone()), ["lunch with bob"]);
        // With the account, the conversation is looked up in the index itself.
        let mine = SearchQuery { account: Some("me@x".into()), ..in_bob };
        assert_eq!(lunch(mine.clone()), ["lunch with bob"]);
        let theirs = SearchQuery { account: Some("other@x".into()), ..mine };
        assert!(lunch(theirs).is_empty());
        for from in ["carol@x", "carol@x/desk"] {
            let query = SearchQuery { from: Some(from.into()), ..SearchQuery::default() };
            assert_eq!(lunch(query), ["lunch with carol"], "{from}");
        }
        for from in ["ann", "ann@x"] {
            let query = SearchQuery { from: Some(from.into()), ..SearchQuery::default() };
            assert_eq!(lunch(query), ["lunch in the room"], "{from}");
        }
        let since = SearchQuery {
            since: DateTime::from_timestamp(15, 0),
            until: DateTime::from_timestamp(25, 0),
            ..SearchQuery::default()
        };
        assert_eq!(lunch(since), ["lunch with carol"]);
        let other = SearchQuery { account: Some("other@x".into()), ..SearchQuery::default() };
        assert!(lunch(other).is_empty());
    }

    #[test]
    fn hits_come_a_page_at_a_time_newest_first() {
        let lines: Vec<_> =
            (0..5).map(|n| line("bob@x", "bob@x", &format!("ping {n}"), n)).collect();
        let store = store_with(&lines);
        let first = store.search(&SearchQuery { limit: 2, ..words("ping") }).expect("page");
        let bodies: Vec<_> = first.hits.iter().map(|hit| hit.message.body.as_str()).collect();
        assert_eq!(bodies, ["ping 4", "ping 3"]);
        assert!(first.more);
        let before = first.hits.last().map(|hit| hit.message.id);
        let rest = store.search(&SearchQuery { limit: 5, before, ..words("ping") }).expect("rest");
        assert_eq!(rest.hits.len(), 3);
        assert!(!rest.more);
    }

    #[test]
    fn corrected_and_deleted_lines_are_found_by_what_they_say_now() {
        let mut corrected = line("bob@x", "bob@x", "teh typo", 1);
        corrected.origin_id = Some("o1".into());
        corrected.stanza_id_attr = Some("o1".into());
        let mut store = store_with(&[corrected]);
        store.correct("me@x", "bob@x", "o1", "the fix", false, |_, _| true).expect("corrected");
        assert!(found(&store, words("teh")).is_empty());
        assert_eq!(found(&store, words("fix")), ["the fix"]);
        store.delete_account("me@x").expect("deleted");
        assert!(found(&store, words("fix")).is_empty());
    }

    #[test]
    fn events_are_not_searched() {
        let mut event = line("room@muc.x", "room@muc.x", "ann joined the lunch room", 1);
        event.kind = MessageKind::Event;
        let store = store_with(&[event]);
        assert!(found(&store, words("lunch")).is_empty());
    }
}
