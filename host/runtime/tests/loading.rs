//! Loading plugins: bad files are refused before anything runs, with an error that says what
//! is wrong; compiled code is cached; a reload swaps a plugin while calls run.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{Server, host_with, test_limits};
use intake_host::{Host, HostConfig, Integration, LoadError};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[tokio::test]
async fn files_that_are_not_plugins_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let host = host_with(test_limits());

    let text = write(dir.path(), "notes.wasm", b"this is not wasm at all");
    assert!(matches!(
        host.load_file(&text).await,
        Err(LoadError::NotWasm { .. })
    ));

    let core = write(
        dir.path(),
        "core.wasm",
        &wat::parse_str("(module)").unwrap(),
    );
    let err = host.load_file(&core).await.unwrap_err();
    assert!(matches!(err, LoadError::NotAComponent { .. }));
    assert!(err.to_string().contains("wasm32-wasip2"), "{err}");

    let empty = write(
        dir.path(),
        "empty.wasm",
        &wat::parse_str("(component)").unwrap(),
    );
    let err = host.load_file(&empty).await.unwrap_err();
    assert!(
        matches!(&err, LoadError::NotAPlugin { exports, .. } if exports == "nothing"),
        "{err}"
    );

    let truncated = std::fs::read(intake_test_artifacts::STRIPE).unwrap();
    let truncated = write(
        dir.path(),
        "truncated.wasm",
        &truncated[..truncated.len() / 2],
    );
    assert!(matches!(
        host.load_file(&truncated).await,
        Err(LoadError::Invalid { .. })
    ));

    let missing = dir.path().join("missing.wasm");
    assert!(matches!(
        host.load_file(&missing).await,
        Err(LoadError::Read { .. })
    ));

    assert!(host.plugins().is_empty(), "nothing half-loaded");
}

#[tokio::test]
async fn a_plugin_of_another_contract_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let future = wat::parse_str(
        r#"(component (instance $i) (export "intake:plugin/processor@0.2.0" (instance $i)))"#,
    )
    .unwrap();
    let path = write(dir.path(), "future.wasm", &future);
    let err = host_with(test_limits()).load_file(&path).await.unwrap_err();
    assert!(
        matches!(&err, LoadError::IncompatibleVersion { found, supported: "0.1", .. } if found == "intake:plugin/processor@0.2.0"),
        "{err}"
    );
}

#[tokio::test]
async fn a_directory_loads_what_it_can_and_says_what_it_cannot() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        intake_test_artifacts::STRIPE,
        dir.path().join("stripe.wasm"),
    )
    .unwrap();
    std::fs::copy(
        intake_test_artifacts::WINRED,
        dir.path().join("winred.wasm"),
    )
    .unwrap();
    write(dir.path(), "broken.wasm", b"\0asm\x01\0\0\0");
    write(
        dir.path(),
        "README.txt",
        b"not a plugin, not a .wasm: skipped",
    );

    let host = host_with(test_limits());
    let loaded = host.load_dir(dir.path()).await.unwrap();
    let outcome: Vec<(String, bool)> = loaded
        .iter()
        .map(|(p, r)| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                r.is_ok(),
            )
        })
        .collect();
    assert_eq!(
        outcome,
        [
            ("broken.wasm".into(), false),
            ("stripe.wasm".into(), true),
            ("winred.wasm".into(), true)
        ]
    );
    let ids: Vec<String> = host.plugins().into_iter().map(|i| i.id).collect();
    assert_eq!(ids, ["stripe", "winred"]);
}

#[tokio::test]
async fn compiled_code_is_cached_and_a_bad_entry_is_recompiled() {
    let cache = tempfile::tempdir().unwrap();
    let config = || HostConfig {
        limits: test_limits(),
        cache_dir: Some(cache.path().to_path_buf()),
        ..HostConfig::default()
    };
    let entries = || {
        std::fs::read_dir(cache.path())
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect::<Vec<_>>()
    };

    Host::new(config())
        .unwrap()
        .load_file(intake_test_artifacts::WINRED)
        .await
        .unwrap();
    let written = entries();
    assert_eq!(written.len(), 1, "one entry per plugin file: {written:?}");
    let modified = std::fs::metadata(&written[0]).unwrap().modified().unwrap();

    // A restart (a new host) loads from the entry instead of compiling and rewriting it.
    let info = Host::new(config())
        .unwrap()
        .load_file(intake_test_artifacts::WINRED)
        .await
        .unwrap();
    assert_eq!(info.id, "winred");
    assert_eq!(
        std::fs::metadata(&written[0]).unwrap().modified().unwrap(),
        modified
    );

    // A corrupt entry is not trusted: the plugin is compiled again and the entry replaced.
    std::fs::write(&written[0], b"garbage").unwrap();
    let info = Host::new(config())
        .unwrap()
        .load_file(intake_test_artifacts::WINRED)
        .await
        .unwrap();
    assert_eq!(info.id, "winred");
    assert!(std::fs::metadata(&written[0]).unwrap().len() > 1000);
}

