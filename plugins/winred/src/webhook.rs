//! `parse-webhook`: verify `X-WinRed-Signature: t=<unix>,v1=<hex>` (HMAC-SHA256 of
//! `"<t>.<body>"` with the shared secret) through the host, then read `donation.created` and
//! `refund.created` events. The signature header is Intake's model (API.md).

use intake_plugin_sdk::{Donation, Error, Settings, secrets};

use crate::config::Config;
use crate::{mapping, wire};

pub const SIGNATURE_HEADER: &str = "x-winred-signature";

/// The signed timestamp and the `v1` signatures of a signature header.
#[derive(Debug, PartialEq, Eq)]
pub struct Signature {
    pub timestamp: String,
    pub v1: Vec<Vec<u8>>,
}

pub fn parse_signature(header: &str) -> Result<Signature, Error> {
    let mut timestamp = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        let Some((k, v)) = part.trim().split_once('=') else {
            continue;
        };
        match k.trim() {
            "t" if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => {
                timestamp = Some(v.to_string())
            }
            "v1" => {
                if let Some(bytes) = hex(v.trim()) {
                    v1.push(bytes);
                }
            }
            _ => {}
        }
    }
    match timestamp {
        Some(timestamp) if !v1.is_empty() => Ok(Signature { timestamp, v1 }),
        _ => Err(Error::Auth(
            "the X-WinRed-Signature header has no timestamp or no v1 signature".into(),
        )),
    }
}

fn hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || text.is_empty() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The bytes the signature covers.
pub fn signed_payload(timestamp: &str, body: &[u8]) -> Vec<u8> {
    let mut data = Vec::with_capacity(timestamp.len() + 1 + body.len());
    data.extend_from_slice(timestamp.as_bytes());
    data.push(b'.');
    data.extend_from_slice(body);
    data
}

pub fn parse_webhook(
    settings: &Settings,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<Vec<Donation>, Error> {
    let config = Config::from_settings(settings)?;
    let header = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(SIGNATURE_HEADER))
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| Error::Auth("the delivery has no X-WinRed-Signature header".into()))?;
    let signature = parse_signature(header)?;
    let data = signed_payload(&signature.timestamp, body);
    if !secrets::verify_hmac_sha256("webhook_secret", &data, &signature.v1)? {
        return Err(Error::Auth(
            "the X-WinRed-Signature does not match the webhook secret".into(),
        ));
    }
    read_event(body, &config)
}

/// A verified delivery's donations.
pub fn read_event(body: &[u8], config: &Config) -> Result<Vec<Donation>, Error> {
    let event: wire::Event = serde_json::from_slice(body)
        .map_err(|e| Error::InvalidData(format!("unreadable webhook event: {e}")))?;
    let bad = |e: serde_json::Error| {
        Error::InvalidData(format!(
            "webhook event {}: {e}",
            event.id.as_deref().unwrap_or("?")
        ))
    };
    match event.kind.as_str() {
        "donation.created" => {
            let w: wire::Donation = serde_json::from_value(event.data.clone()).map_err(bad)?;
            Ok(vec![mapping::donation(&w, config)?])
        }
        "refund.created" => {
            let w: wire::Refund = serde_json::from_value(event.data.clone()).map_err(bad)?;
            Ok(vec![mapping::refund(&w, config)?])
        }
        _ => Ok(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Level;

    #[test]
    fn signature_headers_parse() {
        let s = parse_signature("t=1714564800, v1=0aff,v1=zz,v0=00,v1=10").unwrap();
        assert_eq!(s.timestamp, "1714564800");
        assert_eq!(s.v1, vec![vec![0x0a, 0xff], vec![0x10]]);
        for bad in ["", "t=1", "v1=00", "t=x,v1=00", "t=1,v1=0"] {
            assert!(
                matches!(parse_signature(bad), Err(Error::Auth(_))),
                "{bad:?}"
            );
        }
        assert_eq!(signed_payload("12", b"{}"), b"12.{}".to_vec());
    }

    #[test]
    fn events_become_donations() {
        let config = Config {
            level: Level::State,
            committee_fec_id: None,
            api_base: "http://x".into(),
        };
        let body = br#"{"id":"evt_1","type":"refund.created","data":{"id":"rf_1","donation_id":"dn_1","created_at":"2024-05-01T00:00:00Z","amount":"5.00"}}"#;
        let out = read_event(body, &config).unwrap();
        assert_eq!(
            (out[0].id.as_str(), out[0].amount.minor_units),
            ("rf_1", -500)
        );
        assert!(
            read_event(br#"{"type":"payout.paid","data":{}}"#, &config)
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            read_event(br#"{"type":"donation.created","data":{"id":1}}"#, &config),
            Err(Error::InvalidData(_))
        ));
        assert!(matches!(
            read_event(b"not json", &config),
            Err(Error::InvalidData(_))
        ));
    }
}
