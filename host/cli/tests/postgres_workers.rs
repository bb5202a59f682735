//! Several `intake sync` processes on one shared Postgres store (`[store] url`): each
//! integration synced by one process at a time, every donation stored once, and a process
//! killed mid-run has its integrations finished by the others in the same run.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use intake_emulators::winred::{self, WinRedEmulator};

const FEC: &str = "C00123456";
const INTEGRATIONS: usize = 200;
/// Donations each integration holds: one page each, so 200 integrations stay quick.
const DONATIONS: usize = 20;

/// A config with INTEGRATIONS WinRed integrations on one committee, stored in `db_url`.
fn write_config(dir: &Path, url: &str, token: &str, db_url: &str) -> std::path::PathBuf {
    let token_file = dir.join("token");
    std::fs::write(&token_file, token).unwrap();
    let mut text = format!(
        "[store]\nurl = \"{db_url}\"\n[sync]\nmax_attempts = 8\nlease_seconds = 30\nparallel = 8\n"
    );
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

/// Integrations with at least one donation stored; 0 before the workers made the tables.
fn integrations_started(db_url: &str) -> usize {
    let db_url = db_url.to_string();
    std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&db_url, postgres::NoTls).ok()?;
        let row = client
            .query_one("SELECT COUNT(DISTINCT integration) FROM donations", &[])
            .ok()?;
        usize::try_from(row.get::<_, i64>(0)).ok()
    })
    .join()
    .unwrap()
    .unwrap_or(0)
}

/// The holders of the claims held now; none before the workers made the tables.
fn leases(db_url: &str) -> Vec<String> {
    let db_url = db_url.to_string();
    std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&db_url, postgres::NoTls).ok()?;
        let rows = client.query("SELECT holder FROM leases", &[]).ok()?;
        Some(rows.iter().map(|r| r.get(0)).collect())
    })
    .join()
    .unwrap()
    .unwrap_or_default()
}

async fn wait_for_integrations(db_url: &str, at_least: usize) {
    let started = std::time::Instant::now();
    while integrations_started(db_url) < at_least {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "fewer than {at_least} integrations stored in a minute"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn signal(pid: u32, name: &str) {
    let sent = Command::new("kill")
        .args([format!("-{name}"), pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -{name} {pid}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_share_200_integrations_and_a_killed_ones_work_finishes_on_the_others() {
    let Some(db) = intake_test_postgres::database() else {
        return;
    };
    let emulator = WinRedEmulator::start(winred::Config::new(21).federal(FEC, DONATIONS))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &emulator.url(),
        &emulator.committee(0).token,
        &db.url,
    );

    let mut workers: Vec<_> = (0..3)
        .map(|_| sync_command(&config).spawn().unwrap())
        .collect();
    // Once the fleet is under way, freeze one (SIGSTOP): it holds its claims, alive, while
    // the others pass those integrations by as busy. Then kill it (SIGKILL) while they are
    // still running: the integrations it left are theirs to finish in this same run.
    let mut victim = workers.remove(0);
    let victim_pid = victim.id();
    let marker = format!(":{victim_pid}:");
    let started = std::time::Instant::now();
    while !leases(&db.url)
        .iter()
        .any(|holder| holder.contains(&marker))
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the victim claimed nothing in a minute"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    signal(victim_pid, "STOP");
    let frozen_with = leases(&db.url)
        .iter()
        .filter(|holder| holder.contains(&marker))
        .count();
    wait_for_integrations(&db.url, INTEGRATIONS / 2).await;
    victim.kill().unwrap();
    let killed = victim.wait().unwrap();
    assert!(!killed.success(), "the victim was killed, not finished");
    let held_by_the_dead = {
        let db_url = db.url.clone();
        std::thread::spawn(move || {
            let mut client = postgres::Client::connect(&db_url, postgres::NoTls).unwrap();
            client
                .query_one(
                    "SELECT COUNT(*) FROM leases WHERE holder LIKE '%:' || $1 || ':%'",
                    &[&victim_pid.to_string()],
                )
                .unwrap()
                .get::<_, i64>(0)
        })
        .join()
        .unwrap()
    };

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
    assert!(
        all.iter().all(|(_, s, _)| s == "ok" || s == "busy"),
        "{all:?}"
    );
    // No next run: every integration is whole now, each donation stored once.
    let store = stored(&db.url);
    assert_eq!(store.len(), INTEGRATIONS, "integrations with donations");
    for n in 0..INTEGRATIONS {
        let (rows, distinct) = store[&format!("winred-{n}")];
        assert_eq!(rows, distinct, "an id stored twice in winred-{n}");
        assert_eq!(
            rows, DONATIONS as u64,
            "winred-{n} is not whole: {rows} of {DONATIONS}"
        );
    }
    // And both streams (donations, then payouts) of every integration ran to the end.
    let unfinished: Vec<String> = {
        let db_url = db.url.clone();
        std::thread::spawn(move || {
            let mut client = postgres::Client::connect(&db_url, postgres::NoTls).unwrap();
            client
                .query(
                    "SELECT integration || '/' || stream FROM sync_state
                     WHERE window_since IS NOT NULL OR completed_until IS NULL",
                    &[],
                )
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect()
        })
        .join()
        .unwrap()
    };
    assert!(unfinished.is_empty(), "left unfinished: {unfinished:?}");
    assert!(held_by_the_dead > 0, "the victim died holding claims");
    let taken_over = all.iter().filter(|(_, s, _)| s == "ok").count();
    eprintln!(
        "the victim was frozen holding {frozen_with} claims and died holding \
         {held_by_the_dead}; the two survivors reported {taken_over} integrations ok of {} reports",
        all.len()
    );
}
