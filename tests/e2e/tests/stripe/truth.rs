//! The records a pass should give, computed from the emulator's ground truth by the rules the
//! issue states (an oracle written apart from the plugin's mapping).

use std::collections::BTreeMap;

use intake_emulators::stripe::{self as emu, Dataset};
use intake_host::types::{
    Donation, DonationKind, FeeEntry, Interval, Money, Person, PostalAddress, Recurrence,
};

/// The emulator's own truth gives the times and the window each entry falls in.
pub use intake_emulators::stripe::truth::{moved_at, rfc3339};

pub fn usd(minor_units: i64) -> Money {
    Money {
        minor_units,
        currency: "USD".into(),
    }
}

fn postal(a: &emu::Address) -> Option<PostalAddress> {
    let any = [&a.line1, &a.line2, &a.city, &a.state, &a.postal_code]
        .iter()
        .any(|f| f.is_some());
    any.then(|| PostalAddress {
        line1: a.line1.clone().unwrap_or_default(),
        line2: a.line2.clone(),
        city: a.city.clone().unwrap_or_default(),
        region: a.state.clone().unwrap_or_default(),
        postal_code: a.postal_code.clone().unwrap_or_default(),
        country: a.country.clone().unwrap_or_default(),
    })
}

/// The donor a charge should give: billing details, then its customer.
fn expected_donor(truth: &Dataset, c: &emu::Charge) -> Person {
    let customer = c.customer.as_deref().and_then(|id| truth.customer(id));
    let b = &c.billing_details;
    let name = b
        .name
        .clone()
        .or_else(|| customer.and_then(|c| c.name.clone()));
    let parts = name.map(|n| truth.names[&n].clone()).unwrap_or_default();
    let work = |key: &str| {
        c.metadata
            .get(key)
            .or_else(|| customer.and_then(|c| c.metadata.get(key)))
            .cloned()
    };
    Person {
        prefix: parts.prefix,
        first_name: parts.first,
        middle_name: parts.middle,
        last_name: parts.last,
        suffix: parts.suffix,
        email: b
            .email
            .clone()
            .or_else(|| customer.and_then(|c| c.email.clone())),
        phone: b
            .phone
            .clone()
            .or_else(|| customer.and_then(|c| c.phone.clone())),
        address: postal(&b.address)
            .or_else(|| customer.and_then(|c| c.address.as_ref()).and_then(postal)),
        employer: work("employer"),
        occupation: work("occupation"),
        processor_donor_id: c.customer.clone(),
    }
}

