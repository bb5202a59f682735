//! The payout export: one row per transaction a payout settles (`Source Code`, `Gross
//! Amount`, agency columns), grouped into payouts by `Payout ID`, else by `Payout Date`.

use std::collections::HashMap;

use intake_plugin_sdk::{DonationKind, FeeEntry, Payout};

use super::{Header, Import, Row, fee_and_net, reversal_kind, usd};
use crate::mapping::{self, columns};
use crate::normalize::clean;
use crate::records::Record;

struct Group {
    id: String,
    paid_at: Option<String>,
    latest: String,
    gross: i64,
    fees: i64,
    /// `gross - fees`, kept checked as rows are added.
    net: i64,
    donation_ids: Vec<String>,
    fee_ids: Vec<String>,
}

pub fn read(out: &mut Import, header: &Header, rows: &[Record]) {
    let mut groups = Groups::default();
    for record in rows {
        let row = Row::new(record, header);
        if let Err(why) = read_row(out, &row, &mut groups) {
            out.reject(row.line, why);
        }
    }
    for g in groups
        .list
        .into_iter()
        .filter(|g| !g.donation_ids.is_empty() || !g.fee_ids.is_empty())
    {
        let paid_at = g.paid_at.clone();
        out.file.payouts.push(Payout {
            id: g.id,
            paid_at: paid_at.clone().unwrap_or(g.latest),
            gross: usd(g.gross),
            fees: usd(g.fees),
            net: usd(g.net),
            donation_ids: g.donation_ids,
            fee_ids: g.fee_ids,
            livemode: true,
            extra: if paid_at.is_none() {
                vec![(
                    "paid_at".into(),
                    "latest transaction date: the export has no payout date".into(),
                )]
            } else {
                Vec::new()
            },
        });
    }
}

/// The payouts in file order, and where each id's is.
#[derive(Default)]
struct Groups {
    list: Vec<Group>,
    by_id: HashMap<String, usize>,
}

impl Group {
    /// Add a row's gross and fee, all three sums checked before any changes.
    fn add(&mut self, gross: i64, fee: i64) -> Result<(), String> {
        let new_gross = super::add(self.gross, gross, "the payout's gross")?;
        let new_fees = super::add(self.fees, fee, "the payout's fees")?;
        self.net = super::sub(new_gross, new_fees, "the payout's net")?;
        (self.gross, self.fees) = (new_gross, new_fees);
        Ok(())
    }
}

fn read_row(out: &mut Import, row: &Row<'_>, groups: &mut Groups) -> Result<(), String> {
    let received_at = row.date(columns::DATE, "date")?;
    let paid_at = match row.get(columns::PAYOUT_DATE) {
        Some(_) => Some(row.date(columns::PAYOUT_DATE, "payout date")?),
        None => None,
    };
    let payout_id = match (clean(row.get(columns::PAYOUT_ID)), &paid_at) {
        (Some(id), _) => id,
        (None, Some(date)) => format!("wr-payout-{}", date.get(..10).unwrap_or(date)),
        (None, None) => return Err("no payout id or payout date".into()),
    };
    let cents = row
        .cents(columns::GROSS, "gross amount")?
        .ok_or("no gross amount")?;
    let (fee, net) = fee_and_net(row, cents)?;
    let group_index = match groups.by_id.get(&payout_id) {
        Some(i) => *i,
        None => {
            groups.by_id.insert(payout_id.clone(), groups.list.len());
            groups.list.push(Group {
                id: payout_id.clone(),
                paid_at: paid_at.clone(),
                latest: received_at.clone(),
                gross: 0,
                fees: 0,
                net: 0,
                donation_ids: Vec::new(),
                fee_ids: Vec::new(),
            });
            groups.list.len() - 1
        }
    };
    if cents == 0 {
        let amount = super::fee_row_amount(fee, net)
            .ok_or("zero amount and no fee: neither a donation nor a fee")?;
        let id = out.id(
            row,
            &[
                &payout_id,
                &received_at,
                &cents.to_string(),
                &amount.to_string(),
            ],
        );
        let g = &mut groups.list[group_index];
        g.add(0, amount)?;
        g.fee_ids.push(id.clone());
        g.latest = g.latest.clone().max(received_at.clone());
        out.file.fees.push(FeeEntry {
            id,
            amount: usd(amount),
            charged_at: received_at,
            donation_id: clean(row.get(columns::REVERSES)),
            payout_id: Some(payout_id),
            description: "Chargeback fee".into(),
        });
        return Ok(());
    }
    let donor = row.person()?;
    let name = format!("{} {}", donor.first_name, donor.last_name);
    let id = out.id(
        row,
        &[
            &payout_id,
            &received_at,
            &name,
            &cents.to_string(),
            &fee.unwrap_or(0).to_string(),
        ],
    );
    let kind = reversal_kind(row.get(columns::TYPE), cents);
    let mut d = out.donation(id.clone(), kind, cents, received_at.clone(), donor);
    d.fee = fee.map(usd);
    d.net = net.map(usd);
    d.reverses = clean(row.get(columns::REVERSES));
    if kind == DonationKind::Contribution {
        d.recurrence = super::donations::recurring(row);
    }
    d.source = clean(row.get(columns::SOURCE)).or_else(|| clean(row.get(columns::PAGE)));
    d.payout_id = Some(payout_id);
    if row.get(columns::SOURCE).is_some() {
        mapping::push_extra(&mut d.extra, "page_name", row.get(columns::PAGE));
    }
    d.extra.extend(row.extras(columns::AGENCY));
    out.link_reversal(&mut d)?;
    let g = &mut groups.list[group_index];
    g.add(cents, fee.unwrap_or(0))?;
    g.donation_ids.push(id);
    g.latest = g.latest.clone().max(received_at);
    out.push_donation(d);
    Ok(())
}