#[tokio::test]
async fn a_reload_swaps_the_plugin_while_calls_in_flight_finish() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old.wasm"), dir.path().join("new.wasm"));
    std::fs::copy(intake_test_artifacts::HOSTILE, &old).unwrap();
    // Another build: version 2.0.0, and `which-build` answers "v2".
    std::fs::copy(intake_test_artifacts::HOSTILE_V2, &new).unwrap();
    let server = Server::start().await;
    let host = host_with(test_limits());
    host.load_file(&old).await.unwrap();
    let which = Integration::new("hostile").setting("attack", "which-build");
    assert_eq!(host.check(&which).await.unwrap().name, "base");

    // A call that is mid-request (the slow endpoint holds it) when the reload happens.
    let slow = Integration::new("hostile")
        .setting("attack", "request")
        .setting("target", format!("{}/slow", server.url))
        .grant_origin(&server.url);
    let in_flight = tokio::spawn({
        let host = host.clone();
        async move { host.check(&slow).await }
    });
    while server.hits() == 0 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let info = host.load_file(&new).await.unwrap();
    assert_eq!(info.version, "2.0.0");
    assert_eq!(host.plugin_path("hostile").unwrap(), new);
    assert_eq!(host.plugins().len(), 1, "replaced, not added");
    assert_eq!(host.plugins()[0].version, "2.0.0");
    assert_eq!(
        host.check(&which).await.unwrap().name,
        "v2",
        "new calls run the new build"
    );

    // The old call ends on its own terms (its deadline), not by the reload.
    let err = in_flight.await.unwrap().unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
    let fresh = host
        .check(&Integration::new("hostile").setting("attack", "echo-settings"))
        .await
        .unwrap();
    assert!(fresh.name.contains("echo-settings"));
}

#[tokio::test]
async fn calls_name_an_unknown_plugin() {
    let host = host_with(test_limits());
    let err = host.check(&Integration::new("nope")).await.unwrap_err();
    assert!(matches!(&err, intake_host::CallError::UnknownPlugin(id) if id == "nope"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_beyond_the_instance_pool_wait_for_a_slot() {
    let config = HostConfig {
        limits: test_limits(),
        cache_dir: Some(common::cache_dir()),
        max_concurrent_calls: 2,
        max_concurrent_calls_per_plugin: Some(2),
        ..HostConfig::default()
    };
    let host = Host::new(config).unwrap();
    host.load_file(intake_test_artifacts::HOSTILE)
        .await
        .unwrap();
    let counting = Counting::start().await;
    let waiting = Integration::new("hostile")
        .setting("attack", "request")
        .setting("target", format!("{}/wait", counting.url))
        .grant_origin(&counting.url);
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let (host, integration) = (host.clone(), waiting.clone());
            tokio::spawn(async move { host.check(&integration).await })
        })
        .collect();
    for call in calls {
        assert_eq!(
            call.await
                .unwrap()
                .expect("each call gets a slot in turn")
                .name,
            "ok"
        );
    }
    assert_eq!(counting.served.load(Ordering::SeqCst), 8);
    // Two slots: two requests at once at most, and the pool was used to the full.
    assert_eq!(counting.max_in_flight.load(Ordering::SeqCst), 2);
}

/// A loopback server whose `/wait` (100 ms) counts the requests it is serving at once.
struct Counting {
    url: String,
    max_in_flight: Arc<AtomicUsize>,
    served: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Counting {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Counting {
    async fn start() -> Counting {
        let in_flight = Arc::new(AtomicUsize::new(0));
        let max_in_flight = Arc::new(AtomicUsize::new(0));
        let served = Arc::new(AtomicUsize::new(0));
        let counters = (in_flight.clone(), max_in_flight.clone(), served.clone());
        let router = axum::Router::new().route(
            "/wait",
            axum::routing::get(move || {
                let (now, max, served) = counters.clone();
                async move {
                    let current = now.fetch_add(1, Ordering::SeqCst) + 1;
                    max.fetch_max(current, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    now.fetch_sub(1, Ordering::SeqCst);
                    served.fetch_add(1, Ordering::SeqCst);
                    "ok"
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Counting {
            url,
            max_in_flight,
            served,
            task,
        }
    }
}

#[tokio::test]
async fn a_later_file_cannot_shadow_a_plugin_of_the_same_id() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        intake_test_artifacts::STRIPE,
        dir.path().join("stripe.wasm"),
    )
    .unwrap();
    // Says it is `stripe` too, and sorts after it.
    std::fs::copy(
        intake_test_artifacts::HOSTILE_IMPOSTOR,
        dir.path().join("zz-rogue.wasm"),
    )
    .unwrap();
    let host = host_with(test_limits());
    let loaded = host.load_dir(dir.path()).await.unwrap();
    assert!(loaded[0].1.is_ok(), "{:?}", loaded[0].1);
    match &loaded[1].1 {
        Err(e @ LoadError::DuplicateId { path, id, first }) => {
            assert_eq!(id, "stripe");
            assert!(path.ends_with("zz-rogue.wasm") && first.ends_with("stripe.wasm"));
            assert!(e.to_string().contains("says it is `stripe`"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    let stripe = host.plugins();
    assert_eq!(stripe.len(), 1);
    assert_ne!(
        stripe[0].version, "9.9.9",
        "the impostor did not replace it"
    );
    assert!(host.plugin_path("stripe").unwrap().ends_with("stripe.wasm"));
}

#[tokio::test]
async fn load_bytes_loads_from_memory() {
    let host = host_with(test_limits());
    let bytes = std::fs::read(intake_test_artifacts::WINRED).unwrap();
    let info = host.load_bytes("winred (memory)", bytes).await.unwrap();
    assert_eq!(info.id, "winred");
    assert_eq!(
        host.plugin_path("winred").unwrap(),
        PathBuf::from("winred (memory)")
    );
    let err = host
        .load_bytes("junk", b"not wasm".to_vec())
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "junk is not a WebAssembly file");
}
