//! What a decision books, written once for every backend: a backend lends the few reads and
//! writes below inside one transaction of its own, and the rules of approval live here.

use intake_host::types::{Earmark, Person};

use super::{
    Approval, Approved, ContactChoice, Decided, EntryRole, LedgerEntry, OrganizationId, QueueError,
    QueueId, QueueItem, QueueStatus, Rejected,
};
use crate::matching::ContactId;
use crate::store::now_rfc3339;

/// One ledger entry to write; the rest comes from the item and the approval.
pub(crate) struct NewEntry {
    pub(crate) role: EntryRole,
    pub(crate) contact: Option<ContactId>,
    pub(crate) organization: Option<OrganizationId>,
    pub(crate) memo_for: Option<i64>,
    pub(crate) reverses: Option<i64>,
    /// Minor units: negative for a reversal.
    pub(crate) amount: i64,
}

/// The reads and writes a decision needs, inside one open transaction of the backend.
pub(crate) trait LedgerTx {
    /// The item, locked against a concurrent decision where the backend needs that.
    fn item_for_update(&mut self, id: QueueId) -> Result<QueueItem, QueueError>;
    /// The entries booked for one processor id, in the order they were made.
    fn entries_of(
        &mut self,
        integration: &str,
        donation_id: &str,
    ) -> Result<Vec<LedgerEntry>, QueueError>;
    /// Write an entry; its id.
    fn insert_entry(
        &mut self,
        item: &QueueItem,
        approval: &Approval<'_>,
        entry: &NewEntry,
        now: &str,
    ) -> Result<i64, QueueError>;
    /// The conduit's organization record, made the first time it is seen.
    fn conduit(&mut self, earmark: &Earmark) -> Result<OrganizationId, QueueError>;
    /// Whether the contact exists.
    fn contact_exists(&mut self, id: ContactId) -> Result<bool, QueueError>;
    /// Make a contact for `person`.
    fn insert_contact(&mut self, person: &Person) -> Result<ContactId, QueueError>;
    /// Record an approval.
    fn mark_approved(
        &mut self,
        id: QueueId,
        at: &str,
        by: &str,
        contact: ContactId,
    ) -> Result<(), QueueError>;
    /// Record a rejection.
    fn mark_rejected(&mut self, id: QueueId, decided: &Decided) -> Result<(), QueueError>;
}

fn already_decided(item: &QueueItem) -> QueueError {
    let decided = item.decided.clone().unwrap_or(Decided {
        at: String::new(),
        by: String::new(),
        reason: None,
    });
    QueueError::AlreadyDecided {
        id: item.id,
        status: item.status.as_str(),
        by: decided.by,
        at: decided.at,
    }
}

/// Approve item `id` inside `tx` (the caller commits). Approving again with the same contact
/// changes nothing and says so; a rejected item, or another contact, is refused.
pub(crate) fn approve(
    tx: &mut impl LedgerTx,
    id: QueueId,
    approval: &Approval<'_>,
) -> Result<Approved, QueueError> {
    let item = tx.item_for_update(id)?;
    let reversal = item.donation.reverses.clone();
    match item.status {
        QueueStatus::Rejected => return Err(already_decided(&item)),
        QueueStatus::Approved => {
            let contact = item.contact.unwrap_or_default();
            let other_contact = matches!(approval.contact,
                ContactChoice::Existing(c) if c != contact && reversal.is_none());
            if other_contact {
                return Err(already_decided(&item));
            }
            return Ok(Approved {
                item: id,
                contact,
                new_contact: false,
                entries: tx.entries_of(&item.integration, &item.donation.id)?,
                already: true,
            });
        }
        QueueStatus::Pending => {}
    }
    let now = now_rfc3339();
    let (contact, new_contact) = match &reversal {
        Some(original) => (book_reversal(tx, &item, approval, original, &now)?, false),
        None => {
            let (contact, new_contact) = match approval.contact {
                ContactChoice::Existing(c) if tx.contact_exists(c)? => (c, false),
                ContactChoice::Existing(c) => return Err(QueueError::NoSuchContact(c)),
                ContactChoice::New => (tx.insert_contact(&item.donation.donor)?, true),
            };
            book_donation(tx, &item, approval, contact, &now)?;
            (contact, new_contact)
        }
    };
    tx.mark_approved(id, &now, approval.by, contact)?;
    Ok(Approved {
        item: id,
        contact,
        new_contact,
        entries: tx.entries_of(&item.integration, &item.donation.id)?,
        already: false,
    })
}

