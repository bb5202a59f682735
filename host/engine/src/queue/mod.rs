//! The import queue and the ledger it feeds: what campaign staff see every morning.
//!
//! Every stored donation enters the queue once ([`ImportQueue::enqueue_new`]). A reviewer
//! sees it with the contacts it may belong to ([`crate::matching`]) and approves it, choosing
//! a contact or a new one, or rejects it. Approval writes the ledger entries a compliance CRM
//! books, with the integration's defaults (bank account, election period, category):
//! - a contribution; or, for an earmarked donation (a conduit such as WinRed or ActBlue
//!   passing on an individual's gift), the **earmarked receipt** from the individual and the
//!   **conduit memo** linked to it, the conduit's organization record created once and reused;
//! - for a refund, chargeback or reversal, negative entries, each linked to the entry of the
//!   original it reverses (the original must be approved first).
//!
//! Deciding is idempotent: approving an approved item again (with the same contact) or
//! rejecting a rejected one changes nothing and says so; the opposite decision is refused.
//! Each decision keeps who made it, when, and why.

mod auto;
pub(crate) mod booking;
mod types;

pub use auto::{AutoImport, QueueSummary, after_sync, auto_import, auto_import_items};
pub use types::{
    Approval, Approved, ContactChoice, Decided, EntryRole, LedgerEntry, Organization,
    OrganizationId, QueueError, QueueFilter, QueueId, QueueItem, QueueStatus, Rejected,
};

use crate::matching::ContactId;

/// The queue and ledger operations. The embedded store implements it; a second backend
/// implements the same.
pub trait ImportQueue: Send + Sync {
    /// Put every stored donation that is not yet in the queue into it, oldest first. Returns
    /// how many were added.
    fn enqueue_new(&self) -> Result<u64, QueueError>;
    /// As [`ImportQueue::enqueue_new`], for one integration: what a run's end sweeps, read by
    /// the integration's keys instead of over every integration's donations.
    fn enqueue_new_of(&self, integration: &str) -> Result<u64, QueueError>;
    /// Put these stored donations of `integration` into the queue, in the order given (those
    /// already in it, or not stored, are passed by); the items added. A webhook delivery's
    /// path: its own donations, not a scan of every stored one.
    fn enqueue(
        &self,
        integration: &str,
        donation_ids: &[String],
    ) -> Result<Vec<QueueId>, QueueError>;
    /// Queue items matching `filter`, oldest first.
    fn queue_items(&self, filter: &QueueFilter) -> Result<Vec<QueueItem>, QueueError>;
    /// How many items wait for review (of one integration, or all).
    fn pending_count(&self, integration: Option<&str>) -> Result<u64, QueueError>;
    /// One queue item.
    fn queue_item(&self, id: QueueId) -> Result<QueueItem, QueueError>;
    /// Approve an item: its ledger entries, in one transaction.
    fn approve(&self, id: QueueId, approval: &Approval<'_>) -> Result<Approved, QueueError>;
    /// Reject an item: nothing reaches the ledger.
    fn reject(&self, id: QueueId, reason: Option<&str>, by: &str) -> Result<Rejected, QueueError>;
    /// Ledger entries (of one integration, or all), in the order they were made.
    fn ledger(&self, integration: Option<&str>) -> Result<Vec<LedgerEntry>, QueueError>;
    /// Organizations (conduits) the ledger refers to.
    fn organizations(&self) -> Result<Vec<Organization>, QueueError>;
    /// A contact's aggregate for an election period, in minor units: what itemization (over
    /// $200) and the FEC's aggregate column are decided on. Conduit memos are the conduit's,
    /// not the contact's, and do not count; refunds do.
    fn aggregate(&self, contact: ContactId, election_period: &str) -> Result<i64, QueueError>;
}
