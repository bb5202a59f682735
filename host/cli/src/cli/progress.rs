//! A progress bar per integration on a terminal; `tracing` lines otherwise.

use std::collections::HashMap;
use std::sync::Mutex;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use intake_engine::store::Counts;
use intake_engine::{IntegrationReport, Progress};

/// Shows a sync as it runs.
pub(super) struct SyncProgress {
    bars: Option<MultiProgress>,
    by_integration: Mutex<HashMap<String, ProgressBar>>,
}

impl SyncProgress {
    pub(super) fn new(show_bars: bool) -> SyncProgress {
        SyncProgress {
            bars: show_bars.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())),
            by_integration: Mutex::new(HashMap::new()),
        }
    }

    pub(super) fn clear(&self) {
        if let Some(bars) = &self.bars {
            let _ = bars.clear();
        }
    }

    fn bar(&self, integration: &str) -> Option<ProgressBar> {
        let bars = self.bars.as_ref()?;
        let mut map = self
            .by_integration
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        Some(
            map.entry(integration.to_string())
                .or_insert_with(|| {
                    let bar = bars.add(ProgressBar::new_spinner());
                    bar.set_style(
                        ProgressStyle::with_template("{spinner} {prefix:<24} {msg}")
                            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    );
                    bar.set_prefix(integration.to_string());
                    bar
                })
                .clone(),
        )
    }
}

impl Progress for SyncProgress {
    fn started(&self, integration: &str) {
        match self.bar(integration) {
            Some(bar) => bar.set_message("starting"),
            None => tracing::info!(integration, "sync started"),
        }
    }

    fn page(&self, integration: &str, counts: &Counts, pages: u64) {
        let message = format!(
            "{pages} pages: {} new, {} updated, {} unchanged",
            counts.new, counts.updated, counts.unchanged
        );
        match self.bar(integration) {
            Some(bar) => {
                bar.set_message(message);
                bar.tick();
            }
            None => tracing::info!(integration, "{message}"),
        }
    }

    fn finished(&self, report: &IntegrationReport) {
        match self.bar(&report.integration) {
            Some(bar) => bar.finish_with_message(report.status.clone()),
            None => {
                tracing::info!(integration = %report.integration, status = %report.status, new = report.counts.new, "sync finished")
            }
        }
    }
}
