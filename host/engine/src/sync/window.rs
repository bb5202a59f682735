//! Which window a run syncs: resume the one cut off, or start where the last completed one
//! ended (less the overlap), or at the start date; never up to the very last second.

use std::time::Duration;

use intake_host::types::Window;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::store::StreamState;

/// What the run does with a stream.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Plan {
    /// Carry on a window that a earlier run did not finish, from its cursor.
    Resume {
        window: Window,
        cursor: Option<String>,
    },
    /// A new window.
    Start(Window),
    /// The window would be empty (e.g. a start date in the future).
    Nothing,
}

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

fn parse(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

/// Plan a stream's run. `since` (an operator's `--since`) forces a new window from there.
pub(crate) fn plan(
    state: &StreamState,
    start: &str,
    since: Option<&str>,
    now: OffsetDateTime,
    overlap: Duration,
    settle: Duration,
) -> Plan {
    if since.is_none()
        && let Some(window) = &state.window
    {
        return Plan::Resume {
            window: window.clone(),
            cursor: state.cursor.clone(),
        };
    }
    let until = now - settle;
    let start_at = parse(start);
    let from = match (
        since.and_then(parse),
        state.completed_until.as_deref().and_then(parse),
    ) {
        (Some(forced), _) => forced,
        (None, Some(done)) => {
            let back = done - overlap;
            match start_at {
                Some(s) if s > back => s,
                _ => back,
            }
        }
        (None, None) => match start_at {
            Some(s) => s,
            None => return Plan::Nothing,
        },
    };
    if from >= until {
        return Plan::Nothing;
    }
    Plan::Start(Window {
        since: rfc3339(from),
        until: Some(rfc3339(until)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-03-10 12:00:00 UTC);
    const OVERLAP: Duration = Duration::from_secs(600);
    const SETTLE: Duration = Duration::from_secs(60);

    fn window(since: &str, until: &str) -> Window {
        Window {
            since: since.into(),
            until: Some(until.into()),
        }
    }

    #[test]
    fn first_run_starts_at_the_start_date_and_ends_before_now() {
        let plan = plan(
            &StreamState::default(),
            "2026-01-01T00:00:00Z",
            None,
            NOW,
            OVERLAP,
            SETTLE,
        );
        assert_eq!(
            plan,
            Plan::Start(window("2026-01-01T00:00:00Z", "2026-03-10T11:59:00Z"))
        );
    }

    #[test]
    fn next_run_overlaps_the_last_completed_window() {
        let state = StreamState {
            completed_until: Some("2026-03-09T11:59:00Z".into()),
            ..StreamState::default()
        };
        let plan = plan(&state, "2026-01-01T00:00:00Z", None, NOW, OVERLAP, SETTLE);
        assert_eq!(
            plan,
            Plan::Start(window("2026-03-09T11:49:00Z", "2026-03-10T11:59:00Z"))
        );
    }

    #[test]
    fn the_overlap_never_reaches_before_the_start_date() {
        let state = StreamState {
            completed_until: Some("2026-01-01T00:05:00Z".into()),
            ..StreamState::default()
        };
        let plan = plan(&state, "2026-01-01T00:00:00Z", None, NOW, OVERLAP, SETTLE);
        assert_eq!(
            plan,
            Plan::Start(window("2026-01-01T00:00:00Z", "2026-03-10T11:59:00Z"))
        );
    }

    #[test]
    fn a_cut_off_window_resumes_from_its_cursor() {
        let state = StreamState {
            window: Some(window("2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z")),
            cursor: Some("c-42".into()),
            completed_until: None,
        };
        let plan = plan(&state, "2026-01-01T00:00:00Z", None, NOW, OVERLAP, SETTLE);
        assert_eq!(
            plan,
            Plan::Resume {
                window: window("2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z"),
                cursor: Some("c-42".into())
            }
        );
    }

    #[test]
    fn a_future_start_date_is_nothing_to_do() {
        let plan = plan(
            &StreamState::default(),
            "2027-01-01T00:00:00Z",
            None,
            NOW,
            OVERLAP,
            SETTLE,
        );
        assert_eq!(plan, Plan::Nothing);
    }

    #[test]
    fn since_forces_a_new_window() {
        let state = StreamState {
            window: Some(window("2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z")),
            cursor: Some("c-42".into()),
            completed_until: None,
        };
        let plan = plan(
            &state,
            "2026-01-01T00:00:00Z",
            Some("2026-02-01T00:00:00Z"),
            NOW,
            OVERLAP,
            SETTLE,
        );
        assert_eq!(
            plan,
            Plan::Start(window("2026-02-01T00:00:00Z", "2026-03-10T11:59:00Z"))
        );
    }
}
