//! The operator's config file: which integrations run, with which plugin, settings, secrets
//! and import defaults, and where the store and the plugins live.
//!
//! [`Config::load`] reads and checks what can be checked alone (shape, unknown keys, dates,
//! ids, where secrets come from); [`Config::check_plugins`] then checks each integration
//! against its plugin's `info()` (declared settings, required ones, choices, secrets). Every
//! error names the file, the line and the key.

mod committee;
mod error;
mod raw;
mod schedule;
mod serve;
mod validate;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use error::ConfigError;
pub use serve::{DEFAULT_LISTEN, ServeSettings};

/// A commented example config, as `intake config example` prints it.
pub const EXAMPLE: &str = include_str!("example.toml");

/// A checked config file.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from.
    pub path: PathBuf,
    /// The SQLite store, resolved against the config file's directory (unused when
    /// `shared_store` is set).
    pub store_path: PathBuf,
    /// A Postgres database shared by several workers (`[store] url`), instead of the SQLite
    /// file.
    pub shared_store: Option<SharedStore>,
    /// The directory whose `*.wasm` files are loaded.
    pub plugins_dir: PathBuf,
    /// How syncs pick their windows and retry.
    pub sync: SyncSettings,
    /// Every integration, enabled or not, in file order.
    pub integrations: Vec<IntegrationConfig>,
    /// `[committee]`: who `intake export fec` files for; None when the file has none.
    pub committee: Option<crate::fec::Committee>,
    /// `[serve]`: where `intake serve` listens and its API token.
    pub serve: ServeSettings,
}

/// How syncs pick their windows and retry.
#[derive(Debug, Clone)]
pub struct SyncSettings {
    /// How far before the end of the last completed window the next one starts, so that
    /// transactions recorded late by the processor are still caught.
    pub overlap: Duration,
    /// How far behind now a window ends, so a transaction being recorded right now is left
    /// for the next run rather than half-seen.
    pub settle: Duration,
    /// Integrations synced at once.
    pub parallel: usize,
    /// How long a worker's claim on an integration lasts without renewal (renewed at a third
    /// of it while syncing): how soon another worker takes over from one that died.
    pub lease: Duration,
    /// Attempts per page before a retryable error stops the integration.
    pub max_attempts: u32,
    /// First retry wait; doubled each attempt, with jitter, or the processor's own wait.
    pub retry_base: Duration,
}

impl Default for SyncSettings {
    fn default() -> Self {
        SyncSettings {
            overlap: Duration::from_secs(10 * 60),
            settle: Duration::from_secs(60),
            parallel: 4,
            lease: Duration::from_secs(60),
            max_attempts: 5,
            retry_base: Duration::from_millis(500),
        }
    }
}

/// One committee's connection to one processor.
#[derive(Debug, Clone)]
pub struct IntegrationConfig {
    /// The operator's id for it, e.g. `stripe-main`: the key of everything stored.
    pub id: String,
    /// The plugin that runs it.
    pub plugin: PluginRef,
    /// Off: never synced, its webhooks refused.
    pub enabled: bool,
    /// Display name, e.g. "Stripe: Jane Doe for Congress".
    pub name: Option<String>,
    /// Free text for the operator.
    pub notes: Option<String>,
    /// The processor account's name as the committee knows it.
    pub account_name: Option<String>,
    /// The first day whose donations are pulled (UTC midnight).
    pub start_date: time::Date,
    /// The committee's FEC id (C + 8 digits), where it files with the FEC.
    pub fec_committee_id: Option<String>,
    /// Whether its donations wait in the import queue or go straight in.
    pub import: ImportMode,
    /// What the CRM applies to each imported entry.
    pub defaults: ImportDefaults,
    /// When it syncs by itself: `schedule` (cron) in `timezone`; daily 05:30
    /// America/New_York unless the file says otherwise.
    pub schedule: crate::schedule::Schedule,
    /// Plain settings, passed to the plugin.
    pub settings: Vec<(String, String)>,
    /// Secrets by setting key, and where each is read from.
    pub secrets: Vec<(String, SecretSource)>,
    /// Origins the operator lets this integration reach beyond the plugin's declarations.
    pub granted_origins: Vec<String>,
    /// (secret key, origin): more places a secret may be sent.
    pub secret_routes: Vec<(String, String)>,
    lines: Lines,
}

/// Where in the file each part of an integration was written: for errors found later.
#[derive(Debug, Clone, Default)]
struct Lines {
    id: usize,
    plugin: usize,
    settings: BTreeMap<String, usize>,
    secrets: BTreeMap<String, usize>,
}

/// Which plugin runs an integration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginRef {
    /// A plugin id (`info().id`) from the plugins directory.
    Id(String),
    /// A `.wasm` file, resolved against the config file's directory.
    File(PathBuf),
}

/// A Postgres store: `[store] url = "postgres://user@host:5432/db"` with the password from
/// `password = { env = "…" }` or `{ file = "…" }`, never in the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedStore {
    /// The URL, without a password.
    pub url: String,
    /// Where the password is read from, if the server asks for one.
    pub password: Option<SecretSource>,
}

/// Where a secret's value is read from. Never the config file itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// An environment variable.
    Env(String),
    /// A file (e.g. a mounted secret); one trailing newline is dropped.
    File(PathBuf),
}

/// How an integration's donations reach the ledger.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportMode {
    /// Each waits in the import queue for a reviewer to approve it, with its possible
    /// matches shown (`import = "review"`, the default).
    #[default]
    Review,
    /// Straight in after each sync: matched to a contact when exactly one candidate scores
    /// at least `AUTO_MATCH_SCORE`, a new contact when none comes close; a donation with
    /// several strong candidates stays in the queue, as merging the wrong one is worse than
    /// waiting (`import = "auto"`).
    Auto,
}

/// What the CRM applies to each entry imported from an integration.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportDefaults {
    /// The bank account deposits go to, e.g. "Operating".
    pub bank_account: Option<String>,
    /// The election the money is for, e.g. "P2026" (primary) or "G2026" (general).
    pub election_period: Option<String>,
    /// The CRM's category, e.g. "Individual contribution".
    pub category: Option<String>,
}

impl Config {
    /// Read and check `path`. Does not load plugins or read secrets.
    pub fn load(path: impl AsRef<Path>) -> Result<Config, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            file: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Config::parse(path, &text)
    }

    /// Check `text` as if read from `path` (relative paths resolve against its directory).
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        validate::parse(path, text)
    }

    /// The integration with this id.
    pub fn integration(&self, id: &str) -> Option<&IntegrationConfig> {
        self.integrations.iter().find(|i| i.id == id)
    }
}

impl IntegrationConfig {
    /// The first instant pulled, RFC 3339.
    pub fn start(&self) -> String {
        format!("{}T00:00:00Z", self.start_date)
    }
}
