//! The import queue and the ledger: what a reviewer's approval books, and that deciding twice
//! changes nothing.

use intake_engine::config::ImportDefaults;
use intake_engine::queue::{
    Approval, ContactChoice, EntryRole, ImportQueue, QueueError, QueueFilter, QueueStatus,
};
use intake_engine::store::Backend;
use intake_engine::store::{Batch, Store, Via};
use intake_engine::{PgStore, SqliteStore};
use intake_host::types::{Donation, DonationKind, Earmark, Money, Payout, Person, PostalAddress};

fn usd(minor_units: i64) -> Money {
    Money {
        minor_units,
        currency: "USD".into(),
    }
}

fn person(first: &str, last: &str, email: &str) -> Person {
    Person {
        prefix: None,
        first_name: first.into(),
        middle_name: None,
        last_name: last.into(),
        suffix: None,
        email: Some(email.into()),
        phone: None,
        address: Some(PostalAddress {
            line1: "1 Main St".into(),
            line2: None,
            city: "Arlington".into(),
            region: "VA".into(),
            postal_code: "22201".into(),
            country: "US".into(),
        }),
        employer: Some("Acme".into()),
        occupation: Some("Engineer".into()),
        processor_donor_id: None,
    }
}

fn winred_earmark() -> Earmark {
    Earmark {
        conduit_name: "WinRed PAC".into(),
        conduit_fec_id: Some("C00694323".into()),
        conduit_address: Some(PostalAddress {
            line1: "PO Box 9891".into(),
            line2: None,
            city: "Arlington".into(),
            region: "VA".into(),
            postal_code: "22219".into(),
            country: "US".into(),
        }),
        recipient_fec_id: Some("C00123456".into()),
    }
}

fn donation(id: &str, cents: i64, donor: Person, earmark: Option<Earmark>) -> Donation {
    Donation {
        id: id.into(),
        kind: DonationKind::Contribution,
        reverses: None,
        amount: usd(cents),
        fee: None,
        net: None,
        received_at: format!("2026-03-0{}T15:00:00Z", 1 + id.len() % 9),
        donor,
        recurrence: None,
        earmark,
        source: None,
        payout_id: None,
        livemode: true,
        extra: vec![],
    }
}

fn refund(id: &str, of: &str, cents: i64, donor: Person) -> Donation {
    Donation {
        kind: DonationKind::Refund,
        reverses: Some(of.into()),
        received_at: "2026-03-20T10:00:00Z".into(),
        ..donation(id, -cents, donor, None)
    }
}

fn defaults() -> ImportDefaults {
    ImportDefaults {
        bank_account: Some("Operating".into()),
        election_period: Some("P2026".into()),
        category: Some("Individual contribution".into()),
    }
}

thread_local! {
    /// The backend the running test stores in (set by the wrappers at the end of the file).
    static BACKEND: std::cell::Cell<&'static str> = const { std::cell::Cell::new("sqlite") };
}

/// A store on this test's backend, holding `donations`, each queued.
fn store_with(donations: &[Donation]) -> Box<dyn Backend> {
    let store: Box<dyn Backend> = match BACKEND.get() {
        "postgres" => {
            let db = intake_test_postgres::database()
                .expect("INTAKE_SKIP_POSTGRES is handled by the wrapper");
            Box::new(PgStore::connect(&db.url).unwrap())
        }
        _ => Box::new(SqliteStore::in_memory().unwrap()),
    };
    store
        .store_batch(
            "winred-main",
            Batch {
                donations,
                ..Batch::default()
            },
            Via::Sync,
        )
        .unwrap();
    assert_eq!(store.enqueue_new().unwrap(), donations.len() as u64);
    store
}

fn item_of(store: &dyn Backend, donation_id: &str) -> i64 {
    store
        .queue_items(&QueueFilter::default())
        .unwrap()
        .into_iter()
        .find(|i| i.donation.id == donation_id)
        .unwrap()
        .id
}

fn approve(
    store: &dyn Backend,
    id: i64,
    contact: ContactChoice,
) -> Result<intake_engine::queue::Approved, QueueError> {
    let defaults = defaults();
    store.approve(
        id,
        &Approval {
            contact,
            defaults: &defaults,
            by: "maria",
        },
    )
}

