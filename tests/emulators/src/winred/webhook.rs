//! WinRed webhook deliveries as Intake models them: a JSON event per POST, signed in
//! `X-WinRed-Signature: t=<unix>,v1=<hex>` with HMAC-SHA256 of `"<t>.<body>"`.

use serde_json::{Value, json};

pub use crate::webhooks::{sign, signature_header};

/// `donation.created` or `refund.created` around the object's JSON.
pub fn event(id: &str, kind: &str, created_at: &str, data: Value) -> Value {
    json!({"id": id, "type": kind, "created_at": created_at, "data": data})
}

/// The headers and body of one delivery.
pub fn delivery(
    event: &Value,
    secrets: &[&str],
    timestamp: i64,
) -> (Vec<(String, String)>, Vec<u8>) {
    let body = serde_json::to_vec(event).expect("JSON");
    let headers = vec![
        ("Content-Type".to_string(), "application/json".to_string()),
        (
            "User-Agent".to_string(),
            "WinRed-Webhooks/1.0 (Intake model)".to_string(),
        ),
        (
            "X-WinRed-Signature".to_string(),
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
