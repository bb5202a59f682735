//! The store's promises, checked on both backends: the embedded SQLite file and a real
//! Postgres (a throwaway cluster started by the test setup). Each test is written once over
//! `&dyn Store` and run against each.

use std::collections::BTreeSet;
use std::time::Duration;

use intake_engine::store::{Batch, Claim, Counts, RunSummary, Store, StoreError, Stream, Via};
use intake_engine::{PgStore, SqliteStore};
use intake_host::types::{Donation, FeeEntry, Payout, Person, RowError, Window};

mod support;
use support::{donation, donor, usd};

fn donations_only(donations: &[Donation]) -> Batch<'_> {
    Batch {
        donations,
        ..Batch::default()
    }
}

fn counts(new: u64, updated: u64, unchanged: u64) -> Counts {
    Counts {
        new,
        updated,
        unchanged,
    }
}

fn window() -> Window {
    Window {
        since: "2026-01-01T00:00:00Z".into(),
        until: Some("2026-02-01T00:00:00Z".into()),
    }
}

fn page_and_cursor_commit_together(store: &dyn Store) {
    store
        .open_window("i", Stream::Donations, &window())
        .unwrap();
    let opened = store.stream_state("i", Stream::Donations).unwrap();
    assert_eq!(opened.window, Some(window()));
    assert_eq!(opened.cursor, None);

    let page = [donation("ch_1", 500, "2026-01-02T00:00:00Z")];
    let stored = store
        .commit_page(
            "i",
            Stream::Donations,
            donations_only(&page),
            Some("after-1"),
        )
        .unwrap();
    assert_eq!(stored, counts(1, 0, 0));
    let mid = store.stream_state("i", Stream::Donations).unwrap();
    assert_eq!(mid.cursor.as_deref(), Some("after-1"));
    assert_eq!(mid.completed_until, None);
    // The payouts stream of the same integration is its own.
    assert_eq!(
        store.stream_state("i", Stream::Payouts).unwrap().cursor,
        None
    );

    let last = [donation("ch_2", 700, "2026-01-03T00:00:00Z")];
    store
        .commit_page("i", Stream::Donations, donations_only(&last), None)
        .unwrap();
    let done = store.stream_state("i", Stream::Donations).unwrap();
    assert_eq!(done.window, None);
    assert_eq!(done.cursor, None);
    assert_eq!(
        done.completed_until.as_deref(),
        Some("2026-02-01T00:00:00Z")
    );
}

fn same_record_once_changed_record_kept_as_history(store: &dyn Store) {
    let first = donation("ch_1", 2500, "2026-01-02T00:00:00Z");
    let batch = [first.clone()];
    assert_eq!(
        store
            .store_batch("i", donations_only(&batch), Via::Webhook)
            .unwrap(),
        counts(1, 0, 0)
    );
    assert_eq!(
        store
            .store_batch("i", donations_only(&batch), Via::Sync)
            .unwrap(),
        counts(0, 0, 1)
    );

    // The sync learns the fee and the payout.
    let settled = Donation {
        fee: Some(usd(103)),
        net: Some(usd(2397)),
        payout_id: Some("po_1".into()),
        ..first.clone()
    };
    assert_eq!(
        store
            .store_batch(
                "i",
                donations_only(std::slice::from_ref(&settled)),
                Via::Sync
            )
            .unwrap(),
        counts(0, 1, 0)
    );
    // A late webhook without them must not erase them.
    assert_eq!(
        store
            .store_batch("i", donations_only(&batch), Via::Webhook)
            .unwrap(),
        counts(0, 0, 1)
    );

    let mut stored = Vec::new();
    store
        .each_donation(Some("i"), &mut |d| {
            stored.push(d);
            Ok(())
        })
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].donation, settled);
    assert_eq!(stored[0].revision, 2);
    assert_eq!(stored[0].via, "webhook", "how it first arrived");
    assert_eq!(store.donation_history("i", "ch_1").unwrap(), vec![first]);
}

