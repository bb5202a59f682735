//! The daily job: a config for a Stripe and a WinRed integration written into a directory of
//! its own, both synced by the engine into an embedded SQLite file, and the run report.

use std::sync::Arc;

use intake_cli::sync_report;
use intake_emulators::{stripe, winred};
use intake_engine::{Config, Engine, NoProgress, SqliteStore, SyncOptions};
use intake_host::Host;

pub async fn run(host: &Host) -> anyhow::Result<()> {
    let stripe = stripe::StripeEmulator::start(stripe::Config::new(11, 300)).await?;
    let winred =
        winred::WinRedEmulator::start(winred::Config::new(11).federal("C00123456", 300)).await?;
    let dir = std::env::temp_dir().join("intake-demo");
    std::fs::create_dir_all(&dir)?;
    let _ = std::fs::remove_file(dir.join("intake.db"));
    std::fs::write(dir.join("stripe-test.key"), stripe.key(stripe::Mode::Test))?;
    std::fs::write(dir.join("winred.token"), &winred.committee(0).token)?;
    let (s, w) = (stripe.url(), winred.url());
    let config = format!(
        r#"# Written by intake-demo: two integrations against the local emulators.
[store]
path = "intake.db"

[[integration]]
id = "stripe-main"
plugin = "{stripe_wasm}"
name = "Stripe: Jane Doe for Congress"
start_date = "2000-01-01"
fec_committee_id = "C00123456"
[integration.defaults]
bank_account = "Operating"
election_period = "P2026"
category = "Individual contribution"
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
name = "WinRed: Jane Doe for Congress"
start_date = "2000-01-01"
fec_committee_id = "C00123456"
[integration.defaults]
bank_account = "Operating"
election_period = "P2026"
category = "Earmarked contribution"
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
    let config_path = dir.join("intake.toml");
    std::fs::write(&config_path, config)?;
    let config = Config::load(&config_path)?;
    let store = Arc::new(SqliteStore::open(&config.store_path)?);
    let engine = Engine::start(host.clone(), store, config).await?;
    println!(
        "\nSync of both emulators into {}",
        dir.join("intake.db").display()
    );
    let first = engine.sync(&SyncOptions::default(), &NoProgress).await;
    println!("{}", sync_report::sync_table(&first));
    println!("A second run finds everything already stored:");
    let second = engine.sync(&SyncOptions::default(), &NoProgress).await;
    println!("{}", sync_report::sync_table(&second));
    println!(
        "Try: intake sync --config {0}   intake export --config {0} --format csv",
        config_path.display()
    );
    Ok(())
}
