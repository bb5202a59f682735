//! The host's last word on what a plugin returns: one normalized form, or a typed error.
//! A plugin's output is data from a sandbox, not something to trust.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::CallError;
use crate::types::{
    Donation, DonationKind, FeeEntry, FileImport, Money, Page, Payout, PayoutPage, Person,
    PluginError,
};

/// Bytes of a cursor: it is stored by the CRM and handed back; over this it is refused.
pub(crate) const MAX_CURSOR_BYTES: usize = 4 << 10;
/// Bytes of a plugin's error message kept; the rest is cut (on a char boundary).
pub(crate) const MAX_ERROR_BYTES: usize = 2 << 10;

fn invalid(what: &str, id: &str, why: impl std::fmt::Display) -> CallError {
    CallError::InvalidOutput(format!("{what} `{id}`: {why}"))
}

/// RFC 3339 in, RFC 3339 UTC ("…Z") out.
fn utc(what: &str, id: &str, text: &mut String) -> Result<(), CallError> {
    let t = OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| invalid(what, id, format!("time `{text}` is not RFC 3339: {e}")))?;
    // Checked: a time near year 9999 with a negative offset has no UTC in range.
    let utc = t
        .checked_to_offset(time::UtcOffset::UTC)
        .ok_or_else(|| invalid(what, id, format!("time `{text}` is out of range in UTC")))?;
    *text = utc.format(&Rfc3339).map_err(|e| invalid(what, id, e))?;
    Ok(())
}

/// `money` is in the currency of `of`, or the record is refused.
fn same_currency(
    what: &str,
    id: &str,
    name: &str,
    money: &Money,
    of: &Money,
) -> Result<(), CallError> {
    if money.currency != of.currency {
        return Err(invalid(
            what,
            id,
            format!(
                "{name} is in {} but the amount is in {}",
                money.currency, of.currency
            ),
        ));
    }
    Ok(())
}

/// `left - right`, or the record is refused (an overflow is a broken record, not a panic).
fn minus(what: &str, id: &str, left: &Money, right: &Money) -> Result<i64, CallError> {
    left.minor_units
        .checked_sub(right.minor_units)
        .ok_or_else(|| {
            invalid(
                what,
                id,
                format!("{} minus {} overflows", left.minor_units, right.minor_units),
            )
        })
}

/// The contract's money rules for a donation: fee ≥ 0, fee and net in the amount's currency,
/// and net = amount − fee when all three are given.
fn donation_money(id: &str, d: &Donation) -> Result<(), CallError> {
    if let Some(fee) = &d.fee {
        same_currency("donation", id, "fee", fee, &d.amount)?;
        if fee.minor_units < 0 {
            return Err(invalid(
                "donation",
                id,
                format!("fee {} is negative", fee.minor_units),
            ));
        }
    }
    if let Some(net) = &d.net {
        same_currency("donation", id, "net", net, &d.amount)?;
    }
    if let (Some(fee), Some(net)) = (&d.fee, &d.net) {
        let expected = minus("donation", id, &d.amount, fee)?;
        if net.minor_units != expected {
            return Err(invalid(
                "donation",
                id,
                format!(
                    "net {} is not amount {} minus fee {}",
                    net.minor_units, d.amount.minor_units, fee.minor_units
                ),
            ));
        }
    }
    Ok(())
}

fn currency(what: &str, id: &str, money: &mut Money) -> Result<(), CallError> {
    money.currency = money.currency.trim().to_ascii_uppercase();
    if money.currency.len() != 3 || !money.currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(invalid(
            what,
            id,
            format!("currency `{}` is not ISO 4217", money.currency),
        ));
    }
    Ok(())
}

fn tidy(text: &mut String) {
    let trimmed = text.trim();
    if trimmed.len() != text.len() {
        *text = trimmed.to_string();
    }
}

fn tidy_opt(text: &mut Option<String>) {
    if let Some(t) = text {
        tidy(t);
        if t.is_empty() {
            *text = None;
        }
    }
}

fn person(p: &mut Person) {
    for field in [&mut p.first_name, &mut p.last_name] {
        tidy(field);
    }
    for field in [
        &mut p.prefix,
        &mut p.middle_name,
        &mut p.suffix,
        &mut p.email,
        &mut p.phone,
        &mut p.employer,
        &mut p.occupation,
    ] {
        tidy_opt(field);
    }
    if let Some(a) = &mut p.address {
        tidy(&mut a.line1);
        tidy(&mut a.city);
        tidy_opt(&mut a.line2);
        a.region = a.region.trim().to_ascii_uppercase();
        a.country = a.country.trim().to_ascii_uppercase();
        tidy(&mut a.postal_code);
    }
}

