//! The one wasmtime `Engine` every plugin shares, and the ticker that makes deadlines work.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use crate::config::HostConfig;

/// Build the engine: component model, epoch interruption, the configured stack, and the
/// pooling allocator when the machine allows it.
pub(crate) fn build(config: &HostConfig) -> anyhow::Result<Engine> {
    let mut wasm = base_config(config);
    if config.pooling {
        wasm.allocation_strategy(InstanceAllocationStrategy::Pooling(pooling(config)));
        match Engine::new(&wasm) {
            Ok(engine) => return Ok(engine),
            Err(e) => {
                tracing::warn!(error = %e, "pooling allocator unavailable; allocating on demand");
            }
        }
        wasm = base_config(config);
    }
    Ok(Engine::new(&wasm)?)
}

fn base_config(config: &HostConfig) -> Config {
    let mut wasm = Config::new();
    wasm.wasm_component_model(true)
        .epoch_interruption(true)
        .max_wasm_stack(config.limits.max_wasm_stack)
        .cranelift_opt_level(wasmtime::OptLevel::Speed)
        .parallel_compilation(true);
    wasm
}

fn pooling(config: &HostConfig) -> PoolingAllocationConfig {
    // Calls and loads have pools of their own; the instance pool holds both.
    let calls = config.max_concurrent_calls.max(1) + config.max_concurrent_loads.max(1);
    let mut pool = PoolingAllocationConfig::default();
    // A component instance holds a few core instances (the guest plus WASI adapters).
    pool.total_component_instances(calls)
        .total_core_instances(calls * 8)
        .total_memories(calls * 2)
        .total_tables(calls * 4)
        .total_stacks(calls)
        .max_memory_size(config.limits.memory_bytes as usize)
        .max_memories_per_component(4)
        .max_tables_per_component(8)
        .max_core_instances_per_component(16)
        .table_elements(config.limits.max_table_elements);
    // Reset a slot in place, rewriting only the pages a call dirtied (found with the kernel's
    // PAGEMAP_SCAN), instead of handing every page back to the kernel and faulting it in
    // again on the next call: a trivial call goes from 49 to 25 µs (BENCHMARKS.md). Each
    // slot keeps at most RESIDENT bytes, bounding what idle slots hold. Without the ioctl
    // (kernels before 6.7) keeping pages would mean a memset of all of them, slower than the
    // faults it saves (74 µs measured): such hosts decommit as before. Either way a call
    // sees memory exactly as the component's image left it.
    const RESIDENT: usize = 256 << 10;
    if PoolingAllocationConfig::is_pagemap_scan_available() {
        pool.pagemap_scan(wasmtime::Enabled::Yes)
            .linear_memory_keep_resident(RESIDENT)
            .table_keep_resident(RESIDENT);
    }
    pool
}

/// Advances the engine's epoch every tick on a thread of its own, until dropped.
pub(crate) struct EpochTicker {
    stop: Arc<AtomicBool>,
}

impl EpochTicker {
    pub(crate) fn start(
        engine: &Engine,
        tick: std::time::Duration,
    ) -> std::io::Result<EpochTicker> {
        let stop = Arc::new(AtomicBool::new(false));
        let (engine, stopped) = (engine.clone(), stop.clone());
        std::thread::Builder::new()
            .name("intake-epoch".into())
            .spawn(move || {
                while !stopped.load(Ordering::Relaxed) {
                    std::thread::sleep(tick);
                    engine.increment_epoch();
                }
            })?;
        Ok(EpochTicker { stop })
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
