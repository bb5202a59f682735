//! Donor matching with crafted near-duplicates: each rule has a case that must match, with the
//! sentences a reviewer reads, and a case that must not. Run on both stores.

use intake_engine::matching::{AUTO_MATCH_SCORE, Candidate, ContactMatcher};
use intake_engine::store::Backend;

use intake_host::types::{Person, PostalAddress};

fn person(first: &str, last: &str) -> Person {
    Person {
        prefix: None,
        first_name: first.into(),
        middle_name: None,
        last_name: last.into(),
        suffix: None,
        email: None,
        phone: None,
        address: None,
        employer: None,
        occupation: None,
        processor_donor_id: None,
    }
}

fn with_email(p: Person, email: &str) -> Person {
    Person {
        email: Some(email.into()),
        ..p
    }
}

fn with_phone(p: Person, phone: &str) -> Person {
    Person {
        phone: Some(phone.into()),
        ..p
    }
}

fn at(p: Person, line1: &str, zip: &str) -> Person {
    Person {
        address: Some(PostalAddress {
            line1: line1.into(),
            line2: None,
            city: "Arlington".into(),
            region: "VA".into(),
            postal_code: zip.into(),
            country: "US".into(),
        }),
        ..p
    }
}

/// The candidates' reasons as a reviewer reads them, best first.
fn read(found: &[Candidate]) -> Vec<Vec<String>> {
    found
        .iter()
        .map(|c| c.reasons.iter().map(ToString::to_string).collect())
        .collect()
}

fn each_rule_matches_what_it_should_and_nothing_else(store: &dyn Backend) {
    let ana = store
        .add_contact(&with_email(
            at(person("Ana", "Pérez"), "123 Main Street", "22201"),
            "ana@example.com",
        ))
        .unwrap();
    let robert = store
        .add_contact(&at(
            person("Robert", "Smith"),
            "77 Elm Street Apt 4",
            "75201",
        ))
        .unwrap();
    let john = store
        .add_contact(&with_phone(
            at(person("John", "Lee"), "1 Oak Rd", "33602"),
            "+1 (703) 555-0100",
        ))
        .unwrap();
    let _other_john = store
        .add_contact(&at(person("John", "Smith"), "9 Pine Ln", "85004"))
        .unwrap();

    // Same email, whatever else differs.
    let found = store
        .candidates(
            &with_email(person("Ana", "Perez-Lopez"), "ANA@example.com"),
            5,
        )
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].contact, ana);
    assert_eq!(
        read(&found)[0],
        [
            "same email (ana@example.com)",
            "similar last name: Perez-Lopez and Pérez"
        ]
    );

    // Accents, case and ZIP+4 ignored: same full name and ZIP, strong enough to import alone.
    let found = store
        .candidates(&at(person("ANA", "PEREZ"), "PO Box 5", "22201-4321"), 5)
        .unwrap();
    assert_eq!(read(&found), [["same first and last name and ZIP 22201"]]);
    assert!(found[0].score >= AUTO_MATCH_SCORE, "{found:?}");
    // The same name in another ZIP is another person.
    assert!(
        store
            .candidates(&at(person("Ana", "Pérez"), "5 Bay St", "94110"), 5)
            .unwrap()
            .is_empty()
    );

    // A nickname with the same street (abbreviated, without the apartment).
    let found = store
        .candidates(&at(person("Bob", "Smith"), "77 ELM ST.", "75201"), 5)
        .unwrap();
    assert_eq!(found[0].contact, robert);
    assert_eq!(
        read(&found)[0],
        [
            "same last name and street (77 Elm Street Apt 4)",
            "nickname: Bob is a form of Robert"
        ]
    );
    assert!(
        found[0].score < AUTO_MATCH_SCORE,
        "a nickname is for a reviewer: {found:?}"
    );
    // A nickname with another email and nothing else ties nobody.
    assert!(
        store
            .candidates(
                &with_email(person("Bob", "Smith"), "bob@elsewhere.example"),
                5
            )
            .unwrap()
            .is_empty()
    );

    // An initial with the same phone, however it is written.
    let found = store
        .candidates(&with_phone(person("J.", "Lee"), "703.555.0100"), 5)
        .unwrap();
    assert_eq!(found[0].contact, john);
    assert_eq!(
        read(&found)[0],
        [
            "same last name and phone (7035550100)",
            "initial: J. matches John"
        ]
    );
    // "J. Smith" in a ZIP where no J. Smith lives: nobody.
    assert!(
        store
            .candidates(&at(person("J.", "Smith"), "1 Main St", "22201"), 5)
            .unwrap()
            .is_empty()
    );

    // A suffix and a mistyped last name.
    let found = store
        .candidates(&at(person("John", "Lee Jr."), "2 Oak Rd", "33602"), 5)
        .unwrap();
    assert_eq!(read(&found), [["same first and last name and ZIP 33602"]]);
    let found = store
        .candidates(&at(person("Robert", "Smyth"), "77 Elm Street", "75201"), 5)
        .unwrap();
    assert_eq!(
        read(&found)[0],
        [
            "same first name and street (77 Elm Street Apt 4)",
            "similar last name: Smyth and Smith"
        ]
    );

    // One inbox, two names: shown, never strong enough to import alone.
    let found = store
        .candidates(&with_email(person("Luis", "Gómez"), "ana@example.com"), 5)
        .unwrap();
    assert_eq!(read(&found), [["same email (ana@example.com)"]]);
    assert!(found[0].score < AUTO_MATCH_SCORE);
}

fn a_name_alone_is_never_a_candidate(store: &dyn Backend) {
    store
        .add_contact(&at(person("John", "Smith"), "1 Main St", "22201"))
        .unwrap();
    store
        .add_contact(&with_email(person("John", "Smith"), "john@example.com"))
        .unwrap();
    assert!(
        store
            .candidates(&person("John", "Smith"), 5)
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .candidates(&at(person("John", "Smith"), "1 Main St", "85004"), 5)
            .unwrap()
            .is_empty(),
        "the same street in another ZIP is another street"
    );
}

macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $test() {
                super::$test(&intake_engine::SqliteStore::in_memory().unwrap());
            })*
        }
        mod postgres {
            $(#[test]
            fn $test() {
                let Some(db) = intake_test_postgres::database() else { return };
                super::$test(&intake_engine::PgStore::connect(&db.url).unwrap());
            })*
        }
    };
}

on_both_backends!(
    each_rule_matches_what_it_should_and_nothing_else,
    a_name_alone_is_never_a_candidate,
);

/// A store made before contacts had keys: its contacts are found once it is opened by this
/// version, without the reviewer doing anything.
#[test]
fn contacts_made_before_keys_existed_are_found_after_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("intake.db");
    let ana = {
        let store = intake_engine::SqliteStore::open(&path).unwrap();
        store
            .add_contact(&at(person("Ana", "Pérez"), "12 Calle Luna", "33101"))
            .unwrap()
    };
    // Back to the schema before keys: no key table, version 3.
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch(
        "DROP TABLE contact_keys; DROP TABLE schedule_slots; PRAGMA user_version = 3;",
    )
    .unwrap();
    drop(raw);

    let store = intake_engine::SqliteStore::open(&path).unwrap();
    let found = store
        .candidates(
            &at(person("ANA", "Perez"), "12 Calle Luna", "33101-2020"),
            5,
        )
        .unwrap();
    assert_eq!(found.iter().map(|c| c.contact).collect::<Vec<_>>(), [ana]);
}
