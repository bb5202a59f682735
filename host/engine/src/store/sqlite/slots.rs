//! Scheduled slots taken, so each fires once however many processes share the file.

use rusqlite::{Connection, OptionalExtension, params};

use crate::store::StoreError;

pub(super) fn claim(
    conn: &Connection,
    integration: &str,
    slot: &str,
    worker: &str,
) -> Result<bool, StoreError> {
    let inserted = conn.execute(
        "INSERT INTO schedule_slots (integration, slot, worker) VALUES (?1, ?2, ?3)
         ON CONFLICT (integration, slot) DO NOTHING",
        params![integration, slot, worker],
    )?;
    Ok(inserted == 1)
}

pub(super) fn last(conn: &Connection, integration: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT max(slot) FROM schedule_slots WHERE integration = ?1",
            params![integration],
            |row| row.get::<_, Option<String>>(0),
        )
        .optional()?
        .flatten())
}