fn an_earmarked_donation_books_one_receipt_and_its_linked_conduit_memo() {
    let ada = person("Ada", "Lovelace", "ada@example.com");
    let store = store_with(&[donation("wr_1", 5_000, ada.clone(), Some(winred_earmark()))]);
    let id = item_of(store.as_ref(), "wr_1");

    let approved = approve(store.as_ref(), id, ContactChoice::New).unwrap();
    assert!(approved.new_contact && !approved.already);
    let [receipt, memo] = approved.entries.as_slice() else {
        panic!("{:?}", approved.entries)
    };
    assert_eq!(receipt.role, EntryRole::EarmarkedReceipt);
    assert_eq!(receipt.contact, Some(approved.contact));
    assert_eq!(receipt.amount, usd(5_000));
    assert_eq!(memo.role, EntryRole::ConduitMemo);
    assert_eq!(
        memo.memo_for,
        Some(receipt.id),
        "the memo points at its receipt"
    );
    assert_eq!(
        memo.contact, None,
        "the memo is the conduit's, not the donor's"
    );
    assert_eq!(memo.amount, usd(5_000));
    for entry in [receipt, memo] {
        assert_eq!(entry.bank_account.as_deref(), Some("Operating"));
        assert_eq!(entry.election_period.as_deref(), Some("P2026"));
        assert_eq!(entry.category.as_deref(), Some("Individual contribution"));
    }
    let orgs = store.organizations().unwrap();
    assert_eq!(orgs.len(), 1);
    assert_eq!(memo.organization, Some(orgs[0].id));
    assert_eq!(orgs[0].name, "WinRed PAC");
    assert_eq!(orgs[0].fec_id.as_deref(), Some("C00694323"));
    assert_eq!(orgs[0].address.as_ref().unwrap().line1, "PO Box 9891");

    let item = store.queue_item(id).unwrap();
    assert_eq!(item.status, QueueStatus::Approved);
    assert_eq!(item.decided.unwrap().by, "maria");
    assert_eq!(item.contact, Some(approved.contact));
}

fn the_conduit_record_is_made_once_across_many_approvals() {
    let donations: Vec<Donation> = (0..40)
        .map(|i| {
            donation(
                &format!("wr_{i}"),
                1_000 + i,
                person("Donor", &format!("Number{i}"), &format!("d{i}@example.com")),
                Some(winred_earmark()),
            )
        })
        .collect();
    let store = store_with(&donations);
    for item in store.queue_items(&QueueFilter::default()).unwrap() {
        approve(store.as_ref(), item.id, ContactChoice::New).unwrap();
    }
    assert_eq!(store.organizations().unwrap().len(), 1);
    let ledger = store.ledger(None).unwrap();
    assert_eq!(ledger.len(), 80);
    let receipts = ledger
        .iter()
        .filter(|e| e.role == EntryRole::EarmarkedReceipt)
        .count();
    assert_eq!(receipts, 40);
    for memo in ledger.iter().filter(|e| e.role == EntryRole::ConduitMemo) {
        let receipt = ledger.iter().find(|e| Some(e.id) == memo.memo_for).unwrap();
        assert_eq!(receipt.donation_id, memo.donation_id);
        assert_eq!(receipt.amount, memo.amount);
    }
    assert_eq!(store.pending_count(None).unwrap(), 0);
}

fn deciding_again_changes_nothing_and_the_opposite_decision_is_refused() {
    let store = store_with(&[
        donation(
            "ch_1",
            2_500,
            person("Ada", "Lovelace", "ada@example.com"),
            None,
        ),
        donation("ch_2", 900, person("Bob", "Smith", "bob@example.com"), None),
    ]);
    let (first, second) = (
        item_of(store.as_ref(), "ch_1"),
        item_of(store.as_ref(), "ch_2"),
    );

    let approved = approve(store.as_ref(), first, ContactChoice::New).unwrap();
    let again = approve(
        store.as_ref(),
        first,
        ContactChoice::Existing(approved.contact),
    )
    .unwrap();
    assert!(again.already);
    assert_eq!(again.entries, approved.entries);
    assert_eq!(store.ledger(None).unwrap().len(), 1, "nothing booked twice");

    let err = approve(
        store.as_ref(),
        first,
        ContactChoice::Existing(approved.contact + 100),
    )
    .unwrap_err();
    assert!(
        err.to_string().starts_with(&format!(
            "queue item {first} was already approved by maria at "
        )),
        "{err}"
    );
    let err = store.reject(first, Some("duplicate"), "li").unwrap_err();
    assert!(
        err.to_string().contains("already approved by maria"),
        "{err}"
    );

    let rejected = store.reject(second, Some("test charge"), "li").unwrap();
    assert!(!rejected.already);
    assert_eq!(rejected.decided.reason.as_deref(), Some("test charge"));
    let again = store.reject(second, None, "li").unwrap();
    assert!(again.already);
    assert_eq!(
        again.decided.reason.as_deref(),
        Some("test charge"),
        "the first reason stands"
    );
    let err = approve(store.as_ref(), second, ContactChoice::New).unwrap_err();
    assert!(err.to_string().contains("already rejected by li"), "{err}");
    assert_eq!(store.ledger(None).unwrap().len(), 1);

    let err = approve(store.as_ref(), 999, ContactChoice::New).unwrap_err();
    assert_eq!(err.to_string(), "no queue item 999");
}

