//! The import queue and the ledger on Postgres: the same rules as SQLite
//! ([`crate::queue::booking`]), each decision one transaction with the queue row locked, so
//! two reviewers on two workers deciding one item at once book it once.

use intake_host::types::{Earmark, Money, Person};
use postgres::{Row, Transaction};

use super::PgStore;
use super::contacts::insert_contact;
use crate::matching::ContactId;
use crate::queue::booking::{self, LedgerTx, NewEntry};
use crate::queue::{
    Approval, Approved, Decided, EntryRole, ImportQueue, LedgerEntry, Organization, OrganizationId,
    QueueError, QueueFilter, QueueId, QueueItem, QueueStatus, Rejected,
};
use crate::store::sqlite::entries::decode;
use crate::store::sqlite::queue::address_json;
use crate::store::{StoreError, now_rfc3339};

impl From<postgres::Error> for QueueError {
    fn from(e: postgres::Error) -> Self {
        QueueError::Store(StoreError::from(e))
    }
}

const ITEM_SELECT: &str = "SELECT q.id, q.integration, q.status, q.queued_at, q.decided_at, \
     q.decided_by, q.reason, q.contact_id, d.record FROM queue q \
     JOIN donations d ON d.integration = q.integration AND d.id = q.donation_id";

fn item_from(row: &Row) -> Result<QueueItem, QueueError> {
    let status: String = row.get(2);
    let decided_at: Option<String> = row.get(4);
    Ok(QueueItem {
        id: row.get(0),
        integration: row.get(1),
        status: QueueStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("queue status `{status}`")))?,
        queued_at: row.get(3),
        decided: decided_at.map(|at| Decided {
            at,
            by: row.get::<_, Option<String>>(5).unwrap_or_default(),
            reason: row.get(6),
        }),
        contact: row.get(7),
        donation: decode(row.get(8))?,
    })
}

const ENTRY_SELECT: &str = "SELECT l.id, l.integration, l.donation_id, l.role, l.contact_id, \
     l.organization_id, l.memo_for, l.reverses, l.amount, l.currency, l.received_at, \
     l.bank_account, l.election_period, l.category, \
     COALESCE(d.payout_id, (SELECT pi.payout_id FROM payout_items pi \
         WHERE pi.integration = l.integration AND pi.item_kind = 'donation' \
         AND pi.item_id = l.donation_id LIMIT 1)), \
     l.created_at \
     FROM ledger l \
     LEFT JOIN donations d ON d.integration = l.integration AND d.id = l.donation_id";

fn entry_from(row: &Row) -> Result<LedgerEntry, QueueError> {
    let role: String = row.get(3);
    Ok(LedgerEntry {
        id: row.get(0),
        integration: row.get(1),
        donation_id: row.get(2),
        role: EntryRole::parse(&role)
            .ok_or_else(|| StoreError::Corrupt(format!("ledger role `{role}`")))?,
        contact: row.get(4),
        organization: row.get(5),
        memo_for: row.get(6),
        reverses: row.get(7),
        amount: Money {
            minor_units: row.get(8),
            currency: row.get(9),
        },
        received_at: row.get(10),
        bank_account: row.get(11),
        election_period: row.get(12),
        category: row.get(13),
        payout_id: row.get(14),
        created_at: row.get(15),
    })
}

fn entries(rows: Vec<Row>) -> Result<Vec<LedgerEntry>, QueueError> {
    rows.iter().map(entry_from).collect()
}

/// The Postgres side of a decision: an open transaction.
struct Tx<'t, 'c>(&'t mut Transaction<'c>);

impl LedgerTx for Tx<'_, '_> {
    fn item_for_update(&mut self, id: QueueId) -> Result<QueueItem, QueueError> {
        // Lock the queue row: a second reviewer deciding the same item waits, then sees the
        // first decision.
        let row = self.0.query_opt(
            &format!("{ITEM_SELECT} WHERE q.id = $1 FOR UPDATE OF q"),
            &[&id],
        )?;
        match row {
            Some(row) => item_from(&row),
            None => Err(QueueError::NotFound(id)),
        }
    }

    fn entries_of(
        &mut self,
        integration: &str,
        donation_id: &str,
    ) -> Result<Vec<LedgerEntry>, QueueError> {
        entries(self.0.query(
            &format!(
                "{ENTRY_SELECT} WHERE l.integration = $1 AND l.donation_id = $2 ORDER BY l.id"
            ),
            &[&integration, &donation_id],
        )?)
    }

