//! The `secrets` capability: HMAC verification done by the host with a secret the plugin
//! never sees.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::integration::Secret;

/// True when one of `signatures` is HMAC-SHA256(`secret`, `data`). Each comparison is
/// constant-time (`verify_slice`).
pub(crate) fn verify_hmac_sha256(secret: &Secret, data: &[u8], signatures: &[Vec<u8>]) -> bool {
    let Ok(mac) = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes()) else {
        return false;
    };
    let mac = mac.chain_update(data);
    signatures
        .iter()
        .any(|candidate| mac.clone().verify_slice(candidate).is_ok())
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

    #[test]
    fn accepts_any_matching_signature_and_nothing_else() {
        let integration = Integration::new("x").secret("whsec", "s3cret");
        let secret = &integration.secrets["whsec"];
        let good = mac("s3cret", b"t.body");
        assert!(verify_hmac_sha256(
            secret,
            b"t.body",
            &[vec![0; 32], good.clone()]
        ));
        assert!(!verify_hmac_sha256(secret, b"t.body2", &[good.clone()]));
        assert!(!verify_hmac_sha256(
            secret,
            b"t.body",
            &[mac("other", b"t.body")]
        ));
        assert!(!verify_hmac_sha256(secret, b"t.body", &[]));
        assert!(!verify_hmac_sha256(
            secret,
            b"t.body",
            &[good[..16].to_vec()]
        ));
    }
}
