//! The daily job: a config for a Stripe and a WinRed integration written into a directory of
//! its own, both synced by the engine into an embedded SQLite file, the run report, and the
//! import queue a reviewer works through the next morning, with each donation's possible
//! matches among the contacts already kept.

use std::sync::Arc;

use anyhow::Context as _;

use intake_cli::{queue_report, sync_report};
use intake_emulators::{stripe, winred};
use intake_engine::matching::ContactMatcher;
use intake_engine::queue::{
    Approval, ContactChoice, ImportQueue, QueueFilter, QueueStatus, after_sync,
};
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
import = "auto"
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
import = "review"
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
    let engine = Engine::start(host.clone(), store.clone(), config.clone()).await?;
    println!(
        "\nSync of both emulators into {}",
        dir.join("intake.db").display()
    );
    let first = engine.sync(&SyncOptions::default(), &NoProgress).await;
    println!("{}", sync_report::sync_table(&first));
    for (report, queue) in first
        .iter()
        .zip(after_sync(store.as_ref(), &config, &first)?)
    {
        println!("{}", sync_report::queue_line(&report.integration, &queue));
    }
    println!("\nA second run finds everything already stored:");
    let second = engine.sync(&SyncOptions::default(), &NoProgress).await;
    println!("{}", sync_report::sync_table(&second));
    review(&store, &config)?;
    println!(
        "Try: intake queue list --config {0}\n     intake queue show N --config {0}\n     \
         intake export --config {0} --what entries --format csv",
        config_path.display()
    );
    Ok(())
}

/// A reviewer's morning: the oldest WinRed donations approved, each to its best match or as
/// a new contact, then what still waits, each with the contacts it may belong to (a repeat
/// donor's later gifts now find the contact made from the first one).
fn review(store: &SqliteStore, config: &Config) -> anyhow::Result<()> {
    let pending = |limit| {
        store.queue_items(&QueueFilter {
            integration: Some("winred-main".into()),
            status: Some(QueueStatus::Pending),
            limit,
        })
    };
    let first_batch = pending(Some(40))?;
    let defaults = &config
        .integration("winred-main")
        .context("the demo config has winred-main")?
        .defaults;
    for item in first_batch.iter().filter(|i| i.donation.reverses.is_none()) {
        let best = store
            .candidates(&item.donation.donor, 1)?
            .into_iter()
            .next();
        let approval = Approval {
            contact: best.map_or(ContactChoice::New, |c| ContactChoice::Existing(c.contact)),
            defaults,
            by: "demo reviewer",
        };
        store.approve(item.id, &approval)?;
    }
    let mut with_matches = Vec::new();
    for item in pending(None)? {
        let candidates = store.candidates(&item.donation.donor, 3)?;
        if !candidates.is_empty() {
            with_matches.push((item, candidates));
        }
        if with_matches.len() == 8 {
            break;
        }
    }
    println!(
        "\nThe import queue after a reviewer approved the {} oldest WinRed donations: {} still \
         wait; these may be donors already kept:",
        first_batch.len(),
        store.pending_count(Some("winred-main"))?
    );
    println!("{}", queue_report::queue_table(&with_matches));
    Ok(())
}
