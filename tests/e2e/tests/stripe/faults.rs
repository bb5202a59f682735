//! Each of the emulator's fault knobs, through the plugin, as the contract's error kinds.

use super::*;

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
            assert!(
                m.contains("GET /v1/balance_transactions"),
                "says where: {m}"
            )
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
