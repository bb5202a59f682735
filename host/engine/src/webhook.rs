//! Webhook deliveries: the plugin verifies and reads one (`parse-webhook`), and what it
//! returns is stored through the same keys as a sync page, so a donation that arrives by
//! webhook and again by the daily pull is stored once, a replayed or duplicate delivery
//! stores nothing new, and deliveries racing on several workers are stored once (the
//! store's upserts). Here, not in the service, so a CRM embedding the engine gets it too.

use intake_host::types::Capabilities;
use intake_host::{CallError, PluginError};
use serde::Serialize;

use crate::config::{Config, ImportMode};
use crate::engine::Engine;
use crate::matching::ContactMatcher;
use crate::queue::{AutoImport, ImportQueue, QueueError, auto_import_items};
use crate::store::{Batch, Counts, StoreError, Via};

/// What one delivery did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebhookOutcome {
    /// The integration it was for.
    pub integration: String,
    /// Donations (and refunds, chargebacks…) the event carried; 0 for events about
    /// something else, which are acknowledged all the same.
    pub entries: u64,
    /// What they did to the store: a replay is all `unchanged`.
    #[serde(flatten)]
    pub counts: Counts,
    /// The ids of the donations it carried, for the queue.
    #[serde(skip)]
    pub donation_ids: Vec<String>,
}

/// Why a delivery was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// No integration has this id.
    #[error("no integration `{0}` in the config")]
    UnknownIntegration(String),
    /// The integration is switched off: its webhooks are not taken.
    #[error("the integration `{0}` is disabled")]
    Disabled(String),
    /// Its plugin does not read webhooks.
    #[error("the integration `{0}` does not take webhooks (its plugin has no parse-webhook)")]
    NotOffered(String),
    /// The signature did not verify (or the delivery is stale: a replay outside the window).
    #[error("the delivery's signature did not verify: {0}")]
    BadSignature(String),
    /// The body is not an event the plugin can read.
    #[error("the delivery could not be read: {0}")]
    Unreadable(String),
    /// The plugin failed otherwise (trapped, timed out…): the processor should retry.
    #[error("the plugin failed: {0}")]
    Plugin(CallError),
    /// The store failed: the processor should retry.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Engine {
    /// Verify and read one delivery through the integration's plugin and store what it
    /// carries. The plugin call is bounded by the host's per-call deadline.
    pub async fn ingest_webhook(
        &self,
        integration_id: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<WebhookOutcome, WebhookError> {
        let integration = self
            .integration(integration_id)
            .map_err(|_| WebhookError::UnknownIntegration(integration_id.to_string()))?;
        if !integration.config.enabled {
            return Err(WebhookError::Disabled(integration_id.to_string()));
        }
        if !integration
            .plugin
            .capabilities
            .contains(Capabilities::WEBHOOK)
        {
            return Err(WebhookError::NotOffered(integration_id.to_string()));
        }
        let donations = self
            .host()
            .parse_webhook(&integration.integration, headers, body)
            .await
            .map_err(|e| match e {
                CallError::Plugin(PluginError::Auth(m)) => WebhookError::BadSignature(m),
                CallError::Plugin(PluginError::InvalidData(m)) => WebhookError::Unreadable(m),
                other => WebhookError::Plugin(other),
            })?;
        let entries = donations.len() as u64;
        let donation_ids = donations.iter().map(|d| d.id.clone()).collect();
        let counts = if donations.is_empty() {
            Counts::default()
        } else {
            let store = self.store().clone();
            let id = integration_id.to_string();
            tokio::task::spawn_blocking(move || {
                store.store_batch(
                    &id,
                    Batch {
                        donations: &donations,
                        ..Batch::default()
                    },
                    Via::Webhook,
                )
            })
            .await
            .map_err(|e| StoreError::Database(format!("store task failed: {e}")))??
        };
        Ok(WebhookOutcome {
            integration: integration_id.to_string(),
            entries,
            counts,
            donation_ids,
        })
    }
}

/// What a delivery put into the import queue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryQueued {
    /// Items it added to the queue (a donation already queued is not added again).
    pub queued: u64,
    /// What an automatic import did with them (`import = "auto"` only).
    pub auto: Option<AutoImport>,
}

/// After a delivery stored something new: its donations into the import queue, and
/// approved at once for an integration with `import = "auto"`. Only the delivery's own, and
/// nothing counted over the whole queue: a delivery costs the same whatever the store holds.
pub fn queue_delivery<S>(
    store: &S,
    config: &Config,
    outcome: &WebhookOutcome,
) -> Result<DeliveryQueued, QueueError>
where
    S: ImportQueue + ContactMatcher + ?Sized,
{
    let added = store.enqueue(&outcome.integration, &outcome.donation_ids)?;
    let auto = match config.integration(&outcome.integration) {
        Some(i) if i.import == ImportMode::Auto => Some(auto_import_items(store, i, &added)?),
        _ => None,
    };
    Ok(DeliveryQueued {
        queued: added.len() as u64,
        auto,
    })
}
