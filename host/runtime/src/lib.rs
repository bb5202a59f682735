//! The Intake host runtime.
//!
//! A CRM embeds this crate to take in donations from any processor through plugins:
//! WebAssembly components built against the `intake:plugin` WIT contract (`plugins/sdk/wit/`).
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use intake_host::{Host, HostConfig, Integration, types::Window};
//!
//! let host = Host::new(HostConfig::default())?;
//! host.load_file("plugins/stripe.wasm").await?;
//! let stripe = Integration::new("stripe")
//!     .setting("mode", "live")
//!     .secret("live_secret_key", std::env::var("STRIPE_KEY")?);
//! let window = Window { since: "2024-01-01T00:00:00Z".into(), until: None };
//! let mut cursor = None;
//! loop {
//!     let page = host.fetch(&stripe, &window, cursor.as_deref()).await?;
//!     // store page.donations, then remember page.next_cursor
//!     match page.next_cursor { Some(next) => cursor = Some(next), None => break }
//! }
//! # Ok(()) }
//! ```
//!
//! Each call runs in a fresh sandbox with the limits in [`Limits`]: no filesystem, no
//! environment, no sockets; outbound HTTP only to origins the plugin declared or the operator
//! granted ([`Integration::grant_origin`]); secrets filled into request headers by the host,
//! only for the origins each may go to, and never shown to the plugin.

#![deny(missing_docs)]

mod bindings;
mod cache;
mod config;
mod engine;
mod error;
mod guest_log;
mod host;
mod info_check;
mod integration;
mod load;
mod normalize;
mod origin;
mod outbound;
mod policy;
mod public_net;
mod runtime;
mod sandbox;
mod secrets;
mod settings_check;
pub mod types;
mod v0_1;

pub use config::{HostConfig, Limits};
pub use error::{BuildError, CallError, InternalError, LoadError};
pub use host::Host;
pub use integration::{Integration, RequestMeter};
pub use origin::Origin;
pub use settings_check::{SettingsProblem, check_settings};
pub use types::PluginError;

/// The contract version this host was built from (the WIT's package version, e.g. "0.1.0");
/// it loads any plugin of the same series.
pub const CONTRACT_VERSION: &str = v0_1::CONTRACT_VERSION;
