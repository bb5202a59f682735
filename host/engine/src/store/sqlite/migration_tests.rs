//! A store written at schema version 5 (the record tables WITHOUT ROWID) keeps every entry, its
//! history and what each payout settles through migration 6, which rebuilds those tables.

use intake_host::types::{Donation, DonationKind, FeeEntry, Money, Payout, Person};
use rusqlite::Connection;

use super::{SqliteStore, entries, schema};
use crate::store::{Batch, Store, Via};

fn usd(minor_units: i64) -> Money {
    Money {
        minor_units,
        currency: "USD".into(),
    }
}

fn gift(id: &str, cents: i64, received_at: &str) -> Donation {
    Donation {
        id: id.into(),
        kind: DonationKind::Contribution,
        reverses: None,
        amount: usd(cents),
        fee: Some(usd(30)),
        net: Some(usd(cents - 30)),
        received_at: received_at.into(),
        donor: Person {
            prefix: None,
            first_name: "Ana".into(),
            middle_name: None,
            last_name: "Pérez".into(),
            suffix: None,
            email: Some("ana@example.com".into()),
            phone: None,
            address: None,
            employer: Some("Acme".into()),
            occupation: Some("Engineer".into()),
            processor_donor_id: None,
        },
        recurrence: None,
        earmark: None,
        source: None,
        payout_id: Some("po_1".into()),
        livemode: true,
        extra: vec![("note".into(), "x".repeat(3000))], // a record larger than a page
    }
}

/// The SQL of a table or index as the file holds it.
fn sql_of(conn: &Connection, name: &str) -> String {
    conn.query_row(
        "SELECT sql FROM sqlite_master WHERE name = ?1",
        [name],
        |row| row.get(0),
    )
    .unwrap()
}

#[test]
fn migration_6_keeps_every_entry_and_drops_without_rowid() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v5.db");
    let mut conn = Connection::open(&path).unwrap();
    for sql in &schema::MIGRATIONS[..5] {
        conn.execute_batch(sql).unwrap();
    }
    conn.pragma_update(None, "user_version", 5).unwrap();
    assert!(sql_of(&conn, "donations").contains("WITHOUT ROWID"));

    let (first, second) = (
        gift("ch_1", 2500, "2026-03-01T10:00:00Z"),
        gift("ch_2", 700, "2026-03-01T09:00:00Z"),
    );
    let mut corrected = first.clone();
    corrected.amount = usd(2600);
    let fee = FeeEntry {
        id: "fee_1".into(),
        amount: usd(99),
        charged_at: "2026-03-02T00:00:00Z".into(),
        donation_id: None,
        payout_id: Some("po_1".into()),
        description: "monthly".into(),
    };
    let payout = Payout {
        id: "po_1".into(),
        paid_at: "2026-03-05T00:00:00Z".into(),
        gross: usd(3300),
        fees: usd(159),
        net: usd(3141),
        donation_ids: vec!["ch_1".into(), "ch_2".into()],
        fee_ids: vec!["fee_1".into()],
        livemode: true,
        extra: vec![],
    };
    {
        let tx = conn.transaction().unwrap();
        let batch = Batch {
            donations: &[first.clone(), second.clone()],
            fees: std::slice::from_ref(&fee),
            payouts: std::slice::from_ref(&payout),
        };
        entries::store(&tx, "i", batch, Via::Sync).unwrap();
        let again = Batch {
            donations: std::slice::from_ref(&corrected),
            ..Batch::default()
        };
        assert_eq!(
            entries::store(&tx, "i", again, Via::Webhook)
                .unwrap()
                .updated,
            1
        );
        tx.commit().unwrap();
    }

    let store = SqliteStore::with_connection(conn).unwrap();
    {
        let conn = store.conn();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(version, schema::MIGRATIONS.len() as i64);
        for table in ["donations", "donation_history", "fee_entries", "payouts"] {
            let sql = sql_of(&conn, table);
            assert!(!sql.contains("WITHOUT ROWID"), "{table}: {sql}");
            assert!(sql.contains("PRIMARY KEY"), "{table}: {sql}");
        }
        assert!(sql_of(&conn, "donations_by_time").contains("received_at"));
        assert!(sql_of(&conn, "donations_by_reverses").contains("reverses"));
    }

    let mut stored = Vec::new();
    store
        .each_donation(Some("i"), &mut |d| {
            stored.push((d.donation, d.via, d.revision));
            Ok(())
        })
        .unwrap();
    assert_eq!(
        stored,
        vec![
            (second.clone(), "sync".to_string(), 1),
            (corrected.clone(), "sync".to_string(), 2),
        ],
        "both donations, in time order, with their revision and first channel"
    );
    assert_eq!(store.donation_history("i", "ch_1").unwrap(), vec![first]);
    assert_eq!(store.fees(Some("i")).unwrap(), vec![("i".to_string(), fee)]);
    let payouts = store.payouts(Some("i")).unwrap();
    assert_eq!(payouts.len(), 1);
    assert_eq!(payouts[0].payout, payout);

    // The keys still hold: the same record again is recognized, a new id is new.
    let counts = store
        .store_batch(
            "i",
            Batch {
                donations: &[second, gift("ch_3", 100, "2026-03-03T00:00:00Z")],
                ..Batch::default()
            },
            Via::Sync,
        )
        .unwrap();
    assert_eq!((counts.new, counts.unchanged), (1, 1));
}
