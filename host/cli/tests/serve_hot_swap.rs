//! Hot swap under load, through the service: while one client sends signed webhook deliveries
//! and another starts syncs without pause, the Stripe plugin's file in the watched directory
//! is replaced 20 times (two builds told apart by their stamped version, once a broken file).
//! No request fails, nothing is lost or stored twice, and each new build is what
//! `/api/plugins` reports within 1 s of its file changing (and `/api/integrations` after).

mod serve_support;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use intake_emulators::stripe::{Config as StripeConfig, Mode, StripeEmulator, webhook};
use intake_emulators::webhooks::client;
use serve_support::*;

/// Replace the plugin file as a deploy does: a temporary beside it (not a `.wasm`, so not
/// loaded), renamed over it.
fn deploy(plugins: &Path, bytes: &[u8]) {
    let temporary = plugins.join(".stripe.wasm.partial");
    std::fs::write(&temporary, bytes).unwrap();
    std::fs::rename(&temporary, plugins.join("stripe.wasm")).unwrap();
}

/// The Stripe plugin as `/api/plugins` reports it: (version, last reload error).
async fn serving(service: &Service) -> (String, Option<String>) {
    let plugins = service.get_json("/api/plugins").await;
    let stripe = plugins
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "stripe")
        .unwrap();
    (
        stripe["version"].as_str().unwrap().to_string(),
        stripe["last_reload_error"].as_str().map(str::to_string),
    )
}

