//! Three `intake serve` workers on one Postgres store. One is killed (SIGKILL) while it syncs
//! every integration; the others resume each from the cursor it left, by themselves (no
//! schedule, no request), with nothing lost or stored twice compared with an uninterrupted
//! sync, and the cut-off runs are recorded as interrupted.

mod serve_support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use intake_emulators::stripe::{Config as StripeConfig, Fault, Mode, StripeEmulator};
use intake_emulators::webhooks::client;
use serve_support::*;

const IDS: [&str; 6] = [
    "stripe-0", "stripe-1", "stripe-2", "stripe-3", "stripe-4", "stripe-5",
];

/// Run `query` on the shared store with an independent client.
fn query<T: Send + 'static>(
    db_url: &str,
    query: &'static str,
    read: impl Fn(&postgres::Row) -> T + Send + 'static,
) -> Vec<T> {
    let db_url = db_url.to_string();
    std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&db_url, postgres::NoTls).unwrap();
        client.query(query, &[]).unwrap().iter().map(read).collect()
    })
    .join()
    .unwrap()
}

/// Donation ids stored per integration, as (all rows, distinct ids).
fn stored(db_url: &str) -> BTreeMap<String, (Vec<String>, BTreeSet<String>)> {
    let mut by = BTreeMap::<String, (Vec<String>, BTreeSet<String>)>::new();
    for (integration, id) in query(db_url, "SELECT integration, id FROM donations", |r| {
        (r.get::<_, String>(0), r.get::<_, String>(1))
    }) {
        let entry = by.entry(integration).or_default();
        entry.0.push(id.clone());
        entry.1.insert(id);
    }
    by
}

/// Each integration's run statuses, newest first.
fn run_statuses(db_url: &str) -> BTreeMap<String, Vec<(String, Option<String>)>> {
    let mut by = BTreeMap::<String, Vec<(String, Option<String>)>>::new();
    for (integration, status, detail) in query(
        db_url,
        "SELECT integration, status, detail FROM runs ORDER BY id DESC",
        |r| (r.get::<_, String>(0), r.get(1), r.get(2)),
    ) {
        by.entry(integration).or_default().push((status, detail));
    }
    by
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_workers_syncs_are_resumed_by_the_others_with_nothing_lost_or_doubled() {
    let Some(db) = intake_test_postgres::database() else {
        return;
    };
    let stripe = StripeEmulator::start(StripeConfig::new(61, 400))
        .await
        .unwrap();
    let key = stripe.key(Mode::Test).to_string();
    let expected = uninterrupted_ids(&stripe.url(), &key);
    assert!(expected.len() > 300);

    let store = format!("url = \"{}\"", db.url);
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut workers: Vec<Service> = dirs
        .iter()
        .map(|dir| {
            Service::start(&write_fleet_config(
                dir.path(),
                &stripe.url(),
                &key,
                &store,
                TOKEN_FROM_FILE,
                "lease_seconds = 3\nparallel = 8",
                &IDS,
            ))
        })
        .collect();

    // The first worker takes every integration, on slow pages so it is surely mid-run.
    stripe.set_fault(Fault::Slow(Duration::from_millis(250)), 60);
    for id in IDS {
        let started = client()
            .post(workers[0].at(&format!("/api/integrations/{id}/sync")))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(started.status().as_u16(), 202, "{id}");
    }
    let waited = Instant::now();
    while stored(&db.url).len() < IDS.len() {
        assert!(
            waited.elapsed() < Duration::from_secs(60),
            "the first worker did not store a page of each integration"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut victim = workers.remove(0);
    victim.child.kill().unwrap();
    victim.child.wait().unwrap();
    let at_kill = stored(&db.url);
    assert!(
        at_kill
            .values()
            .any(|(rows, _)| rows.len() < expected.len()),
        "every sync finished before the kill; the test proves nothing"
    );
    stripe.clear_faults();

    // Nothing asks the survivors: they find the work left part-way and finish it.
    let waited = Instant::now();
    loop {
        let runs = run_statuses(&db.url);
        let done = IDS
            .iter()
            .all(|id| runs.get(*id).is_some_and(|r| r[0].0 == "ok"));
        if done {
            break;
        }
        assert!(
            waited.elapsed() < Duration::from_secs(60),
            "the survivors did not finish the killed worker's syncs: {runs:?}\n{}",
            workers[0].stderr.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let store_now = stored(&db.url);
    for id in IDS {
        let (rows, distinct) = &store_now[id];
        assert_eq!(rows.len(), distinct.len(), "{id}: an id stored twice");
        assert_eq!(
            distinct, &expected,
            "{id}: not what an uninterrupted sync stores"
        );
    }
    // Each integration: the killed worker's run, marked interrupted by the run that resumed
    // it, then that run, ok. Where the first worker had finished before the kill, one ok run.
    let runs = run_statuses(&db.url);
    for id in IDS {
        let statuses: Vec<&str> = runs[id].iter().map(|(s, _)| s.as_str()).collect();
        if at_kill[id].0.len() < expected.len() {
            assert_eq!(statuses, ["ok", "interrupted"], "{id}");
            assert_eq!(
                runs[id][1].1.as_deref(),
                Some(
                    "its worker stopped before the end; the next run resumed from the last committed page"
                )
            );
        } else {
            assert_eq!(statuses[0], "ok", "{id}");
        }
    }
}
