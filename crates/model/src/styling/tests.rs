//! The XEP's own examples, the cases it leaves text alone, and hostile bodies.

use super::*;

/// The styled runs of a one-line body as (styles, text): `s` strong, `e` emphasis, `x`
/// strike, `p` pre, and `!` for a directive.
fn styled(body: &str) -> Vec<(String, &str)> {
    let blocks = parse(body);
    let [Block::Line { runs, .. }] = blocks.as_slice() else { panic!("one line: {body}") };
    runs.iter()
        .filter(|run| !run.styles.is_plain())
        .map(|run| {
            let Styles { strong, emphasis, strike, pre } = run.styles;
            let flags =
                [(strong, 's'), (emphasis, 'e'), (strike, 'x'), (pre, 'p'), (run.marker, '!')];
            let name = flags.iter().filter(|(on, _)| *on).map(|(_, c)| c).collect();
            (name, &body[run.range.clone()])
        })
        .collect()
}

/// The styled runs as [`styled`] gives them, written shortly.
fn spans<'a>(list: &[(&str, &'a str)]) -> Vec<(String, &'a str)> {
    list.iter().map(|&(name, text)| (name.to_owned(), text)).collect()
}

/// The block structure, the lines written out: `q[…]` a quote, `pre(open|lines|close)`.
fn outline(body: &str) -> String {
    fn write(body: &str, blocks: &[Block]) -> Vec<String> {
        blocks
            .iter()
            .map(|block| match block {
                Block::Line { range, .. } => body[range.clone()].to_owned(),
                Block::Quote(inner) => format!("q[{}]", write(body, inner).join(" / ")),
                Block::Pre { open, lines, close } => {
                    let lines: Vec<&str> = lines.iter().map(|l| &body[l.clone()]).collect();
                    let close = close.as_ref().map_or("-", |c| &body[c.clone()]);
                    format!("pre({}|{}|{close})", &body[open.clone()], lines.join("\\n"))
                }
            })
            .collect()
    }
    write(body, &parse(body)).join(" / ")
}

#[test]
fn the_xeps_styled_examples() {
    let strong = spans(&[("s!", "*"), ("s", "strong"), ("s!", "*")]);
    assert_eq!(styled("*strong*"), strong);
    assert_eq!(styled("plain *strong* plain"), strong);
    assert_eq!(styled("*strong*plain*"), strong, "the first closer ends it");
    assert_eq!(styled("* plain *strong*"), strong);
    let twice: Vec<_> = strong.iter().chain(&strong).cloned().collect();
    assert_eq!(styled("*strong* plain *strong*"), twice);
    assert_eq!(
        styled("Everyone ~dis~likes cake."),
        spans(&[("x!", "~"), ("x", "dis"), ("x!", "~")])
    );
    assert_eq!(
        styled("The full title is _Twelfth Night, or What You Will_ but"),
        spans(&[("e!", "_"), ("e", "Twelfth Night, or What You Will"), ("e!", "_")])
    );
    assert_eq!(
        styled("Wow, I can write in `monospace`!"),
        spans(&[("p!", "`"), ("p", "monospace"), ("p!", "`")])
    );
}

#[test]
fn the_xeps_unstyled_examples() {
    for body in ["not strong*", "*not strong", "*not *strong", "**", "****", "* a *", "*"] {
        assert_eq!(styled(body), [], "{body}");
    }
    let lines = parse("*not \n strong*");
    assert_eq!(lines.len(), 2, "two lines");
    assert!(is_plain(&lines), "spans never cross lines");
    assert!(is_plain(&parse("plain words\nand more")));
    assert!(!is_plain(&parse("a *b*")));
}

#[test]
fn directives_inside_words_are_text() {
    for body in ["snake_case_name", "2*3*4", "a*b*", "foo_bar_", "x~y~", "don`t`", "a_ b_"] {
        assert_eq!(styled(body), [], "{body}");
    }
    assert_eq!(styled("call snake_case_name _now_").len(), 3, "only _now_");
    assert_eq!(styled("(*not*)"), [], "a bracket is not whitespace");
}

#[test]
fn spans_nest_but_not_inside_pre() {
    assert_eq!(
        styled("_emphasized span containing *strong span*_"),
        spans(&[
            ("e!", "_"),
            ("e", "emphasized span containing "),
            ("se!", "*"),
            ("se", "strong span"),
            ("se!", "*"),
            ("e!", "_"),
        ])
    );
    assert_eq!(
        styled("This is `*monospace*`"),
        spans(&[("p!", "`"), ("p", "*monospace*"), ("p!", "`")])
    );
    assert_eq!(
        styled("This is *`monospace and bold`*"),
        spans(&[
            ("s!", "*"),
            ("sp!", "`"),
            ("sp", "monospace and bold"),
            ("sp!", "`"),
            ("s!", "*"),
        ])
    );
    assert_eq!(styled("**double**"), [], "a run of the same directive opens nothing");
}

#[test]
fn a_span_ends_at_its_first_closer_even_inside_another() {
    // Lazily matched: the `*` after `b` ends the strong span, so the backtick has no closer
    // inside it and the one outside has nothing before it that may open.
    assert_eq!(styled("*a `b* c`"), spans(&[("s!", "*"), ("s", "a `b"), ("s!", "*")]));
    assert_eq!(styled("*a _b* c_"), spans(&[("s!", "*"), ("s", "a _b"), ("s!", "*")]));
}

