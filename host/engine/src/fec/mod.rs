//! FEC electronic filing: a `.fec` file (format 8.5) of the committee's itemized receipts.
//!
//! [`write_report`] writes the HDR record, the committee's cover record (F3N for a House or
//! Senate campaign, F3XN for a PAC or party; summary amounts left for the filing software),
//! then each [`Receipt`] as a Schedule A line 11(a)(i) (`SA11AI`) line. Fields are separated
//! by ASCII 28 and rows end with CRLF.
//!
//! # Earmarks: the FECfile+ convention
//! Of the two conventions seen in accepted filings, this follows the FEC's own FECfile+
//! (`EARMARK_RECEIPT` + `EARMARK_MEMO`): the receipt is the individual's (entity `IND`,
//! purpose "Earmarked through <conduit>"), followed by a memo line for the conduit (entity
//! `COM`, the conduit's name, address and FEC id, memo code `X`, purpose "Total earmarked
//! through conduit.") whose back reference (columns 4–5) names the receipt. Chosen because it
//! is the FEC's own software's model (what the FEC's validator is written against), the money
//! sits on the donor's line, and the memo points at its receipt, which is how the ledger
//! links them too. The memo's aggregate is the conduit's running total, per election, over
//! the receipts of this report.
//!
//! # Field rules
//! Text is transliterated to printable ASCII and cut to the FEC's field lengths
//! ([`field::text`]); amounts are written from integer cents; dates as `YYYYMMDD`. Employer
//! and occupation are written when the aggregate is over $200, as "INFORMATION REQUESTED"
//! when the donor gave none (the FEC's best-efforts wording).
//!
//! [`ledger::receipts`] turns the import queue's ledger into receipts.

mod error;
pub mod field;
pub mod ledger;
mod record;
mod writer;

pub use error::FecError;
pub use record::{F3_COLUMNS, F3X_COLUMNS, ITEMIZE_OVER_CENTS, SA_COLUMNS, VERSION};
pub use writer::write_report;

/// The committee the report is filed for: the config's `[committee]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committee {
    /// Its FEC id, `C` and 8 digits.
    pub fec_id: String,
    /// Its name.
    pub name: String,
    /// Which cover record it files.
    pub form: CommitteeForm,
    /// Street, first line.
    pub street_1: String,
    /// Street, second line.
    pub street_2: Option<String>,
    /// City.
    pub city: String,
    /// Two-letter state.
    pub state: String,
    /// ZIP, 5 or 9 digits.
    pub zip: String,
    /// Who signs.
    pub treasurer: Treasurer,
}

/// The report form a committee files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CommitteeForm {
    /// House and Senate campaigns (the ones that receive earmarks).
    #[default]
    F3,
    /// PACs and parties.
    F3X,
}

/// The committee's treasurer, as the cover record names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Treasurer {
    /// Family name.
    pub last: String,
    /// Given name.
    pub first: String,
    /// Middle name.
    pub middle: Option<String>,
    /// "Ms.", "Dr."…
    pub prefix: Option<String>,
    /// "Jr."…
    pub suffix: Option<String>,
}

/// The report being filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// First day covered.
    pub from: time::Date,
    /// Last day covered.
    pub through: time::Date,
    /// E.g. `Q3`, `YE`, `12G`.
    pub report_code: String,
    /// The HDR's software name.
    pub software_name: String,
    /// The HDR's software version.
    pub software_version: String,
    /// The cover's date signed; None leaves it for the treasurer's filing software (the
    /// FEC requires it at filing).
    pub date_signed: Option<time::Date>,
}

/// One itemized receipt from an individual.
#[derive(Debug, Clone, PartialEq)]
pub struct Receipt {
    /// Unique in the committee's reports: 1–20 upper-case letters and digits.
    pub transaction_id: String,
    /// Who gave it.
    pub contributor: intake_host::types::Person,
    /// When it was received (by the conduit, for an earmark).
    pub date: time::Date,
    /// The amount, in cents, positive.
    pub amount_cents: i64,
    /// The contributor's aggregate for this election, this receipt included.
    pub aggregate_cents: i64,
    /// E.g. `P2026`.
    pub election_code: String,
    /// For an earmarked receipt: the conduit memo line that follows it.
    pub earmark: Option<ConduitMemo>,
}

/// The conduit memo line of an earmarked receipt.
#[derive(Debug, Clone, PartialEq)]
pub struct ConduitMemo {
    /// The memo line's own transaction id.
    pub transaction_id: String,
    /// The conduit (e.g. WinRed PAC, C00694323).
    pub conduit: intake_host::types::Organization,
}
