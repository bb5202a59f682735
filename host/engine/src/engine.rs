//! The engine: the config's integrations made ready to run (plugins loaded, settings checked
//! against each plugin, secrets read), sharing one host and one store.

use std::collections::HashMap;
use std::sync::Arc;

use intake_host::types::PluginInfo;
use intake_host::{Host, Integration};

use crate::config::{Config, ConfigError, IntegrationConfig, PluginRef};
use crate::store::{Store, StoreError};

/// Why the engine could not start or run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The config is wrong (file, line and key named).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No integration has this id.
    #[error("no integration `{0}` in the config")]
    UnknownIntegration(String),
    /// The integration is switched off.
    #[error("the integration `{0}` is disabled (enabled = false)")]
    Disabled(String),
    /// A file could not be read.
    #[error("cannot read {path}: {message}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
}

/// One integration, ready to run: its config, its plugin's info, and the host-side
/// integration (settings, secrets, grants).
#[derive(Debug, Clone)]
pub struct PreparedIntegration {
    /// As configured.
    pub config: IntegrationConfig,
    /// What its plugin says it is.
    pub plugin: PluginInfo,
    /// What the host runs it with.
    pub integration: Integration,
}

/// The sync engine. Cheap to clone: clones share the host, the store and the integrations.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) host: Host,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) config: Config,
    pub(crate) integrations: Vec<PreparedIntegration>,
}

impl Engine {
    /// Load the config's plugins into `host`, check every integration against its plugin and
    /// read its secrets: everything that can be wrong in the config is found here, before any
    /// plugin call. Disabled integrations are checked too, except for their secrets.
    pub async fn start(
        host: Host,
        store: Arc<dyn Store>,
        config: Config,
    ) -> Result<Engine, EngineError> {
        let integrations = prepare(&host, &config).await?;
        Ok(Engine {
            inner: Arc::new(Inner {
                host,
                store,
                config,
                integrations,
            }),
        })
    }

    /// The host the engine runs plugins in.
    pub fn host(&self) -> &Host {
        &self.inner.host
    }

    /// The store it writes to.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.inner.store
    }

    /// The config it was started with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Every integration, enabled or not, in config order.
    pub fn integrations(&self) -> &[PreparedIntegration] {
        &self.inner.integrations
    }

    /// The integration with this id.
    pub fn integration(&self, id: &str) -> Result<&PreparedIntegration, EngineError> {
        self.inner
            .integrations
            .iter()
            .find(|i| i.config.id == id)
            .ok_or_else(|| EngineError::UnknownIntegration(id.to_string()))
    }
}

/// Load plugins and check each integration: the work of `intake config check`.
pub async fn prepare(
    host: &Host,
    config: &Config,
) -> Result<Vec<PreparedIntegration>, EngineError> {
    let mut by_id: HashMap<String, PluginInfo> = HashMap::new();
    let dir_wanted = config
        .integrations
        .iter()
        .any(|i| matches!(i.plugin, PluginRef::Id(_)));
    let mut load_errors: Vec<String> = Vec::new();
    if dir_wanted {
        match host.load_dir(&config.plugins_dir).await {
            Ok(loaded) => {
                for (path, result) in loaded {
                    match result {
                        Ok(info) => {
                            by_id.insert(info.id.clone(), info);
                        }
                        Err(e) => load_errors.push(format!("{}: {e}", path.display())),
                    }
                }
            }
            Err(e) => load_errors.push(format!(
                "cannot read the plugin directory {}: {e}",
                config.plugins_dir.display()
            )),
        }
    }
    // A plugin file shared by many integrations (one per committee) is loaded once.
    let mut by_file: HashMap<std::path::PathBuf, PluginInfo> = HashMap::new();
    let mut prepared = Vec::with_capacity(config.integrations.len());
    for integration in &config.integrations {
        let info = match &integration.plugin {
            PluginRef::Id(id) => by_id.get(id).cloned().ok_or_else(|| {
                let mut why = format!("no plugin `{id}` in {}", config.plugins_dir.display());
                if !load_errors.is_empty() {
                    why.push_str(&format!(
                        " (files that failed to load: {})",
                        load_errors.join("; ")
                    ));
                }
                config.missing_plugin(integration, &why)
            })?,
            PluginRef::File(path) => match by_file.get(path) {
                Some(info) => info.clone(),
                None => {
                    let info = host
                        .load_file(path)
                        .await
                        .map_err(|e| config.missing_plugin(integration, &e.to_string()))?;
                    by_file.insert(path.clone(), info.clone());
                    info
                }
            },
        };
        config.check_plugin(integration, &info)?;
        let secrets = if integration.enabled {
            config.resolve_secrets(integration)?
        } else {
            Vec::new()
        };
        let mut host_integration = Integration::new(info.id.clone());
        for (key, value) in &integration.settings {
            host_integration = host_integration.setting(key, value);
        }
        for (key, value) in secrets {
            host_integration = host_integration.secret(key, value);
        }
        for origin in &integration.granted_origins {
            host_integration = host_integration.grant_origin(origin);
        }
        for (key, origin) in &integration.secret_routes {
            host_integration = host_integration.route_secret(key, origin);
        }
        prepared.push(PreparedIntegration {
            config: integration.clone(),
            plugin: info,
            integration: host_integration,
        });
    }
    Ok(prepared)
}
