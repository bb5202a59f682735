//! Several `intake sync` processes on one Postgres: entries stored per second with 1, 2 and 4
//! workers, against one process on SQLite measured in the same run; then a fleet of many small
//! integrations, for the time a daily cycle takes.
//!
//! `cargo bench -p intake-cli --bench workers` (release build of `intake`; Debian's
//! postgresql server installed). `INTAKE_FLEET=10000` sets the fleet size (default 2000).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use intake_emulators::winred::{self, WinRedEmulator};

const FEC: &str = "C00123456";

/// A config with one WinRed integration per committee of `emulator`, stored at `store`.
fn write_config(
    dir: &Path,
    name: &str,
    emulator: &WinRedEmulator,
    committees: usize,
    store: &str,
) -> std::path::PathBuf {
    let url = emulator.url();
    let mut text = format!("[store]\n{store}\n[sync]\nparallel = 8\n");
    for n in 0..committees {
        let token_file = dir.join(format!("token-{n}"));
        std::fs::write(&token_file, &emulator.committee(n).token).unwrap();
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
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

/// Run `workers` `intake sync` processes at once; (wall time, entries stored, busy reports).
fn run_workers(config: &Path, workers: usize, cache: &Path) -> (Duration, u64, usize) {
    let started = Instant::now();
    let children: Vec<_> = (0..workers)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_intake"))
                .args(["sync", "--json", "--config"])
                .arg(config)
                .env("INTAKE_CACHE_DIR", cache)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    let (mut stored, mut busy) = (0, 0);
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "a worker failed");
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            stored += v["new"].as_u64().unwrap_or(0);
            busy += usize::from(v["status"] == "busy");
        }
    }
    (started.elapsed(), stored, busy)
}

/// The database's activity counters (pg_stat_database): commits, rows read, rows written.
#[derive(Clone, Copy, Default)]
struct DbLoad {
    commits: i64,
    rows_read: i64,
    rows_written: i64,
    blocks_read: i64,
    blocks_hit: i64,
}

fn db_load(url: &str) -> DbLoad {
    let url = url.to_string();
    // The sync client must not run on a tokio thread; a plain thread keeps it apart.
    std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        // Counters are flushed to the statistics system at most once a second per backend;
        // ask for a fresh snapshot of what has been reported.
        client
            .batch_execute("SELECT pg_stat_clear_snapshot()")
            .unwrap();
        let row = client
            .query_one(
                "SELECT xact_commit, tup_returned + tup_fetched,
                        tup_inserted + tup_updated + tup_deleted, blks_read, blks_hit
                 FROM pg_stat_database WHERE datname = current_database()",
                &[],
            )
            .unwrap();
        DbLoad {
            commits: row.get(0),
            rows_read: row.get(1),
            rows_written: row.get(2),
            blocks_read: row.get(3),
            blocks_hit: row.get(4),
        }
    })
    .join()
    .unwrap()
}

fn main() {
    // `cargo bench` passes --bench; a plain `cargo test` of benches passes nothing: skip then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let cache = std::env::temp_dir().join("intake-bench-cache");
    let dir = tempfile::tempdir().unwrap();

    // Throughput: 40 integrations of 500 donations (with refunds, disputes, payouts).
    let (committees, donations) = (40, 500);
    let emulator = runtime.block_on(async {
        let mut config = winred::Config::new(5);
        for n in 0..committees {
            config = config.federal(&format!("C{:08}", 10_000_000 + n), donations);
        }
        WinRedEmulator::start(config).await.unwrap()
    });
    let _ = emulator.committee(0);
    println!(
        "throughput: {committees} integrations x {donations} donations, WinRed emulator on loopback"
    );
    println!("| store | workers | wall | entries stored | entries/s | busy reports |");
    println!("|---|---|---|---|---|---|");
    let sqlite = write_config(
        dir.path(),
        "sqlite",
        &emulator,
        committees,
        "path = \"bench.db\"",
    );
    // Warm the compiled-plugin cache so no run pays for compiling.
    let _ = run_workers(
        &write_config(dir.path(), "warm", &emulator, 1, "path = \"warm.db\""),
        1,
        &cache,
    );
    let (wall, stored, busy) = run_workers(&sqlite, 1, &cache);
    let baseline = stored as f64 / wall.as_secs_f64();
    println!(
        "| SQLite | 1 | {:.2} s | {stored} | {baseline:.0} (1.00x) | {busy} |",
        wall.as_secs_f64()
    );
    for workers in [1, 2, 4] {
        let db = intake_test_postgres::database().expect("Postgres for the bench");
        let config = write_config(
            dir.path(),
            &format!("pg{workers}"),
            &emulator,
            committees,
            &format!("url = \"{}\"", db.url),
        );
        let (wall, stored, busy) = run_workers(&config, workers, &cache);
        let rate = stored as f64 / wall.as_secs_f64();
        println!(
            "| Postgres | {workers} | {:.2} s | {stored} | {rate:.0} ({:.2}x) | {busy} |",
            wall.as_secs_f64(),
            rate / baseline
        );
    }
    drop(emulator);

    // A fleet: many small integrations, one daily cycle.
    let fleet: usize = std::env::var("INTAKE_FLEET")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let emulator = runtime.block_on(async {
        let mut config = winred::Config::new(6);
        for n in 0..fleet {
            config = config.federal(&format!("C{:08}", 20_000_000 + n), 3);
        }
        WinRedEmulator::start(config).await.unwrap()
    });
    println!("\nfleet: {fleet} integrations x 3 donations, one daily cycle");
    println!(
        "| workers | wall | per integration | entries stored | commits/s | rows written/s | rows read/s | per integration: commits, rows written, rows read | blocks read from disk |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for workers in [1, 4] {
        let db = intake_test_postgres::database().expect("Postgres for the bench");
        let config = write_config(
            dir.path(),
            &format!("fleet{workers}"),
            &emulator,
            fleet,
            &format!("url = \"{}\"", db.url),
        );
        let before = db_load(&db.url);
        let (wall, stored, _) = run_workers(&config, workers, &cache);
        // Let the last backends report their counters (at most a second behind).
        std::thread::sleep(Duration::from_millis(1500));
        let after = db_load(&db.url);
        let secs = wall.as_secs_f64();
        let (commits, written, read) = (
            (after.commits - before.commits) as f64,
            (after.rows_written - before.rows_written) as f64,
            (after.rows_read - before.rows_read) as f64,
        );
        let n = fleet as f64;
        println!(
            "| {workers} | {secs:.1} s | {:.1} ms | {stored} | {:.0} | {:.0} | {:.0} | {:.1}, {:.1}, {:.0} | {} of {} |",
            secs * 1000.0 / n,
            commits / secs,
            written / secs,
            read / secs,
            commits / n,
            written / n,
            read / n,
            after.blocks_read - before.blocks_read,
            (after.blocks_read - before.blocks_read) + (after.blocks_hit - before.blocks_hit),
        );
    }
}
