//! `fetch-payouts`: payouts paid in the window, each with every transaction it settles.
//! A call lists up to [`PAYOUTS_PER_CALL`] payouts and pages through each one's
//! transactions; it stops after the last payout it could finish within [`MAX_REQUESTS`], and
//! the cursor (the last payout returned) resumes after it.

use intake_plugin_sdk::money;
use intake_plugin_sdk::{Error, PayoutPage, Settings, Window};

use crate::api::{Api, ListQuery};
use crate::config::Config;
use crate::cursor::{decode_payout, encode_payout};
use crate::fetch::window_params;
use crate::{mapping, wire};

pub const PAYOUTS_PER_CALL: usize = 20;
pub const TRANSACTIONS_PER_REQUEST: usize = 1000;
pub const MAX_REQUESTS: u32 = 80;

pub fn fetch_payouts(
    settings: &Settings,
    window: &Window,
    cursor: Option<&str>,
) -> Result<PayoutPage, Error> {
    let config = Config::from_settings(settings)?;
    let (since, until) = window_params(window)?;
    let after = cursor.map(decode_payout).transpose()?.flatten();
    let mut api = Api::new(&config.api_base);
    let list: wire::List<wire::Payout> = api.list(
        "/v1/payouts",
        &ListQuery {
            since: Some(&since),
            until: until.as_deref(),
            starting_after: after.as_deref(),
            limit: PAYOUTS_PER_CALL,
        },
    )?;
    let mut page = PayoutPage {
        payouts: Vec::new(),
        next_cursor: None,
    };
    let mut stopped_early = false;
    for p in &list.data {
        let pages_needed = (p.transaction_count.unwrap_or(0) as usize)
            .div_ceil(TRANSACTIONS_PER_REQUEST)
            .max(1) as u32;
        if !page.payouts.is_empty() && api.requests + pages_needed > MAX_REQUESTS {
            stopped_early = true;
            break;
        }
        let transactions = transactions(&mut api, &p.id)?;
        check_sums(p, &transactions)?;
        page.payouts.push(mapping::payout(p, &transactions)?);
    }
    if stopped_early || (list.has_more && !list.data.is_empty()) {
        page.next_cursor = page.payouts.last().map(|p| encode_payout(&p.id));
    }
    Ok(page)
}

fn transactions(api: &mut Api<'_>, payout_id: &str) -> Result<Vec<wire::PayoutTransaction>, Error> {
    let path = format!("/v1/payouts/{payout_id}/transactions");
    let mut all: Vec<wire::PayoutTransaction> = Vec::new();
    loop {
        let list: wire::List<wire::PayoutTransaction> = api.list(
            &path,
            &ListQuery {
                since: None,
                until: None,
                starting_after: all.last().map(|t| t.id.as_str()),
                limit: TRANSACTIONS_PER_REQUEST,
            },
        )?;
        let done = !list.has_more || list.data.is_empty();
        all.extend(list.data);
        if done {
            return Ok(all);
        }
    }
}

/// The payout's gross and fees must be what its transactions add up to.
fn check_sums(p: &wire::Payout, transactions: &[wire::PayoutTransaction]) -> Result<(), Error> {
    let what = |sum: &str| format!("payout {}: the sum of its transactions' {sum}", p.id);
    let gross = money::sum(transactions.iter().map(|t| t.amount.0), &what("amounts"))?;
    let fees = money::sum(
        transactions.iter().filter_map(|t| t.fee).map(|f| f.0),
        &what("fees"),
    )?;
    if gross != p.gross.0 || fees != p.fees.0 {
        return Err(Error::InvalidData(format!(
            "payout {}: its {} transactions add up to gross {gross} and fees {fees} (cents), but it says gross {} and fees {}",
            p.id,
            transactions.len(),
            p.gross.0,
            p.fees.0
        )));
    }
    Ok(())
}
