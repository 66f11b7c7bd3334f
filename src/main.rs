#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]
//! Entry point: parse the command line, set up logging, then run the window or a command.

use clap::Parser;
use confab::cli::{self, Cli};
use confab::paths::Paths;
use std::process::ExitCode;

fn main() -> ExitCode {
    give_big_buffers_back();
    let args = Cli::parse();
    confab::logging::init();
    let paths = match Paths::resolve(args.profile.as_deref()) {
        Ok(paths) => paths,
        Err(e) => return fail(&e),
    };
    paths.make_private();
    let result = match args.command {
        Some(command) => cli::run(paths, args.account, command),
        None => confab::app::run(paths).map_err(|e| e.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// Pictures are decoded on worker threads into buffers of several megabytes. Once such a buffer
/// is freed, glibc raises its mmap threshold and serves the next ones from per-thread heaps that
/// keep the memory: scrolling through 200 photos peaked 48 MB higher (docs/performance.md). A
/// fixed threshold keeps big buffers in their own mappings, returned when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn give_big_buffers_back() {
    const THRESHOLD: libc::c_int = 512 * 1024;
    // SAFETY: mallopt only changes a setting of the allocator, and is called before any other
    // thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, THRESHOLD);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn give_big_buffers_back() {}

fn fail(message: &str) -> ExitCode {
    eprintln!("confab: {message}");
    ExitCode::FAILURE
}
