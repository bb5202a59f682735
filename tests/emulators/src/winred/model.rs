//! What the WinRed emulator serves: typed records, their JSON as the modeled API writes it
//! (`plugins/winred/API.md`), and the normalized truth a correct plugin derives from them.

use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// An address as the donor typed it.
#[derive(Debug, Clone, PartialEq)]
pub struct Address {
    pub address1: String,
    pub address2: Option<String>,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub country: String,
}

/// The contract's normalized address (`postal-address`).
#[derive(Debug, Clone, PartialEq)]
pub struct TruthAddress {
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub country: String,
}

/// The contract's normalized donor (`person`).
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub prefix: Option<String>,
    pub first_name: String,
    pub middle_name: Option<String>,
    pub last_name: String,
    pub suffix: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<TruthAddress>,
    pub employer: Option<String>,
    pub occupation: Option<String>,
    pub processor_donor_id: Option<String>,
}

/// A donor as the API sends it (`wire_*`, typed by the donor) and as it should read (`truth`).
#[derive(Debug, Clone, PartialEq)]
pub struct Donor {
    pub id: String,
    pub prefix: Option<String>,
    pub first_name: String,
    pub middle_name: Option<String>,
    pub last_name: String,
    pub suffix: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<Address>,
    pub employer: String,
    pub occupation: String,
    pub truth: Person,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub id: String,
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Recurring {
    pub subscription_id: String,
    /// `weekly` or `monthly`.
    pub interval: &'static str,
    pub installment: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Donation {
    pub id: String,
    pub created_at: i64,
    /// The UTC offset (hours) `created_at` is written with: the same instant either way.
    pub offset_hours: i8,
    pub amount: i64,
    /// None until WinRed has settled it: the API then sends no fee and no net.
    pub fee: Option<i64>,
    pub donor: Donor,
    pub recurring: Option<Recurring>,
    pub page: Page,
    pub source_code: Option<String>,
    pub payout_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Refund {
    pub id: String,
    pub donation_id: String,
    pub created_at: i64,
    /// Positive: the money returned.
    pub amount: i64,
    pub reason: String,
    pub payout_id: Option<String>,
    pub donor: Donor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisputeKind {
    Chargeback,
    Reversal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DisputeFee {
    pub id: String,
    pub amount: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dispute {
    pub id: String,
    pub kind: DisputeKind,
    pub donation_id: String,
    /// The donation (chargeback) or the chargeback (reversal).
    pub reverses: String,
    pub created_at: i64,
    /// Positive.
    pub amount: i64,
    pub fee: Option<DisputeFee>,
    pub payout_id: Option<String>,
    pub reason: String,
    pub donor: Donor,
}

/// One transaction a payout settles.
#[derive(Debug, Clone, PartialEq)]
pub struct PayoutTransaction {
    /// `donation`, `refund`, `chargeback`, `chargeback_reversal`, `chargeback_fee`.
    pub kind: &'static str,
    pub id: String,
    pub created_at: i64,
    /// Signed.
    pub amount: i64,
    pub fee: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Payout {
    pub id: String,
    pub paid_at: i64,
    pub gross: i64,
    pub fees: i64,
    pub net: i64,
    pub transactions: Vec<PayoutTransaction>,
    pub bank_last4: String,
}

/// The normalized donation a correct plugin returns for a record (earmark aside: it depends
/// only on the committee's level).
#[derive(Debug, Clone, PartialEq)]
pub struct Expected {
    pub id: String,
    /// `contribution`, `refund`, `chargeback`, `chargeback-reversal`.
    pub kind: &'static str,
    pub reverses: Option<String>,
    pub amount: i64,
    pub fee: Option<i64>,
    pub net: Option<i64>,
    pub received_at: String,
    pub donor: Person,
    /// (interval, installment, subscription id)
    pub recurrence: Option<(&'static str, u32, String)>,
    pub source: Option<String>,
    pub payout_id: Option<String>,
    pub extra: Vec<(String, String)>,
}

/// The normalized fee entry for a chargeback fee.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedFee {
    pub id: String,
    pub amount: i64,
    pub charged_at: String,
    pub donation_id: Option<String>,
    pub payout_id: Option<String>,
    pub description: String,
}

/// "25.00", "-5.00".
pub fn dollars(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

/// RFC 3339 in UTC with `Z`.
pub fn utc(unix: i64) -> String {
    with_offset(unix, 0)
}

/// RFC 3339 at a UTC offset of `hours`.
pub fn with_offset(unix: i64, hours: i8) -> String {
    let offset = UtcOffset::from_hms(hours, 0, 0).expect("offset in range");
    OffsetDateTime::from_unix_timestamp(unix)
        .expect("time in range")
        .to_offset(offset)
        .format(&Rfc3339)
        .expect("formats")
}

impl Donor {
    pub fn json(&self) -> Value {
        json!({
            "id": self.id,
            "prefix": self.prefix,
            "first_name": self.first_name,
            "middle_name": self.middle_name,
            "last_name": self.last_name,
            "suffix": self.suffix,
            "email": self.email,
            "phone": self.phone,
            "address": self.address.as_ref().map(|a| json!({
                "address1": a.address1, "address2": a.address2, "city": a.city,
                "state": a.state, "zip": a.zip, "country": a.country,
            })),
            "employer": self.employer,
            "occupation": self.occupation,
        })
    }
}

impl Donation {
    pub fn json(&self) -> Value {
        let mut v = json!({
            "id": self.id,
            "created_at": with_offset(self.created_at, self.offset_hours),
            "amount": dollars(self.amount),
            "currency": "USD",
            "donor": self.donor.json(),
            "recurring": self.recurring.as_ref().map(|r| json!({
                "subscription_id": r.subscription_id, "interval": r.interval, "installment": r.installment,
            })),
            "page": {"id": self.page.id, "slug": self.page.slug, "name": self.page.name},
            "source_code": self.source_code,
            "payout_id": self.payout_id,
        });
        if let Some(fee) = self.fee {
            v["fee"] = json!(dollars(fee));
            v["net"] = json!(dollars(self.amount - fee));
        }
        v
    }

    pub fn expected(&self) -> Expected {
        Expected {
            id: self.id.clone(),
            kind: "contribution",
            reverses: None,
            amount: self.amount,
            fee: self.fee,
            net: self.fee.map(|f| self.amount - f),
            received_at: utc(self.created_at),
            donor: self.donor.truth.clone(),
            recurrence: self
                .recurring
                .as_ref()
                .map(|r| (r.interval, r.installment, r.subscription_id.clone())),
            source: Some(
                self.source_code
                    .clone()
                    .unwrap_or_else(|| self.page.slug.clone()),
            ),
            payout_id: self.payout_id.clone(),
            extra: vec![
                ("page_id".into(), self.page.id.clone()),
                ("page_name".into(), self.page.name.clone()),
            ],
        }
    }
}

impl Refund {
    pub fn json(&self) -> Value {
        json!({
            "id": self.id,
            "donation_id": self.donation_id,
            "created_at": utc(self.created_at),
            "amount": dollars(self.amount),
            "currency": "USD",
            "reason": self.reason,
            "payout_id": self.payout_id,
            "donor": self.donor.json(),
        })
    }

    pub fn expected(&self) -> Expected {
        Expected {
            id: self.id.clone(),
            kind: "refund",
            reverses: Some(self.donation_id.clone()),
            amount: -self.amount,
            fee: None,
            net: None,
            received_at: utc(self.created_at),
            donor: self.donor.truth.clone(),
            recurrence: None,
            source: None,
            payout_id: self.payout_id.clone(),
            extra: vec![("refund_reason".into(), self.reason.clone())],
        }
    }
}

impl Dispute {
    pub fn json(&self) -> Value {
        json!({
            "id": self.id,
            "kind": match self.kind { DisputeKind::Chargeback => "chargeback", DisputeKind::Reversal => "chargeback_reversal" },
            "donation_id": self.donation_id,
            "reverses": self.reverses,
            "created_at": utc(self.created_at),
            "amount": dollars(self.amount),
            "currency": "USD",
            "fee": self.fee.as_ref().map(|f| json!({"id": f.id, "amount": dollars(f.amount), "description": "Chargeback fee"})),
            "payout_id": self.payout_id,
            "reason": self.reason,
            "donor": self.donor.json(),
        })
    }

    pub fn expected(&self) -> Expected {
        let (kind, amount) = match self.kind {
            DisputeKind::Chargeback => ("chargeback", -self.amount),
            DisputeKind::Reversal => ("chargeback-reversal", self.amount),
        };
        Expected {
            id: self.id.clone(),
            kind,
            reverses: Some(self.reverses.clone()),
            amount,
            fee: None,
            net: None,
            received_at: utc(self.created_at),
            donor: self.donor.truth.clone(),
            recurrence: None,
            source: None,
            payout_id: self.payout_id.clone(),
            extra: vec![
                ("dispute_reason".into(), self.reason.clone()),
                ("donation_id".into(), self.donation_id.clone()),
            ],
        }
    }

    pub fn expected_fee(&self) -> Option<ExpectedFee> {
        self.fee.as_ref().map(|f| ExpectedFee {
            id: f.id.clone(),
            amount: f.amount,
            charged_at: utc(self.created_at),
            donation_id: Some(self.id.clone()),
            payout_id: self.payout_id.clone(),
            description: "Chargeback fee".into(),
        })
    }
}

impl Payout {
    pub fn json(&self) -> Value {
        json!({
            "id": self.id,
            "paid_at": utc(self.paid_at),
            "gross": dollars(self.gross),
            "fees": dollars(self.fees),
            "net": dollars(self.net),
            "currency": "USD",
            "status": "paid",
            "transaction_count": self.transactions.len(),
            "method": "ach",
            "bank_last4": self.bank_last4,
        })
    }

    /// The ids the contract's `payout.donation-ids` lists.
    pub fn donation_ids(&self) -> Vec<String> {
        self.transactions
            .iter()
            .filter(|t| t.kind != "chargeback_fee")
            .map(|t| t.id.clone())
            .collect()
    }

    /// The ids the contract's `payout.fee-ids` lists.
    pub fn fee_ids(&self) -> Vec<String> {
        self.transactions
            .iter()
            .filter(|t| t.kind == "chargeback_fee")
            .map(|t| t.id.clone())
            .collect()
    }
}

impl PayoutTransaction {
    pub fn json(&self) -> Value {
        json!({
            "type": self.kind,
            "id": self.id,
            "created_at": utc(self.created_at),
            "amount": dollars(self.amount),
            "fee": dollars(self.fee),
        })
    }
}
