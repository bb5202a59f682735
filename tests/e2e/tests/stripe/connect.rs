//! Connect (`stripe_account`), a server that ignores the window, and a proxy's error page.

use super::*;

const ACCOUNT: &str = "acct_1Committee0042";

#[tokio::test]
async fn stripe_account_reads_the_connected_committees_data_on_every_request() {
    let stripe = StripeEmulator::start(Config {
        connected_accounts: vec![ACCOUNT.into(), "acct_1Committee0043".into()],
        ..Config::new(41, 250)
    })
    .await
    .unwrap();
    let host = host().await;
    let integration = integration(&stripe, Mode::Test).setting("stripe_account", ACCOUNT);
    let account = host.check(&integration).await.unwrap();
    assert_eq!(account.id, ACCOUNT);
    let pass = fetch_from(&host, &integration, &all_time(), None).await;
    let payouts = host
        .fetch_payouts(&integration, &all_time(), None)
        .await
        .unwrap();
    assert!(!payouts.payouts.is_empty());
    let theirs = stripe.ground_truth_of(ACCOUNT, Mode::Test).unwrap();
    assert_matches_truth(&pass, &theirs);
    let sent = stripe.request_accounts();
    assert!(sent.len() > 5);
    assert!(
        sent.iter().all(|a| a.as_deref() == Some(ACCOUNT)),
        "Stripe-Account on every request: {sent:?}"
    );
    // The platform's own data is not theirs.
    let own = expected(&stripe.ground_truth(Mode::Test)).0;
    assert!(
        no_duplicates(&pass.donations)
            .iter()
            .all(|id| !own.contains_key(id))
    );

    // An account the platform is not connected to: Stripe's 403, as an auth error.
    let stranger = integration
        .clone()
        .setting("stripe_account", "acct_1NotOurs");
    match host.fetch(&stranger, &all_time(), None).await {
        Err(CallError::Plugin(PluginError::Auth(m))) => {
            assert!(
                m.contains("acct_1NotOurs") && m.contains("account_invalid"),
                "{m}"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn objects_outside_the_window_are_dropped_whatever_the_server_returns() {
    let stripe = StripeEmulator::start(Config::new(42, 600)).await.unwrap();
    let host = host().await;
    let integration = integration(&stripe, Mode::Test);
    let truth = stripe.ground_truth(Mode::Test);
    let (since, until) = (truth.charges[200].created, truth.charges[400].created);
    let window = Window {
        since: rfc3339(since),
        until: Some(rfc3339(until)),
    };
    // Every list request of the pass ignores `created[…]`.
    stripe.set_fault(Fault::OutOfWindow, 1_000);
    let pass = fetch_from(&host, &integration, &window, None).await;
    stripe.clear_faults();
    let in_window: BTreeSet<String> = truth::moved_at(&truth)
        .into_iter()
        .filter(|(_, at)| (since..until).contains(at))
        .map(|(id, _)| id)
        .collect();
    assert!(in_window.len() > 100);
    assert_eq!(no_duplicates(&pass.donations), in_window);
    let (want, _) = expected(&truth);
    for d in &pass.donations {
        assert_eq!(truth::sorted(d.clone()), truth::sorted(want[&d.id].clone()));
    }
}

#[tokio::test]
async fn a_proxys_html_error_names_the_request_and_shows_the_page() {
    let stripe = StripeEmulator::start(Config::new(43, 10)).await.unwrap();
    let host = host().await;
    stripe.set_fault(Fault::ProxyNotFound, 1);
    match host
        .fetch(&integration(&stripe, Mode::Test), &all_time(), None)
        .await
    {
        Err(CallError::Plugin(PluginError::InvalidData(m))) => assert_eq!(
            m,
            "HTTP 404: GET /v1/balance_transactions: not a Stripe answer (a proxy or wrong `api_base`?): 404 Not Found 404 Not Found nginx"
        ),
        other => panic!("{other:?}"),
    }
}
