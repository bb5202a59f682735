//! What only the embedded SQLite file promises: opening a new file from several processes at
//! once, a dead local process's claim, and the write-ahead log copied into the file in the
//! background (a commit does not wait for it).

use std::path::Path;
use std::time::{Duration, Instant};

use intake_engine::SqliteStore;
use intake_engine::store::{Batch, Claim, Store, Via};
use intake_host::types::Donation;

mod support;
use support::donation;

/// How many donations the main database file holds on its own: a copy of it alone, without
/// the write-ahead log beside it, opened by plain SQLite. `None` while a copy cannot be read
/// (taken in the middle of a checkpoint's writes).
fn donations_in_main_file(path: &Path) -> Option<i64> {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    std::fs::copy(path, &copy).ok()?;
    let conn = rusqlite::Connection::open(&copy).ok()?;
    conn.query_row("SELECT COUNT(*) FROM donations", [], |row| row.get(0))
        .ok()
}

/// Committed donations reach the database file itself soon after, without another write and
/// without the store being closed: a checkpoint runs in the background. (SQLite on its own
/// copies the log only once it passes 1,000 pages, inside the commit that passes it: 400
/// donations stay in the log.) Dropping the store stops that thread promptly.
#[test]
fn sqlite_commits_reach_the_file_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("intake.db");
    let store = SqliteStore::open(&path).unwrap();
    let donations: Vec<Donation> = (0..400)
        .map(|n| donation(&format!("ch_{n}"), 100 + n, "2026-03-01T00:00:00Z"))
        .collect();
    for page in donations.chunks(100) {
        let batch = Batch {
            donations: page,
            ..Batch::default()
        };
        assert_eq!(store.store_batch("i", batch, Via::Sync).unwrap().new, 100);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = None;
    while Instant::now() < deadline {
        seen = donations_in_main_file(&path);
        if seen == Some(400) {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        seen,
        Some(400),
        "the database file holds every committed donation within 10 s"
    );

    let started = Instant::now();
    drop(store);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "dropping the store took {:?}",
        started.elapsed()
    );
    let reopened = SqliteStore::open(&path).unwrap();
    let mut count = 0;
    reopened
        .each_donation(Some("i"), &mut |_| {
            count += 1;
            Ok(())
        })
        .unwrap();
    assert_eq!(count, 400);
}

/// Processes opening one new store file at the same moment (a service and a sync started
/// together): every open succeeds and the schema is made once.
#[test]
fn sqlite_opening_a_new_store_together_migrates_it_once() {
    for _ in 0..10 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("intake.db");
        let start = std::sync::Arc::new(std::sync::Barrier::new(6));
        let opens: Vec<_> = (0..6)
            .map(|_| {
                let (path, start) = (path.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    SqliteStore::open(&path)
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                })
            })
            .collect();
        for open in opens {
            assert_eq!(open.join().unwrap(), Ok(()));
        }
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.runs(None, 1).unwrap().len(), 0);
    }
}

/// A claim left by a process of this machine that is gone (a killed `intake sync`) is taken
/// at once, without waiting for it to run out; a live process's claim is respected.
#[test]
fn sqlite_a_dead_local_processs_claim_is_taken_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("intake.db");
    let store = SqliteStore::open(&path).unwrap();
    let hour = Duration::from_secs(3600);
    // A finished child's pid: a process of this machine that no longer runs.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead_pid = child.id();
    child.wait().unwrap();
    let host = store.worker().split(':').next().unwrap().to_string();
    let dead = format!("{host}:{dead_pid}:0000abcd");
    let raw = rusqlite::Connection::open(&path).unwrap();
    let claim_as = |holder: &str| {
        raw.execute(
            "INSERT OR REPLACE INTO leases (integration, holder, expires_ms) VALUES ('i', ?1, ?2)",
            rusqlite::params![holder, i64::MAX / 2],
        )
        .unwrap();
    };
    claim_as(&dead);
    assert_eq!(
        store.claim("i", hour).unwrap(),
        Claim::TakenOver { from: dead }
    );

    let alive = format!("{host}:{}:0000abcd", std::process::id());
    claim_as(&alive);
    assert_eq!(
        store.claim("i", hour).unwrap(),
        Claim::Busy { holder: alive }
    );
    let elsewhere = format!("another-host:{dead_pid}:0000abcd");
    claim_as(&elsewhere);
    assert_eq!(
        store.claim("i", hour).unwrap(),
        Claim::Busy { holder: elsewhere },
        "another machine's process is not ours to judge: its claim runs out by time"
    );
}
