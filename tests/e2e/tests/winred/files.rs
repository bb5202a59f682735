//! Webhook deliveries, CSV exports and donation links.

use intake_emulators::winred::{self as emu, Config, WinRedEmulator};
use intake_host::types::{Donation, FileImport, Person, PluginError};
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
                assert!(m.contains("X-WinRed-Signature timestamp") && m.contains("stale or replayed"), "{m}")
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
            assert_eq!(got.is_ok(), fresh, "signed {} s from now: {got:?}", signed_at - now());
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

fn golden(name: &str) -> (Vec<u8>, FileImport) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/winred");
    let csv = std::fs::read(format!("{dir}/{name}")).unwrap();
    let expected = std::fs::read_to_string(format!("{dir}/{name}.expected.json")).unwrap();
    (csv, serde_json::from_str(&expected).unwrap())
}

#[tokio::test]
async fn csv_exports_read_exactly() {
    let host = host().await;
    let i = Integration::new("winred")
        .setting("committee_level", "federal")
        .setting("committee_fec_id", FEC_ID);
    for name in ["donations-export.csv", "ledger.csv", "payout-export.csv"] {
        let (csv, want) = golden(name);
        let got = host
            .parse_export(&i, name, &csv)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got.rejected, want.rejected, "{name}: rejects");
        assert_same(&got.donations, &want.donations);
        assert_eq!((got.fees, got.payouts), (want.fees, want.payouts), "{name}");
    }
    // Spot checks that the expectation files say what the issue asks, independently of them.
    let (_, ledger) = golden("ledger.csv");
    assert!(
        ledger.fees.iter().any(|f| f.amount == usd(1_500)),
        "zero-amount rows are kept as fees"
    );
    let (_, export) = golden("donations-export.csv");
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
    let (csv, _) = golden("payout-export.csv");
    let got = host
        .parse_export(&state, "payout-export.csv", &csv)
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
