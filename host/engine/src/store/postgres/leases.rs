//! Claims on integrations, shared by every worker of a fleet. Times are the database
//! server's clock (`clock_timestamp()`), the one clock every worker shares.

use std::time::Duration;

use postgres::GenericClient;

use crate::store::{Claim, StoreError, holder_is_gone};

pub(super) fn claim(
    conn: &mut impl GenericClient,
    integration: &str,
    worker: &str,
    ttl: Duration,
) -> Result<Claim, StoreError> {
    // The previous holder, read under the row lock the upsert then takes, tells a takeover
    // from a fresh claim.
    let mut tx = conn.transaction()?;
    let before: Option<String> = tx
        .query_opt(
            "SELECT holder FROM leases WHERE integration = $1 FOR UPDATE",
            &[&integration],
        )?
        .map(|row| row.get(0));
    let changed = tx.execute(
        "INSERT INTO leases (integration, holder, expires_at)
         VALUES ($1, $2, clock_timestamp() + make_interval(secs => $3))
         ON CONFLICT (integration) DO UPDATE SET
            holder = excluded.holder, expires_at = excluded.expires_at
         WHERE leases.holder = excluded.holder OR leases.expires_at <= clock_timestamp()",
        &[&integration, &worker, &ttl.as_secs_f64()],
    )?;
    tx.commit()?;
    if changed == 1 {
        return Ok(match before {
            Some(from) if from != worker => Claim::TakenOver { from },
            _ => Claim::Held,
        });
    }
    let row = conn.query_opt(
        "SELECT holder FROM leases WHERE integration = $1",
        &[&integration],
    )?;
    match row {
        Some(row) => {
            let holder: String = row.get(0);
            if holder_is_gone(&holder) {
                let taken = conn.execute(
                    "UPDATE leases SET holder = $2,
                        expires_at = clock_timestamp() + make_interval(secs => $3)
                     WHERE integration = $1 AND holder = $4",
                    &[&integration, &worker, &ttl.as_secs_f64(), &holder],
                )?;
                if taken == 1 {
                    return Ok(Claim::TakenOver { from: holder });
                }
            }
            Ok(Claim::Busy { holder })
        }
        // Released between the two statements: try once more.
        None => claim(conn, integration, worker, ttl),
    }
}

pub(super) fn release(
    conn: &mut impl GenericClient,
    integration: &str,
    worker: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM leases WHERE integration = $1 AND holder = $2",
        &[&integration, &worker],
    )?;
    Ok(())
}

/// Refuse when another worker holds a live claim on `integration`. The row stays share-locked
/// to the end of the caller's transaction, so a takeover cannot slip in before its commit.
pub(super) fn fence(
    conn: &mut impl GenericClient,
    integration: &str,
    worker: &str,
) -> Result<(), StoreError> {
    let row = conn.query_opt(
        "SELECT holder, holder <> $2 AND expires_at > clock_timestamp() FROM leases
         WHERE integration = $1 FOR SHARE",
        &[&integration, &worker],
    )?;
    match row {
        Some(row) if row.get::<_, bool>(1) => Err(StoreError::NotHolder {
            integration: integration.to_string(),
            holder: row.get(0),
        }),
        _ => Ok(()),
    }
}
