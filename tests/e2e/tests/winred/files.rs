//! Webhook deliveries, CSV exports and donation links.

use std::collections::{HashMap, HashSet};

use intake_emulators::winred::{self as emu, Config, WinRedEmulator};
use intake_host::types::{Donation, DonationKind, FileImport, Person, PluginError};
use intake_host::{CallError, Integration};

use crate::*;

#[tokio::test]
async fn webhooks_are_verified_then_read() {
    let host = host().await;
    let e = WinRedEmulator::start(Config::new(17).federal(FEC_ID, 200).state(100))
        .await
        .unwrap();
    for index in 0..2 {
        let i = integration(&e, index);
        let federal = e.committee(index).federal;
        let truth = e.ground_truth(index);
        let donation = &truth.donations[truth.donations.len() / 2];
        let event = e.event(index, &donation.id).unwrap();
        let (headers, body) = e.delivery(index, &event);
        let got = host
            .parse_webhook(&i, &headers, &body)
            .await
            .expect("a good signature");
        assert_eq!(got, vec![expected(&donation.expected(), federal)]);

        let refund = truth.refunds.first().expect("a refund");
        let (headers, body) = e.delivery(index, &e.event(index, &refund.id).unwrap());
        assert_eq!(
            host.parse_webhook(&i, &headers, &body).await.unwrap(),
            vec![expected(&refund.expected(), federal)]
        );

        // Rotation: one of several signatures matching is enough.
        let secret = e.committee(index).webhook_secret.clone();
        let (headers, body) = emu::webhook::delivery(&event, &["old-secret", &secret], now());
        assert_eq!(
            host.parse_webhook(&i, &headers, &body).await.unwrap().len(),
            1
        );

        let auth_error = |r: Result<Vec<Donation>, CallError>| {
            matches!(r, Err(CallError::Plugin(PluginError::Auth(_))))
        };
        let (headers, body) = emu::webhook::delivery(&event, &["not-the-secret"], now());
        assert!(
            auth_error(host.parse_webhook(&i, &headers, &body).await),
            "wrong secret"
        );
        let (headers, mut body) = e.delivery(index, &event);
        body.extend_from_slice(b" ");
        assert!(
            auth_error(host.parse_webhook(&i, &headers, &body).await),
            "body changed after signing"
        );
        let (_, body) = e.delivery(index, &event);
        assert!(
            auth_error(host.parse_webhook(&i, &[], &body).await),
            "no signature"
        );

        // The replay window: five minutes either way of the host's clock, with the right secret.
        let replay = |signed_at: i64| emu::webhook::delivery(&event, &[&secret], signed_at);
        // 2023-05-01T00:00:00Z: a delivery captured then and replayed now.
        let (headers, body) = replay(1_682_899_200);
        match host.parse_webhook(&i, &headers, &body).await {
            Err(CallError::Plugin(PluginError::Auth(m))) => {
                assert!(
                    m.contains("X-WinRed-Signature timestamp") && m.contains("stale or replayed"),
                    "{m}"
                )
            }
            other => panic!("a 2023 signature was not refused: {other:?}"),
        }
        for (signed_at, fresh) in [
            (now() - 240, true),
            (now() + 240, true),
            (now() - 420, false),
            (now() + 420, false),
        ] {
            let (headers, body) = replay(signed_at);
            let got = host.parse_webhook(&i, &headers, &body).await;
            assert_eq!(
                got.is_ok(),
                fresh,
                "signed {} s from now: {got:?}",
                signed_at - now()
            );
        }

        let other = emu::webhook::event(
            "evt_x",
            "payout.paid",
            "2024-05-01T00:00:00Z",
            serde_json::json!({"id": "po_1"}),
        );
        let (headers, body) = e.delivery(index, &other);
        assert_eq!(
            host.parse_webhook(&i, &headers, &body).await.unwrap(),
            vec![]
        );
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/fixtures/winred/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A small Windows-1252 export whose every expected record was written by hand from reading
/// the CSV: each row kind (donation, refund, chargeback and its reversal, fee row, zero-amount
/// rows, an unmatched refund), accented names in Windows-1252, quoted commas.
#[tokio::test]
async fn a_small_export_reads_exactly_as_written_by_hand() {
    let host = host().await;
    let csv = fixture("small-export.csv");
    assert!(
        std::str::from_utf8(&csv).is_err(),
        "the fixture must stay Windows-1252, as Excel saves it"
    );
    let want: FileImport =
        serde_json::from_slice(&fixture("small-export.csv.expected.json")).unwrap();
    let state = Integration::new("winred").setting("committee_level", "state");
    let got = host
        .parse_export(&state, "small-export.csv", &csv)
        .await
        .unwrap();
    assert_eq!(got.rejected, want.rejected);
    assert_same(&got.donations, &want.donations);
    assert_eq!((got.fees, got.payouts), (want.fees, want.payouts));
}

/// The larger fixtures are checked by what must hold of any correct reading, not by the
/// plugin's own earlier output: every record accounted for, ids unique, every reversal linked
/// to an earlier entry it can reverse, and every payout adding up.
fn check_invariants(name: &str, csv: &[u8], got: &FileImport) {
    let records = csv::ReaderBuilder::new()
        .from_reader(csv)
        .into_records()
        .filter(|r| {
            r.as_ref()
                .map_or(true, |r| r.iter().any(|f| !f.trim().is_empty()))
        })
        .count();
    let ledger_payouts = if name == "ledger.csv" {
        got.payouts.len()
    } else {
        0
    };
    assert_eq!(
        got.donations.len() + got.fees.len() + got.rejected.len() + ledger_payouts,
        records,
        "{name}: every record is an entry, a fee, a payout row or a rejection"
    );
    let mut ids: Vec<&str> = got.donations.iter().map(|d| d.id.as_str()).collect();
    ids.extend(got.fees.iter().map(|f| f.id.as_str()));
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "{name}: ids are unique");

    let mut reversed = HashSet::new();
    for (i, d) in got.donations.iter().enumerate() {
        if let (Some(fee), Some(net)) = (&d.fee, &d.net) {
            assert_eq!(
                d.amount.minor_units - fee.minor_units,
                net.minor_units,
                "{name}: {} net",
                d.id
            );
        }
        let target = match d.kind {
            DonationKind::Contribution => {
                assert!(d.amount.minor_units > 0, "{name}: {}", d.id);
                continue;
            }
            DonationKind::ChargebackReversal => DonationKind::Chargeback,
            DonationKind::Refund | DonationKind::Chargeback => DonationKind::Contribution,
        };
        let r = d
            .reverses
            .as_deref()
            .unwrap_or_else(|| panic!("{name}: {} links nothing", d.id));
        assert!(reversed.insert(r), "{name}: {r} reversed twice");
        let o = got.donations[..i]
            .iter()
            .find(|o| o.id == r)
            .unwrap_or_else(|| panic!("{name}: {} reverses {r}, not an earlier entry", d.id));
        assert_eq!(o.kind, target, "{name}: {} reverses a {:?}", d.id, o.kind);
        assert_eq!(
            o.amount.minor_units.abs(),
            d.amount.minor_units.abs(),
            "{name}: {}",
            d.id
        );
        assert_eq!(
            (&o.donor.first_name, &o.donor.last_name),
            (&d.donor.first_name, &d.donor.last_name),
            "{name}: {} and {r} are one donor's",
            d.id
        );
    }

    for p in &got.payouts {
        let entries: Vec<&Donation> = got
            .donations
            .iter()
            .filter(|d| p.donation_ids.contains(&d.id))
            .collect();
        assert_eq!(
            entries.len(),
            p.donation_ids.len(),
            "{name}: {} lists known entries",
            p.id
        );
        let fee_rows: i64 = got
            .fees
            .iter()
            .filter(|f| p.fee_ids.contains(&f.id))
            .map(|f| f.amount.minor_units)
            .sum();
        let gross: i64 = entries.iter().map(|d| d.amount.minor_units).sum();
        let fees: i64 = entries
            .iter()
            .filter_map(|d| d.fee.as_ref())
            .map(|f| f.minor_units)
            .sum::<i64>()
            + fee_rows;
        assert_eq!(
            (p.gross.minor_units, p.fees.minor_units),
            (gross, fees),
            "{name}: {} sums",
            p.id
        );
        assert_eq!(p.net.minor_units, gross - fees, "{name}: {} net", p.id);
        assert!(
            got.donations
                .iter()
                .filter(|d| d.payout_id.as_deref() == Some(&p.id))
                .all(|d| p.donation_ids.contains(&d.id)),
            "{name}: every entry naming {} is in it",
            p.id
        );
    }
}

#[tokio::test]
async fn csv_exports_hold_their_invariants() {
    let host = host().await;
    let i = Integration::new("winred")
        .setting("committee_level", "federal")
        .setting("committee_fec_id", FEC_ID);
    let mut read = HashMap::new();
    for name in ["donations-export.csv", "ledger.csv", "payout-export.csv"] {
        let csv = fixture(name);
        let got = host
            .parse_export(&i, name, &csv)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        check_invariants(name, &csv, &got);
        read.insert(name, got);
    }
    // Spot checks written by hand from reading the files.
    let ledger = &read["ledger.csv"];
    assert!(
        ledger.fees.iter().any(|f| f.amount == usd(1_500)),
        "zero-amount rows are kept as fees"
    );
    assert_eq!(
        ledger
            .payouts
            .iter()
            .map(|p| p.net.minor_units)
            .collect::<Vec<_>>(),
        vec![7_810, 197_120]
    );
    let export = &read["donations-export.csv"];
    let john = &export.donations[0];
    assert_eq!(
        (
            john.donor.middle_name.as_deref(),
            john.donor.suffix.as_deref()
        ),
        (Some("Q."), Some("Jr."))
    );
    assert_eq!(
        export.rejected.iter().map(|r| r.line).collect::<Vec<_>>(),
        vec![8, 9, 10, 11, 12]
    );
    let state = Integration::new("winred").setting("committee_level", "state");
    let got = host
        .parse_export(&state, "payout-export.csv", &fixture("payout-export.csv"))
        .await
        .unwrap();
    assert!(got.donations.iter().all(|d| d.earmark.is_none()));
}

#[tokio::test]
async fn donation_links_and_the_conduit_record() {
    let host = host().await;
    let info = host
        .plugins()
        .into_iter()
        .find(|p| p.id == "winred")
        .unwrap();
    let org = info
        .organization
        .expect("WinRed PAC, for the CRM to create");
    assert_eq!(
        (org.name.as_str(), org.fec_id.as_deref()),
        ("WinRed PAC", Some("C00694323"))
    );
    let i = Integration::new("winred")
        .setting("committee_level", "state")
        .setting("donation_pages", "Main = https://secure.winred.com/friends-of-ann\nGala = https://secure.winred.com/ann-gala?sc=crm");
    let donor = Person {
        prefix: None,
        first_name: "Zoë".into(),
        middle_name: None,
        last_name: "O'Neil".into(),
        suffix: None,
        email: Some("zoe@example.com".into()),
        phone: None,
        address: None,
        employer: Some("Retired".into()),
        occupation: Some("Retired".into()),
        processor_donor_id: None,
    };
    let link = host
        .donation_link(&i, "Gala", &donor, Some(&usd(5_000)))
        .await
        .unwrap();
    assert_eq!(
        link,
        "https://secure.winred.com/ann-gala?sc=crm&first_name=Zo%C3%AB&last_name=O%27Neil&email=zoe%40example.com&employer=Retired&occupation=Retired&amount=50.00"
    );
    let main = host
        .donation_link(&i, "https://secure.winred.com/friends-of-ann", &donor, None)
        .await
        .unwrap();
    assert!(main.starts_with("https://secure.winred.com/friends-of-ann?first_name=Zo%C3%AB&"));
    assert!(matches!(
        host.donation_link(&i, "https://evil.example/x", &donor, None)
            .await,
        Err(CallError::Plugin(PluginError::Config(_)))
    ));
}
