//! `intake serve`: the API's bearer token (from a file or the environment), the open
//! health check, and a config without a token refused.

mod serve_support;

use intake_emulators::stripe::{Config as StripeConfig, Mode, StripeEmulator};
use intake_emulators::webhooks::client;
use serve_support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_wants_the_token_from_the_file_and_health_is_open() {
    let Served {
        stripe: _stripe,
        dir: _dir,
        config: _config,
        service,
    } = serve_stripe(3, 5).await;
    let http = client();
    let integrations = service.at("/api/integrations");

    let none = http.get(&integrations).send().await.unwrap();
    assert_eq!(none.status().as_u16(), 401);
    assert_eq!(none.headers().get("www-authenticate").unwrap(), "Bearer");
    let body: serde_json::Value = serde_json::from_str(&none.text().await.unwrap()).unwrap();
    assert_eq!(
        body["error"],
        "this API needs a bearer token: Authorization: Bearer <token>"
    );

    let wrong = http
        .get(&integrations)
        .header("Authorization", "Bearer s3rve-test-token-0123456788")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 401);
    let body: serde_json::Value = serde_json::from_str(&wrong.text().await.unwrap()).unwrap();
    assert_eq!(
        body["error"],
        "the bearer token is not the one this service was given"
    );

    // A token that is a prefix of the right one is wrong too.
    let prefix = http
        .get(&integrations)
        .header("Authorization", "Bearer s3rve-test-token")
        .send()
        .await
        .unwrap();
    assert_eq!(prefix.status().as_u16(), 401);

    // The file's trailing newline is not part of the token.
    let right = http
        .get(&integrations)
        .header("Authorization", format!("Bearer {TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(right.status().as_u16(), 200);
    let body: serde_json::Value = serde_json::from_str(&right.text().await.unwrap()).unwrap();
    assert_eq!(body[0]["id"], "stripe-test");
    assert_eq!(body[0]["plugin"], "stripe");
    assert_eq!(body[0]["enabled"], true);
    assert_eq!(body[0]["last_run"], serde_json::Value::Null);

    let health = http.get(service.at("/healthz")).send().await.unwrap();
    assert_eq!(health.status().as_u16(), 200);
    assert_eq!(health.text().await.unwrap(), r#"{"status":"ok"}"#);

    // The review page is served beside the API: without a session, its sign-in form; with
    // the token as a bearer, the queue itself.
    let page = http.get(service.at("/queue")).send().await.unwrap();
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Sign in to review the import queue"),
        "{html}"
    );
    let queue = http
        .get(service.at("/queue"))
        .header("Authorization", format!("Bearer {TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(queue.status().as_u16(), 200);
    assert!(
        queue
            .text()
            .await
            .unwrap()
            .contains("<h1>Import queue</h1>")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_from_the_environment_works_and_no_token_refuses_to_start() {
    let stripe = StripeEmulator::start(StripeConfig::new(4, 5))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &stripe.url(),
        stripe.key(Mode::Test),
        "path = \"intake.db\"",
        "api_token = { env = \"INTAKE_SERVE_TEST_TOKEN\" }",
    );
    let mut with_env = command(&config);
    with_env.env("INTAKE_SERVE_TEST_TOKEN", "from-the-env");
    let service = Service::start_with(with_env);
    let status = |token: &'static str| {
        let url = service.at("/api/runs");
        async move {
            client()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(status("from-the-env").await, 200);
    assert_eq!(status(TOKEN).await, 401);
    drop(service);

    // Without [serve] api_token the API would be open: refused before anything starts.
    let config = write_config(
        dir.path(),
        &stripe.url(),
        stripe.key(Mode::Test),
        "path = \"intake.db\"",
        "listen = \"127.0.0.1:0\"",
    );
    let out = command(&config).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no API token: add [serve] api_token = { env = \"INTAKE_API_TOKEN\" }"),
        "{stderr}"
    );

    // The environment variable named but not set: said by name.
    let config = write_config(
        dir.path(),
        &stripe.url(),
        stripe.key(Mode::Test),
        "path = \"intake.db\"",
        "api_token = { env = \"INTAKE_SERVE_TEST_UNSET\" }",
    );
    let out = command(&config).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("INTAKE_SERVE_TEST_UNSET"), "{stderr}");
}
