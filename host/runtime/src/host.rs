//! The public face of the runtime: load plugins, then call them for an integration.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use crate::bindings::intake::plugin::types::{
    Account, Donation, FileImport, Money, Page, PayoutPage, Person, PluginInfo, Window,
};
use crate::config::HostConfig;
use crate::error::{CallError, LoadError};
use crate::integration::Integration;
use crate::load::{self, LoadedPlugin};
use crate::normalize;
use crate::origin::Origin;
use crate::policy::NetPolicy;
use crate::runtime::{Grants, Runtime};

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
    pub fn new(config: HostConfig) -> anyhow::Result<Host> {
        let runtime = Runtime::new(&config)?;
        let allowed_origins = match &config.allowed_origins {
            None => None,
            Some(list) => Some(
                list.iter()
                    .map(|o| Origin::parse(o).map_err(|e| anyhow::anyhow!("allowed origin: {e}")))
                    .collect::<anyhow::Result<HashSet<Origin>>>()?,
            ),
        };
        let plugins = RwLock::new(HashMap::new());
        Ok(Host {
            inner: Arc::new(Inner {
                runtime,
                allowed_origins,
                plugins,
            }),
        })
    }

    /// Load (or replace) the plugin in `path`. Returns what it says it is.
    pub async fn load_file(&self, path: impl AsRef<Path>) -> Result<PluginInfo, LoadError> {
        let path = path.as_ref().to_path_buf();
        let bytes = tokio::fs::read(&path)
            .await
            .map_err(|source| LoadError::Read {
                path: path.clone(),
                source,
            })?;
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
        let loaded = load::describe(&self.inner.runtime, path, pre).await?;
        let info = loaded.info.clone();
        let previous = self
            .inner
            .plugins
            .write()
            .unwrap()
            .insert(info.id.clone(), Arc::new(loaded));
        match previous {
            Some(old) => {
                tracing::info!(plugin = %info.id, version = %info.version, replaced = %old.info.version, "plugin replaced")
            }
            None => tracing::info!(plugin = %info.id, version = %info.version, "plugin loaded"),
        }
        Ok(info)
    }

    /// Load every `*.wasm` in `dir`, each on its own: one bad file does not stop the rest.
    pub async fn load_dir(
        &self,
        dir: impl AsRef<Path>,
    ) -> std::io::Result<Vec<(PathBuf, Result<PluginInfo, LoadError>)>> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|ext| ext == "wasm"))
            .collect();
        paths.sort();
        let mut loaded = Vec::with_capacity(paths.len());
        for path in paths {
            let result = self.load_file(&path).await;
            loaded.push((path, result));
        }
        Ok(loaded)
    }

    /// Unload a plugin; calls in flight finish. True if it was loaded.
    pub fn unload(&self, plugin_id: &str) -> bool {
        self.inner
            .plugins
            .write()
            .unwrap()
            .remove(plugin_id)
            .is_some()
    }

    /// What each loaded plugin says it is, by id.
    pub fn plugins(&self) -> Vec<PluginInfo> {
        let mut infos: Vec<PluginInfo> = self
            .inner
            .plugins
            .read()
            .unwrap()
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
            .unwrap()
            .get(plugin_id)
            .map(|p| p.path.clone())
    }

    /// Ask a loaded plugin for its `info` again, in a fresh sandbox: a health check that
    /// exercises the whole call path (new store, instantiate, call) without any network.
    pub async fn info(&self, plugin_id: &str) -> Result<PluginInfo, CallError> {
        let plugin = self.plugin(plugin_id)?;
        self.inner
            .runtime
            .run(
                &plugin.info.id,
                &plugin.pre,
                Grants::none(),
                async |p, s| p.intake_plugin_processor().call_info(s).await,
            )
            .await
    }

    /// Validate the integration's credentials; the account they open.
    pub async fn check(&self, integration: &Integration) -> Result<Account, CallError> {
        self.call(integration, async |p, s| {
            p.intake_plugin_processor()
                .call_check(s, &integration.settings)
                .await
        })
        .await
    }

    /// One page of donations received in `window`, after `cursor`.
    pub async fn fetch(
        &self,
        integration: &Integration,
        window: &Window,
        cursor: Option<&str>,
    ) -> Result<Page, CallError> {
        let mut page = self
            .call(integration, async |p, s| {
                p.intake_plugin_processor()
                    .call_fetch(s, &integration.settings, window, cursor)
                    .await
            })
            .await?;
        page.donations
            .iter_mut()
            .try_for_each(normalize::donation)?;
        page.fees.iter_mut().try_for_each(normalize::fee)?;
        Ok(page)
    }

    /// One page of payouts paid in `window`, after `cursor`.
    pub async fn fetch_payouts(
        &self,
        integration: &Integration,
        window: &Window,
        cursor: Option<&str>,
    ) -> Result<PayoutPage, CallError> {
        let mut page = self
            .call(integration, async |p, s| {
                p.intake_plugin_processor()
                    .call_fetch_payouts(s, &integration.settings, window, cursor)
                    .await
            })
            .await?;
        page.payouts.iter_mut().try_for_each(normalize::payout)?;
        Ok(page)
    }

    /// Verify and read one webhook delivery.
    pub async fn parse_webhook(
        &self,
        integration: &Integration,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<Vec<Donation>, CallError> {
        let mut donations = self
            .call(integration, async |p, s| {
                p.intake_plugin_processor()
                    .call_parse_webhook(s, &integration.settings, headers, body)
                    .await
            })
            .await?;
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
        let mut import = self
            .call(integration, async |p, s| {
                p.intake_plugin_processor()
                    .call_parse_export(s, &integration.settings, file_name, contents)
                    .await
            })
            .await?;
        import
            .donations
            .iter_mut()
            .try_for_each(normalize::donation)?;
        import.fees.iter_mut().try_for_each(normalize::fee)?;
        import.payouts.iter_mut().try_for_each(normalize::payout)?;
        Ok(import)
    }

    /// A donation page URL prefilled for `donor`.
    pub async fn donation_link(
        &self,
        integration: &Integration,
        page_url: &str,
        donor: &Person,
        amount: Option<&Money>,
    ) -> Result<String, CallError> {
        self.call(integration, async |p, s| {
            p.intake_plugin_processor()
                .call_donation_link(s, &integration.settings, page_url, donor, amount)
                .await
        })
        .await
    }

    /// Run one export for `integration` in a fresh sandbox; flatten the plugin's own error.
    async fn call<T>(
        &self,
        integration: &Integration,
        call: impl AsyncFnOnce(
            &crate::bindings::Plugin,
            &mut wasmtime::Store<crate::sandbox::CallState>,
        ) -> wasmtime::Result<Result<T, crate::PluginError>>,
    ) -> Result<T, CallError> {
        let plugin = self.plugin(&integration.plugin_id)?;
        if let Some((key, _)) = integration
            .settings
            .iter()
            .find(|(key, _)| plugin.secret_keys.contains(key))
        {
            return Err(CallError::Config(format!(
                "`{key}` is a secret: give it as a secret, not a plain setting, so the plugin never sees it"
            )));
        }
        let grants = Grants {
            policy: Arc::new(NetPolicy::new(
                &plugin.info,
                integration,
                self.inner.allowed_origins.as_ref(),
            )?),
            secrets: Arc::new(integration.secrets.clone()),
        };
        let result = self
            .inner
            .runtime
            .run(&plugin.info.id, &plugin.pre, grants, call)
            .await?;
        result.map_err(CallError::Plugin)
    }

    fn plugin(&self, plugin_id: &str) -> Result<Arc<LoadedPlugin>, CallError> {
        let plugins = self.inner.plugins.read().unwrap();
        plugins
            .get(plugin_id)
            .cloned()
            .ok_or_else(|| CallError::UnknownPlugin(plugin_id.to_string()))
    }
}
