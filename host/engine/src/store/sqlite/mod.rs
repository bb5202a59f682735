//! The embedded store: one SQLite file (bundled SQLite, WAL), one connection behind a mutex,
//! and a thread that copies the write-ahead log into the file (checkpoint.rs). Each trait
//! method is one transaction.

mod checkpoint;
pub(crate) mod contacts;
pub(crate) mod entries;
mod leases;
pub(crate) mod queue;
mod slots;

pub use entries::kind_name;
#[cfg(test)]
mod migration_tests;
mod schema;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use intake_host::types::{Donation, FeeEntry, RowError, Window};
use rusqlite::{Connection, OptionalExtension, params};

use super::{
    Batch, Claim, Counts, RejectedRow, RunRecord, RunSummary, Store, StoreError, StoredDonation,
    StoredPayout, Stream, StreamState, Via, now_rfc3339,
};

/// The default store: a SQLite file.
pub struct SqliteStore {
    conn: Mutex<Connection>,
    worker: String,
    /// Copies the write-ahead log into the file off the write path (a file store only).
    checkpointer: Option<checkpoint::Checkpointer>,
}

impl SqliteStore {
    /// Open (creating if needed) the store at `path` and bring its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        let path = path.as_ref();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Database(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let conn = Connection::open(path)?;
        let mut store = SqliteStore::with_connection(conn)?;
        store
            .conn()
            .pragma_update(None, "wal_autocheckpoint", checkpoint::BACKSTOP_PAGES)?;
        store.checkpointer = Some(checkpoint::Checkpointer::start(path)?);
        Ok(store)
    }

    /// A store in memory: for tests and trials.
    pub fn in_memory() -> Result<SqliteStore, StoreError> {
        SqliteStore::with_connection(Connection::open_in_memory()?)
    }

    fn with_connection(mut conn: Connection) -> Result<SqliteStore, StoreError> {
        // WAL: readers (an export, the API) never block the sync's writes. NORMAL is durable
        // against a crashed process; after a power cut the last commits may roll back, but a
        // page and its cursor always roll back together.
        // First: another process opening the same new file at once holds its lock briefly.
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        set_wal(&conn)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrate(&mut conn)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            worker: super::worker_name(),
            checkpointer: None,
        })
    }

    /// A transaction was committed: let the checkpointer copy it into the file soon.
    fn wrote(&self) {
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.wrote();
        }
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half-done transaction behind (it rolls
        // back on drop), so a poisoned lock is safe to keep using.
        self.conn
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

/// Switch the file to WAL. Another process switching the same new file at that moment makes
/// SQLite answer "locked" at once, without waiting: wait here, up to the busy timeout, until
/// one of them has switched it.
fn set_wal(conn: &Connection) -> Result<(), StoreError> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |row| {
            row.get::<_, String>(0)
        }) {
            Ok(_) => return Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if matches!(
                    e.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let known = schema::MIGRATIONS.len() as i64;
    let too_new = |found: i64| StoreError::TooNew { found, known };
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version > known {
        return Err(too_new(version));
    }
    // Each step under the write lock, the version read again inside it: two processes opening
    // a new store together (a service and a sync started at once) apply each step once.
    loop {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let version: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
        if version > known {
            return Err(too_new(version));
        }
        let Some(sql) = schema::MIGRATIONS.get(version as usize) else {
            return Ok(());
        };
        tx.execute_batch(sql)?;
        if version + 1 == schema::CONTACT_KEYS as i64 {
            contacts::index_existing(&tx)?;
        }
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
    }
}

impl Store for SqliteStore {
    fn worker(&self) -> &str {
        &self.worker
    }

    fn claim(&self, integration: &str, ttl: std::time::Duration) -> Result<Claim, StoreError> {
        leases::claim(&self.conn(), integration, &self.worker, ttl)
    }

    fn release(&self, integration: &str) -> Result<(), StoreError> {
        leases::release(&self.conn(), integration, &self.worker)
    }

    fn claim_slot(&self, integration: &str, slot: &str) -> Result<bool, StoreError> {
        slots::claim(&self.conn(), integration, slot, &self.worker)
    }

    fn last_slot(&self, integration: &str) -> Result<Option<String>, StoreError> {
        slots::last(&self.conn(), integration)
    }

    fn stream_state(&self, integration: &str, stream: Stream) -> Result<StreamState, StoreError> {
        let conn = self.conn();
        let row = conn
            .query_row(
                "SELECT window_since, window_until, cursor, completed_until
                 FROM sync_state WHERE integration = ?1 AND stream = ?2",
                params![integration, stream.as_str()],
                |row| {
                    Ok((
                        row.get::<_, Option<String>>(0)?,
                        row.get::<_, Option<String>>(1)?,
                        row.get::<_, Option<String>>(2)?,
                        row.get::<_, Option<String>>(3)?,
                    ))
                },
            )
            .optional()?;
        Ok(match row {
            None => StreamState::default(),
            Some((since, until, cursor, completed_until)) => StreamState {
                window: since.map(|since| Window { since, until }),
                cursor,
                completed_until,
            },
        })
    }

    fn open_window(
        &self,
        integration: &str,
        stream: Stream,
        window: &Window,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        leases::fence(&tx, integration, &self.worker)?;
        tx.execute(
            "INSERT INTO sync_state (integration, stream, window_since, window_until, cursor)
             VALUES (?1, ?2, ?3, ?4, NULL)
             ON CONFLICT (integration, stream) DO UPDATE SET
                window_since = excluded.window_since,
                window_until = excluded.window_until,
                cursor = NULL",
            params![integration, stream.as_str(), window.since, window.until],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn commit_page(
        &self,
        integration: &str,
        stream: Stream,
        batch: Batch<'_>,
        next_cursor: Option<&str>,
    ) -> Result<Counts, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        leases::fence(&tx, integration, &self.worker)?;
        let counts = entries::store(&tx, integration, batch, Via::Sync)?;
        match next_cursor {
            Some(cursor) => {
                tx.execute(
                    "UPDATE sync_state SET cursor = ?3 WHERE integration = ?1 AND stream = ?2",
                    params![integration, stream.as_str(), cursor],
                )?;
            }
            None => {
                tx.execute(
                    "UPDATE sync_state SET completed_until = COALESCE(window_until, completed_until),
                        window_since = NULL, window_until = NULL, cursor = NULL
                     WHERE integration = ?1 AND stream = ?2",
                    params![integration, stream.as_str()],
                )?;
            }
        }
        tx.commit()?;
        self.wrote();
        Ok(counts)
    }

    fn store_batch(
        &self,
        integration: &str,
        batch: Batch<'_>,
        via: Via,
    ) -> Result<Counts, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let counts = entries::store(&tx, integration, batch, via)?;
        tx.commit()?;
        self.wrote();
        Ok(counts)
    }

    fn record_rejects(
        &self,
        integration: &str,
        source: &str,
        rows: &[RowError],
    ) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "DELETE FROM rejected_rows WHERE integration = ?1 AND source = ?2",
            params![integration, source],
        )?;
        let now = now_rfc3339();
        {
            let mut insert = tx.prepare(
                "INSERT OR REPLACE INTO rejected_rows (integration, source, line, message, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for row in rows {
                insert.execute(params![integration, source, row.line, row.message, now])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn rejects(&self, integration: Option<&str>) -> Result<Vec<RejectedRow>, StoreError> {
        let conn = self.conn();
        let mut query = conn.prepare(
            "SELECT integration, source, line, message FROM rejected_rows
             WHERE ?1 IS NULL OR integration = ?1 ORDER BY integration, source, line",
        )?;
        let rows = query.query_map(params![integration], |row| {
            Ok(RejectedRow {
                integration: row.get(0)?,
                source: row.get(1)?,
                line: row.get(2)?,
                message: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn start_run(&self, integration: &str) -> Result<i64, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let now = now_rfc3339();
        tx.execute(
            "UPDATE runs SET status = ?2, detail = ?3, finished_at = ?4
             WHERE integration = ?1 AND status = 'running'",
            params![integration, super::INTERRUPTED, super::CUT_OFF, now],
        )?;
        tx.execute(
            "INSERT INTO runs (integration, started_at, status) VALUES (?1, ?2, 'running')",
            params![integration, now],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        Ok(id)
    }

    fn finish_run(&self, run: i64, summary: &RunSummary) -> Result<(), StoreError> {
        let finished_at = summary.finished_at.clone().unwrap_or_else(now_rfc3339);
        self.conn().execute(
            "UPDATE runs SET finished_at = ?2, status = ?3, detail = ?4, new = ?5, updated = ?6,
                unchanged = ?7, rejected = ?8, pages = ?9, calls = ?10, requests = ?11
             WHERE id = ?1",
            params![
                run,
                finished_at,
                summary.status,
                summary.detail,
                summary.counts.new as i64,
                summary.counts.updated as i64,
                summary.counts.unchanged as i64,
                summary.rejected as i64,
                summary.pages as i64,
                summary.calls as i64,
                summary.requests as i64,
            ],
        )?;
        Ok(())
    }

    fn synced_since(&self, after: i64) -> Result<Vec<(i64, String)>, StoreError> {
        let conn = self.conn();
        let mut query = conn.prepare_cached(
            "SELECT id, integration FROM runs
             WHERE id > ?1 AND status IN ('ok', 'nothing to do')",
        )?;
        let rows = query.query_map(params![after], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn resumable(&self) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        let mut query = conn.prepare_cached(
            "SELECT DISTINCT s.integration FROM sync_state s
             WHERE s.window_since IS NOT NULL
               AND (SELECT r.status FROM runs r WHERE r.integration = s.integration
                    ORDER BY r.id DESC LIMIT 1) IN ('running', 'interrupted')
             ORDER BY s.integration",
        )?;
        let rows = query.query_map([], |row| row.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn runs(&self, integration: Option<&str>, limit: usize) -> Result<Vec<RunRecord>, StoreError> {
        let conn = self.conn();
        // Two statements, not `?1 IS NULL OR integration = ?1`: one integration's runs are
        // read by its index, never by walking every run backwards.
        let mut query = conn.prepare_cached(match integration {
            Some(_) => {
                "SELECT id, integration, started_at, finished_at, status, detail, new, updated,
                        unchanged, rejected, pages, calls, requests
                 FROM runs WHERE integration = ?1 ORDER BY id DESC LIMIT ?2"
            }
            None => {
                "SELECT id, integration, started_at, finished_at, status, detail, new, updated,
                        unchanged, rejected, pages, calls, requests
                 FROM runs WHERE ?1 IS NULL ORDER BY id DESC LIMIT ?2"
            }
        })?;
        let rows = query.query_map(params![integration, limit as i64], |row| {
            Ok(RunRecord {
                id: row.get(0)?,
                integration: row.get(1)?,
                started_at: row.get(2)?,
                summary: RunSummary {
                    finished_at: row.get(3)?,
                    status: row.get(4)?,
                    detail: row.get(5)?,
                    counts: Counts {
                        new: row.get::<_, i64>(6)? as u64,
                        updated: row.get::<_, i64>(7)? as u64,
                        unchanged: row.get::<_, i64>(8)? as u64,
                    },
                    rejected: row.get::<_, i64>(9)? as u64,
                    pages: row.get::<_, i64>(10)? as u64,
                    calls: row.get::<_, i64>(11)? as u64,
                    requests: row.get::<_, i64>(12)? as u64,
                },
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn each_donation(
        &self,
        integration: Option<&str>,
        each: &mut dyn FnMut(StoredDonation) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let conn = self.conn();
        let mut query = conn.prepare(
            "SELECT integration, record, via, first_seen_at, updated_at, revision FROM donations
             WHERE ?1 IS NULL OR integration = ?1 ORDER BY integration, received_at, id",
        )?;
        let mut rows = query.query(params![integration])?;
        while let Some(row) = rows.next()? {
            let record: String = row.get(1)?;
            each(StoredDonation {
                integration: row.get(0)?,
                donation: entries::decode(&record)?,
                via: row.get(2)?,
                first_seen_at: row.get(3)?,
                updated_at: row.get(4)?,
                revision: row.get(5)?,
            })?;
        }
        Ok(())
    }

    fn donation_history(&self, integration: &str, id: &str) -> Result<Vec<Donation>, StoreError> {
        let conn = self.conn();
        let mut query = conn.prepare(
            "SELECT record FROM donation_history WHERE integration = ?1 AND id = ?2 ORDER BY revision",
        )?;
        let records = query
            .query_map(params![integration, id], |row| row.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        records.iter().map(|r| entries::decode(r)).collect()
    }

    fn fees(&self, integration: Option<&str>) -> Result<Vec<(String, FeeEntry)>, StoreError> {
        let conn = self.conn();
        let mut query = conn.prepare(
            "SELECT integration, record FROM fee_entries WHERE ?1 IS NULL OR integration = ?1
             ORDER BY integration, charged_at, id",
        )?;
        let rows = query
            .query_map(params![integration], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(integration, record)| Ok((integration, entries::decode(&record)?)))
            .collect()
    }

    fn payouts(&self, integration: Option<&str>) -> Result<Vec<StoredPayout>, StoreError> {
        let conn = self.conn();
        let mut query = conn.prepare(
            "SELECT integration, record FROM payouts WHERE ?1 IS NULL OR integration = ?1
             ORDER BY integration, paid_at, id",
        )?;
        let rows = query
            .query_map(params![integration], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(integration, record)| {
                Ok(StoredPayout {
                    integration,
                    payout: entries::decode(&record)?,
                })
            })
            .collect()
    }
}
