//! The sandbox holds for a Python guest as for a Rust one: the memory cap, no undeclared
//! host, no filesystem.

use super::*;

#[tokio::test]
async fn a_delivery_that_needs_more_memory_than_the_cap_is_refused() {
    let stripe = StripeEmulator::start(Config::new(5, 5)).await.unwrap();
    let host = host().await;
    let integration = integration(&stripe);
    // 12 MB of JSON that Python reads into ~4 million dicts: far over the 128 MiB cap.
    let mut body = br#"{"type":"charge.succeeded","data":{"object":{}},"pad":["#.to_vec();
    body.extend(std::iter::repeat_n(b"{},".as_slice(), 4_000_000).flatten());
    body.extend_from_slice(b"{}]}");
    let err = host
        .parse_webhook(&integration, &signed(&body, WEBHOOK_SECRET), &body)
        .await
        .unwrap_err();
    assert!(
        matches!(err, CallError::MemoryLimit(cap) if cap == 128 << 20),
        "{err:?}"
    );
    // The same host still serves the next call.
    host.check(&integration).await.expect("check after the refusal");
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
    assert_eq!(other.request_count(), 0, "nothing reached the ungranted server");
}
