//! The public face of the runtime: load plugins, then call them for an integration.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use crate::config::HostConfig;
use crate::error::{BuildError, CallError, LoadError};
use crate::integration::Integration;
use crate::load::{self, LoadedPlugin};
use crate::normalize;
use crate::origin::Origin;
use crate::policy::NetPolicy;
use crate::runtime::{Grants, Lane, Runtime};
use crate::sandbox::CallState;
use crate::settings_check;
use crate::types::{
    Account, Donation, FileImport, Money, Page, PayoutPage, Person, PluginError, PluginInfo, Window,
};
use crate::v0_1::{self, intake::plugin::types as wit};

/// The Intake host. Cheap to clone; every clone shares one engine and one plugin registry.
///
/// Each call runs in a fresh sandbox (a new wasmtime `Store`): nothing leaks between calls,
/// integrations or committees. Loading a plugin with an id already loaded replaces it
/// atomically: calls in flight finish on the old code, new calls get the new.
#[derive(Clone)]
pub struct Host {
    inner: Arc<Inner>,
}

struct Inner {
    runtime: Runtime,
    allowed_origins: Option<HashSet<Origin>>,
    plugins: RwLock<HashMap<String, Arc<LoadedPlugin>>>,
}

impl Host {
    /// Build a host: the engine, the linker and the epoch ticker. Calls need a tokio runtime;
    /// building does not.
    pub fn new(config: HostConfig) -> Result<Host, BuildError> {
        let runtime = Runtime::new(&config).map_err(|e| BuildError::Engine(format!("{e:#}")))?;
        let allowed_origins = match &config.allowed_origins {
            None => None,
            Some(list) => Some(
                list.iter()
                    .map(|o| {
                        Origin::parse_bare(o).map_err(|reason| BuildError::AllowedOrigin {
                            origin: o.clone(),
                            reason,
                        })
                    })
                    .collect::<Result<HashSet<Origin>, BuildError>>()?,
            ),
        };
        Ok(Host {
            inner: Arc::new(Inner {
                runtime,
                allowed_origins,
                plugins: RwLock::new(HashMap::new()),
            }),
        })
    }

    /// Load (or replace: hot reload) the plugin in `path`. Returns what it says it is.
    pub async fn load_file(&self, path: impl AsRef<Path>) -> Result<PluginInfo, LoadError> {
        let loaded = self.prepare_file(path.as_ref().to_path_buf()).await?;
        Ok(self.register(loaded))
    }

    /// Load (or replace) a plugin from bytes already in memory; `name` stands for its path in
    /// errors and in [`Host::plugin_path`].
    pub async fn load_bytes(
        &self,
        name: impl Into<String>,
        bytes: Vec<u8>,
    ) -> Result<PluginInfo, LoadError> {
        let loaded = self.prepare(PathBuf::from(name.into()), bytes).await?;
        Ok(self.register(loaded))
    }

