//! `parse-webhook`: verify `Stripe-Signature` and read the event.
//!
//! The header is `t=<unix>,v1=<hex>[,v1=<hex>…]` (several `v1` while the endpoint's secret is
//! rotated). The signed payload is `"{t}.{raw body}"`; the host checks every `v1` against
//! HMAC-SHA256 with the `webhook_secret` in constant time, so the plugin never sees the
//! secret. A timestamp more than 300 s from now is refused (a replay), as Stripe's libraries do.
//!
//! `charge.succeeded` (a card charge captured at once, or an ACH debit that cleared) and
//! `charge.captured` (an authorization captured later) give the contribution once its charge
//! is succeeded and captured (an authorization alone gives nothing; the id is the charge's,
//! so the same contribution from `fetch` is the same record), `charge.refunded` the refunds
//! the charge lists,
//! `charge.dispute.*` the chargeback and any reversal; every other event is acknowledged with
//! no donation. The event carries objects unexpanded, so fee, net and recurrence interval
//! arrive with the next `fetch` of the same id.

use std::time::{SystemTime, UNIX_EPOCH};

use intake_plugin_sdk::{Donation, Error, Result};

use crate::config::{Config, WEBHOOK_SECRET};
use crate::normalize;
use crate::wire::{Charge, Dispute, Event};

pub const TOLERANCE_SECONDS: i64 = 300;

/// The timestamp and `v1` signatures of a `Stripe-Signature` header.
#[derive(Debug, PartialEq)]
pub struct Signature {
    pub timestamp: i64,
    pub v1: Vec<Vec<u8>>,
}

pub fn parse_signature(header: &str) -> Result<Signature> {
    let mut timestamp = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.trim().parse::<i64>().ok(),
            Some(("v1", sig)) => v1.extend(decode_hex(sig.trim())),
            _ => {}
        }
    }
    match timestamp {
        Some(timestamp) if !v1.is_empty() => Ok(Signature { timestamp, v1 }),
        _ => Err(Error::Auth(
            "Stripe-Signature has no timestamp or no v1 signature".into(),
        )),
    }
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Refuse a signature made more than the tolerance away from `now`.
pub fn check_fresh(signature: &Signature, now: i64) -> Result<()> {
    let age = now - signature.timestamp;
    if age.abs() > TOLERANCE_SECONDS {
        return Err(Error::Auth(format!(
            "Stripe-Signature timestamp is {age} s from now (tolerance {TOLERANCE_SECONDS} s): stale or replayed"
        )));
    }
    Ok(())
}

/// The donations an (already verified) event carries.
pub fn donations(event: &Event, config: &Config) -> Result<Vec<Donation>> {
    let object = || event.data.object.clone();
    let unreadable = |e: serde_json::Error| {
        Error::InvalidData(format!(
            "event {} ({}): unreadable object: {e}",
            event.id, event.kind
        ))
    };
    match event.kind.as_str() {
        "charge.succeeded" | "charge.captured" => {
            let charge: Charge = serde_json::from_value(object()).map_err(unreadable)?;
            Ok(normalize::contribution(&charge, config)?
                .into_iter()
                .collect())
        }
        "charge.refunded" => {
            let charge: Charge = serde_json::from_value(object()).map_err(unreadable)?;
            let refunds = charge
                .refunds
                .as_ref()
                .map(|l| l.data.as_slice())
                .unwrap_or_default();
            let mut out = Vec::new();
            for refund in refunds {
                out.extend(normalize::refund(refund, Some(&charge), config)?);
            }
            Ok(out)
        }
        kind if kind.starts_with("charge.dispute.") => {
            let dispute: Dispute = serde_json::from_value(object()).map_err(unreadable)?;
            Ok(normalize::dispute_entries(&dispute, config)?.0)
        }
        _ => Ok(Vec::new()),
    }
}

