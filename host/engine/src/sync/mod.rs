//! Syncing: each enabled integration's `fetch` pages, then its `fetch-payouts` pages, each
//! page committed with its cursor; integrations in parallel (bounded), each one in order.

mod fleet;
mod report;
mod retry;
mod second_look;
mod window;

use std::sync::Arc;
use std::time::{Duration, Instant};

use intake_host::types::{Capabilities, Window};
use intake_host::{CallError, PluginError, RequestMeter};
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

pub use report::{ImportReport, IntegrationReport, NoProgress, Progress};

use crate::engine::{Engine, EngineError, PreparedIntegration};
use crate::store::{Batch, Claim, Counts, RunSummary, Store, StoreError, Stream, Via};
use window::Plan;

/// What `sync` runs.
#[derive(Debug, Clone, Default)]
pub struct SyncOptions {
    /// Only this integration (it must be enabled).
    pub integration: Option<String>,
    /// Start a new window here (RFC 3339 or YYYY-MM-DD) instead of where the last run ended.
    pub since: Option<String>,
    /// Cancelled to stop: each running integration stops at its next page boundary (the
    /// committed pages and their cursor are kept, the run is recorded as interrupted, the
    /// next run resumes there) and none starts after. Never cancelled by default.
    pub stop: CancellationToken,
}

/// Why one integration's run stopped early.
enum Stop {
    Call(CallError),
    Store(StoreError),
    /// [`SyncOptions::stop`] was cancelled.
    Asked,
}

/// The detail of an integration another worker synced to the end during this pass.
const SYNCED_ELSEWHERE: &str = "another worker synced it during this run";

/// The detail of a run stopped by [`SyncOptions::stop`].
const STOPPED: &str = "stopped before the end (the worker is shutting down); the next run resumes from the last committed page";

/// Run `f` on the store off the async threads.
async fn blocking<T: Send + 'static>(
    store: &Arc<dyn Store>,
    f: impl FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(store.as_ref()))
        .await
        .map_err(|e| StoreError::Database(format!("store task failed: {e}")))?
}

/// Renew a claim at a third of its time until aborted. A renewal that fails is only logged:
/// the store refuses this worker's next commit once another holds the claim.
async fn renew_claim(store: Arc<dyn Store>, integration: String, ttl: std::time::Duration) {
    let mut every = tokio::time::interval(ttl / 3);
    every.tick().await; // the first tick is now: the claim was just taken
    loop {
        every.tick().await;
        let id = integration.clone();
        match blocking(&store, move |s| s.claim(&id, ttl)).await {
            Ok(Claim::Held | Claim::TakenOver { .. }) => {}
            Ok(Claim::Busy { holder }) => {
                tracing::warn!(%integration, %holder, "another worker took over the claim");
                return;
            }
            Err(e) => tracing::warn!(%integration, error = %e, "could not renew the claim"),
        }
    }
}

fn since_text(since: &str) -> String {
    if since.len() == 10 && since.as_bytes().get(4) == Some(&b'-') {
        format!("{since}T00:00:00Z")
    } else {
        since.to_string()
    }
}

impl Engine {
    /// Sync every enabled integration (or the one named), at most `sync.parallel` at once.
    /// One report per integration, in config order. A failure stops only its integration.
    pub async fn sync(
        &self,
        options: &SyncOptions,
        progress: &(dyn Progress + Sync),
    ) -> Vec<IntegrationReport> {
        let chosen: Vec<&PreparedIntegration> = match &options.integration {
            Some(id) => match self.integration(id) {
                Ok(i) if i.config.enabled => vec![i],
                Ok(_) => {
                    return vec![IntegrationReport::refused(
                        id,
                        &EngineError::Disabled(id.clone()),
                    )];
                }
                Err(e) => return vec![IntegrationReport::refused(id, &e)],
            },
            None => self
                .integrations()
                .iter()
                .filter(|i| i.config.enabled)
                .collect(),
        };
        let limit = Arc::new(tokio::sync::Semaphore::new(
            self.config().sync.parallel.max(1),
        ));
        // Runs after this one were made during this pass: an integration another worker
        // synced since is not synced again (several `intake sync` on one store would
        // otherwise each pass over every integration).
        let mark = blocking(self.store(), |s| s.runs(None, 1))
            .await
            .map(|runs| runs.first().map_or(0, |r| r.id))
            .unwrap_or(i64::MAX);
        let synced_elsewhere = fleet::SyncedElsewhere::after(mark);
        // Each worker walks the list from its own place (reports stay in config order).
        let offset = fleet::start_offset(self.store().worker(), chosen.len());
        let order: Vec<usize> = (0..chosen.len())
            .map(|n| (n + offset) % chosen.len())
            .collect();
        let runs = order.iter().map(|&i| {
            let limit = limit.clone();
            let synced_elsewhere = &synced_elsewhere;
            let integration = chosen[i];
            async move {
                let _permit = limit.acquire().await;
                if options.stop.is_cancelled() {
                    progress.started(&integration.config.id);
                    let report = Self::passed_by(
                        integration,
                        progress,
                        crate::store::INTERRUPTED,
                        "not started: the worker is shutting down",
                    );
                    return (report, false);
                }
                if synced_elsewhere
                    .contains(self.store(), &integration.config.id)
                    .await
                {
                    progress.started(&integration.config.id);
                    return (
                        Self::passed_by(integration, progress, "busy", SYNCED_ELSEWHERE),
                        false,
                    );
                }
                self.sync_integration(integration, options, progress, mark, false)
                    .await
            }
        });
        // Concurrent on this task: a sync is I/O and plugin calls, which the host runs on
        // its own; nothing here needs a thread of its own.
        let mut walked: Vec<_> = order
            .iter()
            .copied()
            .zip(futures_util::future::join_all(runs).await)
            .collect();
        walked.sort_by_key(|(i, _)| *i);
        let (mut reports, held_elsewhere): (Vec<_>, Vec<_>) =
            walked.into_iter().map(|(_, done)| done).unzip();

        let held: Vec<usize> = (0..reports.len()).filter(|&i| held_elsewhere[i]).collect();
        self.second_looks(&chosen, held, &mut reports, &limit, options, progress, mark)
            .await;
        reports
    }