pub(crate) fn donation(d: &mut Donation) -> Result<(), CallError> {
    if d.id.trim().is_empty() {
        return Err(CallError::InvalidOutput(
            "a donation has an empty id".into(),
        ));
    }
    let id = d.id.clone();
    utc("donation", &id, &mut d.received_at)?;
    currency("donation", &id, &mut d.amount)?;
    for money in [&mut d.fee, &mut d.net].into_iter().flatten() {
        currency("donation", &id, money)?;
    }
    donation_money(&id, d)?;
    let reversal = !matches!(d.kind, DonationKind::Contribution);
    if reversal && d.reverses.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Err(invalid(
            "donation",
            &id,
            "a refund, chargeback or reversal must name what it reverses",
        ));
    }
    let sign_ok = match d.kind {
        DonationKind::Contribution | DonationKind::ChargebackReversal => d.amount.minor_units >= 0,
        DonationKind::Refund | DonationKind::Chargeback => d.amount.minor_units <= 0,
    };
    if !sign_ok {
        return Err(invalid(
            "donation",
            &id,
            format!(
                "amount {} has the wrong sign for {:?}",
                d.amount.minor_units, d.kind
            ),
        ));
    }
    person(&mut d.donor);
    tidy_opt(&mut d.source);
    Ok(())
}

pub(crate) fn fee(f: &mut FeeEntry) -> Result<(), CallError> {
    let id = f.id.clone();
    utc("fee entry", &id, &mut f.charged_at)?;
    currency("fee entry", &id, &mut f.amount)
}

pub(crate) fn payout(p: &mut Payout) -> Result<(), CallError> {
    let id = p.id.clone();
    utc("payout", &id, &mut p.paid_at)?;
    for money in [&mut p.gross, &mut p.fees, &mut p.net] {
        currency("payout", &id, money)?;
    }
    same_currency("payout", &id, "fees", &p.fees, &p.gross)?;
    same_currency("payout", &id, "net", &p.net, &p.gross)?;
    let expected = minus("payout", &id, &p.gross, &p.fees)?;
    if p.net.minor_units != expected {
        return Err(invalid(
            "payout",
            &id,
            format!(
                "net {} is not gross {} minus fees {}",
                p.net.minor_units, p.gross.minor_units, p.fees.minor_units
            ),
        ));
    }
    Ok(())
}

fn cursor(cursor: &Option<String>) -> Result<(), CallError> {
    match cursor {
        Some(c) if c.len() > MAX_CURSOR_BYTES => Err(CallError::InvalidOutput(format!(
            "the next cursor is {} bytes, over the cap of {MAX_CURSOR_BYTES}",
            c.len()
        ))),
        _ => Ok(()),
    }
}

pub(crate) fn page(mut page: Page) -> Result<Page, CallError> {
    cursor(&page.next_cursor)?;
    page.donations.iter_mut().try_for_each(donation)?;
    page.fees.iter_mut().try_for_each(fee)?;
    Ok(page)
}

pub(crate) fn payout_page(mut page: PayoutPage) -> Result<PayoutPage, CallError> {
    cursor(&page.next_cursor)?;
    page.payouts.iter_mut().try_for_each(payout)?;
    Ok(page)
}

pub(crate) fn file_import(mut import: FileImport) -> Result<FileImport, CallError> {
    import.donations.iter_mut().try_for_each(donation)?;
    import.fees.iter_mut().try_for_each(fee)?;
    import.payouts.iter_mut().try_for_each(payout)?;
    for row in &mut import.rejected {
        truncate(&mut row.message);
    }
    Ok(import)
}

