//! A store on a Postgres server, shared by every worker of a fleet: the same tables and the
//! same promises as the SQLite store (each trait method one transaction; a page and its cursor
//! committed together), with row locks where two workers may write the same row at once.
//!
//! Connections come from a pool (r2d2). Migrations run under an advisory lock, so workers
//! starting together migrate once.

mod blocking;
mod contacts;
mod entries;
mod leases;
mod queue;
mod schema;
mod slots;

use intake_host::types::{Donation, FeeEntry, RowError, Window};
use postgres::NoTls;
use r2d2::{Pool, PooledConnection};
use r2d2_postgres::PostgresConnectionManager;

use self::blocking::off_async;
use super::sqlite::entries::decode;
use super::{
    Batch, Claim, Counts, RejectedRow, RunRecord, RunSummary, Store, StoreError, StoredDonation,
    StoredPayout, Stream, StreamState, Via, now_rfc3339,
};

type Manager = PostgresConnectionManager<NoTls>;

/// A key no other application is likely to take for its advisory lock: "intake" in ASCII.
const MIGRATION_LOCK: i64 = 0x696e_7461_6b65;

/// How many connections one process keeps at most.
const POOL_SIZE: u32 = 8;

/// How long the server lets a session sit idle inside a transaction before it ends the
/// session. Every transaction here runs its statements back to back, so a session idle that
/// long belongs to a worker that stalled mid-commit (paused, swapped out, cut off): its row
/// locks would otherwise hold up every worker that touches the same rows, including the one
/// taking over its integrations when its claim runs out. Shorter than any sensible claim.
const STALLED_TRANSACTION: &str = "10s";

/// The shared store: a Postgres database.
pub struct PgStore {
    // Always Some until dropped; taken in Drop to close the connections off async threads.
    pool: Option<Pool<Manager>>,
    worker: String,
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // Closing a connection blocks on the client's runtime: never on an async worker.
        if let Some(pool) = self.pool.take() {
            off_async(move || drop(pool));
        }
    }
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        // The server's own message (with its detail) is what an operator can act on.
        match e.as_db_error() {
            Some(db) => StoreError::Database(match db.detail() {
                Some(detail) => format!("{} ({detail})", db.message()),
                None => db.message().to_string(),
            }),
            None => StoreError::Database(e.to_string()),
        }
    }
}

impl From<r2d2::Error> for StoreError {
    fn from(e: r2d2::Error) -> Self {
        StoreError::Database(format!("no connection to Postgres: {e}"))
    }
}

impl PgStore {
    /// Connect to `url` (`postgres://user:password@host:port/database`) and bring the schema
    /// up to date. The password belongs in the URL only as the caller read it from a secret.
    pub fn connect(url: &str) -> Result<PgStore, StoreError> {
        PgStore::connect_with_password(url, None)
    }

    /// As [`PgStore::connect`], with the password read from where the config says.
    pub fn connect_with_password(url: &str, password: Option<&str>) -> Result<PgStore, StoreError> {
        let mut config: postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Database(format!("bad Postgres URL: {e}")))?;
        if let Some(password) = password {
            config.password(password);
        }
        let options = format!(
            "{} -c idle_in_transaction_session_timeout={STALLED_TRANSACTION}",
            config.get_options().unwrap_or_default()
        );
        config.options(options.trim_start());
        off_async(|| {
            let pool = Pool::builder()
                .max_size(POOL_SIZE)
                .connection_timeout(std::time::Duration::from_secs(10))
                .build(PostgresConnectionManager::new(config, NoTls))?;
            let store = PgStore {
                pool: Some(pool),
                worker: super::worker_name(),
            };
            store.migrate()?;
            Ok(store)
        })
    }

    fn conn(&self) -> Result<PooledConnection<Manager>, StoreError> {
        let pool = self
            .pool
            .as_ref()
            .ok_or_else(|| StoreError::Database("the store is closed".into()))?;
        Ok(pool.get()?)
    }

    /// Run `f` with a connection, where blocking is allowed.
    fn with<T: Send>(
        &self,
        f: impl FnOnce(&mut postgres::Client) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        off_async(|| f(&mut *self.conn()?))
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let mut tx = conn.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS intake_schema (version BIGINT NOT NULL);
             INSERT INTO intake_schema SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM intake_schema);",
        )?;
        let version: i64 = tx
            .query_one("SELECT version FROM intake_schema", &[])?
            .get(0);
        let known = schema::MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::TooNew {
                found: version,
                known,
            });
        }
        for (index, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.batch_execute(sql)?;
            if index + 1 == schema::CONTACT_KEYS {
                contacts::index_existing(&mut tx)?;
            }
        }
        tx.execute("UPDATE intake_schema SET version = $1", &[&known])?;
        tx.commit()?;
        Ok(())
    }
}

