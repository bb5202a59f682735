//! The import queue and the ledger in SQLite. Each decision is one transaction: the queue
//! row, the contact (when new), the organization (when first seen) and every entry commit
//! together or not at all.

use intake_host::types::{Earmark, Money, Person};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::SqliteStore;
use super::contacts::insert_contact;
use super::entries::decode;
use crate::matching::ContactId;
use crate::queue::booking::{self, LedgerTx, NewEntry};
use crate::queue::{
    Approval, Approved, Decided, EntryRole, ImportQueue, LedgerEntry, Organization, OrganizationId,
    QueueError, QueueFilter, QueueId, QueueItem, QueueStatus, Rejected,
};
use crate::store::{StoreError, now_rfc3339};

impl From<rusqlite::Error> for QueueError {
    fn from(e: rusqlite::Error) -> Self {
        QueueError::Store(StoreError::from(e))
    }
}

const ITEM_COLUMNS: &str = "q.id, q.integration, q.status, q.queued_at, q.decided_at, \
     q.decided_by, q.reason, q.contact_id, d.record";

fn item_from(row: &Row<'_>) -> Result<QueueItem, QueueError> {
    let status: String = row.get(2)?;
    let decided_at: Option<String> = row.get(4)?;
    let record: String = row.get(8)?;
    Ok(QueueItem {
        id: row.get(0)?,
        integration: row.get(1)?,
        status: QueueStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("queue status `{status}`")))?,
        queued_at: row.get(3)?,
        decided: match decided_at {
            Some(at) => Some(Decided {
                at,
                by: row.get::<_, Option<String>>(5)?.unwrap_or_default(),
                reason: row.get(6)?,
            }),
            None => None,
        },
        contact: row.get(7)?,
        donation: decode(&record)?,
    })
}

fn read_item(conn: &Connection, id: QueueId) -> Result<QueueItem, QueueError> {
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM queue q
         JOIN donations d ON d.integration = q.integration AND d.id = q.donation_id
         WHERE q.id = ?1"
    );
    let mut query = conn.prepare_cached(&sql)?;
    let mut rows = query.query(params![id])?;
    match rows.next()? {
        Some(row) => item_from(row),
        None => Err(QueueError::NotFound(id)),
    }
}

const ENTRY_COLUMNS: &str = "l.id, l.integration, l.donation_id, l.role, l.contact_id, \
     l.organization_id, l.memo_for, l.reverses, l.amount, l.currency, l.received_at, \
     l.bank_account, l.election_period, l.category, \
     COALESCE(d.payout_id, (SELECT pi.payout_id FROM payout_items pi \
         WHERE pi.integration = l.integration AND pi.item_kind = 'donation' \
         AND pi.item_id = l.donation_id LIMIT 1)), \
     l.created_at";

const ENTRY_FROM: &str = "FROM ledger l \
     LEFT JOIN donations d ON d.integration = l.integration AND d.id = l.donation_id";

fn entry_from(row: &Row<'_>) -> Result<LedgerEntry, QueueError> {
    let role: String = row.get(3)?;
    Ok(LedgerEntry {
        id: row.get(0)?,
        integration: row.get(1)?,
        donation_id: row.get(2)?,
        role: EntryRole::parse(&role)
            .ok_or_else(|| StoreError::Corrupt(format!("ledger role `{role}`")))?,
        contact: row.get(4)?,
        organization: row.get(5)?,
        memo_for: row.get(6)?,
        reverses: row.get(7)?,
        amount: Money {
            minor_units: row.get(8)?,
            currency: row.get(9)?,
        },
        received_at: row.get(10)?,
        bank_account: row.get(11)?,
        election_period: row.get(12)?,
        category: row.get(13)?,
        payout_id: row.get(14)?,
        created_at: row.get(15)?,
    })
}

/// The entries booked for one processor id, in the order they were made.
fn entries_of(
    conn: &Connection,
    integration: &str,
    donation_id: &str,
) -> Result<Vec<LedgerEntry>, QueueError> {
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} {ENTRY_FROM} WHERE l.integration = ?1 AND l.donation_id = ?2 ORDER BY l.id"
    );
    let mut query = conn.prepare_cached(&sql)?;
    let mut rows = query.query(params![integration, donation_id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(entry_from(row)?);
    }
    Ok(out)
}

