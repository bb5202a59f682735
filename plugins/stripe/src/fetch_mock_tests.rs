//! `fetch` and `check` over the SDK's native HTTP mock: what is requested, how a page is read,
//! and how Stripe's refusals become contract errors.

use intake_plugin_sdk::testing::{Match, MockHttp, Reply};
use intake_plugin_sdk::{Error, Plugin, Settings, Window};
use serde_json::json;

use crate::Stripe;

const BASE: &str = "https://api.stripe.com";

fn settings() -> Settings {
    Settings::from([("mode", "test")])
}

fn june() -> Window {
    Window {
        since: "2024-06-01T00:00:00Z".into(),
        until: Some("2024-07-01T00:00:00Z".into()),
    }
}

fn empty_list() -> Reply {
    Reply::json(
        200,
        json!({"object": "list", "data": [], "has_more": false, "url": "/"}).to_string(),
    )
}

/// One $27.00 card charge, settled, with its balance transaction expanded as `source`.
fn charge_page() -> Reply {
    let charge = json!({
        "id": "ch_1", "object": "charge", "amount": 2700, "amount_captured": 2700,
        "amount_refunded": 0, "balance_transaction": "txn_1",
        "billing_details": {"address": null, "email": "mary@example.com", "name": "Mary Smith", "phone": null},
        "captured": true, "created": 1717243200, "currency": "usd", "customer": null,
        "description": null, "disputed": false, "invoice": null, "livemode": false,
        "metadata": {}, "paid": true, "payment_intent": "pi_1",
        "payment_method_details": {"card": {"brand": "visa", "last4": "4242"}, "type": "card"},
        "receipt_email": null, "refunded": false,
        "refunds": {"object": "list", "data": [], "has_more": false, "url": "/"},
        "status": "succeeded"
    });
    let bt = json!({
        "id": "txn_1", "object": "balance_transaction", "amount": 2700,
        "available_on": 1717372800, "created": 1717243200, "currency": "usd",
        "description": null, "exchange_rate": null, "fee": 89, "fee_details": [],
        "net": 2611, "reporting_category": "charge", "source": charge,
        "status": "available", "type": "charge"
    });
    Reply::json(
        200,
        json!({"object": "list", "data": [bt], "has_more": false, "url": "/"}).to_string(),
    )
}

#[test]
fn a_page_of_charges_is_read_with_the_test_key_and_every_list_is_walked() {
    let http = MockHttp::install().secret("test_secret_key", "sk_test_123");
    http.on(
        Match::get(&format!("{BASE}/v1/balance_transactions"))
            .query("type", "charge")
            .header("Authorization", "Bearer sk_test_123"),
        charge_page(),
    );
    http.on(Match::any(), empty_list());

    let page = Stripe::fetch(&settings(), &june(), None).unwrap();
    assert_eq!(page.donations.len(), 1);
    let d = &page.donations[0];
    assert_eq!(d.id, "ch_1");
    assert_eq!(
        (d.amount.minor_units, d.amount.currency.as_str()),
        (2700, "USD")
    );
    assert_eq!(d.received_at, "2024-06-01T12:00:00Z");
    assert_eq!(d.donor.last_name, "Smith");
    // Five lists (charges, payments, refunds, disputes, reversals), all empty after the
    // first: the window is done in one call.
    assert_eq!(page.next_cursor, None);
    let requests = http.requests();
    assert_eq!(requests.len(), 5, "{requests:#?}");
    assert_eq!(requests[0].query("limit").as_deref(), Some("100"));
    assert_eq!(requests[0].header("stripe-version"), Some("2024-06-20"));
    assert!(
        requests
            .iter()
            .all(|r| r.header("authorization") == Some("Bearer sk_test_123"))
    );
    assert!(requests[2].url.starts_with(&format!("{BASE}/v1/refunds?")));
}

#[test]
fn a_429_is_rate_limited_with_its_wait() {
    let http = MockHttp::install().secret("test_secret_key", "sk_test_123");
    http.on(
        Match::any(),
        Reply::json(
            429,
            r#"{"error":{"type":"invalid_request_error","message":"Too many requests"}}"#,
        )
        .with_header("Retry-After", "7"),
    );
    let err = Stripe::fetch(&settings(), &june(), None).unwrap_err();
    assert!(matches!(err, Error::RateLimited(Some(7))), "{err:?}");
    assert_eq!(http.requests().len(), 1);
}

#[test]
fn a_503_keeps_its_retry_after_and_without_one_is_transient() {
    let http = MockHttp::install().secret("test_secret_key", "sk_test_123");
    http.on_each(
        Match::any(),
        vec![
            Reply::status(503, "<html>down</html>").with_header("Retry-After", "30"),
            Reply::status(503, "<html><body>Service Unavailable</body></html>"),
        ],
    );
    let err = Stripe::fetch(&settings(), &june(), None).unwrap_err();
    assert!(matches!(err, Error::RateLimited(Some(30))), "{err:?}");
    let err = Stripe::fetch(&settings(), &june(), None).unwrap_err();
    assert!(
        matches!(&err, Error::Transient(m) if m == "HTTP 503: GET /v1/balance_transactions: not a Stripe answer (a proxy or wrong `api_base`?): Service Unavailable"),
        "{err:?}"
    );
}

#[test]
fn a_missing_key_is_refused_before_anything_is_sent() {
    let http = MockHttp::install();
    http.on(Match::any(), empty_list());
    let err = Stripe::check(&settings()).unwrap_err();
    assert!(
        matches!(&err, Error::Config(m) if m.contains("secret `test_secret_key` is not set")),
        "{err:?}"
    );
}
