//! Typed errors: building the host, loading a plugin, and calling one.

use std::path::PathBuf;
use std::time::Duration;

use crate::types::PluginError;

/// The host could not be built. Nothing is running.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// wasmtime refused the engine configuration or the linker.
    #[error("cannot build the WebAssembly engine: {0}")]
    Engine(String),
    /// An entry of `HostConfig::allowed_origins` is not an origin.
    #[error("allowed origin `{origin}`: {reason}")]
    AllowedOrigin {
        /// The entry as given.
        origin: String,
        /// Why it is not an origin.
        reason: String,
    },
}

/// A plugin file that could not be loaded. Nothing was instantiated; the registry is as it was.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The bytes are not WebAssembly at all.
    #[error("{path} is not a WebAssembly file")]
    NotWasm {
        /// The file (or the name given to `load_bytes`).
        path: PathBuf,
    },
    /// A core module, where a component is needed.
    #[error(
        "{path} is a core WebAssembly module, not a component: build it for wasm32-wasip2 (or wrap it with `wasm-tools component new`)"
    )]
    NotAComponent {
        /// The file.
        path: PathBuf,
    },
    /// wasmtime refused to compile it.
    #[error("{path} is not a valid component: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// wasmtime's reason.
        reason: String,
    },
    /// A component, but not an Intake plugin.
    #[error("{path} does not export `intake:plugin/processor`; it exports: {exports}")]
    NotAPlugin {
        /// The file.
        path: PathBuf,
        /// What it exports instead.
        exports: String,
    },
    /// A plugin of a contract version this host does not speak.
    #[error(
        "{path} was built against `{found}`, but this host speaks `intake:plugin/processor@{supported}.x`"
    )]
    IncompatibleVersion {
        /// The file.
        path: PathBuf,
        /// The export it has.
        found: String,
        /// The series this host accepts, e.g. "0.1".
        supported: &'static str,
    },
    /// It imports something the host does not provide.
    #[error("{path} needs imports this host does not provide: {reason}")]
    Unlinkable {
        /// The file.
        path: PathBuf,
        /// wasmtime's reason.
        reason: String,
    },
    /// Its `info()` breaks the contract.
    #[error("{path} describes itself badly: {field}: {reason}")]
    BadInfo {
        /// The file.
        path: PathBuf,
        /// The `info()` field at fault, e.g. `settings[2].help`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Calling `info()` failed.
    #[error("{path}: calling `info` failed: {source}")]
    Info {
        /// The file.
        path: PathBuf,
        /// How the call failed.
        source: Box<CallError>,
    },
    /// Another file of the same `load_dir` already has this plugin id: a later file cannot
    /// shadow an earlier one.
    #[error("{path} says it is `{id}`, which {first} already is")]
    DuplicateId {
        /// The file refused.
        path: PathBuf,
        /// The id both claim.
        id: String,
        /// The file that keeps it.
        first: PathBuf,
    },
}

/// A host fault during a call, not the plugin's: kept as the host's own message.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct InternalError(pub(crate) String);

/// A call into a plugin that did not give a result. The host is unharmed either way.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CallError {
    /// No plugin of that id is loaded.
    #[error("no plugin `{0}` is loaded")]
    UnknownPlugin(String),
    /// The host refused the integration as configured.
    #[error("configuration: {0}")]
    Config(String),
    /// The plugin answered with an error of its own.
    #[error("{0}")]
    Plugin(PluginError),
    /// The call ran out of time.
    #[error("the plugin did not finish within {0:?}")]
    Timeout(Duration),
    /// Every slot this call could use stayed taken until its deadline: retry later.
    #[error("the host was busy: no call slot came free within {0:?}")]
    Busy(Duration),
    /// The guest tried to use more linear memory than allowed.
    #[error("the plugin exceeded its memory limit of {0} bytes")]
    MemoryLimit(u64),
    /// The guest tried to hand the host more data in one transfer than allowed.
    #[error("the plugin tried to transfer more than {0} bytes to the host in one go")]
    TransferLimit(usize),
    /// The guest trapped: a panic, a stack overflow, an invalid operation.
    #[error("the plugin crashed: {0}")]
    Crashed(String),
    /// The plugin returned something that breaks the contract.
    #[error("the plugin returned invalid output: {0}")]
    InvalidOutput(String),
    /// The host failed, not the plugin.
    #[error("host error: {0}")]
    Internal(InternalError),
}

impl CallError {
    /// Whether running the same call later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            CallError::Plugin(PluginError::RateLimited(_) | PluginError::Transient(_))
                | CallError::Timeout(_)
                | CallError::Busy(_)
                | CallError::Internal(_)
        )
    }

    /// Seconds to wait before retrying, when the processor said.
    pub fn retry_after(&self) -> Option<u32> {
        match self {
            CallError::Plugin(PluginError::RateLimited(seconds)) => *seconds,
            _ => None,
        }
    }
}

impl From<PluginError> for CallError {
    fn from(e: PluginError) -> Self {
        CallError::Plugin(e)
    }
}
