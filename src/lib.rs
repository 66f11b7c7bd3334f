//! Confab: a fast, light desktop XMPP messenger. This crate is the app: the window, the command
//! line, notifications and emoji, over the engine (`confab-engine`), the store
//! (`confab-store`) and the plain types (`confab-model`), re-exported here under the names the
//! binary, the integration tests and the benchmarks use.

pub mod app;
pub mod cli;
pub mod emoji;
pub mod logging;
pub mod notify;
pub mod ui;

pub use confab_engine::{config, export, media, secrets, worker};
pub use confab_model as model;
pub use confab_store as store;
pub use confab_store::paths;

/// The version shown by `--version` and the About dialog: "0.1.0 (abc1234)", the commit from
/// `build.rs` ("unknown" when built outside a git checkout).
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("CONFAB_COMMIT"), ")");
