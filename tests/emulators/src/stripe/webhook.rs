//! Stripe webhook deliveries: the event envelope and the `Stripe-Signature` header
//! (`t=<unix>,v1=<hex>[,v1=<hex>…]`, HMAC-SHA256 of `"{t}.{body}"` with the `whsec_` secret).

use serde_json::{Value, json};

pub use crate::webhooks::{sign, signature_header};

/// An event as Stripe sends it: `data.object` is the object as it is now.
pub fn event(id: &str, kind: &str, object: Value, livemode: bool, created: i64) -> Value {
    json!({
        "id": id,
        "object": "event",
        "api_version": "2024-06-20",
        "created": created,
        "data": { "object": object },
        "livemode": livemode,
        "pending_webhooks": 1,
        "request": { "id": null, "idempotency_key": null },
        "type": kind,
    })
}

/// The headers and body of one delivery of `event`, signed at `timestamp`.
pub fn delivery(
    event: &Value,
    secrets: &[&str],
    timestamp: i64,
) -> (Vec<(String, String)>, Vec<u8>) {
    let body = serde_json::to_vec_pretty(event).expect("JSON");
    let headers = vec![
        (
            "Content-Type".to_string(),
            "application/json; charset=utf-8".to_string(),
        ),
        (
            "User-Agent".to_string(),
            "Stripe/1.0 (+https://stripe.com/docs/webhooks)".to_string(),
        ),
        (
            "Stripe-Signature".to_string(),
            signature_header(secrets, timestamp, &body),
        ),
    ];
    (headers, body)
}

/// POST one delivery to `url`; the receiver's status code.
pub async fn send(
    url: &str,
    event: &Value,
    secrets: &[&str],
    timestamp: i64,
) -> anyhow::Result<u16> {
    let (headers, body) = delivery(event, secrets, timestamp);
    crate::webhooks::post(url, headers, body).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_has_one_v1_per_secret() {
        let h = signature_header(&["whsec_a", "whsec_b"], 1_700_000_000, b"{}");
        let parts: Vec<&str> = h.split(',').collect();
        assert_eq!(parts[0], "t=1700000000");
        assert_eq!(parts.len(), 3);
        assert_ne!(parts[1], parts[2]);
        assert_eq!(
            parts[1],
            format!("v1={}", sign("whsec_a", 1_700_000_000, b"{}"))
        );
    }
}
