//! Contacts on Postgres, indexed under their blocking keys as in the embedded store: matching
//! reads only the contacts that share a key with the incoming donor.

use intake_host::types::Person;
use postgres::GenericClient;

use super::PgStore;
use crate::matching::{
    Candidate, Contact, ContactId, ContactMatcher, blocking_keys, score_candidates,
};
use crate::store::sqlite::entries::{decode, encode};
use crate::store::{StoreError, now_rfc3339};

/// Make a contact for `person` inside the caller's transaction.
pub(crate) fn insert_contact(
    conn: &mut impl GenericClient,
    person: &Person,
) -> Result<ContactId, StoreError> {
    let email = person.email.as_deref().map(str::to_lowercase);
    let row = conn.query_one(
        "INSERT INTO contacts (person, email, created_at) VALUES ($1, $2, $3) RETURNING id",
        &[&encode(person)?, &email, &now_rfc3339()],
    )?;
    let id: ContactId = row.get(0);
    write_keys(conn, id, person)?;
    Ok(id)
}

fn write_keys(
    conn: &mut impl GenericClient,
    id: ContactId,
    person: &Person,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO contact_keys (key, contact_id) SELECT k, $2 FROM unnest($1::TEXT[]) AS k
         ON CONFLICT DO NOTHING",
        &[&blocking_keys(person), &id],
    )?;
    Ok(())
}

/// Index every contact under its keys: run once, by the migration that added the keys, so
/// contacts made before it are found too.
pub(super) fn index_existing(conn: &mut impl GenericClient) -> Result<(), StoreError> {
    let rows = conn.query("SELECT id, person FROM contacts", &[])?;
    for row in rows {
        write_keys(conn, row.get(0), &decode(row.get(1))?)?;
    }
    Ok(())
}

/// Contacts read per lookup at most (as in the embedded store).
const MAX_BLOCK: i64 = 500;

fn contact_from(row: &postgres::Row) -> Result<Contact, StoreError> {
    Ok(Contact {
        id: row.get(0),
        person: decode(row.get(1))?,
        created_at: row.get(2),
    })
}

impl ContactMatcher for PgStore {
    fn candidates(&self, person: &Person, limit: usize) -> Result<Vec<Candidate>, StoreError> {
        let keys = blocking_keys(person);
        if keys.is_empty() || limit == 0 {
            return Ok(vec![]);
        }
        let rows = self.with(|conn| {
            Ok(conn.query(
                "SELECT c.id, c.person FROM contacts c WHERE c.id IN (
                    SELECT DISTINCT contact_id FROM contact_keys WHERE key = ANY($1)
                    ORDER BY contact_id LIMIT $2)",
                &[&keys, &MAX_BLOCK],
            )?)
        })?;
        let contacts = rows
            .iter()
            .map(|row| Ok((row.get::<_, i64>(0), decode::<Person>(row.get(1))?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(score_candidates(person, contacts, limit))
    }
}

impl PgStore {
    /// Keep a new contact; its id.
    pub fn add_contact(&self, person: &Person) -> Result<ContactId, StoreError> {
        self.with(|conn| insert_contact(conn, person))
    }

    /// One contact.
    pub fn contact(&self, id: ContactId) -> Result<Option<Contact>, StoreError> {
        self.with(|conn| {
            conn.query_opt(
                "SELECT id, person, created_at FROM contacts WHERE id = $1",
                &[&id],
            )?
            .as_ref()
            .map(contact_from)
            .transpose()
        })
    }

    /// Every contact, by id.
    pub fn contacts(&self) -> Result<Vec<Contact>, StoreError> {
        self.with(|conn| {
            conn.query(
                "SELECT id, person, created_at FROM contacts ORDER BY id",
                &[],
            )?
            .iter()
            .map(contact_from)
            .collect()
        })
    }
}
