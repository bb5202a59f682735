//! The sandbox holds for a Python guest as for a Rust one: the memory cap, no undeclared
//! host, no filesystem.

use super::*;

#[tokio::test]
async fn a_delivery_that_needs_more_memory_than_the_cap_is_refused() {
    let stripe = StripeEmulator::start(Config::new(5, 5)).await.unwrap();
    // A generous deadline: the memory cap, not the clock, must be what stops it.
    let limits = intake_host::Limits {
        memory_bytes: 96 << 20,
        call_timeout: std::time::Duration::from_secs(60),
        ..intake_host::Limits::default()
    };
    let config = HostConfig {
        limits,
        ..HostConfig::default()
    };
    let host = host_with(config, intake_test_artifacts::PYTHON_STRIPE).await;
    let integration = integration(&stripe);
    // 12 MB of JSON that Python reads into ~4 million dicts: far over a 96 MiB cap.
    let mut body = br#"{"type":"charge.succeeded","data":{"object":{}},"pad":["#.to_vec();
    body.extend(std::iter::repeat_n(b"{},".as_slice(), 4_000_000).flatten());
    body.extend_from_slice(b"{}]}");
    let err = host
        .parse_webhook(&integration, &signed(&body, WEBHOOK_SECRET), &body)
        .await
        .unwrap_err();
    assert!(
        matches!(err, CallError::MemoryLimit(cap) if cap == 96 << 20),
        "{err:?}"
    );
    // The same host still serves the next call.
    host.check(&integration)
        .await
        .expect("check after the refusal");
}

#[tokio::test]
async fn a_host_the_operator_did_not_grant_is_refused() {
    let stripe = StripeEmulator::start(Config::new(5, 5)).await.unwrap();
    let host = host().await;
    let other = StripeEmulator::start(Config::new(6, 5)).await.unwrap();
    // api_base points at a second server; only the first is granted.
    let integration = Integration::new("stripe-python")
        .setting("api_base", other.url())
        .secret("test_secret_key", stripe.key(Mode::Test))
        .grant_origin(stripe.url())
        .route_secret("test_secret_key", stripe.url());
    let err = host.check(&integration).await.unwrap_err();
    assert!(
        matches!(&err, CallError::Plugin(PluginError::Config(m)) if m.contains("the host refused it")),
        "{err:?}"
    );
    assert_eq!(
        other.request_count(),
        0,
        "nothing reached the ungranted server"
    );
}

async fn hostile(attack: &str) -> String {
    let host = host_with(HostConfig::default(), intake_test_artifacts::PYTHON_HOSTILE).await;
    let integration = Integration::new("python-hostile").setting("attack", attack);
    host.check(&integration)
        .await
        .expect("the attack reports")
        .name
}

#[tokio::test]
async fn python_sees_no_filesystem() {
    // No preopened directory: every open fails inside the guest, nothing is read.
    let outcome = hostile("read-file").await;
    assert!(!outcome.contains("read "), "{outcome}");
    assert_eq!(outcome.matches("Error").count(), 4, "{outcome}");
    let listing = hostile("list-root").await;
    assert!(listing.starts_with("listing /: "), "{listing}");
}

#[tokio::test]
async fn python_cannot_reach_an_undeclared_host() {
    let server = StripeEmulator::start(Config::new(5, 1)).await.unwrap();
    let host = host_with(HostConfig::default(), intake_test_artifacts::PYTHON_HOSTILE).await;
    let target = server.url().trim_start_matches("http://").to_string();
    let integration = Integration::new("python-hostile")
        .setting("attack", "undeclared-host")
        .setting("target", target);
    let err = host.check(&integration).await.unwrap_err();
    assert!(
        matches!(&err, CallError::Plugin(PluginError::Config(m)) if m.contains("the host refused it")),
        "{err:?}"
    );
    assert_eq!(server.request_count(), 0, "nothing reached it");
}
