//! What a full pass over a Stripe account should store, computed from the emulator's ground
//! truth by the rules the issue states (an oracle written apart from the plugin's mapping):
//! captured-and-settled charges, refunds, disputes that withdrew money and their reversals.

use std::collections::BTreeMap;

use super::Dataset;
use crate::truth::TruthRow;

/// RFC 3339 UTC of a unix time, without a date library (Howard Hinnant's civil_from_days).
pub fn rfc3339(unix: i64) -> String {
    let (days, secs) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3_600,
        secs % 3_600 / 60,
        secs % 60
    )
}

fn row(id: &str, kind: &str, reverses: Option<&str>, amount: i64, at: i64) -> TruthRow {
    TruthRow {
        id: id.into(),
        kind: kind.into(),
        reverses: reverses.map(Into::into),
        amount,
        currency: "USD".into(),
        fee: None,
        net: None,
        received_at: rfc3339(at),
        livemode: false,
    }
}

/// Every donation a full pass should store, by id.
pub fn rows(truth: &Dataset) -> BTreeMap<String, TruthRow> {
    let mut out = BTreeMap::new();
    // A charge is money once it is captured and succeeded (its balance transaction made).
    for c in truth
        .charges
        .iter()
        .filter(|c| truth.settled_at(c).is_some())
    {
        let bt = c
            .balance_transaction
            .as_deref()
            .and_then(|id| truth.balance_transaction(id));
        let mut r = row(&c.id, "contribution", None, c.amount_captured, c.created);
        r.fee = bt.map(|b| b.fee);
        r.net = bt.map(|b| b.net);
        r.livemode = c.livemode;
        out.insert(c.id.clone(), r);
    }
    for refund in &truth.refunds {
        let Some(charge) = refund.charge.as_deref().and_then(|id| truth.charge(id)) else {
            continue;
        };
        let bt = refund
            .balance_transaction
            .as_deref()
            .and_then(|id| truth.balance_transaction(id));
        let mut r = row(
            &refund.id,
            "refund",
            Some(&charge.id),
            -refund.amount,
            refund.created,
        );
        r.fee = bt.map(|b| b.fee);
        r.net = bt.map(|b| b.net);
        r.livemode = charge.livemode;
        out.insert(refund.id.clone(), r);
    }
    for d in &truth.disputes {
        // A dispute that withdrew nothing (an inquiry) is no entry.
        if !d
            .balance_transactions
            .iter()
            .any(|b| b.reporting_category == "dispute")
        {
            continue;
        }
        let mut r = row(&d.id, "chargeback", Some(&d.charge), -d.amount, d.created);
        r.livemode = d.livemode;
        out.insert(d.id.clone(), r);
        for b in d
            .balance_transactions
            .iter()
            .filter(|b| b.reporting_category == "dispute_reversal")
        {
            let mut r = row(
                &b.id,
                "chargeback-reversal",
                Some(&d.id),
                b.amount,
                b.created,
            );
            r.livemode = d.livemode;
            out.insert(b.id.clone(), r);
        }
    }
    out
}

/// When each entry's money moved (unix): the window a sync brings it in. A contribution's is
/// its balance transaction's `created` (its capture, or its debit clearing), not the charge's.
pub fn moved_at(truth: &Dataset) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for c in &truth.charges {
        if let Some(at) = truth.settled_at(c) {
            out.insert(c.id.clone(), at);
        }
    }
    for r in &truth.refunds {
        out.insert(r.id.clone(), r.created);
    }
    for d in &truth.disputes {
        for b in &d.balance_transactions {
            match b.reporting_category.as_str() {
                "dispute" => out.insert(d.id.clone(), d.created),
                "dispute_reversal" => out.insert(b.id.clone(), b.created),
                _ => None,
            };
        }
    }
    out
}
