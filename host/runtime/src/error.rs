//! Typed errors: what went wrong loading a plugin, and what went wrong in a call.

use std::path::PathBuf;
use std::time::Duration;

use crate::bindings::intake::plugin::types::Error as PluginError;

/// A plugin file that could not be loaded. Nothing was instantiated; the registry is as it was.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a WebAssembly file")]
    NotWasm { path: PathBuf },
    #[error(
        "{path} is a core WebAssembly module, not a component: build it for wasm32-wasip2 (or wrap it with `wasm-tools component new`)"
    )]
    NotAComponent { path: PathBuf },
    #[error("{path} is not a valid component: {reason}")]
    Invalid { path: PathBuf, reason: String },
    #[error("{path} does not export `intake:plugin/processor`; it exports: {exports}")]
    NotAPlugin { path: PathBuf, exports: String },
    #[error(
        "{path} was built against `{found}`, but this host speaks `intake:plugin/processor@{supported}.x`"
    )]
    IncompatibleVersion {
        path: PathBuf,
        found: String,
        supported: &'static str,
    },
    #[error("{path} needs imports this host does not provide: {reason}")]
    Unlinkable { path: PathBuf, reason: String },
    #[error("{path} describes itself badly: {reason}")]
    BadInfo { path: PathBuf, reason: String },
    #[error("{path}: calling `info` failed: {source}")]
    Info {
        path: PathBuf,
        source: Box<CallError>,
    },
}

/// A call into a plugin that did not give a result. The host is unharmed either way.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("no plugin `{0}` is loaded")]
    UnknownPlugin(String),
    /// The host refused the integration as configured.
    #[error("configuration: {0}")]
    Config(String),
    /// The plugin answered with an error of its own.
    #[error("{0}")]
    Plugin(PluginError),
    #[error("the plugin did not finish within {0:?}")]
    Timeout(Duration),
    #[error("the plugin exceeded its memory limit of {0} bytes")]
    MemoryLimit(u64),
    /// The guest trapped: a panic, a stack overflow, an invalid operation.
    #[error("the plugin crashed: {0}")]
    Crashed(String),
    /// The plugin returned something that breaks the contract.
    #[error("the plugin returned invalid output: {0}")]
    InvalidOutput(String),
    #[error("host error: {0}")]
    Internal(anyhow::Error),
}

impl CallError {
    /// Whether running the same call later may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            CallError::Plugin(PluginError::RateLimited(_) | PluginError::Transient(_)) => true,
            CallError::Timeout(_) | CallError::Internal(_) => true,
            _ => false,
        }
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
