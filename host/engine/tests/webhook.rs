//! `Engine::ingest_webhook` as a CRM embedding the engine calls it: a delivery verified by
//! the plugin and stored through the sync's keys, once however often it comes; refusals in
//! words; the import queue fed as after a sync.

use std::path::PathBuf;
use std::sync::Arc;

use intake_emulators::stripe::{Config as StripeConfig, Mode, StripeEmulator, webhook};
use intake_engine::queue::ImportQueue;
use intake_engine::store::Store;
use intake_engine::webhook::{WebhookError, queue_delivery};
use intake_engine::{Config, Engine, SqliteStore};
use intake_host::{Host, HostConfig};

const SECRET: &str = "whsec_engine_test";

fn host() -> Host {
    Host::new(HostConfig {
        cache_dir: Some(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("intake-code-cache")),
        ..HostConfig::default()
    })
    .unwrap()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn config(dir: &std::path::Path, stripe: &StripeEmulator) -> Config {
    std::fs::write(dir.join("key"), stripe.key(Mode::Test)).unwrap();
    std::fs::write(dir.join("whsec"), SECRET).unwrap();
    let text = format!(
        r#"[[integration]]
id = "stripe-on"
plugin = "{plugin}"
start_date = "2000-01-01"
[integration.settings]
mode = "test"
api_base = "{url}"
[integration.secrets]
test_secret_key = {{ file = "key" }}
webhook_secret = {{ file = "whsec" }}

[[integration]]
id = "stripe-off"
plugin = "{plugin}"
enabled = false
start_date = "2000-01-01"
[integration.settings]
mode = "test"
[integration.secrets]
test_secret_key = {{ file = "key" }}
webhook_secret = {{ file = "whsec" }}
"#,
        plugin = intake_test_artifacts::STRIPE,
        url = stripe.url(),
    );
    let path = dir.join("intake.toml");
    std::fs::write(&path, text).unwrap();
    Config::load(&path).unwrap()
}

#[tokio::test]
async fn a_delivery_is_stored_once_and_queued_and_refusals_say_why() {
    let stripe = StripeEmulator::start(StripeConfig::new(5, 20))
        .await
        .unwrap();
    let truth = stripe.ground_truth(Mode::Test);
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &stripe);
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    let engine = Engine::start(host(), store.clone(), config.clone())
        .await
        .unwrap();
    let charge = truth
        .charges
        .iter()
        .find(|c| c.status == "succeeded" && c.captured)
        .unwrap();
    let event = stripe
        .event(Mode::Test, "charge.succeeded", &charge.id)
        .unwrap();
    let (headers, body) = webhook::delivery(&event, &[SECRET], now());

    let first = engine
        .ingest_webhook("stripe-on", &headers, &body)
        .await
        .unwrap();
    assert_eq!((first.entries, first.counts.new), (1, 1));
    let queued = queue_delivery(store.as_ref(), &config, &first).unwrap();
    assert_eq!(queued.queued, 1);
    assert_eq!(store.pending_count(None).unwrap(), 1);
    let again = engine
        .ingest_webhook("stripe-on", &headers, &body)
        .await
        .unwrap();
    assert_eq!((again.counts.new, again.counts.unchanged), (0, 1));
    let mut ids = Vec::new();
    store
        .each_donation(None, &mut |d| {
            ids.push((d.donation.id, d.via));
            Ok(())
        })
        .unwrap();
    assert_eq!(ids, vec![(charge.id.clone(), "webhook".to_string())]);
    assert_eq!(store.pending_count(None).unwrap(), 1);

    let (bad_headers, bad_body) = webhook::delivery(&event, &["whsec_other"], now());
    let refused = engine
        .ingest_webhook("stripe-on", &bad_headers, &bad_body)
        .await
        .unwrap_err();
    assert!(matches!(refused, WebhookError::BadSignature(_)));
    assert!(
        refused
            .to_string()
            .starts_with("the delivery's signature did not verify: "),
        "{refused}"
    );
    let off = engine
        .ingest_webhook("stripe-off", &headers, &body)
        .await
        .unwrap_err();
    assert_eq!(off.to_string(), "the integration `stripe-off` is disabled");
    let unknown = engine
        .ingest_webhook("nobody", &headers, &body)
        .await
        .unwrap_err();
    assert_eq!(unknown.to_string(), "no integration `nobody` in the config");
}
