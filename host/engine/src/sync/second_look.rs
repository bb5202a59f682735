//! Second looks at integrations another worker held when this pass reached them: if that
//! worker dies or stalls, this one finishes the work in this run instead of leaving it to the
//! next.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use super::{IntegrationReport, Progress, SyncOptions};
use crate::engine::{Engine, PreparedIntegration};

impl Engine {
    /// Sync again each of `held_elsewhere` (indexes into `chosen` and `reports`) until it is done, taken
    /// over, or its claim has had time to run out (a live holder renews it: that one is left
    /// to its holder). One its holder finished is left alone. A new report replaces the
    /// "busy" one.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn second_looks(
        &self,
        chosen: &[&PreparedIntegration],
        held_elsewhere: Vec<usize>,
        reports: &mut [IntegrationReport],
        limit: &Arc<Semaphore>,
        options: &SyncOptions,
        progress: &(dyn Progress + Sync),
        mark: i64,
    ) {
        let ttl = self.config().sync.lease;
        let give_up = Instant::now() + ttl + ttl / 3;
        // Soon at first (a holder often finishes moments after the pass), then less often, up
        // to a tenth of the claim (at most 2 s): a wait as long as the claim's tenth from the
        // start made short runs with several workers wait seconds for nothing.
        let longest = (ttl / 10).clamp(Duration::from_millis(100), Duration::from_secs(2));
        let mut every = Duration::from_millis(100).min(longest);
        let mut pending = held_elsewhere;
        while !pending.is_empty() {
            let retries = pending.iter().map(|&i| {
                let limit = limit.clone();
                let integration = chosen[i];
                async move {
                    let _permit = limit.acquire().await;
                    self.sync_integration(integration, options, progress, mark, true)
                        .await
                }
            });
            let looked = futures_util::future::join_all(retries).await;
            let mut still_held = Vec::new();
            for (i, (retried, held)) in pending.into_iter().zip(looked) {
                if retried.status != "busy" {
                    reports[i] = retried;
                } else if held {
                    still_held.push(i);
                }
            }
            pending = still_held;
            if pending.is_empty() || Instant::now() >= give_up {
                break;
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = options.stop.cancelled() => break,
            }
            every = (every * 2).min(longest);
        }
    }
}
