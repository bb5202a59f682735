//! Timestamps: the contract speaks RFC 3339 in UTC; processors speak Unix seconds or the
//! date formats of US spreadsheets.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

use crate::{Error, Window};

pub use time::OffsetDateTime as DateTime;

/// Unix seconds as RFC 3339 UTC ("2024-05-01T12:00:00Z").
pub fn unix_to_rfc3339(unix: i64) -> Result<String, Error> {
    let t = OffsetDateTime::from_unix_timestamp(unix)
        .map_err(|_| Error::InvalidData(format!("timestamp {unix} is out of range")))?;
    Ok(to_rfc3339(t))
}

pub fn to_rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .expect("UTC times in range format as RFC 3339")
}

/// RFC 3339 to Unix seconds.
pub fn rfc3339_to_unix(text: &str) -> Result<i64, Error> {
    OffsetDateTime::parse(text.trim(), &Rfc3339)
        .map(|t| t.unix_timestamp())
        .map_err(|e| Error::Config(format!("`{text}` is not an RFC 3339 time: {e}")))
}

/// The window as Unix seconds: `[since, until)`, `until` None for "now".
pub fn window_bounds(window: &Window) -> Result<(i64, Option<i64>), Error> {
    let since = rfc3339_to_unix(&window.since)?;
    let until = window.until.as_deref().map(rfc3339_to_unix).transpose()?;
    if let Some(until) = until {
        if until < since {
            return Err(Error::Config(format!(
                "window ends ({}) before it starts ({})",
                window.until.as_deref().unwrap_or(""),
                window.since
            )));
        }
    }
    Ok((since, until))
}

/// Unix seconds from an HTTP date (RFC 9110 IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"),
/// as in `Date` and `Retry-After` headers.
pub fn parse_http_date(text: &str) -> Option<i64> {
    let format = format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    PrimitiveDateTime::parse(text.trim(), format)
        .ok()
        .map(|t| t.assume_utc().unix_timestamp())
}

/// A date or date-time as US exports write it, read as UTC: RFC 3339, "2024-05-01",
/// "2024-05-01 13:45:00", "05/01/2024", "5/1/24", "05/01/2024 1:45 PM", "05/01/2024 13:45:00".
pub fn parse_loose(text: &str) -> Option<OffsetDateTime> {
    let s = text.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t);
    }
    let (date_part, time_part) = match s.split_once(|c: char| c == ' ' || c == 'T') {
        Some((d, t)) => (d, Some(t.trim())),
        None => (s, None),
    };
    let date = parse_date(date_part)?;
    let time = match time_part {
        None | Some("") => Time::MIDNIGHT,
        Some(t) => parse_time(t)?,
    };
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

fn parse_date(s: &str) -> Option<Date> {
    if let Ok(d) = Date::parse(s, format_description!("[year]-[month]-[day]")) {
        return Some(d);
    }
    let mut parts = s.split('/');
    let (m, d, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let month: u8 = m.parse().ok()?;
    let day: u8 = d.parse().ok()?;
    let year: i32 = match y.len() {
        2 => 2000 + y.parse::<i32>().ok()?,
        4 => y.parse().ok()?,
        _ => return None,
    };
    Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

fn parse_time(s: &str) -> Option<Time> {
    let upper = s.to_ascii_uppercase();
    let (clock, meridiem) = if let Some(c) = upper.strip_suffix("AM") {
        (c.trim().to_string(), Some(false))
    } else if let Some(c) = upper.strip_suffix("PM") {
        (c.trim().to_string(), Some(true))
    } else {
        (upper.trim_end_matches('Z').to_string(), None)
    };
    let mut fields = clock.split(':');
    let mut hour: u8 = fields.next()?.parse().ok()?;
    let minute: u8 = fields.next().map(|m| m.parse().ok()).unwrap_or(Some(0))?;
    let second: u8 = fields
        .next()
        .map(|s| s.split('.').next().unwrap_or("0").parse().ok())
        .unwrap_or(Some(0))?;
    if let Some(pm) = meridiem {
        if hour == 0 || hour > 12 {
            return None;
        }
        hour = match (hour, pm) {
            (12, false) => 0,
            (12, true) => 12,
            (h, true) => h + 12,
            (h, false) => h,
        };
    }
    Time::from_hms(hour, minute, second).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc(text: &str) -> String {
        to_rfc3339(parse_loose(text).unwrap_or_else(|| panic!("{text:?} should parse")))
    }

    #[test]
    fn reads_common_us_formats_as_utc() {
        assert_eq!(rfc("2024-05-01"), "2024-05-01T00:00:00Z");
        assert_eq!(rfc("05/01/2024"), "2024-05-01T00:00:00Z");
        assert_eq!(rfc("5/1/24"), "2024-05-01T00:00:00Z");
        assert_eq!(rfc("05/01/2024 1:45 PM"), "2024-05-01T13:45:00Z");
        assert_eq!(rfc("05/01/2024 12:05 AM"), "2024-05-01T00:05:00Z");
        assert_eq!(rfc("2024-05-01 13:45:09"), "2024-05-01T13:45:09Z");
        assert_eq!(rfc("2024-05-01T09:00:00-04:00"), "2024-05-01T13:00:00Z");
    }

    #[test]
    fn refuses_impossible_dates() {
        for bad in [
            "13/01/2024",
            "02/30/2024",
            "2024-5",
            "05/01/2024 13:00 PM",
            "yesterday",
            "1/2/3/4",
        ] {
            assert!(parse_loose(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn reads_http_dates() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        for bad in [
            "yesterday",
            "Sun, 06 Nov 1994 08:49:37 PST",
            "Fri, 30 Feb 2024 00:00:00 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn window_bounds_checks_order() {
        let w = Window {
            since: "2024-01-01T00:00:00Z".into(),
            until: Some("2024-01-02T00:00:00Z".into()),
        };
        assert_eq!(
            window_bounds(&w).unwrap(),
            (1_704_067_200, Some(1_704_153_600))
        );
        let backwards = Window {
            since: "2024-01-02T00:00:00Z".into(),
            until: Some("2024-01-01T00:00:00Z".into()),
        };
        assert!(matches!(window_bounds(&backwards), Err(Error::Config(_))));
        assert_eq!(
            unix_to_rfc3339(1_704_067_200).unwrap(),
            "2024-01-01T00:00:00Z"
        );
    }
}
