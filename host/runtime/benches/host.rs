//! The host's hot paths: loading a plugin (first compile vs the on-disk code cache) and one
//! call (fresh store + instantiate + `info`, and a call with settings through `check`).
//! Run: `cargo bench -p intake-host --bench host`. Figures go in BENCHMARKS.md.

use criterion::{Criterion, criterion_group, criterion_main};
use intake_host::{Host, HostConfig, Integration};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn load(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.bench_function("stripe.wasm, compile (no cache)", |b| {
        let host = Host::new(HostConfig {
            cache_dir: None,
            ..HostConfig::default()
        })
        .unwrap();
        b.to_async(&rt)
            .iter(|| async { host.load_file(intake_test_artifacts::STRIPE).await.unwrap() });
    });
    let cache = tempfile::tempdir().unwrap();
    let cached = Host::new(HostConfig {
        cache_dir: Some(cache.path().into()),
        ..HostConfig::default()
    })
    .unwrap();
    rt.block_on(cached.load_file(intake_test_artifacts::STRIPE))
        .unwrap();
    group.sample_size(100);
    group.bench_function("stripe.wasm, from the code cache", |b| {
        b.to_async(&rt).iter(|| async {
            cached
                .load_file(intake_test_artifacts::STRIPE)
                .await
                .unwrap()
        });
    });
    group.finish();
}

fn call(c: &mut Criterion) {
    call_with(c, "call", true);
    call_with(c, "call (on-demand allocator)", false);
}

fn call_with(c: &mut Criterion, name: &str, pooling: bool) {
    let rt = runtime();
    let cache = tempfile::tempdir().unwrap();
    let config = HostConfig {
        cache_dir: Some(cache.path().into()),
        pooling,
        ..HostConfig::default()
    };
    let host = Host::new(config).unwrap();
    rt.block_on(host.load_file(intake_test_artifacts::STRIPE))
        .unwrap();
    rt.block_on(host.load_file(intake_test_artifacts::HOSTILE))
        .unwrap();
    let mut group = c.benchmark_group(name);
    group.bench_function("info (fresh store + instantiate + call)", |b| {
        b.to_async(&rt)
            .iter(|| async { host.info("stripe").await.unwrap() });
    });
    let echo = Integration::new("hostile")
        .setting("attack", "echo-settings")
        .setting("target", "x".repeat(200));
    group.bench_function("check with settings (hostile echo)", |b| {
        b.to_async(&rt)
            .iter(|| async { host.check(&echo).await.unwrap() });
    });
    group.finish();
}

criterion_group!(benches, load, call);
criterion_main!(benches);
