//! Schedules: when each integration fires (05:30 New York across both 2026 DST changes, a
//! custom cron in another zone, a wall time the clocks skip or repeat), a run missed while
//! down caught up once, an integration switched off going quiet, and three workers on one
//! Postgres store firing each slot once. Expected instants are worked out by hand from the
//! zone rules (US DST 2026: 8 March 02:00 EST -> 03:00 EDT, 1 November 02:00 EDT -> 01:00 EST).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use intake_engine::schedule::{Clock, ManualClock, Schedule, Scheduler};
use intake_engine::{Config, SqliteStore, Store};
use jiff::Timestamp;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// The next `n` fires after `from`, as RFC 3339 UTC.
fn fires(schedule: &Schedule, from: &str, n: usize) -> Vec<String> {
    let mut at = ts(from);
    let mut out = Vec::new();
    for _ in 0..n {
        at = schedule.next_after(at).expect("fires again");
        out.push(at.to_string());
    }
    out
}

#[test]
fn daily_0530_new_york_across_the_spring_change() {
    let s = Schedule::daily_default().unwrap();
    assert_eq!((s.pattern(), s.zone()), ("30 5 * * *", "America/New_York"));
    // EST (UTC-5) until the 8th, EDT (UTC-4) from the 8th: 05:30 is 10:30Z, then 09:30Z.
    assert_eq!(
        fires(&s, "2026-03-06T12:00:00Z", 3),
        [
            "2026-03-07T10:30:00Z",
            "2026-03-08T09:30:00Z",
            "2026-03-09T09:30:00Z"
        ]
    );
}

#[test]
fn daily_0530_new_york_across_the_fall_change() {
    let s = Schedule::daily_default().unwrap();
    assert_eq!(
        fires(&s, "2026-10-30T12:00:00Z", 3),
        [
            "2026-10-31T09:30:00Z",
            "2026-11-01T10:30:00Z",
            "2026-11-02T10:30:00Z"
        ]
    );
}

#[test]
fn a_time_the_spring_change_skips_fires_once_after_the_gap() {
    // 02:30 does not exist in New York on 8 March 2026: it fires at 03:00 EDT (07:00Z).
    let s = Schedule::parse("30 2 * * *", "America/New_York").unwrap();
    assert_eq!(
        fires(&s, "2026-03-07T00:00:00Z", 3),
        [
            "2026-03-07T07:30:00Z",
            "2026-03-08T07:00:00Z",
            "2026-03-09T06:30:00Z"
        ]
    );
}

#[test]
fn a_time_the_fall_change_repeats_fires_once() {
    // 01:30 happens twice on 1 November 2026 (05:30Z EDT, 06:30Z EST): only the first fires.
    let s = Schedule::parse("30 1 * * *", "America/New_York").unwrap();
    assert_eq!(
        fires(&s, "2026-10-31T00:00:00Z", 3),
        [
            "2026-10-31T05:30:00Z",
            "2026-11-01T05:30:00Z",
            "2026-11-02T06:30:00Z"
        ]
    );
}

#[test]
fn a_custom_cron_in_another_zone() {
    // Mondays 09:15 in Berlin, summer time (UTC+2): 1 July 2026 is a Wednesday.
    let s = Schedule::parse("15 9 * * 1", "Europe/Berlin").unwrap();
    assert_eq!(
        fires(&s, "2026-07-01T00:00:00Z", 2),
        ["2026-07-06T07:15:00Z", "2026-07-13T07:15:00Z"]
    );
    // Every six hours in Kolkata (UTC+05:30, no DST).
    let s = Schedule::parse("0 */6 * * *", "Asia/Kolkata").unwrap();
    assert_eq!(
        fires(&s, "2026-07-01T00:00:00Z", 3),
        [
            "2026-07-01T00:30:00Z",
            "2026-07-01T06:30:00Z",
            "2026-07-01T12:30:00Z"
        ]
    );
    assert_eq!(
        s.last_at_or_before(ts("2026-07-01T06:29:59Z"))
            .unwrap()
            .to_string(),
        "2026-07-01T00:30:00Z"
    );
}

