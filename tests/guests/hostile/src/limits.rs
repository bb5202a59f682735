//! Attacks on the host's limits through the data exports: records that break the money and
//! time rules, oversized strings, oversized results, log floods and forged log lines. The
//! `attack` setting picks one, as for `check`; an unknown attack gives an empty answer.
//!
//! A build variant (`INTAKE_HOSTILE_VARIANT` at build time, see tests/artifacts/build.rs)
//! changes what `info` says: `spin-info`, `huge-help`, `v2`, `impostor`.

use intake_plugin_sdk::{
    Donation, DonationKind, Error, FeeEntry, FileImport, Money, Page, Payout, PayoutPage, Person,
    Result, Settings, log,
};

/// Which build this is: "base" or the variant's name.
pub const VARIANT: &str = match option_env!("INTAKE_HOSTILE_VARIANT") {
    Some(v) => v,
    None => "base",
};

fn usd(minor_units: i64) -> Money {
    Money {
        minor_units,
        currency: "USD".into(),
    }
}

fn donation(id: &str) -> Donation {
    Donation {
        id: id.into(),
        kind: DonationKind::Contribution,
        reverses: None,
        amount: usd(2500),
        fee: None,
        net: None,
        received_at: "2024-05-01T09:00:00Z".into(),
        donor: Person {
            prefix: None,
            first_name: "Ada".into(),
            middle_name: None,
            last_name: "Lovelace".into(),
            suffix: None,
            email: None,
            phone: None,
            address: None,
            employer: None,
            occupation: None,
            processor_donor_id: None,
        },
        recurrence: None,
        earmark: None,
        source: None,
        payout_id: None,
        livemode: false,
        extra: vec![],
    }
}

fn payout(id: &str) -> Payout {
    Payout {
        id: id.into(),
        paid_at: "2024-05-02T00:00:00Z".into(),
        gross: usd(10_000),
        fees: usd(320),
        net: usd(9_680),
        donation_ids: vec![],
        fee_ids: vec![],
        livemode: false,
        extra: vec![],
    }
}

/// The donations an attack returns, or its error.
fn donations(attack: &str) -> Result<Vec<Donation>> {
    let mut d = donation("don_bad");
    match attack {
        "bad-time" => d.received_at = "9999-12-31T23:59:59-01:00".into(),
        "negative-fee" => d.fee = Some(usd(-30)),
        "fee-currency" => {
            d.fee = Some(Money {
                minor_units: 30,
                currency: "EUR".into(),
            })
        }
        "bad-net" => (d.fee, d.net) = (Some(usd(103)), Some(usd(2500))),
        "many-donations" => {
            return Ok((0..130_000).map(|i| donation(&format!("d{i}"))).collect());
        }
        "huge-error" => return Err(Error::Transient("e".repeat(64 << 10))),
        "log-flood" => {
            let line = "y".repeat(1023);
            for _ in 0..100_000 {
                log::info(&line);
            }
            d = donation("don_ok");
        }
        "log-forge" => {
            log::warn("first line\nINFO plugin=stripe: forged line\x1b[31m red\x1b[0m");
            d = donation("don_ok");
        }
        "hang" => d.id = crate::endless_loop(),
        // Processor text that would rewrite an operator's terminal if printed raw.
        "terminal-escape" => d.donor.last_name = "Lovelace\x1b[2K\rForged".into(),
        _ => d = donation("don_ok"),
    }
    Ok(vec![d])
}

pub fn fetch(settings: &Settings, cursor: Option<&str>) -> Result<Page> {
    let attack = settings.get_or("attack", "");
    let next_cursor = match attack {
        "huge-cursor" => Some("c".repeat(100 << 20)),
        "long-cursor" => Some("c".repeat(5000)),
        // a -> b -> a: a loop a caller must notice.
        "cursor-cycle" => Some(if cursor == Some("a") { "b" } else { "a" }.to_string()),
        _ => None,
    };
    Ok(Page {
        donations: donations(attack)?,
        fees: Vec::<FeeEntry>::new(),
        next_cursor,
    })
}

pub fn fetch_payouts(settings: &Settings) -> Result<PayoutPage> {
    let mut p = payout("po_bad");
    match settings.get_or("attack", "") {
        "bad-time" => p.paid_at = "9999-12-31T23:59:59-01:00".into(),
        "bad-net" => p.net = usd(10_000),
        _ => p = payout("po_ok"),
    }
    Ok(PayoutPage {
        payouts: vec![p],
        next_cursor: None,
    })
}

pub fn parse_webhook(settings: &Settings) -> Result<Vec<Donation>> {
    donations(settings.get_or("attack", ""))
}

pub fn parse_export(settings: &Settings) -> Result<FileImport> {
    let attack = settings.get_or("attack", "");
    let payouts = match attack {
        "bad-payout-net" => {
            let mut p = payout("po_bad");
            p.net = usd(1);
            vec![p]
        }
        _ => vec![],
    };
    Ok(FileImport {
        donations: donations(attack)?,
        fees: vec![],
        payouts,
        rejected: vec![],
    })
}