/// Cut `text` to `MAX_ERROR_BYTES` on a char boundary.
fn truncate(text: &mut String) {
    if text.len() > MAX_ERROR_BYTES {
        let mut end = MAX_ERROR_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
}

/// The plugin's error with its message capped.
pub(crate) fn plugin_error(mut e: PluginError) -> PluginError {
    match &mut e {
        PluginError::Config(m)
        | PluginError::Auth(m)
        | PluginError::Transient(m)
        | PluginError::InvalidData(m) => truncate(m),
        PluginError::RateLimited(_) | PluginError::Unsupported => {}
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Donation {
        Donation {
            id: "ch_1".into(),
            kind: DonationKind::Contribution,
            reverses: None,
            amount: Money {
                minor_units: 2500,
                currency: "usd".into(),
            },
            fee: None,
            net: None,
            received_at: "2024-05-01T09:00:00-04:00".into(),
            donor: Person {
                prefix: None,
                first_name: " Ada ".into(),
                middle_name: Some(" ".into()),
                last_name: "Lovelace".into(),
                suffix: None,
                email: None,
                phone: None,
                address: None,
                employer: None,
                occupation: None,
                processor_donor_id: None,
            },
            recurrence: None,
            earmark: None,
            source: None,
            payout_id: None,
            livemode: false,
            extra: vec![],
        }
    }

    #[test]
    fn normalizes_time_currency_and_blanks() {
        let mut d = sample();
        donation(&mut d).unwrap();
        assert_eq!(d.received_at, "2024-05-01T13:00:00Z");
        assert_eq!(d.amount.currency, "USD");
        assert_eq!(d.donor.first_name, "Ada");
        assert_eq!(d.donor.middle_name, None);
    }

    #[test]
    fn refuses_what_breaks_the_contract() {
        let mut d = sample();
        d.received_at = "yesterday".into();
        assert!(
            matches!(donation(&mut d), Err(CallError::InvalidOutput(m)) if m.contains("RFC 3339"))
        );
        let mut d = sample();
        d.kind = DonationKind::Refund;
        d.amount.minor_units = -2500;
        assert!(
            matches!(donation(&mut d), Err(CallError::InvalidOutput(m)) if m.contains("reverses"))
        );
        d.reverses = Some("ch_0".into());
        assert!(donation(&mut d).is_ok());
        d.amount.minor_units = 2500;
        assert!(matches!(donation(&mut d), Err(CallError::InvalidOutput(m)) if m.contains("sign")));
        let mut d = sample();
        d.amount.currency = "dollars".into();
        assert!(donation(&mut d).is_err());
    }

    fn err(r: Result<(), CallError>) -> String {
        match r {
            Err(CallError::InvalidOutput(m)) => m,
            other => panic!("expected InvalidOutput, got {other:?}"),
        }
    }

    #[test]
    fn a_time_with_no_utc_in_range_is_refused_not_a_panic() {
        let mut d = sample();
        d.received_at = "9999-12-31T23:59:59-01:00".into();
        let m = err(donation(&mut d));
        assert!(
            m.contains("donation `ch_1`") && m.contains("out of range"),
            "{m}"
        );
    }

    fn usd(minor_units: i64) -> Money {
        Money {
            minor_units,
            currency: "USD".into(),
        }
    }

    #[test]
    fn donation_money_must_add_up() {
        let mut d = sample();
        (d.fee, d.net) = (Some(usd(103)), Some(usd(2397)));
        assert!(donation(&mut d).is_ok());

        let mut d = sample();
        d.fee = Some(usd(-1));
        assert!(err(donation(&mut d)).contains("fee -1 is negative"));

        let mut d = sample();
        d.fee = Some(Money {
            minor_units: 1,
            currency: "EUR".into(),
        });
        assert!(err(donation(&mut d)).contains("fee is in EUR but the amount is in USD"));

        let mut d = sample();
        d.net = Some(Money {
            minor_units: 2500,
            currency: "eur".into(),
        });
        assert!(err(donation(&mut d)).contains("net is in EUR"));

        let mut d = sample();
        (d.fee, d.net) = (Some(usd(100)), Some(usd(2500)));
        assert_eq!(
            err(donation(&mut d)),
            "donation `ch_1`: net 2500 is not amount 2500 minus fee 100"
        );

        let mut d = sample();
        d.kind = DonationKind::Refund;
        d.reverses = Some("ch_0".into());
        d.amount = usd(i64::MIN);
        (d.fee, d.net) = (Some(usd(1)), Some(usd(0)));
        assert!(err(donation(&mut d)).contains("overflows"));
    }

    fn sample_payout() -> Payout {
        Payout {
            id: "po_1".into(),
            paid_at: "2024-05-02T00:00:00Z".into(),
            gross: usd(10_000),
            fees: usd(320),
            net: usd(9_680),
            donation_ids: vec![],
            fee_ids: vec![],
            livemode: false,
            extra: vec![],
        }
    }

    #[test]
    fn payout_net_is_gross_minus_fees() {
        assert!(payout(&mut sample_payout()).is_ok());
        let mut p = sample_payout();
        p.net = usd(10_000);
        assert_eq!(
            err(payout(&mut p)),
            "payout `po_1`: net 10000 is not gross 10000 minus fees 320"
        );
        let mut p = sample_payout();
        p.fees.currency = "CAD".into();
        assert!(err(payout(&mut p)).contains("fees is in CAD but the amount is in USD"));
        let mut p = sample_payout();
        p.gross = usd(i64::MIN);
        assert!(err(payout(&mut p)).contains("overflows"));
    }

    #[test]
    fn cursor_and_error_sizes_are_capped() {
        let long = Some("c".repeat(MAX_CURSOR_BYTES + 1));
        let page_over = Page {
            donations: vec![],
            fees: vec![],
            next_cursor: long,
        };
        assert!(
            matches!(page(page_over), Err(CallError::InvalidOutput(m)) if m.contains("4097 bytes"))
        );
        let ok = Page {
            donations: vec![],
            fees: vec![],
            next_cursor: Some("c".repeat(MAX_CURSOR_BYTES)),
        };
        assert!(page(ok).is_ok());

        // Multi-byte characters straddling the cap: cut before the one that would not fit.
        let e = plugin_error(PluginError::Transient("é".repeat(MAX_ERROR_BYTES)));
        let PluginError::Transient(m) = e else {
            panic!()
        };
        assert_eq!(m, format!("{}…", "é".repeat(MAX_ERROR_BYTES / 2)));
    }
}
