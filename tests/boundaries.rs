//! The architecture's boundaries, checked where they are drawn: each crate's manifest. The
//! compiler keeps a crate to what its manifest names, so a layer that may not use SQL, the XMPP
//! stack or the GUI toolkit must never list them (docs/architecture.md). Tests may use more
//! (`[dev-dependencies]`); only what the code itself links counts.

use std::path::Path;

/// The crates a manifest's code links: `[dependencies]` and `[target.….dependencies]`.
fn linked(manifest: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(manifest);
    let text = std::fs::read_to_string(&path).expect("readable manifest");
    let mut names = Vec::new();
    let mut in_dependencies = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]"
                || (line.starts_with("[target.") && line.ends_with(".dependencies]"));
        } else if in_dependencies
            && !line.starts_with('#')
            && let Some((name, _)) = line.split_once('=')
        {
            names.push(name.trim().to_owned());
        }
    }
    assert!(!names.is_empty(), "{manifest} lists no dependencies: the check read nothing");
    names
}

fn assert_never_links(manifest: &str, forbidden: &[&str]) {
    let linked = linked(manifest);
    let bad: Vec<_> = forbidden.iter().filter(|name| linked.iter().any(|l| l == *name)).collect();
    assert!(bad.is_empty(), "{manifest} links {bad:?}");
}

#[test]
fn the_model_is_plain_data() {
    assert_never_links(
        "crates/model/Cargo.toml",
        &[
            "rusqlite",
            "tokio-xmpp",
            "xmpp-parsers",
            "iced",
            "tokio",
            "confab-store",
            "confab-engine",
        ],
    );
}

#[test]
fn only_the_store_speaks_sql() {
    assert_never_links("crates/store/Cargo.toml", &["tokio-xmpp", "xmpp-parsers", "iced"]);
    assert_never_links("crates/engine/Cargo.toml", &["rusqlite", "iced"]);
    assert_never_links("Cargo.toml", &["rusqlite"]);
}

#[test]
fn only_the_engine_speaks_xmpp() {
    assert_never_links("Cargo.toml", &["tokio-xmpp", "xmpp-parsers", "jid", "minidom"]);
}

#[test]
fn the_manifests_are_read_as_they_are_written() {
    let app = linked("Cargo.toml");
    assert!(app.iter().any(|name| name == "iced"), "the app links iced: {app:?}");
    let engine = linked("crates/engine/Cargo.toml");
    assert!(engine.iter().any(|name| name == "tokio-xmpp"), "{engine:?}");
    assert!(!app.iter().any(|name| name == "tempfile"), "dev-dependencies were counted");
}
