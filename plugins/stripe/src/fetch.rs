//! `fetch`: one page of a pass over the window (see `cursor.rs` for how a pass resumes).
//! One call makes at most [`MAX_REQUESTS`] list requests of 100 objects each, with the
//! objects the records need expanded in the same request (no lookups per object). A list
//! that ends mid-call hands over to the next one in the same call while the page is small.

use std::time::{SystemTime, UNIX_EPOCH};

use intake_plugin_sdk::time::window_bounds;
use intake_plugin_sdk::{Error, Page, Result, Window};
use serde::de::DeserializeOwned;

use crate::api;
use crate::config::Config;
use crate::cursor::{Cursor, Stream};
use crate::normalize;
use crate::wire::{BalanceTransaction, Charge, Dispute, List, Refund};

/// Stripe's largest page.
pub const PAGE: usize = 100;
/// List requests per call at most (one per list in the worst case).
pub const MAX_REQUESTS: usize = 5;

fn path(stream: Stream) -> &'static str {
    match stream {
        Stream::Charges | Stream::Payments => "/v1/balance_transactions",
        Stream::Refunds => "/v1/refunds",
        Stream::Disputes => "/v1/disputes",
        Stream::Reversals => "/v1/balance_transactions",
    }
}

/// What each list expands so that one request carries every field the records need.
fn expand(stream: Stream) -> &'static [&'static str] {
    match stream {
        Stream::Charges | Stream::Payments => {
            &["data.source", "data.source.customer", "data.source.invoice"]
        }
        Stream::Refunds => &[
            "data.balance_transaction",
            "data.charge",
            "data.charge.customer",
        ],
        Stream::Disputes => &["data.charge", "data.charge.customer"],
        Stream::Reversals => &[
            "data.source",
            "data.source.charge",
            "data.source.charge.customer",
        ],
    }
}

pub fn query(cursor: &Cursor) -> Vec<(&'static str, String)> {
    let mut q = vec![("limit", PAGE.to_string())];
    q.extend(cursor.created_filters());
    match cursor.stream {
        Stream::Charges => q.push(("type", "charge".into())),
        Stream::Payments => q.push(("type", "payment".into())),
        Stream::Reversals => q.push(("type", "adjustment".into())),
        Stream::Refunds | Stream::Disputes => {}
    }
    if let Some(after) = &cursor.after {
        q.push(("starting_after", after.clone()));
    }
    for e in expand(cursor.stream) {
        q.push(("expand[]", e.to_string()));
    }
    q
}

/// Our clock, when the server did not say its own.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(i64::MAX)
}

/// One list page: its objects, whether more follow, the server's clock.
struct Listed<T> {
    items: Vec<T>,
    has_more: bool,
    server_time: Option<i64>,
}

fn list<T: DeserializeOwned>(config: &Config, cursor: &Cursor) -> Result<Listed<T>> {
    let answer = api::get::<List<T>>(config, path(cursor.stream), &query(cursor))?;
    Ok(Listed {
        items: answer.body.data,
        has_more: answer.body.has_more,
        server_time: answer.server_time,
    })
}

/// The charge a contribution's balance transaction moved money for (expanded `source`).
fn settled_charge(bt: &BalanceTransaction) -> Result<Option<Charge>> {
    let Some(source) = bt.source.clone() else {
        return Ok(None);
    };
    if source.is_string() {
        return Err(Error::InvalidData(format!(
            "balance transaction {}: its source was not expanded",
            bt.id
        )));
    }
    serde_json::from_value(source).map(Some).map_err(|e| {
        Error::InvalidData(format!(
            "balance transaction {}: its charge is unreadable: {e}",
            bt.id
        ))
    })
}

