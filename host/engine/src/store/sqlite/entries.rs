//! Storing entries idempotently: keyed by (integration, processor id); the same record again
//! is recognized, a changed one replaces the stored one and the old version goes to history.

use intake_host::types::{Donation, DonationKind, FeeEntry, Payout};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::store::{Batch, Counts, StoreError, Via, now_rfc3339};

/// Store every entry of `batch` inside `tx`.
pub(super) fn store(
    tx: &Transaction<'_>,
    integration: &str,
    batch: Batch<'_>,
    via: Via,
) -> Result<Counts, StoreError> {
    let now = now_rfc3339();
    let mut counts = Counts::default();
    for donation in batch.donations {
        counts += donation_upsert(tx, integration, donation, via, &now)?;
    }
    for fee in batch.fees {
        counts += fee_upsert(tx, integration, fee, &now)?;
    }
    for payout in batch.payouts {
        counts += payout_upsert(tx, integration, payout, &now)?;
    }
    Ok(counts)
}

pub(crate) fn decode<T: DeserializeOwned>(record: &str) -> Result<T, StoreError> {
    serde_json::from_str(record).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn encode<T: Serialize>(record: &T) -> Result<String, StoreError> {
    serde_json::to_string(record).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The contract's name for a donation kind, as stored and exported.
pub fn kind_name(kind: DonationKind) -> &'static str {
    match kind {
        DonationKind::Contribution => "contribution",
        DonationKind::Refund => "refund",
        DonationKind::Chargeback => "chargeback",
        DonationKind::ChargebackReversal => "chargeback-reversal",
    }
}

/// What a later delivery may leave out that an earlier one knew, kept: a webhook often comes
/// before the fee and the payout are known, and a processor's event may carry less of the donor
/// than its list endpoint (a Stripe event's charge is not expanded). Leaving a field out never
/// erases it; only a value replaces a value. Employer and occupation matter for FEC reports.
pub(crate) fn keep_known(incoming: &Donation, stored: &Donation) -> Donation {
    fn keep<T: Clone>(incoming: &mut Option<T>, stored: &Option<T>) {
        if incoming.is_none() {
            incoming.clone_from(stored);
        }
    }
    fn keep_text(incoming: &mut String, stored: &str) {
        if incoming.trim().is_empty() {
            *incoming = stored.to_string();
        }
    }
    let mut merged = incoming.clone();
    keep(&mut merged.fee, &stored.fee);
    keep(&mut merged.net, &stored.net);
    keep(&mut merged.payout_id, &stored.payout_id);
    keep(&mut merged.reverses, &stored.reverses);
    keep(&mut merged.recurrence, &stored.recurrence);
    keep(&mut merged.earmark, &stored.earmark);
    keep(&mut merged.source, &stored.source);
    let (donor, known) = (&mut merged.donor, &stored.donor);
    keep_text(&mut donor.first_name, &known.first_name);
    keep_text(&mut donor.last_name, &known.last_name);
    keep(&mut donor.prefix, &known.prefix);
    keep(&mut donor.middle_name, &known.middle_name);
    keep(&mut donor.suffix, &known.suffix);
    keep(&mut donor.email, &known.email);
    keep(&mut donor.phone, &known.phone);
    keep(&mut donor.address, &known.address);
    keep(&mut donor.employer, &known.employer);
    keep(&mut donor.occupation, &known.occupation);
    keep(&mut donor.processor_donor_id, &known.processor_donor_id);
    for (key, value) in &stored.extra {
        if !merged.extra.iter().any(|(k, _)| k == key) {
            merged.extra.push((key.clone(), value.clone()));
        }
    }
    merged
}

fn donation_upsert(
    tx: &Transaction<'_>,
    integration: &str,
    donation: &Donation,
    via: Via,
    now: &str,
) -> Result<Counts, StoreError> {
    let stored: Option<(String, u32)> = tx
        .prepare_cached(
            "SELECT record, revision FROM donations WHERE integration = ?1 AND id = ?2",
        )?
        .query_row(params![integration, donation.id], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?;
    let encoded = encode(donation)?;
    let (record, revision) = match &stored {
        None => (encoded, 1),
        // The common case of an overlap or a repeated delivery: the very same record.
        Some((old_record, _)) if *old_record == encoded => {
            return Ok(Counts {
                unchanged: 1,
                ..Counts::default()
            });
        }
        Some((old_record, revision)) => {
            let old: Donation = decode(old_record)?;
            let merged = keep_known(donation, &old);
            if merged == old {
                return Ok(Counts {
                    unchanged: 1,
                    ..Counts::default()
                });
            }
            tx.prepare_cached("INSERT OR REPLACE INTO donation_history (integration, id, revision, record, replaced_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)")?.execute(
                params![integration, donation.id, revision, old_record, now],
            )?;
            (encode(&merged)?, revision + 1)
        }
    };
    tx.prepare_cached(
        "INSERT INTO donations (integration, id, kind, reverses, amount, currency, received_at,
                payout_id, record, via, first_seen_at, updated_at, revision)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12)
         ON CONFLICT (integration, id) DO UPDATE SET
            kind = excluded.kind, reverses = excluded.reverses, amount = excluded.amount,
            currency = excluded.currency, received_at = excluded.received_at,
            payout_id = excluded.payout_id, record = excluded.record,
            updated_at = excluded.updated_at, revision = excluded.revision",
    )?
    .execute(params![
        integration,
        donation.id,
        kind_name(donation.kind),
        donation.reverses,
        donation.amount.minor_units,
        donation.amount.currency,
        donation.received_at,
        donation.payout_id,
        record,
        via.as_str(),
        now,
        revision,
    ])?;
    Ok(if stored.is_none() {
        Counts {
            new: 1,
            ..Counts::default()
        }
    } else {
        Counts {
            updated: 1,
            ..Counts::default()
        }
    })
}

