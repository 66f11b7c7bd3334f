//! Build script: exports the git commit as `CONFAB_COMMIT` (shown by `--version` and the About
//! dialog) and, for Windows targets, embeds the icon and version information in the executable.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CONFAB_COMMIT");
    let commit = std::env::var("CONFAB_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(git_commit)
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=CONFAB_COMMIT={}", commit.trim());
    windows_resources();
}

/// The short hash of HEAD, or `None` outside a git checkout or without git. Asks cargo to run
/// this script again when HEAD moves (a commit, a checkout) so the hash is never stale.
fn git_commit() -> Option<String> {
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR")?);
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git").args(args).current_dir(&dir).output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let git_dir = dir.join(git(&["rev-parse", "--git-dir"])?);
    watch(&git_dir.join("HEAD"));
    if let Some(reference) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watch(&git_dir.join(reference));
        watch(&git_dir.join("packed-refs"));
    }
    git(&["rev-parse", "--short=7", "HEAD"])
}

fn watch(path: &Path) {
    if path.exists() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

/// Icon, product name and version in the .exe (what Explorer, the taskbar and the Start menu
/// show). Needs `rc.exe` from the Windows SDK (MSVC) or `windres` (GNU).
#[cfg(windows)]
fn windows_resources() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    println!("cargo:rerun-if-changed=packaging/windows/confab.ico");
    let mut res = winresource::WindowsResource::new();
    res.set_icon("packaging/windows/confab.ico")
        .set("ProductName", "Confab")
        .set("FileDescription", "Confab")
        .set("CompanyName", "Confab developers")
        .set("LegalCopyright", "GPL-3.0-or-later")
        .set("OriginalFilename", "confab.exe")
        .set("InternalName", "im.confab.Confab");
    if let Err(e) = res.compile_for("confab") {
        panic!("embedding the Windows resources failed: {e}");
    }
}

#[cfg(not(windows))]
fn windows_resources() {}
