//! Handing a web address or a file to the desktop's default application. The opener is run
//! and waited for on the blocking pool, so the window never waits and no finished child is
//! left unreaped; whether to open something at all is decided before (`linkify`, `files`).

use std::ffi::OsString;
use std::process::{Command, Stdio};

/// The program that opens an address or a file with the user's chosen application.
#[cfg(target_os = "macos")]
const OPENER: &str = "open";
/// Explorer opens addresses and files with their registered application, without going
/// through `cmd`, whose own parsing would run whatever follows an `&` in an address.
#[cfg(windows)]
const OPENER: &str = "explorer.exe";
#[cfg(not(any(target_os = "macos", windows)))]
const OPENER: &str = "xdg-open";

/// Opens `target` (an address or a file path) as the desktop would on a double click.
pub async fn open(target: OsString) -> Result<(), String> {
    tokio::task::spawn_blocking(move || run(&target)).await.map_err(|e| e.to_string())?
}

fn run(target: &OsString) -> Result<(), String> {
    let shown = target.to_string_lossy().into_owned();
    // Never let a target pass for one of the opener's options.
    if shown.starts_with('-') {
        return Err(format!("{shown} cannot be opened."));
    }
    let status = Command::new(OPENER)
        .arg(target)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("Could not start {OPENER} to open {shown}: {e}."))?;
    // Explorer answers 1 even when it opened the target.
    if status.success() || cfg!(windows) {
        Ok(())
    } else {
        Err(format!("No application could open {shown}."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_like_an_option_is_refused_before_anything_runs() {
        let refused = run(&OsString::from("--help")).expect_err("refused");
        assert!(refused.contains("cannot be opened"), "{refused}");
    }
}
