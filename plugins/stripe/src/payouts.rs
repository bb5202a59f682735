//! `fetch-payouts`: Stripe payouts that reached the bank in the window, each with what it
//! settles, read from `/v1/balance_transactions?payout=…`, so a CRM can match the deposit to
//! its donations. Ids match `fetch`: a charge's `ch_…`, a refund's `re_…`, a chargeback's
//! `dp_…`, a reversal's and a fee entry's `txn_…`.
//!
//! A page is up to 10 payouts, each complete; a call stops before a payout it cannot finish
//! within its request budget and the cursor resumes there. The cursor pins the pass's upper
//! bound as `fetch`'s does (see `cursor.rs`), on `arrival_date`.

use intake_plugin_sdk::money;
use intake_plugin_sdk::time::{unix_to_rfc3339, window_bounds};
use intake_plugin_sdk::{Error, Money, Payout, PayoutPage, Result, Window};

use crate::api;
use crate::config::Config;
use crate::cursor::Cursor;
use crate::normalize::currency;
use crate::wire::{self, BalanceTransaction, List};

const PAYOUTS_PER_PAGE: usize = 10;
/// Requests one call may make (the host allows 100).
const BUDGET: usize = 90;

/// What one payout settles, summed.
#[derive(Debug, Default, PartialEq)]
pub struct Settled {
    pub gross: i64,
    pub fees: i64,
    pub donation_ids: Vec<String>,
    pub fee_ids: Vec<String>,
}

impl Settled {
    /// Add one balance transaction of the payout; a sum past `i64` is [`Error::InvalidData`].
    pub fn add(&mut self, bt: &BalanceTransaction) -> Result<()> {
        let source = bt.source_id().unwrap_or_default().to_string();
        let category = bt.reporting_category.as_deref().unwrap_or(bt.kind.as_str());
        match (bt.kind.as_str(), category) {
            ("payout", _) | (_, "payout") | (_, "payout_reversal") => return Ok(()), // the payout itself
            (_, "dispute") => {
                self.donation_ids.push(source);
                if bt.fee != 0 {
                    self.fee_ids.push(bt.id.clone());
                }
            }
            (_, "dispute_reversal") => {
                self.donation_ids.push(bt.id.clone());
                if bt.fee != 0 {
                    self.fee_ids.push(bt.id.clone());
                }
            }
            ("charge" | "payment" | "refund" | "payment_refund" | "payment_failure_refund", _) => {
                self.donation_ids.push(if source.is_empty() {
                    bt.id.clone()
                } else {
                    source
                })
            }
            _ => {
                // Stripe's own fees and other adjustments: money on the books, not a donation.
                self.fee_ids.push(bt.id.clone());
                let cost = money::sub(bt.fee, bt.amount, "a Stripe fee entry")?;
                self.fees = money::add(self.fees, cost, "the payout's fees")?;
                return Ok(());
            }
        }
        self.gross = money::add(self.gross, bt.amount, "the payout's gross")?;
        self.fees = money::add(self.fees, bt.fee, "the payout's fees")?;
        Ok(())
    }
}

fn payout_record(p: &wire::Payout, settled: Settled) -> Result<Payout> {
    let code = currency(&p.currency)?;
    let money = |minor_units| Money {
        minor_units,
        currency: code.clone(),
    };
    let mut extra = vec![
        ("amount".to_string(), p.amount.to_string()),
        ("created".to_string(), unix_to_rfc3339(p.created)?),
    ];
    for (k, v) in [
        ("description", p.description.clone()),
        ("method", p.method.clone()),
        (
            "destination",
            p.destination.as_ref().map(|d| d.id().to_string()),
        ),
    ] {
        if let Some(v) = v {
            extra.push((k.to_string(), v));
        }
    }
    Ok(Payout {
        id: p.id.clone(),
        paid_at: unix_to_rfc3339(p.arrival_date)?,
        gross: money(settled.gross),
        fees: money(settled.fees),
        net: money(money::sub(settled.gross, settled.fees, "the payout's net")?),
        donation_ids: settled.donation_ids,
        fee_ids: settled.fee_ids,
        livemode: p.livemode,
        extra,
    })
}

/// Everything one payout settles; None when it needs more requests than `budget`.
fn settle(config: &Config, payout: &str, budget: &mut usize) -> Result<Option<Settled>> {
    let mut settled = Settled::default();
    let mut after: Option<String> = None;
    loop {
        if *budget == 0 {
            return Ok(None);
        }
        *budget -= 1;
        let mut q = vec![("limit", "100".to_string()), ("payout", payout.to_string())];
        if let Some(a) = &after {
            q.push(("starting_after", a.clone()));
        }
        let list =
            api::get::<List<BalanceTransaction>>(config, "/v1/balance_transactions", &q)?.body;
        for bt in &list.data {
            settled.add(bt)?;
        }
        if !list.has_more {
            return Ok(Some(settled));
        }
        after = list.data.last().map(|b| b.id.clone());
    }
}

