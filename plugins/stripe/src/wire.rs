//! Stripe's objects as the plugin reads them: only the fields it uses, each as lenient as
//! Stripe's documentation allows (nullable fields are `Option`, absent lists default to empty).
//! Expandable fields are [`Expandable`]: the id, or the object when `expand[]` asked for it.

use std::collections::BTreeMap;

use serde::Deserialize;

pub type Metadata = BTreeMap<String, String>;

/// An expandable field: an id, or the object itself.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Expandable<T> {
    Id(String),
    Object(Box<T>),
}

/// Anything with an id, for expandable fields whose object the plugin never reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Ident {
    pub id: String,
}

pub trait HasId {
    fn id(&self) -> &str;
}

impl<T: HasId> Expandable<T> {
    pub fn id(&self) -> &str {
        match self {
            Expandable::Id(id) => id,
            Expandable::Object(o) => o.id(),
        }
    }

    pub fn object(&self) -> Option<&T> {
        match self {
            Expandable::Id(_) => None,
            Expandable::Object(o) => Some(o),
        }
    }
}

macro_rules! has_id {
    ($($t:ty),*) => { $(impl HasId for $t { fn id(&self) -> &str { &self.id } })* };
}
has_id!(
    Ident,
    Charge,
    Customer,
    Invoice,
    BalanceTransaction,
    Dispute
);

#[derive(Debug, Clone, Deserialize)]
pub struct List<T> {
    pub data: Vec<T>,
    #[serde(default)]
    pub has_more: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Address {
    pub city: Option<String>,
    pub country: Option<String>,
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub postal_code: Option<String>,
    pub state: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BillingDetails {
    pub address: Option<Address>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Card {
    pub brand: Option<String>,
    pub last4: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PaymentMethodDetails {
    pub card: Option<Card>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Charge {
    pub id: String,
    pub amount: i64,
    #[serde(default)]
    pub amount_captured: Option<i64>,
    #[serde(default)]
    pub balance_transaction: Option<Expandable<BalanceTransaction>>,
    #[serde(default)]
    pub billing_details: BillingDetails,
    #[serde(default)]
    pub captured: Option<bool>,
    pub created: i64,
    pub currency: String,
    #[serde(default)]
    pub customer: Option<Expandable<Customer>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub invoice: Option<Expandable<Invoice>>,
    pub livemode: bool,
    #[serde(default)]
    pub metadata: Metadata,
    #[serde(default)]
    pub payment_intent: Option<Expandable<Ident>>,
    #[serde(default)]
    pub payment_method_details: Option<PaymentMethodDetails>,
    #[serde(default)]
    pub receipt_email: Option<String>,
    #[serde(default)]
    pub refunds: Option<List<Refund>>,
    #[serde(default)]
    pub statement_descriptor: Option<String>,
    pub status: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Customer {
    pub id: String,
    pub address: Option<Address>,
    pub deleted: Option<bool>,
    pub email: Option<String>,
    pub metadata: Metadata,
    pub name: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Recurring {
    pub interval: String,
    #[serde(default = "one")]
    pub interval_count: i64,
}

fn one() -> i64 {
    1
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Price {
    pub recurring: Option<Recurring>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct InvoiceLine {
    pub price: Option<Price>,
    /// Older API versions name the price a plan.
    pub plan: Option<Recurring>,
    pub subscription: Option<Expandable<Ident>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Invoice {
    pub id: String,
    #[serde(default)]
    pub billing_reason: Option<String>,
    #[serde(default)]
    pub lines: Option<List<InvoiceLine>>,
    #[serde(default)]
    pub subscription: Option<Expandable<Ident>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FeeDetail {
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BalanceTransaction {
    pub id: String,
    pub amount: i64,
    pub created: i64,
    pub currency: String,
    pub fee: i64,
    #[serde(default)]
    pub fee_details: Vec<FeeDetail>,
    pub net: i64,
    #[serde(default)]
    pub reporting_category: Option<String>,
    /// An id, or (expanded) the charge, refund, dispute, payout… that moved the money.
    #[serde(default)]
    pub source: Option<serde_json::Value>,
    #[serde(rename = "type")]
    pub kind: String,
}

impl BalanceTransaction {
    pub fn source_id(&self) -> Option<&str> {
        match self.source.as_ref()? {
            serde_json::Value::String(id) => Some(id),
            other => other.get("id")?.as_str(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Refund {
    pub id: String,
    pub amount: i64,
    #[serde(default)]
    pub balance_transaction: Option<Expandable<BalanceTransaction>>,
    #[serde(default)]
    pub charge: Option<Expandable<Charge>>,
    pub created: i64,
    pub currency: String,
    #[serde(default)]
    pub payment_intent: Option<Expandable<Ident>>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Dispute {
    pub id: String,
    pub amount: i64,
    #[serde(default)]
    pub balance_transactions: Vec<BalanceTransaction>,
    pub charge: Expandable<Charge>,
    pub created: i64,
    pub currency: String,
    pub livemode: bool,
    #[serde(default)]
    pub reason: Option<String>,
    pub status: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Payout {
    pub id: String,
    pub amount: i64,
    pub arrival_date: i64,
    pub created: i64,
    pub currency: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub destination: Option<Expandable<Ident>>,
    pub livemode: bool,
    #[serde(default)]
    pub method: Option<String>,
    pub status: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BusinessProfile {
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Dashboard {
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AccountSettings {
    pub dashboard: Option<Dashboard>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Account {
    pub id: String,
    #[serde(default)]
    pub business_profile: Option<BusinessProfile>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub settings: Option<AccountSettings>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Balance {
    pub livemode: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ErrorDetail {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub code: Option<String>,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventData {
    pub object: serde_json::Value,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub data: EventData,
    pub livemode: bool,
}
