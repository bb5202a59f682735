//! The built `actblue.wasm` in the real host against the ActBlue emulator: the CSV flow
//! over real HTTP (Basic built by the host, jobs in progress, links on a second origin that
//! expire), compared field by field with the emulator's hand-written truth.

mod sync;

use std::collections::BTreeMap;
use std::time::Duration;

use intake_emulators::actblue::{self as emu, ActBlueEmulator, Truth};
use intake_host::types::{Donation, DonationKind, Interval, PluginError, Window};
use intake_host::{CallError, Host, HostConfig, Integration};

async fn host() -> Host {
    let config = HostConfig {
        cache_dir: Some(std::env::temp_dir().join("intake-test-cache")),
        ..HostConfig::default()
    };
    let host = Host::new(config).expect("host");
    let info = host
        .load_file(intake_test_artifacts::ACTBLUE)
        .await
        .expect("load actblue.wasm");
    assert_eq!(info.id, "actblue");
    host
}

fn integration(e: &ActBlueEmulator, secret: &str) -> Integration {
    Integration::new("actblue")
        .setting("client_uuid", emu::CLIENT_UUID)
        .setting("api_base", e.url())
        .setting("webhook_user", "intake-hook")
        .secret("client_secret", secret)
        .secret("webhook_password", "hook-pass-0123456789")
        .grant_origin(e.url())
        .grant_origin(e.download_url())
        .route_secret("client_secret", e.url())
}

/// May 2024 in New York.
fn may() -> Window {
    Window {
        since: "2024-05-01T04:00:00Z".into(),
        until: Some("2024-06-01T04:00:00Z".into()),
    }
}

fn plugin_error<T: std::fmt::Debug>(r: Result<T, CallError>) -> PluginError {
    match r {
        Err(CallError::Plugin(p)) => p,
        other => panic!("expected a plugin error, got {other:?}"),
    }
}

/// Every page from `cursor` on: (the cursor each page was asked with, its donations).
async fn pages(
    host: &Host,
    i: &Integration,
    w: &Window,
    mut cursor: Option<String>,
    between: impl Fn(),
) -> Vec<(Option<String>, Vec<Donation>)> {
    let mut out = Vec::new();
    for _ in 0..100 {
        let page = host.fetch(i, w, cursor.as_deref()).await.unwrap();
        out.push((cursor.clone(), page.donations));
        match page.next_cursor {
            Some(next) => {
                assert_ne!(Some(&next), cursor.as_ref(), "a cursor must move");
                cursor = Some(next);
            }
            None => return out,
        }
        between();
    }
    panic!("more than 100 pages");
}

/// The plugin's donation against the truth, field by field, naming the field on failure.
fn assert_matches(d: &Donation, t: &Truth) {
    let id = t.id;
    assert_eq!(d.kind == DonationKind::Refund, t.refund, "{id} kind");
    assert_eq!(d.reverses.as_deref(), t.reverses, "{id} reverses");
    assert_eq!(
        (d.amount.minor_units, d.amount.currency.as_str()),
        (t.amount, "USD"),
        "{id} amount"
    );
    assert_eq!(d.fee.as_ref().map(|f| f.minor_units), t.fee, "{id} fee");
    assert_eq!(d.received_at, t.received_at, "{id} received_at");
    assert_eq!(d.donor.first_name, t.first, "{id} first name");
    assert_eq!(d.donor.last_name, t.last, "{id} last name");
    assert_eq!(d.donor.email.as_deref(), t.email, "{id} email");
    let address = d.donor.address.as_ref().map(|a| {
        (
            a.line1.as_str(),
            a.line2.as_deref(),
            a.city.as_str(),
            a.region.as_str(),
            a.postal_code.as_str(),
            a.country.as_str(),
        )
    });
    assert_eq!(address, t.address, "{id} address");
    let recurrence = d.recurrence.as_ref().map(|r| {
        (
            r.interval == Interval::Weekly,
            r.installment,
            r.subscription_id.as_deref().unwrap_or(""),
        )
    });
    assert_eq!(recurrence, t.recurrence, "{id} recurrence");
    match (&d.earmark, t.earmarked_for) {
        (None, None) => {}
        (Some(e), Some(fec)) => {
            assert_eq!(e.conduit_name, "ActBlue", "{id} conduit");
            assert_eq!(
                e.conduit_fec_id.as_deref(),
                Some("C00401224"),
                "{id} conduit"
            );
            assert_eq!(e.recipient_fec_id.as_deref(), Some(fec), "{id} recipient");
        }
        (got, want) => panic!("{id} earmark: got {got:?}, want {want:?}"),
    }
    assert_eq!(d.source.as_deref(), t.source, "{id} source");
}

