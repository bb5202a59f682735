//! Webhooks over HTTP into a real `intake serve`: good, bad, replayed and duplicate
//! deliveries, oversized bodies, unknown integrations, and a webhook and a sync of the same
//! donation stored once.

mod serve_support;

use std::collections::BTreeSet;
use std::time::Duration;

use intake_emulators::stripe::{Mode, webhook};
use intake_emulators::webhooks::client;
use intake_engine::store::Store;
use intake_engine::{Config, SqliteStore};
use serve_support::*;

/// Every stored donation id, in store order (a duplicate would show twice), with its `via`.
fn stored(config: &std::path::Path) -> Vec<(String, String)> {
    let loaded = Config::load(config).unwrap();
    let store = SqliteStore::open(&loaded.store_path).unwrap();
    let mut out = Vec::new();
    store
        .each_donation(Some(INTEGRATION), &mut |d| {
            out.push((d.donation.id, d.via));
            Ok(())
        })
        .unwrap();
    out
}

async fn post(url: &str, headers: &[(String, String)], body: Vec<u8>) -> (u16, String) {
    let mut request = client().post(url).body(body);
    for (k, v) in headers {
        request = request.header(k, v);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn metrics(service: &Service) -> String {
    client()
        .get(service.at("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_good_bad_replayed_duplicate_oversized_then_a_sync_stores_each_donation_once() {
    let Served {
        stripe,
        dir: _dir,
        config,
        service,
    } = serve_stripe(21, 40).await;
    let truth = stripe.ground_truth(Mode::Test);
    let hook = service.at("/webhooks/stripe-test");

    let paid = truth
        .charges
        .iter()
        .find(|c| c.status == "succeeded" && c.captured)
        .unwrap();
    let event = stripe
        .event(Mode::Test, "charge.succeeded", &paid.id)
        .unwrap();

    // Good: stored, once, as having come by webhook.
    let (headers, body) = webhook::delivery(&event, &[WEBHOOK_SECRET], now());
    let (status, text) = post(&hook, &headers, body.clone()).await;
    assert_eq!(status, 200, "{text}");
    let outcome: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (outcome["entries"].as_u64(), outcome["new"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        stored(&config),
        vec![(paid.id.clone(), "webhook".to_string())]
    );

    // The same delivery again (the processor retrying): accepted, nothing new.
    let (status, text) = post(&hook, &headers, body.clone()).await;
    assert_eq!(status, 200, "{text}");
    let outcome: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (outcome["new"].as_u64(), outcome["unchanged"].as_u64()),
        (Some(0), Some(1))
    );

    // A duplicate: the same event signed again later (a second delivery attempt).
    let (headers2, body2) = webhook::delivery(&event, &[WEBHOOK_SECRET], now() + 1);
    let (status, _) = post(&hook, &headers2, body2).await;
    assert_eq!(status, 200);
    assert_eq!(stored(&config).len(), 1);

    // Replayed: a captured delivery sent again an hour after it was signed.
    let (old_headers, old_body) = webhook::delivery(&event, &[WEBHOOK_SECRET], now() - 3600);
    let (status, text) = post(&hook, &old_headers, old_body).await;
    assert_eq!(status, 400, "{text}");
    assert!(
        text.starts_with("the delivery's signature did not verify: "),
        "{text}"
    );

    // Bad signature: signed with another secret; 400 with a plain sentence, and counted.
    let (bad_headers, bad_body) = webhook::delivery(&event, &["whsec_someone_else"], now());
    let (status, text) = post(&hook, &bad_headers, bad_body).await;
    assert_eq!(status, 400);
    assert!(
        text.starts_with("the delivery's signature did not verify: "),
        "{text}"
    );
    assert!(!text.contains(WEBHOOK_SECRET));
    let m = metrics(&service).await;
    assert!(
        m.contains(r#"intake_webhook_deliveries_total{integration="stripe-test",outcome="bad_signature"} 2"#),
        "{m}"
    );
    assert!(
        m.contains(
            r#"intake_webhook_deliveries_total{integration="stripe-test",outcome="stored"} 3"#
        ),
        "{m}"
    );

    // Unknown integration: 404, counted under one label whatever the path.
    let (status, text) = post(&service.at("/webhooks/nobody"), &headers, body.clone()).await;
    assert_eq!(
        (status, text.as_str()),
        (404, "no integration `nobody` in the config\n")
    );

    // Oversized: over 1 MiB is refused before the plugin sees it.
    let (status, _) = post(&hook, &headers, vec![b' '; 1024 * 1024 + 1]).await;
    assert_eq!(status, 413);
    assert_eq!(stored(&config).len(), 1);

    // Nothing reached the queue twice either.
    let queue: serde_json::Value = serde_json::from_str(
        &client()
            .get(service.at("/api/queue"))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    )
    .unwrap();
    let queued: Vec<&str> = queue
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["item"]["donation"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(queued, vec![paid.id.as_str()]);

    // Now the daily pull: every charge the processor has, the webhook's one stored once.
    let sync = client()
        .post(service.at("/api/integrations/stripe-test/sync"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(sync.status().as_u16(), 202);
    eventually("the sync finished", Duration::from_secs(60), async || {
        let runs: serde_json::Value = serde_json::from_str(
            &client()
                .get(service.at("/api/runs"))
                .bearer_auth(TOKEN)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
        )
        .unwrap();
        runs[0]["summary"]["status"] == "ok"
    })
    .await;
    let after = stored(&config);
    let ids: BTreeSet<&str> = after.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids.len(), after.len(), "a donation stored twice");
    assert!(ids.contains(paid.id.as_str()));
    let via_webhook: Vec<&str> = after
        .iter()
        .filter(|(_, via)| via == "webhook")
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(via_webhook, vec![paid.id.as_str()]);
    let m = metrics(&service).await;
    assert!(
        m.contains(r#"intake_syncs_total{integration="stripe-test",outcome="ok"} 1"#),
        "{m}"
    );
}
