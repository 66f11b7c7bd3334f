//! The bounded fuzz run of the normal test suite: every fuzz target's body (fuzz/src/lib.rs)
//! over its committed corpus (fuzz/corpus/<target>/) and a fixed number of deterministic
//! mutations of it, so CI checks every entry point that reads network or disk bytes in seconds.
//! The long runs use cargo-fuzz (docs/fuzzing.md); a crash it finds goes into the corpus, and
//! from then on this test replays it.

#[path = "../fuzz/src/lib.rs"]
mod harness;

use std::path::Path;

/// Mutations per seed file: a few thousand cases per entry point in all.
const MUTATIONS_PER_SEED: usize = 300;
/// The largest mutated input: libFuzzer's default `-max_len` for small seeds.
const MAX_LEN: usize = 4096;

/// A small xorshift generator, so every run tries the same cases and a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes that matter to the parsers: markup, quotes, brackets, and the ends of numbers.
const INTERESTING: &[&[u8]] = &[
    b"<",
    b">",
    b"/>",
    b"</",
    b"'",
    b"\"",
    b"&amp;",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"-->",
    b"<?",
    b"?>",
    b"xmlns='jabber:client'",
    b"://",
    b"xmpp:",
    b"@",
    b"\xe2\x80\xae",
    b"\xff\xff\xff\xff",
    b"\0\0\0\0",
    b"\x7f",
];

/// One to four of: flip a byte, insert an interesting token, delete a run, duplicate a run.
fn mutate(seed: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(data.len() + 1);
        match rng.below(4) {
            0 if at < data.len() => data[at] ^= 1 << rng.below(8),
            1 => {
                let token = INTERESTING[rng.below(INTERESTING.len())];
                data.splice(at..at, token.iter().copied());
            }
            2 => {
                let end = (at + rng.below(16) + 1).min(data.len());
                data.drain(at.min(end)..end);
            }
            _ => {
                let end = (at + rng.below(64) + 1).min(data.len());
                let run = data[at.min(end)..end].to_vec();
                data.splice(at..at, run);
            }
        }
    }
    data.truncate(MAX_LEN.max(seed.len()));
    data
}

/// Runs `target` over every seed of `name` and its mutations; returns how many cases ran.
fn run(name: &str, target: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(name);
    let mut seeds: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a corpus entry").path())
        .collect();
    seeds.sort();
    assert!(!seeds.is_empty(), "no seeds in {}", dir.display());
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut cases = 0;
    for path in seeds {
        let seed = std::fs::read(&path).expect("a seed");
        target(&seed);
        for _ in 0..MUTATIONS_PER_SEED {
            let input = mutate(&seed, &mut rng);
            let outcome = std::panic::catch_unwind(|| target(&input));
            if outcome.is_err() {
                panic!(
                    "{name}: a mutation of {} fails; as text: {:?}",
                    path.display(),
                    String::from_utf8_lossy(&input)
                );
            }
            cases += 1;
        }
    }
    cases
}

#[test]
fn xml_guard() {
    assert!(run("xml_guard", harness::xml_guard) >= 1000);
}

#[test]
fn stream_to_stanzas() {
    assert!(run("stream_to_stanzas", harness::stream_to_stanzas) >= 1000);
}

#[test]
fn forms() {
    assert!(run("forms", harness::forms) >= 1000);
}

#[test]
fn image_decode() {
    assert!(run("image_decode", harness::image_decode) >= 1000);
}

#[test]
fn avatar() {
    assert!(run("avatar", harness::avatar) >= 1000);
}

#[test]
fn linkify() {
    assert!(run("linkify", harness::linkify) >= 1000);
}

#[test]
fn store_open() {
    assert!(run("store_open", harness::store_open) >= 100);
}
