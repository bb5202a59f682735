//! Contacts on Postgres. Matching here is by email only for now: the blocking keys of the
//! embedded store's matcher are not ported yet (see README, "Scale out").

use intake_host::types::Person;
use postgres::GenericClient;

use super::PgStore;
use crate::matching::{Candidate, Contact, ContactId, ContactMatcher, Reason};
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
    Ok(row.get(0))
}

fn contact_from(row: &postgres::Row) -> Result<Contact, StoreError> {
    Ok(Contact {
        id: row.get(0),
        person: decode(row.get(1))?,
        created_at: row.get(2),
    })
}

impl ContactMatcher for PgStore {
    fn candidates(&self, person: &Person, limit: usize) -> Result<Vec<Candidate>, StoreError> {
        let Some(email) = person.email.as_deref().map(str::to_lowercase) else {
            return Ok(vec![]);
        };
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let ids: Vec<i64> = self.with(|conn| {
            Ok(conn
                .query(
                    "SELECT id FROM contacts WHERE email = $1 ORDER BY id LIMIT $2",
                    &[&email, &limit],
                )?
                .iter()
                .map(|row| row.get(0))
                .collect())
        })?;
        Ok(ids
            .into_iter()
            .map(|contact| Candidate {
                contact,
                score: 95,
                reasons: vec![Reason::SameEmail {
                    email: email.clone(),
                }],
            })
            .collect())
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