impl Store for PgStore {
    fn worker(&self) -> &str {
        &self.worker
    }

    fn claim(&self, integration: &str, ttl: std::time::Duration) -> Result<Claim, StoreError> {
        self.with(|conn| leases::claim(conn, integration, &self.worker, ttl))
    }

    fn release(&self, integration: &str) -> Result<(), StoreError> {
        self.with(|conn| leases::release(conn, integration, &self.worker))
    }

    fn claim_slot(&self, integration: &str, slot: &str) -> Result<bool, StoreError> {
        self.with(|conn| slots::claim(conn, integration, slot, &self.worker))
    }

    fn last_slot(&self, integration: &str) -> Result<Option<String>, StoreError> {
        self.with(|conn| slots::last(conn, integration))
    }

    fn stream_state(&self, integration: &str, stream: Stream) -> Result<StreamState, StoreError> {
        self.with(|conn| {
            let row = conn.query_opt(
                "SELECT window_since, window_until, cursor, completed_until
                 FROM sync_state WHERE integration = $1 AND stream = $2",
                &[&integration, &stream.as_str()],
            )?;
            Ok(match row {
                None => StreamState::default(),
                Some(row) => StreamState {
                    window: row.get::<_, Option<String>>(0).map(|since| Window {
                        since,
                        until: row.get(1),
                    }),
                    cursor: row.get(2),
                    completed_until: row.get(3),
                },
            })
        })
    }

    fn open_window(
        &self,
        integration: &str,
        stream: Stream,
        window: &Window,
    ) -> Result<(), StoreError> {
        self.with(|conn| {
            let mut tx = conn.transaction()?;
            leases::fence(&mut tx, integration, &self.worker)?;
            tx.execute(
                "INSERT INTO sync_state (integration, stream, window_since, window_until, cursor)
                 VALUES ($1, $2, $3, $4, NULL)
                 ON CONFLICT (integration, stream) DO UPDATE SET
                    window_since = excluded.window_since,
                    window_until = excluded.window_until,
                    cursor = NULL",
                &[&integration, &stream.as_str(), &window.since, &window.until],
            )?;
            tx.commit()?;
            Ok(())
        })
    }

    fn commit_page(
        &self,
        integration: &str,
        stream: Stream,
        batch: Batch<'_>,
        next_cursor: Option<&str>,
    ) -> Result<Counts, StoreError> {
        self.with(|conn| {
            let mut tx = conn.transaction()?;
            leases::fence(&mut tx, integration, &self.worker)?;
            let counts = entries::store(&mut tx, integration, batch, Via::Sync)?;
            match next_cursor {
                Some(cursor) => tx.execute(
                    "UPDATE sync_state SET cursor = $3 WHERE integration = $1 AND stream = $2",
                    &[&integration, &stream.as_str(), &cursor],
                )?,
                None => tx.execute(
                    "UPDATE sync_state SET completed_until = COALESCE(window_until, completed_until),
                        window_since = NULL, window_until = NULL, cursor = NULL
                     WHERE integration = $1 AND stream = $2",
                    &[&integration, &stream.as_str()],
                )?,
            };
            tx.commit()?;
            Ok(counts)
        })
    }

    fn store_batch(
        &self,
        integration: &str,
        batch: Batch<'_>,
        via: Via,
    ) -> Result<Counts, StoreError> {
        self.with(|conn| {
            let mut tx = conn.transaction()?;
            let counts = entries::store(&mut tx, integration, batch, via)?;
            tx.commit()?;
            Ok(counts)
        })
    }

