//! Which first names may be one person's: the maintained dataset of
//! github.com/carltonnorthern/nicknames (Apache-2.0, vendored in `data/nicknames/` with its
//! license and where it came from), read once.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

static NAMES_CSV: &str = include_str!("../../data/nicknames/names.csv");

/// Formal name -> its nicknames, and nickname -> the formal names it is short for.
struct Nicknames {
    of_formal: HashMap<String, HashSet<String>>,
    formals_of: HashMap<String, HashSet<String>>,
}

static NICKNAMES: LazyLock<Nicknames> = LazyLock::new(|| {
    let mut table = Nicknames {
        of_formal: HashMap::new(),
        formals_of: HashMap::new(),
    };
    let mut rows = csv::Reader::from_reader(NAMES_CSV.as_bytes());
    for row in rows.records().flatten() {
        let (Some(formal), Some("has_nickname"), Some(nick)) = (row.get(0), row.get(1), row.get(2))
        else {
            continue;
        };
        let (formal, nick) = (super::normalize::fold(formal), super::normalize::fold(nick));
        table
            .of_formal
            .entry(formal.clone())
            .or_default()
            .insert(nick.clone());
        table.formals_of.entry(nick).or_default().insert(formal);
    }
    table
});

/// How two different first names (folded) may be one person's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Relation {
    /// `nick` is a form of `formal` ("bob" of "robert").
    FormOf { nick: String, formal: String },
    /// Both are forms of `formal` ("bob" and "rob" of "robert").
    BothFormsOf { formal: String },
}

/// How `a` and `b` (folded, different) are related as first names, if they are.
pub fn relation(a: &str, b: &str) -> Option<Relation> {
    let table = &*NICKNAMES;
    let is_nick_of = |nick: &str, formal: &str| {
        table
            .of_formal
            .get(formal)
            .is_some_and(|nicks| nicks.contains(nick))
    };
    // The dataset lists some pairs both ways ("bill" of "william" and back): the shorter
    // name is the nickname when it can be.
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    for (nick, formal) in [(short, long), (long, short)] {
        if is_nick_of(nick, formal) {
            return Some(Relation::FormOf {
                nick: nick.into(),
                formal: formal.into(),
            });
        }
    }
    let (fa, fb) = (table.formals_of.get(a)?, table.formals_of.get(b)?);
    let mut shared: Vec<&String> = fa.intersection(fb).collect();
    shared.sort();
    shared.first().map(|formal| Relation::BothFormsOf {
        formal: (*formal).clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dataset_knows_common_forms() {
        assert_eq!(
            relation("bob", "robert"),
            Some(Relation::FormOf {
                nick: "bob".into(),
                formal: "robert".into()
            })
        );
        assert_eq!(
            relation("william", "bill"),
            Some(Relation::FormOf {
                nick: "bill".into(),
                formal: "william".into()
            })
        );
        assert!(relation("bob", "rob").is_some(), "both forms of Robert");
        assert_eq!(relation("mary", "john"), None);
        assert!(NICKNAMES.of_formal.len() > 500, "the whole dataset is read");
    }
}
