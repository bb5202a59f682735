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

use intake_plugin_sdk::webhook::TimestampedHmac;
use intake_plugin_sdk::{Donation, Error, Result};

use crate::config::{Config, WEBHOOK_SECRET};
use crate::normalize;
use crate::wire::{Charge, Dispute, Event};

/// The header, the secret and the SDK's default five-minute replay window.
pub fn signing() -> TimestampedHmac<'static> {
    TimestampedHmac::new("Stripe-Signature", WEBHOOK_SECRET)
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
    signing().verify(headers, body)?;
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

    #[test]
    fn signs_in_stripe_signature_with_five_minutes() {
        let sig = "5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd";
        let s = signing().parse(&format!("t=1492774577,v1={sig}")).unwrap();
        assert_eq!(s.timestamp, 1_492_774_577);
        assert!(signing().check_fresh(1_000, 1_300).is_ok());
        assert!(
            matches!(signing().check_fresh(1_000, 1_301), Err(Error::Auth(m)) if m.contains("Stripe-Signature") && m.contains("stale"))
        );
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
