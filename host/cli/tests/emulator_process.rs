//! Intake checked from outside, as a user would: both emulators run as programs
//! (`intake-emulator stripe|winred`), `intake sync` runs as a child and is SIGKILLed at random
//! points, a full run finishes, and `intake export --format ndjson` must equal each emulator's
//! `GET /_emulator/truth` field by field: nothing lost, nothing stored twice.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use intake_emulators::truth::TruthRow;
use rand::{Rng, SeedableRng};

/// The built `intake-emulator`, next to the `intake` binary. Cargo builds a package's bins only
/// for its own tests, so build it here when it is missing or older than the emulators' sources
/// (building every time would rebuild shared crates with other features, twice per run).
fn emulator_binary() -> PathBuf {
    let dir = Path::new(env!("CARGO_BIN_EXE_intake"))
        .parent()
        .expect("the binaries' directory");
    let binary = dir.join(format!("intake-emulator{}", std::env::consts::EXE_SUFFIX));
    let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/emulators");
    let built = std::fs::metadata(&binary).and_then(|m| m.modified()).ok();
    if built.is_none_or(|built| newest(&sources) > built) {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--quiet", "-p", "intake-emulators", "--bin"])
            .arg("intake-emulator")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("run cargo build for intake-emulator");
        assert!(status.success(), "building intake-emulator failed");
    }
    binary
}

/// The newest modification time of any file under `dir`.
fn newest(dir: &Path) -> std::time::SystemTime {
    let mut latest = std::time::UNIX_EPOCH;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let modified = if path.is_dir() {
            newest(&path)
        } else {
            entry
                .metadata()
                .and_then(|m| m.modified())
                .unwrap_or(latest)
        };
        latest = latest.max(modified);
    }
    latest
}

