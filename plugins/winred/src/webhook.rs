//! `parse-webhook`: verify `X-WinRed-Signature: t=<unix>,v1=<hex>` (HMAC-SHA256 of
//! `"<t>.<body>"` with the shared secret) through the SDK's timestamped-HMAC helper, which has
//! the host check the MAC and refuses a delivery signed more than five minutes from the host's
//! clock (a replay). Then read `donation.created` and `refund.created` events. The signature
//! header is Intake's model (API.md).

use intake_plugin_sdk::webhook::TimestampedHmac;
use intake_plugin_sdk::{Donation, Error, Settings};

use crate::config::Config;
use crate::{mapping, wire};

pub const SIGNATURE_HEADER: &str = "X-WinRed-Signature";

/// The header, the secret and the SDK's default five-minute replay window.
pub fn signing() -> TimestampedHmac<'static> {
    TimestampedHmac::new(SIGNATURE_HEADER, "webhook_secret")
}

pub fn parse_webhook(
    settings: &Settings,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<Vec<Donation>, Error> {
    let config = Config::from_settings(settings)?;
    signing().verify(headers, body)?;
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
    fn signatures_have_a_five_minute_window() {
        let sig = "0a".repeat(32);
        let s = signing().parse(&format!("t=1714564800, v1={sig}")).unwrap();
        assert_eq!((s.timestamp, s.v1.len()), (1_714_564_800, 1));
        // Signed 2023-11-14, delivered 2026: a replay.
        let headers = vec![(
            "x-winred-signature".to_string(),
            format!("t=1700000000,v1={sig}"),
        )];
        assert!(matches!(
            signing().verify_at(&headers, b"{}", 1_790_000_000),
            Err(Error::Auth(m)) if m.contains("X-WinRed-Signature timestamp") && m.contains("replayed")
        ));
        assert!(matches!(
            signing().verify_at(&[], b"{}", 1_790_000_000),
            Err(Error::Auth(m)) if m == "the delivery has no X-WinRed-Signature header"
        ));
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