    fn record_rejects(
        &self,
        integration: &str,
        source: &str,
        rows: &[RowError],
    ) -> Result<(), StoreError> {
        self.with(|conn| {
            let mut tx = conn.transaction()?;
            tx.execute(
                "DELETE FROM rejected_rows WHERE integration = $1 AND source = $2",
                &[&integration, &source],
            )?;
            let now = now_rfc3339();
            let insert = tx.prepare(
                "INSERT INTO rejected_rows (integration, source, line, message, recorded_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (integration, source, line) DO UPDATE SET
                    message = excluded.message, recorded_at = excluded.recorded_at",
            )?;
            for row in rows {
                let line = i64::from(row.line);
                tx.execute(&insert, &[&integration, &source, &line, &row.message, &now])?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    fn rejects(&self, integration: Option<&str>) -> Result<Vec<RejectedRow>, StoreError> {
        self.with(|conn| {
            let rows = conn.query(
                "SELECT integration, source, line, message FROM rejected_rows
                 WHERE $1::TEXT IS NULL OR integration = $1 ORDER BY integration, source, line",
                &[&integration],
            )?;
            rows.iter()
                .map(|row| {
                    Ok(RejectedRow {
                        integration: row.get(0),
                        source: row.get(1),
                        line: u32::try_from(row.get::<_, i64>(2))
                            .map_err(|e| StoreError::Corrupt(format!("rejected row line: {e}")))?,
                        message: row.get(3),
                    })
                })
                .collect()
        })
    }

    fn start_run(&self, integration: &str) -> Result<i64, StoreError> {
        self.with(|conn| {
            let mut tx = conn.transaction()?;
            let now = now_rfc3339();
            tx.execute(
                "UPDATE runs SET status = $2, detail = $3, finished_at = $4
                 WHERE integration = $1 AND status = 'running'",
                &[&integration, &super::INTERRUPTED, &super::CUT_OFF, &now],
            )?;
            let row = tx.query_one(
                "INSERT INTO runs (integration, started_at, status) VALUES ($1, $2, 'running')
                 RETURNING id",
                &[&integration, &now],
            )?;
            tx.commit()?;
            Ok(row.get(0))
        })
    }

    fn finish_run(&self, run: i64, summary: &RunSummary) -> Result<(), StoreError> {
        let finished_at = summary.finished_at.clone().unwrap_or_else(now_rfc3339);
        let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        self.with(|conn| {
            conn.execute(
                "UPDATE runs SET finished_at = $2, status = $3, detail = $4, new = $5,
                    updated = $6, unchanged = $7, rejected = $8, pages = $9, calls = $10,
                    requests = $11
                 WHERE id = $1",
                &[
                    &run,
                    &finished_at,
                    &summary.status,
                    &summary.detail,
                    &count(summary.counts.new),
                    &count(summary.counts.updated),
                    &count(summary.counts.unchanged),
                    &count(summary.rejected),
                    &count(summary.pages),
                    &count(summary.calls),
                    &count(summary.requests),
                ],
            )?;
            Ok(())
        })
    }

    fn synced_since(&self, after: i64) -> Result<Vec<(i64, String)>, StoreError> {
        self.with(|conn| {
            Ok(conn
                .query(
                    "SELECT id, integration FROM runs
                     WHERE id > $1 AND status IN ('ok', 'nothing to do')",
                    &[&after],
                )?
                .iter()
                .map(|row| (row.get(0), row.get(1)))
                .collect())
        })
    }

    fn resumable(&self) -> Result<Vec<String>, StoreError> {
        self.with(|conn| {
            Ok(conn
                .query(
                    "SELECT DISTINCT s.integration FROM sync_state s
             WHERE s.window_since IS NOT NULL
               AND (SELECT r.status FROM runs r WHERE r.integration = s.integration
                    ORDER BY r.id DESC LIMIT 1) IN ('running', 'interrupted')
             ORDER BY s.integration",
                    &[],
                )?
                .iter()
                .map(|row| row.get(0))
                .collect())
        })
    }

    fn runs(&self, integration: Option<&str>, limit: usize) -> Result<Vec<RunRecord>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.with(|conn| {
            // Two statements, not `$1 IS NULL OR integration = $1`: one integration's runs
            // are read by its index, never by walking every run backwards.
            let rows = match integration {
                Some(id) => conn.query(
                    "SELECT id, integration, started_at, finished_at, status, detail, new,
                            updated, unchanged, rejected, pages, calls, requests
                     FROM runs WHERE integration = $1 ORDER BY id DESC LIMIT $2",
                    &[&id, &limit],
                )?,
                None => conn.query(
                    "SELECT id, integration, started_at, finished_at, status, detail, new,
                            updated, unchanged, rejected, pages, calls, requests
                     FROM runs ORDER BY id DESC LIMIT $1",
                    &[&limit],
                )?,
            };
            let count = |row: &postgres::Row, i: usize| row.get::<_, i64>(i).max(0) as u64;
            Ok(rows
                .iter()
                .map(|row| RunRecord {
                    id: row.get(0),
                    integration: row.get(1),
                    started_at: row.get(2),
                    summary: RunSummary {
                        finished_at: row.get(3),
                        status: row.get(4),
                        detail: row.get(5),
                        counts: Counts {
                            new: count(row, 6),
                            updated: count(row, 7),
                            unchanged: count(row, 8),
                        },
                        rejected: count(row, 9),
                        pages: count(row, 10),
                        calls: count(row, 11),
                        requests: count(row, 12),
                    },
                })
                .collect())
        })
    }

    fn each_donation(
        &self,
        integration: Option<&str>,
        each: &mut dyn FnMut(StoredDonation) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        // Read in pages by key so a large export neither holds every row in memory nor keeps
        // one long transaction open; the callback runs on the caller's thread.
        const PAGE: i64 = 2_000;
        let mut after: Option<(String, String, String)> = None;
        loop {
            let rows = self.with(|conn| {
                let (ai, ar, aid) = after.clone().unzip3();
                Ok(conn.query(
                    "SELECT integration, record, via, first_seen_at, updated_at, revision,
                            received_at, id
                     FROM donations
                     WHERE ($1::TEXT IS NULL OR integration = $1)
                       AND ($2::TEXT IS NULL OR (integration, received_at, id) > ($2, $3, $4))
                     ORDER BY integration, received_at, id LIMIT $5",
                    &[&integration, &ai, &ar, &aid, &PAGE],
                )?)
            })?;
            let full = rows.len() as i64 == PAGE;
            for row in &rows {
                let record: String = row.get(1);
                let revision: i32 = row.get(5);
                each(StoredDonation {
                    integration: row.get(0),
                    donation: decode(&record)?,
                    via: row.get(2),
                    first_seen_at: row.get(3),
                    updated_at: row.get(4),
                    revision: u32::try_from(revision)
                        .map_err(|e| StoreError::Corrupt(format!("revision: {e}")))?,
                })?;
            }
            match rows.last() {
                Some(last) if full => after = Some((last.get(0), last.get(6), last.get(7))),
                _ => return Ok(()),
            }
        }
    }

    fn donation_history(&self, integration: &str, id: &str) -> Result<Vec<Donation>, StoreError> {
        self.with(|conn| {
            let rows = conn.query(
                "SELECT record FROM donation_history WHERE integration = $1 AND id = $2
                 ORDER BY revision",
                &[&integration, &id],
            )?;
            rows.iter().map(|row| decode(row.get(0))).collect()
        })
    }

    fn fees(&self, integration: Option<&str>) -> Result<Vec<(String, FeeEntry)>, StoreError> {
        self.with(|conn| {
            let rows = conn.query(
                "SELECT integration, record FROM fee_entries
                 WHERE $1::TEXT IS NULL OR integration = $1 ORDER BY integration, charged_at, id",
                &[&integration],
            )?;
            rows.iter()
                .map(|row| Ok((row.get(0), decode(row.get(1))?)))
                .collect()
        })
    }

    fn payouts(&self, integration: Option<&str>) -> Result<Vec<StoredPayout>, StoreError> {
        self.with(|conn| {
            let rows = conn.query(
                "SELECT integration, record FROM payouts
                 WHERE $1::TEXT IS NULL OR integration = $1 ORDER BY integration, paid_at, id",
                &[&integration],
            )?;
            rows.iter()
                .map(|row| {
                    Ok(StoredPayout {
                        integration: row.get(0),
                        payout: decode(row.get(1))?,
                    })
                })
                .collect()
        })
    }
}

/// `Option<(a, b, c)>` as three options, for keyset parameters.
trait Unzip3<A, B, C> {
    fn unzip3(self) -> (Option<A>, Option<B>, Option<C>);
}

impl<A, B, C> Unzip3<A, B, C> for Option<(A, B, C)> {
    fn unzip3(self) -> (Option<A>, Option<B>, Option<C>) {
        match self {
            Some((a, b, c)) => (Some(a), Some(b), Some(c)),
            None => (None, None, None),
        }
    }
}