/// A child process killed (and reaped) when dropped, so a failing test leaves no server behind.
struct Running {
    child: Child,
    url: String,
    credential: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start `intake-emulator PROCESSOR`; its URL (first line) and credential (last word of the
/// second line).
fn start_emulator(binary: &Path, processor: &str, seed: u64, size: usize, end: i64) -> Running {
    let mut child = Command::new(binary)
        .args([processor, "--port", "0", "--seed", &seed.to_string()])
        .args(["--size", &size.to_string(), "--end", &end.to_string()])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start intake-emulator");
    let stdout = child.stdout.take().expect("its stdout");
    let mut lines = BufReader::new(stdout).lines();
    let url = lines.next().expect("a first line").expect("text");
    let second = lines.next().expect("a second line").expect("text");
    let credential = second
        .split_whitespace()
        .last()
        .expect("a credential")
        .to_string();
    Running {
        child,
        url,
        credential,
    }
}

fn write_config(dir: &Path, stripe: &Running, winred: &Running) -> PathBuf {
    std::fs::write(dir.join("stripe-test.key"), &stripe.credential).unwrap();
    std::fs::write(dir.join("winred.token"), &winred.credential).unwrap();
    let (s, w) = (&stripe.url, &winred.url);
    let text = format!(
        r#"[store]
path = "intake.db"
[sync]
max_attempts = 8
settle_seconds = 0

[[integration]]
id = "stripe-main"
plugin = "{stripe_wasm}"
start_date = "2000-01-01"
[integration.settings]
mode = "test"
api_base = "{s}"
[integration.secrets]
test_secret_key = {{ file = "stripe-test.key" }}
[integration.grants]
origins = ["{s}"]
secret_routes = {{ test_secret_key = ["{s}"] }}

[[integration]]
id = "winred-main"
plugin = "{winred_wasm}"
start_date = "2000-01-01"
[integration.settings]
committee_level = "federal"
committee_fec_id = "C00123456"
api_base = "{w}"
[integration.secrets]
api_token = {{ file = "winred.token" }}
[integration.grants]
origins = ["{w}"]
secret_routes = {{ api_token = ["{w}"] }}
"#,
        stripe_wasm = intake_test_artifacts::STRIPE,
        winred_wasm = intake_test_artifacts::WINRED,
    );
    let path = dir.join("intake.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn intake(config: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_intake"));
    command
        .args(args)
        .arg("--config")
        .arg(config)
        .env("INTAKE_CACHE_DIR", common::cache_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// `GET /_emulator/truth`, by id (an id served twice fails here).
fn served_truth(url: &str) -> BTreeMap<String, TruthRow> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let rows = runtime
        .block_on(intake_emulators::truth::fetch(url))
        .expect("GET /_emulator/truth");
    let mut by_id = BTreeMap::new();
    for row in rows {
        let id = row.id.clone();
        assert!(
            by_id.insert(id.clone(), row).is_none(),
            "truth serves {id} twice"
        );
    }
    by_id
}

#[test]
fn both_emulator_programs_synced_through_kills_equal_their_served_truth() {
    let binary = emulator_binary();
    // Data ending an hour ago: nothing sits at the edge of the sync's window.
    let end = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        - 3_600;
    let stripe = start_emulator(&binary, "stripe", 21, 150, end);
    let winred = start_emulator(&binary, "winred", 22, 250, end);
    assert!(
        stripe.credential.starts_with("sk_test_"),
        "{}",
        stripe.credential
    );
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &stripe, &winred);

    // Kills at random points: before the first page, mid-page, between pages.
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    for _ in 0..3 {
        let mut child = intake(&config, &["sync", "--json"]).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(rng.random_range(50..1_500)));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
    }
    let done = intake(&config, &["sync", "--json"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&done.stdout);
    assert!(
        done.status.success(),
        "the full run failed: {}",
        String::from_utf8_lossy(&done.stderr)
    );
    let statuses: BTreeMap<String, String> = stdout
        .lines()
        .map(|line| {
            let report: serde_json::Value = serde_json::from_str(line).expect("a JSON report");
            let integration = report["integration"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            (integration, report["status"].to_string())
        })
        .collect();
    assert_eq!(
        statuses,
        BTreeMap::from([
            ("stripe-main".to_string(), "\"ok\"".to_string()),
            ("winred-main".to_string(), "\"ok\"".to_string()),
        ]),
        "{stdout}"
    );

    let export = intake(&config, &["export", "--format", "ndjson"])
        .output()
        .unwrap();
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    let mut stored: BTreeMap<String, BTreeMap<String, TruthRow>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&export.stdout).lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("an ndjson row");
        let integration = value["integration"]
            .as_str()
            .expect("integration")
            .to_string();
        let row: TruthRow = serde_json::from_value(value).expect("the truth's fields");
        let id = row.id.clone();
        let previous = stored
            .entry(integration.clone())
            .or_default()
            .insert(id.clone(), row);
        assert!(previous.is_none(), "{integration}: {id} stored twice");
    }

    // Not every charge settles (some fail or are never captured): at least half do.
    for (integration, emulator, at_least) in
        [("stripe-main", &stripe, 75), ("winred-main", &winred, 125)]
    {
        let truth = served_truth(&emulator.url);
        assert!(
            truth.len() >= at_least,
            "{integration}: truth has {}",
            truth.len()
        );
        let got = stored.remove(integration).unwrap_or_default();
        let lost: Vec<_> = truth
            .keys()
            .filter(|id| !got.contains_key(*id))
            .take(5)
            .collect();
        let extra: Vec<_> = got
            .keys()
            .filter(|id| !truth.contains_key(*id))
            .take(5)
            .collect();
        assert!(lost.is_empty(), "{integration}: lost {lost:?}");
        assert!(
            extra.is_empty(),
            "{integration}: not in the truth {extra:?}"
        );
        for (id, want) in &truth {
            assert_eq!(&got[id], want, "{integration}: {id} field by field");
        }
    }
    assert!(stored.is_empty(), "other integrations exported: {stored:?}");
}
