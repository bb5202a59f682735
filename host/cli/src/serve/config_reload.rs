//! Reloading the config while serving, on SIGHUP and when the file changes: the file is read
//! and checked as at start-up (plugins loaded, settings checked, secrets read), then the new
//! engine replaces the old one at once. Syncs and webhook calls in flight finish on the old
//! one; the scheduler takes the new schedules (an integration switched off stops firing and
//! its webhooks are refused from then on). A file that fails the check changes nothing: the
//! old config keeps serving and `GET /api/config` says why.
//!
//! What the service opened at start (the store, the listening socket, the API token, the
//! plugin directory watched) stays as it is: a change to those is listed as needing a
//! restart, and the rest of the file applies.

use std::path::Path;

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use intake_engine::config_watch::{ConfigWatcher, watch_config};
use intake_engine::file_stamp::{FileStamp, content_digest};
use intake_engine::schedule::Scheduler;
use intake_engine::{Config, Engine};
use serde::Serialize;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::state::AppState;

/// What the service knows of its config file: `GET /api/config`.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigStatus {
    /// The file.
    pub path: String,
    /// When the config now serving was read (RFC 3339 UTC).
    pub loaded_at: String,
    /// Reloads applied since the service started.
    pub reloads: u64,
    /// The last attempt to reload, applied or not.
    pub last_attempt: Option<Attempt>,
    /// Settings changed in the file that apply only after a restart.
    pub restart_needed: Vec<String>,
}

/// One attempt to reload.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    /// What set it off: `SIGHUP` or `file changed`.
    pub trigger: &'static str,
    /// When (RFC 3339 UTC).
    pub at: String,
    /// `applied` or `failed`.
    pub outcome: &'static str,
    /// Why it failed: the file, line and key where the config names one.
    pub error: Option<String>,
}

impl ConfigStatus {
    /// The status of a config just loaded at start-up.
    pub fn loaded(config: &Config) -> ConfigStatus {
        ConfigStatus {
            path: config.path.display().to_string(),
            loaded_at: now(),
            reloads: 0,
            last_attempt: None,
            restart_needed: Vec::new(),
        }
    }
}

fn now() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(0)
        .unwrap_or(now)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// `GET /api/config`.
pub async fn status(State(state): State<AppState>) -> Response {
    Json(state.config_status()).into_response()
}

/// What set a reload off.
#[derive(Debug, Clone, Copy)]
enum Trigger {
    Hangup,
    FileChanged,
}

impl Trigger {
    fn as_str(self) -> &'static str {
        match self {
            Trigger::Hangup => "SIGHUP",
            Trigger::FileChanged => "file changed",
        }
    }
}

/// Reload on SIGHUP and on changes to the config file until `cancel` is cancelled. None
/// when the file cannot be watched (said in the log; SIGHUP still reloads).
pub fn start(
    state: &AppState,
    scheduler: Scheduler,
    cancel: CancellationToken,
) -> Option<ConfigWatcher> {
    let path = state.engine().config().path.clone();
    let (changed, mut changes) = mpsc::unbounded_channel();
    let watcher = match watch_config(&path, changed) {
        Ok(w) => Some(w),
        Err(e) => {
            tracing::warn!(error = %e, "config changes will not be noticed; SIGHUP reloads it");
            None
        }
    };
    let state = state.clone();
    tokio::spawn(async move {
        let mut hangups = hangups();
        // The bytes last read: a change notice for the same bytes (an editor saving twice, a
        // touch) reloads nothing. SIGHUP always reloads: the operator asked. The file's stamp
        // is compared first: reading it is itself a notice, which must not read it again.
        let mut last_read = content_digest(&path);
        let mut last_stamp = FileStamp::of(&path);
        loop {
            let trigger = tokio::select! {
                _ = cancel.cancelled() => return,
                Some(()) = changes.recv() => Trigger::FileChanged,
                Some(()) = next_hangup(&mut hangups) => Trigger::Hangup,
            };
            let stamp = FileStamp::of(&path);
            if matches!(trigger, Trigger::FileChanged) && stamp == last_stamp {
                continue;
            }
            last_stamp = stamp;
            let read = content_digest(&path);
            if matches!(trigger, Trigger::FileChanged) && read == last_read {
                continue;
            }
            last_read = read;
            reload(&state, &scheduler, &path, trigger).await;
        }
    });
    watcher
}

#[cfg(unix)]
type Hangups = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
type Hangups = Option<()>;

#[cfg(unix)]
fn hangups() -> Hangups {
    use tokio::signal::unix::{SignalKind, signal};
    signal(SignalKind::hangup())
        .inspect_err(|e| tracing::warn!(error = %e, "cannot watch SIGHUP"))
        .ok()
}

#[cfg(not(unix))]
fn hangups() -> Hangups {
    None
}

/// The next SIGHUP; never, where there are none.
async fn next_hangup(hangups: &mut Hangups) -> Option<()> {
    #[cfg(unix)]
    if let Some(signal) = hangups {
        return signal.recv().await;
    }
    let _ = hangups;
    std::future::pending().await
}

/// Read, check and apply the file; the outcome goes to the status, the log and the metrics.
async fn reload(state: &AppState, scheduler: &Scheduler, path: &Path, trigger: Trigger) {
    let current = state.engine();
    let result = match Config::load(path) {
        Ok(config) => {
            let (config, restart_needed) = keep_what_needs_a_restart(current.config(), config);
            Engine::start(current.host().clone(), current.store().clone(), config)
                .await
                .map(|engine| (engine, restart_needed))
                .map_err(|e| e.to_string())
        }
        Err(e) => Err(e.to_string()),
    };
    let at = now();
    match result {
        Ok((engine, restart_needed)) => {
            scheduler.update(engine.config());
            state.replace_engine(engine);
            state.metrics().config_reload("applied");
            tracing::info!(
                trigger = trigger.as_str(),
                ?restart_needed,
                "config reloaded"
            );
            state.update_config_status(|status| {
                status.loaded_at = at.clone();
                status.reloads += 1;
                status.restart_needed = restart_needed;
                status.last_attempt = Some(Attempt {
                    trigger: trigger.as_str(),
                    at,
                    outcome: "applied",
                    error: None,
                });
            });
        }
        Err(error) => {
            state.metrics().config_reload("failed");
            tracing::warn!(trigger = trigger.as_str(), %error, "config not reloaded; the old one keeps serving");
            state.update_config_status(|status| {
                status.last_attempt = Some(Attempt {
                    trigger: trigger.as_str(),
                    at,
                    outcome: "failed",
                    error: Some(error),
                });
            });
        }
    }
}

/// The new config with what only a restart can change put back as it was, and the names of
/// what was put back.
fn keep_what_needs_a_restart(old: &Config, mut new: Config) -> (Config, Vec<String>) {
    let mut kept = Vec::new();
    if new.store_path != old.store_path || new.shared_store != old.shared_store {
        kept.push("[store]: the store is opened once; restart to change it".to_string());
        new.store_path = old.store_path.clone();
        new.shared_store = old.shared_store.clone();
    }
    if new.serve.listen != old.serve.listen {
        kept.push("[serve] listen: restart to listen elsewhere".to_string());
    }
    if new.serve.api_token != old.serve.api_token {
        kept.push("[serve] api_token: restart to use the new token".to_string());
    }
    new.serve = old.serve.clone();
    if new.plugins_dir != old.plugins_dir {
        kept.push("[plugins] dir: restart to load and watch the new directory".to_string());
        new.plugins_dir = old.plugins_dir.clone();
    }
    (new, kept)
}
