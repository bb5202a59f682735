use serde_json::json;

use super::*;
use crate::wire::Charge;

fn config() -> Config {
    Config::from_settings(&intake_plugin_sdk::Settings::from([("mode", "test")])).unwrap()
}

fn charge_json() -> serde_json::Value {
    json!({
        "id": "ch_1", "object": "charge", "amount": 2700, "amount_captured": 2700, "amount_refunded": 0,
        "balance_transaction": {"id": "txn_1", "object": "balance_transaction", "amount": 2700, "available_on": 1717372800,
            "created": 1717200000, "currency": "usd", "description": null, "exchange_rate": null, "fee": 89,
            "fee_details": [{"amount": 89, "application": null, "currency": "usd", "description": "Stripe processing fees", "type": "stripe_fee"}],
            "net": 2611, "reporting_category": "charge", "source": "ch_1", "status": "available", "type": "charge"},
        "billing_details": {"address": {"city": "Arlington", "country": "us", "line1": "1 Main St", "line2": null, "postal_code": "22201", "state": "VA"},
            "email": "mary@example.com", "name": "Dr. Mary Ann Smith, Jr.", "phone": null},
        "captured": true, "created": 1717200000, "currency": "usd",
        "customer": {"id": "cus_1", "object": "customer", "address": null, "email": "other@example.com", "metadata": {"occupation": "Teacher"},
            "name": "M. Smith", "phone": "+17035550100"},
        "description": "Donation", "disputed": false, "invoice": null, "livemode": false,
        "metadata": {"employer": "Acme Corp", "source": "homepage"},
        "paid": true, "payment_intent": "pi_1",
        "payment_method_details": {"card": {"brand": "visa", "last4": "4242"}, "type": "card"},
        "receipt_email": null, "refunded": false,
        "refunds": {"object": "list", "data": [], "has_more": false, "url": "/v1/charges/ch_1/refunds"},
        "status": "succeeded"
    })
}

fn m(money: Option<&Money>) -> Option<(i64, &str)> {
    money.map(|m| (m.minor_units, m.currency.as_str()))
}

fn charge(value: serde_json::Value) -> Charge {
    serde_json::from_value(value).unwrap()
}

#[test]
fn a_succeeded_charge_is_a_contribution_with_fee_donor_and_extra() {
    let d = contribution(&charge(charge_json()), &config())
        .unwrap()
        .unwrap();
    assert_eq!(d.id, "ch_1");
    assert!(matches!(d.kind, DonationKind::Contribution));
    assert_eq!(m(Some(&d.amount)), Some((2700, "USD")));
    assert_eq!(m(d.fee.as_ref()), Some((89, "USD")));
    assert_eq!(m(d.net.as_ref()), Some((2611, "USD")));
    assert_eq!(d.received_at, "2024-06-01T00:00:00Z");
    assert!(!d.livemode);
    let p = &d.donor;
    assert_eq!(
        (
            p.prefix.as_deref(),
            p.first_name.as_str(),
            p.middle_name.as_deref(),
            p.last_name.as_str(),
            p.suffix.as_deref()
        ),
        (Some("Dr."), "Mary", Some("Ann"), "Smith", Some("Jr."))
    );
    assert_eq!(p.email.as_deref(), Some("mary@example.com"));
    assert_eq!(
        p.phone.as_deref(),
        Some("+17035550100"),
        "from the customer when billing has none"
    );
    assert_eq!(p.employer.as_deref(), Some("Acme Corp"));
    assert_eq!(
        p.occupation.as_deref(),
        Some("Teacher"),
        "from the customer's metadata"
    );
    assert_eq!(p.processor_donor_id.as_deref(), Some("cus_1"));
    let a = p.address.as_ref().unwrap();
    assert_eq!(
        (
            a.line1.as_str(),
            a.city.as_str(),
            a.region.as_str(),
            a.postal_code.as_str(),
            a.country.as_str()
        ),
        ("1 Main St", "Arlington", "VA", "22201", "US")
    );
    assert!(d.recurrence.is_none());
    for kv in [
        ("payment_intent", "pi_1"),
        ("description", "Donation"),
        ("customer", "cus_1"),
        ("balance_transaction", "txn_1"),
        ("card_last4", "4242"),
        ("metadata.source", "homepage"),
    ] {
        assert!(
            d.extra.contains(&(kv.0.to_string(), kv.1.to_string())),
            "{kv:?} in {:?}",
            d.extra
        );
    }
    assert!(!d.extra.iter().any(|(k, _)| k == "metadata.employer"));
}

