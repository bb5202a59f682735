//! Crash safety with real processes: `intake sync` is killed (SIGKILL) at random points, over
//! many seeded runs with the emulator injecting faults, then resumed; the store must hold
//! every donation exactly once, the same set a straight fetch through the host returns.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use intake_emulators::winred::{self, Fault, WinRedEmulator};
use intake_engine::store::Store;
use intake_engine::{Config, SqliteStore};
use intake_host::Integration;
use intake_host::types::Window;
use rand::{Rng, SeedableRng};

const FEC: &str = "C00123456";

/// Runs in CI; `INTAKE_CRASH_RUNS` asks for more (a soak, not a CI job).
fn runs() -> u64 {
    std::env::var("INTAKE_CRASH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}

fn write_config(dir: &Path, url: &str, token: &str) -> std::path::PathBuf {
    let token_file = dir.join("token");
    std::fs::write(&token_file, token).unwrap();
    let text = format!(
        r#"[store]
path = "intake.db"
[sync]
max_attempts = 8
[[integration]]
id = "winred-main"
plugin = "{plugin}"
start_date = "2000-01-01"
[integration.settings]
committee_level = "federal"
committee_fec_id = "{FEC}"
api_base = "{url}"
[integration.secrets]
api_token = {{ file = "{token}" }}
[integration.grants]
origins = ["{url}"]
secret_routes = {{ api_token = ["{url}"] }}
"#,
        plugin = intake_test_artifacts::WINRED,
        token = token_file.display(),
    );
    let path = dir.join("intake.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn sync_command(config: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_intake"));
    command
        .args(["sync", "--json", "--config"])
        .arg(config)
        .env("INTAKE_CACHE_DIR", common::cache_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Every donation id a straight fetch of the whole window returns: the reference.
async fn reference_ids(url: &str, token: &str) -> BTreeSet<String> {
    let host = common::host_with(intake_host::Limits::default());
    host.load_file(intake_test_artifacts::WINRED).await.unwrap();
    let integration = Integration::new("winred")
        .setting("committee_level", "federal")
        .setting("committee_fec_id", FEC)
        .setting("api_base", url)
        .secret("api_token", token)
        .grant_origin(url)
        .route_secret("api_token", url);
    let window = Window {
        since: "2000-01-01T00:00:00Z".into(),
        until: None,
    };
    let (mut ids, mut cursor) = (BTreeSet::new(), None::<String>);
    loop {
        let page = host
            .fetch(&integration, &window, cursor.as_deref())
            .await
            .unwrap();
        ids.extend(page.donations.into_iter().map(|d| d.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return ids,
        }
    }
}

/// The donation ids in the store, in store order (a duplicate would show twice).
fn stored_ids(config: &Path) -> Vec<String> {
    let loaded = Config::load(config).unwrap();
    if !loaded.store_path.exists() {
        return Vec::new();
    }
    let store = SqliteStore::open(&loaded.store_path).unwrap();
    let mut ids = Vec::new();
    store
        .each_donation(Some("winred-main"), &mut |d| {
            ids.push(d.donation.id);
            Ok(())
        })
        .unwrap();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_killed_at_random_points_resumes_with_nothing_lost_or_duplicated() {
    let (mut kills_mid_run, mut kills_between_pages) = (0, 0);
    for seed in 0..runs() {
        let emulator = WinRedEmulator::start(winred::Config::new(100 + seed).federal(FEC, 1_500))
            .await
            .unwrap();
        let token = emulator.committee(0).token.clone();
        let expected = reference_ids(&emulator.url(), &token).await;
        let dir = tempfile::tempdir().unwrap();
        let config = write_config(dir.path(), &emulator.url(), &token);
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        // How long a whole sync takes here, start-up included, from a throwaway store: the
        // kills land across that span.
        let scratch = tempfile::tempdir().unwrap();
        let scratch_config = write_config(scratch.path(), &emulator.url(), &token);
        let started = std::time::Instant::now();
        let whole = sync_command(&scratch_config).output().unwrap();
        assert!(
            whole.status.success(),
            "{}",
            String::from_utf8_lossy(&whole.stderr)
        );
        let span = started.elapsed().as_millis() as u64;

        // Faults the engine must ride out in the same runs.
        emulator.set_fault(
            Fault::RateLimit {
                retry_after: Some(0),
            },
            1 + (seed % 3) as usize,
        );
        emulator.set_fault(Fault::ServerError(503), (seed % 2) as usize);

        for _ in 0..3 {
            let mut child = sync_command(&config).spawn().unwrap();
            let after = Duration::from_millis(rng.random_range(span / 4..span.max(8)));
            tokio::time::sleep(after).await;
            if child.try_wait().unwrap().is_none() {
                kills_mid_run += 1;
            }
            let _ = child.kill(); // SIGKILL
            let _ = child.wait();
            let stored = stored_ids(&config).len();
            if stored > 0 && stored < expected.len() {
                kills_between_pages += 1;
            }
        }

        let done = tokio::task::spawn_blocking({
            let config = config.clone();
            move || sync_command(&config).output().unwrap()
        })
        .await
        .unwrap();
        let stderr = String::from_utf8_lossy(&done.stderr);
        assert!(
            done.status.success(),
            "seed {seed}: the resumed sync failed: {stderr}"
        );
        let report: serde_json::Value = serde_json::from_slice(
            done.stdout
                .split(|b| *b == b'\n')
                .next()
                .unwrap_or_default(),
        )
        .unwrap_or_else(|e| {
            panic!(
                "seed {seed}: {e}: {}",
                String::from_utf8_lossy(&done.stdout)
            )
        });
        assert_eq!(report["status"], "ok", "seed {seed}: {report}");

        let stored = stored_ids(&config);
        let unique: BTreeSet<String> = stored.iter().cloned().collect();
        assert_eq!(
            unique.len(),
            stored.len(),
            "seed {seed}: a donation stored twice"
        );
        let lost: Vec<_> = expected.difference(&unique).take(5).collect();
        let extra: Vec<_> = unique.difference(&expected).take(5).collect();
        assert!(
            lost.is_empty(),
            "seed {seed}: lost {} (e.g. {lost:?})",
            expected.len() - unique.len().min(expected.len())
        );
        assert!(
            extra.is_empty(),
            "seed {seed}: stored what the processor never sent: {extra:?}"
        );
        let store = SqliteStore::open(Config::load(&config).unwrap().store_path).unwrap();
        let runs = store.runs(Some("winred-main"), 10).unwrap();
        assert_eq!(runs[0].summary.status, "ok", "seed {seed}");
    }
    eprintln!(
        "{kills_mid_run} of {} kills landed while a sync was running, {kills_between_pages} after some pages were stored",
        3 * runs()
    );
    assert!(
        kills_between_pages >= runs() / 2,
        "too few kills landed between pages"
    );
    // The kills must land while a sync is running, or this proves nothing.
    assert!(
        kills_mid_run >= runs(),
        "only {kills_mid_run} kills landed mid-run"
    );
}
