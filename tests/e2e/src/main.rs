//! `intake-demo`: Intake's main job on an embedded default. It builds the plugins (through
//! `intake-test-artifacts`), starts the local processor emulators on loopback, loads the built
//! `.wasm` plugins into the real host, prints what each fetched, normalized, and then syncs
//! both into an embedded SQLite store through the engine and prints the run report.

mod engine;
mod stripe;
mod winred;

use intake_cli::report;
use intake_host::{Host, HostConfig};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber_init();
    let cache_dir = std::path::Path::new(intake_test_artifacts::DIR).join("code-cache");
    let host = Host::new(HostConfig {
        cache_dir: Some(cache_dir),
        ..HostConfig::default()
    })?;
    for path in [intake_test_artifacts::STRIPE, intake_test_artifacts::WINRED] {
        let info = host.load_file(path).await?;
        println!("{}\n", report::plugin_table(&info));
    }
    stripe::run(&host).await?;
    winred::run(&host).await?;
    engine::run(&host).await?;
    Ok(())
}

/// Plugin log lines at `info` and above, on stderr; `INTAKE_LOG` overrides.
fn tracing_subscriber_init() {
    let filter = std::env::var("INTAKE_LOG").unwrap_or_else(|_| "warn".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .try_init();
}
