//! Time for the scheduler: the system's, or one a test moves by hand.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use jiff::{SignedDuration, Timestamp};
use tokio::sync::watch;

/// A future the scheduler awaits.
pub type Sleep<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// Where the scheduler reads the time and waits for it.
pub trait Clock: Send + Sync {
    /// Now.
    fn now(&self) -> Timestamp;
    /// Resolves once [`Clock::now`] is at or after `t`.
    fn sleep_until(&self, t: Timestamp) -> Sleep<'_>;
}

/// The system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }

    fn sleep_until(&self, t: Timestamp) -> Sleep<'_> {
        Box::pin(async move {
            // Sleep in bounded steps and re-read the wall clock: a suspended machine or a
            // clock step must not push a fire hours late.
            loop {
                let left = t.duration_since(Timestamp::now());
                if left <= SignedDuration::ZERO {
                    return;
                }
                let step = left.min(SignedDuration::from_secs(60));
                let step = std::time::Duration::try_from(step).unwrap_or_default();
                tokio::time::sleep(step).await;
            }
        })
    }
}

/// A clock that stands still until a test moves it ([`ManualClock::set`], [`ManualClock::advance`]).
#[derive(Debug)]
pub struct ManualClock {
    now: watch::Sender<Timestamp>,
    // Serialises moves so `advance` reads and writes one value.
    moving: Mutex<()>,
}

impl ManualClock {
    /// A clock showing `start`.
    pub fn new(start: Timestamp) -> Self {
        ManualClock {
            now: watch::Sender::new(start),
            moving: Mutex::new(()),
        }
    }

    /// Show `t` (forward or back) and wake every sleeper whose time has come.
    pub fn set(&self, t: Timestamp) {
        let _guard = self.moving.lock().unwrap_or_else(|e| e.into_inner());
        self.now.send_replace(t);
    }

    /// How many sleepers wait on this clock now: a test waits for the scheduler to be asleep
    /// before it moves the clock.
    pub fn sleepers(&self) -> usize {
        self.now.receiver_count()
    }

    /// Move forward by `by`.
    pub fn advance(&self, by: SignedDuration) {
        let _guard = self.moving.lock().unwrap_or_else(|e| e.into_inner());
        let now = *self.now.borrow();
        self.now.send_replace(now.checked_add(by).unwrap_or(now));
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.now.borrow()
    }

    fn sleep_until(&self, t: Timestamp) -> Sleep<'_> {
        let mut rx = self.now.subscribe();
        Box::pin(async move {
            // wait_for only fails when the sender is gone, which outlives every sleeper here.
            let _ = rx.wait_for(|now| *now >= t).await;
        })
    }
}
