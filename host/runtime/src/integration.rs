//! One committee's connection to one processor: which plugin, its settings, its secrets, and
//! what the operator allowed beyond what the plugin declared.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// A secret value. Never printed, never handed to a plugin.
#[derive(Clone)]
pub struct Secret(Arc<str>);

impl Secret {
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Counts the HTTP requests the calls of an integration send (each one the host lets out,
/// retries included). Clones share the count.
///
/// ```
/// use intake_host::{Integration, RequestMeter};
/// let meter = RequestMeter::default();
/// let stripe = Integration::new("stripe").count_requests(meter.clone());
/// // ... calls with `stripe` ...
/// assert_eq!(meter.count(), 0);
/// ```
#[derive(Debug, Clone, Default)]
pub struct RequestMeter(Arc<std::sync::atomic::AtomicU64>);

impl RequestMeter {
    /// Requests sent so far.
    pub fn count(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(crate) fn add_one(&self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Settings, secrets and grants for one call. Cheap to clone.
///
/// ```
/// use intake_host::Integration;
/// let stripe = Integration::new("stripe")
///     .setting("mode", "test")
///     .secret("test_secret_key", "sk_test_123");
/// ```
#[derive(Debug, Clone)]
pub struct Integration {
    pub(crate) plugin_id: String,
    pub(crate) settings: Vec<(String, String)>,
    pub(crate) secrets: HashMap<String, Secret>,
    pub(crate) granted_origins: Vec<String>,
    pub(crate) secret_routes: Vec<(String, String)>,
    pub(crate) meter: Option<RequestMeter>,
}

impl Integration {
    /// An integration run by the plugin whose `info().id` is `plugin_id`.
    pub fn new(plugin_id: impl Into<String>) -> Integration {
        Integration {
            plugin_id: plugin_id.into(),
            settings: Vec::new(),
            secrets: HashMap::new(),
            granted_origins: Vec::new(),
            secret_routes: Vec::new(),
            meter: None,
        }
    }

    /// Count every request this integration's calls send on `meter`.
    pub fn count_requests(mut self, meter: RequestMeter) -> Integration {
        self.meter = Some(meter);
        self
    }

    /// The id of the plugin that runs this integration.
    pub fn plugin_id(&self) -> &str {
        &self.plugin_id
    }

    /// A plain setting, passed to the plugin as is.
    pub fn setting(mut self, key: impl Into<String>, value: impl Into<String>) -> Integration {
        self.settings.push((key.into(), value.into()));
        self
    }

    /// A secret, kept by the host. The plugin can only refer to it by `key`.
    pub fn secret(mut self, key: impl Into<String>, value: impl Into<String>) -> Integration {
        self.secrets
            .insert(key.into(), Secret(Arc::from(value.into())));
        self
    }

    /// Let the plugin reach `origin` (e.g. a local emulator or a proxy) beyond the origins it
    /// declared.
    pub fn grant_origin(mut self, origin: impl Into<String>) -> Integration {
        self.granted_origins.push(origin.into());
        self
    }

    /// Let the secret `key` be sent to `origin`, beyond the origins its setting declares.
    pub fn route_secret(
        mut self,
        key: impl Into<String>,
        origin: impl Into<String>,
    ) -> Integration {
        self.secret_routes.push((key.into(), origin.into()));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::Integration;

    #[test]
    fn debug_never_prints_a_secret() {
        let i = Integration::new("stripe").secret("test_secret_key", "sk_test_very_secret");
        let shown = format!("{i:?}");
        assert!(shown.contains("test_secret_key"));
        assert!(!shown.contains("sk_test_very_secret"));
    }
}
