//! The architecture's boundaries, checked: the UI never names the database or the XMPP
//! library, and only the store speaks SQL.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable source dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

fn offenders(files: &[PathBuf], forbidden: &[&str]) -> Vec<String> {
    files
        .iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(path).expect("readable source");
            let hits: Vec<_> = forbidden.iter().filter(|word| text.contains(*word)).collect();
            (!hits.is_empty()).then(|| format!("{} mentions {hits:?}", path.display()))
        })
        .collect()
}

#[test]
fn ui_never_names_sql_or_the_xmpp_stack() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = rust_files(&src.join("ui"));
    files.extend(rust_files(&src.join("app")));
    files.push(src.join("app.rs"));
    assert!(files.len() > 3, "the UI sources were not found");
    let bad = offenders(&files, &["rusqlite", "tokio_xmpp", "xmpp_parsers"]);
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn only_the_store_speaks_sql() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let store = src.join("store");
    let files: Vec<_> = rust_files(&src).into_iter().filter(|p| !p.starts_with(&store)).collect();
    let bad = offenders(&files, &["rusqlite"]);
    assert!(bad.is_empty(), "{bad:#?}");
}
