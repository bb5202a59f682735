//! TEMPORARY stand-in with the agreed interface; replaced by the matching branch at merge.
#![allow(missing_docs)]

use intake_host::types::Person;
use serde::Serialize;

use crate::store::StoreError;

pub type ContactId = i64;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contact {
    pub id: ContactId,
    pub person: Person,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule")]
pub enum Reason {
    SameEmail { email: String },
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::SameEmail { email } => write!(f, "same email ({email})"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub contact: ContactId,
    pub score: u8,
    pub reasons: Vec<Reason>,
}

pub const AUTO_MATCH_SCORE: u8 = 90;

pub trait ContactMatcher: Send + Sync {
    fn candidates(&self, person: &Person, limit: usize) -> Result<Vec<Candidate>, StoreError>;
}
