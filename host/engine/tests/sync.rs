//! The engine end to end: a config on disk, the built plugins in the real host, the emulators
//! on loopback, and the SQLite store on disk.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use intake_emulators::winred::{self, WinRedEmulator};
use std::time::Duration;

use intake_engine::store::{Claim, Store, StoredDonation};
use intake_engine::{Config, Engine, NoProgress, PgStore, SqliteStore, SyncOptions};
use intake_host::types::Window;
use intake_host::{Host, HostConfig};

const FEC: &str = "C00123456";

fn host() -> Host {
    Host::new(HostConfig {
        cache_dir: Some(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("intake-code-cache")),
        ..HostConfig::default()
    })
    .expect("host")
}

/// A config with one WinRed integration per (id, token) against `url`.
fn winred_config(dir: &Path, url: &str, integrations: &[(&str, &str, &str)]) -> PathBuf {
    let mut text = String::from(
        "[store]\npath = \"intake.db\"\n[sync]\nmax_attempts = 2\noverlap_minutes = 1440\n",
    );
    for (id, token, start) in integrations {
        let token_file = dir.join(format!("{id}.token"));
        std::fs::write(&token_file, format!("{token}\n")).unwrap();
        text.push_str(&format!(
            r#"
[[integration]]
id = "{id}"
plugin = "{plugin}"
start_date = "{start}"
fec_committee_id = "{FEC}"
[integration.settings]
committee_level = "federal"
committee_fec_id = "{FEC}"
api_base = "{url}"
[integration.secrets]
api_token = {{ file = "{token_file}" }}
[integration.grants]
origins = ["{url}"]
secret_routes = {{ api_token = ["{url}"] }}
"#,
            plugin = intake_test_artifacts::WINRED,
            token_file = token_file.display(),
        ));
    }
    let path = dir.join("intake.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Where a test's engine stores: the embedded default, or a fresh database on the test
/// Postgres (the same tests, both backends).
#[derive(Debug, Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

/// The engine for a config, on `backend`; None only when Postgres is unavailable and
/// skipping was asked for (said on stderr).
async fn engine(config_path: &Path, backend: Backend) -> Option<Engine> {
    let config = Config::load(config_path).expect("config");
    let store: Arc<dyn Store> = match backend {
        Backend::Sqlite => Arc::new(SqliteStore::open(&config.store_path).expect("store")),
        Backend::Postgres => {
            let db = intake_test_postgres::database()?;
            Arc::new(PgStore::connect(&db.url).expect("postgres store"))
        }
    };
    Some(Engine::start(host(), store, config).await.expect("engine"))
}

fn stored(store: &dyn Store, integration: &str) -> Vec<StoredDonation> {
    let mut all = Vec::new();
    store
        .each_donation(Some(integration), &mut |d| {
            all.push(d);
            Ok(())
        })
        .unwrap();
    all
}

async fn a_sync_stores_each_donation_once_and_the_next_adds_only_new_ones(backend: Backend) {
    // A day of data and a day of overlap: each run re-reads what the last one stored.
    let mut emulator_config = winred::Config::new(7).federal(FEC, 150);
    emulator_config.span_days = 1;
    let emulator = WinRedEmulator::start(emulator_config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let token = emulator.committee(0).token.clone();
    let config = winred_config(
        dir.path(),
        &emulator.url(),
        &[("winred-main", &token, "2000-01-01")],
    );
    let Some(engine) = engine(&config, backend).await else {
        return;
    };

    let before = emulator.request_count();
    let first = engine.sync(&SyncOptions::default(), &NoProgress).await;
    assert_eq!(first.len(), 1);
    let report = &first[0];
    assert_eq!(report.status, "ok", "{report:?}");
    assert!(report.pages >= 1);
    // The run's requests as the processor counted them.
    assert_eq!(report.requests as usize, emulator.request_count() - before);
    assert!(report.requests >= report.calls, "{report:?}");
    let donations = stored(engine.store().as_ref(), "winred-main");
    assert!(report.counts.new as usize >= 150, "{report:?}");

    // Independently of the engine: the whole window fetched straight through the host.
    let prepared = engine.integration("winred-main").unwrap();
    let window = Window {
        since: "2000-01-01T00:00:00Z".into(),
        until: None,
    };
    let (mut expected, mut cursor) = (Vec::new(), None::<String>);
    loop {
        let page = engine
            .host()
            .fetch(&prepared.integration, &window, cursor.as_deref())
            .await
            .unwrap();
        expected.extend(page.donations);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let mut got: Vec<_> = donations.iter().map(|d| d.donation.clone()).collect();
    got.sort_by(|a, b| a.id.cmp(&b.id));
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(got.len(), expected.len());
    assert_eq!(
        got, expected,
        "the store holds exactly what the plugin returns"
    );
    let mut ids: Vec<_> = got.iter().map(|d| d.id.clone()).collect();
    ids.dedup();
    assert_eq!(ids.len(), got.len(), "no id stored twice");

    // A second run overlaps the first: everything recognized, nothing new.
    let second = engine.sync(&SyncOptions::default(), &NoProgress).await;
    assert_eq!(second[0].status, "ok", "{:?}", second[0]);
    assert_eq!(second[0].counts.new, 0, "{:?}", second[0]);
    assert!(
        second[0].counts.unchanged > 0,
        "the overlap re-delivered ids: {:?}",
        second[0]
    );
    assert_eq!(
        stored(engine.store().as_ref(), "winred-main").len(),
        donations.len()
    );

    // New donations at the processor arrive in the next run, once.
    let added = emulator.add_donations(0, 5);
    let third = engine.sync(&SyncOptions::default(), &NoProgress).await;
    assert_eq!(third[0].counts.new, 5, "{:?}", third[0]);
    let after = stored(engine.store().as_ref(), "winred-main");
    assert_eq!(after.len(), donations.len() + 5);
    for donation in &added {
        assert!(
            after.iter().any(|d| d.donation.id == donation.id),
            "{} stored",
            donation.id
        );
    }
    let runs = engine.store().runs(Some("winred-main"), 10).unwrap();
    assert_eq!(runs.len(), 3);
    assert!(runs.iter().all(|r| r.summary.status == "ok"));
}

async fn a_future_start_date_stores_nothing_and_a_refused_key_stops_only_its_integration(
    backend: Backend,
) {
    let emulator = WinRedEmulator::start(winred::Config::new(8).federal(FEC, 20))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let token = emulator.committee(0).token.clone();
    let config = winred_config(
        dir.path(),
        &emulator.url(),
        &[
            ("future", &token, "2999-01-01"),
            ("bad-key", "wr_live_not_a_token", "2000-01-01"),
            ("good", &token, "2000-01-01"),
        ],
    );
    let Some(engine) = engine(&config, backend).await else {
        return;
    };
    let reports = engine.sync(&SyncOptions::default(), &NoProgress).await;
    let by_id = |id: &str| reports.iter().find(|r| r.integration == id).unwrap();

    assert_eq!(by_id("future").status, "nothing to do");
    assert_eq!(by_id("future").calls, 0);
    assert!(stored(engine.store().as_ref(), "future").is_empty());

    let bad = by_id("bad-key");
    assert_eq!(bad.status, "needs attention", "{bad:?}");
    let detail = bad.detail.as_deref().unwrap_or("");
    assert!(detail.contains("refused the credentials"), "{detail}");
    assert_eq!(bad.calls, 1, "an auth error is not retried: {bad:?}");

    assert_eq!(by_id("good").status, "ok");
    assert!(stored(engine.store().as_ref(), "good").len() >= 20);
}

async fn a_file_imported_twice_is_stored_once_and_its_rejected_rows_are_kept(backend: Backend) {
    let emulator = WinRedEmulator::start(winred::Config::new(9).federal(FEC, 1))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let token = emulator.committee(0).token.clone();
    let config = winred_config(
        dir.path(),
        &emulator.url(),
        &[("winred-main", &token, "2000-01-01")],
    );
    let Some(engine) = engine(&config, backend).await else {
        return;
    };
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/e2e/fixtures/winred/donations-export.csv");
    let bytes = std::fs::read(&file).unwrap();

    let first = engine
        .import("winred-main", "donations-export.csv", &bytes)
        .await
        .unwrap();
    assert!(first.counts.new > 0, "{first:?}");
    let count = stored(engine.store().as_ref(), "winred-main").len();
    let second = engine
        .import("winred-main", "donations-export.csv", &bytes)
        .await
        .unwrap();
    assert_eq!(second.counts.new, 0, "{second:?}");
    assert_eq!(
        second.counts.unchanged,
        first.counts.new + first.counts.updated + first.counts.unchanged
    );
    assert_eq!(stored(engine.store().as_ref(), "winred-main").len(), count);
    let rejects = engine.store().rejects(Some("winred-main")).unwrap();
    assert_eq!(rejects.len(), first.rejected.len());
    assert!(
        stored(engine.store().as_ref(), "winred-main")
            .iter()
            .all(|d| d.via == "import")
    );
}

/// Two workers on one store. While one holds an integration's claim and renews it, the other
/// keeps looking at it for about one claim period at the end of its pass, then reports it
/// "busy" and stores nothing. A claim that is not renewed (its worker died elsewhere) runs
/// out within that look, and the other worker syncs it to the end in the same run.
async fn a_worker_waits_for_anothers_claim_then_takes_over(backend: Backend) {
    let emulator = WinRedEmulator::start(winred::Config::new(12).federal(FEC, 40))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let token = emulator.committee(0).token.clone();
    let config_path = winred_config(
        dir.path(),
        &emulator.url(),
        &[("winred-main", &token, "2000-01-01")],
    );
    // Claims of one second: the second look lasts about 1.33 s.
    let text = std::fs::read_to_string(&config_path).unwrap();
    std::fs::write(
        &config_path,
        text.replacen("[sync]\n", "[sync]\nlease_seconds = 1\n", 1),
    )
    .unwrap();
    let config = Config::load(&config_path).expect("config");
    assert_eq!(config.sync.lease, Duration::from_secs(1));
    let (first, second): (Arc<dyn Store>, Arc<dyn Store>) = match backend {
        Backend::Sqlite => (
            Arc::new(SqliteStore::open(&config.store_path).unwrap()),
            Arc::new(SqliteStore::open(&config.store_path).unwrap()),
        ),
        Backend::Postgres => {
            let Some(db) = intake_test_postgres::database() else {
                return;
            };
            (
                Arc::new(PgStore::connect(&db.url).unwrap()),
                Arc::new(PgStore::connect(&db.url).unwrap()),
            )
        }
    };
    let engine = Engine::start(host(), second.clone(), config).await.unwrap();

    // A live holder: its claim reaches past the other worker's whole look.
    assert_eq!(
        first.claim("winred-main", Duration::from_secs(60)).unwrap(),
        Claim::Held
    );
    let started = std::time::Instant::now();
    let busy = engine.sync(&SyncOptions::default(), &NoProgress).await;
    let looked = started.elapsed();
    assert_eq!(busy[0].status, "busy", "{busy:?}");
    assert_eq!(
        busy[0].detail.as_deref(),
        Some(format!("another worker ({}) is syncing it now", first.worker()).as_str())
    );
    assert!(!busy[0].failed(), "busy is not a failure");
    assert!(
        looked >= Duration::from_millis(1300),
        "it looked again for a claim period before leaving it: {looked:?}"
    );
    assert!(stored(second.as_ref(), "winred-main").is_empty());

    // The holder dies: its last renewal gives 700 ms more, and nothing renews it after.
    assert_eq!(
        first
            .claim("winred-main", Duration::from_millis(700))
            .unwrap(),
        Claim::Held
    );
    let started = std::time::Instant::now();
    let took_over = engine.sync(&SyncOptions::default(), &NoProgress).await;
    assert_eq!(took_over[0].status, "ok", "{took_over:?}");
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "taken over only once the claim ran out: {:?}",
        started.elapsed()
    );
    assert!(stored(second.as_ref(), "winred-main").len() >= 40);
    // Done and released: the first worker may claim it again.
    assert_eq!(
        first.claim("winred-main", Duration::from_secs(5)).unwrap(),
        Claim::Held
    );
}

macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                super::$test(super::Backend::Sqlite).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                super::$test(super::Backend::Postgres).await;
            })*
        }
    };
}

on_both_backends!(
    a_sync_stores_each_donation_once_and_the_next_adds_only_new_ones,
    a_future_start_date_stores_nothing_and_a_refused_key_stops_only_its_integration,
    a_file_imported_twice_is_stored_once_and_its_rejected_rows_are_kept,
    a_worker_waits_for_anothers_claim_then_takes_over,
);
