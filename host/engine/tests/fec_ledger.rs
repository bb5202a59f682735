//! From approved ledger entries to the receipts of an FEC report: which entries become
//! SA11AI lines, with which aggregate, and what is refused.

use intake_engine::SqliteStore;
use intake_engine::config::ImportDefaults;
use intake_engine::fec::{FecError, ledger};
use intake_engine::queue::{Approval, ContactChoice, ImportQueue, QueueFilter};
use intake_engine::store::{Batch, Store, Via};
use intake_host::types::{Donation, DonationKind, Earmark, Money, Person, PostalAddress};
use time::macros::date;

fn usd(minor_units: i64) -> Money {
    Money {
        minor_units,
        currency: "USD".into(),
    }
}

fn address(line1: &str, zip: &str) -> Option<PostalAddress> {
    Some(PostalAddress {
        line1: line1.into(),
        line2: None,
        city: "Arlington".into(),
        region: "VA".into(),
        postal_code: zip.into(),
        country: "US".into(),
    })
}

fn person(first: &str, last: &str) -> Person {
    Person {
        prefix: None,
        first_name: first.into(),
        middle_name: None,
        last_name: last.into(),
        suffix: None,
        email: Some(format!("{first}@example.com")),
        phone: None,
        address: address("1 Main St", "22201"),
        employer: Some("Acme".into()),
        occupation: Some("Engineer".into()),
        processor_donor_id: None,
    }
}

fn gift(id: &str, at: &str, cents: i64, donor: Person, earmarked: bool) -> Donation {
    Donation {
        id: id.into(),
        kind: DonationKind::Contribution,
        reverses: None,
        amount: usd(cents),
        fee: None,
        net: None,
        received_at: at.into(),
        donor,
        recurrence: None,
        earmark: earmarked.then(|| Earmark {
            conduit_name: "WinRed PAC".into(),
            conduit_fec_id: Some("C00694323".into()),
            conduit_address: address("PO Box 9891", "22219"),
            recipient_fec_id: Some("C00123456".into()),
        }),
        source: None,
        payout_id: None,
        livemode: true,
        extra: vec![],
    }
}

fn refund(id: &str, of: &str, at: &str, cents: i64, donor: Person) -> Donation {
    Donation {
        kind: DonationKind::Refund,
        reverses: Some(of.into()),
        ..gift(id, at, -cents, donor, false)
    }
}

struct Books {
    store: SqliteStore,
    defaults: ImportDefaults,
}

impl Books {
    fn new(donations: &[Donation]) -> Books {
        let store = SqliteStore::in_memory().unwrap();
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
        store.enqueue_new().unwrap();
        Books {
            store,
            defaults: ImportDefaults {
                bank_account: Some("Operating".into()),
                election_period: Some("P2026".into()),
                category: None,
            },
        }
    }

    /// Approves the donation for `contact` (None: a new one); returns the contact and the
    /// first entry's number.
    fn approve(&self, donation: &str, contact: Option<i64>) -> (i64, i64) {
        let item = self
            .store
            .queue_items(&QueueFilter::default())
            .unwrap()
            .into_iter()
            .find(|i| i.donation.id == donation)
            .unwrap();
        let approved = self
            .store
            .approve(
                item.id,
                &Approval {
                    contact: contact.map_or(ContactChoice::New, ContactChoice::Existing),
                    defaults: &self.defaults,
                    by: "maria",
                },
            )
            .unwrap();
        (approved.contact, approved.entries[0].id)
    }
}

