//! Comparing an incoming donor with one kept contact: what they share, and how sure that makes
//! a reviewer. A name alone never proposes a contact; it must come with an email, a ZIP, a
//! street or a phone.

use strsim::jaro_winkler;

use super::nicknames::{self, Relation};
use super::normalize;
use super::{Candidate, ContactId, NamePart, Reason};
use intake_host::types::Person;

/// A person's fields as matching compares them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Facts {
    pub(crate) first: String,
    pub(crate) last: String,
    /// The last name as written, for the reviewer.
    pub(crate) last_written: String,
    pub(crate) email: Option<String>,
    pub(crate) zip: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) street: Option<String>,
    /// The street line as written, for the reviewer.
    pub(crate) street_written: Option<String>,
}

impl Facts {
    pub(crate) fn of(person: &Person) -> Facts {
        Facts {
            first: normalize::first_name(person),
            last: normalize::last_name(person),
            last_written: person.last_name.trim().to_string(),
            email: normalize::email(person),
            zip: normalize::zip5(person),
            phone: normalize::phone(person),
            street: normalize::street(person),
            street_written: person.address.as_ref().map(|a| a.line1.trim().to_string()),
        }
    }
}

/// Last names this close (Jaro-Winkler) are taken for one name mistyped ("Smyth", "Smith").
const SIMILAR_LAST_NAME: f64 = 0.88;

/// How two names relate.
enum Names {
    Same,
    /// Related; `NamePart` says which part is the same, the reason how the other relates.
    Variant(NamePart, Reason),
    Unrelated,
}

fn title(folded: &str) -> String {
    let mut chars = folded.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn compare_names(a: &Facts, b: &Facts) -> Names {
    if a.first.is_empty() || a.last.is_empty() || b.first.is_empty() || b.last.is_empty() {
        return Names::Unrelated;
    }
    let same_last = a.last == b.last;
    if !same_last {
        let similar = a.last.len() >= 4
            && b.last.len() >= 4
            && jaro_winkler(&a.last, &b.last) >= SIMILAR_LAST_NAME;
        return if similar && a.first == b.first {
            Names::Variant(
                NamePart::First,
                Reason::SimilarLastName {
                    given: a.last_written.clone(),
                    known: b.last_written.clone(),
                },
            )
        } else {
            Names::Unrelated
        };
    }
    if a.first == b.first {
        return Names::Same;
    }
    let (short, long) = if a.first.len() <= b.first.len() {
        (&a.first, &b.first)
    } else {
        (&b.first, &a.first)
    };
    if short.chars().count() == 1 && long.starts_with(short.as_str()) {
        return Names::Variant(
            NamePart::Last,
            Reason::Initial {
                initial: short.to_uppercase(),
                name: title(long),
            },
        );
    }
    match nicknames::relation(&a.first, &b.first) {
        Some(Relation::FormOf { nick, formal }) => Names::Variant(
            NamePart::Last,
            Reason::Nickname {
                nickname: title(&nick),
                name: title(&formal),
                via: None,
            },
        ),
        Some(Relation::BothFormsOf { formal }) => Names::Variant(
            NamePart::Last,
            Reason::Nickname {
                nickname: title(&a.first),
                name: title(&b.first),
                via: Some(title(&formal)),
            },
        ),
        None => Names::Unrelated,
    }
}

fn same(a: &Option<String>, b: &Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) if a == b => Some(a.clone()),
        _ => None,
    }
}

/// The candidate `contact` is for `incoming`, or None when nothing but a name (or nothing at
/// all) ties them.
pub(crate) fn score(incoming: &Facts, contact_id: ContactId, contact: &Facts) -> Option<Candidate> {
    let names = compare_names(incoming, contact);
    let email = same(&incoming.email, &contact.email);
    if let Names::Unrelated = names {
        // One inbox, two names: a couple giving from a shared address. A reviewer decides.
        return email.map(|email| Candidate {
            contact: contact_id,
            score: 60,
            reasons: vec![Reason::SameEmail { email }],
        });
    }
    let name = match &names {
        Names::Variant(part, _) => *part,
        _ => NamePart::Full,
    };
    let zip = same(&incoming.zip, &contact.zip);
    let street = zip
        .as_ref()
        .and(same(&incoming.street, &contact.street))
        .and(contact.street_written.clone());
    let phone = same(&incoming.phone, &contact.phone);
    let mut evidence: Vec<(u8, Reason)> = Vec::new();
    if let Some(email) = email {
        evidence.push((95, Reason::SameEmail { email }));
    }
    if let Some(street) = street {
        evidence.push((92, Reason::SameStreet { street, name }));
    } else if let Some(zip) = zip {
        evidence.push((85, Reason::SameZip { zip, name }));
    }
    if let Some(phone) = phone {
        evidence.push((90, Reason::SamePhone { phone, name }));
    }
    let best = evidence.iter().map(|(s, _)| *s).max()?;
    let more = u8::try_from(evidence.len() - 1)
        .unwrap_or(u8::MAX)
        .saturating_mul(3);
    let penalty = match names {
        Names::Same => 0,
        _ => 12,
    };
    let mut reasons: Vec<Reason> = evidence.into_iter().map(|(_, r)| r).collect();
    if let Names::Variant(_, reason) = names {
        reasons.push(reason);
    }
    Some(Candidate {
        contact: contact_id,
        score: best.saturating_add(more).min(100).saturating_sub(penalty),
        reasons,
    })
}
