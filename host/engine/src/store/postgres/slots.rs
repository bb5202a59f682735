//! Scheduled slots taken: the primary key lets exactly one worker of the fleet insert each.

use postgres::GenericClient;

use crate::store::StoreError;

pub(super) fn claim(
    conn: &mut impl GenericClient,
    integration: &str,
    slot: &str,
    worker: &str,
) -> Result<bool, StoreError> {
    let inserted = conn.execute(
        "INSERT INTO schedule_slots (integration, slot, worker) VALUES ($1, $2, $3)
         ON CONFLICT (integration, slot) DO NOTHING",
        &[&integration, &slot, &worker],
    )?;
    Ok(inserted == 1)
}

pub(super) fn last(
    conn: &mut impl GenericClient,
    integration: &str,
) -> Result<Option<String>, StoreError> {
    let row = conn.query_one(
        "SELECT max(slot) FROM schedule_slots WHERE integration = $1",
        &[&integration],
    )?;
    Ok(row.get(0))
}
