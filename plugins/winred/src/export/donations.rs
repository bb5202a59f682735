//! The donations export: one row per transaction with donor columns and `Amount`.

use intake_plugin_sdk::{DonationKind, FeeEntry, Recurrence};

use super::{Header, Import, Row, fee_and_net, reversal_kind, usd};
use crate::mapping::{self, columns};
use crate::normalize::clean;
use crate::records::Record;

pub fn read(out: &mut Import, header: &Header, rows: &[Record]) {
    for record in rows {
        let row = Row::new(record, header);
        if let Err(why) = read_row(out, &row) {
            out.reject(row.line, why);
        }
    }
}

/// "Yes", "true", "1", "recurring", or an interval word.
pub fn recurring(row: &Row<'_>) -> Option<Recurrence> {
    let cell = row.get(columns::RECURRING)?.to_ascii_lowercase();
    let interval_word = mapping::interval(Some(&cell));
    let yes = matches!(
        cell.as_str(),
        "yes" | "y" | "true" | "1" | "recurring" | "x"
    ) || interval_word != intake_plugin_sdk::Interval::Other;
    if !yes {
        return None;
    }
    let interval = match row.get(columns::INTERVAL) {
        Some(i) => mapping::interval(Some(i)),
        None => interval_word,
    };
    Some(Recurrence {
        interval,
        installment: row.get(columns::INSTALLMENT).and_then(|i| i.parse().ok()),
        subscription_id: clean(row.get(columns::SUBSCRIPTION)),
    })
}

fn read_row(out: &mut Import, row: &Row<'_>) -> Result<(), String> {
    let received_at = row.date(columns::DATE, "date")?;
    let cents = row.cents(columns::AMOUNT, "amount")?.ok_or("no amount")?;
    let (fee, net) = fee_and_net(row, cents)?;
    let payout_id = clean(row.get(columns::PAYOUT_ID));
    if cents == 0 {
        let id = out.id(row, &[&received_at, "", "0", &fee.unwrap_or(0).to_string()]);
        let amount = super::fee_row_amount(fee, net)
            .ok_or("zero amount and no fee: neither a donation nor a fee")?;
        out.file.fees.push(FeeEntry {
            id,
            amount: usd(amount),
            charged_at: received_at,
            donation_id: clean(row.get(columns::REVERSES)),
            payout_id,
            description: "Chargeback fee".into(),
        });
        return Ok(());
    }
    let donor = row.person()?;
    let name = format!("{} {}", donor.first_name, donor.last_name);
    let id = out.id(
        row,
        &[
            &received_at,
            &name,
            &cents.to_string(),
            &fee.unwrap_or(0).to_string(),
        ],
    );
    let kind = reversal_kind(row.get(columns::TYPE), cents);
    let mut d = out.donation(id, kind, cents, received_at, donor);
    d.fee = fee.map(usd);
    d.net = net.map(usd);
    d.reverses = clean(row.get(columns::REVERSES));
    if kind == DonationKind::Contribution {
        d.recurrence = recurring(row);
    }
    d.source = clean(row.get(columns::SOURCE)).or_else(|| clean(row.get(columns::PAGE)));
    d.payout_id = payout_id;
    if row.get(columns::SOURCE).is_some() {
        mapping::push_extra(&mut d.extra, "page_name", row.get(columns::PAGE));
    }
    d.extra.extend(row.extras(columns::AGENCY));
    out.link_reversal(&mut d)?;
    out.push_donation(d);
    Ok(())
}