#[test]
fn runs_cover_each_line_in_order() {
    let body = "one *two* _three_\n> four ~five~";
    for block in parse(body) {
        let Block::Line { range, runs } = block else { continue };
        let joined: String = runs.iter().map(|run| &body[run.range.clone()]).collect();
        assert_eq!(joined, &body[range]);
    }
}

#[test]
fn code_blocks() {
    assert_eq!(
        outline("```ignored\n(println \"Hello, world!\")\n```\n\nThis should show up as monospace"),
        "pre(```ignored|(println \"Hello, world!\")|```) /  / This should show up as monospace"
    );
    assert_eq!(outline("```\n*not styled*\n```"), "pre(```|*not styled*|```)");
    assert_eq!(
        outline("```\nto the end\nof the message"),
        "pre(```|to the end\\nof the message|-)"
    );
    assert_eq!(outline("```\n``` not a close\n```"), "pre(```|``` not a close|```)");
    assert_eq!(outline("a\r\n```\r\ncode\r\n```\r\nb"), "a / pre(```|code|```) / b");
    assert_eq!(outline("``` "), "pre(``` ||-)");
}

#[test]
fn quotes() {
    assert_eq!(
        outline("> That that is, is.\n\nSaid the old hermit of Prague."),
        "q[That that is, is.] /  / Said the old hermit of Prague."
    );
    assert_eq!(
        outline(">> That that is, is.\n> Said the old hermit of Prague.\n\nWho?"),
        "q[q[That that is, is.] / Said the old hermit of Prague.] /  / Who?"
    );
    assert_eq!(
        outline(
            "> ```\n> (println \"Hello, world!\")\n\nThe entire blockquote is a preformatted text block"
        ),
        "q[pre(```|(println \"Hello, world!\")|-)] /  / The entire blockquote is a preformatted text block",
        "a code block ends with its quote"
    );
    assert_eq!(outline(">\u{3000}wide space\n>  two spaces"), "q[wide space /  two spaces]");
    let quoted = parse("> a *b*");
    let [Block::Quote(inner)] = quoted.as_slice() else { panic!("{quoted:?}") };
    assert!(!is_plain(inner), "spans inside quotes");
}

#[test]
fn quotes_nest_only_so_deep() {
    let body = format!("{} deep", ">".repeat(20));
    let mut blocks = parse(&body);
    for _ in 0..MAX_QUOTE_DEPTH {
        let [Block::Quote(inner)] = blocks.as_slice() else { panic!("a quote: {blocks:?}") };
        blocks = inner.clone();
    }
    let [Block::Line { range, .. }] = blocks.as_slice() else { panic!("text: {blocks:?}") };
    assert_eq!(&body[range.clone()], format!("{} deep", ">".repeat(20 - MAX_QUOTE_DEPTH)));
}

/// Checks that every range is inside `body` and on characters, and that a line's runs cover
/// it in order.
fn check(body: &str, blocks: &[Block]) {
    let valid = |range: &Range<usize>| {
        range.start <= range.end
            && range.end <= body.len()
            && body.is_char_boundary(range.start)
            && body.is_char_boundary(range.end)
    };
    for block in blocks {
        match block {
            Block::Line { range, runs } => {
                assert!(valid(range), "{body:?} {range:?}");
                let mut at = range.start;
                for run in runs {
                    assert!(valid(&run.range) && run.range.start == at, "{body:?} {run:?}");
                    assert!(!run.range.is_empty());
                    assert!(!run.marker || run.range.len() == 1);
                    at = run.range.end;
                }
                assert_eq!(at, range.end, "{body:?}: the runs cover the line");
            }
            Block::Pre { open, lines, close } => {
                assert!(valid(open) && lines.iter().all(valid) && close.iter().all(valid));
            }
            Block::Quote(inner) => check(body, inner),
        }
    }
}

/// A small xorshift generator: the same "random" bodies on every run.
struct Random(u64);

impl Random {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        usize::try_from(self.0 % n as u64).unwrap_or(0)
    }
}

#[test]
fn random_bodies_never_panic_and_ranges_fall_on_characters() {
    let alphabet =
        ['*', '_', '~', '`', '>', ' ', '\n', '\r', 'a', 'é', '\u{3000}', '😀', '\u{2028}'];
    let mut random = Random(0x5eed_1234_abcd_0001);
    for _ in 0..20_000 {
        let length = random.below(64);
        let body: String = (0..length).map(|_| alphabet[random.below(alphabet.len())]).collect();
        check(&body, &parse(&body));
    }
    for piece in ["```", "> ", "`", "*a", "_ ", "~~", "\n```\n"] {
        let body = piece.repeat(500);
        check(&body, &parse(&body));
    }
}

#[test]
fn hostile_bodies_take_linear_time() {
    let bodies = [
        "*a ".repeat(6_000),
        "_x".repeat(8_000),
        "`".repeat(16_000),
        "*_~`a ".repeat(3_000),
        format!("{}x", ">".repeat(16_000)),
        "> ```\n".repeat(3_000),
        format!("*{}", " *a".repeat(5_000)),
    ];
    let started = std::time::Instant::now();
    for body in &bodies {
        check(body, &parse(body));
    }
    // Quadratic work on these would take seconds even optimised.
    assert!(started.elapsed() < std::time::Duration::from_secs(1), "{:?}", started.elapsed());
}
