//! The config reloaded while `intake serve` runs: an edit (written as editors do, a temporary
//! renamed over the file) switches an integration off and adds one without a restart; a broken
//! edit changes nothing and says where it is wrong; SIGHUP reloads on demand; a change only a
//! restart can apply is named as such while the rest applies.

mod serve_support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use intake_emulators::stripe::{Mode, webhook};
use intake_emulators::webhooks::client;
use serde_json::Value;
use serve_support::*;

/// Replace the file as an editor saving it does: write a temporary beside it, rename it over.
fn save(config: &Path, text: &str) {
    let temporary = config.with_extension("toml.swp");
    std::fs::write(&temporary, text).unwrap();
    std::fs::rename(&temporary, config).unwrap();
}

/// The first integration switched off, and a second one on the same processor.
fn edited(original: &str) -> String {
    let first = original.find("[[integration]]").unwrap();
    let block =
        original[first..].replace(&format!("id = \"{INTEGRATION}\""), "id = \"stripe-second\"");
    let switched_off = original.replace(
        &format!("id = \"{INTEGRATION}\"\n"),
        &format!("id = \"{INTEGRATION}\"\nenabled = false\n"),
    );
    format!("{switched_off}\n{block}")
}

async fn get(service: &Service, path: &str) -> Value {
    let response = client()
        .get(service.at(path))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200, "GET {path}");
    serde_json::from_str(&response.text().await.unwrap()).unwrap()
}

async fn post(service: &Service, path: &str) -> (u16, String) {
    let response = client()
        .post(service.at(path))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    (
        response.status().as_u16(),
        response.text().await.unwrap_or_default(),
    )
}

/// (id, enabled) of each integration the service runs now.
async fn integrations(service: &Service) -> Vec<(String, bool)> {
    get(service, "/api/integrations")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_string(),
                i["enabled"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// Wait for `/api/config` to show an attempt with this trigger and outcome, newer than `after`
/// reloads applied; the status then.
async fn attempt(service: &Service, trigger: &str, outcome: &str, reloads: u64) -> Value {
    let started = Instant::now();
    loop {
        let status = get(service, "/api/config").await;
        let last = &status["last_attempt"];
        if last["trigger"] == trigger && last["outcome"] == outcome && status["reloads"] == reloads
        {
            return status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no {trigger} reload {outcome} within 10 s: {status}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_and_sighup_reload_the_config_while_serving_and_a_broken_edit_changes_nothing() {
    let Served {
        stripe,
        dir: _dir,
        config,
        service,
    } = serve_stripe(5, 10).await;
    let original = std::fs::read_to_string(&config).unwrap();
    assert_eq!(integrations(&service).await, [(INTEGRATION.into(), true)]);
    let status = get(&service, "/api/config").await;
    assert_eq!(status["reloads"], 0);
    assert_eq!(status["path"], config.display().to_string());

    // An edit: the first integration off, a second one on. Applied without a restart.
    let saved = Instant::now();
    save(&config, &edited(&original));
    let status = attempt(&service, "file changed", "applied", 1).await;
    let took = saved.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "the edit took {took:?} to apply"
    );
    assert_eq!(status["restart_needed"], serde_json::json!([]));
    assert_eq!(
        integrations(&service).await,
        [(INTEGRATION.into(), false), ("stripe-second".into(), true)]
    );
    // Switched off: no sync, no webhooks. The new one syncs.
    let (code, text) = post(&service, &format!("/api/integrations/{INTEGRATION}/sync")).await;
    assert_eq!(code, 404, "{text}");
    assert!(
        text.contains(&format!("the integration `{INTEGRATION}` is disabled")),
        "{text}"
    );
    let truth = stripe.ground_truth(Mode::Test);
    let event = stripe
        .event(Mode::Test, "charge.succeeded", &truth.charges[0].id)
        .unwrap();
    let (headers, body) = webhook::delivery(&event, &[WEBHOOK_SECRET], now());
    let mut request = client()
        .post(service.at(&format!("/webhooks/{INTEGRATION}")))
        .body(body);
    for (k, v) in &headers {
        request = request.header(k, v);
    }
    let refused = request.send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 404);
    assert!(refused.text().await.unwrap().contains("disabled"));
    let (code, text) = post(&service, "/api/integrations/stripe-second/sync").await;
    assert_eq!(code, 202, "{text}");

    // A broken edit: the old config keeps serving, and the status says where it is wrong.
    let broken = edited(&original).replace("[serve]\n", "[serve]\ncolour = \"red\"\n");
    save(&config, &broken);
    let status = attempt(&service, "file changed", "failed", 1).await;
    let error = status["last_attempt"]["error"].as_str().unwrap();
    assert!(
        error.contains("intake.toml") && error.contains("colour"),
        "the error names the file and the key: {error}"
    );
    assert_eq!(
        integrations(&service).await,
        [(INTEGRATION.into(), false), ("stripe-second".into(), true)]
    );

    // SIGHUP reloads even an unchanged file (the operator asked): still broken.
    let pid = service.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-HUP", &pid])
            .status()
            .unwrap()
            .success()
    );
    attempt(&service, "SIGHUP", "failed", 1).await;

    // Fixed, with a new listen address too: the rest applies, the address waits for a
    // restart, and the service still answers where it listens.
    let fixed = original.replace("[serve]\n", "[serve]\nlisten = \"127.0.0.1:1\"\n");
    save(&config, &fixed);
    let status = attempt(&service, "file changed", "applied", 2).await;
    assert_eq!(
        status["restart_needed"],
        serde_json::json!(["[serve] listen: restart to listen elsewhere"])
    );
    assert_eq!(integrations(&service).await, [(INTEGRATION.into(), true)]);
    let metrics = client()
        .get(service.at("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("intake_config_reloads_total{outcome=\"applied\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("intake_config_reloads_total{outcome=\"failed\"} 2"),
        "{metrics}"
    );
}
