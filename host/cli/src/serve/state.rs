//! What every handler shares, and the sync trigger the scheduler calls too.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use intake_engine::store::{Backend, Claim};
use intake_engine::{Engine, IntegrationReport, NoProgress, SyncOptions};
use intake_host::Host;
use serde::Serialize;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::config_reload::ConfigStatus;
use super::metrics::Metrics;
use crate::web::SharedDefaults;

/// How long a stopping service waits for its syncs to reach a page boundary before it
/// drops them (a page's commit is one transaction with its cursor either way).
const STOP_GRACE: Duration = Duration::from_secs(10);

/// A sync started by [`AppState::start_sync`].
#[derive(Debug, Clone, Serialize)]
pub struct RunStarted {
    /// The integration.
    pub integration: String,
}

/// Why [`AppState::start_sync`] started nothing.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SyncBusy {
    /// This service is syncing it now.
    #[error("`{0}` is already syncing in this service")]
    Running(String),
    /// Another worker on the same store holds its claim.
    #[error("`{integration}` is being synced by another worker ({holder})")]
    OtherWorker {
        /// The integration.
        integration: String,
        /// The claim's holder.
        holder: String,
    },
    /// No enabled integration has this id.
    #[error("{0}")]
    Unavailable(String),
    /// The service is stopping.
    #[error("the service is stopping; no new syncs")]
    Stopping,
    /// The store could not be asked.
    #[error("the store could not tell whether it is running: {0}")]
    Store(String),
}

/// A plugin as the service runs it: `GET /api/plugins`. A reload callback updates it.
#[derive(Debug, Clone, Serialize)]
pub struct PluginStatus {
    /// The plugin's id.
    pub id: String,
    /// Its version.
    pub version: String,
    /// The file it was loaded from, where known.
    pub file: Option<String>,
    /// Why the last attempt to reload it failed (the old code keeps serving).
    pub last_reload_error: Option<String>,
}

/// Shared by every handler; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    /// Replaced whole by a config reload; a call in flight keeps the engine it started with.
    engine: RwLock<Engine>,
    backend: Arc<dyn Backend>,
    host: Host,
    token: Arc<str>,
    metrics: Metrics,
    plugins: RwLock<Vec<PluginStatus>>,
    defaults: SharedDefaults,
    config: Mutex<ConfigStatus>,
    stopping: AtomicBool,
    /// Cancelled at shutdown: running syncs stop at their next page boundary.
    stop: CancellationToken,
    running: Mutex<HashMap<String, JoinHandle<()>>>,
}

/// Each plugin the engine's integrations use, once.
fn plugin_statuses(engine: &Engine) -> Vec<PluginStatus> {
    engine
        .integrations()
        .iter()
        .fold(Vec::<PluginStatus>::new(), |mut all, i| {
            if !all.iter().any(|p| p.id == i.plugin.id) {
                all.push(PluginStatus {
                    id: i.plugin.id.clone(),
                    version: i.plugin.version.clone(),
                    file: match &i.config.plugin {
                        intake_engine::config::PluginRef::File(path) => {
                            Some(path.display().to_string())
                        }
                        intake_engine::config::PluginRef::Id(_) => None,
                    },
                    last_reload_error: None,
                });
            }
            all
        })
}

/// Each integration's import defaults, by id.
fn defaults_of(engine: &Engine) -> HashMap<String, intake_engine::config::ImportDefaults> {
    engine
        .config()
        .integrations
        .iter()
        .map(|i| (i.id.clone(), i.defaults.clone()))
        .collect()
}

