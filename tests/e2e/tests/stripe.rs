//! The built `stripe.wasm` in the real host against the Stripe emulator over loopback.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use intake_emulators::stripe::{self as emu, Config, Dataset, Fault, Mode, StripeEmulator};
use intake_host::types::{Donation, DonationKind, FeeEntry, PluginError, Window};
use intake_host::{CallError, Host, HostConfig, Integration};

const WEBHOOK_SECRET: &str = "whsec_e2e_current";

async fn host_with(config: HostConfig) -> Host {
    let mut config = config;
    config.cache_dir = Some(std::env::temp_dir().join("intake-test-cache"));
    let host = Host::new(config).expect("host");
    host.load_file(intake_test_artifacts::STRIPE)
        .await
        .expect("stripe.wasm loads");
    host
}

async fn host() -> Host {
    host_with(HostConfig::default()).await
}

fn integration(stripe: &StripeEmulator, mode: Mode) -> Integration {
    let (mode_name, key_setting) = match mode {
        Mode::Test => ("test", "test_secret_key"),
        Mode::Live => ("live", "live_secret_key"),
    };
    Integration::new("stripe")
        .setting("mode", mode_name)
        .setting("api_base", stripe.url())
        .secret(key_setting, stripe.key(mode))
        .secret("webhook_secret", WEBHOOK_SECRET)
        .grant_origin(stripe.url())
        .route_secret(key_setting, stripe.url())
}

