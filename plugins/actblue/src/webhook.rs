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
