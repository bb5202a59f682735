//! Timestamps: the contract speaks RFC 3339 in UTC; processors speak Unix seconds, HTTP dates
//! or the date formats of US spreadsheets.
//!
//! Every helper that reads processor data returns a `Result` ([`Error::InvalidData`] naming
//! the value) and never panics: a time whose UTC falls outside years 0–9999 (which RFC 3339
//! cannot write) is refused, whatever offset brought it there. Sub-second precision is kept
//! where the input has it.

use std::time::{SystemTime, UNIX_EPOCH};

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::{Error, Window};

pub use time::OffsetDateTime as DateTime;

/// The years RFC 3339 (and so the contract) can write.
const YEARS: std::ops::RangeInclusive<i32> = 0..=9999;

fn invalid(text: &str, why: &str) -> Error {
    Error::InvalidData(format!("`{text}` {why}"))
}

/// `t` in UTC, when its UTC year is one RFC 3339 can write.
fn checked_utc(t: OffsetDateTime) -> Option<OffsetDateTime> {
    let utc = t.checked_to_offset(UtcOffset::UTC)?;
    YEARS.contains(&utc.year()).then_some(utc)
}

/// Unix seconds as RFC 3339 UTC ("2024-05-01T12:00:00Z").
pub fn unix_to_rfc3339(unix: i64) -> Result<String, Error> {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(checked_utc)
        .ok_or_else(|| invalid(&unix.to_string(), "is not a Unix time in years 0–9999"))
        .and_then(to_rfc3339)
}

/// `t` as RFC 3339 UTC, fractional seconds kept ("2024-05-01T12:00:00.25Z").
/// [`Error::InvalidData`] when its UTC year is outside 0–9999.
pub fn to_rfc3339(t: OffsetDateTime) -> Result<String, Error> {
    checked_utc(t)
        .and_then(|utc| utc.format(&Rfc3339).ok())
        .ok_or_else(|| invalid(&t.to_string(), "falls outside years 0–9999 in UTC"))
}

/// An RFC 3339 time, its UTC year in 0–9999.
pub fn parse_rfc3339(text: &str) -> Result<OffsetDateTime, Error> {
    let t = OffsetDateTime::parse(text.trim(), &Rfc3339)
        .map_err(|e| invalid(text, &format!("is not an RFC 3339 time: {e}")))?;
    checked_utc(t).ok_or_else(|| invalid(text, "falls outside years 0–9999 in UTC"))
}

/// RFC 3339 to whole Unix seconds (a fraction is dropped, towards the past).
/// Used for the host's windows, so a bad one is [`Error::Config`].
pub fn rfc3339_to_unix(text: &str) -> Result<i64, Error> {
    parse_rfc3339(text)
        .map(|t| t.unix_timestamp())
        .map_err(|e| match e {
            Error::InvalidData(m) => Error::Config(m),
            other => other,
        })
}

/// The window as Unix seconds: `[since, until)`, `until` None for "now".
pub fn window_bounds(window: &Window) -> Result<(i64, Option<i64>), Error> {
    let since = rfc3339_to_unix(&window.since)?;
    let until = window.until.as_deref().map(rfc3339_to_unix).transpose()?;
    if let Some(until) = until
        && until < since
    {
        return Err(Error::Config(format!(
            "window ends ({}) before it starts ({})",
            window.until.as_deref().unwrap_or(""),
            window.since
        )));
    }
    Ok((since, until))
}

/// The window as instants, sub-second precision kept: `[since, until)`, `until` None for
/// "now". A bad window is [`Error::Config`].
pub fn window_instants(window: &Window) -> Result<(OffsetDateTime, Option<OffsetDateTime>), Error> {
    let config = |e: Error| match e {
        Error::InvalidData(m) => Error::Config(m),
        other => other,
    };
    let since = parse_rfc3339(&window.since).map_err(config)?;
    let until = window
        .until
        .as_deref()
        .map(parse_rfc3339)
        .transpose()
        .map_err(config)?;
    if until.is_some_and(|u| u < since) {
        return Err(Error::Config(format!(
            "window ends ({}) before it starts ({})",
            window.until.as_deref().unwrap_or(""),
            window.since
        )));
    }
    Ok((since, until))
}

/// Whether `at` (RFC 3339, e.g. a donation's `received_at`) falls in `[since, until)` of the
/// window, to the nanosecond: what a plugin checks so that windows that meet never both
/// return a record (whole seconds would put 12:00:00.2 outside a window ending 12:00:00.3).
/// A bad `at` is [`Error::InvalidData`]; a bad window [`Error::Config`].
pub fn in_window(at: &str, window: &Window) -> Result<bool, Error> {
    let (since, until) = window_instants(window)?;
    let at = parse_rfc3339(at)?;
    Ok(at >= since && until.is_none_or(|u| at < u))
}

