//! The `intake` command line: argument parsing and dispatch.

/// `println!` that never panics: when stdout is closed (`intake export | head`), the rest of
/// the output goes nowhere instead of the process aborting mid-write.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `eprintln!` that never panics, for a stderr that is a closed pipe.
macro_rules! tell {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

mod export;
mod operate;
mod plugin;
mod progress;
mod queue;
mod run;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use intake_host::{Host, HostConfig};

#[derive(Parser)]
#[command(
    name = "intake",
    version,
    about = "Take in donations through sandboxed processor plugins."
)]
struct Cli {
    /// Where compiled plugin code is cached [default: $XDG_CACHE_HOME/intake or ~/.cache/intake].
    #[arg(long, global = true, env = "INTAKE_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
    /// Compile plugins on every run instead of caching.
    #[arg(long, global = true)]
    no_cache: bool,
    /// Approve a plugin-declared origin, e.g. https://api.stripe.com (repeatable). Once any is
    /// given, a plugin reaches only the declared origins approved here, plus what each
    /// integration grants; without it, what each plugin declares, at public addresses only.
    #[arg(
        long = "allow-origin",
        value_name = "ORIGIN",
        global = true,
        env = "INTAKE_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    allowed_origins: Vec<String>,
    /// Seconds one plugin call may take.
    #[arg(long, global = true, default_value_t = 30)]
    timeout: u64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Look at plugin files.
    #[command(subcommand)]
    Plugin(plugin::PluginCommand),
    /// Validate an integration's credentials: print the account they open.
    Check(run::CheckArgs),
    /// Fetch the donations of a time window, all pages; NDJSON, or a table on a terminal.
    Fetch(run::FetchArgs),
    /// Print an example config, or check one.
    #[command(subcommand)]
    Config(operate::ConfigCommand),
    /// Sync every enabled integration of the config (or one) into the store.
    Sync(operate::SyncArgs),
    /// Read an export file (CSV quick import) into the store through an integration's plugin.
    Import(operate::ImportArgs),
    /// Write stored donations or the ledger as NDJSON or CSV; `export fec`: a .fec file.
    Export(export::ExportArgs),
    /// The import queue: donations waiting for review, their possible matches, decisions.
    #[command(subcommand)]
    Queue(queue::QueueCommand),
    /// Run as a service: webhooks, the JSON API, health and metrics, until SIGTERM.
    Serve(serve::ServeArgs),
}

/// Print machine-readable JSON instead of a table.
#[derive(Args, Clone, Copy)]
struct JsonFlag {
    #[arg(long)]
    json: bool,
}

pub fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("INTAKE_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => return fail(2, format!("cannot start the async runtime: {e}")),
    };
    runtime.block_on(async {
        let host = match build_host(&cli) {
            Ok(host) => host,
            Err(e) => return fail(2, format!("{e:#}")),
        };
        match cli.command {
            Command::Plugin(command) => plugin::run(&host, command).await,
            Command::Check(args) => run::check(&host, args).await,
            Command::Fetch(args) => run::fetch(&host, args).await,
            Command::Config(command) => operate::config(&host, command).await,
            Command::Sync(args) => operate::sync(&host, args).await,
            Command::Import(args) => operate::import(&host, args).await,
            Command::Export(args) => export::run(args),
            Command::Queue(command) => queue::run(command),
            Command::Serve(args) => serve::run(&host, args).await,
        }
    })
}

fn build_host(cli: &Cli) -> anyhow::Result<Host> {
    let mut config = HostConfig::default();
    config.limits.call_timeout = Duration::from_secs(cli.timeout.max(1));
    if !cli.allowed_origins.is_empty() {
        config.allowed_origins = Some(cli.allowed_origins.clone());
    }
    config.cache_dir = if cli.no_cache {
        None
    } else {
        cli.cache_dir.clone().or_else(default_cache_dir)
    };
    Ok(Host::new(config)?)
}

fn default_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
    Some(base.join("intake"))
}

/// Print `message` to stderr and exit with `code` (1: the call failed; 2: bad input).
fn fail(code: u8, message: impl std::fmt::Display) -> ExitCode {
    tell!("intake: {message}");
    ExitCode::from(code)
}
