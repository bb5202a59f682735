//! Writing the store out: every donation as NDJSON or CSV, in a stable order, with money in
//! integer minor units and times in RFC 3339 UTC.

use std::io::Write;

use serde::Serialize;

use crate::store::{Store, StoreError, StoredDonation};

/// An output format of `intake export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line.
    Ndjson,
    /// A header row, then one row per donation.
    Csv,
}

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Reading the queue or ledger failed.
    #[error(transparent)]
    Queue(#[from] crate::queue::QueueError),
    /// Writing the output failed.
    #[error("cannot write the export: {0}")]
    Write(String),
}

/// One exported donation: the keys operators script against come first.
#[derive(Debug, Serialize)]
pub struct ExportRow<'a> {
    /// The integration it came through.
    pub integration: &'a str,
    /// The processor's id.
    pub id: &'a str,
    /// contribution, refund, chargeback or chargeback-reversal.
    pub kind: &'static str,
    /// The id of what a refund, chargeback or reversal reverses.
    pub reverses: Option<&'a str>,
    /// Gross amount in minor units; negative for money going back.
    pub amount: i64,
    /// ISO 4217.
    pub currency: &'a str,
    /// The fee in minor units, where known.
    pub fee: Option<i64>,
    /// The net in minor units, where known.
    pub net: Option<i64>,
    /// RFC 3339 UTC.
    pub received_at: &'a str,
    /// Donor's first name.
    pub first_name: &'a str,
    /// Donor's last name.
    pub last_name: &'a str,
    /// Donor's email.
    pub email: Option<&'a str>,
    /// The conduit, for an earmarked contribution.
    pub conduit: Option<&'a str>,
    /// The conduit's FEC id.
    pub conduit_fec_id: Option<&'a str>,
    /// The payout that settled it.
    pub payout_id: Option<&'a str>,
    /// Whether it is a recurring installment.
    pub recurring: bool,
    /// Live (true) or test money.
    pub livemode: bool,
    /// How it first arrived: sync, webhook or import.
    pub via: &'a str,
}

impl<'a> ExportRow<'a> {
    /// The row for a stored donation.
    pub fn of(stored: &'a StoredDonation) -> ExportRow<'a> {
        let d = &stored.donation;
        ExportRow {
            integration: &stored.integration,
            id: &d.id,
            kind: crate::store::kind_name(d.kind),
            reverses: d.reverses.as_deref(),
            amount: d.amount.minor_units,
            currency: &d.amount.currency,
            fee: d.fee.as_ref().map(|m| m.minor_units),
            net: d.net.as_ref().map(|m| m.minor_units),
            received_at: &d.received_at,
            first_name: &d.donor.first_name,
            last_name: &d.donor.last_name,
            email: d.donor.email.as_deref(),
            conduit: d.earmark.as_ref().map(|e| e.conduit_name.as_str()),
            conduit_fec_id: d.earmark.as_ref().and_then(|e| e.conduit_fec_id.as_deref()),
            payout_id: d.payout_id.as_deref(),
            recurring: d.recurrence.is_some(),
            livemode: d.livemode,
            via: &stored.via,
        }
    }
}

/// Write every stored donation (of one integration, or all) to `out`. Returns how many.
pub fn donations(
    store: &dyn Store,
    integration: Option<&str>,
    format: Format,
    out: &mut dyn Write,
) -> Result<u64, ExportError> {
    let mut count = 0u64;
    let mut write_error: Option<String> = None;
    match format {
        Format::Ndjson => store.each_donation(integration, &mut |stored| {
            let line = serde_json::to_string(&ExportRow::of(&stored))
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            if let Err(e) = writeln!(out, "{line}") {
                write_error = Some(e.to_string());
                return Err(StoreError::Database("output closed".into()));
            }
            count += 1;
            Ok(())
        }),
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(&mut *out);
            let result = store.each_donation(integration, &mut |stored| {
                if let Err(e) = writer.serialize(ExportRow::of(&stored)) {
                    write_error = Some(e.to_string());
                    return Err(StoreError::Database("output closed".into()));
                }
                count += 1;
                Ok(())
            });
            if count == 0 && result.is_ok() {
                // An empty export still says what its columns are.
                writer
                    .write_record(CSV_HEADER)
                    .map_err(|e| ExportError::Write(e.to_string()))?;
            }
            writer
                .flush()
                .map_err(|e| ExportError::Write(e.to_string()))?;
            result
        }
    }
    .map_err(|e| match write_error.take() {
        Some(w) => ExportError::Write(w),
        None => ExportError::Store(e),
    })?;
    Ok(count)
}

const CSV_HEADER: &[&str] = &[
    "integration",
    "id",
    "kind",
    "reverses",
    "amount",
    "currency",
    "fee",
    "net",
    "received_at",
    "first_name",
    "last_name",
    "email",
    "conduit",
    "conduit_fec_id",
    "payout_id",
    "recurring",
    "livemode",
    "via",
];