    /// The report for an integration passed by without a run of its own: another worker
    /// synced it during this pass ("busy"), or the pass was asked to stop ("interrupted").
    fn passed_by(
        integration: &PreparedIntegration,
        progress: &(dyn Progress + Sync),
        status: &str,
        detail: &str,
    ) -> IntegrationReport {
        let summary = RunSummary {
            status: status.into(),
            detail: Some(detail.into()),
            ..RunSummary::default()
        };
        let report =
            IntegrationReport::from_summary(&integration.config.id, summary, Duration::ZERO);
        progress.finished(&report);
        report
    }

    async fn sync_integration(
        &self,
        integration: &PreparedIntegration,
        options: &SyncOptions,
        progress: &(dyn Progress + Sync),
        mark: i64,
        only_abandoned: bool,
    ) -> (IntegrationReport, bool) {
        let id = integration.config.id.clone();
        let started = Instant::now();
        if !only_abandoned {
            progress.started(&id);
        }
        // This run's requests, counted by the host as it sends them.
        let meter = RequestMeter::default();
        let metered = PreparedIntegration {
            integration: integration
                .integration
                .clone()
                .count_requests(meter.clone()),
            ..integration.clone()
        };
        let integration = &metered;
        let mut summary = RunSummary {
            status: "running".into(),
            ..RunSummary::default()
        };
        let store = self.store().clone();
        // One worker at a time per integration: claim it, and keep the claim while running.
        let ttl = self.config().sync.lease;
        let claimed = {
            let id = id.clone();
            blocking(&store, move |s| s.claim(&id, ttl)).await
        };
        let release = |store: Arc<dyn Store>, id: String| async move {
            let held = id.clone();
            if let Err(e) = blocking(&store, move |s| s.release(&held)).await {
                // It runs out by itself; the next run only waits for it.
                tracing::warn!(integration = %id, error = %e, "could not release the claim");
            }
        };
        match claimed {
            Ok(Claim::Held) if only_abandoned => {
                // Its holder finished and let go: nothing is left to take over.
                release(store, id.clone()).await;
                summary.status = "busy".into();
                return (
                    IntegrationReport::from_summary(&id, summary, started.elapsed()),
                    false,
                );
            }
            Ok(Claim::Held) => {}
            Ok(Claim::TakenOver { from }) => {
                tracing::info!(integration = %id, %from, "taking over an integration its worker left unfinished");
                if only_abandoned {
                    progress.started(&id);
                }
            }
            Ok(Claim::Busy { .. }) if only_abandoned => {
                summary.status = "busy".into();
                return (
                    IntegrationReport::from_summary(&id, summary, started.elapsed()),
                    true,
                );
            }
            Ok(Claim::Busy { holder }) => {
                summary.status = "busy".into();
                summary.detail = Some(format!("another worker ({holder}) is syncing it now"));
                let report = IntegrationReport::from_summary(&id, summary, started.elapsed());
                progress.finished(&report);
                return (report, true);
            }
            Err(e) => {
                let report = IntegrationReport::refused(&id, &e);
                progress.finished(&report);
                return (report, false);
            }
        }
        // Another worker synced it to the end since this pass began: once is enough.
        let latest = {
            let id = id.clone();
            blocking(&store, move |s| s.runs(Some(&id), 1)).await
        };
        if let Ok(Some(run)) = latest.map(|runs| runs.into_iter().next())
            && run.id > mark
            && matches!(run.summary.status.as_str(), "ok" | "nothing to do")
        {
            release(store, id.clone()).await;
            let report = Self::passed_by(integration, progress, "busy", SYNCED_ELSEWHERE);
            return (report, false);
        }
        let heartbeat = tokio::spawn(renew_claim(store.clone(), id.clone(), ttl));
        let run_id = {
            let id = id.clone();
            blocking(&store, move |s| s.start_run(&id)).await
        };
        let since = options.since.as_deref().map(since_text);
        let mut streams = vec![Stream::Donations];
        if integration
            .plugin
            .capabilities
            .contains(Capabilities::PAYOUTS)
        {
            streams.push(Stream::Payouts);
        }
        let mut did_anything = false;
        let mut outcome = Ok(());
        for stream in streams {
            match self
                .sync_stream(
                    integration,
                    stream,
                    since.as_deref(),
                    &options.stop,
                    &mut summary,
                    progress,
                )
                .await
            {
                Ok(ran) => did_anything |= ran,
                Err(stop) => {
                    outcome = Err(stop);
                    break;
                }
            }
        }
        match outcome {
            Ok(()) if did_anything => summary.status = "ok".into(),
            Ok(()) => summary.status = "nothing to do".into(),
            Err(Stop::Store(e @ StoreError::NotHolder { .. })) => {
                summary.status = crate::store::INTERRUPTED.into();
                summary.detail = Some(e.to_string());
            }
            Err(Stop::Asked) => {
                summary.status = crate::store::INTERRUPTED.into();
                summary.detail = Some(STOPPED.into());
            }
            Err(Stop::Store(e)) => {
                summary.status = "failed".into();
                summary.detail = Some(e.to_string());
            }
            Err(Stop::Call(e)) => {
                let (status, detail) = describe_failure(&integration.plugin.name, &e);
                summary.status = status.into();
                summary.detail = Some(detail);
            }
        }
        summary.requests = meter.count();
        summary.finished_at = Some(crate::store::now_rfc3339());
        if let Ok(run) = run_id {
            let finished = summary.clone();
            if let Err(e) = blocking(&store, move |s| s.finish_run(run, &finished)).await {
                tracing::warn!(integration = %id, error = %e, "could not record the end of the run");
            }
        }
        heartbeat.abort();
        release(store, id.clone()).await;
        let report = IntegrationReport::from_summary(&id, summary, started.elapsed());
        progress.finished(&report);
        (report, false)
    }