/// A delivery that knows less of a donation than the store (a Stripe event's charge is not
/// expanded: no donor details, no recurrence) keeps what was known, taking only what it adds.
fn a_later_delivery_that_knows_less_keeps_what_was_known(store: &dyn Store) {
    use intake_host::types::{Interval, PostalAddress, Recurrence};
    let full = Donation {
        donor: Person {
            middle_name: Some("María".into()),
            phone: Some("+15551234567".into()),
            address: Some(PostalAddress {
                line1: "77 Elm Street".into(),
                line2: Some("Apt 4".into()),
                city: "Springfield".into(),
                region: "IL".into(),
                postal_code: "62701".into(),
                country: "US".into(),
            }),
            employer: Some("Acme Clinic".into()),
            occupation: Some("Nurse".into()),
            processor_donor_id: Some("cus_9".into()),
            ..donor()
        },
        recurrence: Some(Recurrence {
            interval: Interval::Monthly,
            installment: Some(3),
            subscription_id: Some("sub_1".into()),
        }),
        source: Some("spring-page".into()),
        extra: vec![("page".into(), "spring".into())],
        ..donation("ch_7", 5000, "2026-02-01T00:00:00Z")
    };
    store
        .store_batch("i", donations_only(std::slice::from_ref(&full)), Via::Sync)
        .unwrap();
    // The event: names only, no email, nothing optional, an empty name, but the fee.
    let event = Donation {
        donor: Person {
            prefix: None,
            first_name: String::new(),
            middle_name: None,
            last_name: "Pérez".into(),
            suffix: None,
            email: None,
            phone: None,
            address: None,
            employer: None,
            occupation: None,
            processor_donor_id: None,
        },
        fee: Some(usd(175)),
        ..donation("ch_7", 5000, "2026-02-01T00:00:00Z")
    };
    assert_eq!(
        store
            .store_batch(
                "i",
                donations_only(std::slice::from_ref(&event)),
                Via::Webhook
            )
            .unwrap(),
        counts(0, 1, 0),
        "the fee is new"
    );
    let mut stored = Vec::new();
    store
        .each_donation(Some("i"), &mut |d| {
            stored.push(d.donation);
            Ok(())
        })
        .unwrap();
    let expected = Donation {
        fee: Some(usd(175)),
        ..full.clone()
    };
    assert_eq!(stored, [expected]);
    // The same event again adds nothing: unchanged.
    assert_eq!(
        store
            .store_batch(
                "i",
                donations_only(std::slice::from_ref(&event)),
                Via::Webhook
            )
            .unwrap(),
        counts(0, 0, 1)
    );
}

fn fees_and_payouts_with_what_they_settle(store: &dyn Store) {
    let fee = FeeEntry {
        id: "fee_1".into(),
        amount: usd(150),
        charged_at: "2026-01-05T00:00:00Z".into(),
        donation_id: None,
        payout_id: Some("po_1".into()),
        description: "Chargeback fee".into(),
    };
    let payout = Payout {
        id: "po_1".into(),
        paid_at: "2026-01-10T00:00:00Z".into(),
        gross: usd(3000),
        fees: usd(250),
        net: usd(2750),
        donation_ids: vec!["ch_1".into(), "ch_2".into()],
        fee_ids: vec!["fee_1".into()],
        livemode: true,
        extra: vec![],
    };
    let batch = Batch {
        fees: std::slice::from_ref(&fee),
        payouts: std::slice::from_ref(&payout),
        ..Batch::default()
    };
    assert_eq!(
        store.store_batch("i", batch, Via::Sync).unwrap(),
        counts(2, 0, 0)
    );
    assert_eq!(
        store.store_batch("i", batch, Via::Sync).unwrap(),
        counts(0, 0, 2)
    );
    let corrected = Payout {
        donation_ids: vec!["ch_1".into()],
        ..payout.clone()
    };
    let batch = Batch {
        payouts: std::slice::from_ref(&corrected),
        ..Batch::default()
    };
    assert_eq!(
        store.store_batch("i", batch, Via::Sync).unwrap(),
        counts(0, 1, 0)
    );
    let payouts = store.payouts(None).unwrap();
    assert_eq!(payouts.len(), 1);
    assert_eq!(payouts[0].payout, corrected);
    assert_eq!(store.fees(Some("i")).unwrap(), vec![("i".to_string(), fee)]);
    assert!(store.fees(Some("other")).unwrap().is_empty());
}

fn rejected_rows_replaced_on_reimport(store: &dyn Store) {
    let row = |line, message: &str| RowError {
        line,
        message: message.into(),
    };
    store
        .record_rejects("i", "march.csv", &[row(3, "no amount"), row(9, "bad date")])
        .unwrap();
    store
        .record_rejects("i", "april.csv", &[row(2, "no donor")])
        .unwrap();
    store
        .record_rejects("i", "march.csv", &[row(9, "bad date")])
        .unwrap();
    let rejects = store.rejects(Some("i")).unwrap();
    let lines: Vec<_> = rejects
        .iter()
        .map(|r| (r.source.as_str(), r.line, r.message.as_str()))
        .collect();
    assert_eq!(
        lines,
        [("april.csv", 2, "no donor"), ("march.csv", 9, "bad date")]
    );
}

