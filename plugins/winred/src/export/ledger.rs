//! The accounting ledger: Type / Date / Name / Gross / Fee / Net / Balance. A `Payout` row
//! settles every row since the previous `Payout` row; its amount must equal their net.

use intake_plugin_sdk::{DonationKind, FeeEntry, Payout};

use super::{Header, Import, Row, add, dollars, fee_and_net, sub, usd};
use crate::mapping::columns;
use crate::records::Record;

/// What the rows since the last payout add up to.
#[derive(Default)]
struct Pending {
    gross: i64,
    fees: i64,
    donation_ids: Vec<(usize, String)>,
    fee_ids: Vec<(usize, String)>,
    /// A row in the segment was rejected: the payout cannot be checked.
    broken: bool,
}

pub fn read(out: &mut Import, header: &Header, rows: &[Record]) {
    let mut pending = Pending::default();
    for record in rows {
        let row = Row::new(record, header);
        let result = match row.get(columns::TYPE).map(|t| t.to_ascii_lowercase()) {
            Some(t) if t.contains("payout") => read_payout(out, &row, std::mem::take(&mut pending)),
            _ => read_entry(out, &row, &mut pending),
        };
        if let Err(why) = result {
            out.reject(row.line, why);
        }
    }
}

fn read_entry(out: &mut Import, row: &Row<'_>, pending: &mut Pending) -> Result<(), String> {
    let result = entry(out, row, pending);
    if result.is_err() {
        pending.broken = true;
    }
    result
}

fn entry(out: &mut Import, row: &Row<'_>, pending: &mut Pending) -> Result<(), String> {
    let type_cell = row.get(columns::TYPE).ok_or("no type")?;
    let t = type_cell.to_ascii_lowercase();
    let received_at = row.date(columns::DATE, "date")?;
    let gross = row.cents(columns::GROSS, "gross")?.ok_or("no gross")?;
    let (fee, net) = fee_and_net(row, gross)?;
    let name = row.get(columns::NAME).unwrap_or("");
    let id = out.id(
        row,
        &[
            &t,
            &received_at,
            name,
            &gross.to_string(),
            &fee.unwrap_or(0).to_string(),
        ],
    );
    let kind = if t.contains("donation") || t.contains("contribution") {
        if gross <= 0 {
            return Err(format!("a donation of {}", dollars(gross)));
        }
        DonationKind::Contribution
    } else if t.contains("refund") {
        DonationKind::Refund
    } else if t.contains("dispute") || t.contains("chargeback") {
        if gross == 0 {
            let amount =
                super::fee_row_amount(fee, net).ok_or("a dispute row of $0.00 with no fee")?;
            pending.fees = add(pending.fees, amount, "the fees since the last payout")?;
            pending.fee_ids.push((out.file.fees.len(), id.clone()));
            out.file.fees.push(FeeEntry {
                id,
                amount: usd(amount),
                charged_at: received_at,
                donation_id: None,
                payout_id: None,
                description: "Chargeback fee".into(),
            });
            return Ok(());
        }
        if gross < 0 {
            DonationKind::Chargeback
        } else {
            DonationKind::ChargebackReversal
        }
    } else {
        return Err(format!(
            "unknown type `{type_cell}` (expected Donation, Refund, Dispute or Payout)"
        ));
    };
    // Refunds and chargebacks take money back, whichever sign the export wrote.
    let cents = match kind {
        DonationKind::Refund | DonationKind::Chargeback => -gross
            .checked_abs()
            .ok_or("gross overflows a 64-bit amount")?,
        _ => gross,
    };
    let net = if cents != gross {
        net.map(|n| add(n, sub(cents, gross, "net")?, "net"))
            .transpose()?
    } else {
        net
    };
    let donor = row.person()?;
    let mut d = out.donation(id.clone(), kind, cents, received_at, donor);
    d.fee = fee.map(usd);
    d.net = net.map(usd);
    out.link_reversal(&mut d)?;
    pending.gross = add(pending.gross, cents, "the gross since the last payout")?;
    pending.fees = add(
        pending.fees,
        fee.unwrap_or(0),
        "the fees since the last payout",
    )?;
    let index = out.push_donation(d);
    pending.donation_ids.push((index, id));
    Ok(())
}

fn read_payout(out: &mut Import, row: &Row<'_>, pending: Pending) -> Result<(), String> {
    let paid_at = row.date(columns::DATE, "date")?;
    let amount = match row.cents(columns::NET, "net")? {
        Some(n) => n,
        None => row.cents(columns::GROSS, "gross")?.ok_or("no amount")?,
    }
    .checked_abs()
    .ok_or("payout amount overflows a 64-bit amount")?;
    let settled = sub(pending.gross, pending.fees, "the net since the last payout")?;
    if pending.broken {
        return Err(format!(
            "payout of {} settles a row that was rejected, so it cannot be checked",
            dollars(amount)
        ));
    }
    if amount != settled {
        return Err(format!(
            "payout of {} does not match the {} net of the {} rows since the previous payout (the export starts mid-period?)",
            dollars(amount),
            dollars(settled),
            pending.donation_ids.len() + pending.fee_ids.len()
        ));
    }
    let id = out.id(row, &["payout", &paid_at, &amount.to_string()]);
    for (i, _) in &pending.donation_ids {
        out.file.donations[*i].payout_id = Some(id.clone());
    }
    for (i, _) in &pending.fee_ids {
        out.file.fees[*i].payout_id = Some(id.clone());
    }
    out.file.payouts.push(Payout {
        id,
        paid_at,
        gross: usd(pending.gross),
        fees: usd(pending.fees),
        net: usd(settled),
        donation_ids: pending.donation_ids.into_iter().map(|(_, id)| id).collect(),
        fee_ids: pending.fee_ids.into_iter().map(|(_, id)| id).collect(),
        livemode: true,
        extra: Vec::new(),
    });
    Ok(())
}
