//! What a run tells the operator: one report per integration, and progress while it runs.

use std::time::Duration;

use intake_host::types::RowError;
use serde::Serialize;

use crate::store::{Counts, RunSummary};

/// How one integration's run went: what `intake sync --json` prints, one object per line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IntegrationReport {
    /// The integration's id.
    pub integration: String,
    /// "ok", "nothing to do", "needs attention" (credentials or settings), "failed",
    /// "interrupted" (another worker took it over), "busy" (another worker is syncing it).
    pub status: String,
    /// Why it stopped, in words, when it did.
    pub detail: Option<String>,
    /// Entries new, updated and unchanged.
    #[serde(flatten)]
    pub counts: Counts,
    /// Rows refused.
    pub rejected: u64,
    /// Pages committed.
    pub pages: u64,
    /// Plugin calls, retries included.
    pub calls: u64,
    /// HTTP requests sent to the processor.
    pub requests: u64,
    /// Wall time, milliseconds.
    pub duration_ms: u64,
}

impl IntegrationReport {
    pub(crate) fn from_summary(
        id: &str,
        summary: RunSummary,
        elapsed: Duration,
    ) -> IntegrationReport {
        IntegrationReport {
            integration: id.to_string(),
            status: summary.status,
            detail: summary.detail,
            counts: summary.counts,
            rejected: summary.rejected,
            pages: summary.pages,
            calls: summary.calls,
            requests: summary.requests,
            duration_ms: elapsed.as_millis().min(u64::MAX as u128) as u64,
        }
    }

    pub(crate) fn refused(id: &str, why: &dyn std::fmt::Display) -> IntegrationReport {
        IntegrationReport {
            integration: id.to_string(),
            status: "failed".into(),
            detail: Some(why.to_string()),
            counts: Counts::default(),
            rejected: 0,
            pages: 0,
            calls: 0,
            requests: 0,
            duration_ms: 0,
        }
    }

    /// Whether the run ended as it should ("ok" or "nothing to do").
    pub fn succeeded(&self) -> bool {
        self.status == "ok" || self.status == "nothing to do"
    }

    /// Whether the run went wrong: neither succeeded nor left to the worker already syncing
    /// it ("busy" is how several workers share a fleet, not a failure).
    pub fn failed(&self) -> bool {
        !self.succeeded() && self.status != "busy"
    }
}

/// What `intake import` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportReport {
    /// The integration imported into.
    pub integration: String,
    /// The file's name.
    pub file: String,
    /// Entries new, updated and unchanged.
    #[serde(flatten)]
    pub counts: Counts,
    /// Every row refused, with its line and why.
    pub rejected: Vec<RowError>,
}

/// Told about a sync as it runs: a progress bar on a terminal, logs elsewhere.
pub trait Progress {
    /// An integration's run began.
    fn started(&self, _integration: &str) {}
    /// A page was committed; `counts` and `pages` are the run's totals so far.
    fn page(&self, _integration: &str, _counts: &Counts, _pages: u64) {}
    /// An integration's run ended.
    fn finished(&self, _report: &IntegrationReport) {}
}

/// Progress that shows nothing.
pub struct NoProgress;

impl Progress for NoProgress {}
