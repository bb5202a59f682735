//! Storing entries idempotently, as the SQLite store does: keyed by (integration, processor
//! id), the same record again recognized, a changed one replacing the stored one with the old
//! version kept as history. Several workers may store the same delivery at once: rows are
//! locked before they are compared, and a row inserted by another transaction in between is
//! taken as stored, then compared like any other.

use intake_host::types::{Donation, FeeEntry, Payout};
use postgres::Transaction;

use crate::store::sqlite::entries::{decode, encode, keep_known, kind_name};
use crate::store::{Batch, Counts, StoreError, Via, now_rfc3339};

/// Store every entry of `batch` inside `tx`.
pub(super) fn store(
    tx: &mut Transaction<'_>,
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

const NEW: Counts = Counts {
    new: 1,
    updated: 0,
    unchanged: 0,
};
const UPDATED: Counts = Counts {
    new: 0,
    updated: 1,
    unchanged: 0,
};
const UNCHANGED: Counts = Counts {
    new: 0,
    updated: 0,
    unchanged: 1,
};

fn donation_upsert(
    tx: &mut Transaction<'_>,
    integration: &str,
    donation: &Donation,
    via: Via,
    now: &str,
) -> Result<Counts, StoreError> {
    let encoded = encode(donation)?;
    let inserted = tx.execute(
        "INSERT INTO donations (integration, id, kind, reverses, amount, currency, received_at,
                payout_id, record, via, first_seen_at, updated_at, revision)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, 1)
         ON CONFLICT (integration, id) DO NOTHING",
        &[
            &integration,
            &donation.id,
            &kind_name(donation.kind),
            &donation.reverses,
            &donation.amount.minor_units,
            &donation.amount.currency,
            &donation.received_at,
            &donation.payout_id,
            &encoded,
            &via.as_str(),
            &now,
        ],
    )?;
    if inserted == 1 {
        return Ok(NEW);
    }
    // Stored before (by an earlier run or, a moment ago, by another worker): lock it, compare.
    let row = tx.query_one(
        "SELECT record, revision FROM donations WHERE integration = $1 AND id = $2 FOR UPDATE",
        &[&integration, &donation.id],
    )?;
    let (old_record, revision): (String, i32) = (row.get(0), row.get(1));
    if old_record == encoded {
        return Ok(UNCHANGED);
    }
    let old: Donation = decode(&old_record)?;
    let merged = keep_known(donation, &old);
    if merged == old {
        return Ok(UNCHANGED);
    }
    tx.execute(
        "INSERT INTO donation_history (integration, id, revision, record, replaced_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (integration, id, revision) DO UPDATE SET
            record = excluded.record, replaced_at = excluded.replaced_at",
        &[&integration, &donation.id, &revision, &old_record, &now],
    )?;
    let next_revision = revision.checked_add(1).ok_or_else(|| {
        StoreError::Corrupt(format!("donation {} has too many revisions", donation.id))
    })?;
    tx.execute(
        "UPDATE donations SET kind = $3, reverses = $4, amount = $5, currency = $6,
            received_at = $7, payout_id = $8, record = $9, updated_at = $10, revision = $11
         WHERE integration = $1 AND id = $2",
        &[
            &integration,
            &donation.id,
            &kind_name(merged.kind),
            &merged.reverses,
            &merged.amount.minor_units,
            &merged.amount.currency,
            &merged.received_at,
            &merged.payout_id,
            &encode(&merged)?,
            &now,
            &next_revision,
        ],
    )?;
    Ok(UPDATED)
}

/// Insert or replace a row whose identity is (integration, id) and whose content is `record`;
/// what it did. `upsert` writes the row; it runs only when the record changed.
fn replace_if_changed(
    tx: &mut Transaction<'_>,
    table: &str,
    integration: &str,
    id: &str,
    record: &str,
    upsert: impl FnOnce(&mut Transaction<'_>) -> Result<(), StoreError>,
) -> Result<Counts, StoreError> {
    let stored = tx.query_opt(
        &format!("SELECT record FROM {table} WHERE integration = $1 AND id = $2 FOR UPDATE"),
        &[&integration, &id],
    )?;
    let stored: Option<String> = stored.map(|row| row.get(0));
    if stored.as_deref() == Some(record) {
        return Ok(UNCHANGED);
    }
    upsert(tx)?;
    Ok(if stored.is_none() { NEW } else { UPDATED })
}

fn fee_upsert(
    tx: &mut Transaction<'_>,
    integration: &str,
    fee: &FeeEntry,
    now: &str,
) -> Result<Counts, StoreError> {
    let record = encode(fee)?;
    replace_if_changed(tx, "fee_entries", integration, &fee.id, &record, |tx| {
        tx.execute(
            "INSERT INTO fee_entries (integration, id, amount, currency, charged_at, donation_id,
                payout_id, record, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (integration, id) DO UPDATE SET
                amount = excluded.amount, currency = excluded.currency,
                charged_at = excluded.charged_at, donation_id = excluded.donation_id,
                payout_id = excluded.payout_id, record = excluded.record,
                updated_at = excluded.updated_at",
            &[
                &integration,
                &fee.id,
                &fee.amount.minor_units,
                &fee.amount.currency,
                &fee.charged_at,
                &fee.donation_id,
                &fee.payout_id,
                &record,
                &now,
            ],
        )?;
        Ok(())
    })
}

fn payout_upsert(
    tx: &mut Transaction<'_>,
    integration: &str,
    payout: &Payout,
    now: &str,
) -> Result<Counts, StoreError> {
    let record = encode(payout)?;
    replace_if_changed(tx, "payouts", integration, &payout.id, &record, |tx| {
        tx.execute(
            "INSERT INTO payouts (integration, id, paid_at, net, currency, record, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (integration, id) DO UPDATE SET
                paid_at = excluded.paid_at, net = excluded.net, currency = excluded.currency,
                record = excluded.record, updated_at = excluded.updated_at",
            &[
                &integration,
                &payout.id,
                &payout.paid_at,
                &payout.net.minor_units,
                &payout.net.currency,
                &record,
                &now,
            ],
        )?;
        tx.execute(
            "DELETE FROM payout_items WHERE integration = $1 AND payout_id = $2",
            &[&integration, &payout.id],
        )?;
        let insert = tx.prepare(
            "INSERT INTO payout_items (integration, payout_id, item_kind, item_id)
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )?;
        for (kind, ids) in [("donation", &payout.donation_ids), ("fee", &payout.fee_ids)] {
            for id in ids {
                tx.execute(&insert, &[&integration, &payout.id, &kind, id])?;
            }
        }
        Ok(())
    })
}
