//! The loop that fires each enabled integration at its slots, once across the fleet.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::{Clock, Schedule, slot_key};
use crate::config::Config;
use crate::store::Store;

/// Fires each enabled integration's schedule. Clones share one plan: keep a clone to
/// [`Scheduler::update`] it while [`Scheduler::run`] runs.
#[derive(Clone)]
pub struct Scheduler {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    plan: Mutex<BTreeMap<String, Schedule>>,
    changed: Notify,
    cancel: CancellationToken,
}

impl Scheduler {
    /// A scheduler for `config`'s enabled integrations, taking slots in `store`; it stops
    /// when `cancel` is cancelled.
    pub fn new(store: Arc<dyn Store>, config: &Config, cancel: CancellationToken) -> Self {
        Scheduler {
            inner: Arc::new(Inner {
                store,
                plan: Mutex::new(plan_of(config)),
                changed: Notify::new(),
                cancel,
            }),
        }
    }

    /// Take a reloaded config: an integration switched off or removed stops firing at once,
    /// a new or re-timed one fires from its next slot after now.
    pub fn update(&self, config: &Config) {
        *self.plan() = plan_of(config);
        self.inner.changed.notify_one();
    }

    /// Run until cancelled. First a run missed while no scheduler ran (the last slot at or
    /// before now is later than both the last slot taken and the last run's start) fires once;
    /// then each slot fires as it comes. `on_due` gets the integration id for each slot this
    /// worker took; another worker that took it first has the run instead.
    pub async fn run<F>(self, clock: Arc<dyn Clock>, on_due: F)
    where
        F: Fn(&str) + Send + Sync,
    {
        self.catch_up(clock.now(), &on_due).await;
        let mut next = BTreeMap::<String, Timestamp>::new();
        // The schedule each planned time was computed from: a slot keeps its time across a
        // config change unless its own schedule changed (re-timing from now would skip a
        // slot that came due while the change was read).
        let mut timed_by = BTreeMap::<String, (String, String)>::new();
        loop {
            let now = clock.now();
            {
                let plan = self.plan();
                next.retain(|id, _| {
                    plan.get(id).is_some_and(|s| {
                        timed_by.get(id) == Some(&(s.pattern().to_string(), s.zone().to_string()))
                    })
                });
                for (id, schedule) in plan.iter() {
                    timed_by.insert(
                        id.clone(),
                        (schedule.pattern().to_string(), schedule.zone().to_string()),
                    );
                }
                for (id, schedule) in plan.iter() {
                    if !next.contains_key(id)
                        && let Some(at) = schedule.next_after(now)
                    {
                        next.insert(id.clone(), at);
                    }
                }
            }
            let earliest = next.values().min().copied();
            let changed = self.inner.changed.notified();
            tokio::select! {
                () = self.inner.cancel.cancelled() => return,
                () = changed => {
                    // Re-plan: switched-off ones go, re-timed ones are timed again.
                    continue;
                }
                () = sleep_or_forever(&*clock, earliest) => {}
            }
            let now = clock.now();
            let due: Vec<(String, Timestamp)> = next
                .iter()
                .filter(|(_, at)| **at <= now)
                .map(|(id, at)| (id.clone(), *at))
                .collect();
            for (id, slot) in due {
                next.remove(&id);
                // The plan may have changed while this slot's sleep ended (both woke at once):
                // one switched off since does not fire.
                if !self.plan().contains_key(&id) {
                    continue;
                }
                self.fire(&id, slot, &on_due).await;
                // The next slot after both this one and now: a clock that jumped past several
                // slots fires once, not once per slot.
                if let Some(schedule) = self.plan().get(&id)
                    && let Some(at) = schedule.next_after(slot.max(now))
                {
                    next.insert(id, at);
                }
            }
        }
    }

    async fn catch_up<F: Fn(&str)>(&self, now: Timestamp, on_due: &F) {
        let missed: Vec<(String, Timestamp)> = self
            .plan()
            .iter()
            .filter_map(|(id, s)| Some((id.clone(), s.last_at_or_before(now)?)))
            .collect();
        for (id, slot) in missed {
            let store = self.inner.store.clone();
            let key = id.clone();
            let last = tokio::task::spawn_blocking(move || last_activity(&*store, &key)).await;
            match last {
                // Never ran and never fired: a first start waits for the first slot.
                Ok(Ok(None)) => {}
                Ok(Ok(Some(last))) if last >= slot => {}
                Ok(Ok(Some(_))) => self.fire(&id, slot, on_due).await,
                Ok(Err(e)) => tracing::warn!(integration = %id, "schedule catch-up: {e}"),
                Err(e) => tracing::warn!(integration = %id, "schedule catch-up: {e}"),
            }
        }
    }

    /// Take `slot` for `id` in the store and call `on_due` if this worker won it and the
    /// integration is still on.
    async fn fire<F: Fn(&str)>(&self, id: &str, slot: Timestamp, on_due: &F) {
        let store = self.inner.store.clone();
        let (key, at) = (id.to_string(), slot_key(slot));
        let won = tokio::task::spawn_blocking(move || store.claim_slot(&key, &at)).await;
        match won {
            Ok(Ok(true)) if self.plan().contains_key(id) => on_due(id),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(integration = %id, "schedule slot {slot}: {e}"),
            Err(e) => tracing::warn!(integration = %id, "schedule slot {slot}: {e}"),
        }
    }

    fn plan(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Schedule>> {
        self.inner.plan.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn plan_of(config: &Config) -> BTreeMap<String, Schedule> {
    config
        .integrations
        .iter()
        .filter(|i| i.enabled)
        .map(|i| (i.id.clone(), i.schedule.clone()))
        .collect()
}

/// The later of the last slot taken and the last run's start.
fn last_activity(
    store: &dyn Store,
    integration: &str,
) -> Result<Option<Timestamp>, crate::StoreError> {
    let slot = store
        .last_slot(integration)?
        .and_then(|s| s.parse::<Timestamp>().ok());
    let run = store
        .runs(Some(integration), 1)?
        .into_iter()
        .next()
        .and_then(|r| r.started_at.parse::<Timestamp>().ok());
    Ok(slot.max(run))
}

async fn sleep_or_forever(clock: &dyn Clock, until: Option<Timestamp>) {
    match until {
        Some(t) => clock.sleep_until(t).await,
        None => std::future::pending().await,
    }
}
