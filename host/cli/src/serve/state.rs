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

use super::metrics::Metrics;

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
    engine: Engine,
    backend: Arc<dyn Backend>,
    host: Host,
    token: Arc<str>,
    metrics: Metrics,
    plugins: RwLock<Vec<PluginStatus>>,
    stopping: AtomicBool,
    running: Mutex<HashMap<String, JoinHandle<()>>>,
}

impl AppState {
    /// The state of a service over `engine` (whose store is `backend`).
    pub fn new(engine: Engine, backend: Arc<dyn Backend>, host: Host, token: Arc<str>) -> Self {
        let plugins =
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
                });
        AppState {
            inner: Arc::new(Inner {
                engine,
                backend,
                host,
                token,
                metrics: Metrics::new(),
                plugins: RwLock::new(plugins),
                stopping: AtomicBool::new(false),
                running: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
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
        };
        let reports = self.engine().sync(&options, &NoProgress).await;
        for report in &reports {
            self.metrics().sync_finished(report);
        }
        let backend = self.backend().clone();
        let config = self.engine().config().clone();
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

    /// Stop running syncs: each is dropped at its next await, so the page being committed
    /// (its own transaction, in a blocking task that runs to its end) is kept with its
    /// cursor and the next start resumes after it. Their claims are let go for the next
    /// worker.
    pub async fn stop_syncs(&self) {
        let handles: Vec<(String, JoinHandle<()>)> = match self.inner.running.lock() {
            Ok(mut running) => running.drain().collect(),
            Err(_) => Vec::new(),
        };
        for (id, handle) in handles {
            handle.abort();
            let _ = handle.await;
            let backend = self.backend().clone();
            let released = tokio::task::spawn_blocking(move || backend.release(&id)).await;
            if let Ok(Err(e)) = released {
                tracing::warn!(error = %e, "could not release a claim at shutdown");
            }
        }
    }
}
