//! One engine, one linker, one HTTP client; a fresh store per call with every limit applied,
//! fair shares of the instance pool, and a trap turned into the error that says what happened.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tracing::Instrument;
use wasmtime::component::{HasSelf, Linker};
use wasmtime::{Engine, Store, Trap, UpdateDeadline};

use crate::cache::CodeCache;
use crate::config::{HostConfig, Limits};
use crate::engine::{self, EpochTicker};
use crate::error::CallError;
use crate::integration::{RequestMeter, Secret};
use crate::outbound::{self, Outbound};
use crate::policy::NetPolicy;
use crate::sandbox::CallState;
use crate::v0_1::{Plugin, PluginPre};

pub(crate) struct Runtime {
    pub(crate) engine: Engine,
    pub(crate) linker: Linker<CallState>,
    pub(crate) cache: Option<CodeCache>,
    pub(crate) limits: Limits,
    clients: outbound::Clients,
    /// One permit per pooled instance slot for calls: calls beyond the pool wait, within
    /// their deadline.
    slots: Arc<Semaphore>,
    /// Slots of one plugin, so one plugin cannot hold them all.
    per_plugin: Mutex<HashMap<String, Arc<Semaphore>>>,
    per_plugin_cap: usize,
    /// Loading's own slots: `info()` never waits behind calls.
    load_slots: Arc<Semaphore>,
    _ticker: EpochTicker,
}

/// Which pool a run draws from.
pub(crate) enum Lane<'a> {
    /// A call for an integration of this plugin: the call pool, the plugin's share of it, and
    /// `call_timeout`.
    Call(&'a str),
    /// `info()` while loading: the load pool and `info_timeout`.
    Load,
}

/// What one call may use beyond its limits: where it may send requests, and which secrets.
pub(crate) struct Grants {
    pub(crate) policy: Arc<NetPolicy>,
    pub(crate) secrets: Arc<HashMap<String, Secret>>,
    pub(crate) meter: Option<RequestMeter>,
}

impl Grants {
    /// Nothing: for `info`, which must not make requests.
    pub(crate) fn none() -> Grants {
        Grants {
            policy: Arc::new(NetPolicy::default()),
            secrets: Arc::new(HashMap::new()),
            meter: None,
        }
    }
}