    /// One stream to the end of its window. Ok(false) when there was nothing to do.
    async fn sync_stream(
        &self,
        integration: &PreparedIntegration,
        stream: Stream,
        since: Option<&str>,
        stop: &CancellationToken,
        summary: &mut RunSummary,
        progress: &(dyn Progress + Sync),
    ) -> Result<bool, Stop> {
        if stop.is_cancelled() {
            return Err(Stop::Asked);
        }
        let store = self.store().clone();
        let id = integration.config.id.clone();
        let state = {
            let id = id.clone();
            blocking(&store, move |s| s.stream_state(&id, stream))
                .await
                .map_err(Stop::Store)?
        };
        let sync = &self.config().sync;
        let start = integration.config.start();
        let (window, mut cursor) = match window::plan(
            &state,
            &start,
            since,
            OffsetDateTime::now_utc(),
            sync.overlap,
            sync.settle,
        ) {
            Plan::Nothing => return Ok(false),
            Plan::Resume { window, cursor } => {
                tracing::info!(integration = %id, stream = stream.as_str(), since = %window.since, "resuming a window cut off earlier");
                (window, cursor)
            }
            Plan::Start(window) => {
                let (id, w) = (id.clone(), window.clone());
                blocking(&store, move |s| s.open_window(&id, stream, &w))
                    .await
                    .map_err(Stop::Store)?;
                (window, None)
            }
        };
        // The commit of one page runs while the next is fetched: each commit is still one
        // transaction with its own cursor, so a crash at any point loses nothing, and the
        // store's time hides behind the processor's.
        let mut committing: Option<tokio::task::JoinHandle<Result<Counts, StoreError>>> = None;
        loop {
            // Asked to stop: the page being fetched is dropped (nothing of it is stored), the
            // one being committed is waited for, so the cursor stored is the last page kept.
            let fetched = tokio::select! {
                biased;
                _ = stop.cancelled() => None,
                page = self.fetch_page(integration, stream, &window, cursor.as_deref(), summary) => Some(page),
            };
            if let Some(commit) = committing.take() {
                self.committed(commit, &id, summary, progress).await?;
            }
            let (batch, next) = fetched.ok_or(Stop::Asked)??;
            if next.is_some() && next == cursor {
                return Err(Stop::Call(CallError::InvalidOutput(
                    "the plugin returned the cursor it was given: the sync would never end".into(),
                )));
            }
            let (store, id_for_commit, next_for_commit) = (store.clone(), id.clone(), next.clone());
            let commit = tokio::task::spawn_blocking(move || {
                let batch = Batch {
                    donations: &batch.0,
                    fees: &batch.1,
                    payouts: &batch.2,
                };
                store.commit_page(&id_for_commit, stream, batch, next_for_commit.as_deref())
            });
            match next {
                Some(next) => {
                    cursor = Some(next);
                    committing = Some(commit);
                }
                None => {
                    self.committed(commit, &id, summary, progress).await?;
                    return Ok(true);
                }
            }
        }
    }

