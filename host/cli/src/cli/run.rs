//! `intake check` and `intake fetch`: run one plugin for one integration described by flags,
//! with secrets from the environment (`INTAKE_SECRET_<PLUGIN>_<KEY>`).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use intake_host::types::{PluginInfo, Window};
use intake_host::{CallError, Host, Integration};

use crate::report;

use super::{JsonFlag, fail};

/// The integration: which plugin, its settings, and the operator's grants.
#[derive(Args)]
pub(super) struct IntegrationArgs {
    /// The plugin component to run.
    #[arg(long)]
    plugin: PathBuf,
    /// A plain setting, KEY=VALUE (repeatable). Secrets come from INTAKE_SECRET_<PLUGIN>_<KEY>,
    /// e.g. INTAKE_SECRET_STRIPE_LIVE_SECRET_KEY: named per plugin, so another plugin that
    /// declares a secret of the same name never receives it.
    #[arg(long = "setting", value_name = "KEY=VALUE", value_parser = key_value)]
    settings: Vec<(String, String)>,
    /// Let the plugin reach this origin too, e.g. a proxy or a local emulator (repeatable).
    #[arg(long = "grant", value_name = "ORIGIN")]
    grants: Vec<String>,
    /// Let the secret KEY be sent to ORIGIN too (repeatable).
    #[arg(long = "route-secret", value_name = "KEY=ORIGIN", value_parser = key_value)]
    secret_routes: Vec<(String, String)>,
}

#[derive(Args)]
pub(super) struct CheckArgs {
    #[command(flatten)]
    integration: IntegrationArgs,
    #[command(flatten)]
    json: JsonFlag,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// A table on a terminal, NDJSON otherwise.
    Auto,
    Ndjson,
    Table,
}

#[derive(Args)]
pub(super) struct FetchArgs {
    #[command(flatten)]
    integration: IntegrationArgs,
    /// Start of the window: RFC 3339 or YYYY-MM-DD (inclusive).
    #[arg(long)]
    since: String,
    /// End of the window: RFC 3339 or YYYY-MM-DD (exclusive) [default: now].
    #[arg(long)]
    until: Option<String>,
    /// Resume after this cursor (printed to stderr after each page).
    #[arg(long)]
    cursor: Option<String>,
    /// Stop after this many pages.
    #[arg(long)]
    max_pages: Option<u32>,
    #[arg(long, value_enum, default_value_t = Format::Auto)]
    format: Format,
}

fn key_value(text: &str) -> Result<(String, String), String> {
    let (k, v) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not KEY=VALUE"))?;
    Ok((k.trim().to_string(), v.to_string()))
}

/// "2024-05-01" means midnight UTC.
fn rfc3339(text: &str) -> String {
    if text.len() == 10 && text.as_bytes()[4] == b'-' {
        format!("{text}T00:00:00Z")
    } else {
        text.to_string()
    }
}

/// Load the plugin and assemble the integration; secrets from the environment.
async fn integration(
    host: &Host,
    args: IntegrationArgs,
) -> Result<(PluginInfo, Integration), ExitCode> {
    let info = host.load_file(&args.plugin).await.map_err(|e| fail(2, e))?;
    let mut integration = Integration::new(&info.id);
    for (key, value) in args.settings {
        integration = integration.setting(key, value);
    }
    for setting in info.settings.iter().filter(|s| s.secret) {
        let var = secret_variable(&info.id, &setting.key);
        if let Ok(value) = std::env::var(&var) {
            integration = integration.secret(&setting.key, value);
        }
    }
    for origin in args.grants {
        integration = integration.grant_origin(origin);
    }
    for (key, origin) in args.secret_routes {
        integration = integration.route_secret(key, origin);
    }
    Ok((info, integration))
}

fn call_failed(e: CallError) -> ExitCode {
    let hint = if e.is_retryable() {
        " (temporary: retrying later may succeed)"
    } else {
        ""
    };
    fail(super::call_exit_code(&e), format!("{e}{hint}"))
}

pub(super) async fn check(host: &Host, args: CheckArgs) -> ExitCode {
    let (_, integration) = match integration(host, args.integration).await {
        Ok(pair) => pair,
        Err(code) => return code,
    };
    match host.check(&integration).await {
        Ok(account) if args.json.json => {
            say!("{}", serde_json::to_string(&account).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Ok(account) => {
            say!(
                "{} ({}), {}",
                account.name,
                account.id,
                if account.livemode { "live" } else { "test" }
            );
            ExitCode::SUCCESS
        }
        Err(e) => call_failed(e),
    }
}

pub(super) async fn fetch(host: &Host, args: FetchArgs) -> ExitCode {
    let (_, integration) = match integration(host, args.integration).await {
        Ok(pair) => pair,
        Err(code) => return code,
    };
    let window = Window {
        since: rfc3339(&args.since),
        until: args.until.as_deref().map(rfc3339),
    };
    let table = match args.format {
        Format::Table => true,
        Format::Ndjson => false,
        Format::Auto => std::io::stdout().is_terminal(),
    };
    // The operator's own --cursor is not offered back as a place to resume: an error on the
    // first page may be about that very cursor.
    let mut cursor = args.cursor;
    let mut cursor_from_plugin = false;
    // A plugin that hands back a cursor it already gave would page forever.
    let mut seen_cursors = std::collections::HashSet::new();
    let mut stdout = std::io::stdout().lock();
    for page_number in 1u32.. {
        if args.max_pages.is_some_and(|max| page_number > max) {
            break;
        }
        let page = match host.fetch(&integration, &window, cursor.as_deref()).await {
            Ok(page) => page,
            Err(e) => {
                if let Some(c) = cursor.as_deref().filter(|_| cursor_from_plugin) {
                    tell!("resume with --cursor {}", shell_quoted(c));
                }
                return call_failed(e);
            }
        };
        tell!(
            "page {page_number}: {} donations, {} fee entries",
            page.donations.len(),
            page.fees.len()
        );
        // Each page is printed as it arrives (a table per page on a terminal), so a long
        // export is never held in memory.
        let written = if table {
            writeln!(stdout, "{}", report::donations_table(&page.donations))
        } else {
            page.donations.iter().try_for_each(|donation| {
                let line = serde_json::to_string(donation).unwrap_or_default();
                writeln!(stdout, "{line}")
            })
        };
        if written.is_err() {
            return ExitCode::SUCCESS; // stdout closed (e.g. `| head`)
        }
        match page.next_cursor {
            Some(next) => {
                if !seen_cursors.insert(next.clone()) || cursor.as_deref() == Some(next.as_str()) {
                    return fail(
                        1,
                        format!(
                            "the plugin returned the cursor {} a second time (page {page_number}): \
                             following it would repeat pages forever; stopping",
                            report::terminal_safe(&next)
                        ),
                    );
                }
                tell!("next cursor: {}", shell_quoted(&next));
                cursor = Some(next);
                cursor_from_plugin = true;
            }
            None => break,
        }
    }
    ExitCode::SUCCESS
}

/// A cursor as a shell word an operator can paste back (`'...'`, quotes escaped), with
/// anything that could drive the terminal escaped.
fn shell_quoted(text: &str) -> String {
    format!("'{}'", report::terminal_safe(text).replace('\'', "'\\''"))
}

/// The environment variable a plugin's secret is read from: scoped by the plugin's id.
fn secret_variable(plugin_id: &str, key: &str) -> String {
    let upper = |s: &str| s.to_ascii_uppercase().replace('-', "_");
    format!("INTAKE_SECRET_{}_{}", upper(plugin_id), upper(key))
}
