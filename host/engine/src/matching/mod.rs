//! Donor matching: for an incoming donation's donor, the kept contacts it may be, scored, each
//! with the reasons a reviewer reads.
//!
//! The rules: same email; same first and last name and ZIP; same name and street; same name
//! and phone; nickname ("Bob" for "Robert", from a maintained dataset) or initial ("J. Smith")
//! variants and a mistyped last name, each only together with one of those; accents, case,
//! punctuation, suffixes, ZIP+4 and street abbreviations ignored. A name alone never proposes
//! a contact: two John Smiths in different ZIPs are two people, and merging them corrupts both
//! aggregates.
//!
//! Stores find candidates by blocking keys ([`blocking_keys`], indexed), never by reading every
//! contact, then score the few that share a key ([`score_candidates`]).

mod nicknames;
pub mod normalize;
mod score;

use intake_host::types::Person;
use serde::Serialize;

use crate::store::StoreError;

/// A contact's number.
pub type ContactId = i64;

/// A contact (donor record) as the store keeps it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contact {
    /// Its number.
    pub id: ContactId,
    /// Who, as first approved.
    pub person: Person,
    /// When it was made (RFC 3339 UTC).
    pub created_at: String,
}

/// Why a candidate was proposed; `Display` is the sentence a reviewer reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Reason {
    /// "same email (jane@example.com)".
    SameEmail {
        /// The address, folded.
        email: String,
    },
    /// "same first and last name and ZIP 22201" (or "same last name…" with a name variant).
    SameZip {
        /// ZIP5.
        zip: String,
        /// Which part of the name is the same.
        name: NamePart,
    },
    /// "same name and street (123 Main St)", within one ZIP.
    SameStreet {
        /// Number and street, as the kept contact has it written.
        street: String,
        /// Which part of the name is the same.
        name: NamePart,
    },
    /// "same name and phone (7035550100)".
    SamePhone {
        /// Ten digits.
        phone: String,
        /// Which part of the name is the same.
        name: NamePart,
    },
    /// "nickname: Bob is a form of Robert", or "…Bob and Rob are both forms of Robert".
    Nickname {
        /// The shorter form.
        nickname: String,
        /// The other name.
        name: String,
        /// The formal name both are forms of, when neither is the other's.
        via: Option<String>,
    },
    /// "initial: J. matches John".
    Initial {
        /// The letter.
        initial: String,
        /// The full first name.
        name: String,
    },
    /// "similar last name: Smyth and Smith".
    SimilarLastName {
        /// The incoming donor's.
        given: String,
        /// The contact's.
        known: String,
    },
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let part = |name: &NamePart| match name {
            NamePart::Full => "name",
            NamePart::Last => "last name",
            NamePart::First => "first name",
        };
        match self {
            Reason::SameEmail { email } => write!(f, "same email ({email})"),
            Reason::SameZip {
                zip,
                name: NamePart::Full,
            } => write!(f, "same first and last name and ZIP {zip}"),
            Reason::SameZip { zip, name } => write!(f, "same {} and ZIP {zip}", part(name)),
            Reason::SameStreet { street, name } => {
                write!(f, "same {} and street ({street})", part(name))
            }
            Reason::SamePhone { phone, name } => {
                write!(f, "same {} and phone ({phone})", part(name))
            }
            Reason::Nickname {
                nickname,
                name,
                via: None,
            } => write!(f, "nickname: {nickname} is a form of {name}"),
            Reason::Nickname {
                nickname,
                name,
                via: Some(formal),
            } => write!(
                f,
                "nickname: {nickname} and {name} are both forms of {formal}"
            ),
            Reason::Initial { initial, name } => write!(f, "initial: {initial}. matches {name}"),
            Reason::SimilarLastName { given, known } => {
                write!(f, "similar last name: {given} and {known}")
            }
        }
    }
}

/// Which part of two names is the same, beside a shared ZIP, street or phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NamePart {
    /// First and last.
    Full,
    /// The last name (the first is a nickname or an initial of the other).
    Last,
    /// The first name (the last is mistyped).
    First,
}

/// One contact the incoming person may be.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// The contact.
    pub contact: ContactId,
    /// 0 to 100: how sure.
    pub score: u8,
    /// Why, as a reviewer reads it.
    pub reasons: Vec<Reason>,
}

/// A score at or above which an automatic import may take a lone candidate as the donor:
/// the same full name and ZIP, or better.
pub const AUTO_MATCH_SCORE: u8 = 85;

/// Finds the contacts a person may be. A CRM that keeps its own contacts implements this.
pub trait ContactMatcher: Send + Sync {
    /// Candidates, best first, at most `limit`.
    fn candidates(&self, person: &Person, limit: usize) -> Result<Vec<Candidate>, StoreError>;
}

/// The keys a store indexes a contact under, and looks an incoming person up by: any contact
/// that could score shares at least one with it.
pub fn blocking_keys(person: &Person) -> Vec<String> {
    let facts = score::Facts::of(person);
    let mut keys = Vec::new();
    if let Some(email) = &facts.email {
        keys.push(format!("e:{email}"));
    }
    if let Some(phone) = &facts.phone {
        keys.push(format!("p:{phone}"));
    }
    if let Some(zip) = &facts.zip {
        if !facts.last.is_empty() {
            keys.push(format!("z:{}|{zip}", facts.last));
        }
        // A mistyped last name still shares the first name and ZIP.
        if !facts.first.is_empty() {
            keys.push(format!("f:{}|{zip}", facts.first));
        }
    }
    keys
}

/// Score `contacts` (those sharing a key with `person`) and keep the best `limit`, best first
/// (ties: the older contact first).
pub fn score_candidates(
    person: &Person,
    contacts: impl IntoIterator<Item = (ContactId, Person)>,
    limit: usize,
) -> Vec<Candidate> {
    let incoming = score::Facts::of(person);
    let mut found: Vec<Candidate> = contacts
        .into_iter()
        .filter_map(|(id, p)| score::score(&incoming, id, &score::Facts::of(&p)))
        .collect();
    found.sort_by(|a, b| b.score.cmp(&a.score).then(a.contact.cmp(&b.contact)));
    found.truncate(limit);
    found
}
