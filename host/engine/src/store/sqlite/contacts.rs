//! TEMPORARY stand-in with the agreed interface; replaced by the matching branch at merge.
#![allow(missing_docs)]

use intake_host::types::Person;
use rusqlite::{Connection, OptionalExtension, params};

use super::SqliteStore;
use crate::matching::{Candidate, Contact, ContactId, ContactMatcher, Reason};
use crate::store::{StoreError, now_rfc3339};

fn ensure(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS contacts (id INTEGER PRIMARY KEY, person TEXT NOT NULL, email TEXT, created_at TEXT NOT NULL)",
    )?;
    Ok(())
}

pub(crate) fn insert_contact(conn: &Connection, person: &Person) -> Result<ContactId, StoreError> {
    ensure(conn)?;
    let json = serde_json::to_string(person).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    conn.execute(
        "INSERT INTO contacts (person, email, created_at) VALUES (?1, lower(?2), ?3)",
        params![json, person.email, now_rfc3339()],
    )?;
    Ok(conn.last_insert_rowid())
}

pub(crate) fn find_candidates(
    conn: &Connection,
    person: &Person,
    limit: usize,
) -> Result<Vec<Candidate>, StoreError> {
    ensure(conn)?;
    let Some(email) = &person.email else {
        return Ok(vec![]);
    };
    let mut q = conn.prepare("SELECT id FROM contacts WHERE email = lower(?1) LIMIT ?2")?;
    let ids = q
        .query_map(params![email, limit as i64], |r| r.get::<_, i64>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ids
        .into_iter()
        .map(|id| Candidate {
            contact: id,
            score: 95,
            reasons: vec![Reason::SameEmail {
                email: email.to_lowercase(),
            }],
        })
        .collect())
}

impl ContactMatcher for SqliteStore {
    fn candidates(&self, person: &Person, limit: usize) -> Result<Vec<Candidate>, StoreError> {
        find_candidates(&self.conn(), person, limit)
    }
}

impl SqliteStore {
    pub fn add_contact(&self, person: &Person) -> Result<ContactId, StoreError> {
        insert_contact(&self.conn(), person)
    }

    pub fn contact(&self, id: ContactId) -> Result<Option<Contact>, StoreError> {
        let conn = self.conn();
        ensure(&conn)?;
        let row = conn
            .query_row(
                "SELECT person, created_at FROM contacts WHERE id = ?1",
                params![id],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()?;
        row.map(|(p, created_at)| {
            Ok(Contact {
                id,
                person: serde_json::from_str(&p).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                created_at,
            })
        })
        .transpose()
    }

    pub fn contacts(&self) -> Result<Vec<Contact>, StoreError> {
        let conn = self.conn();
        ensure(&conn)?;
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
            .map(|(id, p, created_at)| {
                Ok(Contact {
                    id,
                    person: serde_json::from_str(&p)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    created_at,
                })
            })
            .collect()
    }
}
