//! The `t=<unix>,v1=<hex>` webhook signature both emulators send: Stripe's real scheme, and
//! the one Intake's model of WinRed borrows. HMAC-SHA256 of `"{t}.{body}"`.

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
