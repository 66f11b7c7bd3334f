//! The engine: one XMPP worker per account, the settings file, the secrets, and the media
//! handling the worker and the window share. The only crate that speaks XMPP; the app drives it
//! with `worker::Command`s and renders `worker::Event`s.
//!
//! The lower layers are named as modules here (`crate::model`, `crate::store`, `crate::paths`)
//! so the code reads the same in every crate.

pub mod config;
pub mod export;
pub mod media;
pub mod secrets;
pub mod worker;

use confab_model as model;
use confab_store as store;
use confab_store::paths;
