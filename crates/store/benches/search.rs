//! A large history, measured on the generated store (`generated`): how long writing a line
//! costs with the search index, how large the index is, how fast the long conversation opens
//! and pages back to its start, and how fast realistic searches over everything answer
//! (median and 95th percentile).
//! Prints figures; asserts nothing about them. Run: `cargo bench -p confab-store --bench search`
//! (`LINES=100000` for a smaller store; the store is kept in `target/bench-search/` and reused).

mod generated;

use chrono::{DateTime, Utc};
use confab_model::search::SearchQuery;
use confab_model::{ChatId, Delivery, Direction, MessageKind, NewMessage};
use confab_store::Store;
use generated::{ACCOUNT, Random, chat_name, median, ms, percentile, sentence, worst};
use std::path::Path;
use std::time::Instant;

const RUNS: usize = 21;

fn main() {
    let lines = generated::lines();
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target");
    let path = generated::kept_store(&target, lines);
    index_size(&path);
    let long = generated::long_conversation();
    open_long_conversation(&path, &long);
    search(&path, &long, lines);
    insert_cost(&path);
}

fn index_size(path: &Path) {
    let conn = rusqlite::Connection::open(path).expect("sqlite");
    let pages = |like: &str| -> i64 {
        conn.query_row(
            "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE ?1",
            [like],
            |row| row.get(0),
        )
        .unwrap_or(0)
    };
    let index = pages("message_search%");
    let messages = pages("messages");
    let total = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let count: i64 =
        conn.query_row("SELECT count(*) FROM messages", [], |row| row.get(0)).unwrap_or(0);
    println!(
        "store {:.1} MB for {count} lines: messages table {:.1} MB, search index {:.1} MB \
         ({:.0} bytes per line)",
        total as f64 / 1e6,
        messages as f64 / 1e6,
        index as f64 / 1e6,
        index as f64 / count.max(1) as f64
    );
}

fn open_long_conversation(path: &Path, long: &ChatId) {
    let mut first_pages = Vec::new();
    for _ in 0..RUNS {
        // A fresh connection each time, as when the window opens the conversation.
        let store = Store::open(path).expect("store");
        let started = Instant::now();
        let page = store.history(ACCOUNT, long, None, 100).expect("page");
        first_pages.push(started.elapsed());
        assert_eq!(page.messages.len(), 100);
    }
    let store = Store::open(path).expect("store");
    let mut before = None;
    let mut pages = Vec::new();
    let mut read = 0;
    loop {
        let started = Instant::now();
        let page = store.history(ACCOUNT, long, before, 100).expect("page");
        pages.push(started.elapsed());
        read += page.messages.len();
        before = page.messages.first().map(|m| m.id);
        if !page.has_more {
            break;
        }
    }
    println!(
        "the long conversation's newest 100 lines from a fresh connection: median {}, worst {}",
        ms(median(&mut first_pages)),
        ms(worst(&first_pages))
    );
    println!(
        "paging it back to its start, 100 at a time: {read} lines in {} pages, median {}, \
         p95 {}, worst {} per page",
        pages.len(),
        ms(median(&mut pages.clone())),
        ms(percentile(&mut pages.clone(), 0.95)),
        ms(worst(&pages))
    );
}

fn search(path: &Path, long: &ChatId, lines: usize) {
    let store = Store::open(path).expect("store");
    let words = |text: &str| SearchQuery { text: text.into(), limit: 50, ..SearchQuery::default() };
    // As the window asks: in one account's conversation.
    let in_chat = |chat: ChatId, text: &str| SearchQuery {
        account: Some(ACCOUNT.into()),
        chat: Some(chat),
        ..words(text)
    };
    let queries = vec![
        ("a common word", words("the")),
        ("a rarer word", words("xylophone")),
        ("two words", words("lunch tomorrow")),
        ("a word's start", words("straw")),
        ("without its accent", words("zurich")),
        ("a rare number", words("#48213")),
        ("two CJK letters", words("東京")),
        ("a word nobody wrote", words("aardvark")),
        ("three words, rare together", words("ferry museum quartz")),
        ("in the long conversation", in_chat(long.clone(), "hotel")),
        ("in a short conversation", in_chat(ChatId(chat_name(500)), "hotel")),
        ("rare, in the long one", in_chat(long.clone(), "xylophone quartz")),
        (
            "by one author",
            SearchQuery { from: Some(format!("{}/phone", chat_name(42))), ..words("coffee") },
        ),
        (
            "in the last month",
            SearchQuery {
                since: DateTime::from_timestamp(1_600_000_000 + 60 * (lines as i64 * 97 / 100), 0),
                ..words("garden")
            },
        ),
    ];
    let mut all = Vec::new();
    for (what, query) in &queries {
        let mut times = Vec::with_capacity(RUNS);
        let mut hits = 0;
        for _ in 0..RUNS {
            let started = Instant::now();
            let results = store.search(query).expect("searched");
            times.push(started.elapsed());
            hits = results.hits.len();
        }
        all.extend(times.iter().copied());
        println!(
            "search {what:<28} {:<24} {hits:>3} hits: median {}, worst {}",
            format!("{:?}", query.text),
            ms(median(&mut times.clone())),
            ms(worst(&times))
        );
    }
    println!(
        "search, all {} queries × {RUNS} runs: median {}, p95 {}, worst {}",
        queries.len(),
        ms(median(&mut all.clone())),
        ms(percentile(&mut all.clone(), 0.95)),
        ms(worst(&all))
    );
}

/// Written into a copy, so that the store stays the same from one run to the next; once with
/// the index, once into a copy whose index triggers are dropped, to tell what the index costs.
fn insert_cost(path: &Path) {
    let with_index = insert_burst(path, false);
    let without = insert_burst(path, true);
    println!(
        "writing 5000 more lines into the full store in bursts of 500: {:.1} µs per line with \
         the index, {:.1} µs without it",
        with_index, without
    );
}

/// Microseconds per line for a burst of 5,000 written into a copy of the store.
fn insert_burst(path: &Path, drop_index: bool) -> f64 {
    let copy = path.with_file_name("insert-copy.sqlite3");
    std::fs::copy(path, &copy).expect("copied");
    if drop_index {
        let conn = rusqlite::Connection::open(&copy).expect("sqlite");
        conn.execute_batch(
            "DROP TRIGGER message_search_insert; DROP TRIGGER message_search_update;
             DROP TRIGGER message_search_delete;",
        )
        .expect("dropped");
    }
    let mut store = Store::open(&copy).expect("store");
    let mut random = Random(42);
    let count = 5_000;
    let start = Utc::now();
    let burst: Vec<NewMessage> = (0..count)
        .map(|n| NewMessage {
            chat: ChatId(chat_name(n % 7)),
            kind: MessageKind::Message,
            nick: None,
            direction: Direction::In,
            from: chat_name(n % 7),
            to: ACCOUNT.into(),
            body: sentence(&mut random, n),
            timestamp: start,
            state: Delivery::Received,
            stanza_id_attr: None,
            origin_id: Some(format!("more-{n}")),
            server_id: None,
            attachment: None,
            author: Default::default(),
            replaces: None,
            reply: None,
            unstyled: false,
        })
        .collect();
    let started = Instant::now();
    for chunk in burst.chunks(500) {
        store.insert_messages(ACCOUNT, chunk).expect("stored");
    }
    let took = started.elapsed();
    drop(store);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", copy.display()));
    }
    took.as_secs_f64() * 1e6 / count as f64
}
