//! Timestamped-HMAC webhook signatures, the scheme Stripe uses and Intake's model of WinRed
//! borrows: a header `t=<unix>,v1=<hex>[,v1=<hex>…]` (several `v1` while a secret is rotated;
//! other schemes ignored), each `v1` the HMAC-SHA256 of `"<t>.<raw body>"`.
//!
//! The host checks the MAC with the integration's secret
//! ([`crate::secrets::verify_hmac_sha256`]), so the plugin never sees it. A delivery signed
//! more than the tolerance (default five minutes) before or after the host's clock is refused
//! as a replay, before the host is asked anything.
//!
//! ```ignore
//! let verified = TimestampedHmac::new("Stripe-Signature", "webhook_secret").verify(headers, body)?;
//! ```

use crate::Error;

/// Stripe's libraries' default, both directions.
pub const DEFAULT_TOLERANCE_SECONDS: i64 = 300;

/// The timestamp and `v1` signatures of a signature header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// `t` as sent: the signed payload uses these exact digits.
    pub timestamp_text: String,
    /// `t` as Unix seconds.
    pub timestamp: i64,
    /// Every `v1` signature, hex-decoded.
    pub v1: Vec<Vec<u8>>,
}

/// How one processor signs: the header it signs in, the secret setting it is keyed with, and
/// how far from now a timestamp may be.
#[derive(Debug, Clone)]
pub struct TimestampedHmac<'a> {
    header: &'a str,
    secret_key: &'a str,
    tolerance_seconds: i64,
}

impl<'a> TimestampedHmac<'a> {
    /// Signatures in header `header`, keyed by the secret setting `secret_key`, five minutes'
    /// tolerance.
    pub fn new(header: &'a str, secret_key: &'a str) -> Self {
        TimestampedHmac {
            header,
            secret_key,
            tolerance_seconds: DEFAULT_TOLERANCE_SECONDS,
        }
    }

    /// A different replay window (seconds, both directions).
    pub fn tolerance_seconds(mut self, seconds: i64) -> Self {
        self.tolerance_seconds = seconds;
        self
    }

    /// Verify a delivery against the host's clock; the signed timestamp when it is good.
    pub fn verify(&self, headers: &[(String, String)], body: &[u8]) -> Result<i64, Error> {
        self.verify_at(headers, body, crate::time::now_unix()?)
    }

    /// Verify a delivery as of `now` (Unix seconds); the signed timestamp when it is good.
    /// [`Error::Auth`] for a missing or malformed header, a stale or future timestamp, or no
    /// matching signature; [`Error::Config`] when the integration has no such secret.
    pub fn verify_at(
        &self,
        headers: &[(String, String)],
        body: &[u8],
        now: i64,
    ) -> Result<i64, Error> {
        let value = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(self.header))
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| Error::Auth(format!("the delivery has no {} header", self.header)))?;
        let signature = self.parse(value)?;
        self.check_fresh(signature.timestamp, now)?;
        let data = signed_payload(&signature.timestamp_text, body);
        if !crate::secrets::verify_hmac_sha256(self.secret_key, &data, &signature.v1)? {
            return Err(Error::Auth(format!(
                "the {} does not match the `{}` secret",
                self.header, self.secret_key
            )));
        }
        Ok(signature.timestamp)
    }

    /// The header's timestamp and every well-formed `v1` (64 hex digits: HMAC-SHA256).
    pub fn parse(&self, value: &str) -> Result<Signature, Error> {
        let mut timestamp = None;
        let mut v1 = Vec::new();
        for part in value.split(',') {
            match part.trim().split_once('=') {
                Some(("t", t)) => {
                    let t = t.trim();
                    if t.bytes().all(|b| b.is_ascii_digit()) {
                        timestamp = t.parse::<i64>().ok().map(|n| (t.to_string(), n));
                    }
                }
                Some(("v1", sig)) => {
                    if let Ok(bytes) = hex::decode(sig.trim())
                        && bytes.len() == 32
                    {
                        v1.push(bytes);
                    }
                }
                _ => {}
            }
        }
        match timestamp {
            Some((timestamp_text, timestamp)) if !v1.is_empty() => Ok(Signature {
                timestamp_text,
                timestamp,
                v1,
            }),
            _ => Err(Error::Auth(format!(
                "the {} header has no timestamp or no v1 signature",
                self.header
            ))),
        }
    }

    /// Refuse a timestamp more than the tolerance away from `now`, either way.
    pub fn check_fresh(&self, timestamp: i64, now: i64) -> Result<(), Error> {
        let age = now.saturating_sub(timestamp);
        if age.saturating_abs() > self.tolerance_seconds {
            return Err(Error::Auth(format!(
                "the {} timestamp is {age} s from now (tolerance {} s): stale or replayed",
                self.header, self.tolerance_seconds
            )));
        }
        Ok(())
    }
}

