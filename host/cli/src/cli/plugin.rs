//! `intake plugin inspect FILE` and `intake plugin list DIR`.

use std::path::PathBuf;
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
}

pub(super) async fn run(host: &Host, command: PluginCommand) -> ExitCode {
    match command {
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