fn a_refund_reverses_each_entry_of_its_original_and_the_aggregate_follows() {
    let ada = person("Ada", "Lovelace", "ada@example.com");
    let store = store_with(&[
        donation("wr_1", 30_000, ada.clone(), Some(winred_earmark())),
        donation("wr_22", 5_000, ada.clone(), Some(winred_earmark())),
        refund("rf_1", "wr_1", 30_000, ada.clone()),
    ]);
    let refund_item = item_of(store.as_ref(), "rf_1");
    let err = approve(store.as_ref(), refund_item, ContactChoice::New).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "queue item {refund_item} reverses `wr_1`, which is not in the ledger yet: approve the original first"
        )
    );

    let original = approve(
        store.as_ref(),
        item_of(store.as_ref(), "wr_1"),
        ContactChoice::New,
    )
    .unwrap();
    let contact = original.contact;
    approve(
        store.as_ref(),
        item_of(store.as_ref(), "wr_22"),
        ContactChoice::Existing(contact),
    )
    .unwrap();
    // $300 + $50 from Ada in P2026: over $200, itemized. The memos are WinRed's, not hers.
    assert_eq!(store.aggregate(contact, "P2026").unwrap(), 35_000);

    let reversed = approve(store.as_ref(), refund_item, ContactChoice::New).unwrap();
    assert_eq!(
        reversed.contact, contact,
        "booked to the original's contact"
    );
    assert!(!reversed.new_contact);
    let [receipt_back, memo_back] = reversed.entries.as_slice() else {
        panic!("{:?}", reversed.entries)
    };
    assert_eq!(receipt_back.role, EntryRole::EarmarkedReceipt);
    assert_eq!(receipt_back.amount, usd(-30_000));
    assert_eq!(receipt_back.reverses, Some(original.entries[0].id));
    assert_eq!(memo_back.role, EntryRole::ConduitMemo);
    assert_eq!(memo_back.amount, usd(-30_000));
    assert_eq!(memo_back.reverses, Some(original.entries[1].id));
    assert_eq!(memo_back.memo_for, Some(receipt_back.id));
    assert_eq!(store.aggregate(contact, "P2026").unwrap(), 5_000);
    assert_eq!(store.aggregate(contact, "G2026").unwrap(), 0);
}

fn an_entry_carries_the_payout_that_settled_it() {
    let store = store_with(&[donation(
        "wr_1",
        5_000,
        person("Ada", "Lovelace", "ada@example.com"),
        Some(winred_earmark()),
    )]);
    approve(
        store.as_ref(),
        item_of(store.as_ref(), "wr_1"),
        ContactChoice::New,
    )
    .unwrap();
    assert_eq!(store.ledger(None).unwrap()[0].payout_id, None);
    // The conduit's check arrives after approval: the entries now point at it.
    let payout = Payout {
        id: "check_77".into(),
        paid_at: "2026-03-15T00:00:00Z".into(),
        gross: usd(5_000),
        fees: usd(0),
        net: usd(5_000),
        donation_ids: vec!["wr_1".into()],
        fee_ids: vec![],
        livemode: true,
        extra: vec![],
    };
    store
        .store_batch(
            "winred-main",
            Batch {
                payouts: std::slice::from_ref(&payout),
                ..Batch::default()
            },
            Via::Sync,
        )
        .unwrap();
    for entry in store.ledger(None).unwrap() {
        assert_eq!(entry.payout_id.as_deref(), Some("check_77"), "{entry:?}");
    }
}

fn a_donation_stored_twice_is_queued_once() {
    let d = donation(
        "ch_1",
        2_500,
        person("Ada", "Lovelace", "ada@example.com"),
        None,
    );
    let store = store_with(std::slice::from_ref(&d));
    store
        .store_batch(
            "winred-main",
            Batch {
                donations: std::slice::from_ref(&d),
                ..Batch::default()
            },
            Via::Webhook,
        )
        .unwrap();
    assert_eq!(store.enqueue_new().unwrap(), 0);
    assert_eq!(store.pending_count(Some("winred-main")).unwrap(), 1);
    assert_eq!(store.pending_count(Some("other")).unwrap(), 0);
}

