//! `intake plugin test FILE`: the conformance kit. Runs a plugin through the real host against
//! recorded HTTP exchanges (`--fixture DIR`, default `fixtures/` beside the crate) or a live
//! endpoint (`--setting api_base=URL`), with the kit's own loopback server in front so it can
//! also inject failures, and checks the contract's promises (see `checks.rs`).

mod checks;
mod fixture;
mod server;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use intake_host::types::Window;
use intake_host::{Host, Integration};

use checks::{Kit, Outcome};
use fixture::Fixtures;
use server::{KitServer, Source};

use super::fail;

#[derive(Args)]
pub(crate) struct TestArgs {
    /// The plugin component (`.wasm`).
    file: PathBuf,
    /// Recorded exchanges to answer from [default: `fixtures/` beside the crate, unless
    /// --setting gives the base URL of a live endpoint].
    #[arg(long, value_name = "DIR")]
    fixture: Option<PathBuf>,
    /// A plain setting, KEY=VALUE (repeatable; overrides the fixtures').
    #[arg(long = "setting", value_name = "KEY=VALUE", value_parser = key_value)]
    settings: Vec<(String, String)>,
    /// A secret, KEY=VALUE (repeatable; overrides the fixtures'). Test credentials only.
    #[arg(long = "secret", value_name = "KEY=VALUE", value_parser = key_value)]
    secrets: Vec<(String, String)>,
    /// Let the plugin reach this origin too, e.g. where a live endpoint's download links
    /// point (repeatable).
    #[arg(long = "grant", value_name = "ORIGIN")]
    grants: Vec<String>,
    /// The setting holding the processor's base URL, which the kit points at its server.
    #[arg(long, value_name = "KEY", default_value = "api_base")]
    base_setting: String,
    /// Window start (RFC 3339) [default: the fixtures', else 2000-01-01T00:00:00Z].
    #[arg(long)]
    since: Option<String>,
    /// Window end (RFC 3339) [default: the fixtures', else now].
    #[arg(long)]
    until: Option<String>,
    /// Print the results as JSON.
    #[arg(long)]
    json: bool,
}

fn key_value(text: &str) -> Result<(String, String), String> {
    let (k, v) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not KEY=VALUE"))?;
    Ok((k.trim().to_string(), v.to_string()))
}

/// The nearest `fixtures/` directory among FILE's ancestors (the crate beside `target/`).
fn fixtures_beside(file: &Path) -> Option<PathBuf> {
    let absolute = std::fs::canonicalize(file).ok()?;
    absolute
        .ancestors()
        .skip(1)
        .map(|dir| dir.join("fixtures"))
        .find(|dir| dir.is_dir())
}

fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc().replace_nanosecond(0);
    now.ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| "2100-01-01T00:00:00Z".into())
}

pub(crate) async fn run(host: &Host, args: TestArgs) -> ExitCode {
    let info = match host.load_file(&args.file).await {
        Ok(info) => info,
        Err(e) => return fail(2, e),
    };
    if !info.settings.iter().any(|s| s.key == args.base_setting) {
        return fail(
            2,
            format!(
                "plugin `{}` has no `{}` setting to point at the kit's server: name its base-URL setting with --base-setting",
                info.id, args.base_setting
            ),
        );
    }
    let mut settings: BTreeMap<String, String> = BTreeMap::new();
    let mut secrets: BTreeMap<String, String> = BTreeMap::new();
    let live = args
        .settings
        .iter()
        .find(|(k, _)| *k == args.base_setting)
        .map(|(_, v)| v.trim_end_matches('/').to_string());
    let fixture_dir = match (&args.fixture, &live) {
        (Some(dir), _) => Some(dir.clone()),
        (None, Some(_)) => None,
        (None, None) => match fixtures_beside(&args.file) {
            Some(dir) => Some(dir),
            None => {
                return fail(
                    2,
                    format!(
                        "no fixtures beside {}: give --fixture DIR, or --setting {}=URL to test against a live endpoint",
                        args.file.display(),
                        args.base_setting
                    ),
                );
            }
        },
    };
    let mut window = Window {
        since: "2000-01-01T00:00:00Z".into(),
        until: Some(now_rfc3339()),
    };
    let mut webhook = None;
    let source = match (&fixture_dir, &live) {
        (Some(dir), _) => {
            let fixtures = match Fixtures::load(dir) {
                Ok(f) => f,
                Err(e) => return fail(2, e),
            };
            settings.extend(fixtures.settings.clone());
            secrets.extend(fixtures.secrets.clone());
            if let Some(w) = &fixtures.window {
                window = Window {
                    since: w.since.clone(),
                    until: w.until.clone(),
                };
            }
            webhook = fixtures.webhook.clone();
            Source::Fixtures(fixtures)
        }
        (None, Some(url)) => Source::Upstream(url.clone()),
        (None, None) => return fail(2, "nothing to test against"),
    };
    if let Some(since) = args.since {
        window.since = since;
    }
    if let Some(until) = args.until {
        window.until = Some(until);
    }
    settings.extend(args.settings);
    secrets.extend(args.secrets);
    let server = match KitServer::start(source).await {
        Ok(server) => server,
        Err(e) => return fail(2, format!("cannot start the kit's server: {e}")),
    };
    settings.insert(args.base_setting.clone(), server.url().to_string());

    let mut integration = Integration::new(&info.id).grant_origin(server.url());
    if let Some(url) = &live {
        // Links the endpoint hands out (downloads) point at it directly.
        integration = integration.grant_origin(url.clone());
    }
    for origin in args.grants {
        integration = integration.grant_origin(origin);
    }
    for (key, value) in settings {
        integration = integration.setting(key, value);
    }
    for (key, value) in secrets {
        integration = integration.secret(key, value);
    }
    for setting in info.settings.iter().filter(|s| s.secret) {
        integration = integration.route_secret(setting.key.clone(), server.url());
    }
    let kit = Kit {
        host,
        info: info.clone(),
        integration,
        window: window.clone(),
        server: &server,
        webhook,
    };
    let rows = kit.run().await;
    let failed: Vec<&str> = rows
        .iter()
        .filter(|r| r.outcome == Outcome::Fail)
        .map(|r| r.name)
        .collect();
    if args.json {
        let report = serde_json::json!({
            "plugin": info.id,
            "version": info.version,
            "against": fixture_dir.as_ref().map(|d| d.display().to_string()).or(live.clone()),
            "window": window,
            "passed": failed.is_empty(),
            "checks": rows,
        });
        say!("{report:#}");
    } else {
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED);
        table.set_header(["check", "result", "detail"]);
        for row in &rows {
            let result = match row.outcome {
                Outcome::Pass => "pass",
                Outcome::Fail => "FAIL",
            };
            table.add_row([row.name, result, &crate::report::terminal_safe(&row.detail)]);
        }
        say!("{table}");
    }
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        fail(
            1,
            format!(
                "{} of {} checks failed: {}",
                failed.len(),
                rows.len(),
                failed.join(", ")
            ),
        )
    }
}
