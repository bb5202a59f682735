//! The Intake sync engine: integrations from a TOML [`Config`], syncs driven page by page
//! through the [`intake_host::Host`], and the [`Store`] every page is committed to.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use intake_engine::{Config, Engine, SqliteStore, SyncOptions};
//!
//! let config = Config::load("intake.toml")?;
//! let store = Arc::new(SqliteStore::open(&config.store_path)?);
//! let host = intake_host::Host::new(Default::default())?;
//! let engine = Engine::start(host, store, config).await?;
//! for report in engine.sync(&SyncOptions::default(), &intake_engine::NoProgress).await {
//!     println!("{}: {} new, {}", report.integration, report.counts.new, report.status);
//! }
//! # Ok(()) }
//! ```
//!
//! A CRM that embeds only `intake-host` compiles none of this: no SQLite, no TOML.

#![deny(missing_docs)]

pub mod config;
pub mod config_watch;
mod engine;
pub mod export;
pub mod fec;
pub mod file_stamp;
pub mod ledger_export;
pub mod matching;
pub mod queue;
pub mod reload;
pub mod schedule;
pub mod store;
mod sync;
pub mod webhook;

pub use config::{Config, ConfigError, IntegrationConfig};
pub use engine::{Engine, EngineError, PreparedIntegration};
#[cfg(feature = "postgres")]
pub use store::PgStore;
pub use store::{SqliteStore, Store, StoreError};
pub use sync::{ImportReport, IntegrationReport, NoProgress, Progress, SyncOptions};