fn assert_all_match(got: &[Donation]) {
    let by_id: BTreeMap<&str, &Donation> = got.iter().map(|d| (d.id.as_str(), d)).collect();
    assert_eq!(by_id.len(), got.len(), "no donation returned twice");
    let truth = emu::data::truth();
    let want: Vec<&str> = truth.iter().map(|t| t.id).collect();
    assert_eq!(by_id.keys().copied().collect::<Vec<_>>(), {
        let mut w = want.clone();
        w.sort();
        w
    });
    for t in &truth {
        assert_matches(by_id[t.id], t);
    }
}

#[tokio::test]
async fn a_full_fetch_is_the_truth_field_by_field() {
    let e = ActBlueEmulator::start().await.unwrap();
    let host = host().await;
    let i = integration(&e, emu::CLIENT_SECRET);
    let all: Vec<Donation> = pages(&host, &i, &may(), None, || {})
        .await
        .into_iter()
        .flat_map(|(_, d)| d)
        .collect();
    assert_all_match(&all);
    // Two jobs (paid, refunded), each polled three times (two in progress), each downloaded.
    assert_eq!(e.jobs(), 2);
    assert_eq!(e.counts(), (8, 2));
}

#[tokio::test]
async fn every_cursor_resumes_exactly_where_its_page_ended_even_after_links_expire() {
    let e = ActBlueEmulator::start().await.unwrap();
    let host = host().await;
    let i = integration(&e, emu::CLIENT_SECRET).setting("page_size", "2");
    // Eleven minutes between pages: every link handed out before has expired.
    let run = pages(&host, &i, &may(), None, || {
        e.advance(Duration::from_secs(660))
    })
    .await;
    // Seven paid rows by twos, then the last one with the refunded row's contribution and
    // refund (a page stops at a row's end, so it may pass page_size).
    let sizes: Vec<usize> = run.iter().map(|(_, d)| d.len()).collect();
    assert_eq!(sizes, [2, 2, 2, 3]);
    let all: Vec<Donation> = run.iter().flat_map(|(_, d)| d.clone()).collect();
    assert_all_match(&all);

    for (n, (cursor, _)) in run.iter().enumerate().skip(1) {
        let before: Vec<Donation> = run[..n].iter().flat_map(|(_, d)| d.clone()).collect();
        let after: Vec<Donation> = pages(&host, &i, &may(), cursor.clone(), || {})
            .await
            .into_iter()
            .flat_map(|(_, d)| d)
            .collect();
        let mut joined = before;
        joined.extend(after);
        assert_all_match(&joined);
    }
}

