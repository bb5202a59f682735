//! What both emulators' webhook senders share: the `t=<unix>,v1=<hex>` signature (Stripe's
//! real scheme, which Intake's model of WinRed borrows; HMAC-SHA256 of `"{t}.{body}"`), and
//! the HTTP client that posts a delivery.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The hex `v1` signature of `body` sent at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// `t=…,v1=…` with one `v1` per secret (several while a secret is rotated).
pub fn signature_header(secrets: &[&str], timestamp: i64, body: &[u8]) -> String {
    let mut header = format!("t={timestamp}");
    for secret in secrets {
        header.push_str(",v1=");
        header.push_str(&sign(secret, timestamp, body));
    }
    header
}

/// A reqwest client. Loopback HTTP needs no TLS, but reqwest is built without a default
/// crypto provider: install ring's once (a no-op when the host already did).
pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// POST one delivery to `url`; the receiver's status code.
pub async fn post(url: &str, headers: Vec<(String, String)>, body: Vec<u8>) -> anyhow::Result<u16> {
    let mut request = client().post(url).body(body);
    for (k, v) in headers {
        request = request.header(k, v);
    }
    Ok(request.send().await?.status().as_u16())
}
