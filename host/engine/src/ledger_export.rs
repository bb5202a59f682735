//! Writing the books out: ledger entries, contacts and payouts, as NDJSON or CSV, flat rows
//! a spreadsheet or a CRM import reads as they are. Money in integer minor units.

use std::collections::HashMap;
use std::io::Write;

use serde::Serialize;

use crate::export::{ExportError, Format};
use crate::matching::Contact;
use crate::queue::{ImportQueue, LedgerEntry};
use crate::store::{Store, StoredPayout};

/// One ledger entry, with its conduit's name beside the organization id.
#[derive(Debug, Serialize)]
pub struct EntryRow<'a> {
    /// The entry's number.
    pub entry_id: i64,
    /// The integration.
    pub integration: &'a str,
    /// The processor's id of what it books.
    pub donation_id: &'a str,
    /// contribution, earmarked_receipt or conduit_memo.
    pub role: &'static str,
    /// The donor's contact.
    pub contact_id: Option<i64>,
    /// The conduit's organization record (memos).
    pub organization_id: Option<i64>,
    /// The conduit's name (memos).
    pub organization: Option<&'a str>,
    /// A memo's receipt.
    pub memo_for: Option<i64>,
    /// The entry a refund reverses.
    pub reverses: Option<i64>,
    /// Minor units; negative for money going back.
    pub amount: i64,
    /// ISO 4217.
    pub currency: &'a str,
    /// RFC 3339 UTC.
    pub received_at: &'a str,
    /// The integration's default at approval.
    pub bank_account: Option<&'a str>,
    /// E.g. P2026.
    pub election_period: Option<&'a str>,
    /// The CRM's category.
    pub category: Option<&'a str>,
    /// The deposit or conduit check that settled it.
    pub payout_id: Option<&'a str>,
    /// When it was booked.
    pub created_at: &'a str,
}

const ENTRY_HEADER: &[&str] = &[
    "entry_id",
    "integration",
    "donation_id",
    "role",
    "contact_id",
    "organization_id",
    "organization",
    "memo_for",
    "reverses",
    "amount",
    "currency",
    "received_at",
    "bank_account",
    "election_period",
    "category",
    "payout_id",
    "created_at",
];

/// One contact.
#[derive(Debug, Serialize)]
pub struct ContactRow<'a> {
    /// The contact's number.
    pub contact_id: i64,
    /// Given name.
    pub first_name: &'a str,
    /// Middle name.
    pub middle_name: Option<&'a str>,
    /// Family name.
    pub last_name: &'a str,
    /// Jr., III…
    pub suffix: Option<&'a str>,
    /// Email.
    pub email: Option<&'a str>,
    /// Phone.
    pub phone: Option<&'a str>,
    /// Street.
    pub line1: Option<&'a str>,
    /// Apartment, suite.
    pub line2: Option<&'a str>,
    /// City.
    pub city: Option<&'a str>,
    /// State.
    pub region: Option<&'a str>,
    /// ZIP.
    pub postal_code: Option<&'a str>,
    /// Country.
    pub country: Option<&'a str>,
    /// Employer.
    pub employer: Option<&'a str>,
    /// Occupation.
    pub occupation: Option<&'a str>,
    /// When it was made.
    pub created_at: &'a str,
}

const CONTACT_HEADER: &[&str] = &[
    "contact_id",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "email",
    "phone",
    "line1",
    "line2",
    "city",
    "region",
    "postal_code",
    "country",
    "employer",
    "occupation",
    "created_at",
];

/// One payout with what it settles.
#[derive(Debug, Serialize)]
pub struct PayoutRow<'a> {
    /// The integration.
    pub integration: &'a str,
    /// The processor's id (a Stripe payout, a WinRed check).
    pub payout_id: &'a str,
    /// RFC 3339 UTC.
    pub paid_at: &'a str,
    /// Minor units.
    pub gross: i64,
    /// Minor units.
    pub fees: i64,
    /// Minor units: what reached the bank.
    pub net: i64,
    /// ISO 4217.
    pub currency: &'a str,
    /// The donations it settles, space-separated processor ids.
    pub donation_ids: String,
    /// The fee entries it settles.
    pub fee_ids: String,
    /// Live or test money.
    pub livemode: bool,
}

