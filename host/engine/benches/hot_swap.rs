//! Hot-swap latency: from the start of writing a new build into the watched plugin
//! directory to the first call answered by it, over alternating builds (the runtime's
//! reload-test guest, "base" and "v2"). Compiled code is cached, as in service.
//!
//! `cargo bench -p intake-engine --bench hot_swap`

use std::path::PathBuf;
use std::time::{Duration, Instant};

use intake_engine::reload;
use intake_host::{Host, HostConfig, Integration};

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("hostile.wasm");
    let builds = [
        (
            std::fs::read(intake_test_artifacts::HOSTILE).expect("build"),
            "base",
        ),
        (
            std::fs::read(intake_test_artifacts::HOSTILE_V2).expect("build"),
            "v2",
        ),
    ];
    std::fs::write(&file, &builds[0].0).expect("write");
    let host = Host::new(HostConfig {
        cache_dir: Some(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("intake-code-cache")),
        ..HostConfig::default()
    })
    .expect("host");
    host.load_file(&file).await.expect("load");
    let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let _watcher = reload::spawn(host.clone(), dir.path(), |_| true, tx).expect("watch");
    let which = Integration::new("hostile").setting("attack", "which-build");

    let mut samples = Vec::new();
    for swap in 1..=30usize {
        let (bytes, answer) = &builds[swap % 2];
        let changed = Instant::now();
        std::fs::write(&file, bytes).expect("write");
        loop {
            let serving = host.check(&which).await.map(|c| c.name).unwrap_or_default();
            if serving == *answer {
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        samples.push(changed.elapsed());
        let _ = events.recv().await;
    }
    samples.sort();
    let pick = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize];
    println!(
        "hot swap, {} swaps: min {:?}  p50 {:?}  p90 {:?}  max {:?}  (debounce {:?})",
        samples.len(),
        samples[0],
        pick(0.5),
        pick(0.9),
        samples[samples.len() - 1],
        reload::DEBOUNCE
    );
}