/// Reject item `id` inside `tx` (the caller commits). Rejecting again changes nothing; an
/// approved item is refused.
pub(crate) fn reject(
    tx: &mut impl LedgerTx,
    id: QueueId,
    reason: Option<&str>,
    by: &str,
) -> Result<Rejected, QueueError> {
    let item = tx.item_for_update(id)?;
    match item.status {
        QueueStatus::Approved => return Err(already_decided(&item)),
        QueueStatus::Rejected => {
            return Ok(Rejected {
                item: id,
                decided: item.decided.clone().unwrap_or(Decided {
                    at: String::new(),
                    by: String::new(),
                    reason: None,
                }),
                already: true,
            });
        }
        QueueStatus::Pending => {}
    }
    let decided = Decided {
        at: now_rfc3339(),
        by: by.to_string(),
        reason: reason.map(str::to_string),
    };
    tx.mark_rejected(id, &decided)?;
    Ok(Rejected {
        item: id,
        decided,
        already: false,
    })
}

/// Book a new donation: a contribution, or an earmarked receipt with its conduit memo.
fn book_donation(
    tx: &mut impl LedgerTx,
    item: &QueueItem,
    approval: &Approval<'_>,
    contact: ContactId,
    now: &str,
) -> Result<(), QueueError> {
    let amount = item.donation.amount.minor_units;
    let plain = |role| NewEntry {
        role,
        contact: Some(contact),
        organization: None,
        memo_for: None,
        reverses: None,
        amount,
    };
    match &item.donation.earmark {
        None => {
            tx.insert_entry(item, approval, &plain(EntryRole::Contribution), now)?;
        }
        Some(earmark) => {
            let receipt =
                tx.insert_entry(item, approval, &plain(EntryRole::EarmarkedReceipt), now)?;
            let organization = tx.conduit(earmark)?;
            let memo = NewEntry {
                role: EntryRole::ConduitMemo,
                contact: None,
                organization: Some(organization),
                memo_for: Some(receipt),
                reverses: None,
                amount,
            };
            tx.insert_entry(item, approval, &memo, now)?;
        }
    }
    Ok(())
}

/// Book a refund, chargeback or reversal: one negative entry per entry of the original, each
/// linked to it (a memo's reversal to the receipt's reversal). Returns the original's contact.
fn book_reversal(
    tx: &mut impl LedgerTx,
    item: &QueueItem,
    approval: &Approval<'_>,
    original: &str,
    now: &str,
) -> Result<ContactId, QueueError> {
    let originals = tx.entries_of(&item.integration, original)?;
    let contact = originals.iter().find_map(|e| e.contact).ok_or_else(|| {
        QueueError::OriginalNotApproved {
            id: item.id,
            original: original.to_string(),
        }
    })?;
    // Refunds arrive negative by the contract; a processor that sends them positive still
    // books a negative entry.
    let amount = item
        .donation
        .amount
        .minor_units
        .checked_abs()
        .map(|a| -a)
        .ok_or_else(|| QueueError::BadAmount {
            id: item.id,
            message: "the amount does not fit the ledger".into(),
        })?;
    let mut reversed_receipt = None;
    for entry in &originals {
        let reversal = NewEntry {
            role: entry.role,
            contact: entry.contact,
            organization: entry.organization,
            memo_for: entry.memo_for.and(reversed_receipt),
            reverses: Some(entry.id),
            amount,
        };
        let id = tx.insert_entry(item, approval, &reversal, now)?;
        if entry.role == EntryRole::EarmarkedReceipt {
            reversed_receipt = Some(id);
        }
    }
    Ok(contact)
}
