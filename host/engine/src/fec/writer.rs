//! [`write_report`]: checks everything first, then writes the rows.

use std::collections::{HashMap, HashSet};
use std::io::Write;

use super::field::{amount, is_committee_id, is_transaction_id};
use super::{Committee, FecError, Receipt, Report, record};

/// ASCII 28, the field separator of formats 6 and later.
const FS: &str = "\u{1c}";

/// Writes the report: HDR, the committee's cover record, then each receipt as an SA11AI
/// line, an earmarked receipt followed by its conduit memo line.
///
/// Every receipt is checked before anything is written, so a bad input leaves `out`
/// untouched; each error names the receipt it is about.
pub fn write_report(
    out: &mut dyn Write,
    committee: &Committee,
    report: &Report,
    receipts: &[Receipt],
) -> Result<(), FecError> {
    check_report(committee, report)?;
    let mut rows = vec![record::header(report), record::cover(committee, report)];
    let mut seen = HashSet::with_capacity(receipts.len() * 2);
    // The conduit's own running total per (conduit, election), for its memo lines.
    let mut conduit_totals: HashMap<(String, String), i64> = HashMap::new();
    for r in receipts {
        check_receipt(report, r)?;
        if !seen.insert(r.transaction_id.as_str()) {
            return Err(FecError::DuplicateTransactionId(r.transaction_id.clone()));
        }
        rows.push(record::receipt(committee, r));
        if let Some(memo) = &r.earmark {
            if !is_transaction_id(&memo.transaction_id) {
                return Err(FecError::BadTransactionId {
                    receipt: r.transaction_id.clone(),
                    id: memo.transaction_id.clone(),
                });
            }
            if !seen.insert(memo.transaction_id.as_str()) {
                return Err(FecError::DuplicateTransactionId(
                    memo.transaction_id.clone(),
                ));
            }
            if memo.conduit.name.trim().is_empty() {
                return Err(missing(r, "the conduit's name"));
            }
            let key = (
                memo.conduit
                    .fec_id
                    .clone()
                    .unwrap_or_else(|| memo.conduit.name.clone()),
                r.election_code.clone(),
            );
            let total = conduit_totals.entry(key).or_insert(0);
            *total = total
                .checked_add(r.amount_cents)
                .ok_or(FecError::Overflow {
                    receipt: r.transaction_id.clone(),
                    what: "conduit total",
                    cents: r.amount_cents,
                })?;
            fits(r, "conduit total", *total)?;
            rows.push(record::memo(
                committee,
                r,
                &memo.transaction_id,
                &memo.conduit,
                *total,
            ));
        }
    }
    let mut text = String::new();
    for row in &rows {
        text.push_str(&row.join(FS));
        text.push_str("\r\n");
    }
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

fn check_report(committee: &Committee, report: &Report) -> Result<(), FecError> {
    if !is_committee_id(&committee.fec_id) {
        return Err(FecError::BadCommitteeId(committee.fec_id.clone()));
    }
    if report.from > report.through {
        return Err(FecError::BadReport(format!(
            "coverage starts {} after it ends {}",
            report.from, report.through
        )));
    }
    let code = &report.report_code;
    if code.is_empty()
        || code.len() > 3
        || !code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return Err(FecError::BadReport(format!(
            "report code `{code}` must be 1-3 upper-case letters and digits, e.g. Q3, YE, 12G"
        )));
    }
    Ok(())
}

fn missing(r: &Receipt, what: &str) -> FecError {
    FecError::Missing {
        receipt: r.transaction_id.clone(),
        what: what.to_string(),
    }
}

fn fits(r: &Receipt, what: &'static str, cents: i64) -> Result<(), FecError> {
    match amount(cents) {
        Some(_) => Ok(()),
        None => Err(FecError::Overflow {
            receipt: r.transaction_id.clone(),
            what,
            cents,
        }),
    }
}

fn check_receipt(report: &Report, r: &Receipt) -> Result<(), FecError> {
    if !is_transaction_id(&r.transaction_id) {
        return Err(FecError::BadTransactionId {
            receipt: r.transaction_id.clone(),
            id: r.transaction_id.clone(),
        });
    }
    if r.amount_cents <= 0 {
        return Err(FecError::NotAReceipt {
            receipt: r.transaction_id.clone(),
            cents: r.amount_cents,
        });
    }
    fits(r, "amount", r.amount_cents)?;
    fits(r, "aggregate", r.aggregate_cents)?;
    if r.date < report.from || r.date > report.through {
        return Err(FecError::DateOutsideReport {
            receipt: r.transaction_id.clone(),
            date: r.date,
            from: report.from,
            through: report.through,
        });
    }
    let election = r.election_code.as_bytes();
    let election_ok = election.len() == 5
        && election[0].is_ascii_uppercase()
        && election[1..].iter().all(u8::is_ascii_digit);
    if !election_ok {
        return Err(missing(
            r,
            &format!(
                "an election code such as P2026 or G2026 (got `{}`)",
                r.election_code
            ),
        ));
    }
    let p = &r.contributor;
    if p.last_name.trim().is_empty() || p.first_name.trim().is_empty() {
        return Err(missing(r, "the contributor's first and last name"));
    }
    Ok(())
}