fn runs_recorded_newest_first(store: &dyn Store) {
    let first = store.start_run("a").unwrap();
    let second = store.start_run("b").unwrap();
    assert!(second > first);
    let summary = RunSummary {
        status: "ok".into(),
        detail: None,
        counts: counts(3, 1, 2),
        rejected: 0,
        pages: 2,
        calls: 3,
        requests: 7,
        finished_at: Some("2026-01-01T05:31:00Z".into()),
    };
    store.finish_run(first, &summary).unwrap();
    let runs = store.runs(None, 10).unwrap();
    assert_eq!(
        runs.iter().map(|r| r.id).collect::<Vec<_>>(),
        [second, first]
    );
    assert_eq!(runs[0].summary.status, "running");
    assert_eq!(runs[1].summary, summary);
    assert_eq!(store.runs(Some("a"), 10).unwrap().len(), 1);
    assert_eq!(store.runs(None, 1).unwrap().len(), 1);
}

/// A run its worker never finished (killed, or stopped mid-run) is marked interrupted by the
/// next run of the same integration, which only a holder of its claim starts; another
/// integration's running run is left alone.
fn a_run_left_running_is_marked_interrupted_by_the_next(store: &dyn Store) {
    let cut_off = store.start_run("a").unwrap();
    let other = store.start_run("b").unwrap();
    let next = store.start_run("a").unwrap();
    let runs = store.runs(None, 10).unwrap();
    let by_id = |id: i64| runs.iter().find(|r| r.id == id).unwrap();
    assert_eq!(by_id(cut_off).summary.status, "interrupted");
    assert_eq!(
        by_id(cut_off).summary.detail.as_deref(),
        Some(
            "its worker stopped before the end; the next run resumed from the last committed page"
        )
    );
    assert!(by_id(cut_off).summary.finished_at.is_some());
    assert_eq!(by_id(other).summary.status, "running");
    assert_eq!(by_id(next).summary.status, "running");
    assert_eq!(by_id(next).summary.detail, None);
}

/// What a worker left part-way (window open; last run still running, or interrupted) is
/// resumable; a window left by a failure, a finished one, and a run's older state are not.
fn resumable_is_what_a_worker_left_part_way(store: &dyn Store) {
    let summary = |status: &str| RunSummary {
        status: status.into(),
        ..RunSummary::default()
    };
    for id in ["died", "failed", "stopped", "done", "died-then-failed"] {
        store.start_run(id).unwrap();
        store.open_window(id, Stream::Donations, &window()).unwrap();
    }
    // "died" keeps its running run.
    let run = store.start_run("failed").unwrap();
    store.finish_run(run, &summary("needs attention")).unwrap();
    let run = store.start_run("stopped").unwrap();
    store.finish_run(run, &summary("interrupted")).unwrap();
    let run = store.start_run("done").unwrap();
    store
        .commit_page("done", Stream::Donations, donations_only(&[]), None)
        .unwrap();
    store.finish_run(run, &summary("ok")).unwrap();
    // Its first run died; the next one (which marked that one interrupted) failed.
    let run = store.start_run("died-then-failed").unwrap();
    store.finish_run(run, &summary("failed")).unwrap();
    assert_eq!(store.resumable().unwrap(), ["died", "stopped"]);
}

/// More donations than one read page of the Postgres store, over two integrations.
fn every_donation_in_order(store: &dyn Store) {
    let mut expected = Vec::new();
    for integration in ["b-second", "a-first"] {
        let batch: Vec<Donation> = (0..2600)
            .map(|n| {
                // Many donations share a timestamp: order falls back to the id.
                donation(
                    &format!("d{n:05}"),
                    100 + n,
                    &format!("2026-01-{:02}T00:00:00Z", 1 + n % 28),
                )
            })
            .collect();
        store
            .store_batch(integration, donations_only(&batch), Via::Import)
            .unwrap();
        for d in &batch {
            expected.push((integration.to_string(), d.received_at.clone(), d.id.clone()));
        }
    }
    expected.sort();
    let mut seen = Vec::new();
    store
        .each_donation(None, &mut |d| {
            seen.push((d.integration, d.donation.received_at, d.donation.id));
            Ok(())
        })
        .unwrap();
    assert_eq!(seen, expected);
    let mut only_b = 0;
    store
        .each_donation(Some("b-second"), &mut |d| {
            assert_eq!(d.integration, "b-second");
            only_b += 1;
            Ok(())
        })
        .unwrap();
    assert_eq!(only_b, 2600);
}