impl Runtime {
    pub(crate) fn new(config: &HostConfig) -> anyhow::Result<Runtime> {
        let engine = engine::build(config)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        Plugin::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state)?;
        let tick = config.epoch_tick.max(Duration::from_millis(1));
        let calls = config.max_concurrent_calls.max(1) as usize;
        let per_plugin_cap = match config.max_concurrent_calls_per_plugin {
            Some(cap) => (cap as usize).clamp(1, calls),
            None => (calls / 4).max(1),
        };
        Ok(Runtime {
            cache: config
                .cache_dir
                .as_deref()
                .map(|dir| CodeCache::new(dir, &engine)),
            _ticker: EpochTicker::start(&engine, tick)?,
            clients: outbound::Clients::new()?,
            linker,
            engine,
            limits: config.limits.clone(),
            slots: Arc::new(Semaphore::new(calls)),
            per_plugin: Mutex::new(HashMap::new()),
            per_plugin_cap,
            load_slots: Arc::new(Semaphore::new(config.max_concurrent_loads.max(1) as usize)),
        })
    }

    /// Instantiate `pre` in a fresh store and run `call` (the export `export`) on it, within
    /// the limits. Time spent waiting for a slot counts against the deadline.
    pub(crate) async fn run<T>(
        &self,
        lane: Lane<'_>,
        pre: &PluginPre<CallState>,
        grants: Grants,
        export: &'static str,
        call: impl AsyncFnOnce(&Plugin, &mut Store<CallState>) -> wasmtime::Result<T>,
    ) -> Result<T, CallError> {
        let plugin_id = match lane {
            Lane::Call(id) => id,
            Lane::Load => "(loading)",
        };
        let span = tracing::debug_span!("plugin_call", plugin = plugin_id, export);
        self.run_in_span(lane, pre, grants, call)
            .instrument(span)
            .await
    }

    async fn run_in_span<T>(
        &self,
        lane: Lane<'_>,
        pre: &PluginPre<CallState>,
        grants: Grants,
        call: impl AsyncFnOnce(&Plugin, &mut Store<CallState>) -> wasmtime::Result<T>,
    ) -> Result<T, CallError> {
        let (plugin_id, timeout) = match lane {
            Lane::Call(id) => (id, self.limits.call_timeout),
            Lane::Load => ("(loading)", self.limits.info_timeout),
        };
        let start = Instant::now();
        let deadline = start + timeout;
        let _permits = self.acquire(&lane, deadline).await.map_err(|()| {
            tracing::warn!(
                plugin = plugin_id,
                "no call slot came free before the deadline"
            );
            CallError::Busy(start.elapsed())
        })?;
        let remaining = deadline.saturating_duration_since(Instant::now());

        let outbound = Outbound {
            clients: self.clients.clone(),
            policy: grants.policy,
            secrets: grants.secrets,
            deadline,
            max_requests: self.limits.max_requests_per_call,
            max_response_bytes: self.limits.max_response_bytes,
            max_placeholders: self.limits.max_secret_placeholders,
            max_header_bytes: self.limits.max_request_header_bytes,
            requests_made: 0,
            meter: grants.meter,
        };
        let mut store = Store::new(
            &self.engine,
            CallState::new(plugin_id, &self.limits, outbound),
        );
        store.limiter(|state| &mut state.limiter);
        store.set_hostcall_fuel(self.limits.max_transfer_bytes);
        // Every tick, a guest in a loop yields to the executor (so spinning guests never hold
        // the async workers other calls need), and past the deadline it is interrupted.
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| {
            Ok(if Instant::now() >= deadline {
                UpdateDeadline::Interrupt
            } else {
                UpdateDeadline::Yield(1)
            })
        });

        // The epoch traps guest code at the deadline; this timeout also covers time spent in
        // host calls (an outbound request is itself capped at the deadline).
        let grace = remaining + Duration::from_millis(500);
        let outcome = tokio::time::timeout(grace, async {
            let plugin = pre.instantiate_async(&mut store).await?;
            call(&plugin, &mut store).await
        })
        .await;
        store.data().flush_output();
        match outcome {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(self.classify(error, store.data(), timeout)),
            Err(_) => Err(CallError::Timeout(timeout)),
        }
    }

    /// The permits a run needs, or `Err` when the deadline passes first. A plugin's own share
    /// is taken first, so its queued calls never hold pool slots other plugins need.
    async fn acquire(
        &self,
        lane: &Lane<'_>,
        deadline: Instant,
    ) -> Result<Vec<OwnedSemaphorePermit>, ()> {
        let pools = match lane {
            Lane::Call(id) => vec![self.plugin_share(id), self.slots.clone()],
            Lane::Load => vec![self.load_slots.clone()],
        };
        let mut permits = Vec::with_capacity(pools.len());
        for pool in pools {
            let permit = tokio::time::timeout_at(deadline.into(), pool.acquire_owned())
                .await
                .map_err(|_| ())?
                .map_err(|_| ())?;
            permits.push(permit);
        }
        // A slot that came free as the deadline passed (busy workers run timers late) is no
        // use: the call would only be interrupted at once.
        if Instant::now() >= deadline {
            return Err(());
        }
        Ok(permits)
    }

    fn plugin_share(&self, plugin_id: &str) -> Arc<Semaphore> {
        let mut shares = self.per_plugin.lock().unwrap_or_else(|e| e.into_inner());
        // Look up before inserting: no allocation on the hot path.
        if let Some(share) = shares.get(plugin_id) {
            return share.clone();
        }
        shares
            .entry(plugin_id.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(self.per_plugin_cap)))
            .clone()
    }

    /// Name what stopped the guest.
    fn classify(&self, error: wasmtime::Error, state: &CallState, timeout: Duration) -> CallError {
        if state.limiter.memory_exceeded {
            return CallError::MemoryLimit(self.limits.memory_bytes);
        }
        // wasmtime's error for exhausted hostcall fuel is private: known by its message.
        if error
            .chain()
            .any(|e| e.to_string().contains("fuel allocated for hostcalls"))
        {
            return CallError::TransferLimit(self.limits.max_transfer_bytes);
        }
        match error.downcast_ref::<Trap>() {
            Some(Trap::Interrupt) => CallError::Timeout(timeout),
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
    Some(crate::guest_log::sanitize(&message, 500))
}
