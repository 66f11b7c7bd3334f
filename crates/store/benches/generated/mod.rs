//! The generated store the large-history benchmarks share (the store's `search`, the app's
//! `conversation_frames`): 1,000,000 lines by default in 1,000 conversations, one of them
//! 100,900 lines long, one line in ten a reply to an earlier line of its conversation. It is
//! written once into `target/bench-search/` and reused; `LINES` makes a smaller one.

use chrono::{DateTime, Utc};
use confab_model::{ChatId, Delivery, Direction, MessageKind, NewMessage, Reply};
use confab_store::Store;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub const ACCOUNT: &str = "me@example.org";
const CONVERSATIONS: usize = 1000;
/// The long conversation's share of the lines, as in the issue: 100k of 1M.
const LONG_SHARE: f64 = 0.1009;
const BATCH: usize = 10_000;
/// Which generator wrote a kept store; a new one writes its store afresh (2: replies).
const GENERATION: u32 = 2;
/// One line in this many answers an earlier line of its conversation (XEP-0461).
const REPLY_EVERY: usize = 10;

/// How many lines the store holds: `LINES`, else a million.
pub fn lines() -> usize {
    std::env::var("LINES").ok().and_then(|n| n.parse().ok()).unwrap_or(1_000_000)
}

/// The kept store of `lines` lines under `target` (the workspace's target directory),
/// generated first if there is none.
pub fn kept_store(target: &Path, lines: usize) -> PathBuf {
    let dir = target.join(format!("bench-search/{lines}-{GENERATION}"));
    let path = dir.join("confab.sqlite3");
    if !path.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        generate(&path, lines);
    }
    path
}

/// The long conversation.
pub fn long_conversation() -> ChatId {
    ChatId(chat_name(0))
}

/// A small deterministic generator (xorshift), so every run builds the same store.
pub struct Random(pub u64);

impl Random {
    pub fn next(&mut self) -> u64 {
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

pub fn sentence(random: &mut Random, n: usize) -> String {
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

pub fn chat_name(n: usize) -> String {
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
            unstyled: false,
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

pub fn median(times: &mut [Duration]) -> Duration {
    percentile(times, 0.5)
}

pub fn percentile(times: &mut [Duration], share: f64) -> Duration {
    times.sort();
    let at = ((times.len() as f64 - 1.0) * share).round() as usize;
    times.get(at).copied().unwrap_or_default()
}

pub fn worst(times: &[Duration]) -> Duration {
    times.iter().max().copied().unwrap_or_default()
}

pub fn ms(time: Duration) -> String {
    format!("{:.2} ms", time.as_secs_f64() * 1e3)
}