#[tokio::test]
async fn a_later_window_adds_nothing_and_a_foreign_cursor_is_refused() {
    let e = ActBlueEmulator::start().await.unwrap();
    let host = host().await;
    let i = integration(&e, emu::CLIENT_SECRET);
    let june = Window {
        since: "2024-06-01T04:00:00Z".into(),
        until: Some("2024-07-01T04:00:00Z".into()),
    };
    let got: Vec<Donation> = pages(&host, &i, &june, None, || {})
        .await
        .into_iter()
        .flat_map(|(_, d)| d)
        .collect();
    assert!(got.is_empty(), "{got:?}");

    let may_cursor = "ab1|paid|2024-05-01|2024-06-01|csv-1|2";
    match plugin_error(host.fetch(&i, &june, Some(may_cursor)).await) {
        PluginError::Config(m) => assert!(
            m.contains("belongs to the dates 2024-05-01..2024-06-01, not this window's 2024-06-01..2024-07-01"),
            "{m}"
        ),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn check_and_fetch_with_a_wrong_secret_are_auth_errors() {
    let e = ActBlueEmulator::start().await.unwrap();
    let host = host().await;
    let account = host
        .check(&integration(&e, emu::CLIENT_SECRET))
        .await
        .unwrap();
    assert_eq!(account.id, emu::CLIENT_UUID);

    let wrong = integration(&e, "not-the-secret-at-all");
    match plugin_error(host.check(&wrong).await) {
        PluginError::Auth(m) => assert!(m.starts_with("HTTP 401"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        plugin_error(host.fetch(&wrong, &may(), None).await),
        PluginError::Auth(_)
    ));
}

const DELIVERY: &str = r#"{
  "donor": {"firstname": "José", "lastname": "Núñez", "addr1": "1 Main St", "city": "Arlington",
            "state": "VA", "zip": "22201-1234", "country": "United States", "email": "Jose@Example.com",
            "employerData": {"employer": "Self", "occupation": "Writer"}},
  "contribution": {"createdAt": "2024-05-01T00:30:00-04:00", "orderNumber": "AB100",
                   "recurringPeriod": "once", "isRecurring": false},
  "lineitems": [
    {"sequence": 0, "fecId": "C00123456", "committeeName": "Smith for Congress", "amount": "25.0",
     "paidAt": "2024-05-01T00:30:00-04:00", "lineitemId": 1001},
    {"sequence": 1, "committeeName": "Friends of Ana Ruiz", "amount": "5.5",
     "paidAt": "2024-05-01T00:30:00-04:00", "lineitemId": 1002, "refundedAt": "2024-05-02T09:00:00-04:00"}
  ],
  "form": {"name": "spring-push", "kind": "page"}
}"#;

#[tokio::test]
async fn webhooks_need_the_chosen_basic_credentials() {
    let e = ActBlueEmulator::start().await.unwrap();
    let host = host().await;
    let i = integration(&e, emu::CLIENT_SECRET);
    // base64("intake-hook:hook-pass-0123456789"), by coreutils.
    let good = vec![(
        "Authorization".to_string(),
        "Basic aW50YWtlLWhvb2s6aG9vay1wYXNzLTAxMjM0NTY3ODk=".to_string(),
    )];
    let got = host
        .parse_webhook(&i, &good, DELIVERY.as_bytes())
        .await
        .unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].id, "1001");
    assert_eq!(got[0].amount.minor_units, 2500);
    assert_eq!(got[0].received_at, "2024-05-01T04:30:00Z");
    assert_eq!(
        got[0]
            .earmark
            .as_ref()
            .and_then(|e| e.recipient_fec_id.as_deref()),
        Some("C00123456")
    );
    assert_eq!(got[1].id, "refund-1002");
    assert_eq!(got[1].kind, DonationKind::Refund);
    assert_eq!(got[1].reverses.as_deref(), Some("1002"));
    assert_eq!(got[1].amount.minor_units, -550);
    assert_eq!(got[1].received_at, "2024-05-02T13:00:00Z");
    assert!(got[1].earmark.is_none());

    // base64("intake-hook:wrong"), and no header at all.
    for headers in [
        vec![(
            "authorization".to_string(),
            "Basic aW50YWtlLWhvb2s6d3Jvbmc=".to_string(),
        )],
        vec![],
    ] {
        match plugin_error(host.parse_webhook(&i, &headers, DELIVERY.as_bytes()).await) {
            PluginError::Auth(m) => assert!(
                m.contains("do not match webhook_user and webhook_password"),
                "{m}"
            ),
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn a_job_still_building_keeps_its_cursor_and_says_so() {
    let e = ActBlueEmulator::start().await.unwrap();
    e.set_polls_before_ready(5);
    let host = host().await;
    let i = integration(&e, emu::CLIENT_SECRET);
    // The first call makes the job and polls three times: no rows yet, but a cursor with
    // the job, so the job is not made again.
    let first = host.fetch(&i, &may(), None).await.unwrap();
    assert!(first.donations.is_empty());
    let cursor = first.next_cursor.unwrap();
    assert_eq!(cursor, "ab1|paid|2024-05-01|2024-06-01|csv-1|0");
    // Two more polls and the job is ready: the rest comes from that cursor.
    let rest: Vec<Donation> = pages(&host, &i, &may(), Some(cursor.clone()), || {})
        .await
        .into_iter()
        .flat_map(|(_, d)| d)
        .collect();
    assert_all_match(&rest);

    // A call that gets nowhere (a new job, never ready within its polls, from a cursor that
    // already names it) is a transient error: the caller keeps its cursor and retries.
    e.set_polls_before_ready(100);
    let started = host
        .fetch(&i, &may(), None)
        .await
        .unwrap()
        .next_cursor
        .unwrap();
    match plugin_error(host.fetch(&i, &may(), Some(&started)).await) {
        PluginError::Transient(m) => assert!(m.contains("still building CSV csv-"), "{m}"),
        other => panic!("{other:?}"),
    }
}