fn all_time() -> Window {
    Window {
        since: "2000-01-01T00:00:00Z".into(),
        until: None,
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// One pass: every page's donations and fees, and the cursor each page handed back.
struct Pass {
    donations: Vec<Donation>,
    /// Each page's donations.
    pages: Vec<Vec<Donation>>,
    fees: Vec<FeeEntry>,
    cursors: Vec<String>,
}

async fn fetch_from(
    host: &Host,
    integration: &Integration,
    window: &Window,
    start: Option<String>,
) -> Pass {
    let mut pass = Pass {
        donations: Vec::new(),
        pages: Vec::new(),
        fees: Vec::new(),
        cursors: Vec::new(),
    };
    let mut cursor = start;
    for _ in 0..10_000 {
        let page = host
            .fetch(integration, window, cursor.as_deref())
            .await
            .expect("fetch");
        pass.donations.extend(page.donations.iter().cloned());
        pass.pages.push(page.donations);
        pass.fees.extend(page.fees);
        match page.next_cursor {
            Some(next) => {
                pass.cursors.push(next.clone());
                cursor = Some(next);
            }
            None => return pass,
        }
    }
    panic!("the pass never ended");
}

fn ids(donations: &[Donation]) -> Vec<String> {
    donations.iter().map(|d| d.id.clone()).collect()
}

fn no_duplicates(donations: &[Donation]) -> BTreeSet<String> {
    let set: BTreeSet<String> = ids(donations).into_iter().collect();
    assert_eq!(set.len(), donations.len(), "a donation came twice");
    set
}

#[path = "stripe/truth.rs"]
mod truth;

use truth::{expected, rfc3339};

fn assert_matches_truth(pass: &Pass, truth: &Dataset) {
    let got = no_duplicates(&pass.donations);
    let (want, want_fees) = expected(truth);
    let want_ids: BTreeSet<String> = want.keys().cloned().collect();
    assert_eq!(
        got.difference(&want_ids).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "fetched but not in the ground truth"
    );
    assert_eq!(
        want_ids.difference(&got).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "in the ground truth but not fetched"
    );
    for d in &pass.donations {
        assert_eq!(
            truth::sorted(d.clone()),
            truth::sorted(want[&d.id].clone()),
            "field by field: {}",
            d.id
        );
    }
    let fees: BTreeMap<String, FeeEntry> = pass
        .fees
        .iter()
        .map(|f| (f.id.clone(), f.clone()))
        .collect();
    assert_eq!(fees.len(), pass.fees.len(), "a fee entry came twice");
    assert_eq!(fees, want_fees);
}

// ---- Tests ----

#[tokio::test]
async fn a_full_fetch_equals_the_ground_truth_field_by_field() {
    let stripe = StripeEmulator::start(Config::new(11, 3_000)).await.unwrap();
    let host = host().await;
    let pass = fetch_from(&host, &integration(&stripe, Mode::Test), &all_time(), None).await;
    let truth = stripe.ground_truth(Mode::Test);
    assert_matches_truth(&pass, &truth);
    // The data has every shape the mapping handles.
    let kinds: BTreeSet<String> = pass
        .donations
        .iter()
        .map(|d| format!("{:?}", d.kind))
        .collect();
    assert_eq!(kinds.len(), 4, "{kinds:?}");
    assert!(pass.donations.iter().any(|d| {
        d.recurrence
            .as_ref()
            .is_some_and(|r| r.installment == Some(1))
    }));
    assert!(
        pass.donations
            .iter()
            .any(|d| matches!(d.kind, DonationKind::Contribution) && d.fee.is_none())
    );
    // Pages of 100, with what the records need expanded in the same request.
    let lists: Vec<String> = stripe
        .requests()
        .into_iter()
        .filter(|r| r.starts_with("GET /v1/charges"))
        .collect();
    assert!(lists.len() >= 30);
    assert!(
        lists
            .iter()
            .all(|r| r.contains("limit=100") && r.contains("data.balance_transaction")),
        "{lists:?}"
    );
}

#[tokio::test]
async fn resuming_from_every_cursor_gives_the_same_set_and_the_last_gives_nothing_new() {
    let stripe = StripeEmulator::start(Config::new(12, 700)).await.unwrap();
    let host = host().await;
    let integration = integration(&stripe, Mode::Test);
    let window = all_time();
    let full = fetch_from(&host, &integration, &window, None).await;
    let all = no_duplicates(&full.donations);
    assert!(full.cursors.len() >= 6, "{} cursors", full.cursors.len());

    // Donors keep paying after the pass: a pass resumed from any of its cursors still reads
    // exactly its own set.
    stripe.add_charges(Mode::Test, 5);
    for (i, c) in full.cursors.iter().enumerate() {
        let resumed = fetch_from(&host, &integration, &window, Some(c.clone())).await;
        let mut union: Vec<Donation> = full.pages[..=i].iter().flatten().cloned().collect();
        union.extend(resumed.donations);
        assert_eq!(no_duplicates(&union), all, "resumed from cursor {i}");
    }

    // A second fetch from the last cursor: nothing that was not already there.
    let last = full.cursors.last().unwrap();
    let again = host.fetch(&integration, &window, Some(last)).await.unwrap();
    assert!(again.donations.iter().all(|d| all.contains(&d.id)));
    assert_eq!(again.next_cursor, None);

    // The next sync (a new pass) picks up the new charges.
    let next = fetch_from(&host, &integration, &window, None).await;
    assert_eq!(no_duplicates(&next.donations).len(), all.len() + 5);
}

#[tokio::test]
async fn charges_created_while_paging_are_neither_lost_nor_duplicated() {
    let stripe = StripeEmulator::start(Config::new(13, 600)).await.unwrap();
    let host = host().await;
    let integration = integration(&stripe, Mode::Test);
    let before = expected(&stripe.ground_truth(Mode::Test)).0;
    stripe.insert_charges_during_paging(3);
    let first = fetch_from(&host, &integration, &all_time(), None).await;
    stripe.insert_charges_during_paging(0);
    let first_ids = no_duplicates(&first.donations);
    assert_eq!(
        first_ids,
        before.keys().cloned().collect(),
        "the pass reads what existed when it started"
    );

    let truth = stripe.ground_truth(Mode::Test);
    assert!(
        truth.charges.len() >= 600 + 3 * 5,
        "the knob inserted charges"
    );
    let second = fetch_from(&host, &integration, &all_time(), None).await;
    assert_matches_truth(&second, &truth);
}

#[tokio::test]
async fn a_window_in_the_future_gives_nothing() {
    let stripe = StripeEmulator::start(Config::new(14, 200)).await.unwrap();
    let host = host().await;
    let since = now() + 86_400;
    let window = Window {
        since: rfc3339(since),
        until: Some(rfc3339(since + 86_400)),
    };
    let page = host
        .fetch(&integration(&stripe, Mode::Test), &window, None)
        .await
        .unwrap();
    assert!(page.donations.is_empty() && page.fees.is_empty());
    assert_eq!(page.next_cursor, None);
    let open = Window {
        since: rfc3339(since),
        until: None,
    };
    let page = host
        .fetch(&integration(&stripe, Mode::Test), &open, None)
        .await
        .unwrap();
    assert!(page.donations.is_empty() && page.next_cursor.is_none());
}

#[tokio::test]
async fn a_bounded_window_gives_exactly_what_happened_in_it() {
    let stripe = StripeEmulator::start(Config::new(15, 1_000)).await.unwrap();
    let host = host().await;
    let truth = stripe.ground_truth(Mode::Test);
    let (since, until) = (truth.charges[300].created, truth.charges[700].created);
    let window = Window {
        since: rfc3339(since),
        until: Some(rfc3339(until)),
    };
    let pass = fetch_from(&host, &integration(&stripe, Mode::Test), &window, None).await;
    let (want, _) = expected(&truth);
    let in_window: BTreeSet<String> = want
        .values()
        .filter(|d| d.received_at >= rfc3339(since) && d.received_at < rfc3339(until))
        .map(|d| d.id.clone())
        .collect();
    assert_eq!(no_duplicates(&pass.donations), in_window);
}

#[tokio::test]
async fn test_and_live_data_never_mix() {
    let stripe = StripeEmulator::start(Config {
        live_charges: 150,
        ..Config::new(16, 150)
    })
    .await
    .unwrap();
    let host = host().await;
    let test = fetch_from(&host, &integration(&stripe, Mode::Test), &all_time(), None).await;
    let live = fetch_from(&host, &integration(&stripe, Mode::Live), &all_time(), None).await;
    assert!(test.donations.iter().all(|d| !d.livemode));
    assert!(live.donations.iter().all(|d| d.livemode));
    assert_matches_truth(&live, &stripe.ground_truth(Mode::Live));
    assert!(no_duplicates(&test.donations).is_disjoint(&no_duplicates(&live.donations)));

    let account = host.check(&integration(&stripe, Mode::Live)).await.unwrap();
    assert!(account.livemode && account.id.starts_with("acct_"));
    assert_eq!(account.name, "Jane Doe for Congress");
    let account = host.check(&integration(&stripe, Mode::Test)).await.unwrap();
    assert!(!account.livemode);

    // A live key where the test key belongs: check says so, and fetch reads nothing.
    let swapped = Integration::new("stripe")
        .setting("mode", "test")
        .setting("api_base", stripe.url())
        .secret("test_secret_key", stripe.key(Mode::Live))
        .grant_origin(stripe.url())
        .route_secret("test_secret_key", stripe.url());
    match host.check(&swapped).await {
        Err(CallError::Plugin(PluginError::Config(m))) => {
            assert!(m.contains("test_secret_key") && m.contains("live"), "{m}")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        host.fetch(&swapped, &all_time(), None).await,
        Err(CallError::Plugin(PluginError::Config(_)))
    ));
}

async fn fault_gives(host: &Host, stripe: &StripeEmulator, fault: Fault) -> CallError {
    stripe.set_fault(fault, 1);
    let error = host
        .fetch(&integration(stripe, Mode::Test), &all_time(), None)
        .await
        .expect_err("the fault shows");
    stripe.clear_faults();
    error
}

#[tokio::test]
async fn each_fault_knob_yields_its_error_kind_and_a_retry_succeeds() {
    let stripe = StripeEmulator::start(Config::new(17, 250)).await.unwrap();
    let host = host().await;
    let limited = Fault::RateLimit {
        should_retry: Some(true),
        retry_after: Some(2),
    };
    assert!(matches!(
        fault_gives(&host, &stripe, limited).await,
        CallError::Plugin(PluginError::RateLimited(Some(2)))
    ));
    let bare = Fault::RateLimit {
        should_retry: None,
        retry_after: None,
    };
    assert!(matches!(
        fault_gives(&host, &stripe, bare).await,
        CallError::Plugin(PluginError::RateLimited(None))
    ));
    for status in [500, 503] {
        let e = fault_gives(
            &host,
            &stripe,
            Fault::ServerError {
                status,
                should_retry: Some(true),
            },
        )
        .await;
        assert!(
            matches!(&e, CallError::Plugin(PluginError::Transient(m)) if m.contains(&status.to_string())),
            "{e:?}"
        );
    }
    match fault_gives(&host, &stripe, Fault::Unreadable).await {
        CallError::Plugin(PluginError::InvalidData(m)) => {
            assert!(m.contains("/v1/charges"), "says where: {m}")
        }
        other => panic!("{other:?}"),
    }
    // A fault mid-pass: the pass resumes from its cursor once Stripe is well again.
    let integration = integration(&stripe, Mode::Test);
    let first = host.fetch(&integration, &all_time(), None).await.unwrap();
    assert!(first.next_cursor.is_some());
    stripe.set_fault(
        Fault::ServerError {
            status: 503,
            should_retry: None,
        },
        1,
    );
    assert!(
        host.fetch(&integration, &all_time(), first.next_cursor.as_deref())
            .await
            .is_err()
    );
    let rest = fetch_from(&host, &integration, &all_time(), first.next_cursor.clone()).await;
    let mut all = first.donations;
    all.extend(rest.donations);
    assert_matches_truth(
        &Pass {
            donations: all,
            pages: Vec::new(),
            fees: rest.fees,
            cursors: Vec::new(),
        },
        &stripe.ground_truth(Mode::Test),
    );

    let wrong_key = Integration::new("stripe")
        .setting("mode", "test")
        .setting("api_base", stripe.url())
        .secret("test_secret_key", "sk_test_not_a_key")
        .grant_origin(stripe.url())
        .route_secret("test_secret_key", stripe.url());
    assert!(matches!(
        host.check(&wrong_key).await,
        Err(CallError::Plugin(PluginError::Auth(_)))
    ));
    assert!(matches!(
        host.fetch(&wrong_key, &all_time(), None).await,
        Err(CallError::Plugin(PluginError::Auth(_)))
    ));
}

#[tokio::test]
async fn a_slow_stripe_is_a_retryable_timeout() {
    let stripe = StripeEmulator::start(Config::new(18, 10)).await.unwrap();
    let mut config = HostConfig::default();
    config.limits.call_timeout = Duration::from_millis(500);
    let host = host_with(config).await;
    stripe.set_fault(Fault::Slow(Duration::from_secs(2)), 1);
    let error = host
        .fetch(&integration(&stripe, Mode::Test), &all_time(), None)
        .await
        .expect_err("too slow");
    assert!(
        matches!(
            error,
            CallError::Timeout(_) | CallError::Plugin(PluginError::Transient(_))
        ),
        "{error:?}"
    );
    assert!(error.is_retryable());
}

/// A webhook endpoint on loopback: hands each delivery (headers, body) to the test.
async fn receiver() -> (
    String,
    tokio::sync::mpsc::UnboundedReceiver<(Vec<(String, String)>, Vec<u8>)>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let url = format!("http://{}/webhooks/stripe", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut data = Vec::new();
            let mut buf = [0u8; 8192];
            let (head_end, length) = loop {
                let n = socket.read(&mut buf).await.unwrap_or(0);
                if n == 0 {
                    break (None, 0);
                }
                data.extend_from_slice(&buf[..n]);
                if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&data[..i]).to_string();
                    let length = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    break (Some(i), length);
                }
            };
            let Some(head_end) = head_end else { continue };
            while data.len() < head_end + 4 + length {
                let n = socket.read(&mut buf).await.unwrap_or(0);
                if n == 0 {
                    break;
                }
                data.extend_from_slice(&buf[..n]);
            }
            let head = String::from_utf8_lossy(&data[..head_end]).to_string();
            let headers = head
                .lines()
                .skip(1)
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .collect();
            let body = data[head_end + 4..].to_vec();
            let _ = tx.send((headers, body));
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                .await;
        }
    });
    (url, rx)
}

