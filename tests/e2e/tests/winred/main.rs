//! The built `winred.wasm` in the real host against the WinRed emulator (the partner API as
//! Intake models it: `plugins/winred/API.md`). `api`: fetch, cursors, faults, payouts;
//! `files`: webhooks, CSV exports, donation links.

mod api;
mod files;

use intake_emulators::winred::{self as emu, Expected, ExpectedFee, WinRedEmulator};
use intake_host::types::{
    Donation, DonationKind, Earmark, FeeEntry, Interval, Money, Person, PostalAddress, Recurrence,
    Window,
};
use intake_host::{Host, HostConfig, Integration};

pub const FEC_ID: &str = "C00123456";

pub async fn host() -> Host {
    let config = HostConfig {
        cache_dir: Some(std::env::temp_dir().join("intake-test-cache")),
        ..HostConfig::default()
    };
    let host = Host::new(config).expect("host");
    let info = host
        .load_file(intake_test_artifacts::WINRED)
        .await
        .expect("load winred.wasm");
    assert_eq!(info.id, "winred");
    host
}

/// The integration of committee `index` of `e`, reaching the emulator.
pub fn integration(e: &WinRedEmulator, index: usize) -> Integration {
    let c = e.committee(index);
    let mut i = Integration::new("winred")
        .setting("integration_name", "WinRed")
        .setting("account_name", c.name.as_str())
        .setting(
            "committee_level",
            if c.federal { "federal" } else { "state" },
        )
        .setting("api_base", e.url())
        .secret("api_token", c.token.as_str())
        .secret("webhook_secret", c.webhook_secret.as_str())
        .grant_origin(e.url())
        .route_secret("api_token", e.url());
    if let Some(fec) = &c.fec_id {
        i = i.setting("committee_fec_id", fec.as_str());
    }
    i
}

pub fn window(e: &WinRedEmulator) -> Window {
    let (since, until) = e.window();
    Window {
        since,
        until: Some(until),
    }
}

pub fn usd(minor_units: i64) -> Money {
    Money {
        minor_units,
        currency: "USD".into(),
    }
}

pub fn earmark(federal: bool) -> Option<Earmark> {
    federal.then(|| Earmark {
        conduit_name: "WinRed PAC".into(),
        conduit_fec_id: Some("C00694323".into()),
        conduit_address: Some(PostalAddress {
            line1: "PO Box 9891".into(),
            line2: None,
            city: "Arlington".into(),
            region: "VA".into(),
            postal_code: "22219".into(),
            country: "US".into(),
        }),
        recipient_fec_id: Some(FEC_ID.into()),
    })
}

pub fn person(p: &emu::Person) -> Person {
    Person {
        prefix: p.prefix.clone(),
        first_name: p.first_name.clone(),
        middle_name: p.middle_name.clone(),
        last_name: p.last_name.clone(),
        suffix: p.suffix.clone(),
        email: p.email.clone(),
        phone: p.phone.clone(),
        address: p.address.as_ref().map(|a| PostalAddress {
            line1: a.line1.clone(),
            line2: a.line2.clone(),
            city: a.city.clone(),
            region: a.region.clone(),
            postal_code: a.postal_code.clone(),
            country: a.country.clone(),
        }),
        employer: p.employer.clone(),
        occupation: p.occupation.clone(),
        processor_donor_id: p.processor_donor_id.clone(),
    }
}

/// The emulator's ground truth as the contract's donation.
pub fn expected(e: &Expected, federal: bool) -> Donation {
    Donation {
        id: e.id.clone(),
        kind: match e.kind {
            "contribution" => DonationKind::Contribution,
            "refund" => DonationKind::Refund,
            "chargeback" => DonationKind::Chargeback,
            _ => DonationKind::ChargebackReversal,
        },
        reverses: e.reverses.clone(),
        amount: usd(e.amount),
        fee: e.fee.map(usd),
        net: e.net.map(usd),
        received_at: e.received_at.clone(),
        donor: person(&e.donor),
        recurrence: e
            .recurrence
            .as_ref()
            .map(|(interval, installment, sub)| Recurrence {
                interval: if *interval == "weekly" {
                    Interval::Weekly
                } else {
                    Interval::Monthly
                },
                installment: Some(*installment),
                subscription_id: Some(sub.clone()),
            }),
        earmark: earmark(federal),
        source: e.source.clone(),
        payout_id: e.payout_id.clone(),
        livemode: true,
        extra: e.extra.clone(),
    }
}

pub fn expected_fee(f: &ExpectedFee) -> FeeEntry {
    FeeEntry {
        id: f.id.clone(),
        amount: usd(f.amount),
        charged_at: f.charged_at.clone(),
        donation_id: f.donation_id.clone(),
        payout_id: f.payout_id.clone(),
        description: f.description.clone(),
    }
}

/// Every page of the window; the cursors each page returned (the last is None).
pub async fn fetch_all(
    host: &Host,
    i: &Integration,
    w: &Window,
    from: Option<String>,
) -> (Vec<Donation>, Vec<FeeEntry>, Vec<Option<String>>) {
    let (mut donations, mut fees, mut cursors) = (Vec::new(), Vec::new(), Vec::new());
    let mut cursor = from;
    for _ in 0..1_000 {
        let page = host.fetch(i, w, cursor.as_deref()).await.expect("fetch");
        donations.extend(page.donations);
        fees.extend(page.fees);
        cursors.push(page.next_cursor.clone());
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return (donations, fees, cursors),
        }
    }
    panic!("the cursor never ended");
}

pub fn assert_same(actual: &[Donation], expected: &[Donation]) {
    assert_eq!(actual.len(), expected.len(), "donation count");
    for (a, e) in actual.iter().zip(expected) {
        assert_eq!(a, e, "donation {} differs from ground truth", e.id);
    }
}