const PAYOUT_HEADER: &[&str] = &[
    "integration",
    "payout_id",
    "paid_at",
    "gross",
    "fees",
    "net",
    "currency",
    "donation_ids",
    "fee_ids",
    "livemode",
];

fn write_rows<T: Serialize>(
    rows: impl Iterator<Item = T>,
    header: &[&str],
    format: Format,
    out: &mut dyn Write,
) -> Result<u64, ExportError> {
    let write = |e: &dyn std::fmt::Display| ExportError::Write(e.to_string());
    let mut count = 0;
    match format {
        Format::Ndjson => {
            for row in rows {
                let line = serde_json::to_string(&row).map_err(|e| write(&e))?;
                writeln!(out, "{line}").map_err(|e| write(&e))?;
                count += 1;
            }
        }
        Format::Csv => {
            let mut writer = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(&mut *out);
            writer.write_record(header).map_err(|e| write(&e))?;
            for row in rows {
                writer.serialize(row).map_err(|e| write(&e))?;
                count += 1;
            }
            writer.flush().map_err(|e| write(&e))?;
        }
    }
    Ok(count)
}

/// Every ledger entry (of one integration, or all), in booking order. Returns how many.
pub fn entries(
    queue: &dyn ImportQueue,
    integration: Option<&str>,
    format: Format,
    out: &mut dyn Write,
) -> Result<u64, ExportError> {
    let organizations: HashMap<i64, String> = queue
        .organizations()?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let entries: Vec<LedgerEntry> = queue.ledger(integration)?;
    let rows = entries.iter().map(|e| EntryRow {
        entry_id: e.id,
        integration: &e.integration,
        donation_id: &e.donation_id,
        role: e.role.as_str(),
        contact_id: e.contact,
        organization_id: e.organization,
        organization: e
            .organization
            .and_then(|id| organizations.get(&id))
            .map(String::as_str),
        memo_for: e.memo_for,
        reverses: e.reverses,
        amount: e.amount.minor_units,
        currency: &e.amount.currency,
        received_at: &e.received_at,
        bank_account: e.bank_account.as_deref(),
        election_period: e.election_period.as_deref(),
        category: e.category.as_deref(),
        payout_id: e.payout_id.as_deref(),
        created_at: &e.created_at,
    });
    write_rows(rows, ENTRY_HEADER, format, out)
}

/// Every contact, by number.
pub fn contacts(
    contacts: &[Contact],
    format: Format,
    out: &mut dyn Write,
) -> Result<u64, ExportError> {
    let rows = contacts.iter().map(|c| {
        let p = &c.person;
        let a = p.address.as_ref();
        ContactRow {
            contact_id: c.id,
            first_name: &p.first_name,
            middle_name: p.middle_name.as_deref(),
            last_name: &p.last_name,
            suffix: p.suffix.as_deref(),
            email: p.email.as_deref(),
            phone: p.phone.as_deref(),
            line1: a.map(|a| a.line1.as_str()),
            line2: a.and_then(|a| a.line2.as_deref()),
            city: a.map(|a| a.city.as_str()),
            region: a.map(|a| a.region.as_str()),
            postal_code: a.map(|a| a.postal_code.as_str()),
            country: a.map(|a| a.country.as_str()),
            employer: p.employer.as_deref(),
            occupation: p.occupation.as_deref(),
            created_at: &c.created_at,
        }
    });
    write_rows(rows, CONTACT_HEADER, format, out)
}

/// Every payout (of one integration, or all) with the ids of what it settles.
pub fn payouts(
    store: &dyn Store,
    integration: Option<&str>,
    format: Format,
    out: &mut dyn Write,
) -> Result<u64, ExportError> {
    let payouts: Vec<StoredPayout> = store.payouts(integration)?;
    let rows = payouts.iter().map(|s| {
        let p = &s.payout;
        PayoutRow {
            integration: &s.integration,
            payout_id: &p.id,
            paid_at: &p.paid_at,
            gross: p.gross.minor_units,
            fees: p.fees.minor_units,
            net: p.net.minor_units,
            currency: &p.net.currency,
            donation_ids: p.donation_ids.join(" "),
            fee_ids: p.fee_ids.join(" "),
            livemode: p.livemode,
        }
    });
    write_rows(rows, PAYOUT_HEADER, format, out)
}