impl AppState {
    /// The state of a service over `engine` (whose store is `backend`).
    pub fn new(engine: Engine, backend: Arc<dyn Backend>, host: Host, token: Arc<str>) -> Self {
        AppState {
            inner: Arc::new(Inner {
                plugins: RwLock::new(plugin_statuses(&engine)),
                defaults: Arc::new(RwLock::new(defaults_of(&engine))),
                config: Mutex::new(ConfigStatus::loaded(engine.config())),
                engine: RwLock::new(engine),
                backend,
                host,
                token,
                metrics: Metrics::new(),
                stopping: AtomicBool::new(false),
                stop: CancellationToken::new(),
                running: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The engine as now configured (cheap: clones share everything).
    pub fn engine(&self) -> Engine {
        match self.inner.engine.read() {
            Ok(engine) => engine.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Serve `engine` from now on (a reloaded config): new calls, syncs and webhook
    /// deliveries use it; those in flight finish on the one they started with. The plugin
    /// list and the queue page's import defaults follow it.
    pub fn replace_engine(&self, engine: Engine) {
        let (plugins, defaults) = (plugin_statuses(&engine), defaults_of(&engine));
        match self.inner.engine.write() {
            Ok(mut current) => *current = engine,
            Err(poisoned) => *poisoned.into_inner() = engine,
        }
        if let Ok(mut current) = self.inner.plugins.write() {
            // A failed reload of a plugin still running is still worth showing.
            let kept = |p: &PluginStatus| {
                current
                    .iter()
                    .find(|c| c.id == p.id && c.version == p.version)
                    .and_then(|c| c.last_reload_error.clone())
            };
            *current = plugins
                .into_iter()
                .map(|p| PluginStatus {
                    last_reload_error: kept(&p),
                    ..p
                })
                .collect();
        }
        if let Ok(mut current) = self.inner.defaults.write() {
            *current = defaults;
        }
    }

    /// The queue page's import defaults, kept current across reloads.
    pub fn defaults(&self) -> SharedDefaults {
        self.inner.defaults.clone()
    }

    /// What the service knows of its config file: `GET /api/config`.
    pub fn config_status(&self) -> ConfigStatus {
        match self.inner.config.lock() {
            Ok(status) => status.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Change what the service knows of its config file.
    pub fn update_config_status(&self, change: impl FnOnce(&mut ConfigStatus)) {
        match self.inner.config.lock() {
            Ok(mut status) => change(&mut status),
            Err(poisoned) => change(&mut poisoned.into_inner()),
        }
    }

    /// The store, with its queue and contacts.
    pub fn backend(&self) -> &Arc<dyn Backend> {
        &self.inner.backend
    }

    /// The host plugins run in.
    pub fn host(&self) -> &Host {
        &self.inner.host
    }

    /// The API token.
    pub fn token(&self) -> &str {
        &self.inner.token
    }

    /// The counters `/metrics` shows.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// The plugins' status.
    pub fn plugins(&self) -> Vec<PluginStatus> {
        self.inner
            .plugins
            .read()
            .map(|p| p.clone())
            .unwrap_or_default()
    }

    /// Replace one plugin's status (a reload succeeded or failed), or add it.
    pub fn set_plugin(&self, status: PluginStatus) {
        if let Ok(mut plugins) = self.inner.plugins.write() {
            match plugins.iter_mut().find(|p| p.id == status.id) {
                Some(p) => *p = status,
                None => plugins.push(status),
            }
        }
    }

    /// Record that `file` failed to (re)load: the plugin it held keeps serving. A file no
    /// plugin came from yet is listed under its path.
    pub fn reload_failed(&self, file: &str, error: &str) {
        if let Ok(mut plugins) = self.inner.plugins.write() {
            match plugins.iter_mut().find(|p| p.file.as_deref() == Some(file)) {
                Some(p) => p.last_reload_error = Some(error.to_string()),
                None => plugins.push(PluginStatus {
                    id: file.to_string(),
                    version: String::new(),
                    file: Some(file.to_string()),
                    last_reload_error: Some(error.to_string()),
                }),
            }
        }
    }

    /// Whether the service is stopping.
    pub fn is_stopping(&self) -> bool {
        self.inner.stopping.load(Ordering::SeqCst)
    }

    /// From now on, start nothing new.
    pub fn stop_taking_work(&self) {
        self.inner.stopping.store(true, Ordering::SeqCst);
    }

    /// Integrations syncing in this service now.
    pub fn running(&self) -> Vec<String> {
        self.inner
            .running
            .lock()
            .map(|r| r.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Start a sync of `integration` now, in the background. Refused while this service or
    /// another worker on the store syncs it (the store's claim tells), or while stopping.
    /// Asks the store synchronously (a short claim and release): from async code, call it
    /// inside `spawn_blocking` (a runtime context is needed to spawn the run).
    pub fn start_sync(&self, integration: &str) -> Result<RunStarted, SyncBusy> {
        if self.is_stopping() {
            return Err(SyncBusy::Stopping);
        }
        match self.engine().integration(integration) {
            Ok(i) if i.config.enabled => {}
            Ok(_) => {
                return Err(SyncBusy::Unavailable(format!(
                    "the integration `{integration}` is disabled"
                )));
            }
            Err(e) => return Err(SyncBusy::Unavailable(e.to_string())),
        }
        let mut running = self
            .inner
            .running
            .lock()
            .map_err(|_| SyncBusy::Store("the run table is poisoned".into()))?;
        if running.get(integration).is_some_and(|h| !h.is_finished()) {
            return Err(SyncBusy::Running(integration.to_string()));
        }
        // Ask the store before answering: another worker may hold the claim. Taken and let go
        // at once; the run claims it again (as this same worker) when it starts.
        let lease = Duration::from_secs(5);
        match self.backend().claim(integration, lease) {
            Ok(Claim::Busy { holder }) => {
                return Err(SyncBusy::OtherWorker {
                    integration: integration.to_string(),
                    holder,
                });
            }
            Ok(_) => {
                if let Err(e) = self.backend().release(integration) {
                    tracing::warn!(%integration, error = %e, "could not release the claim");
                }
            }
            Err(e) => return Err(SyncBusy::Store(e.to_string())),
        }
        let state = self.clone();
        let id = integration.to_string();
        let handle = tokio::spawn(async move {
            let reports = state.sync_now(&id).await;
            if let Ok(mut running) = state.inner.running.lock() {
                running.remove(&id);
            }
            drop(reports);
        });
        running.insert(integration.to_string(), handle);
        Ok(RunStarted {
            integration: integration.to_string(),
        })
    }

    async fn sync_now(&self, id: &str) -> Vec<IntegrationReport> {
        let options = SyncOptions {
            integration: Some(id.to_string()),
            since: None,
            stop: self.inner.stop.clone(),
        };
        // The engine as configured when the run starts, to its end.
        let engine = self.engine();
        let reports = engine.sync(&options, &NoProgress).await;
        for report in &reports {
            self.metrics().sync_finished(report);
        }
        let backend = self.backend().clone();
        let config = engine.config().clone();
        let for_queue = reports.clone();
        let queued = tokio::task::spawn_blocking(move || {
            intake_engine::queue::after_sync(backend.as_ref(), &config, &for_queue)
        })
        .await;
        match queued {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                tracing::warn!(integration = %id, error = %e, "could not queue the run's donations")
            }
            Err(e) => tracing::warn!(integration = %id, error = %e, "queue task failed"),
        }
        reports
    }

    /// Stop running syncs at their next page boundary: the page being committed is kept with
    /// its cursor, the run is recorded as interrupted, and the next start resumes after it.
    /// One that has not stopped within [`STOP_GRACE`] is dropped (its committed pages stay
    /// whole: each is one transaction). Their claims are let go for the next worker.
    pub async fn stop_syncs(&self) {
        self.inner.stop.cancel();
        let handles: Vec<(String, JoinHandle<()>)> = match self.inner.running.lock() {
            Ok(mut running) => running.drain().collect(),
            Err(_) => Vec::new(),
        };
        let deadline = tokio::time::Instant::now() + STOP_GRACE;
        for (id, mut handle) in handles {
            if tokio::time::timeout_at(deadline, &mut handle)
                .await
                .is_err()
            {
                tracing::warn!(integration = %id, "a sync did not stop in time; dropping it");
                handle.abort();
                let _ = handle.await;
            }
            let backend = self.backend().clone();
            let released = tokio::task::spawn_blocking(move || backend.release(&id)).await;
            if let Ok(Err(e)) = released {
                tracing::warn!(error = %e, "could not release a claim at shutdown");
            }
        }
    }
}