/// Verify the delivery with the host's HMAC and read it.
pub fn parse(config: &Config, headers: &[(String, String)], body: &[u8]) -> Result<Vec<Donation>> {
    let header = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("stripe-signature"))
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| Error::Auth("no Stripe-Signature header".into()))?;
    let signature = parse_signature(header)?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    check_fresh(&signature, now)?;
    let mut signed = format!("{}.", signature.timestamp).into_bytes();
    signed.extend_from_slice(body);
    if !intake_plugin_sdk::secrets::verify_hmac_sha256(WEBHOOK_SECRET, &signed, &signature.v1)? {
        return Err(Error::Auth(
            "Stripe-Signature does not match the webhook signing secret".into(),
        ));
    }
    let event: Event = serde_json::from_slice(body)
        .map_err(|e| Error::InvalidData(format!("webhook body is not a Stripe event: {e}")))?;
    if event.livemode != config.livemode {
        // An endpoint of the other mode: its data never mixes with this integration's.
        intake_plugin_sdk::log::warn(format!(
            "ignored {} event {}: it is from {} mode",
            event.kind,
            event.id,
            if event.livemode { "live" } else { "test" }
        ));
        return Ok(Vec::new());
    }
    donations(&event, config)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIG: &str = "5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd";

    #[test]
    fn reads_every_v1_and_ignores_other_schemes() {
        let s = parse_signature(&format!("t=1492774577,v1={SIG},v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39,v1={SIG}")).unwrap();
        assert_eq!(s.timestamp, 1_492_774_577);
        assert_eq!(s.v1.len(), 2);
        assert_eq!(s.v1[0][0], 0x52);
        assert!(matches!(
            parse_signature("t=1492774577"),
            Err(Error::Auth(_))
        ));
        assert!(matches!(
            parse_signature(&format!("v1={SIG}")),
            Err(Error::Auth(_))
        ));
        assert!(matches!(parse_signature("t=1,v1=zz"), Err(Error::Auth(_))));
    }

    #[test]
    fn five_minutes_either_way() {
        let s = Signature {
            timestamp: 1_000,
            v1: vec![],
        };
        assert!(check_fresh(&s, 1_300).is_ok());
        assert!(check_fresh(&s, 700).is_ok());
        assert!(matches!(check_fresh(&s, 1_301), Err(Error::Auth(m)) if m.contains("stale")));
    }

    fn event(kind: &str, object: serde_json::Value) -> Event {
        serde_json::from_value(serde_json::json!({"id": "evt_1", "object": "event", "type": kind, "livemode": false, "data": {"object": object}})).unwrap()
    }

    #[test]
    fn events_become_donations_or_nothing() {
        let config =
            Config::from_settings(&intake_plugin_sdk::Settings::from([("mode", "test")])).unwrap();
        let charge = serde_json::json!({"id": "ch_1", "object": "charge", "amount": 500, "amount_captured": 500, "balance_transaction": "txn_1",
            "billing_details": {"address": null, "email": "a@example.com", "name": "Ann Lee", "phone": null}, "captured": true, "created": 1717200000,
            "currency": "usd", "customer": null, "livemode": false, "metadata": {}, "status": "succeeded", "invoice": null,
            "refunds": {"object": "list", "has_more": false, "url": "/v1/charges/ch_1/refunds", "data": [
                {"id": "re_1", "object": "refund", "amount": 200, "balance_transaction": "txn_2", "charge": "ch_1", "created": 1717300000, "currency": "usd", "status": "succeeded"}]}});
        let d = donations(&event("charge.succeeded", charge.clone()), &config).unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(
            (
                d[0].id.as_str(),
                d[0].amount.minor_units,
                d[0].fee.is_none()
            ),
            ("ch_1", 500, true)
        );
        // An authorization (`charge.succeeded` with `captured: false`) is no money yet; its
        // `charge.captured` is the contribution, dated when the donor gave.
        let mut authorized = charge.clone();
        authorized["captured"] = serde_json::json!(false);
        authorized["amount_captured"] = serde_json::json!(0);
        assert!(
            donations(&event("charge.succeeded", authorized), &config)
                .unwrap()
                .is_empty()
        );
        let d = donations(&event("charge.captured", charge.clone()), &config).unwrap();
        assert_eq!(
            (
                d.len(),
                d[0].id.as_str(),
                d[0].amount.minor_units,
                d[0].received_at.as_str()
            ),
            (1, "ch_1", 500, "2024-06-01T00:00:00Z")
        );
        // An ACH debit pending at creation: nothing until it clears.
        let mut pending = charge.clone();
        pending["status"] = serde_json::json!("pending");
        assert!(
            donations(&event("charge.pending", pending), &config)
                .unwrap()
                .is_empty()
        );
        let d = donations(&event("charge.refunded", charge.clone()), &config).unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(
            (
                d[0].id.as_str(),
                d[0].reverses.as_deref(),
                d[0].amount.minor_units,
                d[0].donor.last_name.as_str()
            ),
            ("re_1", Some("ch_1"), -200, "Lee")
        );
        assert!(
            donations(
                &event("customer.created", serde_json::json!({"id": "cus_1"})),
                &config
            )
            .unwrap()
            .is_empty()
        );
        assert!(matches!(
            donations(
                &event("charge.succeeded", serde_json::json!({"id": "ch_1"})),
                &config
            ),
            Err(Error::InvalidData(_))
        ));
    }
}
