//! The record layouts of format 8.5: which column holds what, and how long it may be.
//!
//! Column numbers and lengths are the FEC's (`docs/fec.md`, the fecfile-validate schemas).
//! Each record is built as a full row of its layout, empty strings for unused columns.

use super::field::{amount, date, opt, text, zip};
use super::{Committee, CommitteeForm, Receipt, Report};
use intake_host::types::{Organization, PostalAddress};

/// The format version written in the HDR record.
pub const VERSION: &str = "8.5";
/// Columns of a Schedule A line.
pub const SA_COLUMNS: usize = 45;
/// Columns of an F3 cover record.
pub const F3_COLUMNS: usize = 93;
/// Columns of an F3X cover record.
pub const F3X_COLUMNS: usize = 123;
/// Itemization threshold: employer and occupation are due when the aggregate is over $200.
pub const ITEMIZE_OVER_CENTS: i64 = 20_000;
/// What the FEC's "best efforts" rule has a committee write when the donor did not say.
pub const INFORMATION_REQUESTED: &str = "INFORMATION REQUESTED";
/// The purpose on a conduit memo line (FECfile+'s wording).
pub const MEMO_PURPOSE: &str = "Total earmarked through conduit.";

/// The HDR record: 8 columns.
pub fn header(report: &Report) -> Vec<String> {
    vec![
        "HDR".into(),
        "FEC".into(),
        VERSION.into(),
        text(&report.software_name, 90),
        text(&report.software_version, 16),
        String::new(),
        String::new(),
        String::new(),
    ]
}

/// The cover record: F3N or F3XN, the committee, coverage and treasurer; summary amounts
/// are left empty (the filing software computes them from the whole report).
pub fn cover(committee: &Committee, report: &Report) -> Vec<String> {
    let t = &committee.treasurer;
    let treasurer = [
        text(&t.last, 30),
        text(&t.first, 20),
        opt(t.middle.as_deref(), 20),
        opt(t.prefix.as_deref(), 10),
        opt(t.suffix.as_deref(), 10),
        report.date_signed.map(date).unwrap_or_default(),
    ];
    let mut row = vec![
        match committee.form {
            CommitteeForm::F3 => "F3N".to_string(),
            CommitteeForm::F3X => "F3XN".to_string(),
        },
        committee.fec_id.clone(),
        text(&committee.name, 200),
        String::new(), // change of address
        text(&committee.street_1, 34),
        opt(committee.street_2.as_deref(), 34),
        text(&committee.city, 30),
        text(&committee.state, 2),
        zip(&committee.zip),
    ];
    let coverage = [date(report.from), date(report.through)];
    let total = match committee.form {
        CommitteeForm::F3 => {
            // election state, district; report code; election code, date, state
            row.extend(["".into(), "".into(), text(&report.report_code, 3)]);
            row.extend(["".into(), "".into(), "".into()]);
            row.extend(coverage);
            F3_COLUMNS
        }
        CommitteeForm::F3X => {
            row.push(text(&report.report_code, 3));
            row.extend(["".into(), "".into(), "".into()]);
            row.extend(coverage);
            row.push(String::new()); // qualified committee
            F3X_COLUMNS
        }
    };
    row.extend(treasurer);
    row.resize(total, String::new());
    row
}

fn address(row: &mut [String], at: usize, address: Option<&PostalAddress>) {
    if let Some(a) = address {
        row[at] = text(&a.line1, 34);
        row[at + 1] = opt(a.line2.as_deref(), 34);
        row[at + 2] = text(&a.city, 30);
        row[at + 3] = text(&a.region, 2);
        row[at + 4] = zip(&a.postal_code);
    }
}

/// Amounts already checked to fit ([`super::writer`] checks before building).
fn money(cents: i64) -> String {
    amount(cents).unwrap_or_default()
}

/// The receipt's SA11AI line: the individual, entity `IND`.
pub fn receipt(committee: &Committee, r: &Receipt) -> Vec<String> {
    let mut row = vec![String::new(); SA_COLUMNS];
    let p = &r.contributor;
    row[0] = "SA11AI".into();
    row[1] = committee.fec_id.clone();
    row[2] = r.transaction_id.clone();
    row[5] = "IND".into();
    row[7] = text(&p.last_name, 30);
    row[8] = text(&p.first_name, 20);
    row[9] = opt(p.middle_name.as_deref(), 20);
    row[10] = opt(p.prefix.as_deref(), 10);
    row[11] = opt(p.suffix.as_deref(), 10);
    address(&mut row, 12, p.address.as_ref());
    row[17] = text(&r.election_code, 5);
    row[19] = date(r.date);
    row[20] = money(r.amount_cents);
    row[21] = money(r.aggregate_cents);
    if let Some(memo) = &r.earmark {
        row[22] = text(&format!("Earmarked through {}", memo.conduit.name), 100);
    }
    if r.aggregate_cents > ITEMIZE_OVER_CENTS {
        let or_requested = |v: Option<&str>| {
            let v = opt(v, 38);
            if v.is_empty() {
                INFORMATION_REQUESTED.to_string()
            } else {
                v
            }
        };
        row[23] = or_requested(p.employer.as_deref());
        row[24] = or_requested(p.occupation.as_deref());
    }
    row
}

/// The conduit memo line: memo code `X`, entity `COM`, the conduit as the organization,
/// back-referencing the receipt. `conduit_aggregate` is the conduit's running total.
pub fn memo(
    committee: &Committee,
    r: &Receipt,
    memo_id: &str,
    conduit: &Organization,
    conduit_aggregate: i64,
) -> Vec<String> {
    let mut row = vec![String::new(); SA_COLUMNS];
    row[0] = "SA11AI".into();
    row[1] = committee.fec_id.clone();
    row[2] = memo_id.to_string();
    row[3] = r.transaction_id.clone();
    row[4] = "SA11AI".into();
    row[5] = "COM".into();
    row[6] = text(&conduit.name, 200);
    address(&mut row, 12, conduit.address.as_ref());
    row[17] = text(&r.election_code, 5);
    row[19] = date(r.date);
    row[20] = money(r.amount_cents);
    row[21] = money(conduit_aggregate);
    row[22] = MEMO_PURPOSE.into();
    row[25] = opt(conduit.fec_id.as_deref(), 9);
    row[42] = "X".into();
    row
}