pub fn fetch_payouts(config: &Config, window: &Window, cursor: Option<&str>) -> Result<PayoutPage> {
    let (since, until) = window_bounds(window)?;
    let mut cursor = match cursor {
        Some(text) => Cursor::decode(text, since, until)?,
        None => Cursor::start(since, until),
    };
    let mut q = vec![
        ("limit", PAYOUTS_PER_PAGE.to_string()),
        ("status", "paid".to_string()),
    ];
    for (k, v) in cursor.created_filters() {
        let field = match k {
            "created[gte]" => "arrival_date[gte]",
            "created[lte]" => "arrival_date[lte]",
            "created[lt]" => "arrival_date[lt]",
            other => other,
        };
        q.push((field, v));
    }
    if let Some(after) = &cursor.after {
        q.push(("starting_after", after.clone()));
    }
    let answer = api::get::<List<wire::Payout>>(config, "/v1/payouts", &q)?;
    cursor.pin(answer.server_time.unwrap_or_else(crate::fetch::now));
    let mut budget = BUDGET - 1;
    let mut page = PayoutPage {
        payouts: Vec::new(),
        next_cursor: None,
    };
    for p in &answer.body.data {
        if p.livemode != config.livemode {
            return Err(config.wrong_mode());
        }
        if p.status != "paid" {
            cursor.after = Some(p.id.clone());
            continue; // not at the bank (yet)
        }
        match settle(config, &p.id, &mut budget)? {
            Some(settled) => {
                page.payouts.push(payout_record(p, settled)?);
                cursor.after = Some(p.id.clone());
            }
            None if page.payouts.is_empty() => {
                return Err(Error::InvalidData(format!(
                    "payout {} settles more than one call can read ({BUDGET} pages)",
                    p.id
                )));
            }
            None => {
                page.next_cursor = Some(cursor.encode());
                return Ok(page);
            }
        }
    }
    if answer.body.has_more {
        page.next_cursor = Some(cursor.encode());
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bt(
        id: &str,
        kind: &str,
        category: &str,
        amount: i64,
        fee: i64,
        source: &str,
    ) -> BalanceTransaction {
        serde_json::from_value(serde_json::json!({"id": id, "amount": amount, "created": 1, "currency": "usd", "fee": fee,
            "net": amount.wrapping_sub(fee), "reporting_category": category, "source": source, "type": kind})).unwrap()
    }

    #[test]
    fn sums_what_a_payout_settles_with_the_ids_fetch_uses() {
        let mut s = Settled::default();
        for b in [
            bt("txn_1", "charge", "charge", 10_000, 250, "ch_1"),
            bt("txn_2", "refund", "refund", -2_000, 0, "re_1"),
            bt("txn_3", "adjustment", "dispute", -5_000, 1_500, "dp_1"),
            bt("txn_4", "adjustment", "dispute_reversal", 5_000, 0, "dp_1"),
            bt("txn_5", "stripe_fee", "fee", -300, 0, ""),
            bt("txn_6", "payout", "payout", -5_950, 0, "po_1"),
        ] {
            s.add(&b).unwrap();
        }
        assert_eq!(s.donation_ids, vec!["ch_1", "re_1", "dp_1", "txn_4"]);
        assert_eq!(s.fee_ids, vec!["txn_3", "txn_5"]);
        assert_eq!(s.gross, 8_000);
        assert_eq!(s.fees, 2_050);
        assert_eq!(s.gross - s.fees, 5_950, "what reached the bank");
    }

    #[test]
    fn sums_past_i64_are_invalid_data_not_a_wrap() {
        let mut s = Settled::default();
        s.add(&bt("txn_1", "charge", "charge", i64::MAX, 0, "ch_1"))
            .unwrap();
        let err = s
            .add(&bt("txn_2", "charge", "charge", 1, 0, "ch_2"))
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidData(m) if m == "the payout's gross overflows a 64-bit amount of minor units"),
            "{err:?}"
        );
        // A fee entry whose cost (fee - amount) itself overflows.
        let err = Settled::default()
            .add(&bt("txn_3", "stripe_fee", "fee", i64::MIN, 1, ""))
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidData(m) if m.starts_with("a Stripe fee entry overflows")),
            "{err:?}"
        );
        let settled = Settled {
            gross: i64::MIN,
            fees: 1,
            ..Settled::default()
        };
        let p: wire::Payout = serde_json::from_value(serde_json::json!({
            "id": "po_1", "amount": 0, "arrival_date": 1, "created": 1, "currency": "usd", "status": "paid",
            "livemode": false}))
        .unwrap();
        let err = payout_record(&p, settled).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidData(m) if m.starts_with("the payout's net overflows")),
            "{err:?}"
        );
    }
}
