//! Claims on integrations, for several processes sharing one SQLite file. Times are this
//! machine's clock, in milliseconds since the epoch: every process on one file shares it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};

use crate::store::{Claim, StoreError, holder_is_gone};

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

pub(super) fn claim(
    conn: &Connection,
    integration: &str,
    worker: &str,
    ttl: Duration,
) -> Result<Claim, StoreError> {
    let now = now_ms();
    let until = now.saturating_add(i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX));
    // Who held it before, to tell a takeover from a fresh claim. Another process may change
    // the row between the two statements; that only mislabels a takeover, never double-holds.
    let before: Option<String> = conn
        .query_row(
            "SELECT holder FROM leases WHERE integration = ?1",
            params![integration],
            |row| row.get(0),
        )
        .optional()?;
    let changed = conn.execute(
        "INSERT INTO leases (integration, holder, expires_ms) VALUES (?1, ?2, ?3)
         ON CONFLICT (integration) DO UPDATE SET
            holder = excluded.holder, expires_ms = excluded.expires_ms
         WHERE leases.holder = excluded.holder OR leases.expires_ms <= ?4",
        params![integration, worker, until, now],
    )?;
    if changed == 1 {
        return Ok(match before {
            Some(from) if from != worker => Claim::TakenOver { from },
            _ => Claim::Held,
        });
    }
    let holder: String = conn.query_row(
        "SELECT holder FROM leases WHERE integration = ?1",
        params![integration],
        |row| row.get(0),
    )?;
    if holder_is_gone(&holder) {
        let taken = conn.execute(
            "UPDATE leases SET holder = ?2, expires_ms = ?3 WHERE integration = ?1 AND holder = ?4",
            params![integration, worker, until, holder],
        )?;
        if taken == 1 {
            return Ok(Claim::TakenOver { from: holder });
        }
    }
    Ok(Claim::Busy { holder })
}

pub(super) fn release(
    conn: &Connection,
    integration: &str,
    worker: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM leases WHERE integration = ?1 AND holder = ?2",
        params![integration, worker],
    )?;
    Ok(())
}

/// Refuse when another worker holds a live claim on `integration`.
pub(super) fn fence(conn: &Connection, integration: &str, worker: &str) -> Result<(), StoreError> {
    let other: Option<String> = conn
        .query_row(
            "SELECT holder FROM leases WHERE integration = ?1 AND holder <> ?2 AND expires_ms > ?3",
            params![integration, worker, now_ms()],
            |row| row.get(0),
        )
        .optional()?;
    match other {
        None => Ok(()),
        Some(holder) => Err(StoreError::NotHolder {
            integration: integration.to_string(),
            holder,
        }),
    }
}
