//! The queue's and the ledger's records, and what goes wrong deciding.

use intake_host::types::{Donation, Money, PostalAddress};
use serde::Serialize;

use crate::config::ImportDefaults;
use crate::matching::ContactId;
use crate::store::StoreError;

/// A queue item's number, as staff type it (`intake queue approve 42`).
pub type QueueId = i64;

/// An organization record's number.
pub type OrganizationId = i64;

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QueueStatus {
    /// Waiting for a reviewer.
    Pending,
    /// In the ledger.
    Approved,
    /// Kept out of the ledger.
    Rejected,
}

impl QueueStatus {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            QueueStatus::Pending => "pending",
            QueueStatus::Approved => "approved",
            QueueStatus::Rejected => "rejected",
        }
    }

    /// The status with this stored name.
    pub fn parse(text: &str) -> Option<QueueStatus> {
        match text {
            "pending" => Some(QueueStatus::Pending),
            "approved" => Some(QueueStatus::Approved),
            "rejected" => Some(QueueStatus::Rejected),
            _ => None,
        }
    }
}

/// Who decided, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decided {
    /// RFC 3339 UTC.
    pub at: String,
    /// The reviewer's name, or "auto" for an automatic import.
    pub by: String,
    /// The reviewer's reason (a rejection's, usually).
    pub reason: Option<String>,
}

/// One donation waiting for (or past) review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueItem {
    /// Its number.
    pub id: QueueId,
    /// The integration it came through.
    pub integration: String,
    /// The donation as stored.
    pub donation: Donation,
    /// Where it stands.
    pub status: QueueStatus,
    /// When it entered the queue.
    pub queued_at: String,
    /// The decision, once made.
    pub decided: Option<Decided>,
    /// The contact it was approved for.
    pub contact: Option<ContactId>,
}

/// Which items to list.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// Only this integration's.
    pub integration: Option<String>,
    /// Only items in this state (None: all).
    pub status: Option<QueueStatus>,
    /// At most this many (None: all).
    pub limit: Option<usize>,
}

/// The donor an approval books the donation to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactChoice {
    /// A contact already kept (one of the candidates, usually).
    Existing(ContactId),
    /// A new contact made from the donation's donor.
    New,
}

/// A reviewer's approval.
#[derive(Debug, Clone, Copy)]
pub struct Approval<'a> {
    /// The donor's contact. Ignored for a refund, chargeback or reversal, which belongs to
    /// its original's contact.
    pub contact: ContactChoice,
    /// The integration's import defaults, applied to each entry.
    pub defaults: &'a ImportDefaults,
    /// The reviewer's name.
    pub by: &'a str,
}

/// What an approval did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Approved {
    /// The item.
    pub item: QueueId,
    /// The contact the entries are booked to.
    pub contact: ContactId,
    /// Whether a new contact was made for it.
    pub new_contact: bool,
    /// The entries written (or, when already approved, those written then).
    pub entries: Vec<LedgerEntry>,
    /// True when the item was already approved: nothing changed.
    pub already: bool,
}

/// What a rejection did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    /// The item.
    pub item: QueueId,
    /// The decision.
    pub decided: Decided,
    /// True when the item was already rejected: nothing changed.
    pub already: bool,
}

/// What a ledger entry stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryRole {
    /// A contribution received directly (a Stripe charge on the committee's own page).
    Contribution,
    /// An individual's contribution passed on by a conduit, earmarked for the committee.
    EarmarkedReceipt,
    /// The conduit's memo entry accompanying an earmarked receipt (not money of its own).
    ConduitMemo,
}

impl EntryRole {
    /// The name stored and exported.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryRole::Contribution => "contribution",
            EntryRole::EarmarkedReceipt => "earmarked_receipt",
            EntryRole::ConduitMemo => "conduit_memo",
        }
    }

    /// The role with this stored name.
    pub fn parse(text: &str) -> Option<EntryRole> {
        match text {
            "contribution" => Some(EntryRole::Contribution),
            "earmarked_receipt" => Some(EntryRole::EarmarkedReceipt),
            "conduit_memo" => Some(EntryRole::ConduitMemo),
            _ => None,
        }
    }
}

/// One entry in the committee's books.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LedgerEntry {
    /// Its number; FEC transaction ids are made from it.
    pub id: i64,
    /// The integration the donation came through.
    pub integration: String,
    /// The processor's id of the donation (or refund) it books.
    pub donation_id: String,
    /// What it stands for.
    pub role: EntryRole,
    /// The donor (receipts, contributions and their reversals).
    pub contact: Option<ContactId>,
    /// The conduit (memos).
    pub organization: Option<OrganizationId>,
    /// For a conduit memo: the earmarked receipt it accompanies.
    pub memo_for: Option<i64>,
    /// For a refund, chargeback or reversal: the entry it reverses.
    pub reverses: Option<i64>,
    /// Negative for a refund, chargeback or reversal.
    pub amount: Money,
    /// When the money was received (RFC 3339 UTC), as the donation says.
    pub received_at: String,
    /// The integration's defaults at approval.
    pub bank_account: Option<String>,
    /// The election the money is for, e.g. "P2026".
    pub election_period: Option<String>,
    /// The CRM's category.
    pub category: Option<String>,
    /// The payout (deposit, conduit check) that settled it, once known.
    pub payout_id: Option<String>,
    /// When the entry was made.
    pub created_at: String,
}

/// An organization record: a conduit, made once and reused by every memo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organization {
    /// Its number.
    pub id: OrganizationId,
    /// E.g. "WinRed PAC".
    pub name: String,
    /// E.g. "C00694323".
    pub fec_id: Option<String>,
    /// Where it is.
    pub address: Option<PostalAddress>,
}

/// What went wrong deciding.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QueueError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No queue item has this number.
    #[error("no queue item {0}")]
    NotFound(QueueId),
    /// The item was decided the other way (or for another contact) already.
    #[error("queue item {id} was already {status} by {by} at {at}; that decision stands")]
    AlreadyDecided {
        /// The item.
        id: QueueId,
        /// "approved" or "rejected".
        status: &'static str,
        /// Who decided.
        by: String,
        /// When.
        at: String,
    },
    /// The chosen contact does not exist.
    #[error("no contact {0}")]
    NoSuchContact(ContactId),
    /// A refund's original has not been approved.
    #[error(
        "queue item {id} reverses `{original}`, which is not in the ledger yet: approve the original first"
    )]
    OriginalNotApproved {
        /// The refund's item.
        id: QueueId,
        /// The original donation's processor id.
        original: String,
    },
    /// Money that does not fit the books.
    #[error("queue item {id}: {message}")]
    BadAmount {
        /// The item.
        id: QueueId,
        /// Why.
        message: String,
    },
}