/// The SQLite side of a decision: the connection's open transaction.
struct Tx<'c>(&'c Connection);

impl LedgerTx for Tx<'_> {
    fn item_for_update(&mut self, id: QueueId) -> Result<QueueItem, QueueError> {
        // One connection behind a mutex: the transaction already excludes every other writer.
        read_item(self.0, id)
    }

    fn entries_of(
        &mut self,
        integration: &str,
        donation_id: &str,
    ) -> Result<Vec<LedgerEntry>, QueueError> {
        entries_of(self.0, integration, donation_id)
    }

    fn insert_entry(
        &mut self,
        item: &QueueItem,
        approval: &Approval<'_>,
        entry: &NewEntry,
        now: &str,
    ) -> Result<i64, QueueError> {
        let d = &item.donation;
        self.0
            .prepare_cached(
                "INSERT INTO ledger (integration, donation_id, role, contact_id, organization_id,
                     memo_for, reverses, amount, currency, received_at, bank_account,
                     election_period, category, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )?
            .execute(params![
                item.integration,
                d.id,
                entry.role.as_str(),
                entry.contact,
                entry.organization,
                entry.memo_for,
                entry.reverses,
                entry.amount,
                d.amount.currency,
                d.received_at,
                approval.defaults.bank_account,
                approval.defaults.election_period,
                approval.defaults.category,
                now,
            ])?;
        Ok(self.0.last_insert_rowid())
    }

    fn conduit(&mut self, earmark: &Earmark) -> Result<OrganizationId, QueueError> {
        let conn = self.0;
        let found: Option<OrganizationId> = match &earmark.conduit_fec_id {
            Some(fec_id) => conn
                .query_row(
                    "SELECT id FROM organizations WHERE fec_id = ?1",
                    params![fec_id],
                    |r| r.get(0),
                )
                .optional()?,
            None => conn
                .query_row(
                    "SELECT id FROM organizations WHERE fec_id IS NULL AND name = ?1",
                    params![earmark.conduit_name],
                    |r| r.get(0),
                )
                .optional()?,
        };
        if let Some(id) = found {
            return Ok(id);
        }
        conn.execute(
            "INSERT INTO organizations (name, fec_id, address, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![
                earmark.conduit_name,
                earmark.conduit_fec_id,
                address_json(earmark)?,
                now_rfc3339()
            ],
        )?;
        Ok(conn.last_insert_rowid())
    }

    fn contact_exists(&mut self, id: ContactId) -> Result<bool, QueueError> {
        Ok(self
            .0
            .query_row("SELECT 1 FROM contacts WHERE id = ?1", params![id], |_| {
                Ok(())
            })
            .optional()?
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
            "UPDATE queue SET status = 'approved', decided_at = ?2, decided_by = ?3,
                 contact_id = ?4
             WHERE id = ?1",
            params![id, at, by, contact],
        )?;
        Ok(())
    }

    fn mark_rejected(&mut self, id: QueueId, decided: &Decided) -> Result<(), QueueError> {
        self.0.execute(
            "UPDATE queue SET status = 'rejected', decided_at = ?2, decided_by = ?3, reason = ?4
             WHERE id = ?1",
            params![id, decided.at, decided.by, decided.reason],
        )?;
        Ok(())
    }
}

/// The conduit's address as stored: JSON, or nothing.
pub(crate) fn address_json(earmark: &Earmark) -> Result<Option<String>, QueueError> {
    Ok(earmark
        .conduit_address
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| StoreError::Corrupt(e.to_string()))?)
}

impl ImportQueue for SqliteStore {
    fn enqueue_new(&self) -> Result<u64, QueueError> {
        let conn = self.conn();
        let added = conn.execute(
            "INSERT INTO queue (integration, donation_id, queued_at)
             SELECT d.integration, d.id, ?1 FROM donations d
             WHERE NOT EXISTS (SELECT 1 FROM queue q
                               WHERE q.integration = d.integration AND q.donation_id = d.id)
             ORDER BY d.received_at, d.integration, d.id",
            params![now_rfc3339()],
        )?;
        Ok(added as u64)
    }

