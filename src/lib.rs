//! Confab: a fast, light desktop XMPP messenger. The library holds everything, so the binary,
//! the integration tests and the benchmarks share one core.

pub mod app;
pub mod cli;
pub mod config;
pub mod emoji;
pub mod logging;
pub mod media;
pub mod model;
pub mod notify;
pub mod paths;
pub mod secrets;
pub mod store;
pub mod ui;
pub mod worker;

/// The version shown by `--version` and the About dialog: "0.1.0 (abc1234)", the commit from
/// `build.rs` ("unknown" when built outside a git checkout).
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("CONFAB_COMMIT"), ")");
