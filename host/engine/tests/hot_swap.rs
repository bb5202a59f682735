//! Hot swap under load: while other tasks call the plugin without pause, its file in a
//! watched directory is replaced 20 times, alternating two builds that answer differently
//! (the runtime's reload-test guest: "base" 1.0.0 and "v2" 2.0.0), once with a broken file.
//! No call fails, a broken file leaves the build before it serving, and each new build
//! serves within 1 s of its file changing.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use intake_engine::reload::{self, ReloadEvent};
use intake_host::{Host, HostConfig, Integration};
use tokio::sync::mpsc;

fn host() -> Host {
    Host::new(HostConfig {
        cache_dir: Some(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("intake-code-cache")),
        ..HostConfig::default()
    })
    .unwrap()
}

/// Write `bytes` to `path` in four chunks with pauses, as a slow copy would.
fn write_in_chunks(path: &Path, bytes: &[u8]) {
    use std::io::Write;
    let mut file = std::fs::File::create(path).unwrap();
    for chunk in bytes.chunks(bytes.len().div_ceil(4)) {
        file.write_all(chunk).unwrap();
        file.flush().unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
}

async fn which(host: &Host) -> Result<String, String> {
    let which = Integration::new("hostile").setting("attack", "which-build");
    host.check(&which)
        .await
        .map(|c| c.name)
        .map_err(|e| e.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_swaps_under_load_lose_no_call_and_serve_within_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hostile.wasm");
    let builds = [
        (
            std::fs::read(intake_test_artifacts::HOSTILE).unwrap(),
            "base",
        ),
        (
            std::fs::read(intake_test_artifacts::HOSTILE_V2).unwrap(),
            "v2",
        ),
    ];
    std::fs::write(&file, &builds[0].0).unwrap();
    let host = host();
    host.load_file(&file).await.unwrap();
    let (tx, mut events) = mpsc::unbounded_channel();
    let _watcher = reload::spawn(host.clone(), dir.path(), |_| true, tx).unwrap();

    // Callers that never pause.
    let stop = Arc::new(AtomicBool::new(false));
    let (calls, failures) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut callers = Vec::new();
    for _ in 0..4 {
        let (host, stop, calls, failures) =
            (host.clone(), stop.clone(), calls.clone(), failures.clone());
        callers.push(tokio::spawn(async move {
            let mut errors = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                match which(&host).await {
                    Ok(_) => calls.fetch_add(1, Ordering::Relaxed),
                    Err(e) => {
                        errors.push(e);
                        failures.fetch_add(1, Ordering::Relaxed)
                    }
                };
            }
            errors
        }));
    }

    let mut slowest = Duration::ZERO;
    for swap in 1..=20usize {
        let (bytes, answer) = &builds[swap % 2];
        let file = file.clone();
        if swap == 10 {
            // A broken build: refused, and the build before keeps serving.
            let before = which(&host).await.unwrap();
            std::fs::write(&file, b"\0asm not really a component").unwrap();
            match next_event(&mut events).await {
                ReloadEvent::Failed { path, error } => {
                    assert_eq!(path, file);
                    assert!(error.contains("keeps serving"), "{error}");
                }
                other => panic!("expected a failed load, got {other:?}"),
            }
            assert_eq!(which(&host).await.unwrap(), before);
        }
        let bytes = bytes.clone();
        let changed = Instant::now();
        tokio::task::spawn_blocking(move || write_in_chunks(&file, &bytes))
            .await
            .unwrap();
        // Serving the new build: from the start of the write to the watcher's report of the
        // load, after which a call started answers with the new build.
        loop {
            match next_event(&mut events).await {
                ReloadEvent::Loaded {
                    plugin,
                    version,
                    path,
                } => {
                    assert_eq!(
                        (plugin.as_str(), path),
                        ("hostile", dir.path().join("hostile.wasm"))
                    );
                    assert_eq!(version, if *answer == "v2" { "2.0.0" } else { "0.0.0" });
                    break;
                }
                // Only a notice of the half-written file may come first.
                ReloadEvent::Failed { error, .. } if error.contains("keeps serving") => {}
                other => panic!("swap {swap}: expected a load, got {other:?}"),
            }
        }
        let served = changed.elapsed();
        assert!(
            served < Duration::from_secs(1),
            "swap {swap}: {answer} loaded {served:?} after the change"
        );
        slowest = slowest.max(served);
        assert_eq!(which(&host).await.unwrap(), *answer, "swap {swap}");
        // Anything else this write caused may only be a notice of a half-written file
        // (a slow copy can outlast the debounce): never another build.
        while let Ok(extra) = events.try_recv() {
            match extra {
                ReloadEvent::Failed { error, .. } => {
                    assert!(error.contains("keeps serving"), "swap {swap}: {error}")
                }
                ReloadEvent::Loaded { version, .. } => assert_eq!(
                    version,
                    if *answer == "v2" { "2.0.0" } else { "0.0.0" },
                    "swap {swap}: only this build"
                ),
                other => panic!("swap {swap}: {other:?}"),
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    for caller in callers {
        let errors = caller.await.unwrap();
        assert!(errors.is_empty(), "failed calls: {errors:?}");
    }
    assert_eq!(failures.load(Ordering::Relaxed), 0);
    assert!(
        calls.load(Ordering::Relaxed) > 20,
        "the callers kept calling"
    );
    assert_eq!(host.plugins().len(), 1);
    eprintln!("slowest swap: {slowest:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_file_unloads_only_when_no_enabled_integration_uses_it() {
    let dir = tempfile::tempdir().unwrap();
    let (used, spare) = (
        dir.path().join("winred.wasm"),
        dir.path().join("hostile.wasm"),
    );
    std::fs::copy(intake_test_artifacts::WINRED, &used).unwrap();
    std::fs::copy(intake_test_artifacts::HOSTILE, &spare).unwrap();
    let host = host();
    host.load_file(&used).await.unwrap();
    host.load_file(&spare).await.unwrap();
    let (tx, mut events) = mpsc::unbounded_channel();
    let _watcher = reload::spawn(host.clone(), dir.path(), |id| id == "winred", tx).unwrap();

    std::fs::remove_file(&used).unwrap();
    match next_event(&mut events).await {
        ReloadEvent::Failed { path, error } => {
            assert_eq!(path, used);
            assert_eq!(
                error,
                "removed, but an enabled integration uses `winred`: it keeps serving"
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    std::fs::remove_file(&spare).unwrap();
    assert_eq!(
        next_event(&mut events).await,
        ReloadEvent::Removed {
            plugin: "hostile".into()
        }
    );
    let left: Vec<String> = host.plugins().into_iter().map(|p| p.id).collect();
    assert_eq!(left, ["winred"]);
}

/// A plugin the config names by path, outside the plugin directory, is swapped when its file
/// changes; other components beside it (a directory of build outputs) are not loaded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plugin_named_by_path_is_swapped_and_its_neighbours_are_not_loaded() {
    let (plugins, elsewhere) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let file = elsewhere.path().join("hostile-custom.wasm");
    std::fs::copy(intake_test_artifacts::HOSTILE, &file).unwrap();
    let host = host();
    host.load_file(&file).await.unwrap();
    assert_eq!(which(&host).await.unwrap(), "base");
    let (tx, mut events) = mpsc::unbounded_channel();
    let _watcher = reload::spawn_watching(
        host.clone(),
        plugins.path(),
        std::slice::from_ref(&file),
        |_| true,
        tx,
    )
    .unwrap();

    // A neighbour appears first: not a plugin of this config, so nothing is loaded.
    std::fs::copy(
        intake_test_artifacts::WINRED,
        elsewhere.path().join("winred.wasm"),
    )
    .unwrap();
    let temporary = elsewhere.path().join(".hostile-custom.wasm.partial");
    std::fs::write(
        &temporary,
        std::fs::read(intake_test_artifacts::HOSTILE_V2).unwrap(),
    )
    .unwrap();
    std::fs::rename(&temporary, &file).unwrap();
    match next_event(&mut events).await {
        ReloadEvent::Loaded { plugin, path, .. } => {
            assert_eq!(
                (plugin.as_str(), path.as_path()),
                ("hostile", file.as_path())
            );
        }
        other => panic!("expected the named file loaded, got {other:?}"),
    }
    assert_eq!(which(&host).await.unwrap(), "v2");
    let loaded: Vec<String> = host.plugins().into_iter().map(|p| p.id).collect();
    assert_eq!(loaded, ["hostile"], "the neighbour was not loaded");
    assert!(
        tokio::time::timeout(Duration::from_millis(500), events.recv())
            .await
            .is_err(),
        "no event for the neighbour"
    );
}

async fn next_event(events: &mut mpsc::UnboundedReceiver<ReloadEvent>) -> ReloadEvent {
    tokio::time::timeout(Duration::from_secs(5), events.recv())
        .await
        .expect("an event within 5 s")
        .expect("watcher alive")
}