#[test]
fn async_balance_transaction_leaves_fee_out_and_missing_details_stay_empty() {
    let mut v = charge_json();
    v["balance_transaction"] = json!(null);
    v["billing_details"] = json!({"address": {"city": null, "country": null, "line1": null, "line2": null, "postal_code": null, "state": null}, "email": null, "name": null, "phone": null});
    v["customer"] = json!(null);
    v["metadata"] = json!({});
    let d = contribution(&charge(v), &config()).unwrap().unwrap();
    assert!(d.fee.is_none() && d.net.is_none());
    assert_eq!(
        (d.donor.first_name.as_str(), d.donor.last_name.as_str()),
        ("", "")
    );
    assert!(d.donor.address.is_none() && d.donor.email.is_none() && d.donor.employer.is_none());
}

#[test]
fn only_succeeded_captured_charges_count() {
    for (status, captured) in [("failed", false), ("pending", true), ("succeeded", false)] {
        let mut v = charge_json();
        v["status"] = json!(status);
        v["captured"] = json!(captured);
        assert!(
            contribution(&charge(v), &config()).unwrap().is_none(),
            "{status}"
        );
    }
}

#[test]
fn a_live_charge_in_test_mode_is_a_config_error() {
    let mut v = charge_json();
    v["livemode"] = json!(true);
    assert!(
        matches!(contribution(&charge(v), &config()), Err(Error::Config(m)) if m.contains("test_secret_key"))
    );
}

#[test]
fn a_subscription_invoice_makes_it_recurring() {
    let mut v = charge_json();
    v["invoice"] = json!({"id": "in_1", "object": "invoice", "billing_reason": "subscription_create", "subscription": "sub_1",
        "lines": {"object": "list", "has_more": false, "data": [{"id": "il_1", "price": {"id": "price_1", "recurring": {"interval": "month", "interval_count": 1}}, "subscription": "sub_1"}]}});
    let r = contribution(&charge(v.clone()), &config())
        .unwrap()
        .unwrap()
        .recurrence
        .unwrap();
    assert!(matches!(r.interval, Interval::Monthly));
    assert_eq!(
        (r.installment, r.subscription_id.as_deref()),
        (Some(1), Some("sub_1"))
    );
    v["invoice"]["billing_reason"] = json!("subscription_cycle");
    v["invoice"]["lines"]["data"][0]["price"]["recurring"] =
        json!({"interval": "month", "interval_count": 3});
    let r = contribution(&charge(v.clone()), &config())
        .unwrap()
        .unwrap()
        .recurrence
        .unwrap();
    assert!(matches!(r.interval, Interval::Quarterly));
    assert_eq!(r.installment, None);
    // Only the id: not known to be a subscription.
    v["invoice"] = json!("in_1");
    let d = contribution(&charge(v), &config()).unwrap().unwrap();
    assert!(d.recurrence.is_none());
    assert!(
        d.extra
            .contains(&("invoice".to_string(), "in_1".to_string()))
    );
}

#[test]
fn refunds_reverse_their_charge_with_negative_amounts() {
    let r: Refund = serde_json::from_value(json!({"id": "re_1", "object": "refund", "amount": 700,
        "balance_transaction": {"id": "txn_2", "amount": -700, "created": 1717300000, "currency": "usd", "fee": 0, "fee_details": [], "net": -700, "reporting_category": "refund", "source": "re_1", "type": "refund"},
        "charge": charge_json(), "created": 1717300000, "currency": "usd", "metadata": {}, "payment_intent": "pi_1", "reason": "requested_by_customer", "status": "succeeded"})).unwrap();
    let d = refund(&r, None, &config()).unwrap().unwrap();
    assert!(matches!(d.kind, DonationKind::Refund));
    assert_eq!(
        (d.id.as_str(), d.reverses.as_deref()),
        ("re_1", Some("ch_1"))
    );
    assert_eq!(d.amount.minor_units, -700);
    assert_eq!(d.net.unwrap().minor_units, -700);
    assert_eq!(d.donor.last_name, "Smith");
    let mut failed = r.clone();
    failed.status = Some("failed".into());
    assert!(refund(&failed, None, &config()).unwrap().is_none());
}

