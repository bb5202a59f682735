//! `intake plugin inspect FILE`, `intake plugin list DIR` and `intake plugin new NAME`.

mod new;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use intake_host::Host;

use crate::report;

use super::{JsonFlag, fail};

#[derive(Subcommand)]
pub(super) enum PluginCommand {
    /// Everything a plugin declares: settings, where each secret may be sent, origins,
    /// capabilities, organization.
    Inspect {
        file: PathBuf,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Load every `*.wasm` in a directory and say which load and which do not, and why.
    List {
        dir: PathBuf,
        #[command(flatten)]
        json: JsonFlag,
    },
    /// Start a plugin: a ready project in ./NAME (a Rust crate with unit tests over the SDK's
    /// test doubles and fixtures for `intake plugin test`). Until the SDK is on crates.io it
    /// is a git dependency on Intake's repository (INTAKE_SDK_GIT overrides the URL), or
    /// --sdk-path to a local copy (plugins/sdk of a checkout).
    New {
        /// The plugin's name: its crate name and plugin id (lower case, digits, `-`).
        name: String,
        #[arg(long, value_enum, default_value = "rust")]
        lang: new::Lang,
        /// Depend on the SDK at this directory instead of the git repository.
        #[arg(long, value_name = "DIR")]
        sdk_path: Option<PathBuf>,
    },
    /// The conformance kit: run a plugin against recorded HTTP exchanges (--fixture DIR,
    /// default fixtures/ beside the crate) or a live endpoint (--setting api_base=URL) and
    /// check the contract's promises: a pass/fail table, exit 1 when any check fails.
    Test(super::plugin_test::TestArgs),
}

pub(super) async fn run(host: &Host, command: PluginCommand) -> ExitCode {
    match command {
        PluginCommand::Test(args) => super::plugin_test::run(host, args).await,
        PluginCommand::New {
            name,
            lang,
            sdk_path,
        } => match new::create(Path::new("."), &name, lang, sdk_path.as_deref()) {
            Ok(files) => {
                for file in files {
                    say!("created {}", file.display());
                }
                say!(
                    "next: cd {name} && cargo test && cargo build --release --target wasm32-wasip2"
                );
                ExitCode::SUCCESS
            }
            Err(e) => fail(2, e),
        },
        PluginCommand::Inspect { file, json } => match host.load_file(&file).await {
            Ok(info) if json.json => print_json(&info),
            Ok(info) => {
                say!("{}", report::plugin_table(&info));
                ExitCode::SUCCESS
            }
            Err(e) => fail(2, e),
        },
        PluginCommand::List { dir, json } => {
            let loaded = match host.load_dir(&dir).await {
                Ok(loaded) => loaded,
                Err(e) => return fail(2, format!("cannot read {}: {e}", dir.display())),
            };
            let failures = loaded.iter().filter(|(_, r)| r.is_err()).count();
            if json.json {
                let rows: Vec<serde_json::Value> = loaded
                    .iter()
                    .map(|(path, result)| match result {
                        Ok(info) => serde_json::json!({ "file": path, "plugin": info }),
                        Err(e) => serde_json::json!({ "file": path, "error": e.to_string() }),
                    })
                    .collect();
                say!("{}", serde_json::Value::Array(rows));
            } else {
                for (path, result) in &loaded {
                    match result {
                        Ok(info) => say!(
                            "{}\t{} {}\t{}\t{}",
                            path.display(),
                            info.id,
                            info.version,
                            info.name,
                            report::capabilities(info.capabilities)
                        ),
                        Err(e) => say!("{}\tNOT LOADED\t{e}", path.display()),
                    }
                }
            }
            if failures > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}

fn print_json(value: &impl serde::Serialize) -> ExitCode {
    match serde_json::to_string_pretty(value) {
        Ok(text) => {
            say!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(1, e),
    }
}
