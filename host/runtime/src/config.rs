//! Every sandbox limit, in one place, with safe defaults.

use std::path::PathBuf;
use std::time::Duration;

/// What one call into a plugin may use. A call that goes over is stopped with a typed error;
/// the host and other calls carry on.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Linear memory for the whole store (all the component's memories together).
    pub memory_bytes: u64,
    /// Wall-clock time for one call, host I/O included. A guest spinning in wasm is trapped at
    /// this deadline; outbound requests never outlive it.
    pub call_timeout: Duration,
    /// Outbound HTTP requests one call may make.
    pub max_requests_per_call: u32,
    /// Bytes of one HTTP response body handed to the guest.
    pub max_response_bytes: usize,
    /// Bytes of guest stdout and stderr kept (each) per call, for `tracing`; the rest is dropped.
    pub max_output_bytes: usize,
    /// Native stack the guest's wasm may use: bounds recursion.
    pub max_wasm_stack: usize,
    /// Elements across the store's tables.
    pub max_table_elements: usize,
    /// Bytes the host allocates for one transfer out of the guest: the result of a call
    /// (a page of donations) or the arguments of one import call (a request, a log message).
    /// wasmtime's "hostcall fuel": a result over it is `CallError::TransferLimit`, so a
    /// plugin cannot make the host allocate without bound while lifting what it returns.
    pub max_transfer_bytes: usize,
    /// Bytes of `log` messages one call may emit; the rest is dropped and counted once.
    pub max_log_bytes_per_call: usize,
    /// `log` messages one call may emit; the rest is dropped and counted once.
    pub max_log_lines_per_call: u32,
    /// Wall-clock time for `info()` while loading: it only describes the plugin, so a
    /// plugin that spins there fails its own load quickly instead of holding the others.
    pub info_timeout: Duration,
    /// `{{secret:…}}` and `{{basic:…}}` placeholders one request may hold, counted before any is filled, so a
    /// request cannot make the host copy a secret without bound.
    pub max_secret_placeholders: usize,
    /// Bytes of all header names and values of one request, checked before filling.
    pub max_request_header_bytes: usize,
    /// `verify-hmac-sha256` calls one plugin call may make: verifying a webhook takes one or
    /// two; more would make the host an oracle to guess a secret with.
    pub max_hmac_verifications: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_bytes: 128 << 20,
            call_timeout: Duration::from_secs(10),
            max_requests_per_call: 100,
            max_response_bytes: 8 << 20,
            max_output_bytes: 64 << 10,
            max_wasm_stack: 512 << 10,
            max_table_elements: 100_000,
            max_transfer_bytes: 32 << 20,
            max_secret_placeholders: 8,
            max_request_header_bytes: 64 << 10,
            max_hmac_verifications: 8,
            max_log_bytes_per_call: 64 << 10,
            max_log_lines_per_call: 1_000,
            info_timeout: Duration::from_secs(2),
        }
    }
}

/// How the host is built. `HostConfig::default()` is what a CRM should start from.
#[derive(Debug, Clone)]
pub struct HostConfig {
    /// What each call may use.
    pub limits: Limits,
    /// Where compiled plugin code is kept between runs (keyed by the file's hash and the
    /// engine's settings). None compiles on every load.
    pub cache_dir: Option<PathBuf>,
    /// Use wasmtime's pooling allocator: instantiation in microseconds. Falls back to on-demand
    /// allocation when the machine will not reserve the pool.
    pub pooling: bool,
    /// Calls that may run at once (instances kept in the pool); further calls wait, and the
    /// wait counts against their `call_timeout` (past it they fail with `CallError::Busy`).
    pub max_concurrent_calls: u32,
    /// Calls of one plugin that may run at once, so a plugin whose processor hangs (or that
    /// hangs on purpose) cannot take every slot. None: a quarter of `max_concurrent_calls`.
    pub max_concurrent_calls_per_plugin: Option<u32>,
    /// Plugins whose `info()` may run at once while loading: a pool of its own, so loading
    /// never waits behind calls.
    pub max_concurrent_loads: u32,
    /// How often the epoch advances: the granularity of `call_timeout` for guest code.
    pub epoch_tick: Duration,
    /// The operator's allowlist of origins (e.g. "https://api.stripe.com:443"). A plugin's
    /// declared origin is reachable only if it is on this list; None accepts what each
    /// plugin declares (as `intake plugin inspect` shows), but at public addresses only:
    /// a declared origin that is, or resolves to, a loopback, private, link-local or metadata
    /// address is refused at connect time. Origins on this list and per-integration grants
    /// (`Integration::grant_origin`) are the operator's own and reached wherever they point.
    pub allowed_origins: Option<Vec<String>>,
}

impl Default for HostConfig {
    fn default() -> Self {
        HostConfig {
            limits: Limits::default(),
            cache_dir: None,
            pooling: true,
            max_concurrent_calls: 64,
            max_concurrent_calls_per_plugin: None,
            max_concurrent_loads: 4,
            epoch_tick: Duration::from_millis(10),
            allowed_origins: None,
        }
    }
}