    fn enqueue_new_of(&self, integration: &str) -> Result<u64, QueueError> {
        let conn = self.conn();
        let added = conn.execute(
            "INSERT INTO queue (integration, donation_id, queued_at)
             SELECT d.integration, d.id, ?1 FROM donations d
             WHERE d.integration = ?2
               AND NOT EXISTS (SELECT 1 FROM queue q
                               WHERE q.integration = d.integration AND q.donation_id = d.id)
             ORDER BY d.received_at, d.id",
            params![now_rfc3339(), integration],
        )?;
        Ok(added as u64)
    }

    fn enqueue(
        &self,
        integration: &str,
        donation_ids: &[String],
    ) -> Result<Vec<QueueId>, QueueError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let now = now_rfc3339();
        let mut added = Vec::new();
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO queue (integration, donation_id, queued_at)
                 SELECT integration, id, ?3 FROM donations WHERE integration = ?1 AND id = ?2
                 ON CONFLICT (integration, donation_id) DO NOTHING",
            )?;
            for id in donation_ids {
                if insert.execute(params![integration, id, now])? == 1 {
                    added.push(tx.last_insert_rowid());
                }
            }
        }
        tx.commit()?;
        Ok(added)
    }

    fn queue_items(&self, filter: &QueueFilter) -> Result<Vec<QueueItem>, QueueError> {
        let conn = self.conn();
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM queue q
             JOIN donations d ON d.integration = q.integration AND d.id = q.donation_id
             WHERE (?1 IS NULL OR q.integration = ?1) AND (?2 IS NULL OR q.status = ?2)
             ORDER BY q.id LIMIT ?3"
        );
        let mut query = conn.prepare(&sql)?;
        let limit = filter
            .limit
            .and_then(|l| i64::try_from(l).ok())
            .unwrap_or(-1);
        let mut rows = query.query(params![
            filter.integration,
            filter.status.map(QueueStatus::as_str),
            limit
        ])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(item_from(row)?);
        }
        Ok(out)
    }

    fn pending_count(&self, integration: Option<&str>) -> Result<u64, QueueError> {
        let conn = self.conn();
        let count: i64 = conn.query_row(
            "SELECT COUNT(*) FROM queue WHERE status = 'pending' AND (?1 IS NULL OR integration = ?1)",
            params![integration],
            |r| r.get(0),
        )?;
        Ok(count.max(0) as u64)
    }

    fn queue_item(&self, id: QueueId) -> Result<QueueItem, QueueError> {
        read_item(&self.conn(), id)
    }

    fn approve(&self, id: QueueId, approval: &Approval<'_>) -> Result<Approved, QueueError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let approved = booking::approve(&mut Tx(&tx), id, approval)?;
        tx.commit()?;
        Ok(approved)
    }

    fn reject(&self, id: QueueId, reason: Option<&str>, by: &str) -> Result<Rejected, QueueError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let rejected = booking::reject(&mut Tx(&tx), id, reason, by)?;
        tx.commit()?;
        Ok(rejected)
    }

    fn ledger(&self, integration: Option<&str>) -> Result<Vec<LedgerEntry>, QueueError> {
        let conn = self.conn();
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} {ENTRY_FROM} WHERE ?1 IS NULL OR l.integration = ?1 ORDER BY l.id"
        );
        let mut query = conn.prepare(&sql)?;
        let mut rows = query.query(params![integration])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(entry_from(row)?);
        }
        Ok(out)
    }

    fn organizations(&self) -> Result<Vec<Organization>, QueueError> {
        let conn = self.conn();
        let mut query =
            conn.prepare("SELECT id, name, fec_id, address FROM organizations ORDER BY id")?;
        let rows = query
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(id, name, fec_id, address)| {
                Ok(Organization {
                    id,
                    name,
                    fec_id,
                    address: address.map(|a| decode(&a)).transpose()?,
                })
            })
            .collect()
    }

    fn aggregate(&self, contact: ContactId, election_period: &str) -> Result<i64, QueueError> {
        let conn = self.conn();
        Ok(conn.query_row(
            "SELECT COALESCE(SUM(amount), 0) FROM ledger
             WHERE contact_id = ?1 AND election_period = ?2 AND role != 'conduit_memo'",
            params![contact, election_period],
            |r| r.get(0),
        )?)
    }
}