/// A delivery queues its own donations: in the order given, each once, nothing it did not
/// carry (a donation stored by a sync and not yet queued stays for the sync's pass).
fn a_delivery_queues_only_its_own_donations() {
    let synced = donation(
        "ch_0",
        100,
        person("Ada", "Lovelace", "ada@example.com"),
        None,
    );
    let store = store_with(std::slice::from_ref(&synced));
    let (a, b, unqueued) = (
        donation("ch_a", 200, person("Bo", "Diddley", "bo@example.com"), None),
        donation("ch_b", 300, person("Cy", "Twombly", "cy@example.com"), None),
        donation("ch_c", 400, person("Di", "Fossey", "di@example.com"), None),
    );
    store
        .store_batch(
            "winred-main",
            Batch {
                donations: &[a, b, unqueued],
                ..Batch::default()
            },
            Via::Webhook,
        )
        .unwrap();
    let ids = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let added = store
        .enqueue("winred-main", &ids(&["ch_b", "ch_a", "ch_0", "not-stored"]))
        .unwrap();
    assert_eq!(
        added.len(),
        2,
        "ch_0 was queued already; not-stored is not stored"
    );
    let queued: Vec<(i64, String)> = store
        .queue_items(&QueueFilter::default())
        .unwrap()
        .into_iter()
        .map(|i| (i.id, i.donation.id))
        .collect();
    assert_eq!(
        queued.iter().map(|(_, d)| d.as_str()).collect::<Vec<_>>(),
        ["ch_0", "ch_b", "ch_a"]
    );
    assert_eq!(added, [queued[1].0, queued[2].0]);
    assert!(
        store
            .enqueue("winred-main", &ids(&["ch_a"]))
            .unwrap()
            .is_empty()
    );
    assert!(store.enqueue("other", &ids(&["ch_c"])).unwrap().is_empty());
    // The run's end sweeps its own integration only.
    assert_eq!(store.enqueue_new_of("other").unwrap(), 0);
    assert_eq!(
        store.enqueue_new_of("winred-main").unwrap(),
        1,
        "ch_c, at the sync's pass"
    );
    assert_eq!(store.enqueue_new().unwrap(), 0);
}

macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $test() {
                super::BACKEND.set("sqlite");
                super::$test();
            })*
        }
        mod postgres {
            $(#[test]
            fn $test() {
                if intake_test_postgres::database().is_none() {
                    return;
                }
                super::BACKEND.set("postgres");
                super::$test();
            })*
        }
    };
}

on_both_backends!(
    an_earmarked_donation_books_one_receipt_and_its_linked_conduit_memo,
    the_conduit_record_is_made_once_across_many_approvals,
    deciding_again_changes_nothing_and_the_opposite_decision_is_refused,
    a_refund_reverses_each_entry_of_its_original_and_the_aggregate_follows,
    an_entry_carries_the_payout_that_settled_it,
    a_donation_stored_twice_is_queued_once,
    a_delivery_queues_only_its_own_donations,
);

/// Two reviewers on two workers approve one earmarked item at the same moment: it is booked
/// once (one receipt, one memo), the conduit record made once, and both hear it is approved.
#[test]
fn postgres_two_workers_approving_one_item_book_it_once() {
    let Some(db) = intake_test_postgres::database() else {
        return;
    };
    let first = PgStore::connect(&db.url).unwrap();
    let second = PgStore::connect(&db.url).unwrap();
    let donations: Vec<Donation> = (0..20)
        .map(|n| {
            let who = person("Ada", "Lovelace", &format!("ada{n}@example.com"));
            donation(&format!("wr_{n}"), 5_000, who, Some(winred_earmark()))
        })
        .collect();
    first
        .store_batch(
            "winred-main",
            Batch {
                donations: &donations,
                ..Batch::default()
            },
            Via::Sync,
        )
        .unwrap();
    first.enqueue_new().unwrap();
    let items: Vec<i64> = first
        .queue_items(&QueueFilter::default())
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    std::thread::scope(|scope| {
        for store in [&first, &second] {
            let items = &items;
            scope.spawn(move || {
                for &id in items {
                    let approved = approve(store, id, ContactChoice::New).unwrap();
                    assert_eq!(approved.entries.len(), 2, "{approved:?}");
                }
            });
        }
    });
    let ledger = first.ledger(None).unwrap();
    assert_eq!(ledger.len(), 40, "one receipt and one memo per item");
    assert_eq!(
        first.organizations().unwrap().len(),
        1,
        "WinRed PAC made once"
    );
    assert_eq!(
        first.contacts().unwrap().len(),
        20,
        "one new contact per item"
    );
}
