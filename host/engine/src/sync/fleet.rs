//! Several workers passing over one store's integrations: where each starts, and what the
//! others already finished, so each integration is synced once per pass across the fleet
//! without every worker asking the store about every integration.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::store::Store;

use super::blocking;

/// How stale the view of what others finished may get before it is read again.
const REFRESH: Duration = Duration::from_millis(200);

/// Where `worker` starts its walk over `count` integrations: workers started together spread
/// over the list instead of all queueing for its head.
pub(super) fn start_offset(worker: &str, count: usize) -> usize {
    if count == 0 {
        return 0;
    }
    let mut hasher = DefaultHasher::new();
    worker.hash(&mut hasher);
    (hasher.finish() % count as u64) as usize
}

/// The integrations synced to the end by any worker since a pass began, read incrementally
/// (only runs newer than the last read) and at most every [`REFRESH`].
pub(super) struct SyncedElsewhere {
    state: tokio::sync::Mutex<View>,
}

struct View {
    /// The newest run read so far.
    after: i64,
    read_at: Option<Instant>,
    synced: HashSet<String>,
}

impl SyncedElsewhere {
    /// Runs after `mark` count; those before belong to earlier passes.
    pub(super) fn after(mark: i64) -> SyncedElsewhere {
        SyncedElsewhere {
            state: tokio::sync::Mutex::new(View {
                after: mark,
                read_at: None,
                synced: HashSet::new(),
            }),
        }
    }

    /// Whether `integration` was synced to the end since the pass began, as far as a view at
    /// most [`REFRESH`] old knows. A store error only leaves the view as it was.
    pub(super) async fn contains(&self, store: &Arc<dyn Store>, integration: &str) -> bool {
        let mut view = self.state.lock().await;
        if view.read_at.is_none_or(|at| at.elapsed() >= REFRESH) {
            let after = view.after;
            match blocking(store, move |s| s.synced_since(after)).await {
                Ok(runs) => {
                    for (id, synced) in runs {
                        view.after = view.after.max(id);
                        view.synced.insert(synced);
                    }
                }
                Err(e) => tracing::debug!(error = %e, "could not read what other workers synced"),
            }
            view.read_at = Some(Instant::now());
        }
        view.synced.contains(integration)
    }
}

#[cfg(test)]
mod tests {
    use super::start_offset;

    #[test]
    fn offsets_stay_in_the_list_and_differ_between_workers() {
        assert_eq!(start_offset("a", 0), 0);
        let offsets: std::collections::HashSet<usize> = (0..20)
            .map(|n| start_offset(&format!("vm:{n}:00000000"), 1000))
            .collect();
        assert!(offsets.iter().all(|o| *o < 1000));
        assert!(
            offsets.len() > 15,
            "twenty workers start apart: {offsets:?}"
        );
    }
}
