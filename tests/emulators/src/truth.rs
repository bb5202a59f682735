//! The ground truth as rows: the normalized donations a correct sync stores, in the JSON shape
//! of `intake export --format ndjson` where the two overlap. Served at `GET /_emulator/truth`.

use serde::{Deserialize, Serialize};

/// One donation a correct sync stores.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TruthRow {
    /// The processor's id.
    pub id: String,
    /// contribution, refund, chargeback or chargeback-reversal.
    pub kind: String,
    /// The id of what a refund, chargeback or reversal reverses.
    pub reverses: Option<String>,
    /// Gross amount in minor units; negative for money going back.
    pub amount: i64,
    /// ISO 4217.
    pub currency: String,
    /// The fee in minor units, where known.
    pub fee: Option<i64>,
    /// The net in minor units, where known.
    pub net: Option<i64>,
    /// RFC 3339 UTC.
    pub received_at: String,
    /// Live (true) or test money.
    pub livemode: bool,
}

/// `GET {base_url}/_emulator/truth` of a running emulator (in this process or a program).
pub async fn fetch(base_url: &str) -> anyhow::Result<Vec<TruthRow>> {
    // reqwest is built without a default TLS provider; plain HTTP still asks for one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let response = reqwest::get(format!("{base_url}/_emulator/truth")).await?;
    let status = response.status();
    anyhow::ensure!(status.is_success(), "GET /_emulator/truth: {status}");
    Ok(serde_json::from_str(&response.text().await?)?)
}
