//! Write an Intake processor plugin.
//!
//! A plugin is a type that implements [`Plugin`]; every method but [`Plugin::info`] has a
//! default that answers [`Error::Unsupported`], so a plugin implements only what its processor
//! offers. [`export_plugin!`] turns it into the component the Intake host loads.
//!
//! ```ignore
//! use intake_plugin_sdk::*;
//!
//! struct Acme;
//!
//! impl Plugin for Acme {
//!     fn info() -> PluginInfo { /* settings, origins, capabilities */ }
//!     fn check(settings: &Settings) -> Result<Account> { /* … */ }
//! }
//!
//! export_plugin!(Acme);
//! ```
//!
//! Every call runs in a fresh instance: a plugin keeps no state between calls. It reaches the
//! network only through [`http`], to origins it declared, and uses secrets only by key
//! (`{{secret:KEY}}` in a header, or [`secrets::verify_hmac_sha256`]).
//!
//! Helpers for processor data, shared so every plugin reads it the same way and none panics on
//! it: [`time`] (timestamps and dates, `Result` on anything outside years 0–9999), [`money`]
//! (amounts and checked sums), [`names`] (one name splitter), [`webhook`] (timestamped-HMAC
//! signatures with a replay window) and [`http`] (requests, status errors, `Retry-After`).
//!
//! Natively (a plugin's `cargo test`) the host's imports are test doubles: see [`testing`]
//! for the HTTP mock, the secret values and where log lines go.

mod adapter;
pub mod http;
pub mod log;
pub mod money;
pub mod names;
pub mod secrets;
mod settings;
#[cfg(not(target_arch = "wasm32"))]
pub mod testing;
pub mod time;
pub mod webhook;

pub use settings::Settings;

#[doc(hidden)]
pub mod __private {
    pub use crate::adapter::Adapter;

    // The generated bindings stay private: plugins see only the re-exports below.
    wit_bindgen::generate!({
        // Inside the crate, so a packaged SDK (crates.io or git) builds on its own.
        path: "wit",
        world: "plugin",
        pub_export_macro: true,
        export_macro_name: "__export_plugin_world",
        default_bindings_module: "::intake_plugin_sdk::__private",
    });
}

pub use __private::intake::plugin::types::{
    Account, Capabilities, Donation, DonationKind, Earmark, Error, FeeEntry, FileImport, Interval,
    Money, Organization, Page, Payout, PayoutPage, Person, PluginInfo, PostalAddress, Recurrence,
    RowError, Setting, Window,
};

/// The result every plugin export returns.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A processor integration. Each method is one export of the `intake:plugin` contract.
pub trait Plugin {
    /// What the plugin is: its id, settings, the origins it calls and what it can do.
    /// Must not make requests.
    fn info() -> PluginInfo;

    /// Validate the credentials and return the account they open.
    fn check(_settings: &Settings) -> Result<Account> {
        Err(Error::Unsupported)
    }

    /// One page of donations received in `window`, continuing after `cursor`.
    fn fetch(_settings: &Settings, _window: &Window, _cursor: Option<&str>) -> Result<Page> {
        Err(Error::Unsupported)
    }

    /// One page of payouts paid in `window`, continuing after `cursor`.
    fn fetch_payouts(
        _settings: &Settings,
        _window: &Window,
        _cursor: Option<&str>,
    ) -> Result<PayoutPage> {
        Err(Error::Unsupported)
    }

    /// Verify and read one webhook delivery.
    fn parse_webhook(
        _settings: &Settings,
        _headers: &[(String, String)],
        _body: &[u8],
    ) -> Result<Vec<Donation>> {
        Err(Error::Unsupported)
    }

    /// Read an export file (CSV quick import).
    fn parse_export(
        _settings: &Settings,
        _file_name: &str,
        _contents: &[u8],
    ) -> Result<FileImport> {
        Err(Error::Unsupported)
    }

    /// A donation page URL prefilled for `donor`.
    fn donation_link(
        _settings: &Settings,
        _page_url: &str,
        _donor: &Person,
        _amount: Option<&Money>,
    ) -> Result<String> {
        Err(Error::Unsupported)
    }
}

/// Export `$plugin` (a type implementing [`Plugin`]) as the component's `processor`.
///
/// Only a wasm build gets the exports: a native build of the same crate (for its unit tests)
/// has no component to export from, and its linker would refuse the contract's symbol names.
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ty) => {
        #[cfg(target_arch = "wasm32")]
        #[doc(hidden)]
        type __IntakePluginExport = $crate::__private::Adapter<$plugin>;
        #[cfg(target_arch = "wasm32")]
        $crate::__private::__export_plugin_world!(
            __IntakePluginExport with_types_in $crate::__private
        );
    };
}

/// The plugin's version for its `info`: the crate's version, or the one a release pipeline
/// stamps on a build with `INTAKE_PLUGIN_VERSION=1.4.0+build.7 cargo build …` (so two builds of
/// one source tell apart in the host's plugin list and reload log).
#[macro_export]
macro_rules! plugin_version {
    () => {
        match option_env!("INTAKE_PLUGIN_VERSION") {
            Some(stamped) => stamped,
            None => env!("CARGO_PKG_VERSION"),
        }
    };
}

impl Error {
    /// What the error says, without its kind: for a row error or a longer message.
    pub fn message(&self) -> String {
        match self {
            Error::Config(m) | Error::Auth(m) | Error::Transient(m) | Error::InvalidData(m) => {
                m.clone()
            }
            Error::RateLimited(Some(wait)) => format!("rate limited: retry in {wait} s"),
            Error::RateLimited(None) => "rate limited".into(),
            Error::Unsupported => "unsupported".into(),
        }
    }
}

impl Money {
    /// An amount in US cents.
    pub fn usd(minor_units: i64) -> Money {
        Money {
            minor_units,
            currency: "USD".into(),
        }
    }
}

impl Setting {
    /// A plain (non-secret) setting.
    pub fn text(key: &str, label: &str, help: &str) -> Setting {
        Setting {
            key: key.into(),
            label: label.into(),
            help: help.into(),
            secret: false,
            sent_to: Vec::new(),
            required: false,
            default_value: None,
            choices: Vec::new(),
        }
    }

    /// A secret the host keeps, which may be sent only to `sent_to` origins.
    pub fn secret(key: &str, label: &str, help: &str, sent_to: &[&str]) -> Setting {
        Setting {
            secret: true,
            sent_to: sent_to.iter().map(|s| s.to_string()).collect(),
            ..Setting::text(key, label, help)
        }
    }

    /// The integration cannot run without it: the host refuses a call that lacks it (unless
    /// it has a default) with a `config` error naming the key.
    pub fn required(mut self) -> Setting {
        self.required = true;
        self
    }

    /// The value used when the integration gives none.
    pub fn default_value(mut self, value: &str) -> Setting {
        self.default_value = Some(value.into());
        self
    }

    /// The only values allowed; the host refuses any other with a `config` error.
    pub fn choices(mut self, choices: &[&str]) -> Setting {
        self.choices = choices.iter().map(|s| s.to_string()).collect();
        self
    }
}
