//! Fetch against the emulator: ground truth, cursors, inserts, faults, payouts.

use std::collections::HashSet;

use intake_emulators::winred::{self as emu, Config, Fault, WinRedEmulator};
use intake_host::types::{Donation, DonationKind, FeeEntry, Payout, PluginError, Window};
use intake_host::{CallError, Integration};

use crate::*;

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
