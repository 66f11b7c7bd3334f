//! Confab: a fast, light desktop XMPP messenger. The library holds everything, so the binary,
//! the integration tests and the benchmarks share one core.

pub mod app;
pub mod cli;
pub mod config;
pub mod model;
pub mod paths;
pub mod secrets;
pub mod store;
pub mod ui;
pub mod worker;

/// The version shown by `--version` and the About dialog.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
