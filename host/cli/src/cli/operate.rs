//! The operator's commands over a config file: `intake config`, `sync`, `import`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand};
use intake_engine::store::Backend;
use intake_engine::{Config, Engine, EngineError, SqliteStore, SyncOptions};

use intake_host::Host;

use super::fail;
use super::progress::SyncProgress;

/// `--config F`: every command that reads the config takes it.
#[derive(Args, Clone)]
pub(super) struct ConfigArg {
    /// The config file [default: $INTAKE_CONFIG, then ./intake.toml].
    #[arg(long, env = "INTAKE_CONFIG", default_value = "intake.toml")]
    config: PathBuf,
}

#[derive(Subcommand)]
pub(super) enum ConfigCommand {
    /// Print a commented example config.
    Example,
    /// Check the config: its shape, each integration against its plugin, and that every
    /// secret can be read. Calls no processor.
    Check {
        #[command(flatten)]
        config: ConfigArg,
    },
}

#[derive(Args)]
pub(super) struct SyncArgs {
    #[command(flatten)]
    config: ConfigArg,
    /// Only this integration.
    #[arg(long)]
    integration: Option<String>,
    /// Start a new window here (YYYY-MM-DD or RFC 3339) instead of where the last run ended.
    #[arg(long)]
    since: Option<String>,
    /// One JSON object per integration on stdout, instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub(super) struct ImportArgs {
    #[command(flatten)]
    config: ConfigArg,
    /// The integration whose plugin reads the file.
    #[arg(long)]
    integration: String,
    /// The export file (e.g. a WinRed or Stripe CSV).
    file: PathBuf,
    /// JSON on stdout instead of words.
    #[arg(long)]
    json: bool,
}

pub(super) fn load(config: &ConfigArg) -> Result<Config, ExitCode> {
    Config::load(&config.config).map_err(|e| fail(2, e))
}

/// The store the config names: its SQLite file, or its shared Postgres database.
pub(super) fn open_store(config: &Config) -> Result<Arc<dyn Backend>, ExitCode> {
    intake_engine::store::open(config).map_err(|e| match &config.shared_store {
        Some(shared) => fail(1, format!("{}: {e}", shared.url)),
        None => fail(1, format!("{}: {e}", config.store_path.display())),
    })
}

async fn start(host: &Host, config: Config) -> Result<Engine, ExitCode> {
    let store = open_store(&config)?;
    Engine::start(host.clone(), store, config)
        .await
        .map_err(engine_failed)
}

fn engine_failed(e: EngineError) -> ExitCode {
    match e {
        EngineError::Config(e) => fail(2, e),
        other => fail(1, other),
    }
}

pub(super) async fn config(host: &Host, command: ConfigCommand) -> ExitCode {
    match command {
        ConfigCommand::Example => {
            use std::io::Write as _;
            let _ = std::io::stdout().write_all(intake_engine::config::EXAMPLE.as_bytes());
            ExitCode::SUCCESS
        }
        ConfigCommand::Check { config } => {
            let loaded = match load(&config) {
                Ok(c) => c,
                Err(code) => return code,
            };
            let store = match SqliteStore::in_memory() {
                Ok(s) => Arc::new(s),
                Err(e) => return fail(1, e),
            };
            match Engine::start(host.clone(), store, loaded).await {
                Ok(engine) => {
                    let enabled = engine
                        .integrations()
                        .iter()
                        .filter(|i| i.config.enabled)
                        .count();
                    say!(
                        "{}: ok, {} integrations ({enabled} enabled)",
                        config.config.display(),
                        engine.integrations().len()
                    );
                    for i in engine.integrations() {
                        say!(
                            "  {:<24} {} {} from {}{}",
                            i.config.id,
                            i.plugin.id,
                            i.plugin.version,
                            i.config.start_date,
                            if i.config.enabled { "" } else { " (disabled)" }
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => engine_failed(e),
            }
        }
    }
}

pub(super) async fn sync(host: &Host, args: SyncArgs) -> ExitCode {
    let config = match load(&args.config) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let store = match open_store(&config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let engine = match Engine::start(host.clone(), store.clone(), config.clone()).await {
        Ok(e) => e,
        Err(e) => return engine_failed(e),
    };
    let options = SyncOptions {
        integration: args.integration,
        since: args.since,
        stop: stop_on_signal(),
    };
    let show_bars = !args.json && std::io::stderr().is_terminal();
    let progress = SyncProgress::new(show_bars);
    let reports = engine.sync(&options, &progress).await;
    progress.clear();
    let imports = match intake_engine::queue::after_sync(store.as_ref(), &config, &reports) {
        Ok(imports) => imports,
        Err(e) => return fail(1, e),
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        for (report, import) in reports.iter().zip(&imports) {
            let mut value = serde_json::to_value(report).unwrap_or_default();
            if let Some(object) = value.as_object_mut() {
                object.insert(
                    "queue".into(),
                    serde_json::to_value(import).unwrap_or_default(),
                );
            }
            if writeln!(out, "{value}").is_err() {
                break;
            }
        }
    } else {
        let _ = writeln!(out, "{}", crate::sync_report::sync_table(&reports));
        for (report, import) in reports.iter().zip(&imports) {
            let _ = writeln!(
                out,
                "{}",
                crate::sync_report::queue_line(&report.integration, import)
            );
        }
    }
    if options.stop.is_cancelled() {
        // As a shell reports a command stopped by Ctrl-C; the report above says what was kept.
        ExitCode::from(130)
    } else if !reports.iter().any(|r| r.failed()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Cancelled at the first SIGINT or SIGTERM: the sync stops at its next page boundary and
/// reports what it kept. A second signal exits at once (nothing is lost: every page is
/// committed with its cursor).
fn stop_on_signal() -> tokio_util::sync::CancellationToken {
    let stop = tokio_util::sync::CancellationToken::new();
    let cancel = stop.clone();
    tokio::spawn(async move {
        crate::serve::shutdown::signal().await;
        tell!("intake: stopping after the pages in flight (again to quit at once)");
        cancel.cancel();
        crate::serve::shutdown::signal().await;
        std::process::exit(130);
    });
    stop
}

pub(super) async fn import(host: &Host, args: ImportArgs) -> ExitCode {
    let config = match load(&args.config) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let contents = match std::fs::read(&args.file) {
        Ok(bytes) => bytes,
        Err(e) => return fail(2, format!("cannot read {}: {e}", args.file.display())),
    };
    let engine = match start(host, config).await {
        Ok(e) => e,
        Err(code) => return code,
    };
    let name = file_name(&args.file);
    let report = match engine.import(&args.integration, &name, &contents).await {
        Ok(r) => r,
        Err(e) => return engine_failed(e),
    };
    if args.json {
        say!("{}", serde_json::to_string(&report).unwrap_or_default());
    } else {
        say!(
            "{}: {} new, {} updated, {} unchanged, {} rejected",
            report.file,
            report.counts.new,
            report.counts.updated,
            report.counts.unchanged,
            report.rejected.len()
        );
        for row in &report.rejected {
            say!(
                "  line {}: {}",
                row.line,
                crate::report::terminal_safe(&row.message)
            );
        }
    }
    ExitCode::SUCCESS
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}
