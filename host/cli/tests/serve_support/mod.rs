//! Shared by the `serve_*` tests: a Stripe emulator, a config over it, and a real
//! `intake serve` process on a loopback port picked by the OS.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const TOKEN: &str = "s3rve-test-token-0123456789";
pub const WEBHOOK_SECRET: &str = "whsec_serve_test";
pub const INTEGRATION: &str = "stripe-test";

pub fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("intake-code-cache")
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A config with one Stripe integration (test mode) on `stripe_url`, the store given by
/// `store` (a `[store]` body), and `serve` as the `[serve]` body.
pub fn write_config(
    dir: &Path,
    stripe_url: &str,
    stripe_key: &str,
    store: &str,
    serve: &str,
) -> PathBuf {
    write_fleet_config(
        dir,
        stripe_url,
        stripe_key,
        store,
        serve,
        "",
        &[INTEGRATION],
    )
}

/// The start of most serve tests: a Stripe emulator (`seed`, `charges` test charges), a
/// config over it in a new directory (SQLite store there, API token from a file), and
/// `intake serve` running on it.
pub struct Served {
    /// Declared first, so dropped first: the service stops before its directory goes.
    pub service: Service,
    pub config: PathBuf,
    pub dir: tempfile::TempDir,
    pub stripe: intake_emulators::stripe::StripeEmulator,
}

/// Start a [`Served`].
pub async fn serve_stripe(seed: u64, charges: usize) -> Served {
    use intake_emulators::stripe::{Config, Mode, StripeEmulator};
    let stripe = StripeEmulator::start(Config::new(seed, charges))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &stripe.url(),
        stripe.key(Mode::Test),
        "path = \"intake.db\"",
        TOKEN_FROM_FILE,
    );
    Served {
        service: Service::start(&config),
        config,
        dir,
        stripe,
    }
}

/// As [`write_config`], with a `[sync]` body and one Stripe integration per id.
pub fn write_fleet_config(
    dir: &Path,
    stripe_url: &str,
    stripe_key: &str,
    store: &str,
    serve: &str,
    sync: &str,
    ids: &[&str],
) -> PathBuf {
    std::fs::write(dir.join("stripe_key"), stripe_key).unwrap();
    std::fs::write(dir.join("webhook_secret"), WEBHOOK_SECRET).unwrap();
    std::fs::write(dir.join("api_token"), format!("{TOKEN}\n")).unwrap();
    let mut text = format!("[store]\n{store}\n[serve]\n{serve}\n[sync]\n{sync}\n");
    for id in ids {
        text.push_str(&format!(
            r#"[[integration]]
id = "{id}"
plugin = "{plugin}"
start_date = "2000-01-01"
[integration.settings]
mode = "test"
api_base = "{stripe_url}"
[integration.secrets]
test_secret_key = {{ file = "stripe_key" }}
webhook_secret = {{ file = "webhook_secret" }}
[integration.grants]
origins = ["{stripe_url}"]
secret_routes = {{ test_secret_key = ["{stripe_url}"] }}
"#,
            plugin = intake_test_artifacts::STRIPE,
        ));
    }
    let path = dir.join("intake.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The ids an uninterrupted sync of the same account stores, into a SQLite store of its own.
pub fn uninterrupted_ids(stripe_url: &str, key: &str) -> BTreeSet<String> {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        stripe_url,
        key,
        "path = \"intake.db\"",
        TOKEN_FROM_FILE,
    );
    let out = Command::new(env!("CARGO_BIN_EXE_intake"))
        .args(["sync", "--config"])
        .arg(&config)
        .env("INTAKE_CACHE_DIR", cache_dir())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(env!("CARGO_BIN_EXE_intake"))
        .args(["export", "--format", "ndjson", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            v["id"].as_str().unwrap().to_string()
        })
        .collect()
}

/// Every donation id stored for `integration` in the SQLite store `config` names, in store
/// order (a duplicate would show twice); none before the store exists.
pub fn stored_ids(config: &Path, integration: &str) -> Vec<String> {
    use intake_engine::store::Store;
    let loaded = intake_engine::Config::load(config).unwrap();
    if !loaded.store_path.exists() {
        return Vec::new();
    }
    let store = intake_engine::SqliteStore::open(&loaded.store_path).unwrap();
    let mut ids = Vec::new();
    store
        .each_donation(Some(integration), &mut |d| {
            ids.push(d.donation.id);
            Ok(())
        })
        .unwrap();
    ids
}

/// The `[serve]` body reading the token from the file `write_config` writes.
pub const TOKEN_FROM_FILE: &str = "api_token = { file = \"api_token\" }";

/// A running `intake serve`; killed when dropped.
pub struct Service {
    pub child: Child,
    pub url: String,
    pub stderr: Arc<Mutex<String>>,
}

pub fn command(config: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_intake"));
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(config)
        .env("INTAKE_CACHE_DIR", cache_dir())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

impl Service {
    /// Start it and wait for "serving on http://…" (plugins compile on the first start).
    pub fn start(config: &Path) -> Service {
        Service::start_with(command(config))
    }

    pub fn start_with(mut command: Command) -> Service {
        let mut child = command.spawn().expect("intake serve starts");
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        {
            let log = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if let Some(url) = line.strip_prefix("intake: serving on ") {
                        let _ = tx.send(url.to_string());
                    }
                    let mut log = log.lock().unwrap();
                    log.push_str(&line);
                    log.push('\n');
                }
            });
        }
        let url = match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("intake serve did not start: {}", log.lock().unwrap());
            }
        };
        Service {
            child,
            url,
            stderr: log,
        }
    }

    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// `GET path` with the API token, its body read as JSON.
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        let response = intake_emulators::webhooks::client()
            .get(self.at(path))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        let text = response.text().await.unwrap();
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("GET {path}: {e}: {text}"))
    }

    /// SIGTERM, then the exit status (within `limit`).
    pub fn terminate(&mut self, limit: Duration) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                started.elapsed() < limit,
                "intake serve still running {limit:?} after SIGTERM: {}",
                self.stderr.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Wait until `check` holds (polling), or fail saying `what`.
pub async fn eventually(what: &str, limit: Duration, mut check: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