    /// Wait for a page's commit and count it.
    async fn committed(
        &self,
        commit: tokio::task::JoinHandle<Result<Counts, StoreError>>,
        id: &str,
        summary: &mut RunSummary,
        progress: &(dyn Progress + Sync),
    ) -> Result<(), Stop> {
        let counts = commit
            .await
            .map_err(|e| Stop::Store(StoreError::Database(format!("store task failed: {e}"))))?
            .map_err(Stop::Store)?;
        summary.counts += counts;
        summary.pages += 1;
        progress.page(id, &summary.counts, summary.pages);
        Ok(())
    }

    /// One page, retried with backoff while the error says retrying may help.
    async fn fetch_page(
        &self,
        integration: &PreparedIntegration,
        stream: Stream,
        window: &Window,
        cursor: Option<&str>,
        summary: &mut RunSummary,
    ) -> Result<(PageEntries, Option<String>), Stop> {
        let sync = &self.config().sync;
        let host = self.host();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            summary.calls += 1;
            let result = match stream {
                Stream::Donations => host
                    .fetch(&integration.integration, window, cursor)
                    .await
                    .map(|p| ((p.donations, p.fees, Vec::new()), p.next_cursor)),
                Stream::Payouts => host
                    .fetch_payouts(&integration.integration, window, cursor)
                    .await
                    .map(|p| ((Vec::new(), Vec::new(), p.payouts), p.next_cursor)),
            };
            match result {
                Ok(page) => return Ok(page),
                Err(e) if e.is_retryable() && attempt < sync.max_attempts => {
                    let wait = retry::wait(attempt, sync.retry_base, &e);
                    tracing::info!(integration = %integration.config.id, attempt, ?wait, error = %e, "retrying");
                    tokio::time::sleep(wait).await;
                }
                Err(e) => return Err(Stop::Call(e)),
            }
        }
    }

    /// Read a file through the plugin's `parse-export` and store it like a sync would:
    /// entries stored once however often the file is imported, every rejected row kept.
    pub async fn import(
        &self,
        integration_id: &str,
        file_name: &str,
        contents: &[u8],
    ) -> Result<ImportReport, EngineError> {
        let integration = self.integration(integration_id)?;
        if !integration.config.enabled {
            return Err(EngineError::Disabled(integration_id.to_string()));
        }
        let import = self
            .host()
            .parse_export(&integration.integration, file_name, contents)
            .await
            .map_err(|e| EngineError::Read {
                path: file_name.to_string(),
                message: e.to_string(),
            })?;
        let rejected = import.rejected.clone();
        let counts = {
            let (id, source) = (integration_id.to_string(), file_name.to_string());
            let rejected = rejected.clone();
            blocking(self.store(), move |s| {
                let counts = s.store_batch(
                    &id,
                    Batch {
                        donations: &import.donations,
                        fees: &import.fees,
                        payouts: &import.payouts,
                    },
                    Via::Import,
                )?;
                s.record_rejects(&id, &source, &rejected)?;
                Ok(counts)
            })
            .await?
        };
        Ok(ImportReport {
            integration: integration_id.to_string(),
            file: file_name.to_string(),
            counts,
            rejected,
        })
    }
}

type PageEntries = (
    Vec<intake_host::types::Donation>,
    Vec<intake_host::types::FeeEntry>,
    Vec<intake_host::types::Payout>,
);

/// The status and the words an operator reads for a call that stopped an integration.
fn describe_failure(plugin_name: &str, error: &CallError) -> (&'static str, String) {
    match error {
        CallError::Plugin(PluginError::Auth(message)) => (
            "needs attention",
            format!("{plugin_name} refused the credentials: {message}"),
        ),
        CallError::Plugin(PluginError::Config(message)) | CallError::Config(message) => (
            "needs attention",
            format!("the settings need fixing: {message}"),
        ),
        other if other.is_retryable() => {
            ("failed", format!("still failing after retries: {other}"))
        }
        other => ("failed", other.to_string()),
    }
}