#[test]
fn bad_cron_and_zone_say_what_is_wrong() {
    let e = Schedule::parse("30 25 * * *", "America/New_York").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("`30 25 * * *` is not a cron expression"),
        "{e}"
    );
    let e = Schedule::parse("30 5 * * *", "America/Nowhere").unwrap_err();
    assert_eq!(
        e.to_string(),
        "`America/Nowhere` is not a known time zone (an IANA name such as \"America/New_York\")"
    );
}

// ---- the scheduler, on an injected clock ----

fn config(dir: &Path, integrations: &[(&str, bool)]) -> Config {
    let mut text = String::from("[store]\npath = \"intake.db\"\n");
    for (id, enabled) in integrations {
        text.push_str(&format!(
            "[[integration]]\nid = \"{id}\"\nplugin = \"stripe.wasm\"\nenabled = {enabled}\nstart_date = \"2026-01-01\"\n"
        ));
    }
    Config::parse(&dir.join("intake.toml"), &text).unwrap()
}

struct Running {
    fired: mpsc::UnboundedReceiver<(String, Timestamp)>,
    cancel: CancellationToken,
    scheduler: Scheduler,
    task: tokio::task::JoinHandle<()>,
}

fn start(store: Arc<dyn Store>, config: &Config, clock: Arc<ManualClock>) -> Running {
    let cancel = CancellationToken::new();
    let scheduler = Scheduler::new(store, config, cancel.clone());
    let (tx, fired) = mpsc::unbounded_channel();
    let at = clock.clone();
    let task = tokio::spawn(scheduler.clone().run(clock, move |id: &str| {
        let _ = tx.send((id.to_string(), at.now()));
    }));
    Running {
        fired,
        cancel,
        scheduler,
        task,
    }
}

impl Running {
    async fn stop(self) {
        self.cancel.cancel();
        tokio::time::timeout(Duration::from_secs(5), self.task)
            .await
            .expect("stops when cancelled")
            .unwrap();
    }
}

