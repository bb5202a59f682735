//! Retrying a plugin call: exponential backoff with jitter, or the processor's own wait.

use std::time::Duration;

use intake_host::CallError;
use rand::Rng;

/// The longest the engine waits between two attempts, whatever a processor asks.
const MAX_WAIT: Duration = Duration::from_secs(120);

/// How long to wait before attempt `attempt + 1` after `error` (attempt counts from 1).
pub(crate) fn wait(attempt: u32, base: Duration, error: &CallError) -> Duration {
    if let Some(seconds) = error.retry_after() {
        return Duration::from_secs(u64::from(seconds)).min(MAX_WAIT);
    }
    let exponential = base.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    // Full jitter keeps many integrations that failed together from retrying together.
    let jittered = rand::rng().random_range(exponential / 2..=exponential);
    jittered.min(MAX_WAIT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use intake_host::PluginError;

    #[test]
    fn backs_off_exponentially_with_jitter() {
        let base = Duration::from_millis(100);
        let error = CallError::Plugin(PluginError::Transient("503".into()));
        for attempt in 1..=5u32 {
            let full = base * (1 << (attempt - 1));
            let w = wait(attempt, base, &error);
            assert!(
                w >= full / 2 && w <= full,
                "attempt {attempt}: {w:?} not in {:?}..={full:?}",
                full / 2
            );
        }
    }

    #[test]
    fn honors_the_processors_wait_up_to_a_cap() {
        let error = CallError::Plugin(PluginError::RateLimited(Some(7)));
        assert_eq!(
            wait(1, Duration::from_millis(100), &error),
            Duration::from_secs(7)
        );
        let error = CallError::Plugin(PluginError::RateLimited(Some(86_400)));
        assert_eq!(wait(1, Duration::from_millis(100), &error), MAX_WAIT);
    }
}
