//! ActBlue webhooks: one JSON POST per notification, authenticated by HTTP Basic with a user
//! name and password the receiver chose. The host checks the header against the
//! `webhook_password` secret (`secrets.verify-basic`); the plugin never sees the password.

use intake_plugin_sdk::money::{neg, parse_cents};
use intake_plugin_sdk::names::clean;
use intake_plugin_sdk::time::parse_rfc3339;
use intake_plugin_sdk::{
    Donation, DonationKind, Error, Interval, Money, Person, PostalAddress, Recurrence, Settings,
};
use serde::Deserialize;

use crate::mapping::{country, earmark, eastern_to_utc};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Delivery {
    donor: Donor,
    contribution: Contribution,
    lineitems: Vec<LineItem>,
    form: Form,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Donor {
    firstname: Option<String>,
    lastname: Option<String>,
    addr1: Option<String>,
    city: Option<String>,
    state: Option<String>,
    zip: Option<String>,
    country: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    employer_data: EmployerData,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct EmployerData {
    employer: Option<String>,
    occupation: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Contribution {
    order_number: Option<String>,
    contribution_form: Option<String>,
    refcode: Option<String>,
    recurring_period: Option<String>,
    is_recurring: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct LineItem {
    fec_id: Option<String>,
    committee_name: Option<String>,
    amount: Option<String>,
    paid_at: Option<String>,
    refunded_at: Option<String>,
    payment_id: Option<serde_json::Value>,
    lineitem_id: Option<serde_json::Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Form {
    name: Option<String>,
}

/// Whether the delivery's Authorization header is Basic for the chosen user and password.
fn authorized(settings: &Settings, headers: &[(String, String)]) -> Result<bool, Error> {
    let user = settings.require("webhook_user")?;
    let Some((_, value)) = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
    else {
        return Ok(false);
    };
    verify_basic(user, value)
}

#[cfg(target_arch = "wasm32")]
fn verify_basic(user: &str, authorization: &str) -> Result<bool, Error> {
    intake_plugin_sdk::__private::intake::plugin::secrets::verify_basic(
        user,
        "webhook_password",
        authorization,
    )
    .map_err(Error::Config)
}

/// Natively there is no host to ask: nothing is authorized.
#[cfg(not(target_arch = "wasm32"))]
fn verify_basic(_user: &str, _authorization: &str) -> Result<bool, Error> {
    Ok(false)
}

/// A time from a delivery: RFC 3339 with its offset, or New York local time.
fn when(text: &str, what: &str) -> Result<String, Error> {
    match parse_rfc3339(text) {
        Ok(t) => intake_plugin_sdk::time::to_rfc3339(t),
        Err(_) => eastern_to_utc(text, what),
    }
}

fn id_text(v: &Option<serde_json::Value>) -> Option<String> {
    match v {
        Some(serde_json::Value::String(s)) => clean(Some(s)),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

pub fn parse_webhook(
    settings: &Settings,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<Vec<Donation>, Error> {
    if !authorized(settings, headers)? {
        return Err(Error::Auth(
            "the webhook's Basic credentials do not match webhook_user and webhook_password".into(),
        ));
    }
    donations(body)
}

/// The donations of an authenticated delivery: one per line item, a refund for a line item
/// with `refundedAt`.
fn donations(body: &[u8]) -> Result<Vec<Donation>, Error> {
    let delivery: Delivery = serde_json::from_slice(body).map_err(|e| {
        Error::InvalidData(format!("the ActBlue webhook is not readable JSON: {e}"))
    })?;
    let d = &delivery.donor;
    let donor = Person {
        prefix: None,
        first_name: clean(d.firstname.as_deref()).unwrap_or_default(),
        middle_name: None,
        last_name: clean(d.lastname.as_deref()).unwrap_or_default(),
        suffix: None,
        email: clean(d.email.as_deref()).map(|e| e.to_ascii_lowercase()),
        phone: clean(d.phone.as_deref()),
        address: clean(d.addr1.as_deref()).map(|line1| PostalAddress {
            line1,
            line2: None,
            city: clean(d.city.as_deref()).unwrap_or_default(),
            region: clean(d.state.as_deref())
                .unwrap_or_default()
                .to_ascii_uppercase(),
            postal_code: clean(d.zip.as_deref()).unwrap_or_default(),
            country: country(d.country.as_deref()),
        }),
        employer: clean(d.employer_data.employer.as_deref()),
        occupation: clean(d.employer_data.occupation.as_deref()),
        processor_donor_id: None,
    };
    let c = &delivery.contribution;
    let recurrence = match (c.is_recurring, c.recurring_period.as_deref()) {
        (Some(true), _) | (_, Some("monthly" | "weekly")) => Some(Recurrence {
            interval: if c.recurring_period.as_deref() == Some("weekly") {
                Interval::Weekly
            } else {
                Interval::Monthly
            },
            installment: None,
            subscription_id: clean(c.order_number.as_deref()),
        }),
        _ => None,
    };
    let mut out = Vec::new();
    for item in &delivery.lineitems {
        let id = id_text(&item.lineitem_id)
            .ok_or_else(|| Error::InvalidData("an ActBlue line item has no lineitemId".into()))?;
        let amount_text = item.amount.as_deref().unwrap_or("");
        let amount = parse_cents(amount_text).ok_or_else(|| {
            Error::InvalidData(format!(
                "line item {id} amount `{amount_text}` is not an amount"
            ))
        })?;
        let paid_at = item
            .paid_at
            .as_deref()
            .ok_or_else(|| Error::InvalidData(format!("line item {id} has no paidAt")))?;
        let mut extra = Vec::new();
        if let Some(n) = clean(c.order_number.as_deref()) {
            extra.push(("Receipt ID".to_string(), n));
        }
        if let Some(r) = clean(c.refcode.as_deref()) {
            extra.push(("Reference Code".to_string(), r));
        }
        if let Some(name) = clean(item.committee_name.as_deref()) {
            extra.push(("Recipient".to_string(), name));
        }
        if let Some(p) = id_text(&item.payment_id) {
            extra.push(("Payment ID".to_string(), p));
        }
        let contribution = Donation {
            id: id.clone(),
            kind: DonationKind::Contribution,
            reverses: None,
            amount: Money {
                minor_units: amount,
                currency: "USD".into(),
            },
            fee: None,
            net: None,
            received_at: when(paid_at, &format!("line item {id} paidAt"))?,
            donor: donor.clone(),
            recurrence: recurrence.clone(),
            earmark: earmark(item.fec_id.as_deref()),
            source: clean(delivery.form.name.as_deref())
                .or_else(|| clean(c.contribution_form.as_deref())),
            payout_id: None,
            livemode: true,
            extra,
        };
        match item.refunded_at.as_deref() {
            Some(refunded_at) => out.push(Donation {
                id: format!("refund-{id}"),
                kind: DonationKind::Refund,
                reverses: Some(id.clone()),
                amount: Money {
                    minor_units: neg(amount, "refund amount")?,
                    currency: "USD".into(),
                },
                received_at: when(refunded_at, &format!("line item {id} refundedAt"))?,
                recurrence: None,
                ..contribution
            }),
            None => out.push(contribution),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_items_become_donations_and_refunds() {
        let body = br#"{"donor":{"firstname":" Zo\u00eb ","lastname":"O'Brien","addr1":"77 Elm St.","city":"Somerville",
            "state":"ma","zip":"02144-0001","country":"USA"},
            "contribution":{"orderNumber":"AB9","isRecurring":true,"recurringPeriod":"weekly"},
            "lineitems":[{"fecId":"C00123456","amount":"5.0","paidAt":"2024-11-03 01:30:00","lineitemId":"77"},
                         {"amount":"2.5","paidAt":"2024-05-01T00:00:00-04:00","lineitemId":78,"refundedAt":"2024-05-02T00:00:00Z"}],
            "form":{"name":"weekly-page"}}"#;
        let got = donations(body).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].id, "77");
        assert_eq!(got[0].amount.minor_units, 500);
        // A local time without offset is New York's: the first 01:30 of 3 November (EDT).
        assert_eq!(got[0].received_at, "2024-11-03T05:30:00Z");
        assert_eq!(got[0].donor.first_name, "Zoë");
        let address = got[0].donor.address.as_ref().unwrap();
        assert_eq!(
            (address.region.as_str(), address.country.as_str()),
            ("MA", "US")
        );
        let r = got[0].recurrence.as_ref().unwrap();
        assert_eq!(
            (r.interval, r.subscription_id.as_deref()),
            (Interval::Weekly, Some("AB9"))
        );
        assert_eq!(got[0].source.as_deref(), Some("weekly-page"));
        assert_eq!(got[1].id, "refund-78");
        assert_eq!(got[1].reverses.as_deref(), Some("78"));
        assert_eq!(got[1].amount.minor_units, -250);
        assert_eq!(got[1].received_at, "2024-05-02T00:00:00Z");
        assert!(got[1].earmark.is_none() && got[1].recurrence.is_none());
    }

    #[test]
    fn a_line_item_without_an_id_or_amount_is_invalid_data_saying_so() {
        let no_id = br#"{"lineitems":[{"amount":"5.0","paidAt":"2024-05-01T00:00:00Z"}]}"#;
        assert!(
            matches!(donations(no_id), Err(Error::InvalidData(m)) if m == "an ActBlue line item has no lineitemId")
        );
        let bad_amount =
            br#"{"lineitems":[{"amount":"five","paidAt":"2024-05-01T00:00:00Z","lineitemId":1}]}"#;
        assert!(
            matches!(donations(bad_amount), Err(Error::InvalidData(m)) if m == "line item 1 amount `five` is not an amount")
        );
        assert!(
            matches!(donations(b"{"), Err(Error::InvalidData(m)) if m.starts_with("the ActBlue webhook is not readable JSON"))
        );
    }
}