    fn insert_entry(
        &mut self,
        item: &QueueItem,
        approval: &Approval<'_>,
        entry: &NewEntry,
        now: &str,
    ) -> Result<i64, QueueError> {
        let d = &item.donation;
        let row = self.0.query_one(
            "INSERT INTO ledger (integration, donation_id, role, contact_id, organization_id,
                 memo_for, reverses, amount, currency, received_at, bank_account,
                 election_period, category, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
             RETURNING id",
            &[
                &item.integration,
                &d.id,
                &entry.role.as_str(),
                &entry.contact,
                &entry.organization,
                &entry.memo_for,
                &entry.reverses,
                &entry.amount,
                &d.amount.currency,
                &d.received_at,
                &approval.defaults.bank_account,
                &approval.defaults.election_period,
                &approval.defaults.category,
                &now,
            ],
        )?;
        Ok(row.get(0))
    }

    fn conduit(&mut self, earmark: &Earmark) -> Result<OrganizationId, QueueError> {
        // Made once across the fleet: the unique indexes decide between two workers, and the
        // loser reads the winner's row.
        let address = address_json(earmark)?;
        let inserted = self.0.query_opt(
            "INSERT INTO organizations (name, fec_id, address, created_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id",
            &[
                &earmark.conduit_name,
                &earmark.conduit_fec_id,
                &address,
                &now_rfc3339(),
            ],
        )?;
        if let Some(row) = inserted {
            return Ok(row.get(0));
        }
        let row = match &earmark.conduit_fec_id {
            Some(fec_id) => self
                .0
                .query_one("SELECT id FROM organizations WHERE fec_id = $1", &[fec_id])?,
            None => self.0.query_one(
                "SELECT id FROM organizations WHERE fec_id IS NULL AND name = $1",
                &[&earmark.conduit_name],
            )?,
        };
        Ok(row.get(0))
    }

    fn contact_exists(&mut self, id: ContactId) -> Result<bool, QueueError> {
        Ok(self
            .0
            .query_opt("SELECT 1 FROM contacts WHERE id = $1", &[&id])?
            .is_some())
    }

    fn insert_contact(&mut self, person: &Person) -> Result<ContactId, QueueError> {
        Ok(insert_contact(self.0, person)?)
    }

    fn mark_approved(
        &mut self,
        id: QueueId,
        at: &str,
        by: &str,
        contact: ContactId,
    ) -> Result<(), QueueError> {
        self.0.execute(
            "UPDATE queue SET status = 'approved', decided_at = $2, decided_by = $3,
                 contact_id = $4
             WHERE id = $1",
            &[&id, &at, &by, &contact],
        )?;
        Ok(())
    }

    fn mark_rejected(&mut self, id: QueueId, decided: &Decided) -> Result<(), QueueError> {
        self.0.execute(
            "UPDATE queue SET status = 'rejected', decided_at = $2, decided_by = $3, reason = $4
             WHERE id = $1",
            &[&id, &decided.at, &decided.by, &decided.reason],
        )?;
        Ok(())
    }
}

impl PgStore {
    /// Run one decision in one transaction, committed only when it succeeds.
    fn decide<T: Send>(
        &self,
        f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T, QueueError> + Send,
    ) -> Result<T, QueueError> {
        self.with(|conn| {
            let mut tx = conn.transaction()?;
            let out = f(&mut Tx(&mut tx));
            if out.is_ok() {
                tx.commit()?;
            }
            Ok(out)
        })?
    }
}

impl ImportQueue for PgStore {
    fn enqueue_new(&self) -> Result<u64, QueueError> {
        Ok(self.with(|conn| {
            Ok(conn.execute(
                "INSERT INTO queue (integration, donation_id, queued_at)
                 SELECT d.integration, d.id, $1 FROM donations d
                 WHERE NOT EXISTS (SELECT 1 FROM queue q
                                   WHERE q.integration = d.integration AND q.donation_id = d.id)
                 ORDER BY d.received_at, d.integration, d.id
                 ON CONFLICT (integration, donation_id) DO NOTHING",
                &[&now_rfc3339()],
            )?)
        })?)
    }