#[tokio::test]
async fn webhook_signatures_good_bad_stale_and_rotated() {
    let stripe = StripeEmulator::start(Config::new(19, 300)).await.unwrap();
    let host = host().await;
    let integration = integration(&stripe, Mode::Test);
    let truth = stripe.ground_truth(Mode::Test);
    let (want, _) = expected(&truth);
    let (url, mut deliveries) = receiver().await;

    // Delivered over HTTP by the emulator, read through the host.
    // (Event objects come unexpanded: a donor known only from the customer object gets
    // their email with the next fetch.)
    let paid = truth
        .charges
        .iter()
        .find(|c| c.status == "succeeded" && c.billing_details.email.is_some())
        .unwrap();
    let event = stripe
        .event(Mode::Test, "charge.succeeded", &paid.id)
        .unwrap();
    assert_eq!(
        stripe
            .send_webhook(&url, &event, &[WEBHOOK_SECRET])
            .await
            .unwrap(),
        200
    );
    let (headers, body) = deliveries.recv().await.unwrap();
    let donations = host
        .parse_webhook(&integration, &headers, &body)
        .await
        .unwrap();
    assert_eq!(donations.len(), 1);
    let (got, fetched) = (&donations[0], &want[&paid.id]);
    assert_eq!(
        (&got.id, &got.amount, &got.received_at, &got.donor.email),
        (
            &fetched.id,
            &fetched.amount,
            &fetched.received_at,
            &fetched.donor.email
        )
    );

    // Rotation: the old and the new secret both sign; one matching v1 is enough.
    let refunded = truth
        .charges
        .iter()
        .find(|c| c.refunds.data.len() == 2)
        .unwrap();
    let event = stripe
        .event(Mode::Test, "charge.refunded", &refunded.id)
        .unwrap();
    let (headers, body) =
        emu::webhook::delivery(&event, &["whsec_e2e_previous", WEBHOOK_SECRET], now());
    let donations = host
        .parse_webhook(&integration, &headers, &body)
        .await
        .unwrap();
    let refund_ids: BTreeSet<String> = refunded.refunds.data.iter().map(|r| r.id.clone()).collect();
    assert_eq!(no_duplicates(&donations), refund_ids);
    assert!(
        donations
            .iter()
            .all(|d| matches!(d.kind, DonationKind::Refund)
                && d.reverses.as_deref() == Some(refunded.id.as_str()))
    );

    let disputed = truth.disputes.iter().find(|d| d.status == "won").unwrap();
    let event = stripe
        .event(Mode::Test, "charge.dispute.closed", &disputed.id)
        .unwrap();
    let (headers, body) = emu::webhook::delivery(&event, &[WEBHOOK_SECRET], now());
    let donations = host
        .parse_webhook(&integration, &headers, &body)
        .await
        .unwrap();
    let kinds: Vec<DonationKind> = donations.iter().map(|d| d.kind).collect();
    assert_eq!(
        kinds,
        vec![DonationKind::Chargeback, DonationKind::ChargebackReversal]
    );
    assert_eq!(donations[0].id, disputed.id);

    // Anything else is acknowledged and ignored.
    let payout = &truth.payouts[0];
    let event = stripe.event(Mode::Test, "payout.paid", &payout.id).unwrap();
    let (headers, body) = emu::webhook::delivery(&event, &[WEBHOOK_SECRET], now());
    assert_eq!(
        host.parse_webhook(&integration, &headers, &body)
            .await
            .unwrap(),
        Vec::<Donation>::new()
    );

    let event = stripe
        .event(Mode::Test, "charge.succeeded", &paid.id)
        .unwrap();
    let auth_error = |r: Result<Vec<Donation>, CallError>| {
        matches!(r, Err(CallError::Plugin(PluginError::Auth(_))))
    };
    // Signed with another secret.
    let (headers, body) = emu::webhook::delivery(&event, &["whsec_someone_else"], now());
    assert!(auth_error(
        host.parse_webhook(&integration, &headers, &body).await
    ));
    // Stale: signed six minutes ago (a replay).
    let (headers, body) = emu::webhook::delivery(&event, &[WEBHOOK_SECRET], now() - 360);
    assert!(auth_error(
        host.parse_webhook(&integration, &headers, &body).await
    ));
    // Body changed after signing.
    let (headers, mut body) = emu::webhook::delivery(&event, &[WEBHOOK_SECRET], now());
    let at = body
        .windows(4)
        .position(|w| w == b"2700" || w == b"\"amo")
        .unwrap();
    body[at + 1] ^= 1;
    assert!(auth_error(
        host.parse_webhook(&integration, &headers, &body).await
    ));
    // No signature at all.
    assert!(auth_error(
        host.parse_webhook(&integration, &[], &body).await
    ));
}