/// One integration, two workers: one claim at a time; the holder renews; the other is told
/// who holds it and may not move the sync on; after release the other takes it.
fn one_worker_claims_an_integration_at_a_time(a: &dyn Store, b: &dyn Store) {
    let minute = Duration::from_secs(60);
    assert_ne!(a.worker(), b.worker());
    assert_eq!(a.claim("i", minute).unwrap(), Claim::Held);
    assert_eq!(a.claim("i", minute).unwrap(), Claim::Held, "renewed");
    assert_eq!(
        b.claim("i", minute).unwrap(),
        Claim::Busy {
            holder: a.worker().to_string()
        }
    );
    assert_eq!(
        b.claim("other", minute).unwrap(),
        Claim::Held,
        "claims are per integration"
    );

    let page = [donation("ch_1", 500, "2026-01-02T00:00:00Z")];
    let refused = b
        .open_window("i", Stream::Donations, &window())
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        format!(
            "store: another worker ({}) now syncs `i`; this one stopped",
            a.worker()
        )
    );
    a.open_window("i", Stream::Donations, &window()).unwrap();
    let refused = b
        .commit_page("i", Stream::Donations, donations_only(&page), Some("c1"))
        .unwrap_err();
    assert!(matches!(refused, StoreError::NotHolder { .. }), "{refused}");
    assert_eq!(
        a.stream_state("i", Stream::Donations).unwrap().cursor,
        None,
        "b moved nothing"
    );
    a.commit_page("i", Stream::Donations, donations_only(&page), Some("c1"))
        .unwrap();
    // Webhook deliveries need no claim: any worker takes any delivery.
    b.store_batch("i", donations_only(&page), Via::Webhook)
        .unwrap();

    b.release("i").unwrap(); // not b's: changes nothing
    assert!(matches!(b.claim("i", minute).unwrap(), Claim::Busy { .. }));
    a.release("i").unwrap();
    assert_eq!(
        b.claim("i", minute).unwrap(),
        Claim::Held,
        "released, not abandoned: a fresh claim"
    );
    assert_eq!(
        b.stream_state("i", Stream::Donations)
            .unwrap()
            .cursor
            .as_deref(),
        Some("c1")
    );
}

/// A worker that stops renewing (killed, stalled) loses its claim when the time runs out:
/// another takes over, and the stalled one can no longer commit.
fn a_claim_runs_out(a: &dyn Store, b: &dyn Store) {
    let short = Duration::from_millis(300);
    assert_eq!(a.claim("i", short).unwrap(), Claim::Held);
    a.open_window("i", Stream::Donations, &window()).unwrap();
    assert!(matches!(b.claim("i", short).unwrap(), Claim::Busy { .. }));
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(
        b.claim("i", Duration::from_secs(60)).unwrap(),
        Claim::TakenOver {
            from: a.worker().to_string()
        },
        "taken from a worker that left it unfinished"
    );
    let page = [donation("ch_1", 500, "2026-01-02T00:00:00Z")];
    let stale = a
        .commit_page("i", Stream::Donations, donations_only(&page), Some("stale"))
        .unwrap_err();
    assert!(matches!(stale, StoreError::NotHolder { .. }), "{stale}");
    assert!(matches!(a.claim("i", short).unwrap(), Claim::Busy { .. }));
}

/// One page carrying the same id twice (a record and its correction): one new, one updated,
/// the first version kept as history.
fn the_same_id_twice_in_one_page(store: &dyn Store) {
    let first = donation("ch_1", 2500, "2026-01-02T00:00:00Z");
    let corrected = Donation {
        fee: Some(usd(103)),
        ..first.clone()
    };
    let page = [
        first.clone(),
        donation("ch_2", 900, "2026-01-02T00:00:00Z"),
        corrected.clone(),
    ];
    assert_eq!(
        store
            .store_batch("i", donations_only(&page), Via::Sync)
            .unwrap(),
        counts(2, 1, 0)
    );
    assert_eq!(store.donation_history("i", "ch_1").unwrap(), vec![first]);
    let mut stored = Vec::new();
    store
        .each_donation(Some("i"), &mut |d| {
            stored.push(d.donation);
            Ok(())
        })
        .unwrap();
    assert!(stored.contains(&corrected), "{stored:?}");
}

