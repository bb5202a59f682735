//! Shared by the CLI's integration tests: the compiled-code cache every test binary shares,
//! and a library host to compare the binary's output with.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

use intake_host::{Host, HostConfig, Limits};

/// One cache for all test binaries: each guest is compiled once per `cargo test`.
pub fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("intake-code-cache")
}

pub fn test_limits() -> Limits {
    Limits {
        call_timeout: Duration::from_secs(2),
        memory_bytes: 64 << 20,
        ..Limits::default()
    }
}

pub fn host_with(limits: Limits) -> Host {
    let config = HostConfig {
        limits,
        cache_dir: Some(cache_dir()),
        ..HostConfig::default()
    };
    Host::new(config).expect("host")
}
