//! The hostile guest returns records and strings that break the contract's rules through the
//! data exports (`fetch`, `fetch-payouts`, `parse-webhook`, `parse-export`): each ends in a
//! typed error naming the record, fast, and the host then serves other calls.

mod common;

use std::time::{Duration, Instant};

use common::{loaded_host, test_limits};
use intake_host::types::{PluginError, Window};
use intake_host::{CallError, Host, Integration, LoadError};

fn attack(name: &str) -> Integration {
    Integration::new("hostile").setting("attack", name)
}

fn window() -> Window {
    Window {
        since: "2024-01-01T00:00:00Z".into(),
        until: None,
    }
}

fn invalid<T: std::fmt::Debug>(r: Result<T, CallError>) -> String {
    match r {
        Err(CallError::InvalidOutput(m)) => m,
        other => panic!("expected InvalidOutput, got {other:?}"),
    }
}

async fn assert_still_serves(host: &Host) {
    let page = host.fetch(&attack("none"), &window(), None).await.unwrap();
    assert_eq!(page.donations[0].id, "don_ok");
    assert_eq!(host.info("winred").await.unwrap().id, "winred");
}

#[tokio::test]
async fn a_time_with_no_utc_in_range_is_invalid_output_on_every_path() {
    let host = loaded_host(test_limits()).await;
    let bad = attack("bad-time");
    let expected = "time `9999-12-31T23:59:59-01:00` is out of range in UTC";
    for m in [
        invalid(host.fetch(&bad, &window(), None).await),
        invalid(host.parse_webhook(&bad, &[], b"{}").await),
        invalid(host.parse_export(&bad, "x.csv", b"").await),
    ] {
        assert_eq!(m, format!("donation `don_bad`: {expected}"));
    }
    let m = invalid(host.fetch_payouts(&bad, &window(), None).await);
    assert_eq!(m, format!("payout `po_bad`: {expected}"));
    assert_still_serves(&host).await;
}

#[tokio::test]
async fn money_that_does_not_add_up_is_refused_naming_the_record() {
    let host = loaded_host(test_limits()).await;
    let cases = [
        ("negative-fee", "donation `don_bad`: fee -30 is negative"),
        (
            "fee-currency",
            "donation `don_bad`: fee is in EUR but the amount is in USD",
        ),
        (
            "bad-net",
            "donation `don_bad`: net 2500 is not amount 2500 minus fee 103",
        ),
    ];
    for (name, expected) in cases {
        let i = attack(name);
        assert_eq!(invalid(host.fetch(&i, &window(), None).await), expected);
        assert_eq!(invalid(host.parse_webhook(&i, &[], b"").await), expected);
        assert_eq!(invalid(host.parse_export(&i, "x.csv", b"").await), expected);
    }
    assert_eq!(
        invalid(
            host.fetch_payouts(&attack("bad-net"), &window(), None)
                .await
        ),
        "payout `po_bad`: net 10000 is not gross 10000 minus fees 320"
    );
    assert_eq!(
        invalid(
            host.parse_export(&attack("bad-payout-net"), "x.csv", b"")
                .await
        ),
        "payout `po_bad`: net 1 is not gross 10000 minus fees 320"
    );
    assert_still_serves(&host).await;
}

#[tokio::test]
async fn an_oversized_cursor_is_refused_fast() {
    let host = loaded_host(intake_host::Limits {
        memory_bytes: 512 << 20,
        ..test_limits()
    })
    .await;
    let m = invalid(host.fetch(&attack("long-cursor"), &window(), None).await);
    assert_eq!(m, "the next cursor is 5000 bytes, over the cap of 4096");

    // 100 MB: over the transfer limit before it is even copied out of the guest.
    let started = Instant::now();
    let err = host
        .fetch(&attack("huge-cursor"), &window(), None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, CallError::TransferLimit(n) if n == 32 << 20),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_still_serves(&host).await;
}

#[tokio::test]
async fn a_plugins_error_message_is_cut_to_its_cap() {
    let host = loaded_host(test_limits()).await;
    let err = host
        .fetch(&attack("huge-error"), &window(), None)
        .await
        .unwrap_err();
    let CallError::Plugin(PluginError::Transient(m)) = &err else {
        panic!("{err:?}")
    };
    // 2 KiB of the 64 KiB message, and the mark that it was cut.
    assert_eq!(m, &format!("{}…", "e".repeat(2048)));
    assert!(err.is_retryable());
}

#[tokio::test]
async fn huge_help_text_is_refused_at_load_fast_naming_the_field() {
    let host = common::host_with(test_limits());
    let started = Instant::now();
    let err = host
        .load_file(intake_test_artifacts::HOSTILE_HUGE_HELP)
        .await
        .unwrap_err();
    match &err {
        LoadError::BadInfo { field, reason, .. } => {
            assert_eq!(field, "settings[1].help");
            assert_eq!(reason, "65536 bytes, over the cap of 2048");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(host.plugins().is_empty());
}
