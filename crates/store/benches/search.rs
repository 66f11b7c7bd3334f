//! A large history, measured: a generated store of 1,000,000 lines in 1,000 conversations (one of
//! them 100,900 lines long, one line in ten a reply to an earlier line of its conversation) — how long writing a line costs with the search index, how large the
//! index is, how fast the long conversation opens and pages back to its start, and how fast
//! realistic searches over everything answer (median and 95th percentile).
//! Prints figures; asserts nothing about them. Run: `cargo bench -p confab-store --bench search`
//! (`LINES=100000` for a smaller store; the store is kept in `target/bench-search/` and reused).

use chrono::{DateTime, Utc};
use confab_model::search::SearchQuery;
use confab_model::{ChatId, Delivery, Direction, MessageKind, NewMessage, Reply};
use confab_store::Store;
use std::path::Path;
use std::time::{Duration, Instant};

const ACCOUNT: &str = "me@example.org";
const CONVERSATIONS: usize = 1000;
/// The long conversation's share of the lines, as in the issue: 100k of 1M.
const LONG_SHARE: f64 = 0.1009;
const BATCH: usize = 10_000;
const RUNS: usize = 21;
/// Which generator wrote a kept store; a new one writes its store afresh (2: replies).
const GENERATION: u32 = 2;
/// One line in this many answers an earlier line of its conversation (XEP-0461).
const REPLY_EVERY: usize = 10;

fn main() {
    let lines: usize =
        std::env::var("LINES").ok().and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../target/bench-search/{lines}-{GENERATION}"));
    let path = dir.join("confab.sqlite3");
    if !path.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        generate(&path, lines);
    }
    index_size(&path);
    let long = ChatId(chat_name(0));
    open_long_conversation(&path, &long);
    search(&path, &long, lines);
    insert_cost(&path);
}

/// A small deterministic generator (xorshift), so every run builds the same store.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Skewed towards small numbers, as word use is: a few words are most of any text.
    fn skewed(&mut self, below: usize) -> usize {
        let a = self.next() as usize % below;
        let b = self.next() as usize % below;
        a * b / below
    }
}

const WORDS: &[&str] = &[
    "the",
    "a",
    "to",
    "and",
    "of",
    "in",
    "is",
    "it",
    "you",
    "that",
    "we",
    "for",
    "on",
    "this",
    "with",
    "be",
    "are",
    "have",
    "not",
    "at",
    "lunch",
    "meeting",
    "tomorrow",
    "today",
    "release",
    "build",
    "server",
    "message",
    "photo",
    "holiday",
    "train",
    "coffee",
    "café",
    "naïve",
    "résumé",
    "Zürich",
    "München",
    "deploy",
    "review",
    "patch",
    "weekend",
    "dinner",
    "birthday",
    "ticket",
    "invoice",
    "flight",
    "hotel",
    "password",
    "keyboard",
    "window",
    "garden",
    "bicycle",
    "concert",
    "ferry",
    "mountain",
    "library",
    "kitchen",
    "station",
    "museum",
    "football",
    "strawberry",
    "umbrella",
    "sunflower",
    "lighthouse",
    "xylophone",
    "quartz",
    "zephyr",
];

const CJK: &[&str] =
    &["東京", "京都", "明日", "会議", "ありがとう", "電車", "北京", "你好", "谢谢", "天气"];

fn sentence(random: &mut Random, n: usize) -> String {
    if n % 20 == 7 {
        let a = CJK[random.next() as usize % CJK.len()];
        let b = CJK[random.next() as usize % CJK.len()];
        return format!("{a}に{b}です");
    }
    let length = 3 + random.next() as usize % 12;
    let mut words = Vec::with_capacity(length + 1);
    for _ in 0..length {
        words.push(WORDS[random.skewed(WORDS.len())]);
    }
    let mut text = words.join(" ");
    // A number of its own makes rare words: "ticket 48213" is found by one line in a thousand.
    if n % 10 == 3 {
        text.push_str(&format!(" #{}", random.next() % 100_000));
    }
    text
}

fn chat_name(n: usize) -> String {
    format!("friend{n:04}@example.org")
}

fn generate(path: &Path, lines: usize) {
    let mut store = Store::open(path).expect("store");
    let long = (lines as f64 * LONG_SHARE) as usize;
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    let start: DateTime<Utc> = DateTime::from_timestamp(1_600_000_000, 0).unwrap_or_default();
    let started = Instant::now();
    let mut batch = Vec::with_capacity(BATCH);
    let mut written = 0;
    // Conversations interleave in time as they do in life: line n goes to the long one with its
    // share, else to one of the others in turn, one minute after line n - 1.
    let mut others = 0usize;
    let mut long_left = long;
    // Each conversation's last line, for the next reply there to answer.
    let mut last_in: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for n in 0..lines {
        let to_long = long_left > 0 && (n % 10 == 0 || lines - n <= long_left);
        let chat = if to_long {
            long_left -= 1;
            chat_name(0)
        } else {
            others += 1;
            chat_name(1 + (others - 1) % (CONVERSATIONS - 1))
        };
        let incoming = random.next().is_multiple_of(2);
        batch.push(NewMessage {
            chat: ChatId(chat.clone()),
            kind: MessageKind::Message,
            nick: None,
            direction: if incoming { Direction::In } else { Direction::Out },
            from: if incoming { format!("{chat}/phone") } else { ACCOUNT.into() },
            to: if incoming { ACCOUNT.into() } else { chat.clone() },
            body: sentence(&mut random, n),
            timestamp: start + chrono::Duration::minutes(n as i64),
            state: if incoming { Delivery::Received } else { Delivery::Read },
            stanza_id_attr: None,
            origin_id: Some(format!("gen-{n}")),
            server_id: Some(format!("srv-{n}")),
            attachment: None,
            author: Default::default(),
            replaces: None,
            // Lines go to conversations by tens (the long one takes every tenth), so one in ten
            // of each conversation's lines is a reply.
            reply: last_in.insert(chat, n).filter(|_| (n / 10) % REPLY_EVERY == 3).map(
                |answered| Reply {
                    id: format!("gen-{answered}"),
                    quote: Some("an earlier line".into()),
                    ..Reply::default()
                },
            ),
        });
        if batch.len() == BATCH || n + 1 == lines {
            store.insert_messages(ACCOUNT, &batch).expect("stored");
            written += batch.len();
            batch.clear();
        }
    }
    let took = started.elapsed();
    println!(
        "generated {written} lines in {:.1} s: {:.1} µs per line written with the index \
         (batches of {BATCH})",
        took.as_secs_f64(),
        took.as_secs_f64() * 1e6 / written as f64
    );
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

fn median(times: &mut [Duration]) -> Duration {
    percentile(times, 0.5)
}

fn percentile(times: &mut [Duration], share: f64) -> Duration {
    times.sort();
    let at = ((times.len() as f64 - 1.0) * share).round() as usize;
    times.get(at).copied().unwrap_or_default()
}

fn worst(times: &[Duration]) -> Duration {
    times.iter().max().copied().unwrap_or_default()
}

fn ms(time: Duration) -> String {
    format!("{:.2} ms", time.as_secs_f64() * 1e3)
}
