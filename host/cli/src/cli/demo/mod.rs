//! `intake demo [--dir D] [--listen ADDR]`: Intake's main job on one machine. It starts the
//! Stripe and WinRed emulators on loopback, writes a config for them into a directory of its
//! own, runs `intake serve` on it in this process, drives it as a CRM and the processors
//! would (a sync per integration through the JSON API, signed webhooks), prints what was
//! stored and how to go on (the queue page, approve and export commands), and serves until
//! Ctrl-C or SIGTERM.
//!
//! The emulators and the built plugins come with the cargo feature `demo`; a production
//! build has the subcommand only to say how to get it.
//!
//! Modules, one job each: [`setup`] (emulators, config and files), [`walkthrough`] (the
//! HTTP client that drives the service), [`print`] (what the reader sees).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use intake_host::Host;

#[cfg(feature = "demo")]
mod print;
#[cfg(feature = "demo")]
mod setup;
#[cfg(feature = "demo")]
mod walkthrough;

/// The command that builds `intake` with the demo in it.
#[cfg(not(feature = "demo"))]
const WITH_DEMO: &str = "cargo run -p intake-cli --features demo -- demo";

#[derive(Args)]
#[cfg_attr(not(feature = "demo"), allow(dead_code))]
pub(super) struct DemoArgs {
    /// Where the demo writes its config, secrets, plugins and store; its own files there are
    /// replaced on each run [default: $TMPDIR/intake-demo].
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// The address to serve on; 127.0.0.1:0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8750")]
    listen: SocketAddr,
}

/// Without the feature: say which command has the demo.
#[cfg(not(feature = "demo"))]
pub(super) async fn run(_host: &Host, _args: DemoArgs) -> ExitCode {
    super::fail(
        2,
        format!(
            "this build has no demo (the emulators and built plugins stay out of production \
             binaries): run `{WITH_DEMO}`"
        ),
    )
}

/// Start everything, walk through it, print, then serve until a signal.
#[cfg(feature = "demo")]
pub(super) async fn run(host: &Host, args: DemoArgs) -> ExitCode {
    use super::fail;
    use crate::serve::ServeError;

    let dir = args
        .dir
        .unwrap_or_else(|| std::env::temp_dir().join("intake-demo"));
    // Before touching the directory: a demo already serving there keeps its store.
    if let Err(e) = std::net::TcpListener::bind(args.listen) {
        return port_taken(&ServeError::Listen {
            addr: args.listen,
            message: e.to_string(),
        });
    }
    if let Err(why) = setup::check_dir(&dir) {
        return fail(2, why);
    }
    let demo = match setup::start(&dir, args.listen).await {
        Ok(demo) => demo,
        Err(e) => return fail(1, format!("demo: {e:#}")),
    };
    let config = match intake_engine::Config::load(&demo.config) {
        Ok(c) => c,
        Err(e) => return fail(1, format!("demo: the config it wrote does not load: {e}")),
    };
    let backend = match super::operate::open_store(&config) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let engine = match intake_engine::Engine::start(host.clone(), backend.clone(), config).await {
        Ok(e) => e,
        Err(e) => return fail(1, format!("demo: {e}")),
    };
    let (ready, bound) = tokio::sync::oneshot::channel();
    let mut server = tokio::spawn(crate::serve::run(
        engine,
        backend.clone(),
        host.clone(),
        args.listen,
        move |addr| {
            let _ = ready.send(addr);
        },
    ));
    let Ok(bound) = bound.await else {
        // The service ended before it listened: say why.
        return match (&mut server).await {
            Ok(Err(e @ ServeError::Listen { .. })) => port_taken(&e),
            Ok(Err(e)) => fail(1, e),
            Ok(Ok(())) => fail(1, "the service stopped before it listened"),
            Err(e) => fail(1, format!("the service failed: {e}")),
        };
    };
    tell!("intake: serving on http://{bound}");
    let base = format!("http://{bound}");
    // Ctrl-C during the walkthrough stops the service, and the demo with it.
    let walked = tokio::select! {
        walked = walkthrough::run(&demo, &base) => walked,
        served = &mut server => return stopped(served),
    };
    let seen = match walked {
        Ok(seen) => seen,
        Err(e) => {
            // A walkthrough cut off by a signal is a stop, not a failure.
            if let Ok(served) = tokio::time::timeout(STOPPING, &mut server).await {
                return stopped(served);
            }
            server.abort();
            return fail(1, format!("demo: {e:#}"));
        }
    };
    print::summary(&demo, &base, &seen, backend.as_ref());
    // The line a test or a script waits for; everything above it is printed.
    say!("intake: demo ready on {base} (Ctrl-C stops it)");
    let served = server.await;
    // The emulators serve until the service has stopped.
    drop(demo);
    stopped(served)
}

/// How long a failed walkthrough waits to see whether a signal is stopping the service.
#[cfg(feature = "demo")]
const STOPPING: std::time::Duration = std::time::Duration::from_secs(1);

/// The exit once the service has ended.
#[cfg(feature = "demo")]
fn stopped(
    served: Result<Result<(), crate::serve::ServeError>, tokio::task::JoinError>,
) -> ExitCode {
    match served {
        Ok(Ok(())) => {
            tell!("intake: stopped");
            ExitCode::SUCCESS
        }
        Ok(Err(e)) => super::fail(1, e),
        Err(e) => super::fail(1, format!("the service failed: {e}")),
    }
}

/// The address cannot be listened on: say so, and how to pick another.
#[cfg(feature = "demo")]
fn port_taken(e: &crate::serve::ServeError) -> ExitCode {
    super::fail(
        2,
        format!(
            "{e}: another program (an earlier demo?) may be serving there; \
             `--listen 127.0.0.1:0` picks a free port"
        ),
    )
}