#[test]
fn earmarks_always_contributions_over_200_refunds_never() {
    let (ada, bob, carol, dan) = (
        person("Ada", "Lovelace"),
        person("Bob", "Byrne"),
        person("Carol", "Chu"),
        person("Dan", "Dunn"),
    );
    let books = Books::new(&[
        gift(
            "c_june",
            "2026-06-01T12:00:00Z",
            18_000,
            carol.clone(),
            false,
        ),
        gift("a_1", "2026-07-04T15:00:00Z", 5_000, ada.clone(), true),
        gift("b_1", "2026-07-05T15:00:00Z", 15_000, bob.clone(), false),
        gift("d_1", "2026-07-06T15:00:00Z", 30_000, dan.clone(), false),
        gift("b_2", "2026-07-10T15:00:00Z", 10_000, bob.clone(), false),
        gift("c_1", "2026-07-12T15:00:00Z", 3_000, carol.clone(), false),
        refund("d_r", "d_1", "2026-07-20T15:00:00Z", 30_000, dan.clone()),
        gift("d_2", "2026-07-25T15:00:00Z", 5_000, dan.clone(), false),
        gift("a_oct", "2026-10-01T00:00:00Z", 5_000, ada.clone(), true),
    ]);
    let (ada_c, a_1) = books.approve("a_1", None);
    let (bob_c, _) = books.approve("b_1", None);
    let (_, b_2) = books.approve("b_2", Some(bob_c));
    // Carol's June gift is outside the report but counts toward her aggregate.
    let (carol_c, _) = books.approve("c_june", None);
    let (_, c_1) = books.approve("c_1", Some(carol_c));
    let (dan_c, d_1) = books.approve("d_1", None);
    books.approve("d_r", None);
    books.approve("d_2", Some(dan_c));
    books.approve("a_oct", Some(ada_c));

    let receipts = ledger::receipts(
        &books.store,
        "winred-main",
        date!(2026 - 07 - 01),
        date!(2026 - 09 - 30),
    )
    .unwrap();
    let got: Vec<(String, i64, i64, bool)> = receipts
        .iter()
        .map(|r| {
            (
                r.transaction_id.clone(),
                r.amount_cents,
                r.aggregate_cents,
                r.earmark.is_some(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (format!("IK{a_1}"), 5_000, 5_000, true), // earmarked: always, even at $50
            (format!("IK{d_1}"), 30_000, 30_000, false), // over $200
            (format!("IK{b_2}"), 10_000, 25_000, false), // $150 + $100
            (format!("IK{c_1}"), 3_000, 21_000, false), // June's $180 + $30
        ],
        "Bob's first $150 and Dan's $50 after his refund stay unitemized; the refund and \
         October's gift are not lines"
    );
    let ada_receipt = &receipts[0];
    assert_eq!(ada_receipt.contributor.last_name, "Lovelace");
    assert_eq!(ada_receipt.date, date!(2026 - 07 - 04));
    assert_eq!(ada_receipt.election_code, "P2026");
    let memo = ada_receipt.earmark.as_ref().unwrap();
    assert_eq!(memo.transaction_id, format!("IK{a_1}M"));
    assert_eq!(memo.conduit.name, "WinRed PAC");
    assert_eq!(memo.conduit.fec_id.as_deref(), Some("C00694323"));
    assert_eq!(memo.conduit.address.as_ref().unwrap().line1, "PO Box 9891");

    // Another integration has nothing in the books.
    let none = ledger::receipts(
        &books.store,
        "stripe-main",
        date!(2026 - 07 - 01),
        date!(2026 - 09 - 30),
    )
    .unwrap();
    assert!(none.is_empty());
}

#[test]
fn an_entry_without_an_election_period_is_named() {
    let mut books = Books::new(&[gift(
        "a_1",
        "2026-07-04T15:00:00Z",
        5_000,
        person("Ada", "Lovelace"),
        true,
    )]);
    books.defaults.election_period = None;
    let (_, entry) = books.approve("a_1", None);
    let error = ledger::receipts(
        &books.store,
        "winred-main",
        date!(2026 - 07 - 01),
        date!(2026 - 09 - 30),
    )
    .unwrap_err();
    assert!(matches!(error, FecError::MissingElectionPeriod { .. }));
    assert_eq!(
        error.to_string(),
        format!(
            "ledger entry {entry} (a_1) has no election period, which its election code and aggregate need: set `defaults.election_period` on the integration for what is approved next, and give this entry one"
        )
    );
}
