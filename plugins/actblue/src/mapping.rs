//! An ActBlue line item (a CSV row or a webhook's line item) as a donation.

use intake_plugin_sdk::money::{neg, parse_cents};
use intake_plugin_sdk::names::clean;
use intake_plugin_sdk::{
    Donation, DonationKind, Earmark, Error, Interval, Money, Person, PostalAddress, Recurrence,
};

use crate::info::{CONDUIT_FEC_ID, CONDUIT_NAME};
use crate::rows::{self, Row};

/// ActBlue's local times are New York's: the zone's rules, bundled (see `tz/README.md`).
const NEW_YORK_TZIF: &[u8] = include_bytes!("../tz/America_New_York");

/// America/New_York.
pub fn new_york() -> Result<jiff::tz::TimeZone, Error> {
    jiff::tz::TimeZone::tzif("America/New_York", NEW_YORK_TZIF)
        .map_err(|e| Error::InvalidData(format!("the bundled New York time zone: {e}")))
}

/// `YYYY-MM-DD HH:MM:SS` (or with a `T`) in New York time, as RFC 3339 UTC. A time the
/// autumn change makes ambiguous is read as the earlier one; a skipped spring time moves
/// forward (jiff's "compatible" rule, RFC 5545's).
pub fn eastern_to_utc(text: &str, what: &str) -> Result<String, Error> {
    let bad =
        |why: String| Error::InvalidData(format!("{what} `{text}` is not a New York time: {why}"));
    let civil: jiff::civil::DateTime = text
        .trim()
        .replacen(' ', "T", 1)
        .parse()
        .map_err(|e: jiff::Error| bad(e.to_string()))?;
    let zone = new_york()?;
    let zoned = civil.to_zoned(zone).map_err(|e| bad(e.to_string()))?;
    Ok(zoned.timestamp().strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

fn usd(minor_units: i64) -> Money {
    Money {
        minor_units,
        currency: "USD".into(),
    }
}

fn cents(text: &str, what: &str) -> Result<i64, Error> {
    parse_cents(text).ok_or_else(|| Error::InvalidData(format!("{what} `{text}` is not an amount")))
}

/// "USA", "United States", blank → "US"; a two-letter code upper-cased; else as given.
pub fn country(text: Option<&str>) -> String {
    match clean(text) {
        None => "US".into(),
        Some(t) => match t.to_ascii_lowercase().as_str() {
            "us" | "usa" | "united states" | "united states of america" => "US".into(),
            _ if t.len() == 2 => t.to_ascii_uppercase(),
            _ => t,
        },
    }
}

/// The earmark through ActBlue, for a recipient with an FEC id (a federal committee).
pub fn earmark(recipient_fec_id: Option<&str>) -> Option<Earmark> {
    recipient_fec_id
        .and_then(|id| clean(Some(id)))
        .map(|id| Earmark {
            conduit_name: CONDUIT_NAME.into(),
            conduit_fec_id: Some(CONDUIT_FEC_ID.into()),
            conduit_address: None,
            recipient_fec_id: Some(id),
        })
}

fn person(row: &Row<'_>) -> Person {
    let address = clean(row.get("Donor Addr1")).map(|line1| PostalAddress {
        line1,
        line2: clean(row.get("Donor Addr2")),
        city: clean(row.get("Donor City")).unwrap_or_default(),
        region: clean(row.get("Donor State"))
            .unwrap_or_default()
            .to_ascii_uppercase(),
        postal_code: clean(row.get("Donor ZIP")).unwrap_or_default(),
        country: country(row.get("Donor Country")),
    });
    Person {
        prefix: None,
        first_name: clean(row.get("Donor First Name")).unwrap_or_default(),
        middle_name: None,
        last_name: clean(row.get("Donor Last Name")).unwrap_or_default(),
        suffix: None,
        email: clean(row.get("Donor Email")).map(|e| e.to_ascii_lowercase()),
        phone: clean(row.get("Donor Phone")),
        address,
        employer: clean(row.get("Donor Employer")),
        occupation: clean(row.get("Donor Occupation")),
        processor_donor_id: clean(row.get("Donor ID")),
    }
}

/// An installment of a recurring gift: a Recurrence Number, or a pledge of months.
fn recurrence(row: &Row<'_>) -> Result<Option<Recurrence>, Error> {
    let number = match row.get("Recurrence Number") {
        Some(n) => Some(n.parse::<u32>().map_err(|_| {
            Error::InvalidData(format!(
                "line {}: Recurrence Number `{n}` is not a number",
                row.line
            ))
        })?),
        None => None,
    };
    let months = row.get("Recurring Total Months").filter(|m| *m != "0");
    let weekly = row
        .get("Recur Weekly")
        .is_some_and(|w| w.eq_ignore_ascii_case("true"));
    if number.is_none_or(|n| n == 0) && months.is_none() && !weekly {
        return Ok(None);
    }
    Ok(Some(Recurrence {
        interval: if weekly {
            Interval::Weekly
        } else {
            Interval::Monthly
        },
        installment: number.filter(|n| *n > 0),
        // The order number repeats across installments: it names the recurring gift.
        subscription_id: row.get(rows::RECEIPT_ID).map(str::to_string),
    }))
}

/// A paid line item as a contribution.
pub fn contribution(row: &Row<'_>) -> Result<Donation, Error> {
    let id = row.require(rows::LINEITEM_ID)?;
    let amount = cents(
        row.require(rows::AMOUNT)?,
        &format!("line item {id} Amount"),
    )?;
    let fee = match row.get("Fee") {
        Some(f) => Some(cents(f, &format!("line item {id} Fee"))?),
        None => None,
    };
    let net = match fee {
        Some(f) => Some(usd(intake_plugin_sdk::money::sub(
            amount,
            f,
            "amount minus fee",
        )?)),
        None => None,
    };
    let mut extra = Vec::new();
    for column in [
        rows::RECEIPT_ID,
        "Recipient",
        "Recipient ID",
        "Reference Code",
        "Reference Code 2",
        "Payment ID",
    ] {
        if let Some(v) = row.get(column) {
            extra.push((column.to_string(), v.to_string()));
        }
    }
    Ok(Donation {
        id: id.into(),
        kind: DonationKind::Contribution,
        reverses: None,
        amount: usd(amount),
        fee: fee.map(usd),
        net,
        received_at: eastern_to_utc(row.require(rows::DATE)?, &format!("line item {id} Date"))?,
        donor: person(row),
        recurrence: recurrence(row)?,
        earmark: earmark(row.get("Recipient Gov ID")),
        source: clean(row.get("Fundraising Page")),
        payout_id: clean(row.get("Disbursement ID")),
        livemode: true,
        extra,
    })
}

/// A refunded line item as a refund of it: id `refund-LINEITEM`, the amount negative, dated
/// when refunded.
pub fn refund(row: &Row<'_>) -> Result<Donation, Error> {
    let original = contribution(row)?;
    let refunded_at = eastern_to_utc(
        row.require(rows::REFUND_DATE)?,
        &format!("line item {} Refund Date", original.id),
    )?;
    let mut extra = original.extra;
    if let Some(r) = row.get("Refund ID") {
        extra.push(("Refund ID".into(), r.into()));
    }
    Ok(Donation {
        id: format!("refund-{}", original.id),
        kind: DonationKind::Refund,
        reverses: Some(original.id),
        amount: usd(neg(original.amount.minor_units, "refund amount")?),
        fee: None,
        net: None,
        received_at: refunded_at,
        recurrence: None,
        payout_id: None,
        extra,
        ..original
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_york_times_become_utc_across_both_changes() {
        // EDT is UTC-4, EST UTC-5; 2024's changes: 10 March and 3 November.
        assert_eq!(
            eastern_to_utc("2024-05-01 08:00:00", "t").unwrap(),
            "2024-05-01T12:00:00Z"
        );
        assert_eq!(
            eastern_to_utc("2024-01-15 23:30:00", "t").unwrap(),
            "2024-01-16T04:30:00Z"
        );
        // Past the bundled transitions the zone's POSIX rule goes on.
        assert_eq!(
            eastern_to_utc("2040-07-01 12:00:00", "t").unwrap(),
            "2040-07-01T16:00:00Z"
        );
        assert_eq!(
            eastern_to_utc("2040-12-01 12:00:00", "t").unwrap(),
            "2040-12-01T17:00:00Z"
        );
        // 01:30 happens twice on 3 November: the first (EDT) is taken.
        assert_eq!(
            eastern_to_utc("2024-11-03 01:30:00", "t").unwrap(),
            "2024-11-03T05:30:00Z"
        );
        // 02:30 never happens on 10 March: moved forward an hour (03:30 EDT).
        assert_eq!(
            eastern_to_utc("2024-03-10 02:30:00", "t").unwrap(),
            "2024-03-10T07:30:00Z"
        );
        assert!(
            matches!(eastern_to_utc("yesterday", "Date"), Err(Error::InvalidData(m)) if m.starts_with("Date `yesterday` is not a New York time"))
        );
    }

    #[test]
    fn rows_are_read_by_header_name_whatever_the_order() {
        let csv = "Amount,Unknown New Column,Lineitem ID,Date,Receipt ID,Recipient Gov ID,Recurrence Number,Recurring Total Months,Donor First Name,Donor Last Name,Donor ZIP,Donor Country\n\
                   5.00,x,li-9,2024-07-04 12:00:00,AB1,C00123456,2,12,José,Núñez,22201-1234,United States\n";
        let table = rows::Table::parse(csv.as_bytes(), &[rows::LINEITEM_ID]).unwrap();
        let d = contribution(&table.row(0).unwrap()).unwrap();
        assert_eq!(d.id, "li-9");
        assert_eq!(d.amount.minor_units, 500);
        assert_eq!(d.received_at, "2024-07-04T16:00:00Z");
        assert_eq!(d.donor.first_name, "José");
        let r = d.recurrence.unwrap();
        assert_eq!(
            (r.installment, r.subscription_id.as_deref()),
            (Some(2), Some("AB1"))
        );
        let e = d.earmark.unwrap();
        assert_eq!(
            (e.conduit_fec_id.as_deref(), e.recipient_fec_id.as_deref()),
            (Some("C00401224"), Some("C00123456"))
        );
        assert!(d.donor.address.is_none(), "no street: no address");
    }
}