fn extra(pairs: &[(&str, Option<String>)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .filter_map(|(k, v)| v.clone().map(|v| (k.to_string(), v)))
        .collect()
}

fn expected_contribution(truth: &Dataset, c: &emu::Charge) -> Donation {
    let bt = c.balance_transaction.as_deref().map(|id| {
        truth
            .balance_transaction(id)
            .expect("its balance transaction")
    });
    let settled_at = bt.map(|b| rfc3339(b.created));
    let recurrence = c.invoice.as_deref().map(|id| {
        let invoice = truth.invoice(id).unwrap();
        let recurring = invoice.lines.data[0]
            .price
            .as_ref()
            .unwrap()
            .recurring
            .as_ref()
            .unwrap();
        Recurrence {
            interval: match (recurring.interval.as_str(), recurring.interval_count) {
                ("week", 1) => Interval::Weekly,
                ("month", 1) => Interval::Monthly,
                ("month", 3) => Interval::Quarterly,
                ("year", 1) => Interval::Yearly,
                _ => Interval::Other,
            },
            installment: (invoice.billing_reason.as_deref() == Some("subscription_create"))
                .then_some(1),
            subscription_id: invoice.subscription.clone(),
        }
    });
    let card = &c.payment_method_details.as_ref().unwrap().card;
    let mut extra = extra(&[
        ("payment_intent", c.payment_intent.clone()),
        ("description", c.description.clone()),
        ("invoice", c.invoice.clone()),
        ("customer", c.customer.clone()),
        ("balance_transaction", c.balance_transaction.clone()),
        ("settled_at", settled_at),
        ("payment_method_type", Some("card".into())),
        ("card_brand", Some(card.brand.clone())),
        ("card_last4", Some(card.last4.clone())),
    ]);
    extra.extend(
        c.metadata
            .iter()
            .filter(|(k, _)| *k != "employer" && *k != "occupation")
            .map(|(k, v)| (format!("metadata.{k}"), v.clone())),
    );
    Donation {
        id: c.id.clone(),
        kind: DonationKind::Contribution,
        reverses: None,
        amount: usd(c.amount_captured),
        fee: bt.map(|b| usd(b.fee)),
        net: bt.map(|b| usd(b.net)),
        received_at: rfc3339(c.created),
        donor: expected_donor(truth, c),
        recurrence,
        earmark: None,
        source: None,
        payout_id: None,
        livemode: c.livemode,
        extra,
    }
}

/// Every entry a full pass should give, by id, and the fee entries.
pub fn expected(truth: &Dataset) -> (BTreeMap<String, Donation>, BTreeMap<String, FeeEntry>) {
    let mut out = BTreeMap::new();
    let mut fees = BTreeMap::new();
    // A charge is money once it is captured and succeeded (its balance transaction made).
    for c in truth
        .charges
        .iter()
        .filter(|c| truth.settled_at(c).is_some())
    {
        out.insert(c.id.clone(), expected_contribution(truth, c));
    }
    for r in &truth.refunds {
        let charge = truth.charge(r.charge.as_deref().unwrap()).unwrap();
        let bt = truth
            .balance_transaction(r.balance_transaction.as_deref().unwrap())
            .unwrap();
        out.insert(
            r.id.clone(),
            Donation {
                id: r.id.clone(),
                kind: DonationKind::Refund,
                reverses: Some(charge.id.clone()),
                amount: usd(-r.amount),
                fee: Some(usd(bt.fee)),
                net: Some(usd(bt.net)),
                received_at: rfc3339(r.created),
                donor: expected_donor(truth, charge),
                recurrence: None,
                earmark: None,
                source: None,
                payout_id: None,
                livemode: charge.livemode,
                extra: extra(&[
                    ("reason", r.reason.clone()),
                    ("status", r.status.clone()),
                    ("payment_intent", r.payment_intent.clone()),
                    ("balance_transaction", r.balance_transaction.clone()),
                ]),
            },
        );
    }
    for d in &truth.disputes {
        let charge = truth.charge(&d.charge).unwrap();
        let Some(withdrawal) = d
            .balance_transactions
            .iter()
            .find(|b| b.reporting_category == "dispute")
        else {
            continue;
        };
        let common = |id: &str, kind, reverses: &str, amount, at, extra| Donation {
            id: id.into(),
            kind,
            reverses: Some(reverses.into()),
            amount: usd(amount),
            fee: None,
            net: None,
            received_at: rfc3339(at),
            donor: expected_donor(truth, charge),
            recurrence: None,
            earmark: None,
            source: None,
            payout_id: None,
            livemode: d.livemode,
            extra,
        };
        let e = extra(&[
            ("reason", Some(d.reason.clone())),
            ("status", Some(d.status.clone())),
            ("balance_transaction", Some(withdrawal.id.clone())),
        ]);
        out.insert(
            d.id.clone(),
            common(
                &d.id,
                DonationKind::Chargeback,
                &charge.id,
                -d.amount,
                d.created,
                e,
            ),
        );
        fees.insert(
            withdrawal.id.clone(),
            FeeEntry {
                id: withdrawal.id.clone(),
                amount: usd(withdrawal.fee),
                charged_at: rfc3339(withdrawal.created),
                donation_id: Some(d.id.clone()),
                payout_id: None,
                description: "Dispute fee".into(),
            },
        );
        for r in d
            .balance_transactions
            .iter()
            .filter(|b| b.reporting_category == "dispute_reversal")
        {
            let e = extra(&[
                ("charge", Some(charge.id.clone())),
                ("status", Some(d.status.clone())),
            ]);
            out.insert(
                r.id.clone(),
                common(
                    &r.id,
                    DonationKind::ChargebackReversal,
                    &d.id,
                    r.amount,
                    r.created,
                    e,
                ),
            );
        }
    }
    (out, fees)
}

pub fn sorted(mut d: Donation) -> Donation {
    d.extra.sort();
    d
}
