//! The JSON shapes of WinRed's partner API, as Intake models it (see API.md). Only shapes live
//! here; what each field means for the contract is in `mapping.rs`.

use serde::{Deserialize, Deserializer};

/// `{"data": [...], "has_more": bool}`
#[derive(Debug, Deserialize)]
pub struct List<T> {
    pub data: Vec<T>,
    #[serde(default)]
    pub has_more: bool,
}

/// `GET /v1/me`
#[derive(Debug, Deserialize)]
pub struct Me {
    pub committee: Committee,
}

#[derive(Debug, Deserialize)]
pub struct Committee {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub fec_id: Option<String>,
    /// `conduit` (federal) or `merchant` (state).
    #[serde(default)]
    pub funding_type: Option<String>,
}

/// `{"error": {"type": "...", "message": "..."}}`
#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Deserialize)]
pub struct ErrorDetail {
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Donation {
    pub id: String,
    pub created_at: String,
    pub amount: Amount,
    #[serde(default)]
    pub fee: Option<Amount>,
    #[serde(default)]
    pub net: Option<Amount>,
    #[serde(default)]
    pub currency: Option<String>,
    pub donor: Donor,
    #[serde(default)]
    pub recurring: Option<Recurring>,
    #[serde(default)]
    pub page: Option<Page>,
    #[serde(default)]
    pub source_code: Option<String>,
    #[serde(default)]
    pub payout_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Donor {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub prefix: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub middle_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub suffix: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub address: Option<Address>,
    #[serde(default)]
    pub employer: Option<String>,
    #[serde(default)]
    pub occupation: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Address {
    #[serde(default)]
    pub address1: Option<String>,
    #[serde(default)]
    pub address2: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub zip: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Recurring {
    #[serde(default)]
    pub subscription_id: Option<String>,
    #[serde(default)]
    pub interval: Option<String>,
    #[serde(default)]
    pub installment: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Page {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Refund {
    pub id: String,
    pub donation_id: String,
    pub created_at: String,
    pub amount: Amount,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub payout_id: Option<String>,
    #[serde(default)]
    pub donor: Donor,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Dispute {
    pub id: String,
    /// `chargeback` or `chargeback_reversal`.
    pub kind: String,
    pub donation_id: String,
    #[serde(default)]
    pub reverses: Option<String>,
    pub created_at: String,
    pub amount: Amount,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub fee: Option<DisputeFee>,
    #[serde(default)]
    pub payout_id: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub donor: Donor,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DisputeFee {
    pub id: String,
    pub amount: Amount,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Payout {
    pub id: String,
    pub paid_at: String,
    pub gross: Amount,
    pub fees: Amount,
    pub net: Amount,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub transaction_count: Option<u32>,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub bank_last4: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PayoutTransaction {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub amount: Amount,
    #[serde(default)]
    pub fee: Option<Amount>,
}

/// `{"id", "type", "created_at", "data"}`: one webhook delivery.
#[derive(Debug, Deserialize)]
pub struct Event {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub data: serde_json::Value,
}

/// Dollars as the API writes them: a decimal string ("25.00") or a JSON number, read into
/// cents without floats. A value with more than two decimals is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount(pub i64);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Amount, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        let text = match &value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            other => {
                return Err(serde::de::Error::custom(format!(
                    "expected an amount, found {other}"
                )));
            }
        };
        intake_plugin_sdk::money::parse_cents(&text)
            .map(Amount)
            .ok_or_else(|| {
                serde::de::Error::custom(format!("`{text}` is not an amount in dollars and cents"))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_from_strings_and_numbers() {
        let a: Vec<Amount> = serde_json::from_str(r#"["25.00", 25.5, 3, "-1.05"]"#).unwrap();
        assert_eq!(
            a,
            vec![Amount(2500), Amount(2550), Amount(300), Amount(-105)]
        );
        assert!(serde_json::from_str::<Amount>(r#""1.005""#).is_err());
        assert!(serde_json::from_str::<Amount>("true").is_err());
    }

    #[test]
    fn a_list_without_has_more_ends() {
        let l: List<PayoutTransaction> =
            serde_json::from_str(r#"{"data":[{"type":"donation","id":"dn_1","amount":"5.00"}]}"#)
                .unwrap();
        assert!(!l.has_more);
        assert_eq!(l.data[0].fee, None);
    }
}
