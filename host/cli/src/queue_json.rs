//! The import queue as JSON: what `intake queue list|show --json` print and what the
//! service's `/api/queue` answers, built in one place so the two never drift apart.

use intake_engine::matching::{Candidate, Contact};
use intake_engine::queue::{LedgerEntry, QueueError, QueueFilter, QueueItem, QueueStatus};
use intake_engine::store::Backend;
use serde_json::{Value, json};

/// Possible matches shown per item.
pub const CANDIDATES: usize = 5;

/// The possible matches of an item: none for a refund (it follows its original).
pub fn candidates(store: &dyn Backend, item: &QueueItem) -> Result<Vec<Candidate>, QueueError> {
    if item.donation.reverses.is_some() {
        return Ok(Vec::new());
    }
    Ok(store.candidates(&item.donation.donor, CANDIDATES)?)
}

/// The items `filter` selects, each pending one with its possible matches.
pub fn list(
    store: &dyn Backend,
    filter: &QueueFilter,
) -> Result<Vec<(QueueItem, Vec<Candidate>)>, QueueError> {
    store.enqueue_new()?;
    let items = store.queue_items(filter)?;
    let mut rows = Vec::with_capacity(items.len());
    for item in items {
        let found = match item.status {
            QueueStatus::Pending => candidates(store, &item)?,
            _ => Vec::new(),
        };
        rows.push((item, found));
    }
    Ok(rows)
}

/// One listed item: `{ "item": …, "candidates": [...] }`.
pub fn list_entry(item: &QueueItem, candidates: &[Candidate]) -> Value {
    json!({ "item": item, "candidates": candidates })
}

/// One item in full: the item, each candidate with its contact, its ledger entries.
pub struct Shown {
    /// The item.
    pub item: QueueItem,
    /// Each possible match with the contact it names.
    pub candidates: Vec<(Candidate, Option<Contact>)>,
    /// What its approval booked.
    pub entries: Vec<LedgerEntry>,
}

/// Read one item in full.
pub fn show(store: &dyn Backend, id: intake_engine::queue::QueueId) -> Result<Shown, QueueError> {
    store.enqueue_new()?;
    let item = store.queue_item(id)?;
    let mut with_contacts = Vec::new();
    for candidate in candidates(store, &item)? {
        let contact = store.contact(candidate.contact)?;
        with_contacts.push((candidate, contact));
    }
    let entries: Vec<_> = store
        .ledger(Some(&item.integration))?
        .into_iter()
        .filter(|e| e.donation_id == item.donation.id)
        .collect();
    Ok(Shown {
        item,
        candidates: with_contacts,
        entries,
    })
}

impl Shown {
    /// `{ "item": …, "candidates": [{ "candidate": …, "contact": … }], "entries": [...] }`.
    pub fn to_json(&self) -> Value {
        let candidates: Vec<_> = self
            .candidates
            .iter()
            .map(|(c, contact)| json!({ "candidate": c, "contact": contact }))
            .collect();
        json!({ "item": self.item, "candidates": candidates, "entries": self.entries })
    }
}
