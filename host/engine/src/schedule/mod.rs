//! When each integration syncs by itself: a cron expression in a time zone per integration
//! (default daily 05:30 America/New_York), fired once per slot across a fleet of workers.
//!
//! [`Schedule`] answers "when next" in the zone, DST included; [`Clock`] is time, injected so
//! tests move it by hand; [`Scheduler`] waits for each integration's next slot, takes it in
//! the store ([`crate::Store::claim_slot`]) and calls back whoever syncs.

mod clock;
mod scheduler;

pub use clock::{Clock, ManualClock, SystemClock};
pub use scheduler::Scheduler;

use std::fmt;

use croner::Cron;
use croner::parser::{CronParser, Seconds};
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// The cron expression used when an integration names none: 05:30 every day.
pub const DEFAULT_CRON: &str = "30 5 * * *";
/// The zone used when an integration names none (the campaigns' "5:30am EST" morning run).
pub const DEFAULT_TIMEZONE: &str = "America/New_York";

/// Why a schedule could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScheduleError {
    /// The cron expression does not parse.
    #[error("`{pattern}` is not a cron expression (minute hour day month weekday): {reason}")]
    Cron {
        /// As written.
        pattern: String,
        /// The parser's words.
        reason: String,
    },
    /// The zone is not in the time zone database.
    #[error("`{zone}` is not a known time zone (an IANA name such as \"America/New_York\")")]
    Zone {
        /// As written.
        zone: String,
    },
}

/// A cron expression in a time zone.
#[derive(Clone)]
pub struct Schedule {
    cron: Cron,
    zone: TimeZone,
    pattern: String,
    zone_name: String,
}

impl fmt::Debug for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Schedule({} in {})", self.pattern, self.zone_name)
    }
}

impl PartialEq for Schedule {
    fn eq(&self, other: &Self) -> bool {
        self.pattern == other.pattern && self.zone_name == other.zone_name
    }
}

impl Schedule {
    /// A five-field cron expression (`minute hour day-of-month month day-of-week`) read in
    /// the IANA zone `zone`.
    pub fn parse(pattern: &str, zone: &str) -> Result<Self, ScheduleError> {
        let cron = CronParser::builder()
            .seconds(Seconds::Disallowed)
            .build()
            .parse(pattern)
            .map_err(|e| ScheduleError::Cron {
                pattern: pattern.to_string(),
                reason: e.to_string(),
            })?;
        let tz = TimeZone::get(zone).map_err(|_| ScheduleError::Zone {
            zone: zone.to_string(),
        })?;
        Ok(Schedule {
            cron,
            zone: tz,
            pattern: pattern.to_string(),
            zone_name: zone.to_string(),
        })
    }

    /// The default: daily 05:30 America/New_York.
    pub fn daily_default() -> Result<Self, ScheduleError> {
        Self::parse(DEFAULT_CRON, DEFAULT_TIMEZONE)
    }

    /// The cron expression as written.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The zone's name as written.
    pub fn zone(&self) -> &str {
        &self.zone_name
    }

    /// The first fire strictly after `t`. A wall time the spring change skips fires once at
    /// the first real instant after the gap; a time in the repeated fall-back hour fires once
    /// (its first occurrence). None when the expression never matches again.
    pub fn next_after(&self, t: Timestamp) -> Option<Timestamp> {
        let from = t.to_zoned(self.zone.clone());
        self.cron
            .find_next_occurrence(&from, false)
            .ok()
            .map(|z| z.timestamp())
    }

    /// The last fire at or before `t`, if any: the slot a service that was down at that time
    /// missed.
    pub fn last_at_or_before(&self, t: Timestamp) -> Option<Timestamp> {
        let from = t.to_zoned(self.zone.clone());
        self.cron
            .find_previous_occurrence(&from, true)
            .ok()
            .map(|z| z.timestamp())
    }
}

/// A slot as the store keeps it: RFC 3339 UTC to the second, fixed width so text order is
/// time order.
pub fn slot_key(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}