macro_rules! on_both_backends_two_workers {
    ($($test:ident),* $(,)?) => {
        mod two_workers_sqlite {
            $(#[test]
            fn $test() {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("intake.db");
                let a = intake_engine::SqliteStore::open(&path).unwrap();
                let b = intake_engine::SqliteStore::open(&path).unwrap();
                super::$test(&a, &b);
            })*
        }
        mod two_workers_postgres {
            $(#[test]
            fn $test() {
                let Some(db) = intake_test_postgres::database() else { return };
                let a = intake_engine::PgStore::connect(&db.url).unwrap();
                let b = intake_engine::PgStore::connect(&db.url).unwrap();
                super::$test(&a, &b);
            })*
        }
    };
}

on_both_backends_two_workers!(one_worker_claims_an_integration_at_a_time, a_claim_runs_out);

macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $test() {
                let dir = tempfile::tempdir().unwrap();
                let store = intake_engine::SqliteStore::open(dir.path().join("intake.db")).unwrap();
                super::$test(&store);
            })*
        }
        mod postgres {
            $(#[test]
            fn $test() {
                let Some(db) = intake_test_postgres::database() else { return };
                let store = intake_engine::PgStore::connect(&db.url).unwrap();
                super::$test(&store);
            })*
        }
    };
}

on_both_backends!(
    page_and_cursor_commit_together,
    same_record_once_changed_record_kept_as_history,
    a_later_delivery_that_knows_less_keeps_what_was_known,
    fees_and_payouts_with_what_they_settle,
    rejected_rows_replaced_on_reimport,
    runs_recorded_newest_first,
    a_run_left_running_is_marked_interrupted_by_the_next,
    resumable_is_what_a_worker_left_part_way,
    every_donation_in_order,
    the_same_id_twice_in_one_page,
);

/// Two workers store the same deliveries at the same moment, each through its own pool:
/// every donation is stored once and counted new once.
#[test]
fn postgres_two_workers_store_the_same_delivery_once() {
    let Some(db) = intake_test_postgres::database() else {
        return;
    };
    let workers = [
        PgStore::connect(&db.url).unwrap(),
        PgStore::connect(&db.url).unwrap(),
    ];
    let batch: Vec<Donation> = (0..300)
        .map(|n| donation(&format!("wh_{n}"), 1000 + n, "2026-01-02T00:00:00Z"))
        .collect();
    let totals: Vec<Counts> = std::thread::scope(|scope| {
        let handles: Vec<_> = workers
            .iter()
            .flat_map(|store| {
                let batch = &batch;
                (0..3).map(move |_| {
                    scope.spawn(move || {
                        store
                            .store_batch("i", donations_only(batch), Via::Webhook)
                            .unwrap()
                    })
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let new: u64 = totals.iter().map(|c| c.new).sum();
    let unchanged: u64 = totals.iter().map(|c| c.unchanged).sum();
    assert_eq!(new, 300, "each donation new exactly once: {totals:?}");
    assert_eq!(unchanged, 300 * 5);
    let mut ids = BTreeSet::new();
    workers[0]
        .each_donation(None, &mut |d| {
            assert!(
                ids.insert(d.donation.id.clone()),
                "{} stored twice",
                d.donation.id
            );
            Ok(())
        })
        .unwrap();
    assert_eq!(ids.len(), 300);
}

/// Workers starting together migrate one database once; a database from a newer Intake is
/// refused with the versions named.
#[test]
fn postgres_migrates_once_and_refuses_a_newer_schema() {
    let Some(db) = intake_test_postgres::database() else {
        return;
    };
    std::thread::scope(|scope| {
        let starts: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| PgStore::connect(&db.url)))
            .collect();
        for start in starts {
            start.join().unwrap().unwrap();
        }
    });
    let mut admin = ::postgres::Client::connect(&db.url, ::postgres::NoTls).unwrap();
    admin
        .execute("UPDATE intake_schema SET version = 99", &[])
        .unwrap();
    let error = PgStore::connect(&db.url)
        .err()
        .expect("a newer schema is refused");
    assert!(
        error
            .to_string()
            .starts_with("store: schema version 99 is newer than this Intake knows ("),
        "{error}"
    );
    let _ = SqliteStore::in_memory().unwrap();
}