    fn enqueue_new_of(&self, integration: &str) -> Result<u64, QueueError> {
        Ok(self.with(|conn| {
            Ok(conn.execute(
                "INSERT INTO queue (integration, donation_id, queued_at)
                 SELECT d.integration, d.id, $1 FROM donations d
                 WHERE d.integration = $2
                   AND NOT EXISTS (SELECT 1 FROM queue q
                                   WHERE q.integration = d.integration AND q.donation_id = d.id)
                 ORDER BY d.received_at, d.id
                 ON CONFLICT (integration, donation_id) DO NOTHING",
                &[&now_rfc3339(), &integration],
            )?)
        })?)
    }

    fn enqueue(
        &self,
        integration: &str,
        donation_ids: &[String],
    ) -> Result<Vec<QueueId>, QueueError> {
        Ok(self.with(|conn| {
            let mut tx = conn.transaction()?;
            let now = now_rfc3339();
            let insert = tx.prepare(
                "INSERT INTO queue (integration, donation_id, queued_at)
                 SELECT integration, id, $3 FROM donations WHERE integration = $1 AND id = $2
                 ON CONFLICT (integration, donation_id) DO NOTHING
                 RETURNING id",
            )?;
            let mut added = Vec::new();
            for id in donation_ids {
                if let Some(row) = tx.query_opt(&insert, &[&integration, id, &now])? {
                    added.push(row.get(0));
                }
            }
            tx.commit()?;
            Ok(added)
        })?)
    }

    fn queue_items(&self, filter: &QueueFilter) -> Result<Vec<QueueItem>, QueueError> {
        let limit = filter.limit.and_then(|l| i64::try_from(l).ok());
        let status = filter.status.map(QueueStatus::as_str);
        let rows = self.with(|conn| {
            Ok(conn.query(
                &format!(
                    "{ITEM_SELECT} WHERE ($1::TEXT IS NULL OR q.integration = $1)
                       AND ($2::TEXT IS NULL OR q.status = $2)
                     ORDER BY q.id LIMIT $3"
                ),
                &[&filter.integration, &status, &limit],
            )?)
        })?;
        rows.iter().map(item_from).collect()
    }

    fn pending_count(&self, integration: Option<&str>) -> Result<u64, QueueError> {
        let count: i64 = self.with(|conn| {
            Ok(conn
                .query_one(
                    "SELECT COUNT(*) FROM queue
                     WHERE status = 'pending' AND ($1::TEXT IS NULL OR integration = $1)",
                    &[&integration],
                )?
                .get(0))
        })?;
        Ok(count.max(0) as u64)
    }

    fn queue_item(&self, id: QueueId) -> Result<QueueItem, QueueError> {
        let row = self
            .with(|conn| Ok(conn.query_opt(&format!("{ITEM_SELECT} WHERE q.id = $1"), &[&id])?))?;
        match row {
            Some(row) => item_from(&row),
            None => Err(QueueError::NotFound(id)),
        }
    }

    fn approve(&self, id: QueueId, approval: &Approval<'_>) -> Result<Approved, QueueError> {
        self.decide(|tx| booking::approve(tx, id, approval))
    }

    fn reject(&self, id: QueueId, reason: Option<&str>, by: &str) -> Result<Rejected, QueueError> {
        self.decide(|tx| booking::reject(tx, id, reason, by))
    }

    fn ledger(&self, integration: Option<&str>) -> Result<Vec<LedgerEntry>, QueueError> {
        entries(self.with(|conn| {
            Ok(conn.query(
                &format!(
                    "{ENTRY_SELECT} WHERE $1::TEXT IS NULL OR l.integration = $1 ORDER BY l.id"
                ),
                &[&integration],
            )?)
        })?)
    }

    fn organizations(&self) -> Result<Vec<Organization>, QueueError> {
        let rows = self.with(|conn| {
            Ok(conn.query(
                "SELECT id, name, fec_id, address FROM organizations ORDER BY id",
                &[],
            )?)
        })?;
        rows.iter()
            .map(|row| {
                let address: Option<String> = row.get(3);
                Ok(Organization {
                    id: row.get(0),
                    name: row.get(1),
                    fec_id: row.get(2),
                    address: address.map(|a| decode(&a)).transpose()?,
                })
            })
            .collect()
    }

    fn aggregate(&self, contact: ContactId, election_period: &str) -> Result<i64, QueueError> {
        Ok(self.with(|conn| {
            Ok(conn
                .query_one(
                    "SELECT COALESCE(SUM(amount), 0)::BIGINT FROM ledger
                     WHERE contact_id = $1 AND election_period = $2 AND role != 'conduit_memo'",
                    &[&contact, &election_period],
                )?
                .get(0))
        })?)
    }
}
