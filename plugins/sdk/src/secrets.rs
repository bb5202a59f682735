//! Work done with a secret by the host, so the plugin never holds it.

use crate::Error;

/// True when one of `signatures` is HMAC-SHA256 of `data` keyed with the integration's secret
/// `key`. The host compares in constant time. A missing secret is a configuration error.
/// Natively the test's value for `key` is used (see [`crate::testing`]).
pub fn verify_hmac_sha256(key: &str, data: &[u8], signatures: &[Vec<u8>]) -> Result<bool, Error> {
    #[cfg(target_arch = "wasm32")]
    let verified =
        crate::__private::intake::plugin::secrets::verify_hmac_sha256(key, data, signatures);
    #[cfg(not(target_arch = "wasm32"))]
    let verified = crate::testing::verify_hmac_sha256(key, data, signatures);
    verified.map_err(Error::Config)
}

/// True when `authorization` (a received `Authorization` header value) is HTTP Basic for
/// `user` with the integration's secret `key` as the password: for webhooks whose sender
/// authenticates with credentials the receiver chose. The host compares in constant time; a
/// malformed header is `false`. A missing secret is a configuration error. Natively the
/// test's value for `key` is used (see [`crate::testing`]).
pub fn verify_basic(user: &str, key: &str, authorization: &str) -> Result<bool, Error> {
    #[cfg(target_arch = "wasm32")]
    let verified =
        crate::__private::intake::plugin::secrets::verify_basic(user, key, authorization);
    #[cfg(not(target_arch = "wasm32"))]
    let verified = crate::testing::verify_basic(user, key, authorization);
    verified.map_err(Error::Config)
}
