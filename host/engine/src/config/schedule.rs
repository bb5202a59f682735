//! An integration's `schedule` (cron) and `timezone`, each error pointing at its own line.

use super::ConfigError;
use super::raw::RawIntegration;
use super::validate::Source;
use crate::schedule::{DEFAULT_CRON, DEFAULT_TIMEZONE, Schedule, ScheduleError};

pub(super) fn of(
    source: &Source,
    raw: &RawIntegration,
    key: &dyn Fn(&str) -> String,
) -> Result<Schedule, ConfigError> {
    let cron = raw.schedule.as_ref();
    let zone = raw.timezone.as_ref();
    let pattern = cron.map_or(DEFAULT_CRON, |c| c.get_ref().as_str());
    let zone_name = zone.map_or(DEFAULT_TIMEZONE, |z| z.get_ref().as_str());
    Schedule::parse(pattern, zone_name).map_err(|e| {
        let (span, k) = match &e {
            ScheduleError::Zone { .. } => (zone.map(|z| z.span()), "timezone"),
            _ => (cron.map(|c| c.span()), "schedule"),
        };
        source.error(span.unwrap_or(0..0), key(k), e.to_string())
    })
}
