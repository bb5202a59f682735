//! What the store costs a sync: a full sync into a fresh SQLite file against the same full
//! pass with nothing stored, measured alternately in one run, for Stripe and WinRed.
//!
//! Run: `cargo bench -p intake-engine --bench store_cost` (INTAKE_BENCH_N sets the donations
//! per processor, default 100,000; INTAKE_BENCH_ROUNDS the rounds, default 3;
//! INTAKE_BENCH_ONLY=stripe|winred one processor). It prints medians; BENCHMARKS.md keeps the
//! figures.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use intake_emulators::{stripe, winred};
use intake_engine::{Config, Engine, NoProgress, SqliteStore, SyncOptions};
use intake_host::types::Window;
use intake_host::{Host, HostConfig, Integration};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Every page of the window, donations then payouts, fetched and dropped: what a sync does
/// with no store.
async fn fetch_only(host: &Host, integration: &Integration, window: &Window) -> usize {
    let (mut entries, mut cursor) = (0, None::<String>);
    loop {
        let page = host
            .fetch(integration, window, cursor.as_deref())
            .await
            .expect("page");
        entries += page.donations.len() + page.fees.len();
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    cursor = None;
    loop {
        let page = host
            .fetch_payouts(integration, window, cursor.as_deref())
            .await
            .expect("payouts");
        entries += page.payouts.len();
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return entries,
        }
    }
}

/// The engine's sync of the donation stream into a new SQLite file.
async fn sync_into_sqlite(host: &Host, dir: &Path, config_text: &str) -> u64 {
    let store_dir = tempfile::tempdir_in(dir).unwrap();
    let path = store_dir.path().join("intake.toml");
    std::fs::write(&path, config_text).unwrap();
    let config = Config::load(&path).unwrap();
    let store = Arc::new(SqliteStore::open(&config.store_path).unwrap());
    let engine = Engine::start(host.clone(), store, config).await.unwrap();
    let reports = engine.sync(&SyncOptions::default(), &NoProgress).await;
    assert!(reports[0].succeeded(), "{:?}", reports[0]);
    reports[0].counts.new
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn compare(
    label: &str,
    host: &Host,
    integration: &Integration,
    window: &Window,
    config_text: &str,
    rounds: usize,
) {
    let dir = tempfile::tempdir().unwrap();
    let (mut fetch, mut sync) = (Vec::new(), Vec::new());
    let mut entries = 0;
    let mut stored = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        entries = fetch_only(host, integration, window).await;
        fetch.push(t.elapsed());
        let t = Instant::now();
        stored = sync_into_sqlite(host, dir.path(), config_text).await;
        sync.push(t.elapsed());
    }
    let (f, s) = (median(fetch), median(sync));
    let share = (s.as_secs_f64() - f.as_secs_f64()) / f.as_secs_f64() * 100.0;
    println!(
        "{label}: {entries} entries fetched, {stored} stored | fetch only {:.2} s ({:.0}/s) | sync into SQLite {:.2} s ({:.0}/s) | store cost {share:+.1}% of the fetch",
        f.as_secs_f64(),
        entries as f64 / f.as_secs_f64(),
        s.as_secs_f64(),
        stored as f64 / s.as_secs_f64(),
    );
}

fn main() {
    let n = env_number("INTAKE_BENCH_N", 100_000);
    let rounds = env_number("INTAKE_BENCH_ROUNDS", 3).max(1);
    let only = std::env::var("INTAKE_BENCH_ONLY").ok();
    let wanted = |processor: &str| only.as_deref().is_none_or(|o| o == processor);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let cache = tempfile::tempdir().unwrap();
    let host = Host::new(HostConfig {
        cache_dir: Some(cache.path().into()),
        ..HostConfig::default()
    })
    .unwrap();
    rt.block_on(async {
        host.load_file(intake_test_artifacts::STRIPE).await.unwrap();
        host.load_file(intake_test_artifacts::WINRED).await.unwrap();
        if wanted("stripe") {
            stripe_pass(&host, cache.path(), n, rounds).await;
        }
        if wanted("winred") {
            winred_pass(&host, cache.path(), n, rounds).await;
        }
    });
}

/// One processor account, used twice: as the host's integration (the fetch alone) and as the
/// engine's config (the sync), so both passes see the same settings, secret and grants.
struct Account {
    id: &'static str,
    plugin: &'static str,
    settings: Vec<(&'static str, String)>,
    secret: (&'static str, String),
    url: String,
}

impl Account {
    fn integration(&self) -> Integration {
        let (name, value) = &self.secret;
        self.settings
            .iter()
            .fold(Integration::new(self.id), |i, (key, value)| {
                i.setting(*key, value)
            })
            .secret(*name, value)
            .grant_origin(&self.url)
            .route_secret(*name, &self.url)
    }

    /// The engine's config, its secret in a file in `dir`.
    fn config_text(&self, dir: &Path) -> String {
        let (name, value) = &self.secret;
        let secret_file = dir.join(format!("{}.secret", self.id));
        std::fs::write(&secret_file, value).unwrap();
        let settings: String = self
            .settings
            .iter()
            .map(|(key, value)| format!("{key} = \"{value}\"\n"))
            .collect();
        let (id, plugin, url) = (self.id, self.plugin, &self.url);
        format!(
            "[sync]\nsettle_seconds = 0\n[[integration]]\nid = \"{id}\"\nplugin = \"{plugin}\"\n\
             start_date = \"2000-01-01\"\n[integration.settings]\n{settings}\
             [integration.secrets]\n{name} = {{ file = \"{}\" }}\n\
             [integration.grants]\norigins = [\"{url}\"]\nsecret_routes = {{ {name} = [\"{url}\"] }}\n",
            secret_file.display()
        )
    }

    async fn compare(&self, label: &str, host: &Host, dir: &Path, rounds: usize) {
        let window = Window {
            since: "2000-01-01T00:00:00Z".into(),
            until: None,
        };
        let config = self.config_text(dir);
        compare(label, host, &self.integration(), &window, &config, rounds).await;
    }
}

/// Stripe: `n` test-mode charges.
async fn stripe_pass(host: &Host, cache: &Path, n: usize, rounds: usize) {
    let mut stripe_config = stripe::Config::new(1, n);
    stripe_config.live_charges = 0;
    let emulator = stripe::StripeEmulator::start(stripe_config).await.unwrap();
    let account = Account {
        id: "stripe",
        plugin: intake_test_artifacts::STRIPE,
        settings: vec![("mode", "test".into()), ("api_base", emulator.url())],
        secret: (
            "test_secret_key",
            emulator.key(stripe::Mode::Test).to_string(),
        ),
        url: emulator.url(),
    };
    let label = format!("stripe, {n} test charges");
    account.compare(&label, host, cache, rounds).await;
}

/// WinRed: `n` donations to one federal committee.
async fn winred_pass(host: &Host, cache: &Path, n: usize, rounds: usize) {
    let emulator = winred::WinRedEmulator::start(winred::Config::new(1).federal("C00123456", n))
        .await
        .unwrap();
    let account = Account {
        id: "winred",
        plugin: intake_test_artifacts::WINRED,
        settings: vec![
            ("committee_level", "federal".into()),
            ("committee_fec_id", "C00123456".into()),
            ("api_base", emulator.url()),
        ],
        secret: ("api_token", emulator.committee(0).token.clone()),
        url: emulator.url(),
    };
    let label = format!("winred, {n} federal donations");
    account.compare(&label, host, cache, rounds).await;
}
