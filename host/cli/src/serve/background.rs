//! What the service runs beside its HTTP endpoints: the scheduler, which starts each
//! integration's sync on its slot (once across the workers of a store), the resumer, which
//! finishes what a dead or stopped worker left part-way, and the plugin watcher, which swaps
//! a changed `.wasm` in while calls are in flight.

use std::sync::Arc;
use std::time::Duration;

use intake_engine::reload::{self, PluginWatcher, ReloadEvent};
use intake_engine::schedule::{Scheduler, SystemClock};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::state::{AppState, PluginStatus};

/// Start the scheduler; it stops when `cancel` is cancelled. The handle returned takes a
/// reloaded config ([`Scheduler::update`]).
pub fn start_scheduler(state: &AppState, cancel: CancellationToken) -> Scheduler {
    let engine = state.engine();
    let scheduler = Scheduler::new(engine.store().clone(), engine.config(), cancel);
    let handle = scheduler.clone();
    let due = state.clone();
    tokio::spawn(
        scheduler.run(Arc::new(SystemClock), move |integration: &str| {
            let state = due.clone();
            let integration = integration.to_string();
            // start_sync asks the store (blocking): off the async threads.
            tokio::task::spawn_blocking(move || match state.start_sync(&integration) {
                Ok(_) => tracing::info!(%integration, "scheduled sync started"),
                Err(e) => tracing::info!(%integration, reason = %e, "scheduled sync not started"),
            });
        }),
    );
    handle
}

/// Every half claim, look for integrations a worker left part-way ([`Store::resumable`]) and
/// start them here, up to this worker's `sync.parallel`. One whose worker is alive (its claim
/// live) is refused by [`AppState::start_sync`] and left to it; one whose worker died is
/// taken over once its claim has run out (at once, for a dead process on this machine), and
/// resumes from the cursor it left. Stops when `cancel` is cancelled.
///
/// [`Store::resumable`]: intake_engine::store::Store::resumable
pub fn start_resumer(state: &AppState, cancel: CancellationToken) {
    let state = state.clone();
    tokio::spawn(async move {
        loop {
            let lease = state.engine().config().sync.lease;
            let every = (lease / 2).clamp(Duration::from_secs(1), Duration::from_secs(30));
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(every) => {}
            }
            let state = state.clone();
            // The store and start_sync block: off the async threads.
            let resumed = tokio::task::spawn_blocking(move || resume_left_work(&state)).await;
            if let Err(e) = resumed {
                tracing::warn!(error = %e, "the resumer's pass failed");
            }
        }
    });
}

fn resume_left_work(state: &AppState) {
    if state.is_stopping() {
        return;
    }
    let left = match state.engine().store().resumable() {
        Ok(left) => left,
        Err(e) => {
            tracing::warn!(error = %e, "cannot ask the store what was left part-way");
            return;
        }
    };
    let engine = state.engine();
    let running = state.running();
    let mut room = engine.config().sync.parallel.saturating_sub(running.len());
    for integration in left {
        if room == 0 {
            return;
        }
        let enabled = engine
            .integration(&integration)
            .is_ok_and(|i| i.config.enabled);
        if !enabled || running.contains(&integration) {
            continue;
        }
        if state.start_sync(&integration).is_ok() {
            tracing::info!(%integration, "resuming an integration a worker left part-way");
            room -= 1;
        }
    }
}

/// Watch the config's plugin directory and the plugins it names by path; each reload is
/// logged and shown by `/api/plugins`. None when they cannot be watched (reported; the loaded
/// plugins keep serving).
pub fn start_watcher(state: &AppState, host: intake_host::Host) -> Option<PluginWatcher> {
    let (events, mut received) = mpsc::unbounded_channel();
    // Asked of the engine as configured now: a reload may have switched users on or off.
    let asked = state.clone();
    let in_use = move |plugin: &str| {
        asked
            .engine()
            .integrations()
            .iter()
            .any(|i| i.config.enabled && i.plugin.id == plugin)
    };
    let engine = state.engine();
    let config = engine.config();
    // Plugins named by path are swapped too, wherever they are (those the config names when
    // the service starts).
    let files: Vec<_> = config
        .integrations
        .iter()
        .filter_map(|i| match &i.plugin {
            intake_engine::config::PluginRef::File(path) => Some(path.clone()),
            intake_engine::config::PluginRef::Id(_) => None,
        })
        .collect();
    let watcher = match reload::spawn_watching(host, &config.plugins_dir, &files, in_use, events) {
        Ok(w) => w,
        Err(e) => {
            tracing::warn!(error = %e, "plugins will not be reloaded while serving");
            return None;
        }
    };
    let state = state.clone();
    tokio::spawn(async move {
        while let Some(event) = received.recv().await {
            match event {
                ReloadEvent::Loaded {
                    plugin,
                    version,
                    path,
                } => {
                    tracing::info!(%plugin, %version, path = %path.display(), "plugin reloaded");
                    state.set_plugin(PluginStatus {
                        id: plugin,
                        version,
                        file: Some(path.display().to_string()),
                        last_reload_error: None,
                    });
                }
                ReloadEvent::Failed { path, error } => {
                    tracing::warn!(path = %path.display(), %error, "plugin not reloaded; the old one serves");
                    state.reload_failed(&path.display().to_string(), &error);
                }
                ReloadEvent::Removed { plugin } => {
                    tracing::info!(%plugin, "plugin unloaded: its file went and nothing uses it");
                }
            }
        }
    });
    Some(watcher)
}
