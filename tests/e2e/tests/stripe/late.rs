//! Money that moves after the charge is made: an authorization captured days later and an
//! ACH-style debit pending at creation that clears later arrive exactly once, in the window
//! where the money moved, dated when the donor gave; their webhooks give the same record.

use super::*;

const DAY: i64 = 86_400;

fn window(since: i64, until: Option<i64>) -> Window {
    Window {
        since: rfc3339(since),
        until: until.map(rfc3339),
    }
}

fn extra<'a>(d: &'a Donation, key: &str) -> Option<&'a str> {
    d.extra
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn a_late_capture_and_a_cleared_debit_arrive_once_where_their_money_moved() {
    // 700 charges over 10 days: several pages in a 3-day window.
    let stripe = StripeEmulator::start(Config {
        span_days: 10,
        ..Config::new(31, 700)
    })
    .await
    .unwrap();
    let host = host().await;
    let integration = integration(&stripe, Mode::Test);
    let t = now();
    let given = t - 5 * DAY;
    let held = stripe.authorize(Mode::Test, given);
    let debit = stripe.debit(Mode::Test, given + 60);
    let (before, after) = (
        window(t - 10 * DAY, Some(t - 3 * DAY)),
        window(t - 3 * DAY, None),
    );
    let ours = |pass: &Pass| -> Vec<String> {
        ids(&pass.donations)
            .into_iter()
            .filter(|id| *id == held.id || *id == debit.id)
            .collect()
    };

    // Authorized and pending: no money yet, in no window.
    for w in [&before, &after, &all_time()] {
        assert!(ours(&fetch_from(&host, &integration, w, None).await).is_empty());
    }

    // Captured 3 days after it was given; the debit clears a day later.
    let captured_at = t - 2 * DAY;
    let cleared_at = t - DAY;
    stripe.settle(Mode::Test, &held.id, captured_at).unwrap();
    stripe.settle(Mode::Test, &debit.id, cleared_at).unwrap();

    // Not in the window where it was given (already synced: it must not need a re-sync)...
    let early = fetch_from(&host, &integration, &before, None).await;
    assert!(ours(&early).is_empty(), "{:?}", ours(&early));
    // ...but once in the window where it was captured, dated when given.
    let late = fetch_from(&host, &integration, &after, None).await;
    no_duplicates(&late.donations);
    let mut got = ours(&late);
    got.sort();
    let mut want = vec![held.id.clone(), debit.id.clone()];
    want.sort();
    assert_eq!(got, want);
    let truth = stripe.ground_truth(Mode::Test);
    let (expected_records, _) = expected(&truth);
    for (charge, given_at, moved_at) in [
        (&held, given, captured_at),
        (&debit, given + 60, cleared_at),
    ] {
        let d = late.donations.iter().find(|d| d.id == charge.id).unwrap();
        assert_eq!(
            d.received_at,
            rfc3339(given_at),
            "dated when the donor gave"
        );
        assert_eq!(extra(d, "settled_at"), Some(rfc3339(moved_at).as_str()));
        assert_eq!(d.amount.minor_units, charge.amount);
        assert!(
            d.fee.is_some() && d.net.is_some(),
            "fee known once captured"
        );
        assert_eq!(
            truth::sorted(d.clone()),
            truth::sorted(expected_records[&charge.id].clone())
        );
    }
    // The two windows together hold exactly what one pass over both holds.
    let both = fetch_from(&host, &integration, &window(t - 10 * DAY, None), None).await;
    let mut split: Vec<Donation> = early.donations.clone();
    split.extend(late.donations.clone());
    assert_eq!(no_duplicates(&split), no_duplicates(&both.donations));

    // Resuming the late window's pass from every cursor: each entry exactly once, and the
    // captured charge among them exactly once.
    assert!(late.cursors.len() >= 2, "{} cursors", late.cursors.len());
    let all = no_duplicates(&late.donations);
    for (i, c) in late.cursors.iter().enumerate() {
        let resumed = fetch_from(&host, &integration, &after, Some(c.clone())).await;
        let mut union: Vec<Donation> = late.pages[..=i].iter().flatten().cloned().collect();
        union.extend(resumed.donations);
        assert_eq!(no_duplicates(&union), all, "resumed from cursor {i}");
        assert_eq!(
            union.iter().filter(|d| d.id == held.id).count(),
            1,
            "cursor {i}"
        );
    }
}

#[tokio::test]
async fn a_capture_while_a_pass_pages_comes_with_the_next_sync() {
    let stripe = StripeEmulator::start(Config::new(32, 400)).await.unwrap();
    let host = host().await;
    let integration = integration(&stripe, Mode::Test);
    let held = stripe.authorize(Mode::Test, now() - 3 * DAY);
    let first = host.fetch(&integration, &all_time(), None).await.unwrap();
    assert!(first.next_cursor.is_some());
    // Captured now, after the pass pinned its bound: not in this pass (it would sort above
    // the pages already read), in the next.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    stripe.settle(Mode::Test, &held.id, now()).unwrap();
    let rest = fetch_from(&host, &integration, &all_time(), first.next_cursor.clone()).await;
    assert!(!ids(&first.donations).contains(&held.id));
    assert!(!ids(&rest.donations).contains(&held.id));
    let next = fetch_from(&host, &integration, &all_time(), None).await;
    assert_eq!(next.donations.iter().filter(|d| d.id == held.id).count(), 1);
}

#[tokio::test]
async fn webhooks_give_the_capture_and_the_cleared_debit_not_the_authorization() {
    let stripe = StripeEmulator::start(Config::new(33, 20)).await.unwrap();
    let host = host().await;
    let integration = integration(&stripe, Mode::Test);
    let given = now() - 2 * DAY;
    let held = stripe.authorize(Mode::Test, given);
    let debit = stripe.debit(Mode::Test, given);
    let deliver = |kind: &str, id: &str| {
        let event = stripe.event(Mode::Test, kind, id).unwrap();
        emu::webhook::delivery(&event, &[WEBHOOK_SECRET], now())
    };
    for (kind, id) in [
        ("charge.succeeded", &held.id),
        ("charge.pending", &debit.id),
    ] {
        let (headers, body) = deliver(kind, id);
        let got = host
            .parse_webhook(&integration, &headers, &body)
            .await
            .unwrap();
        assert!(got.is_empty(), "{kind}: not money yet: {got:?}");
    }
    stripe.settle(Mode::Test, &held.id, now() - DAY).unwrap();
    stripe.settle(Mode::Test, &debit.id, now() - 60).unwrap();
    let pass = fetch_from(&host, &integration, &all_time(), None).await;
    for (kind, charge) in [("charge.captured", &held), ("charge.succeeded", &debit)] {
        let (headers, body) = deliver(kind, &charge.id);
        let got = host
            .parse_webhook(&integration, &headers, &body)
            .await
            .unwrap();
        assert_eq!(got.len(), 1, "{kind}");
        let fetched = pass.donations.iter().find(|d| d.id == charge.id).unwrap();
        assert_eq!(
            (
                &got[0].id,
                &got[0].kind,
                &got[0].amount,
                &got[0].received_at
            ),
            (
                &fetched.id,
                &fetched.kind,
                &fetched.amount,
                &fetched.received_at
            ),
            "{kind}: the same record fetch gives"
        );
        assert_eq!(got[0].received_at, rfc3339(given));
    }
}
