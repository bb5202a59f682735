//! Contacts in SQLite, each indexed under its blocking keys so matching reads only the few
//! contacts that share a key with the incoming donor, never the whole table.

use intake_host::types::Person;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use super::SqliteStore;
use super::entries::{decode, encode};
use crate::matching::{
    Candidate, Contact, ContactId, ContactMatcher, blocking_keys, score_candidates,
};
use crate::store::{StoreError, now_rfc3339};

/// Contacts read per lookup at most: a key shared by more (a family's email, a common name
/// in a dense ZIP) is capped rather than read whole.
const MAX_BLOCK: i64 = 500;

/// Make a contact for `person` inside the caller's transaction, with its keys.
pub(crate) fn insert_contact(conn: &Connection, person: &Person) -> Result<ContactId, StoreError> {
    conn.prepare_cached(
        "INSERT INTO contacts (person, email, created_at) VALUES (?1, lower(?2), ?3)",
    )?
    .execute(params![encode(person)?, person.email, now_rfc3339()])?;
    let id = conn.last_insert_rowid();
    write_keys(conn, id, person)?;
    Ok(id)
}

fn write_keys(conn: &Connection, id: ContactId, person: &Person) -> Result<(), StoreError> {
    let mut key = conn
        .prepare_cached("INSERT OR IGNORE INTO contact_keys (key, contact_id) VALUES (?1, ?2)")?;
    for k in blocking_keys(person) {
        key.execute(params![k, id])?;
    }
    Ok(())
}

/// Index every contact under its keys: run once, by the migration that added the keys, so
/// contacts made before it are found too.
pub(super) fn index_existing(conn: &Connection) -> Result<(), StoreError> {
    let rows = conn
        .prepare("SELECT id, person FROM contacts")?
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    for (id, person) in rows {
        write_keys(conn, id, &decode(&person)?)?;
    }
    Ok(())
}

/// The contacts `person` may be, best first.
pub(crate) fn find_candidates(
    conn: &Connection,
    person: &Person,
    limit: usize,
) -> Result<Vec<Candidate>, StoreError> {
    let keys = blocking_keys(person);
    if keys.is_empty() || limit == 0 {
        return Ok(vec![]);
    }
    let marks = vec!["?"; keys.len()].join(", ");
    let sql = format!(
        "SELECT c.id, c.person FROM contacts c WHERE c.id IN (
            SELECT DISTINCT contact_id FROM contact_keys WHERE key IN ({marks})
            ORDER BY contact_id LIMIT {MAX_BLOCK})"
    );
    let mut query = conn.prepare_cached(&sql)?;
    let rows = query
        .query_map(params_from_iter(keys.iter()), |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let contacts = rows
        .into_iter()
        .map(|(id, p)| Ok((id, decode::<Person>(&p)?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(score_candidates(person, contacts, limit))
}

fn contact_from(id: ContactId, person: &str, created_at: String) -> Result<Contact, StoreError> {
    Ok(Contact {
        id,
        person: decode(person)?,
        created_at,
    })
}

impl ContactMatcher for SqliteStore {
    fn candidates(&self, person: &Person, limit: usize) -> Result<Vec<Candidate>, StoreError> {
        find_candidates(&self.conn(), person, limit)
    }
}

impl SqliteStore {
    /// Keep a new contact; its id.
    pub fn add_contact(&self, person: &Person) -> Result<ContactId, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let id = insert_contact(&tx, person)?;
        tx.commit()?;
        Ok(id)
    }

    /// One contact.
    pub fn contact(&self, id: ContactId) -> Result<Option<Contact>, StoreError> {
        let conn = self.conn();
        let row = conn
            .query_row(
                "SELECT person, created_at FROM contacts WHERE id = ?1",
                params![id],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()?;
        row.map(|(p, created_at)| contact_from(id, &p, created_at))
            .transpose()
    }

    /// Every contact, by id.
    pub fn contacts(&self) -> Result<Vec<Contact>, StoreError> {
        let conn = self.conn();
        let mut q = conn.prepare("SELECT id, person, created_at FROM contacts ORDER BY id")?;
        let rows = q
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(id, p, created_at)| contact_from(id, &p, created_at))
            .collect()
    }
}
