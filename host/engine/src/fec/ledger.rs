//! From the import queue's ledger to the receipts of a report.
//!
//! For one integration and a date range: every approved earmarked receipt (always itemized,
//! with its conduit memo), and every direct contribution whose contributor's aggregate is
//! over $200. Refunds and other reversals (negative entries) are not Schedule A 11(a)(i)
//! lines; they still lower the aggregate. The aggregate is the running sum per (contact,
//! election period) over the whole ledger, every integration, in (received_at, entry id)
//! order, up to and including the entry.

use std::collections::HashMap;

use intake_host::types::{Donation, Organization};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{ConduitMemo, FecError, ITEMIZE_OVER_CENTS, Receipt};
use crate::queue::{EntryRole, ImportQueue, LedgerEntry, QueueFilter};

/// A receipt's transaction id: "IK" and the ledger entry's number (stable across runs).
pub fn receipt_id(entry: i64) -> String {
    format!("IK{entry}")
}

/// Its conduit memo's transaction id: the receipt's with "M".
pub fn memo_id(entry: i64) -> String {
    format!("IK{entry}M")
}

fn received(entry: &LedgerEntry) -> Result<OffsetDateTime, FecError> {
    OffsetDateTime::parse(&entry.received_at, &Rfc3339).map_err(|_| FecError::Ledger {
        entry: entry.id,
        message: format!("received_at `{}` is not RFC 3339", entry.received_at),
    })
}

/// The receipts of `integration` received (UTC date) from `from` through `through`, in
/// (received_at, entry id) order.
pub fn receipts(
    queue: &dyn ImportQueue,
    integration: &str,
    from: time::Date,
    through: time::Date,
) -> Result<Vec<Receipt>, FecError> {
    let mut all = Vec::new();
    for entry in queue.ledger(None)? {
        let at = received(&entry)?;
        all.push((at, entry));
    }
    all.sort_by_key(|(at, entry)| (*at, entry.id));

    // Memos by the receipt they accompany.
    let memos: HashMap<i64, &LedgerEntry> = all
        .iter()
        .filter(|(_, e)| e.role == EntryRole::ConduitMemo)
        .filter_map(|(_, e)| e.memo_for.map(|r| (r, e)))
        .collect();
    let organizations: HashMap<i64, Organization> = queue
        .organizations()?
        .into_iter()
        .map(|o| {
            let org = Organization {
                name: o.name,
                fec_id: o.fec_id,
                address: o.address,
            };
            (o.id, org)
        })
        .collect();
    let donations: HashMap<String, Donation> = queue
        .queue_items(&QueueFilter {
            integration: Some(integration.to_string()),
            ..QueueFilter::default()
        })?
        .into_iter()
        .map(|item| (item.donation.id.clone(), item.donation))
        .collect();

    let mut running: HashMap<(i64, String), i64> = HashMap::new();
    let mut out = Vec::new();
    for (at, entry) in &all {
        if entry.role == EntryRole::ConduitMemo {
            continue; // the conduit's, not the contributor's
        }
        let selected = entry.integration == integration
            && (from..=through).contains(&at.date())
            && entry.amount.minor_units > 0;
        let (Some(contact), Some(period)) = (entry.contact, entry.election_period.as_ref()) else {
            if selected {
                return Err(match entry.election_period {
                    None => FecError::MissingElectionPeriod {
                        entry: entry.id,
                        donation: entry.donation_id.clone(),
                    },
                    Some(_) => FecError::Ledger {
                        entry: entry.id,
                        message: "has no contact".into(),
                    },
                });
            }
            continue;
        };
        let total = running.entry((contact, period.clone())).or_insert(0);
        *total = total
            .checked_add(entry.amount.minor_units)
            .ok_or(FecError::Overflow {
                receipt: receipt_id(entry.id),
                what: "aggregate",
                cents: entry.amount.minor_units,
            })?;
        if !selected {
            continue;
        }
        let aggregate = *total;
        let earmark = match entry.role {
            EntryRole::EarmarkedReceipt => Some(conduit_memo(entry, &memos, &organizations)?),
            _ if aggregate > ITEMIZE_OVER_CENTS => None,
            _ => continue, // unitemized: $200 or less so far
        };
        if entry.amount.currency != "USD" {
            return Err(FecError::Ledger {
                entry: entry.id,
                message: format!("is in {}, not USD", entry.amount.currency),
            });
        }
        let donation = donations
            .get(&entry.donation_id)
            .ok_or_else(|| FecError::Ledger {
                entry: entry.id,
                message: format!("its donation `{}` is not in the store", entry.donation_id),
            })?;
        out.push(Receipt {
            transaction_id: receipt_id(entry.id),
            contributor: donation.donor.clone(),
            date: at.date(),
            amount_cents: entry.amount.minor_units,
            aggregate_cents: aggregate,
            election_code: period.clone(),
            earmark,
        });
    }
    Ok(out)
}

fn conduit_memo(
    entry: &LedgerEntry,
    memos: &HashMap<i64, &LedgerEntry>,
    organizations: &HashMap<i64, Organization>,
) -> Result<ConduitMemo, FecError> {
    let memo = memos.get(&entry.id).ok_or_else(|| FecError::Ledger {
        entry: entry.id,
        message: "an earmarked receipt without its conduit memo entry".into(),
    })?;
    let conduit = memo
        .organization
        .and_then(|id| organizations.get(&id))
        .ok_or_else(|| FecError::Ledger {
            entry: memo.id,
            message: "a conduit memo without its organization record".into(),
        })?;
    Ok(ConduitMemo {
        transaction_id: memo_id(entry.id),
        conduit: conduit.clone(),
    })
}
