//! `GET /metrics`: Prometheus text, from `prometheus-client`.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use intake_engine::IntegrationReport;
use intake_engine::store::Counts;
use intake_host::CallError;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use super::state::AppState;

type Labels = Vec<(String, String)>;
type Latency = Family<Labels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 0.5 ms to ~16 s: a webhook's verify + parse up to a slow sync page.
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The service's counters and histograms.
pub struct Metrics {
    registry: Registry,
    syncs: Family<Labels, Counter>,
    entries: Family<Labels, Counter>,
    webhooks: Family<Labels, Counter>,
    plugin_calls: Latency,
    sandbox_errors: Family<Labels, Counter>,
    config_reloads: Family<Labels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Every metric, registered at zero.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("intake");
        let syncs = Family::<Labels, Counter>::default();
        registry.register(
            "syncs",
            "Integration syncs finished, by integration and outcome",
            syncs.clone(),
        );
        let entries = Family::<Labels, Counter>::default();
        registry.register(
            "entries_stored",
            "Entries written to the store, by integration, how they came (sync, webhook) and what they did (new, updated)",
            entries.clone(),
        );
        let webhooks = Family::<Labels, Counter>::default();
        registry.register(
            "webhook_deliveries",
            "Webhook deliveries, by integration and outcome (stored, bad_signature, unreadable, unknown, failed)",
            webhooks.clone(),
        );
        let plugin_calls: Latency = Family::new_with_constructor(latency_histogram);
        registry.register(
            "plugin_call_seconds",
            "Plugin call latency, by plugin and export (parse-webhook per call; sync per integration run)",
            plugin_calls.clone(),
        );
        let sandbox_errors = Family::<Labels, Counter>::default();
        registry.register(
            "sandbox_errors",
            "Plugin calls the sandbox stopped or refused, by plugin and kind",
            sandbox_errors.clone(),
        );
        let config_reloads = Family::<Labels, Counter>::default();
        registry.register(
            "config_reloads",
            "Config reloads (SIGHUP, file changed), by outcome (applied, failed)",
            config_reloads.clone(),
        );
        Metrics {
            config_reloads,
            registry,
            syncs,
            entries,
            webhooks,
            plugin_calls,
            sandbox_errors,
        }
    }

    /// A config reload was applied or failed.
    pub fn config_reload(&self, outcome: &str) {
        self.config_reloads
            .get_or_create(&labels(&[("outcome", outcome)]))
            .inc();
    }

    /// A sync run ended.
    pub fn sync_finished(&self, report: &IntegrationReport) {
        self.syncs
            .get_or_create(&labels(&[
                ("integration", &report.integration),
                ("outcome", &report.status),
            ]))
            .inc();
        self.stored(&report.integration, "sync", &report.counts);
    }

    /// Entries stored.
    pub fn stored(&self, integration: &str, via: &str, counts: &Counts) {
        for (change, n) in [("new", counts.new), ("updated", counts.updated)] {
            if n > 0 {
                self.entries
                    .get_or_create(&labels(&[
                        ("integration", integration),
                        ("via", via),
                        ("change", change),
                    ]))
                    .inc_by(n);
            }
        }
    }

    /// A webhook delivery was answered.
    pub fn webhook(&self, integration: &str, outcome: &str) {
        self.webhooks
            .get_or_create(&labels(&[
                ("integration", integration),
                ("outcome", outcome),
            ]))
            .inc();
    }

    /// A plugin call took `seconds`.
    pub fn plugin_call(&self, plugin: &str, export: &str, seconds: f64) {
        self.plugin_calls
            .get_or_create(&labels(&[("plugin", plugin), ("export", export)]))
            .observe(seconds);
    }

    /// A plugin call the sandbox stopped: counted by kind.
    pub fn call_failed(&self, plugin: &str, error: &CallError) {
        let kind = match error {
            CallError::Timeout(_) => "timeout",
            CallError::Busy(_) => "busy",
            CallError::MemoryLimit(_) => "memory_limit",
            CallError::TransferLimit(_) => "transfer_limit",
            CallError::Crashed(_) => "crashed",
            CallError::InvalidOutput(_) => "invalid_output",
            _ => return, // the plugin's own errors are not the sandbox's
        };
        self.sandbox_errors
            .get_or_create(&labels(&[("plugin", plugin), ("kind", kind)]))
            .inc();
    }

    /// The text exposition.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// `GET /metrics`.
pub async fn render(State(state): State<AppState>) -> Response {
    match state.metrics().encode() {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "cannot encode metrics").into_response(),
    }
}
