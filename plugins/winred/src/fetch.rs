//! `fetch`: donations, then refunds, then disputes in the window, each list walked by keyset
//! (see `cursor.rs`). One call makes at most [`MAX_REQUESTS`] requests and returns at most
//! [`PAGE_TARGET`] donations; a failed request fails the call without moving the cursor, so
//! the caller retries from the same cursor and nothing is lost or repeated.

use intake_plugin_sdk::time::{unix_to_rfc3339, window_bounds};
use intake_plugin_sdk::{Error, Page, Settings, Window};

use crate::api::{Api, ListQuery};
use crate::config::Config;
use crate::cursor::{Phase, Position};
use crate::{mapping, wire};

pub const PAGE_TARGET: usize = 200;
pub const MAX_REQUESTS: u32 = 8;

/// The window as the API's `since` / `until` (UTC RFC 3339).
pub fn window_params(window: &Window) -> Result<(String, Option<String>), Error> {
    let (since, until) = window_bounds(window)?;
    Ok((
        unix_to_rfc3339(since)?,
        until.map(unix_to_rfc3339).transpose()?,
    ))
}

pub fn fetch(settings: &Settings, window: &Window, cursor: Option<&str>) -> Result<Page, Error> {
    let config = Config::from_settings(settings)?;
    let (since, until) = window_params(window)?;
    let mut position = match cursor {
        Some(c) => Position::decode(c)?,
        None => Position::START,
    };
    let mut api = Api::new(&config.api_base);
    let mut page = Page {
        donations: Vec::new(),
        fees: Vec::new(),
        next_cursor: None,
    };
    loop {
        if page.donations.len() >= PAGE_TARGET || api.requests >= MAX_REQUESTS {
            page.next_cursor = Some(position.encode());
            return Ok(page);
        }
        let query = ListQuery {
            since: Some(&since),
            until: until.as_deref(),
            starting_after: position.after.as_deref(),
            limit: PAGE_TARGET - page.donations.len(),
        };
        let (last_id, has_more) = match position.phase {
            Phase::Donations => {
                let list: wire::List<wire::Donation> = api.list("/v1/donations", &query)?;
                for w in &list.data {
                    page.donations.push(mapping::donation(w, &config)?);
                }
                (list.data.last().map(|w| w.id.clone()), list.has_more)
            }
            Phase::Refunds => {
                let list: wire::List<wire::Refund> = api.list("/v1/refunds", &query)?;
                for w in &list.data {
                    page.donations.push(mapping::refund(w, &config)?);
                }
                (list.data.last().map(|w| w.id.clone()), list.has_more)
            }
            Phase::Disputes => {
                let list: wire::List<wire::Dispute> = api.list("/v1/disputes", &query)?;
                for w in &list.data {
                    let (donation, fee) = mapping::dispute(w, &config)?;
                    page.donations.push(donation);
                    page.fees.extend(fee);
                }
                (list.data.last().map(|w| w.id.clone()), list.has_more)
            }
        };
        match last_id {
            // An empty list ends it, whatever `has_more` says: never loop on nothing.
            Some(id) if has_more => position.after = Some(id),
            _ => match position.phase.next() {
                Some(phase) => position = Position { phase, after: None },
                None => return Ok(page),
            },
        }
    }
}