#[tokio::test]
async fn payouts_settle_the_donations_fetch_returned() {
    let stripe = StripeEmulator::start(Config::new(20, 800)).await.unwrap();
    let host = host().await;
    let integration = integration(&stripe, Mode::Test);
    let truth = stripe.ground_truth(Mode::Test);
    let pass = fetch_from(&host, &integration, &all_time(), None).await;
    let by_id: BTreeMap<String, Donation> = pass
        .donations
        .iter()
        .map(|d| (d.id.clone(), d.clone()))
        .collect();
    let fee_ids: BTreeSet<String> = pass.fees.iter().map(|f| f.id.clone()).collect();

    let mut payouts = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = host
            .fetch_payouts(&integration, &all_time(), cursor.as_deref())
            .await
            .unwrap();
        payouts.extend(page.payouts);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let want: BTreeSet<&String> = truth
        .payouts
        .iter()
        .filter(|p| p.status == "paid")
        .map(|p| &p.id)
        .collect();
    assert_eq!(payouts.iter().map(|p| &p.id).collect::<BTreeSet<_>>(), want);
    assert_eq!(payouts.len(), want.len(), "no payout twice");
    for p in &payouts {
        let stripe_payout = truth.payouts.iter().find(|t| t.id == p.id).unwrap();
        assert_eq!(
            p.net.minor_units, stripe_payout.amount,
            "{}: what reached the bank",
            p.id
        );
        assert_eq!(p.gross.minor_units - p.fees.minor_units, p.net.minor_units);
        assert_eq!(p.paid_at, rfc3339(stripe_payout.arrival_date));
        // Each id is a donation fetch returned, and their amounts add up to the gross.
        let gross: i64 = p
            .donation_ids
            .iter()
            .map(|id| {
                by_id
                    .get(id)
                    .unwrap_or_else(|| panic!("{id} of {} was not fetched", p.id))
                    .amount
                    .minor_units
            })
            .sum();
        assert_eq!(gross, p.gross.minor_units, "{}", p.id);
        assert!(
            p.fee_ids.iter().all(|id| fee_ids.contains(id)),
            "{:?}",
            p.fee_ids
        );
        assert_eq!(p.donation_ids.len(), truth.payout_members[&p.id].len());
    }
}

