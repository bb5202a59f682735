//! The `intake` command line, as a library so the demo and tests share its formatting.
//!
//! The runtime a CRM embeds is `intake-host`; this crate adds what only the operator's
//! command needs (argument parsing, terminal tables, logging setup).

mod cli;
pub mod queue_json;
pub mod queue_report;
pub mod report;
pub mod serve;
pub mod sync_report;
pub mod web;

pub use cli::main;