#[test]
fn an_amount_with_no_negative_twin_is_invalid_data_not_a_panic() {
    let r: Refund = serde_json::from_value(json!({"id": "re_1", "object": "refund", "amount": i64::MIN,
        "charge": "ch_1", "created": 1717300000, "currency": "usd", "metadata": {}, "status": "succeeded"})).unwrap();
    let err = refund(&r, None, &config()).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidData(m) if m == "the refund amount overflows a 64-bit amount of minor units"),
        "{err:?}"
    );
    let mut d = dispute_json(
        "lost",
        json!([{"id": "txn_w", "amount": -2700, "created": 1717400000, "currency": "usd", "fee": 0,
        "fee_details": [], "net": -2700, "reporting_category": "dispute", "source": "dp_1", "type": "adjustment"}]),
    );
    d.amount = i64::MIN;
    let err = chargeback(&d, &config()).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidData(m) if m.starts_with("the dispute amount overflows")),
        "{err:?}"
    );
}

fn dispute_json(status: &str, bts: serde_json::Value) -> Dispute {
    serde_json::from_value(json!({"id": "dp_1", "object": "dispute", "amount": 2700, "balance_transactions": bts, "charge": charge_json(),
        "created": 1717400000, "currency": "usd", "livemode": false, "reason": "fraudulent", "status": status})).unwrap()
}

#[test]
fn disputes_are_chargebacks_with_a_fee_entry_and_reversals_when_won() {
    let withdrawal = json!({"id": "txn_w", "amount": -2700, "created": 1717400000, "currency": "usd", "fee": 1500,
        "fee_details": [{"amount": 1500, "description": "Dispute fee", "type": "stripe_fee"}], "net": -4200, "reporting_category": "dispute", "source": "dp_1", "type": "adjustment"});
    let reinstated = json!({"id": "txn_r", "amount": 2700, "created": 1718400000, "currency": "usd", "fee": 0, "fee_details": [], "net": 2700, "reporting_category": "dispute_reversal", "source": "dp_1", "type": "adjustment"});
    let (donations, fees) = dispute_entries(
        &dispute_json("won", json!([withdrawal, reinstated])),
        &config(),
    )
    .unwrap();
    assert_eq!(donations.len(), 2);
    assert!(matches!(donations[0].kind, DonationKind::Chargeback));
    assert_eq!(
        (
            donations[0].id.as_str(),
            donations[0].reverses.as_deref(),
            donations[0].amount.minor_units
        ),
        ("dp_1", Some("ch_1"), -2700)
    );
    assert!(matches!(
        donations[1].kind,
        DonationKind::ChargebackReversal
    ));
    assert_eq!(
        (
            donations[1].id.as_str(),
            donations[1].reverses.as_deref(),
            donations[1].amount.minor_units
        ),
        ("txn_r", Some("dp_1"), 2700)
    );
    assert_eq!(fees.len(), 1);
    assert_eq!(
        (
            fees[0].id.as_str(),
            fees[0].amount.minor_units,
            fees[0].donation_id.as_deref()
        ),
        ("txn_w", 1500, Some("dp_1"))
    );
    assert_eq!(fees[0].description, "Dispute fee");

    let (donations, fees) = dispute_entries(
        &dispute_json("warning_needs_response", json!([])),
        &config(),
    )
    .unwrap();
    assert!(
        donations.is_empty() && fees.is_empty(),
        "an inquiry moved no money"
    );
}

#[test]
fn currency_codes_are_checked_and_upper_cased() {
    assert_eq!(currency("usd").unwrap(), "USD");
    assert!(currency("us").is_err() && currency("u$d").is_err());
}
