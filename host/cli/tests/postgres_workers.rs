//! Several `intake sync` processes on one shared Postgres store (`[store] url`): each
//! integration synced by one process at a time, every donation stored once, and a killed
//! process's work picked up by the next run.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use intake_emulators::winred::{self, WinRedEmulator};

const FEC: &str = "C00123456";
const INTEGRATIONS: usize = 6;

/// A config with INTEGRATIONS WinRed integrations on one committee, stored in `db_url`.
fn write_config(dir: &Path, url: &str, token: &str, db_url: &str) -> std::path::PathBuf {
    let token_file = dir.join("token");
    std::fs::write(&token_file, token).unwrap();
    let mut text =
        format!("[store]\nurl = \"{db_url}\"\n[sync]\nmax_attempts = 8\nlease_seconds = 30\n");
    for n in 0..INTEGRATIONS {
        text.push_str(&format!(
            r#"
[[integration]]
id = "winred-{n}"
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
        ));
    }
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

/// Each report line of a `--json` sync: (integration, status, new).
fn reports(stdout: &[u8]) -> Vec<(String, String, u64)> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            (
                v["integration"].as_str().unwrap().to_string(),
                v["status"].as_str().unwrap().to_string(),
                v["new"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Donations stored per integration, and whether any id is stored twice, read with an
/// independent client.
fn stored(db_url: &str) -> BTreeMap<String, (u64, u64)> {
    let db_url = db_url.to_string();
    std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&db_url, postgres::NoTls).unwrap();
        client
            .query(
                "SELECT integration, COUNT(*), COUNT(DISTINCT id) FROM donations GROUP BY integration",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| {
                let (all, distinct): (i64, i64) = (r.get(1), r.get(2));
                (r.get(0), (all as u64, distinct as u64))
            })
            .collect()
    })
    .join()
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_share_the_integrations_and_store_each_donation_once() {
    let Some(db) = intake_test_postgres::database() else {
        return;
    };
    let emulator = WinRedEmulator::start(winred::Config::new(21).federal(FEC, 120))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &emulator.url(),
        &emulator.committee(0).token,
        &db.url,
    );

    // A process killed mid-run first: its claims are left behind.
    let mut doomed = sync_command(&config).spawn().unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let _ = doomed.kill();
    let _ = doomed.wait();

    let workers: Vec<_> = (0..3)
        .map(|_| sync_command(&config).spawn().unwrap())
        .collect();
    let mut all = Vec::new();
    for worker in workers {
        let out = tokio::task::spawn_blocking(move || worker.wait_with_output())
            .await
            .unwrap()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "a worker failed: {stderr}");
        all.extend(reports(&out.stdout));
    }
    let statuses: Vec<&str> = all.iter().map(|(_, s, _)| s.as_str()).collect();
    assert!(
        statuses.iter().all(|s| *s == "ok" || *s == "busy"),
        "{all:?}"
    );
    // Every integration was synced to the end by some process.
    for n in 0..INTEGRATIONS {
        let id = format!("winred-{n}");
        assert!(
            all.iter().any(|(i, s, _)| *i == id && s == "ok"),
            "{id} never synced: {all:?}"
        );
    }
    let store = stored(&db.url);
    let per_integration = store.values().next().copied().unwrap();
    assert!(per_integration.0 >= 120, "{store:?}");
    for n in 0..INTEGRATIONS {
        let (rows, distinct) = store[&format!("winred-{n}")];
        assert_eq!(rows, distinct, "an id stored twice in winred-{n}");
        assert_eq!(
            rows, per_integration.0,
            "winred-{n} differs from the others: {store:?}"
        );
    }
    let busy = statuses.iter().filter(|s| **s == "busy").count();
    eprintln!(
        "{busy} of {} reports were busy (another process held the integration)",
        all.len()
    );
}
