//! One engine, one linker, one HTTP client; a fresh store per call with every limit applied,
//! and a trap turned into the error that says what happened.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use wasmtime::component::{HasSelf, Linker};
use wasmtime::{Engine, Store, Trap};

use crate::bindings::{Plugin, PluginPre};
use crate::cache::CodeCache;
use crate::config::{HostConfig, Limits};
use crate::engine::{self, EpochTicker};
use crate::error::CallError;
use crate::integration::Secret;
use crate::outbound::{self, Outbound};
use crate::policy::NetPolicy;
use crate::sandbox::CallState;

pub(crate) struct Runtime {
    pub(crate) engine: Engine,
    pub(crate) linker: Linker<CallState>,
    pub(crate) cache: Option<CodeCache>,
    pub(crate) limits: Limits,
    client: reqwest::Client,
    epoch_ticks: u64,
    /// One permit per pooled instance slot: calls beyond the pool wait instead of failing.
    slots: tokio::sync::Semaphore,
    _ticker: EpochTicker,
}

/// What one call may use beyond its limits: where it may send requests, and which secrets.
pub(crate) struct Grants {
    pub(crate) policy: Arc<NetPolicy>,
    pub(crate) secrets: Arc<HashMap<String, Secret>>,
}

impl Grants {
    /// Nothing: for `info`, which must not make requests.
    pub(crate) fn none() -> Grants {
        Grants {
            policy: Arc::new(NetPolicy::default()),
            secrets: Arc::new(HashMap::new()),
        }
    }
}

impl Runtime {
    pub(crate) fn new(config: &HostConfig) -> anyhow::Result<Runtime> {
        let engine = engine::build(config)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        Plugin::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state)?;
        let tick = config.epoch_tick.max(std::time::Duration::from_millis(1));
        let epoch_ticks = (config.limits.call_timeout.as_nanos() / tick.as_nanos()).max(1) as u64;
        Ok(Runtime {
            cache: config
                .cache_dir
                .as_deref()
                .map(|dir| CodeCache::new(dir, &engine)),
            _ticker: EpochTicker::start(&engine, tick),
            client: outbound::client()?,
            linker,
            engine,
            limits: config.limits.clone(),
            epoch_ticks,
            slots: tokio::sync::Semaphore::new(config.max_concurrent_calls.max(1) as usize),
        })
    }

    /// Instantiate `pre` in a fresh store and run `call` on it, within the limits.
    pub(crate) async fn run<T>(
        &self,
        plugin_id: &str,
        pre: &PluginPre<CallState>,
        grants: Grants,
        call: impl AsyncFnOnce(&Plugin, &mut Store<CallState>) -> wasmtime::Result<T>,
    ) -> Result<T, CallError> {
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|e| CallError::Internal(e.into()))?;
        let deadline = Instant::now() + self.limits.call_timeout;
        let outbound = Outbound {
            client: self.client.clone(),
            policy: grants.policy,
            secrets: grants.secrets,
            deadline,
            max_requests: self.limits.max_requests_per_call,
            max_response_bytes: self.limits.max_response_bytes,
            requests_made: 0,
        };
        let mut store = Store::new(
            &self.engine,
            CallState::new(plugin_id, &self.limits, outbound),
        );
        store.limiter(|state| &mut state.limiter);
        store.set_epoch_deadline(self.epoch_ticks);
        store.epoch_deadline_trap();

        // The epoch traps guest code at the deadline; this timeout also covers time spent in
        // host calls (an outbound request is itself capped at the deadline).
        let grace = self.limits.call_timeout + std::time::Duration::from_millis(500);
        let outcome = tokio::time::timeout(grace, async {
            let plugin = pre.instantiate_async(&mut store).await?;
            call(&plugin, &mut store).await
        })
        .await;
        store.data().flush_output();
        match outcome {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(self.classify(error, store.data())),
            Err(_) => Err(CallError::Timeout(self.limits.call_timeout)),
        }
    }

    /// Name what stopped the guest.
    fn classify(&self, error: wasmtime::Error, state: &CallState) -> CallError {
        if state.limiter.memory_exceeded {
            return CallError::MemoryLimit(self.limits.memory_bytes);
        }
        match error.downcast_ref::<Trap>() {
            Some(Trap::Interrupt) => CallError::Timeout(self.limits.call_timeout),
            Some(Trap::StackOverflow) => {
                CallError::Crashed("stack overflow (runaway recursion)".into())
            }
            Some(Trap::MemoryOutOfBounds) => CallError::Crashed(
                "out of bounds memory access (the guest overran its memory, e.g. its own stack)"
                    .into(),
            ),
            Some(Trap::UnreachableCodeReached) => match panic_message(&state.stderr.text()) {
                Some(message) => CallError::Crashed(format!("the plugin panicked: {message}")),
                None => CallError::Crashed("the plugin aborted".into()),
            },
            Some(trap) => CallError::Crashed(trap.to_string()),
            None => CallError::Crashed(format!("{error:#}").chars().take(1000).collect()),
        }
    }
}

/// The panic line and its message from a Rust guest's stderr ("thread … panicked at …:"
/// then the message), without the trailing "note: run with RUST_BACKTRACE" hint.
fn panic_message(stderr: &str) -> Option<String> {
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("note:"))
        .collect();
    let start = lines
        .iter()
        .rposition(|l| l.contains("panicked at"))
        .unwrap_or(lines.len().checked_sub(1)?);
    let message = lines[start..]
        .iter()
        .take(3)
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    Some(message.chars().take(500).collect())
}