#[tokio::test]
async fn a_dashboard_export_and_a_payment_link() {
    let stripe = StripeEmulator::start(Config::new(21, 60)).await.unwrap();
    let host = host().await;
    let integration = integration(&stripe, Mode::Test);
    let truth = stripe.ground_truth(Mode::Test);
    let mut csv = String::from(
        "id,Created date (UTC),Amount,Amount Refunded,Currency,Fee,Mode,Status,Customer ID,Customer Email,Card Name\n",
    );
    for c in &truth.charges {
        let bt = c
            .balance_transaction
            .as_deref()
            .and_then(|id| truth.balance_transaction(id));
        let status = match c.status.as_str() {
            "succeeded" => "Paid",
            "failed" => "Failed",
            _ => "Pending",
        };
        let when = rfc3339(c.created).replace('T', " ").replace('Z', "");
        let fee = bt
            .map(|b| format!("{}.{:02}", b.fee / 100, b.fee % 100))
            .unwrap_or_default();
        let name = c
            .billing_details
            .name
            .clone()
            .unwrap_or_default()
            .replace('"', "");
        csv.push_str(&format!(
            "{},{when},{}.{:02},0.00,usd,{fee},Test,{status},{},{},\"{name}\"\n",
            c.id,
            c.amount / 100,
            c.amount % 100,
            c.customer.clone().unwrap_or_default(),
            c.billing_details.email.clone().unwrap_or_default()
        ));
    }
    let import = host
        .parse_export(&integration, "payments.csv", csv.as_bytes())
        .await
        .unwrap();
    let paid: BTreeSet<String> = truth
        .charges
        .iter()
        .filter(|c| c.status == "succeeded")
        .map(|c| c.id.clone())
        .collect();
    assert_eq!(
        no_duplicates(&import.donations),
        paid,
        "same ids as fetch gives"
    );
    assert_eq!(
        import.rejected.len(),
        truth.charges.len() - paid.len(),
        "every other row is rejected, with its line"
    );
    let (want, _) = expected(&truth);
    for d in &import.donations {
        assert_eq!(
            (&d.amount, &d.received_at, &d.fee),
            (
                &want[&d.id].amount,
                &want[&d.id].received_at,
                &want[&d.id].fee
            ),
            "{}",
            d.id
        );
    }

    let donor = want
        .values()
        .find(|d| d.donor.email.is_some() && d.donor.processor_donor_id.is_some())
        .unwrap()
        .donor
        .clone();
    let link = host
        .donation_link(
            &integration,
            "https://buy.stripe.com/test_6oE5mB3x",
            &donor,
            None,
        )
        .await
        .unwrap();
    let email = donor.email.unwrap().replace('@', "%40");
    assert_eq!(
        link,
        format!(
            "https://buy.stripe.com/test_6oE5mB3x?prefilled_email={email}&client_reference_id={}",
            donor.processor_donor_id.unwrap()
        )
    );
    assert!(
        host.donation_link(
            &integration,
            "javascript:alert(1)",
            &donor_without_email(),
            None
        )
        .await
        .is_err()
    );
}

fn donor_without_email() -> intake_host::types::Person {
    intake_host::types::Person {
        prefix: None,
        first_name: "Ann".into(),
        middle_name: None,
        last_name: "Lee".into(),
        suffix: None,
        email: None,
        phone: None,
        address: None,
        employer: None,
        occupation: None,
        processor_donor_id: None,
    }
}
