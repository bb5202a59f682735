//! Storing entries idempotently, as the SQLite store does: keyed by (integration, processor
//! id), the same record again recognized, a changed one replacing the stored one with the old
//! version kept as history. Several workers may store the same delivery at once: rows are
//! locked before they are compared, and a row inserted by another transaction in between is
//! taken as stored, then compared like any other.

use std::collections::{HashMap, HashSet};

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
    counts += donations_upsert(tx, integration, batch.donations, via, &now)?;
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

/// A page's donations in a few statements, not a few per donation: one multi-row insert of
/// the new ones, one locked read of those already stored, then a write for each that changed.
fn donations_upsert(
    tx: &mut Transaction<'_>,
    integration: &str,
    donations: &[Donation],
    via: Via,
    now: &str,
) -> Result<Counts, StoreError> {
    let mut counts = Counts::default();
    if donations.is_empty() {
        return Ok(counts);
    }
    let encoded: Vec<String> = donations.iter().map(encode).collect::<Result<_, _>>()?;
    let column = |f: fn(&Donation) -> Option<&str>| -> Vec<Option<&str>> {
        donations.iter().map(f).collect()
    };
    let ids: Vec<&str> = donations.iter().map(|d| d.id.as_str()).collect();
    let kinds: Vec<&str> = donations.iter().map(|d| kind_name(d.kind)).collect();
    let amounts: Vec<i64> = donations.iter().map(|d| d.amount.minor_units).collect();
    let records: Vec<&str> = encoded.iter().map(String::as_str).collect();
    let inserted = tx.query(
        "INSERT INTO donations (integration, id, kind, reverses, amount, currency, received_at,
                payout_id, record, via, first_seen_at, updated_at, revision)
         SELECT $1, u.id, u.kind, u.reverses, u.amount, u.currency, u.received_at, u.payout_id,
                u.record, $2, $3, $3, 1
         FROM unnest($4::TEXT[], $5::TEXT[], $6::TEXT[], $7::BIGINT[], $8::TEXT[], $9::TEXT[],
                     $10::TEXT[], $11::TEXT[])
              AS u(id, kind, reverses, amount, currency, received_at, payout_id, record)
         -- One lock order for every writer: two workers storing overlapping pages wait for
         -- each other instead of deadlocking.
         ORDER BY u.id
         ON CONFLICT (integration, id) DO NOTHING
         RETURNING id",
        &[
            &integration,
            &via.as_str(),
            &now,
            &ids,
            &kinds,
            &column(|d| d.reverses.as_deref()),
            &amounts,
            &column(|d| Some(d.amount.currency.as_str())),
            &column(|d| Some(d.received_at.as_str())),
            &column(|d| d.payout_id.as_deref()),
            &records,
        ],
    )?;
    let mut new: HashSet<String> = inserted.iter().map(|r| r.get(0)).collect();
    let rest: Vec<usize> = (0..donations.len())
        .filter(|&i| !new.remove(&donations[i].id))
        .collect();
    counts.new = (donations.len() - rest.len()) as u64;
    if rest.is_empty() {
        return Ok(counts);
    }
    // Stored before (by an earlier run or, a moment ago, by another worker): lock, compare.
    let rest_ids: Vec<&str> = rest.iter().map(|&i| ids[i]).collect();
    let mut stored: HashMap<String, (String, i32)> = tx
        .query(
            "SELECT id, record, revision FROM donations
             WHERE integration = $1 AND id = ANY($2) ORDER BY id FOR UPDATE",
            &[&integration, &rest_ids],
        )?
        .iter()
        .map(|r| (r.get(0), (r.get(1), r.get(2))))
        .collect();
    for i in rest {
        let donation = &donations[i];
        let Some((old_record, revision)) = stored.get(&donation.id).cloned() else {
            return Err(StoreError::Database(format!(
                "donation {} was neither inserted nor found",
                donation.id
            )));
        };
        if old_record == encoded[i] {
            counts.unchanged += 1;
            continue;
        }
        let old: Donation = decode(&old_record)?;
        let merged = keep_known(donation, &old);
        if merged == old {
            counts.unchanged += 1;
            continue;
        }
        let record = encode(&merged)?;
        let next = replace_donation(
            tx,
            integration,
            &merged,
            &record,
            &old_record,
            revision,
            now,
        )?;
        // The same id again later in this page compares with what was just written.
        stored.insert(donation.id.clone(), (record, next));
        counts.updated += 1;
    }
    Ok(counts)
}

/// Keep the stored version as history and write the merged one; the new revision.
fn replace_donation(
    tx: &mut Transaction<'_>,
    integration: &str,
    merged: &Donation,
    record: &str,
    old_record: &str,
    revision: i32,
    now: &str,
) -> Result<i32, StoreError> {
    tx.execute(
        "INSERT INTO donation_history (integration, id, revision, record, replaced_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (integration, id, revision) DO UPDATE SET
            record = excluded.record, replaced_at = excluded.replaced_at",
        &[&integration, &merged.id, &revision, &old_record, &now],
    )?;
    let next = revision.checked_add(1).ok_or_else(|| {
        StoreError::Corrupt(format!("donation {} has too many revisions", merged.id))
    })?;
    tx.execute(
        "UPDATE donations SET kind = $3, reverses = $4, amount = $5, currency = $6,
            received_at = $7, payout_id = $8, record = $9, updated_at = $10, revision = $11
         WHERE integration = $1 AND id = $2",
        &[
            &integration,
            &merged.id,
            &kind_name(merged.kind),
            &merged.reverses,
            &merged.amount.minor_units,
            &merged.amount.currency,
            &merged.received_at,
            &merged.payout_id,
            &record,
            &now,
            &next,
        ],
    )?;
    Ok(next)
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
