#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]
//! Entry point: parse the command line, set up logging, then run the window or a command.

use clap::Parser;
use confab::cli::{self, Cli};
use confab::paths::Paths;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CONFAB_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let paths = match Paths::resolve(args.profile.as_deref()) {
        Ok(paths) => paths,
        Err(e) => return fail(&e),
    };
    let result = match args.command {
        Some(command) => cli::run(paths, args.account, command),
        None => confab::app::run(paths).map_err(|e| e.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("confab: {message}");
    ExitCode::FAILURE
}