/// The plugin version `/api/integrations` lists for the test's integration.
async fn listed_version(service: &Service) -> String {
    let list = service.get_json("/api/integrations").await;
    let integration = list
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == INTEGRATION)
        .unwrap();
    integration["plugin_version"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_swaps_while_webhooks_and_syncs_run_fail_no_request_and_lose_nothing() {
    let stripe = StripeEmulator::start(StripeConfig::new(31, 120))
        .await
        .unwrap();
    let key = stripe.key(Mode::Test).to_string();
    let expected = uninterrupted_ids(&stripe.url(), &key);

    // The plugin by id, from a watched directory.
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &stripe.url(),
        &key,
        "path = \"intake.db\"",
        TOKEN_FROM_FILE,
    );
    let text = std::fs::read_to_string(&config).unwrap().replace(
        &format!("plugin = \"{}\"", intake_test_artifacts::STRIPE),
        "plugin = \"stripe\"",
    ) + "\n[plugins]\ndir = \"plugins\"\n";
    std::fs::write(&config, text).unwrap();
    let plugins = dir.path().join("plugins");
    std::fs::create_dir(&plugins).unwrap();
    let builds = [
        (
            std::fs::read(intake_test_artifacts::STRIPE).unwrap(),
            "0.1.0",
        ),
        (
            std::fs::read(intake_test_artifacts::STRIPE_V2).unwrap(),
            "0.1.0+swap",
        ),
    ];
    std::fs::write(plugins.join("stripe.wasm"), &builds[0].0).unwrap();
    // Both builds' code in the cache the service uses, as on a worker that has run them: what
    // is timed here is the swap. Compiling a build never seen (done once per build, and slower
    // in this debug build) is measured in release by `cargo bench --bench hot_swap`.
    let warm = intake_host::Host::new(intake_host::HostConfig {
        cache_dir: Some(cache_dir()),
        ..intake_host::HostConfig::default()
    })
    .unwrap();
    for path in [
        intake_test_artifacts::STRIPE,
        intake_test_artifacts::STRIPE_V2,
    ] {
        warm.load_file(path).await.unwrap();
    }
    let service = Arc::new(Service::start(&config));
    assert_eq!(serving(&service).await.0, "0.1.0");

    let stop = Arc::new(AtomicBool::new(false));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let (deliveries, syncs) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    // Deliveries of paid charges, round and round: many are repeats, stored once.
    let events: Vec<_> = stripe
        .ground_truth(Mode::Test)
        .charges
        .iter()
        .filter(|c| c.status == "succeeded" && c.captured)
        .map(|c| stripe.event(Mode::Test, "charge.succeeded", &c.id).unwrap())
        .collect();
    let sender = {
        let (service, stop, failures, deliveries) = (
            service.clone(),
            stop.clone(),
            failures.clone(),
            deliveries.clone(),
        );
        tokio::spawn(async move {
            for event in events.iter().cycle() {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let (headers, body) = webhook::delivery(event, &[WEBHOOK_SECRET], now());
                let mut request = client()
                    .post(service.at(&format!("/webhooks/{INTEGRATION}")))
                    .body(body);
                for (k, v) in headers {
                    request = request.header(k, v);
                }
                let response = request.send().await.unwrap();
                let status = response.status().as_u16();
                if status != 200 {
                    let text = response.text().await.unwrap_or_default();
                    failures
                        .lock()
                        .unwrap()
                        .push(format!("webhook {status}: {text}"));
                }
                deliveries.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    let syncer = {
        let (service, stop, failures, syncs) = (
            service.clone(),
            stop.clone(),
            failures.clone(),
            syncs.clone(),
        );
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let response = client()
                    .post(service.at(&format!("/api/integrations/{INTEGRATION}/sync")))
                    .bearer_auth(TOKEN)
                    .send()
                    .await
                    .unwrap();
                match response.status().as_u16() {
                    202 => {
                        syncs.fetch_add(1, Ordering::Relaxed);
                    }
                    409 => {} // one is running: fine
                    status => {
                        let text = response.text().await.unwrap_or_default();
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("sync {status}: {text}"));
                    }
                }
                tokio::time::sleep(Duration::from_millis(30)).await;
            }
        })
    };

    let mut slowest = Duration::ZERO;
    for swap in 1..=20usize {
        if swap == 10 {
            // A broken build: reported, and the build before keeps serving.
            let (before, _) = serving(&service).await;
            deploy(&plugins, b"\0asm not really a component");
            let waited = Instant::now();
            loop {
                let (version, error) = serving(&service).await;
                if let Some(error) = error {
                    assert!(error.contains("keeps serving"), "{error}");
                    assert_eq!(version, before);
                    break;
                }
                assert!(
                    waited.elapsed() < Duration::from_secs(5),
                    "the broken file was not reported"
                );
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        let (bytes, version) = &builds[swap % 2];
        let changed = Instant::now();
        deploy(&plugins, bytes);
        loop {
            let asked = changed.elapsed();
            let (now_serving, error) = serving(&service).await;
            if now_serving == *version && error.is_none() {
                slowest = slowest.max(asked);
                // The integration list names the build serving now, not the one loaded first.
                assert_eq!(listed_version(&service).await, *version, "swap {swap}");
                break;
            }
            assert!(
                asked < Duration::from_secs(1),
                "swap {swap}: {version} not serving {asked:?} after its file changed"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    stop.store(true, Ordering::Relaxed);
    sender.await.unwrap();
    syncer.await.unwrap();
    let failures = failures.lock().unwrap().clone();
    assert!(failures.is_empty(), "failed requests: {failures:?}");
    let (deliveries, syncs) = (
        deliveries.load(Ordering::Relaxed),
        syncs.load(Ordering::Relaxed),
    );
    assert!(deliveries > 40, "only {deliveries} deliveries under way");
    assert!(syncs > 2, "only {syncs} syncs under way");
    eprintln!("{deliveries} deliveries, {syncs} syncs, slowest swap {slowest:?}");

    // Nothing lost, nothing twice: a last sync to the end, then the store against the truth.
    let waited = Instant::now();
    loop {
        let response = client()
            .post(service.at(&format!("/api/integrations/{INTEGRATION}/sync")))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        if response.status().as_u16() == 202 {
            break;
        }
        assert!(waited.elapsed() < Duration::from_secs(30), "no last sync");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let waited = Instant::now();
    loop {
        let runs = service
            .get_json(&format!("/api/runs?integration={INTEGRATION}&limit=1"))
            .await;
        let status = runs[0]["summary"]["status"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if status != "running" {
            assert!(status == "ok" || status == "nothing to do", "{runs}");
            break;
        }
        assert!(
            waited.elapsed() < Duration::from_secs(30),
            "the last sync never ended"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let ids = stored_ids(&config, INTEGRATION);
    let unique: BTreeSet<String> = ids.iter().cloned().collect();
    assert_eq!(unique.len(), ids.len(), "a donation stored twice");
    assert_eq!(unique, expected);
}