/// Wait until `n` sleepers wait on the clock (the schedulers have planned their next slot).
async fn asleep(clock: &ManualClock, n: usize) {
    for _ in 0..1000 {
        if clock.sleepers() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    panic!(
        "schedulers never went to sleep: {} asleep",
        clock.sleepers()
    );
}

async fn next(rx: &mut mpsc::UnboundedReceiver<(String, Timestamp)>) -> (String, String) {
    let (id, at) = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("a fire within 5 s")
        .expect("channel open");
    (id, at.to_string())
}

async fn quiet(rx: &mut mpsc::UnboundedReceiver<(String, Timestamp)>) {
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(rx.try_recv().is_err(), "nothing more fires");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fires_at_each_slot_and_a_switched_off_integration_stops_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory().unwrap());
    let clock = Arc::new(ManualClock::new(ts("2026-03-07T09:00:00Z")));
    let both = config(dir.path(), &[("stripe-main", true), ("winred-main", true)]);
    let mut run = start(store.clone(), &both, clock.clone());

    asleep(&clock, 1).await;
    clock.set(ts("2026-03-07T10:30:00Z"));
    let mut got = vec![next(&mut run.fired).await, next(&mut run.fired).await];
    got.sort();
    assert_eq!(
        got,
        [
            ("stripe-main".into(), "2026-03-07T10:30:00Z".into()),
            ("winred-main".into(), "2026-03-07T10:30:00Z".into())
        ]
    );
    quiet(&mut run.fired).await;

    // WinRed is switched off: the next morning (the first EDT one) only Stripe runs.
    asleep(&clock, 1).await;
    run.scheduler.update(&config(
        dir.path(),
        &[("stripe-main", true), ("winred-main", false)],
    ));
    asleep(&clock, 1).await;
    clock.set(ts("2026-03-08T09:30:00Z"));
    assert_eq!(
        next(&mut run.fired).await,
        ("stripe-main".into(), "2026-03-08T09:30:00Z".into())
    );
    quiet(&mut run.fired).await;
    assert_eq!(
        store.last_slot("winred-main").unwrap().as_deref(),
        Some("2026-03-07T10:30:00Z")
    );
    run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_missed_while_down_runs_once_at_start_and_not_again_on_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path().join("intake.db")).unwrap());
    let cfg = config(dir.path(), &[("stripe-main", true)]);
    // Last fired on the 6th; the service was down through the 7th's and the 8th's slots.
    assert!(
        store
            .claim_slot("stripe-main", "2026-03-06T10:30:00Z")
            .unwrap()
    );
    let clock = Arc::new(ManualClock::new(ts("2026-03-08T12:00:00Z")));

    let mut run = start(store.clone(), &cfg, clock.clone());
    assert_eq!(
        next(&mut run.fired).await,
        ("stripe-main".into(), "2026-03-08T12:00:00Z".into())
    );
    quiet(&mut run.fired).await;
    assert_eq!(
        store.last_slot("stripe-main").unwrap().as_deref(),
        Some("2026-03-08T09:30:00Z"),
        "the missed slot is the latest one, taken once"
    );
    run.stop().await;

    // Started again the same day: that slot was caught up already.
    let mut again = start(store.clone(), &cfg, clock.clone());
    asleep(&clock, 1).await;
    quiet(&mut again.fired).await;
    again.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_start_or_a_sync_since_the_slot_catches_nothing_up() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory().unwrap());
    let cfg = config(dir.path(), &[("stripe-main", true)]);
    let clock = Arc::new(ManualClock::new(Timestamp::now()));
    // Never ran: the first start waits for the first slot.
    let mut run = start(store.clone(), &cfg, clock.clone());
    asleep(&clock, 1).await;
    quiet(&mut run.fired).await;
    run.stop().await;
    // An old slot, but a run started by hand (now) after the last slot: nothing missed.
    assert!(
        store
            .claim_slot("stripe-main", "2020-01-01T10:30:00Z")
            .unwrap()
    );
    store.start_run("stripe-main").unwrap();
    let mut run = start(store.clone(), &cfg, clock.clone());
    asleep(&clock, 1).await;
    quiet(&mut run.fired).await;
    run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_workers_on_one_postgres_store_fire_each_slot_once() {
    let Some(db) = intake_test_postgres::database() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &[("stripe-main", true), ("winred-main", true)]);
    let clock = Arc::new(ManualClock::new(ts("2026-10-30T12:00:00Z")));
    let mut workers = Vec::new();
    for _ in 0..3 {
        let store: Arc<dyn Store> = Arc::new(intake_engine::PgStore::connect(&db.url).unwrap());
        workers.push(start(store, &cfg, clock.clone()));
    }
    // Four slots, across the fall change: 31 Oct 09:30Z, 1 Nov 10:30Z, 2 Nov, 3 Nov 10:30Z.
    let slots = [
        "2026-10-31T09:30:00Z",
        "2026-11-01T10:30:00Z",
        "2026-11-02T10:30:00Z",
        "2026-11-03T10:30:00Z",
    ];
    let mut all = Vec::new();
    for slot in slots {
        asleep(&clock, 3).await;
        clock.set(ts(slot));
        tokio::time::sleep(Duration::from_millis(300)).await;
        for w in &mut workers {
            while let Ok((id, at)) = w.fired.try_recv() {
                all.push((id, at.to_string()));
            }
        }
    }
    all.sort();
    let mut want = Vec::new();
    for id in ["stripe-main", "winred-main"] {
        for slot in slots {
            want.push((id.to_string(), slot.to_string()));
        }
    }
    assert_eq!(
        all, want,
        "each integration once per slot across three workers"
    );
    for w in workers {
        w.stop().await;
    }
}
