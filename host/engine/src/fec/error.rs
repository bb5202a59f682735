//! What goes wrong writing a .fec file: each error names the receipt or entry it is about.

/// Why a report could not be written. Nothing is written past the first error's line, and
/// nothing in the inputs is changed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FecError {
    /// The committee's FEC id is not `C` followed by 8 digits.
    #[error("`{0}` is not an FEC committee id: C followed by 8 digits")]
    BadCommitteeId(String),
    /// A transaction id is empty, too long, or not upper-case letters and digits.
    #[error(
        "receipt `{receipt}`: transaction id `{id}` must be 1-20 upper-case letters and digits"
    )]
    BadTransactionId {
        /// The receipt's transaction id.
        receipt: String,
        /// The offending id (the receipt's or its memo's).
        id: String,
    },
    /// Two lines of the report carry the same transaction id.
    #[error("transaction id `{0}` is used twice in the report; each line needs its own")]
    DuplicateTransactionId(String),
    /// An amount does not fit the FEC's 12-character column, or arithmetic on it overflowed.
    #[error("receipt `{receipt}`: {what} of {cents} cents does not fit the FEC's amount column")]
    Overflow {
        /// The receipt's transaction id (or the ledger entry's).
        receipt: String,
        /// "amount" or "aggregate".
        what: &'static str,
        /// The value, in cents.
        cents: i64,
    },
    /// A receipt's amount is zero or negative: refunds are not Schedule A 11(a)(i) lines.
    #[error(
        "receipt `{receipt}`: amount {cents} cents is not a receipt (refunds belong on Schedule B)"
    )]
    NotAReceipt {
        /// The receipt's transaction id.
        receipt: String,
        /// The amount, in cents.
        cents: i64,
    },
    /// The report itself is wrong: coverage dates backwards, a bad report code.
    #[error("report: {0}")]
    BadReport(String),
    /// A receipt's date falls outside the report's coverage.
    #[error(
        "receipt `{receipt}`: date {date} is outside the report's coverage {from} to {through}"
    )]
    DateOutsideReport {
        /// The receipt's transaction id.
        receipt: String,
        /// The receipt's date.
        date: time::Date,
        /// First day covered.
        from: time::Date,
        /// Last day covered.
        through: time::Date,
    },
    /// A value the FEC requires is missing.
    #[error("receipt `{receipt}`: {what} is required")]
    Missing {
        /// The receipt's transaction id.
        receipt: String,
        /// The missing value, in words.
        what: String,
    },
    /// A ledger entry has no election period, so its aggregate and election code are unknown.
    #[error(
        "ledger entry {entry} ({donation}) has no election period, which its election code and aggregate need: set `defaults.election_period` on the integration for what is approved next, and give this entry one"
    )]
    MissingElectionPeriod {
        /// The ledger entry's number.
        entry: i64,
        /// The processor's id of the donation it books.
        donation: String,
    },
    /// A ledger entry refers to something the store does not have.
    #[error("ledger entry {entry}: {message}")]
    Ledger {
        /// The ledger entry's number.
        entry: i64,
        /// What is missing.
        message: String,
    },
    /// The import queue (the store) failed.
    #[error(transparent)]
    Queue(#[from] crate::queue::QueueError),
    /// Writing the file failed.
    #[error("writing the .fec file: {0}")]
    Io(#[from] std::io::Error),
}