/// The host's clock (the sandbox lends the WASI wall clock) as Unix seconds.
pub fn now_unix() -> Result<i64, Error> {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
        .ok_or_else(|| Error::Transient("the host clock is before 1970".into()))
}

/// Unix seconds from an HTTP date (RFC 9110: IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT",
/// and the obsolete RFC 850 and asctime forms), as in `Date` and `Retry-After` headers.
/// None when it is not one (a header is advice, not data to refuse).
pub fn parse_http_date(text: &str) -> Option<i64> {
    let t = httpdate::parse_http_date(text.trim()).ok()?;
    let secs = t.duration_since(UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(secs).ok()
}

/// A date or date-time as US exports write it, read as UTC: RFC 3339, "2024-05-01",
/// "2024-05-01 13:45:00", "05/01/2024", "5/1/24", "05/01/2024 1:45 PM",
/// "05/01/2024 13:45:00.250". [`Error::InvalidData`] naming the text otherwise.
pub fn parse_loose(text: &str) -> Result<OffsetDateTime, Error> {
    let s = text.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return checked_utc(t).ok_or_else(|| invalid(text, "falls outside years 0–9999 in UTC"));
    }
    let (date_part, time_part) = match s.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t.trim())),
        None => (s, None),
    };
    let not_a_date = || invalid(text, "is not a date");
    let date = parse_date(date_part).ok_or_else(not_a_date)?;
    let time = match time_part {
        None | Some("") => Time::MIDNIGHT,
        Some(t) => parse_time(t).ok_or_else(not_a_date)?,
    };
    Ok(PrimitiveDateTime::new(date, time).assume_utc())
}

/// [`parse_loose`] written as RFC 3339 UTC.
pub fn loose_to_rfc3339(text: &str) -> Result<String, Error> {
    parse_loose(text).and_then(to_rfc3339)
}

fn digits(s: &str, len: std::ops::RangeInclusive<usize>) -> Option<u32> {
    if !len.contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_date(s: &str) -> Option<Date> {
    let (y, m, d) = if let Some((y, rest)) = s.split_once('-') {
        let (m, d) = rest.split_once('-')?;
        (digits(y, 4..=4)?, digits(m, 1..=2)?, digits(d, 1..=2)?)
    } else {
        let mut parts = s.split('/');
        let (m, d, y) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let year = match y.len() {
            2 => 2000 + digits(y, 2..=2)?,
            _ => digits(y, 4..=4)?,
        };
        (year, digits(m, 1..=2)?, digits(d, 1..=2)?)
    };
    let month = time::Month::try_from(u8::try_from(m).ok()?).ok()?;
    Date::from_calendar_date(i32::try_from(y).ok()?, month, u8::try_from(d).ok()?).ok()
}

fn parse_time(s: &str) -> Option<Time> {
    let upper = s.to_ascii_uppercase();
    let (clock, meridiem) = if let Some(c) = upper.strip_suffix("AM") {
        (c.trim(), Some(false))
    } else if let Some(c) = upper.strip_suffix("PM") {
        (c.trim(), Some(true))
    } else {
        (upper.strip_suffix('Z').unwrap_or(upper.as_str()), None)
    };
    let mut fields = clock.split(':');
    let mut hour = u8::try_from(digits(fields.next()?, 1..=2)?).ok()?;
    let minute = match fields.next() {
        Some(m) => u8::try_from(digits(m, 2..=2)?).ok()?,
        None => 0,
    };
    let (second, nanos) = match fields.next() {
        Some(s) => {
            let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
            (u8::try_from(digits(whole, 2..=2)?).ok()?, nanos(fraction)?)
        }
        None => (0, 0),
    };
    if fields.next().is_some() {
        return None;
    }
    if let Some(pm) = meridiem {
        hour = match (hour, pm) {
            (0 | 13.., _) => return None,
            (12, false) => 0,
            (12, true) => 12,
            (h, true) => h + 12,
            (h, false) => h,
        };
    }
    Time::from_hms_nano(hour, minute, second, nanos).ok()
}

/// ".25" → 250_000_000 ns; up to nine digits.
fn nanos(fraction: &str) -> Option<u32> {
    if fraction.is_empty() {
        return Some(0);
    }
    let value = digits(fraction, 1..=9)?;
    let scale = 10u32.checked_pow(9 - u32::try_from(fraction.len()).ok()?)?;
    value.checked_mul(scale)
}

#[cfg(test)]
mod tests;