    /// Load every `*.wasm` in `dir`, in parallel, each on its own: one bad file does not stop
    /// the rest. Two files claiming one id: the later (by file name) is refused with
    /// [`LoadError::DuplicateId`], so a rogue file cannot shadow a plugin.
    pub async fn load_dir(
        &self,
        dir: impl AsRef<Path>,
    ) -> std::io::Result<Vec<(PathBuf, Result<PluginInfo, LoadError>)>> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|ext| ext == "wasm"))
            .collect();
        paths.sort();
        let mut tasks = tokio::task::JoinSet::new();
        for (index, path) in paths.iter().cloned().enumerate() {
            let host = self.clone();
            tasks.spawn(async move { (index, host.prepare_file(path).await) });
        }
        let mut prepared: Vec<Option<Result<LoadedPlugin, LoadError>>> =
            paths.iter().map(|_| None).collect();
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok((index, result)) => {
                    if let Some(slot) = prepared.get_mut(index) {
                        *slot = Some(result);
                    }
                }
                Err(e) => tracing::error!(error = %e, "a plugin load task failed"),
            }
        }
        let mut claimed: HashMap<String, PathBuf> = HashMap::new();
        let mut results = Vec::with_capacity(paths.len());
        for (path, result) in paths.into_iter().zip(prepared) {
            let result = match result {
                None => Err(LoadError::Invalid {
                    path: path.clone(),
                    reason: "loading stopped".into(),
                }),
                Some(Err(e)) => Err(e),
                Some(Ok(loaded)) => match claimed.get(&loaded.info.id) {
                    Some(first) => Err(LoadError::DuplicateId {
                        path: path.clone(),
                        id: loaded.info.id.clone(),
                        first: first.clone(),
                    }),
                    None => {
                        claimed.insert(loaded.info.id.clone(), path.clone());
                        Ok(self.register(loaded))
                    }
                },
            };
            results.push((path, result));
        }
        Ok(results)
    }

    async fn prepare_file(&self, path: PathBuf) -> Result<LoadedPlugin, LoadError> {
        let bytes = tokio::fs::read(&path)
            .await
            .map_err(|source| LoadError::Read {
                path: path.clone(),
                source,
            })?;
        self.prepare(path, bytes).await
    }

    /// Compile (off the async threads), link, and describe; nothing registered yet.
    async fn prepare(&self, path: PathBuf, bytes: Vec<u8>) -> Result<LoadedPlugin, LoadError> {
        let inner = self.inner.clone();
        let compile_path = path.clone();
        let pre = tokio::task::spawn_blocking(move || {
            load::compile(&inner.runtime, &compile_path, &bytes)
        })
        .await
        .map_err(|e| LoadError::Invalid {
            path: path.clone(),
            reason: format!("compilation stopped: {e}"),
        })??;
        load::describe(&self.inner.runtime, path, pre).await
    }

    fn register(&self, loaded: LoadedPlugin) -> PluginInfo {
        let info = loaded.info.clone();
        let previous = self
            .inner
            .plugins
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(info.id.clone(), Arc::new(loaded));
        match previous {
            Some(old) => {
                tracing::info!(plugin = %info.id, version = %info.version, replaced = %old.info.version, "plugin replaced")
            }
            None => tracing::info!(plugin = %info.id, version = %info.version, "plugin loaded"),
        }
        info
    }

    /// Unload a plugin; calls in flight finish. True if it was loaded.
    pub fn unload(&self, plugin_id: &str) -> bool {
        self.inner
            .plugins
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(plugin_id)
            .is_some()
    }

    /// What each loaded plugin says it is, by id.
    pub fn plugins(&self) -> Vec<PluginInfo> {
        let mut infos: Vec<PluginInfo> = self
            .inner
            .plugins
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .map(|p| p.info.clone())
            .collect();
        infos.sort_by(|a, b| a.id.cmp(&b.id));
        infos
    }

    /// The file a loaded plugin came from.
    pub fn plugin_path(&self, plugin_id: &str) -> Option<PathBuf> {
        self.inner
            .plugins
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(plugin_id)
            .map(|p| p.path.clone())
    }

    /// Ask a loaded plugin for its `info` again, in a fresh sandbox: a health check that
    /// exercises the whole call path (new store, instantiate, call) without any network.
    pub async fn info(&self, plugin_id: &str) -> Result<PluginInfo, CallError> {
        let plugin = self.plugin(plugin_id)?;
        let info = self
            .inner
            .runtime
            .run(
                Lane::Call(&plugin.info.id),
                &plugin.pre,
                Grants::none(),
                "info",
                async |p, s| p.intake_plugin_processor().call_info(s).await,
            )
            .await?;
        Ok(info.into())
    }

    /// Validate the integration's credentials; the account they open.
    pub async fn check(&self, integration: &Integration) -> Result<Account, CallError> {
        let account = self
            .call(integration, "check", async |p, s| {
                p.intake_plugin_processor()
                    .call_check(s, &integration.settings)
                    .await
            })
            .await?;
        Ok(account.into())
    }

    /// One page of donations received in `window`, after `cursor`.
    pub async fn fetch(
        &self,
        integration: &Integration,
        window: &Window,
        cursor: Option<&str>,
    ) -> Result<Page, CallError> {
        let window = wit::Window::from(window.clone());
        let page = self
            .call(integration, "fetch", async |p, s| {
                p.intake_plugin_processor()
                    .call_fetch(s, &integration.settings, &window, cursor)
                    .await
            })
            .await?;
        normalize::page(page.into())
    }

    /// One page of payouts paid in `window`, after `cursor`.
    pub async fn fetch_payouts(
        &self,
        integration: &Integration,
        window: &Window,
        cursor: Option<&str>,
    ) -> Result<PayoutPage, CallError> {
        let window = wit::Window::from(window.clone());
        let page = self
            .call(integration, "fetch-payouts", async |p, s| {
                p.intake_plugin_processor()
                    .call_fetch_payouts(s, &integration.settings, &window, cursor)
                    .await
            })
            .await?;
        normalize::payout_page(page.into())
    }

    /// Verify and read one webhook delivery.
    pub async fn parse_webhook(
        &self,
        integration: &Integration,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<Vec<Donation>, CallError> {
        let donations = self
            .call(integration, "parse-webhook", async |p, s| {
                p.intake_plugin_processor()
                    .call_parse_webhook(s, &integration.settings, headers, body)
                    .await
            })
            .await?;
        let mut donations: Vec<Donation> = donations.into_iter().map(Into::into).collect();
        donations.iter_mut().try_for_each(normalize::donation)?;
        Ok(donations)
    }

    /// Read an export file (CSV quick import).
    pub async fn parse_export(
        &self,
        integration: &Integration,
        file_name: &str,
        contents: &[u8],
    ) -> Result<FileImport, CallError> {
        let import = self
            .call(integration, "parse-export", async |p, s| {
                p.intake_plugin_processor()
                    .call_parse_export(s, &integration.settings, file_name, contents)
                    .await
            })
            .await?;
        normalize::file_import(import.into())
    }

    /// A donation page URL prefilled for `donor`.
    pub async fn donation_link(
        &self,
        integration: &Integration,
        page_url: &str,
        donor: &Person,
        amount: Option<&Money>,
    ) -> Result<String, CallError> {
        let donor = wit::Person::from(donor.clone());
        let amount = amount.cloned().map(wit::Money::from);
        self.call(integration, "donation-link", async |p, s| {
            p.intake_plugin_processor()
                .call_donation_link(s, &integration.settings, page_url, &donor, amount.as_ref())
                .await
        })
        .await
    }

    /// Run one export for `integration` in a fresh sandbox; flatten the plugin's own error.
    async fn call<T>(
        &self,
        integration: &Integration,
        export: &'static str,
        call: impl AsyncFnOnce(
            &v0_1::Plugin,
            &mut wasmtime::Store<CallState>,
        ) -> wasmtime::Result<Result<T, wit::Error>>,
    ) -> Result<T, CallError> {
        let plugin = self.plugin(&integration.plugin_id)?;
        // Before the plugin runs: an unknown key, a value outside its choices, a secret given
        // as a setting or a required one missing is the operator's to fix, named here.
        settings_check::check_settings(
            &plugin.info,
            &integration.settings,
            integration.secrets.keys().map(String::as_str),
        )
        .map_err(|problem| CallError::Config(problem.to_string()))?;
        let grants = Grants {
            policy: Arc::new(NetPolicy::new(
                &plugin.info,
                integration,
                self.inner.allowed_origins.as_ref(),
            )?),
            secrets: Arc::new(integration.secrets.clone()),
            meter: integration.meter.clone(),
        };
        let result = self
            .inner
            .runtime
            .run(
                Lane::Call(&plugin.info.id),
                &plugin.pre,
                grants,
                export,
                call,
            )
            .await?;
        result.map_err(|e| CallError::Plugin(normalize::plugin_error(PluginError::from(e))))
    }

    fn plugin(&self, plugin_id: &str) -> Result<Arc<LoadedPlugin>, CallError> {
        let plugins = self.inner.plugins.read().unwrap_or_else(|e| e.into_inner());
        plugins
            .get(plugin_id)
            .cloned()
            .ok_or_else(|| CallError::UnknownPlugin(plugin_id.to_string()))
    }
}
