//! The JSON API of a real `intake serve`: the queue filled by webhooks, shown with
//! candidates, approved and rejected; the CLI's `intake queue … --json` agrees; exports.

mod serve_support;

use std::process::Command;

use intake_emulators::stripe::{Mode, webhook};
use intake_emulators::webhooks::client;
use serde_json::{Value, json};
use serve_support::*;

async fn api(service: &Service, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let http = client();
    let mut request = match method {
        "GET" => http.get(service.at(path)),
        _ => http.post(service.at(path)),
    }
    .bearer_auth(TOKEN);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn cli_json(config: &std::path::Path, args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_intake"))
        .args(args)
        .arg("--config")
        .arg(config)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_approve_and_reject_round_trip_and_the_cli_agrees() {
    let Served {
        stripe,
        dir: _dir,
        config,
        service,
    } = serve_stripe(31, 30).await;
    let truth = stripe.ground_truth(Mode::Test);
    let paid: Vec<_> = truth
        .charges
        .iter()
        .filter(|c| c.status == "succeeded" && c.captured)
        .take(2)
        .collect();
    assert_eq!(paid.len(), 2);
    for charge in &paid {
        let event = stripe
            .event(Mode::Test, "charge.succeeded", &charge.id)
            .unwrap();
        let (headers, body) = webhook::delivery(&event, &[WEBHOOK_SECRET], now());
        let mut request = client()
            .post(service.at("/webhooks/stripe-test"))
            .body(body);
        for (k, v) in headers {
            request = request.header(k, v);
        }
        assert_eq!(request.send().await.unwrap().status().as_u16(), 200);
    }

    let (status, queue) = api(&service, "GET", "/api/queue", None).await;
    assert_eq!(status, 200);
    let items = queue.as_array().unwrap();
    assert_eq!(items.len(), 2);
    let first = items[0]["item"]["id"].as_i64().unwrap();
    let second = items[1]["item"]["id"].as_i64().unwrap();
    assert_eq!(items[0]["item"]["donation"]["id"], paid[0].id.as_str());

    // The API's item is the CLI's, field for field.
    let (status, shown) = api(&service, "GET", &format!("/api/queue/{first}"), None).await;
    assert_eq!(status, 200);
    let from_cli = cli_json(&config, &["queue", "show", &first.to_string()]);
    assert_eq!(shown, from_cli);

    // Approve without saying for whom: refused with the way out.
    let (status, body) = api(
        &service,
        "POST",
        &format!("/api/queue/{first}/approve"),
        Some(json!({ "reviewer": "pat" })),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"],
        format!(
            "choose who queue item {first} is from: \"contact\": <id> (see GET /api/queue/{first}) or \"new\": true"
        )
    );
    let (status, approved) = api(
        &service,
        "POST",
        &format!("/api/queue/{first}/approve"),
        Some(json!({ "new": true, "reviewer": "pat" })),
    )
    .await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(approved["new_contact"], true);
    assert_eq!(approved["already"], false);

    let (status, rejected) = api(
        &service,
        "POST",
        &format!("/api/queue/{second}/reject"),
        Some(json!({ "reason": "test charge", "reviewer": "pat" })),
    )
    .await;
    assert_eq!(status, 200, "{rejected}");
    // The opposite decision afterwards is a conflict, said in words.
    let (status, body) = api(
        &service,
        "POST",
        &format!("/api/queue/{second}/approve"),
        Some(json!({ "new": true, "reviewer": "sam" })),
    )
    .await;
    assert_eq!(status, 409);
    assert!(
        body["error"].as_str().unwrap().starts_with(&format!(
            "queue item {second} was already rejected by pat at "
        )),
        "{body}"
    );
    let (status, body) = api(&service, "GET", "/api/queue/999", None).await;
    assert_eq!((status, &body["error"]), (404, &json!("no queue item 999")));

    // Nothing pending; the contact made by the approval is listed; the ledger exports.
    let (_, pending) = api(&service, "GET", "/api/queue", None).await;
    assert_eq!(pending, json!([]));
    let (_, contacts) = api(&service, "GET", "/api/contacts", None).await;
    assert_eq!(contacts.as_array().unwrap().len(), 1);
    assert_eq!(contacts[0]["id"], approved["contact"]);
    let entries = client()
        .get(service.at("/api/export/entries"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(
        entries.headers().get("content-type").unwrap(),
        "application/x-ndjson"
    );
    let text = entries.text().await.unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    let donations = client()
        .get(service.at("/api/export/donations"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(donations.lines().count(), 2);
    let (status, body) = api(&service, "GET", "/api/export/receipts", None).await;
    assert_eq!(status, 404);
    assert_eq!(
        body["error"],
        "no export `receipts`: donations, entries, contacts or payouts"
    );
}