/// Read one page of `cursor`'s list into `page`; the last id read and whether more follow.
/// Objects outside the pass's range are dropped (and logged): the server's `created` filter
/// is not trusted.
fn read(config: &Config, cursor: &mut Cursor, page: &mut Page) -> Result<(Option<String>, bool)> {
    macro_rules! each {
        ($t:ty, |$item:ident| $body:block) => {{
            let listed: Listed<$t> = list(config, cursor)?;
            cursor.pin(listed.server_time.unwrap_or_else(now));
            let mut outside = 0usize;
            for $item in &listed.items {
                if !cursor.contains($item.created) {
                    outside += 1;
                    continue;
                }
                $body
            }
            if outside > 0 {
                intake_plugin_sdk::log::warn(format!(
                    "{} returned {outside} object(s) outside the window asked for: dropped",
                    path(cursor.stream)
                ));
            }
            (listed.items.last().map(|i| i.id.clone()), listed.has_more)
        }};
    }
    Ok(match cursor.stream {
        Stream::Charges | Stream::Payments => each!(BalanceTransaction, |bt| {
            if let Some(charge) = settled_charge(bt)? {
                page.donations
                    .extend(normalize::settled_contribution(&charge, Some(bt), config)?);
            }
        }),
        Stream::Refunds => each!(Refund, |refund| {
            page.donations
                .extend(normalize::refund(refund, None, config)?);
        }),
        Stream::Disputes => each!(Dispute, |dispute| {
            let (donation, fees) = normalize::chargeback(dispute, config)?;
            page.donations.extend(donation);
            page.fees.extend(fees);
        }),
        Stream::Reversals => each!(BalanceTransaction, |bt| {
            if normalize::is_reinstatement(bt)
                && bt.source_id().is_some_and(|s| s.starts_with("dp_"))
            {
                let source = bt.source.clone().unwrap_or_default();
                let dispute: Dispute = serde_json::from_value(source).map_err(|e| {
                    Error::InvalidData(format!(
                        "balance transaction {}: its dispute is unreadable: {e}",
                        bt.id
                    ))
                })?;
                let (donation, fee) = normalize::reversal(bt, &dispute, config)?;
                page.donations.push(donation);
                page.fees.extend(fee);
            }
        }),
    })
}

pub fn fetch(config: &Config, window: &Window, cursor: Option<&str>) -> Result<Page> {
    let (since, until) = window_bounds(window)?;
    let mut cursor = match cursor {
        Some(text) => Cursor::decode(text, since, until)?,
        None => Cursor::start(since, until),
    };
    let mut page = Page {
        donations: Vec::new(),
        fees: Vec::new(),
        next_cursor: None,
    };
    for _ in 0..MAX_REQUESTS {
        if cursor.is_empty() {
            return Ok(page);
        }
        let (last, has_more) = read(config, &mut cursor, &mut page)?;
        if has_more {
            cursor.after = Some(last.ok_or_else(|| {
                Error::InvalidData(format!(
                    "{} said has_more with an empty page",
                    path(cursor.stream)
                ))
            })?);
        } else {
            match cursor.stream.next() {
                Some(next) => {
                    cursor.stream = next;
                    cursor.after = None;
                }
                None => return Ok(page), // the window is exhausted
            }
        }
        if has_more || page.donations.len() >= PAGE {
            break;
        }
    }
    page.next_cursor = Some(cursor.encode());
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asks_for_full_pages_within_the_pinned_bound_with_what_records_need() {
        let mut c = Cursor::start(1_000, None);
        c.pin(2_000);
        c.after = Some("ch_9".into());
        let q = query(&c);
        let has = |k: &str, v: &str| q.contains(&(k, v.to_string()));
        assert!(
            has("limit", "100")
                && has("created[gte]", "1000")
                && has("created[lte]", "2000")
                && has("starting_after", "ch_9")
        );
        assert!(
            has("type", "charge")
                && has("expand[]", "data.source")
                && has("expand[]", "data.source.customer")
                && has("expand[]", "data.source.invoice")
        );
        c.stream = Stream::Payments;
        assert!(query(&c).contains(&("type", "payment".to_string())));
        c.stream = Stream::Reversals;
        c.after = None;
        let q = query(&c);
        assert!(q.contains(&("type", "adjustment".to_string())));
        assert!(!q.iter().any(|(k, _)| *k == "starting_after"));
    }
}
