//! What a full pass over a WinRed committee should store, as truth rows (from the
//! generator's own `Expected`, the one WinRed truth).

use super::Dataset;
use crate::truth::TruthRow;

/// Every donation a full pass over `data` should store, in the API's order.
pub fn rows(data: &Dataset) -> Vec<TruthRow> {
    data.expected()
        .into_iter()
        .map(|e| TruthRow {
            id: e.id,
            kind: e.kind.into(),
            reverses: e.reverses,
            amount: e.amount,
            currency: "USD".into(),
            fee: e.fee,
            net: e.net,
            received_at: e.received_at,
            livemode: true,
        })
        .collect()
}