fn fee_upsert(
    tx: &Transaction<'_>,
    integration: &str,
    fee: &FeeEntry,
    now: &str,
) -> Result<Counts, StoreError> {
    let record = encode(fee)?;
    let stored: Option<String> = tx
        .prepare_cached("SELECT record FROM fee_entries WHERE integration = ?1 AND id = ?2")?
        .query_row(params![integration, fee.id], |row| row.get(0))
        .optional()?;
    if stored.as_deref() == Some(record.as_str()) {
        return Ok(Counts {
            unchanged: 1,
            ..Counts::default()
        });
    }
    tx.prepare_cached("INSERT INTO fee_entries (integration, id, amount, currency, charged_at, donation_id, payout_id, record, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (integration, id) DO UPDATE SET
            amount = excluded.amount, currency = excluded.currency, charged_at = excluded.charged_at,
            donation_id = excluded.donation_id, payout_id = excluded.payout_id,
            record = excluded.record, updated_at = excluded.updated_at")?.execute(
        params![
            integration,
            fee.id,
            fee.amount.minor_units,
            fee.amount.currency,
            fee.charged_at,
            fee.donation_id,
            fee.payout_id,
            record,
            now,
        ],
    )?;
    Ok(if stored.is_none() {
        Counts {
            new: 1,
            ..Counts::default()
        }
    } else {
        Counts {
            updated: 1,
            ..Counts::default()
        }
    })
}

fn payout_upsert(
    tx: &Transaction<'_>,
    integration: &str,
    payout: &Payout,
    now: &str,
) -> Result<Counts, StoreError> {
    let record = encode(payout)?;
    let stored: Option<String> = tx
        .prepare_cached("SELECT record FROM payouts WHERE integration = ?1 AND id = ?2")?
        .query_row(params![integration, payout.id], |row| row.get(0))
        .optional()?;
    if stored.as_deref() == Some(record.as_str()) {
        return Ok(Counts {
            unchanged: 1,
            ..Counts::default()
        });
    }
    tx.prepare_cached(
        "INSERT INTO payouts (integration, id, paid_at, net, currency, record, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (integration, id) DO UPDATE SET
            paid_at = excluded.paid_at, net = excluded.net, currency = excluded.currency,
            record = excluded.record, updated_at = excluded.updated_at",
    )?
    .execute(params![
        integration,
        payout.id,
        payout.paid_at,
        payout.net.minor_units,
        payout.net.currency,
        record,
        now,
    ])?;
    tx.prepare_cached("DELETE FROM payout_items WHERE integration = ?1 AND payout_id = ?2")?
        .execute(params![integration, payout.id])?;
    let mut item = tx.prepare_cached(
        "INSERT OR IGNORE INTO payout_items (integration, payout_id, item_kind, item_id) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for id in &payout.donation_ids {
        item.execute(params![integration, payout.id, "donation", id])?;
    }
    for id in &payout.fee_ids {
        item.execute(params![integration, payout.id, "fee", id])?;
    }
    Ok(if stored.is_none() {
        Counts {
            new: 1,
            ..Counts::default()
        }
    } else {
        Counts {
            updated: 1,
            ..Counts::default()
        }
    })
}