/// The bytes a signature covers: `"<t>.<body>"`.
pub fn signed_payload(timestamp_text: &str, body: &[u8]) -> Vec<u8> {
    let mut data = Vec::with_capacity(timestamp_text.len().saturating_add(body.len()) + 1);
    data.extend_from_slice(timestamp_text.as_bytes());
    data.push(b'.');
    data.extend_from_slice(body);
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIG: &str = "5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd";

    fn stripe() -> TimestampedHmac<'static> {
        TimestampedHmac::new("Stripe-Signature", "webhook_secret")
    }

    #[test]
    fn reads_every_v1_and_ignores_other_schemes() {
        let s = stripe()
            .parse(&format!(
                "t=1492774577, v1={SIG},v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39,v1={},v1=zz,v1=0aff",
                SIG.to_uppercase()
            ))
            .unwrap();
        assert_eq!(
            (s.timestamp, s.timestamp_text.as_str()),
            (1_492_774_577, "1492774577")
        );
        assert_eq!(s.v1.len(), 2);
        assert_eq!(s.v1[0], s.v1[1]);
        assert_eq!(&s.v1[0][..2], &[0x52, 0x57]);
        for bad in [
            String::new(),
            "t=1492774577".into(),
            format!("v1={SIG}"),
            "t=1,v1=zz".into(),
            format!("t=-5,v1={SIG}"),
            format!("t=99999999999999999999,v1={SIG}"),
        ] {
            assert!(
                matches!(stripe().parse(&bad), Err(Error::Auth(m)) if m == "the Stripe-Signature header has no timestamp or no v1 signature"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn five_minutes_either_way() {
        let s = stripe();
        assert!(s.check_fresh(1_000, 1_300).is_ok());
        assert!(s.check_fresh(1_000, 700).is_ok());
        assert!(
            matches!(s.check_fresh(1_000, 1_301), Err(Error::Auth(m)) if m.contains("301 s from now") && m.contains("stale"))
        );
        assert!(matches!(s.check_fresh(1_000, 699), Err(Error::Auth(m)) if m.contains("-301 s")));
        assert!(s.check_fresh(i64::MAX, i64::MIN).is_err());
        assert!(
            s.clone()
                .tolerance_seconds(10)
                .check_fresh(1_000, 1_011)
                .is_err()
        );
    }

    #[test]
    fn a_delivery_signed_in_2023_is_refused_before_the_host_is_asked() {
        // 2023-05-01T00:00:00Z, checked against a 2026 clock: refused by the window alone
        // (the HMAC import is not reachable in a native test, so reaching it would panic).
        let headers = vec![(
            "stripe-signature".to_string(),
            format!("t=1682899200,v1={SIG}"),
        )];
        let err = stripe()
            .verify_at(&headers, b"{}", 1_790_000_000)
            .unwrap_err();
        assert!(matches!(err, Error::Auth(m) if m.contains("stale or replayed")));
        assert!(matches!(
            stripe().verify_at(&[], b"{}", 0),
            Err(Error::Auth(m)) if m == "the delivery has no Stripe-Signature header"
        ));
    }

    #[test]
    fn payload_is_timestamp_dot_body() {
        assert_eq!(signed_payload("12", b"{}"), b"12.{}".to_vec());
    }
}
