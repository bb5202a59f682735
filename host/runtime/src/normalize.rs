//! The host's last word on what a plugin returns: one normalized form, or a typed error.
//! A plugin's output is data from a sandbox, not something to trust.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::bindings::intake::plugin::types::{
    Donation, DonationKind, FeeEntry, Money, Payout, Person,
};
use crate::error::CallError;

fn invalid(what: &str, id: &str, why: impl std::fmt::Display) -> CallError {
    CallError::InvalidOutput(format!("{what} `{id}`: {why}"))
}

/// RFC 3339 in, RFC 3339 UTC ("…Z") out.
fn utc(what: &str, id: &str, text: &mut String) -> Result<(), CallError> {
    let t = OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| invalid(what, id, format!("time `{text}` is not RFC 3339: {e}")))?;
    *text = t
        .to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .map_err(|e| invalid(what, id, e))?;
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
    Ok(())
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
}
