//! The records a pass should give, computed from the emulator's ground truth by the rules the
//! issue states (an oracle written apart from the plugin's mapping).

use std::collections::BTreeMap;

pub use intake_emulators::stripe::truth::{moved_at, rfc3339};
use intake_emulators::stripe::{self as emu, Dataset};
use intake_emulators::truth::TruthRow;
use intake_host::types::{
    Donation, DonationKind, FeeEntry, Interval, Money, Person, PostalAddress, Recurrence,
};

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

fn expected_contribution(truth: &Dataset, c: &emu::Charge, row: &TruthRow) -> Donation {
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
        recurrence,
        ..base(row, expected_donor(truth, c), extra)
    }
}

/// The contract's kind of a truth row's `kind`.
fn kind(row: &TruthRow) -> DonationKind {
    match row.kind.as_str() {
        "contribution" => DonationKind::Contribution,
        "refund" => DonationKind::Refund,
        "chargeback" => DonationKind::Chargeback,
        _ => DonationKind::ChargebackReversal,
    }
}

/// The donation a truth row gives, with the fields the row does not carry left for the
/// caller: the donor, recurrence and extra.
fn base(row: &TruthRow, donor: Person, extra: Vec<(String, String)>) -> Donation {
    Donation {
        id: row.id.clone(),
        kind: kind(row),
        reverses: row.reverses.clone(),
        amount: Money {
            minor_units: row.amount,
            currency: row.currency.clone(),
        },
        fee: row.fee.map(usd),
        net: row.net.map(usd),
        received_at: row.received_at.clone(),
        donor,
        recurrence: None,
        earmark: None,
        source: None,
        payout_id: None,
        livemode: row.livemode,
        extra,
    }
}

/// Every entry a full pass should give, by id, and the fee entries. Which entries there are
/// and their money come from the emulator's one truth ([`emu::truth::rows`], also served at
/// `/_emulator/truth`); this adds the donor, recurrence and extra fields the contract carries.
pub fn expected(truth: &Dataset) -> (BTreeMap<String, Donation>, BTreeMap<String, FeeEntry>) {
    let refunds: BTreeMap<&str, &emu::Refund> =
        truth.refunds.iter().map(|r| (r.id.as_str(), r)).collect();
    let disputes: BTreeMap<&str, &emu::Dispute> =
        truth.disputes.iter().map(|d| (d.id.as_str(), d)).collect();
    let mut out = BTreeMap::new();
    let mut fees = BTreeMap::new();
    for (id, row) in emu::truth::rows(truth) {
        let donation = match row.kind.as_str() {
            "contribution" => {
                let c = truth.charge(&id).expect("the row's charge");
                expected_contribution(truth, c, &row)
            }
            "refund" => {
                let r = refunds[id.as_str()];
                let charge = truth.charge(r.charge.as_deref().unwrap()).unwrap();
                let extra = extra(&[
                    ("reason", r.reason.clone()),
                    ("status", r.status.clone()),
                    ("payment_intent", r.payment_intent.clone()),
                    ("balance_transaction", r.balance_transaction.clone()),
                ]);
                base(&row, expected_donor(truth, charge), extra)
            }
            "chargeback" => {
                let d = disputes[id.as_str()];
                let charge = truth.charge(&d.charge).unwrap();
                let withdrawal = d
                    .balance_transactions
                    .iter()
                    .find(|b| b.reporting_category == "dispute")
                    .expect("a chargeback row withdrew money");
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
                let extra = extra(&[
                    ("reason", Some(d.reason.clone())),
                    ("status", Some(d.status.clone())),
                    ("balance_transaction", Some(withdrawal.id.clone())),
                ]);
                base(&row, expected_donor(truth, charge), extra)
            }
            _ => {
                let d = disputes[row.reverses.as_deref().expect("what it reverses")];
                let charge = truth.charge(&d.charge).unwrap();
                let extra = extra(&[
                    ("charge", Some(charge.id.clone())),
                    ("status", Some(d.status.clone())),
                ]);
                base(&row, expected_donor(truth, charge), extra)
            }
        };
        out.insert(id, donation);
    }
    (out, fees)
}

pub fn sorted(mut d: Donation) -> Donation {
    d.extra.sort();
    d
}
