//! The `secrets` capability: HMAC and HTTP Basic verification done by the host with a
//! secret the plugin never sees.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::integration::Secret;

/// The shortest secret accepted as an HMAC key: a shorter one could be guessed by asking.
pub(crate) const MIN_HMAC_KEY_BYTES: usize = 16;

/// Whether one of `signatures` is HMAC-SHA256(`secret`, `data`). Each comparison is
/// constant-time (`verify_slice`). A secret too short to be a key is refused, naming `key`.
pub(crate) fn verify_hmac_sha256(
    secret: &Secret,
    key: &str,
    data: &[u8],
    signatures: &[Vec<u8>],
) -> Result<bool, String> {
    let bytes = secret.expose().as_bytes();
    if bytes.len() < MIN_HMAC_KEY_BYTES {
        return Err(format!(
            "the secret `{key}` is too short to be a signing key (under {MIN_HMAC_KEY_BYTES} bytes): the operator must set a longer one"
        ));
    }
    let mac = Hmac::<Sha256>::new_from_slice(bytes).map_err(|e| e.to_string())?;
    let mac = mac.chain_update(data);
    Ok(signatures
        .iter()
        .any(|candidate| mac.clone().verify_slice(candidate).is_ok()))
}

/// Whether `authorization` is `Basic base64(user:secret)`. The scheme is matched without
/// regard to case (RFC 7617); user and password are both compared in constant time, and
/// both always, so timing tells neither which one differed. Anything malformed is false.
pub(crate) fn verify_basic(secret: &Secret, user: &str, authorization: &str) -> bool {
    let Some((scheme, token)) = authorization.trim().split_once(' ') else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return false;
    }
    let Ok(decoded) = STANDARD.decode(token.trim()) else {
        return false;
    };
    let Some(colon) = decoded.iter().position(|&b| b == b':') else {
        return false;
    };
    let (got_user, got_password) = (&decoded[..colon], &decoded[colon + 1..]);
    let user_ok = got_user.ct_eq(user.as_bytes());
    let password_ok = got_password.ct_eq(secret.expose().as_bytes());
    bool::from(user_ok & password_ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Integration;

    fn mac(key: &str, data: &[u8]) -> Vec<u8> {
        Hmac::<Sha256>::new_from_slice(key.as_bytes())
            .unwrap()
            .chain_update(data)
            .finalize()
            .into_bytes()
            .to_vec()
    }

    const KEY: &str = "whsec_0123456789abcdef";

    #[test]
    fn accepts_any_matching_signature_and_nothing_else() {
        let integration = Integration::new("x").secret("whsec", KEY);
        let secret = &integration.secrets["whsec"];
        let verify = |data: &[u8], sigs: &[Vec<u8>]| {
            verify_hmac_sha256(secret, "whsec", data, sigs).unwrap()
        };
        let good = mac(KEY, b"t.body");
        assert!(verify(b"t.body", &[vec![0; 32], good.clone()]));
        assert!(!verify(b"t.body2", std::slice::from_ref(&good)));
        assert!(!verify(
            b"t.body",
            &[mac("other_key_of_some_length", b"t.body")]
        ));
        assert!(!verify(b"t.body", &[]));
        assert!(!verify(b"t.body", &[good[..16].to_vec()]));
    }

    #[test]
    fn a_secret_too_short_to_be_a_key_is_refused_by_name() {
        let integration = Integration::new("x").secret("whsec", "abc");
        let error = verify_hmac_sha256(
            &integration.secrets["whsec"],
            "whsec",
            b"d",
            &[mac("abc", b"d")],
        )
        .unwrap_err();
        assert_eq!(
            error,
            "the secret `whsec` is too short to be a signing key (under 16 bytes): the operator must set a longer one"
        );
    }

    #[test]
    fn basic_accepts_exactly_the_chosen_user_and_password() {
        let integration = Integration::new("x").secret("hook", "s3cret:with colon");
        let secret = &integration.secrets["hook"];
        // base64("actblue:s3cret:with colon"), written out by hand with `base64`.
        let good = "YWN0Ymx1ZTpzM2NyZXQ6d2l0aCBjb2xvbg==";
        assert!(verify_basic(secret, "actblue", &format!("Basic {good}")));
        assert!(verify_basic(secret, "actblue", &format!("basic  {good} ")));
        assert!(!verify_basic(secret, "actblu", &format!("Basic {good}")));
        assert!(!verify_basic(secret, "actblue", &format!("Bearer {good}")));
        // base64("actblue:s3cret"): a prefix of the password is not the password.
        assert!(!verify_basic(
            secret,
            "actblue",
            "Basic YWN0Ymx1ZTpzM2NyZXQ="
        ));
        assert!(!verify_basic(secret, "actblue", "Basic not*base64"));
        assert!(!verify_basic(secret, "actblue", "Basic"));
        assert!(!verify_basic(secret, "actblue", ""));
    }
}
