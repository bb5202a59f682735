//! Where one call may send requests and secrets: the plugin's declarations, plus what the
//! operator granted for this integration, and nothing else.

use std::collections::{HashMap, HashSet};

use crate::bindings::intake::plugin::types::PluginInfo;
use crate::error::CallError;
use crate::integration::Integration;
use crate::origin::Origin;

#[derive(Debug, Default)]
pub(crate) struct NetPolicy {
    reachable: HashSet<Origin>,
    /// The operator's grants: reached wherever they point, loopback and private included.
    granted: HashSet<Origin>,
    secret_origins: HashMap<String, HashSet<Origin>>,
}

impl NetPolicy {
    /// The plugin's declared origins that the operator allows (all, when `operator_allowed`
    /// is None), its secret destinations (validated at load), plus the integration's grants.
    pub(crate) fn new(
        info: &PluginInfo,
        integration: &Integration,
        operator_allowed: Option<&HashSet<Origin>>,
    ) -> Result<NetPolicy, CallError> {
        let mut policy = NetPolicy::default();
        for origin in &info.outbound {
            let origin = Origin::parse(origin).map_err(CallError::Config)?;
            match operator_allowed {
                // Declared and nothing more: the public internet only.
                None => {
                    policy.reachable.insert(origin);
                }
                // On the operator's allowlist: approved by the operator, as a grant is.
                Some(allowed) if allowed.contains(&origin) => {
                    policy.reachable.insert(origin.clone());
                    policy.granted.insert(origin);
                }
                Some(_) => {}
            }
        }
        for setting in info.settings.iter().filter(|s| s.secret) {
            let allowed = policy
                .secret_origins
                .entry(setting.key.clone())
                .or_default();
            for origin in &setting.sent_to {
                allowed.insert(Origin::parse(origin).map_err(CallError::Config)?);
            }
        }
        for origin in &integration.granted_origins {
            let origin = Origin::parse(origin)
                .map_err(|e| CallError::Config(format!("granted origin: {e}")))?;
            policy.reachable.insert(origin.clone());
            policy.granted.insert(origin);
        }
        for (key, origin) in &integration.secret_routes {
            let origin = Origin::parse(origin)
                .map_err(|e| CallError::Config(format!("route for secret `{key}`: {e}")))?;
            policy
                .secret_origins
                .entry(key.clone())
                .or_default()
                .insert(origin);
        }
        Ok(policy)
    }

    pub(crate) fn may_reach(&self, origin: &Origin) -> bool {
        self.reachable.contains(origin)
    }

    /// Whether the operator granted `origin` (rather than the plugin only declaring it).
    pub(crate) fn is_granted(&self, origin: &Origin) -> bool {
        self.granted.contains(origin)
    }

    pub(crate) fn may_send_secret(&self, key: &str, origin: &Origin) -> bool {
        self.secret_origins
            .get(key)
            .is_some_and(|allowed| allowed.contains(origin))
    }
}
