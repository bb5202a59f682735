//! `intake serve --config F [--listen ADDR]`: the engine as a service (see `crate::serve`).

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Args;
use intake_engine::Engine;
use intake_host::Host;

use super::fail;
use super::operate::{ConfigArg, load, open_store};

#[derive(Args)]
pub(super) struct ServeArgs {
    #[command(flatten)]
    config: ConfigArg,
    /// The address to listen on [default: [serve] listen, then 127.0.0.1:8750].
    #[arg(long)]
    listen: Option<SocketAddr>,
}

pub(super) async fn run(host: &Host, args: ServeArgs) -> ExitCode {
    let config = match load(&args.config) {
        Ok(c) => c,
        Err(code) => return code,
    };
    // Refuse before loading any plugin when there is no token to guard the API with.
    if let Err(e) = crate::serve::api_token(&config) {
        return fail(2, e);
    }
    let listen = args.listen.unwrap_or(config.serve.listen);
    let backend = match open_store(&config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let engine = match Engine::start(host.clone(), backend.clone(), config).await {
        Ok(e) => e,
        Err(intake_engine::EngineError::Config(e)) => return fail(2, e),
        Err(e) => return fail(1, e),
    };
    let served = crate::serve::run(engine, backend, host.clone(), listen, |bound| {
        // The one line a supervisor or test waits for; with --listen 127.0.0.1:0 it names
        // the port picked.
        tell!("intake: serving on http://{bound}");
    })
    .await;
    match served {
        Ok(()) => {
            tell!("intake: stopped");
            ExitCode::SUCCESS
        }
        Err(e @ crate::serve::ServeError::NoToken(_) | e @ crate::serve::ServeError::Token(_)) => {
            fail(2, e)
        }
        Err(e) => fail(1, e),
    }
}
