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

mod demo;
mod export;
mod operate;
mod plugin;
mod plugin_test;
mod progress;
mod queue;
mod run;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use intake_host::{Host, HostConfig};

/// What `intake --help` ends with: the environment and the exit codes (README has the same).
const AFTER_HELP: &str = "\
Environment:
  INTAKE_LOG           What to log to stderr, as a tracing filter: `warn` (default), `info`,
                       `debug`, or per target, e.g. `intake_host=debug,warn`. Plugins' own log
                       lines: `intake_host::guest_log=debug`.
  INTAKE_CACHE_DIR     Where compiled plugin code is cached (--cache-dir).
  INTAKE_SECRET_<PLUGIN>_<KEY>
                       A secret for `check` and `fetch`, e.g. INTAKE_SECRET_STRIPE_TEST_SECRET_KEY.

Exit codes:
  0  success
  1  failed (a store error; `plugin test`: a check failed)
  2  bad input: arguments, a file that cannot be read, a plugin that does not load
  3  configuration: a setting or secret missing or invalid, a foreign cursor
  4  authentication: the processor refused the credentials
  5  temporary: rate limited, timed out, busy, a processor outage (retry later)
  6  invalid data: the processor or the plugin sent something that breaks the contract
  7  sandbox: the plugin crashed or went past a memory or transfer limit";

#[derive(Parser)]
#[command(
    name = "intake",
    version,
    about = "Take in donations through sandboxed processor plugins.",
    after_help = AFTER_HELP
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
    /// Seconds one plugin call may take (the library's default deadline).
    #[arg(long, global = true, default_value_t = default_timeout())]
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
    /// Try it all on this machine: processor emulators, a demo config, `serve`, a first sync
    /// and signed webhooks (in builds with the `demo` feature).
    Demo(demo::DemoArgs),
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
            Command::Demo(args) => demo::run(&host, args).await,
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

/// The host library's default call deadline, so the CLI and an embedding CRM agree.
fn default_timeout() -> u64 {
    HostConfig::default().limits.call_timeout.as_secs()
}

/// The exit code for a failed plugin call, by kind (listed in `intake --help`).
fn call_exit_code(e: &intake_host::CallError) -> u8 {
    use intake_host::{CallError as C, PluginError as P};
    match e {
        C::Config(_) | C::UnknownPlugin(_) | C::Plugin(P::Config(_)) => 3,
        C::Plugin(P::Unsupported) => 2,
        C::Plugin(P::Auth(_)) => 4,
        C::Plugin(P::RateLimited(_) | P::Transient(_)) | C::Timeout(_) | C::Busy(_) => 5,
        C::Plugin(P::InvalidData(_)) | C::InvalidOutput(_) => 6,
        C::MemoryLimit(_) | C::TransferLimit(_) | C::Crashed(_) => 7,
        // Internal, and kinds a newer host adds (the enum is non-exhaustive).
        _ => 1,
    }
}

fn default_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
    Some(base.join("intake"))
}

/// Print `message` to stderr and exit with `code` (see [`AFTER_HELP`]).
fn fail(code: u8, message: impl std::fmt::Display) -> ExitCode {
    tell!("intake: {message}");
    ExitCode::from(code)
}
