//! Full fetches, resumption, windows and modes.

use super::*;

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
    // Charges whose money moved days after they were made are there, dated when given.
    let late = truth
        .charges
        .iter()
        .filter(|c| {
            truth
                .settled_at(c)
                .is_some_and(|at| at >= c.created + 86_400)
        })
        .count();
    assert!(late >= 50, "{late} late captures and cleared debits");
    // Pages of 100 of balance transactions, with the charge and what the record needs
    // expanded in the same request.
    let lists: Vec<String> = stripe
        .requests()
        .into_iter()
        .filter(|r| r.starts_with("GET /v1/balance_transactions") && r.contains("type=charge"))
        .collect();
    assert!(lists.len() >= 27, "{} pages", lists.len());
    assert!(
        lists.iter().all(|r| r.contains("limit=100")
            && r.contains("expand%5B%5D=data.source&")
            && r.contains("data.source.customer")
            && r.contains("data.source.invoice")),
        "{lists:?}"
    );
    assert!(
        !stripe
            .requests()
            .iter()
            .any(|r| r.starts_with("GET /v1/charges")),
        "charges are not listed by when they were made"
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
    // Each entry belongs where its money moved; a late capture in this window may have been
    // given before it, and one given in it may be captured after it.
    let in_window: BTreeSet<String> = truth::moved_at(&truth)
        .into_iter()
        .filter(|(_, at)| (since..until).contains(at))
        .map(|(id, _)| id)
        .collect();
    assert_eq!(no_duplicates(&pass.donations), in_window);
    let (want, _) = expected(&truth);
    for d in &pass.donations {
        assert_eq!(truth::sorted(d.clone()), truth::sorted(want[&d.id].clone()));
    }
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
