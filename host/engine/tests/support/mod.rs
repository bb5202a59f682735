//! Fixtures shared by the store's tests.
#![allow(dead_code)] // each test crate uses its own share

use intake_host::types::{Donation, DonationKind, Money, Person};

/// US dollars, in cents.
pub fn usd(minor_units: i64) -> Money {
    Money {
        minor_units,
        currency: "USD".into(),
    }
}

/// The same donor for every donation.
pub fn donor() -> Person {
    Person {
        prefix: None,
        first_name: "Ana".into(),
        middle_name: None,
        last_name: "Pérez".into(),
        suffix: None,
        email: Some("ana@example.com".into()),
        phone: None,
        address: None,
        employer: None,
        occupation: None,
        processor_donor_id: None,
    }
}

/// A plain live contribution.
pub fn donation(id: &str, cents: i64, received_at: &str) -> Donation {
    Donation {
        id: id.into(),
        kind: DonationKind::Contribution,
        reverses: None,
        amount: usd(cents),
        fee: None,
        net: None,
        received_at: received_at.into(),
        donor: donor(),
        recurrence: None,
        earmark: None,
        source: None,
        payout_id: None,
        livemode: true,
        extra: vec![],
    }
}
