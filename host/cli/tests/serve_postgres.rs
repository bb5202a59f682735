//! Two `intake serve` processes on one Postgres store take the same deliveries at once:
//! each donation is stored once (the store's upserts), and both answer 200.

mod serve_support;

use intake_emulators::stripe::{Config as StripeConfig, Mode, StripeEmulator, webhook};
use intake_emulators::webhooks::client;
use serve_support::*;

fn stored(db_url: &str) -> (i64, i64) {
    let db_url = db_url.to_string();
    std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&db_url, postgres::NoTls).unwrap();
        let row = client
            .query_one("SELECT COUNT(*), COUNT(DISTINCT id) FROM donations", &[])
            .unwrap();
        (row.get(0), row.get(1))
    })
    .join()
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_deliveries_to_two_services_on_one_store_are_stored_once() {
    let Some(db) = intake_test_postgres::database() else {
        return;
    };
    let stripe = StripeEmulator::start(StripeConfig::new(41, 60))
        .await
        .unwrap();
    let truth = stripe.ground_truth(Mode::Test);
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let store = format!("url = \"{}\"", db.url);
    let a = Service::start(&write_config(
        dir_a.path(),
        &stripe.url(),
        stripe.key(Mode::Test),
        &store,
        TOKEN_FROM_FILE,
    ));
    let b = Service::start(&write_config(
        dir_b.path(),
        &stripe.url(),
        stripe.key(Mode::Test),
        &store,
        TOKEN_FROM_FILE,
    ));
    let paid: Vec<_> = truth
        .charges
        .iter()
        .filter(|c| c.status == "succeeded" && c.captured)
        .take(20)
        .collect();
    assert!(paid.len() >= 10);
    let mut sends = Vec::new();
    for charge in &paid {
        let event = stripe
            .event(Mode::Test, "charge.succeeded", &charge.id)
            .unwrap();
        let (headers, body) = webhook::delivery(&event, &[WEBHOOK_SECRET], now());
        // The same delivery to both at once, each over its own connection.
        for url in [a.at("/webhooks/stripe-test"), b.at("/webhooks/stripe-test")] {
            let (headers, body) = (headers.clone(), body.clone());
            sends.push(tokio::spawn(async move {
                let mut request = client().post(url).body(body);
                for (k, v) in headers {
                    request = request.header(k, v);
                }
                let response = request.send().await.unwrap();
                (response.status().as_u16(), response.text().await.unwrap())
            }));
        }
    }
    let mut new = 0;
    for send in sends {
        let (status, text) = send.await.unwrap();
        assert_eq!(status, 200, "{text}");
        let outcome: serde_json::Value = serde_json::from_str(&text).unwrap();
        new += outcome["new"].as_u64().unwrap();
    }
    // Each donation new exactly once across both services, and stored once.
    assert_eq!(new, paid.len() as u64);
    assert_eq!(stored(&db.url), (paid.len() as i64, paid.len() as i64));
}
