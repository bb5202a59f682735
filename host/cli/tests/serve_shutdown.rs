//! Stopping by signal mid-sync, in `intake serve` (SIGTERM) and in `intake sync` (Ctrl-C):
//! the process exits promptly, the run is recorded as interrupted with what it kept, and the
//! next sync resumes from the stored cursor with nothing lost or duplicated, compared with an
//! uninterrupted sync of the same emulator into a store of its own.

mod serve_support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use intake_emulators::webhooks::client;
use intake_emulators::winred::{self, Fault, WinRedEmulator};
use intake_engine::store::Store;
use intake_engine::{Config, SqliteStore};
use serve_support::{Service, TOKEN, cache_dir, stored_ids};

const FEC: &str = "C00123456";

fn write_config(dir: &Path, url: &str, token: &str) -> std::path::PathBuf {
    std::fs::write(dir.join("winred_token"), token).unwrap();
    std::fs::write(dir.join("api_token"), TOKEN).unwrap();
    let text = format!(
        r#"[store]
path = "intake.db"
[serve]
api_token = {{ file = "api_token" }}
[[integration]]
id = "winred-main"
plugin = "{plugin}"
start_date = "2000-01-01"
[integration.settings]
committee_level = "federal"
committee_fec_id = "{FEC}"
api_base = "{url}"
[integration.secrets]
api_token = {{ file = "winred_token" }}
[integration.grants]
origins = ["{url}"]
secret_routes = {{ api_token = ["{url}"] }}
"#,
        plugin = intake_test_artifacts::WINRED,
    );
    let path = dir.join("intake.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn sync(config: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_intake"))
        .args(["sync", "--json", "--config"])
        .arg(config)
        .env("INTAKE_CACHE_DIR", cache_dir())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains(r#""status":"ok""#),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_mid_sync_exits_zero_and_the_next_sync_resumes_with_nothing_lost_or_doubled() {
    let emulator = WinRedEmulator::start(winred::Config::new(77).federal(FEC, 1_500))
        .await
        .unwrap();
    let token = emulator.committee(0).token.clone();

    // The reference: the same data synced without interruption.
    let reference_dir = tempfile::tempdir().unwrap();
    let reference_config = write_config(reference_dir.path(), &emulator.url(), &token);
    sync(&reference_config);
    let expected: BTreeSet<String> = stored_ids(&reference_config, "winred-main")
        .into_iter()
        .collect();
    assert!(expected.len() > 100);

    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &emulator.url(), &token);
    let mut service = Service::start(&config);
    // Slow pages, so the run is surely under way when the signal comes.
    emulator.set_fault(Fault::Slow(Duration::from_millis(400)), 12);
    let started = client()
        .post(service.at("/api/integrations/winred-main/sync"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(started.status().as_u16(), 202);
    // While it runs, a second start is refused.
    let again = client()
        .post(service.at("/api/integrations/winred-main/sync"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 409);
    let body: serde_json::Value = serde_json::from_str(&again.text().await.unwrap()).unwrap();
    assert_eq!(
        body["error"],
        "`winred-main` is already syncing in this service"
    );

    let waited = Instant::now();
    while stored_ids(&config, "winred-main").is_empty() {
        assert!(waited.elapsed() < Duration::from_secs(30), "no page stored");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let status = service.terminate(Duration::from_secs(10));
    assert_eq!(status.code(), Some(0), "{}", service.stderr.lock().unwrap());
    let at_stop = stored_ids(&config, "winred-main");
    assert!(
        at_stop.len() < expected.len(),
        "the sync finished before the signal; the test proves nothing"
    );
    // The history says the run was cut off, and what it kept: not "running" forever.
    let cut_off = runs(&config);
    assert_eq!(cut_off.len(), 1, "{cut_off:?}");
    assert_eq!(cut_off[0].summary.status, "interrupted");
    assert_eq!(
        cut_off[0].summary.detail.as_deref(),
        Some(
            "stopped before the end (the worker is shutting down); the next run resumes from the last committed page"
        )
    );
    assert_eq!(cut_off[0].summary.counts.new as usize, at_stop.len());
    assert!(cut_off[0].summary.finished_at.is_some());

    // The next run resumes from the cursor.
    emulator.clear_faults();
    sync(&config);
    let after = stored_ids(&config, "winred-main");
    let unique: BTreeSet<String> = after.iter().cloned().collect();
    assert_eq!(unique.len(), after.len(), "a donation stored twice");
    assert_eq!(unique, expected);
    let statuses: Vec<String> = runs(&config)
        .into_iter()
        .map(|r| r.summary.status)
        .collect();
    assert_eq!(statuses, ["ok", "interrupted"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_intake_sync_at_a_page_boundary_and_the_next_sync_resumes() {
    let emulator = WinRedEmulator::start(winred::Config::new(78).federal(FEC, 1_500))
        .await
        .unwrap();
    let token = emulator.committee(0).token.clone();
    let reference_dir = tempfile::tempdir().unwrap();
    let reference_config = write_config(reference_dir.path(), &emulator.url(), &token);
    sync(&reference_config);
    let expected: BTreeSet<String> = stored_ids(&reference_config, "winred-main")
        .into_iter()
        .collect();

    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &emulator.url(), &token);
    emulator.set_fault(Fault::Slow(Duration::from_millis(400)), 12);
    let child = Command::new(env!("CARGO_BIN_EXE_intake"))
        .args(["sync", "--json", "--config"])
        .arg(&config)
        .env("INTAKE_CACHE_DIR", cache_dir())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let waited = Instant::now();
    while stored_ids(&config, "winred-main").is_empty() {
        assert!(waited.elapsed() < Duration::from_secs(60), "no page stored");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let signalled = Instant::now();
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let took = signalled.elapsed();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    // One slow page (400 ms) at most, then it reports and exits.
    assert!(took < Duration::from_secs(5), "it took {took:?} to stop");
    assert_eq!(out.status.code(), Some(130), "{stdout}{stderr}");
    assert!(
        stderr.contains("intake: stopping after the pages in flight (again to quit at once)"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(report["status"], "interrupted", "{report}");
    assert_eq!(
        report["detail"],
        "stopped before the end (the worker is shutting down); the next run resumes from the last committed page"
    );
    let kept = stored_ids(&config, "winred-main");
    assert!(
        kept.len() < expected.len(),
        "the sync ended before the signal"
    );
    assert_eq!(report["new"].as_u64(), Some(kept.len() as u64));

    emulator.clear_faults();
    sync(&config);
    let after = stored_ids(&config, "winred-main");
    let unique: BTreeSet<String> = after.iter().cloned().collect();
    assert_eq!(unique.len(), after.len(), "a donation stored twice");
    assert_eq!(unique, expected);
}

/// The integration's runs, newest first, read from the store.
fn runs(config: &Path) -> Vec<intake_engine::store::RunRecord> {
    let loaded = Config::load(config).unwrap();
    let store = SqliteStore::open(&loaded.store_path).unwrap();
    store.runs(Some("winred-main"), 10).unwrap()
}
