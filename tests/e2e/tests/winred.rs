//! The built `winred.wasm` in the real host against the WinRed emulator (the partner API as
//! Intake models it: `plugins/winred/API.md`).

use std::collections::HashSet;

use intake_emulators::winred::{self as emu, Config, Expected, ExpectedFee, Fault, WinRedEmulator};
use intake_host::types::{
    Donation, DonationKind, Earmark, FeeEntry, FileImport, Interval, Money, Payout, Person,
    PluginError, PostalAddress, Recurrence, Window,
};
use intake_host::{CallError, Host, HostConfig, Integration};

const FEC_ID: &str = "C00123456";

async fn host() -> Host {
    let mut config = HostConfig::default();
    config.cache_dir = Some(std::env::temp_dir().join("intake-test-cache"));
    let host = Host::new(config).expect("host");
    let info = host
        .load_file(intake_test_artifacts::WINRED)
        .await
        .expect("load winred.wasm");
    assert_eq!(info.id, "winred");
    host
}

/// The integration of committee `index` of `e`, reaching the emulator.
fn integration(e: &WinRedEmulator, index: usize) -> Integration {
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

fn window(e: &WinRedEmulator) -> Window {
    let (since, until) = e.window();
    Window {
        since,
        until: Some(until),
    }
}

fn usd(minor_units: i64) -> Money {
    Money {
        minor_units,
        currency: "USD".into(),
    }
}

fn earmark(federal: bool) -> Option<Earmark> {
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

fn person(p: &emu::Person) -> Person {
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
fn expected(e: &Expected, federal: bool) -> Donation {
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

fn expected_fee(f: &ExpectedFee) -> FeeEntry {
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
async fn fetch_all(
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

fn assert_same(actual: &[Donation], expected: &[Donation]) {
    assert_eq!(actual.len(), expected.len(), "donation count");
    for (a, e) in actual.iter().zip(expected) {
        assert_eq!(a, e, "donation {} differs from ground truth", e.id);
    }
}

#[tokio::test]
async fn full_fetch_equals_ground_truth_for_federal_and_state_committees() {
    let host = host().await;
    let e = WinRedEmulator::start(Config::new(11).federal(FEC_ID, 400).state(250))
        .await
        .unwrap();
    for index in 0..2 {
        let c = e.committee(index).clone();
        let i = integration(&e, index);
        let account = host.check(&i).await.expect("check");
        assert_eq!(
            (account.id.as_str(), account.name.as_str()),
            (c.id.as_str(), c.name.as_str())
        );
        let truth = e.ground_truth(index);
        let (donations, fees, _) = fetch_all(&host, &i, &window(&e), None).await;
        let want: Vec<Donation> = truth
            .expected()
            .iter()
            .map(|x| expected(x, c.federal))
            .collect();
        assert_same(&donations, &want);
        let want_fees: Vec<FeeEntry> = truth.expected_fees().iter().map(expected_fee).collect();
        assert_eq!(fees, want_fees);
        // The data holds what the issue lists, so the equality above covers it.
        assert!(
            want.iter().any(|d| d.kind == DonationKind::Refund)
                && want.iter().any(|d| d.kind == DonationKind::Chargeback)
        );
        assert!(
            want.iter().any(|d| d.recurrence.is_some()) && want.iter().any(|d| d.fee.is_none())
        );
        assert_eq!(donations.iter().all(|d| d.earmark.is_some()), c.federal);
    }
}

#[tokio::test]
async fn resuming_from_every_cursor_gives_the_rest_exactly() {
    let host = host().await;
    let e = WinRedEmulator::start(Config::new(12).federal(FEC_ID, 700))
        .await
        .unwrap();
    let i = integration(&e, 0);
    let w = window(&e);
    // Page by page, remembering how many donations and fees came before each cursor.
    let (mut all, mut all_fees, mut resumes) = (Vec::new(), Vec::new(), Vec::new());
    let mut cursor = None;
    loop {
        let page = host.fetch(&i, &w, cursor.as_deref()).await.unwrap();
        all.extend(page.donations);
        all_fees.extend(page.fees);
        match page.next_cursor {
            Some(next) => {
                resumes.push((next.clone(), all.len(), all_fees.len()));
                cursor = Some(next);
            }
            None => break,
        }
    }
    assert!(resumes.len() >= 3, "several pages: {}", resumes.len() + 1);
    let ids: HashSet<&str> = all.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids.len(), all.len(), "no duplicates");
    for (n, (cursor, before, fees_before)) in resumes.into_iter().enumerate() {
        let (rest, rest_fees, _) = fetch_all(&host, &i, &w, Some(cursor)).await;
        assert_eq!(rest, all[before..].to_vec(), "resume from cursor {n}");
        assert_eq!(
            rest_fees,
            all_fees[fees_before..].to_vec(),
            "fees after cursor {n}"
        );
    }
}

#[tokio::test]
async fn nothing_new_means_nothing_fetched() {
    let host = host().await;
    let e = WinRedEmulator::start(Config::new(13).federal(FEC_ID, 250))
        .await
        .unwrap();
    let i = integration(&e, 0);
    let w = window(&e);
    let (all, _, cursors) = fetch_all(&host, &i, &w, None).await;
    // The last cursor handed out resumes with exactly the last page, and then nothing.
    let last = cursors
        .iter()
        .rev()
        .flatten()
        .next()
        .cloned()
        .expect("more than one page");
    let (tail, _, tail_cursors) = fetch_all(&host, &i, &w, Some(last)).await;
    assert_eq!(tail_cursors, vec![None]);
    assert!(all.ends_with(&tail) && !tail.is_empty());
    // The next window, starting where this one ended, is empty; so is one in the future.
    for since in [w.until.clone().unwrap(), "2999-01-01T00:00:00Z".to_string()] {
        let next = Window { since, until: None };
        let page = host.fetch(&i, &next, None).await.unwrap();
        assert!(page.donations.is_empty() && page.fees.is_empty() && page.next_cursor.is_none());
    }
}

#[tokio::test]
async fn donations_created_while_paging_are_fetched_once() {
    let host = host().await;
    let e = WinRedEmulator::start(Config::new(14).federal(FEC_ID, 600))
        .await
        .unwrap();
    let i = integration(&e, 0);
    e.insert_during_paging(5);
    let (donations, _, _) = fetch_all(
        &host,
        &i,
        &Window {
            since: e.window().0,
            until: None,
        },
        None,
    )
    .await;
    e.insert_during_paging(0);
    let truth = e.ground_truth(0);
    assert!(
        truth.donations.len() > 600,
        "donations were created while paging"
    );
    let want: Vec<Donation> = truth.expected().iter().map(|x| expected(x, true)).collect();
    assert_same(&donations, &want);
}

fn plugin_error<T>(r: Result<T, CallError>) -> PluginError {
    match r {
        Err(CallError::Plugin(p)) => p,
        Err(other) => panic!("expected a plugin error, got {other:?}"),
        Ok(_) => panic!("expected an error"),
    }
}

#[tokio::test]
async fn faults_map_to_error_kinds_and_retries_lose_nothing() {
    let host = host().await;
    let e = WinRedEmulator::start(Config::new(15).federal(FEC_ID, 500))
        .await
        .unwrap();
    let i = integration(&e, 0);
    let w = window(&e);
    e.set_fault(
        Fault::RateLimit {
            retry_after: Some(7),
        },
        1,
    );
    assert_eq!(
        plugin_error(host.fetch(&i, &w, None).await),
        PluginError::RateLimited(Some(7))
    );
    e.set_fault(Fault::RateLimit { retry_after: None }, 1);
    assert_eq!(
        plugin_error(host.fetch(&i, &w, None).await),
        PluginError::RateLimited(None)
    );
    for status in [500, 502, 503] {
        e.set_fault(Fault::ServerError(status), 1);
        assert!(
            matches!(plugin_error(host.fetch(&i, &w, None).await), PluginError::Transient(m) if m.contains(&status.to_string()))
        );
    }
    e.set_fault(Fault::Unreadable, 1);
    assert!(matches!(
        plugin_error(host.fetch(&i, &w, None).await),
        PluginError::InvalidData(_)
    ));
    e.set_fault(Fault::Slow(std::time::Duration::from_millis(300)), 1);
    assert!(
        host.fetch(&i, &w, None).await.is_ok(),
        "a slow answer within the deadline is still an answer"
    );

    let bad_token = integration(&e, 0).secret("api_token", "wr_live_wrong");
    assert!(matches!(
        plugin_error(host.check(&bad_token).await),
        PluginError::Auth(_)
    ));
    assert!(matches!(
        plugin_error(host.fetch(&bad_token, &w, None).await),
        PluginError::Auth(_)
    ));
    let no_fec = Integration::new("winred")
        .setting("committee_level", "federal")
        .setting("api_base", e.url());
    assert!(
        matches!(plugin_error(host.fetch(&no_fec, &w, None).await), PluginError::Config(m) if m.contains("committee_fec_id"))
    );
    let wrong_fec = integration(&e, 0).setting("committee_fec_id", "C00999999");
    assert!(
        matches!(plugin_error(host.check(&wrong_fec).await), PluginError::Config(m) if m.contains("C00999999"))
    );
    assert!(matches!(
        plugin_error(host.fetch(&i, &w, Some("v1.d.x/../y")).await),
        PluginError::Config(_)
    ));

    // A fault on every other call, retried from the same cursor: the same donations, once each.
    let (mut donations, mut cursor, mut calls, mut failures) = (Vec::new(), None::<String>, 0, 0);
    loop {
        calls += 1;
        assert!(calls < 500);
        if calls % 2 == 1 {
            let fault = [
                Fault::ServerError(503),
                Fault::RateLimit {
                    retry_after: Some(1),
                },
                Fault::Unreadable,
            ][calls / 2 % 3]
                .clone();
            // Delay the fault by a request or two so it lands mid-call, after some progress.
            e.set_fault(Fault::Slow(std::time::Duration::ZERO), calls % 3);
            e.set_fault(fault, 1);
        }
        match host.fetch(&i, &w, cursor.as_deref()).await {
            Ok(page) => {
                e.clear_faults();
                donations.extend(page.donations);
                match page.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
            Err(_) => {
                failures += 1;
                e.clear_faults();
            }
        }
    }
    assert!(failures > 0);
    let want: Vec<Donation> = e
        .ground_truth(0)
        .expected()
        .iter()
        .map(|x| expected(x, true))
        .collect();
    assert_same(&donations, &want);
}

#[tokio::test]
async fn payouts_list_what_they_settle_and_add_up() {
    let host = host().await;
    let e = WinRedEmulator::start(Config::new(16).federal(FEC_ID, 900))
        .await
        .unwrap();
    let i = integration(&e, 0);
    let w = window(&e);
    let truth = e.ground_truth(0);
    let mut payouts: Vec<Payout> = Vec::new();
    let mut cursor = None;
    loop {
        let page = host
            .fetch_payouts(&i, &w, cursor.as_deref())
            .await
            .expect("fetch payouts");
        payouts.extend(page.payouts);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(payouts.len(), truth.payouts.len());
    assert!(payouts.len() > 10);
    for (p, t) in payouts.iter().zip(&truth.payouts) {
        assert_eq!(
            (p.id.as_str(), p.paid_at.as_str()),
            (t.id.as_str(), emu::utc(t.paid_at).as_str())
        );
        assert_eq!(
            (p.gross.clone(), p.fees.clone(), p.net.clone()),
            (usd(t.gross), usd(t.fees), usd(t.net))
        );
        assert_eq!(
            (p.donation_ids.clone(), p.fee_ids.clone()),
            (t.donation_ids(), t.fee_ids())
        );
    }
    // With what fetch returns, each payout is the whole and its donations and fees the splits.
    let (donations, fees, _) = fetch_all(&host, &i, &w, None).await;
    for p in &payouts {
        let splits: i64 = p
            .donation_ids
            .iter()
            .map(|id| {
                let d = donations
                    .iter()
                    .find(|d| &d.id == id)
                    .expect("a settled donation was fetched");
                assert_eq!(d.payout_id.as_deref(), Some(p.id.as_str()));
                d.amount.minor_units - d.fee.as_ref().map_or(0, |f| f.minor_units)
            })
            .sum();
        let fee_total: i64 = p
            .fee_ids
            .iter()
            .map(|id| {
                fees.iter()
                    .find(|f| &f.id == id)
                    .expect("fee fetched")
                    .amount
                    .minor_units
            })
            .sum();
        assert_eq!(splits - fee_total, p.net.minor_units, "payout {}", p.id);
    }
}

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
        let (headers, body) = emu::webhook::delivery(
            &event,
            &["old-secret", &e.committee(index).webhook_secret],
            1_700_000_000,
        );
        assert_eq!(
            host.parse_webhook(&i, &headers, &body).await.unwrap().len(),
            1
        );

        let auth_error = |r: Result<Vec<Donation>, CallError>| {
            matches!(r, Err(CallError::Plugin(PluginError::Auth(_))))
        };
        let (headers, body) = emu::webhook::delivery(&event, &["not-the-secret"], 1_700_000_000);
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
