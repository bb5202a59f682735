//! `import = "auto"`: the queue decided without a reviewer, where it safely can be.

use serde::Serialize;

use super::{
    Approval, ContactChoice, ImportQueue, QueueError, QueueFilter, QueueId, QueueItem, QueueStatus,
};
use crate::IntegrationReport;
use crate::config::{Config, ImportMode, IntegrationConfig};
use crate::matching::{AUTO_MATCH_SCORE, ContactMatcher};

/// What an automatic import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AutoImport {
    /// Items approved.
    pub approved: u64,
    /// Of those, booked to an existing contact (one strong candidate).
    pub matched: u64,
    /// Of those, booked to a new contact (no strong candidate).
    pub new_contacts: u64,
    /// Left in the queue: several strong candidates, so a reviewer chooses.
    pub ambiguous: u64,
    /// Left in the queue: a refund whose original is not in the ledger.
    pub waiting: u64,
}

/// Approve the integration's pending items: each booked to its one candidate scoring at
/// least [`AUTO_MATCH_SCORE`], or to a new contact when none does. An item with several
/// such candidates is left for a reviewer (booking it to the wrong one of two likely
/// duplicates would corrupt both aggregates). Oldest first, so a refund follows its original.
pub fn auto_import<S>(store: &S, integration: &IntegrationConfig) -> Result<AutoImport, QueueError>
where
    S: ImportQueue + ContactMatcher + ?Sized,
{
    store.enqueue_new_of(&integration.id)?;
    let pending = store.queue_items(&QueueFilter {
        integration: Some(integration.id.clone()),
        status: Some(QueueStatus::Pending),
        limit: None,
    })?;
    let mut done = AutoImport::default();
    for item in pending {
        decide(store, integration, &item, &mut done)?;
    }
    Ok(done)
}

/// As [`auto_import`], for these items only (a webhook delivery's, just queued): the cost of
/// a delivery stays its own, however many items wait for review. A refund waiting for its
/// original, or an item left to a reviewer, is looked at again by the next sync's pass.
pub fn auto_import_items<S>(
    store: &S,
    integration: &IntegrationConfig,
    items: &[QueueId],
) -> Result<AutoImport, QueueError>
where
    S: ImportQueue + ContactMatcher + ?Sized,
{
    let mut done = AutoImport::default();
    for &id in items {
        let item = store.queue_item(id)?;
        if item.status == QueueStatus::Pending {
            decide(store, integration, &item, &mut done)?;
        }
    }
    Ok(done)
}

/// Approve one pending item where it can safely be, and count what happened.
fn decide<S>(
    store: &S,
    integration: &IntegrationConfig,
    item: &QueueItem,
    done: &mut AutoImport,
) -> Result<(), QueueError>
where
    S: ImportQueue + ContactMatcher + ?Sized,
{
    let contact = if item.donation.reverses.is_some() {
        ContactChoice::New // unused: a reversal belongs to its original's contact
    } else {
        let strong: Vec<_> = store
            .candidates(&item.donation.donor, 3)?
            .into_iter()
            .filter(|c| c.score >= AUTO_MATCH_SCORE)
            .collect();
        match strong.as_slice() {
            [] => ContactChoice::New,
            [one] => ContactChoice::Existing(one.contact),
            _ => {
                done.ambiguous += 1;
                return Ok(());
            }
        }
    };
    let approval = Approval {
        contact,
        defaults: &integration.defaults,
        by: "auto",
    };
    match store.approve(item.id, &approval) {
        Ok(approved) => {
            done.approved += 1;
            if item.donation.reverses.is_none() {
                if approved.new_contact {
                    done.new_contacts += 1;
                } else {
                    done.matched += 1;
                }
            }
        }
        Err(QueueError::OriginalNotApproved { .. }) => done.waiting += 1,
        Err(e) => return Err(e),
    }
    Ok(())
}

/// What the import queue holds for an integration after a sync.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct QueueSummary {
    /// What an automatic import did (`import = "auto"` only).
    pub auto: Option<AutoImport>,
    /// Items waiting for review.
    pub pending: u64,
}

/// After a sync: each synced integration's new donations enter the import queue (read by
/// that integration's keys, not over the whole store); integrations with
/// `import = "auto"` whose run succeeded are then imported without review where safe (a run
/// that failed part-way leaves its donations for the next one, so a refund is not imported
/// before its original). One summary per report, in the reports' order.
pub fn after_sync<S>(
    store: &S,
    config: &Config,
    reports: &[IntegrationReport],
) -> Result<Vec<QueueSummary>, QueueError>
where
    S: ImportQueue + ContactMatcher + ?Sized,
{
    let mut out = Vec::with_capacity(reports.len());
    for report in reports {
        store.enqueue_new_of(&report.integration)?;
        let auto = match config.integration(&report.integration) {
            Some(i) if i.import == ImportMode::Auto && report.succeeded() => {
                Some(auto_import(store, i)?)
            }
            _ => None,
        };
        out.push(QueueSummary {
            auto,
            pending: store.pending_count(Some(&report.integration))?,
        });
    }
    Ok(out)
}
