//! `intake serve`: the engine as a long-running service. One process holds one engine, one
//! store and one host; an HTTP server on top takes webhooks, serves the JSON API, health and
//! metrics; SIGTERM or SIGINT stops it cleanly.
//!
//! Modules, one job each: [`state`] (what handlers share, the sync trigger), [`router`] (the
//! paths), [`auth`] (the bearer token), [`webhooks`], [`api`], [`metrics`], [`shutdown`],
//! [`background`] (scheduler, plugin watcher), [`config_reload`] (SIGHUP, file changes).

pub mod api;
pub mod auth;
pub mod background;
pub mod config_reload;
pub mod metrics;
pub mod router;
pub mod shutdown;
pub mod state;
pub mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;

use intake_engine::{Config, Engine};
use intake_host::Host;

pub use state::{AppState, PluginStatus, RunStarted, SyncBusy};

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The config has no `[serve] api_token`: the API is never left open.
    #[error(
        "{0}: no API token: add [serve] api_token = {{ env = \"INTAKE_API_TOKEN\" }} (or {{ file = \"…\" }})"
    )]
    NoToken(String),
    /// The token's source could not be read, or is empty.
    #[error("serve.api_token: {0}")]
    Token(String),
    /// The address is taken or not ours.
    #[error("cannot listen on {addr}: {message}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        message: String,
    },
    /// The server stopped on an error.
    #[error("the server failed: {0}")]
    Server(String),
}

/// Read the API token the config points to. Leading and trailing blanks are dropped; an
/// empty token is refused (it would match an empty header).
pub fn api_token(config: &Config) -> Result<Arc<str>, ServeError> {
    let source = config
        .serve
        .api_token
        .as_ref()
        .ok_or_else(|| ServeError::NoToken(config.path.display().to_string()))?;
    let token = source.read().map_err(ServeError::Token)?;
    let token = token.trim();
    if token.is_empty() {
        return Err(ServeError::Token("the token is empty".into()));
    }
    Ok(Arc::from(token))
}

/// Serve until SIGTERM or SIGINT, then stop taking work, let in-flight requests finish and
/// stop running syncs after their current page (each page is one transaction with its
/// cursor, so the next start resumes there). `ready` is told the bound address.
pub async fn run(
    engine: Engine,
    backend: Arc<dyn intake_engine::store::Backend>,
    host: Host,
    listen: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let token = api_token(engine.config())?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| ServeError::Listen {
            addr: listen,
            message: e.to_string(),
        })?;
    let bound = listener.local_addr().unwrap_or(listen);
    let watched_host = host.clone();
    let state = AppState::new(engine, backend.clone(), host, token.clone());
    let page = crate::web::QueuePage {
        backend,
        api_token: token,
        defaults: state.defaults(),
    };
    // The review page beside the API: `/`, `/queue…`, `/signin`, `/signout`, `/static/…`.
    let app = router::router(state.clone()).merge(crate::web::routes(page));
    // Schedules and hot swap run beside the endpoints; both stop with the service.
    let cancel = tokio_util::sync::CancellationToken::new();
    let scheduler = background::start_scheduler(&state, cancel.clone());
    background::start_resumer(&state, cancel.clone());
    let _watcher = background::start_watcher(&state, watched_host);
    // SIGHUP and edits to the config file reload it (see `config_reload`).
    let _config_watcher = config_reload::start(&state, scheduler, cancel.clone());
    ready(bound);
    let stopping = shutdown::signal();
    let serving = axum::serve(listener, app).with_graceful_shutdown({
        let state = state.clone();
        async move {
            stopping.await;
            tracing::info!("stopping: no new work; in-flight requests finish");
            state.stop_taking_work();
        }
    });
    let result = serving.await.map_err(|e| ServeError::Server(e.to_string()));
    cancel.cancel();
    state.stop_syncs().await;
    result
}
