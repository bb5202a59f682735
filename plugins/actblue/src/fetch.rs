//! `fetch`: the window's paid line items, then its refunds, each from one CSV job (create,
//! poll, download at once: the link lives ten minutes). The window's dates in New York time
//! name the jobs; rows outside the window's instants are walked past, so adjacent windows
//! never return a row twice. A call returns about `page_size` donations (setting, default [`PAGE_TARGET`]); its cursor
//! (see `cursor.rs`) holds the job and the rows walked, so a later call downloads the same
//! job afresh (a new link) and goes on after them.

use intake_plugin_sdk::time::{now_unix, rfc3339_to_unix, window_bounds};
use intake_plugin_sdk::{Donation, Error, Page, Settings, Window};

use crate::api::Api;
use crate::config::Config;
use crate::cursor::{Position, Stage};
use crate::mapping;
use crate::rows::{self, Table};

pub const PAGE_TARGET: usize = 500;
/// Status polls one call makes before handing back: a plugin cannot sleep, the engine can.
pub const MAX_POLLS: u32 = 3;

/// The window as New York dates: `[start, end)`, end the day after the last instant's day.
pub fn date_range(since: i64, until: Option<i64>) -> Result<(String, String), Error> {
    let zone = crate::mapping::new_york()?;
    let day = |unix: i64| -> Result<jiff::civil::Date, Error> {
        let t = jiff::Timestamp::from_second(unix)
            .map_err(|e| Error::Config(format!("window bound out of range: {e}")))?;
        Ok(t.to_zoned(zone.clone()).date())
    };
    let start = day(since)?;
    // The last instant inside the window is until - 1 s.
    let last = match until {
        Some(u) => u
            .checked_sub(1)
            .ok_or_else(|| Error::Config("window end out of range".into()))?,
        None => now_unix()?,
    };
    let end = day(last.max(since))?
        .tomorrow()
        .map_err(|e| Error::Config(format!("window end out of range: {e}")))?;
    Ok((start.to_string(), end.to_string()))
}

pub fn fetch(settings: &Settings, window: &Window, cursor: Option<&str>) -> Result<Page, Error> {
    let config = Config::from_settings(settings)?;
    let page_size = config.page_size;
    let (since, until) = window_bounds(window)?;
    let (start, end) = date_range(since, until)?;
    let range = (start.as_str(), end.as_str());
    let mut position = match cursor {
        Some(c) => Position::decode(c, range)?,
        None => Position::START,
    };
    let started_at = position.clone();
    let mut api = Api::new(&config);
    let mut donations: Vec<Donation> = Vec::new();
    loop {
        let job = match &position.job {
            Some(job) => job.clone(),
            None => {
                let job = api.create(position.stage.csv_type(), &start, &end)?;
                position.job = Some(job.clone());
                job
            }
        };
        let Some(url) = poll(&mut api, &job)? else {
            if position == started_at {
                return Err(Error::Transient(format!(
                    "ActBlue is still building CSV {job}; try again shortly"
                )));
            }
            // Progress was made (a job created or rows returned): keep it.
            return Ok(page(donations, Some(position.encode(range))));
        };
        let table = Table::parse(&api.download(&url)?, &[rows::LINEITEM_ID])?;
        let mut index = usize::try_from(position.offset).unwrap_or(usize::MAX);
        while index < table.len() && donations.len() < page_size {
            if let Some(row) = table.row(index) {
                // paid_contributions leaves refunded line items out: the refunded CSV brings
                // the contribution as well as its refund, each kept if inside the window.
                let found = match position.stage {
                    Stage::Paid => vec![mapping::contribution(&row)?],
                    Stage::Refunded => vec![mapping::contribution(&row)?, mapping::refund(&row)?],
                };
                for d in found {
                    let at = rfc3339_to_unix(&d.received_at)?;
                    if at >= since && until.is_none_or(|u| at < u) {
                        donations.push(d);
                    }
                }
            }
            index += 1;
        }
        position.offset = u64::try_from(index).unwrap_or(u64::MAX);
        if index < table.len() {
            return Ok(page(donations, Some(position.encode(range))));
        }
        match position.stage {
            Stage::Paid => {
                position = Position {
                    stage: Stage::Refunded,
                    job: None,
                    offset: 0,
                };
                if donations.len() >= page_size {
                    return Ok(page(donations, Some(position.encode(range))));
                }
            }
            Stage::Refunded => return Ok(page(donations, None)),
        }
    }
}

/// The job's download link once built, after at most [`MAX_POLLS`] polls; None while it is
/// still being built.
fn poll(api: &mut Api<'_>, job: &str) -> Result<Option<String>, Error> {
    for _ in 0..MAX_POLLS {
        let status = api.job(job)?;
        if let Some(url) = status.download_url.filter(|u| !u.trim().is_empty()) {
            return Ok(Some(url));
        }
        match status.status.as_deref() {
            None | Some("in_progress") | Some("pending") | Some("queued") => {}
            Some(other) => {
                return Err(Error::InvalidData(format!(
                    "ActBlue CSV {job} ended `{other}` without a download link"
                )));
            }
        }
    }
    Ok(None)
}

fn page(donations: Vec<Donation>, next_cursor: Option<String>) -> Page {
    Page {
        donations,
        fees: Vec::new(),
        next_cursor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_in_new_york_dates() {
        // 2024-05-01T04:00Z is midnight EDT; 2024-06-01T04:00Z too: May exactly.
        assert_eq!(
            date_range(1714536000, Some(1717214400)).unwrap(),
            ("2024-05-01".to_string(), "2024-06-01".to_string())
        );
        // Midnight UTC on 1 May is 8 pm on 30 April in New York.
        assert_eq!(
            date_range(1714521600, Some(1714608000)).unwrap(),
            ("2024-04-30".to_string(), "2024-05-02".to_string())
        );
    }
}
