//! The hostile guest against the real host: every attack ends in a typed error or in nothing
//! gained, and the same host then still serves a well-behaved plugin.

mod common;

use common::{Server, loaded_host, test_limits};
use intake_host::types::PluginError;
use intake_host::{CallError, Host, Integration, Limits};

fn attack(name: &str) -> Integration {
    Integration::new("hostile").setting("attack", name)
}

/// A fresh call on the same plugin works, and so does a call into another plugin.
async fn assert_still_serves(host: &Host) {
    let account = host
        .check(&attack("echo-settings"))
        .await
        .expect("the host serves a fresh call after the attack");
    assert!(account.name.contains("echo-settings"));
    let info = host
        .info("winred")
        .await
        .expect("the host still calls another plugin");
    assert_eq!(info.id, "winred");
}

/// A call stopped at a deadline of `deadline_ms` ended at it: not early, not seconds late.
fn assert_near_deadline(elapsed: std::time::Duration, deadline_ms: u128) {
    let took = elapsed.as_millis();
    assert!(
        took >= deadline_ms * 95 / 100 && took < deadline_ms + 700,
        "took {elapsed:?} for a {deadline_ms} ms deadline"
    );
}

#[tokio::test]
async fn no_state_survives_from_one_call_to_the_next() {
    let host = loaded_host(test_limits()).await;
    for _ in 0..3 {
        let calls = host.check(&attack("count-calls")).await.unwrap().name;
        assert_eq!(calls, "1", "each call runs in a fresh instance");
    }
}

#[tokio::test]
async fn endless_loop_is_stopped_at_the_deadline() {
    let host = loaded_host(Limits {
        call_timeout: std::time::Duration::from_millis(500),
        ..test_limits()
    })
    .await;
    let started = std::time::Instant::now();
    let err = host.check(&attack("endless-loop")).await.unwrap_err();
    assert_near_deadline(started.elapsed(), 500);
    assert!(
        matches!(err, CallError::Timeout(t) if t.as_millis() == 500),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_still_serves(&host).await;
}

#[tokio::test]
async fn memory_bomb_hits_the_memory_limit() {
    let host = loaded_host(Limits {
        memory_bytes: 32 << 20,
        ..test_limits()
    })
    .await;
    let err = host.check(&attack("memory-bomb")).await.unwrap_err();
    assert!(
        matches!(err, CallError::MemoryLimit(limit) if limit == 32 << 20),
        "{err:?}"
    );
    assert_still_serves(&host).await;
}

#[tokio::test]
async fn deep_recursion_is_a_stack_overflow() {
    let host = loaded_host(test_limits()).await;
    let err = host.check(&attack("deep-recursion")).await.unwrap_err();
    assert!(
        matches!(&err, CallError::Crashed(m) if m.contains("stack overflow")),
        "{err:?}"
    );
    assert_still_serves(&host).await;
}

#[tokio::test]
async fn smashing_the_guest_stack_is_a_crash() {
    let host = loaded_host(test_limits()).await;
    let err = host.check(&attack("stack-smash")).await.unwrap_err();
    assert!(
        matches!(&err, CallError::Crashed(m) if m.contains("out of bounds")),
        "{err:?}"
    );
    assert_still_serves(&host).await;
}

#[tokio::test]
async fn a_panic_is_a_crash_with_its_message() {
    let host = loaded_host(test_limits()).await;
    let err = host.check(&attack("panic")).await.unwrap_err();
    assert!(
        matches!(&err, CallError::Crashed(m) if m.contains("hostile guest panics on purpose")),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert_still_serves(&host).await;
}

#[tokio::test]
async fn flooding_stdout_is_capped_not_fatal() {
    let host = loaded_host(test_limits()).await;
    let account = host
        .check(&attack("stdout-flood"))
        .await
        .expect("printing is allowed, just not kept");
    assert_eq!(account.name, "flooded");
    assert_still_serves(&host).await;
}

#[tokio::test]
async fn files_cannot_be_read_or_listed() {
    let host = loaded_host(test_limits()).await;
    let report = host.check(&attack("read-file")).await.unwrap().name;
    assert!(report.contains("/etc/passwd: denied"), "{report}");
    assert!(
        !report.contains("READ") && !report.contains("LISTED"),
        "{report}"
    );
    assert_still_serves(&host).await;
}

#[tokio::test]
async fn the_environment_is_empty() {
    // SAFETY: set before any thread of this test reads the environment.
    unsafe { std::env::set_var("INTAKE_TEST_LEAK", "host-environment-value") };
    let host = loaded_host(test_limits()).await;
    let report = host.check(&attack("read-env")).await.unwrap().name;
    assert_eq!(report, "env=[] args=[]");
    assert_still_serves(&host).await;
}

#[tokio::test]
async fn an_undeclared_origin_is_never_contacted() {
    let server = Server::start().await;
    let host = loaded_host(test_limits()).await;
    let target = format!("{}/ok", server.url);
    let err = host
        .check(&attack("request").setting("target", &target))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CallError::Plugin(PluginError::Config(m)) if m.contains("not an origin this plugin may reach")),
        "{err:?}"
    );
    assert_eq!(server.hits(), 0);

    // The same request goes through once the operator grants the origin.
    let granted = attack("request")
        .setting("target", &target)
        .grant_origin(&server.url);
    assert_eq!(host.check(&granted).await.unwrap().name, "ok");
    assert_eq!(server.hits(), 1);
    assert_still_serves(&host).await;
}

#[tokio::test]
async fn a_declared_origin_needs_the_operators_allowlist_when_there_is_one() {
    // Declared by the hostile guest; nothing serves it, so an attempt fails in DNS or connect.
    let declared = attack("request").setting("target", "https://declared.invalid/x");
    let open = loaded_host(test_limits()).await;
    let err = open.check(&declared).await.unwrap_err();
    assert!(
        matches!(&err, CallError::Plugin(PluginError::Transient(m)) if m.contains("request failed")),
        "{err:?}"
    );

    let config = intake_host::HostConfig {
        limits: test_limits(),
        cache_dir: Some(common::cache_dir()),
        allowed_origins: Some(vec!["https://api.stripe.com".into()]),
        ..Default::default()
    };
    let strict = Host::new(config).unwrap();
    strict
        .load_file(intake_test_artifacts::HOSTILE)
        .await
        .unwrap();
    strict
        .load_file(intake_test_artifacts::WINRED)
        .await
        .unwrap();
    let err = strict.check(&declared).await.unwrap_err();
    assert!(
        matches!(&err, CallError::Plugin(PluginError::Config(m)) if m.contains("not an origin this plugin may reach")),
        "{err:?}"
    );
    assert_still_serves(&strict).await;
}

#[tokio::test]
async fn a_redirect_to_an_undeclared_origin_is_not_followed() {
    let (allowed, elsewhere) = (Server::start().await, Server::start().await);
    let host = loaded_host(test_limits()).await;
    let target = format!("{}/redirect?to={}/ok", allowed.url, elsewhere.url);
    let integration = attack("follow-redirect")
        .setting("target", &target)
        .grant_origin(&allowed.url);
    let err = host.check(&integration).await.unwrap_err();
    assert!(
        matches!(&err, CallError::Plugin(PluginError::Config(m)) if m.contains("not an origin this plugin may reach")),
        "{err:?}"
    );
    assert_eq!(
        allowed.hits(),
        1,
        "the declared origin answered with the redirect"
    );
    assert_eq!(
        elsewhere.hits(),
        0,
        "the host neither followed it nor let the plugin follow it"
    );
    assert_still_serves(&host).await;
}

const SECRET: &str = "sk_live_SENTINEL_never_shown_to_plugins";

#[tokio::test]
async fn a_secret_is_not_a_setting_the_plugin_can_read() {
    let host = loaded_host(test_limits()).await;
    let echoed = host
        .check(&attack("echo-settings").secret("api_key", SECRET))
        .await
        .unwrap()
        .name;
    assert!(!echoed.contains(SECRET), "{echoed}");

    // Passing a declared secret as a plain setting is refused before the plugin runs.
    let err = host
        .check(&attack("echo-settings").setting("api_key", SECRET))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CallError::Config(m) if m.contains("`api_key` is a secret")),
        "{err:?}"
    );
    assert_still_serves(&host).await;
}

#[tokio::test]
async fn a_secret_goes_only_where_it_is_routed() {
    let server = Server::start().await;
    let host = loaded_host(test_limits()).await;
    let echo = format!("{}/echo", server.url);
    let base = attack("secret-header")
        .setting("target", &echo)
        .secret("api_key", SECRET)
        .grant_origin(&server.url);

    // The plugin may reach the server, but the key's declared destination is elsewhere.
    let err = host.check(&base).await.unwrap_err();
    assert!(
        matches!(&err, CallError::Plugin(PluginError::Config(m)) if m.contains("may not be sent")),
        "{err:?}"
    );
    assert_eq!(server.hits(), 0);

    // Routed there by the operator, the key is sent; an echo of it comes back redacted.
    let routed = base.route_secret("api_key", &server.url);
    let seen_by_plugin = host.check(&routed).await.unwrap().name;
    assert_eq!(
        server.seen.authorization.lock().unwrap().as_slice(),
        [format!("Bearer {SECRET}")]
    );
    assert_eq!(seen_by_plugin, "you sent: Bearer [redacted]");
    assert_still_serves(&host).await;
}

#[tokio::test]
async fn secret_placeholders_outside_headers_are_refused() {
    let server = Server::start().await;
    let host = loaded_host(test_limits()).await;
    for name in ["secret-in-url", "secret-in-body"] {
        let integration = attack(name)
            .setting("target", format!("{}/ok", server.url))
            .secret("api_key", SECRET)
            .grant_origin(&server.url)
            .route_secret("api_key", &server.url);
        let err = host.check(&integration).await.unwrap_err();
        assert!(
            matches!(&err, CallError::Plugin(PluginError::Config(m)) if m.contains("only in header values")),
            "{name}: {err:?}"
        );
    }
    assert_eq!(server.hits(), 0);
    assert_still_serves(&host).await;
}

#[tokio::test]
async fn a_huge_response_is_cut_off() {
    let server = Server::start().await;
    let host = loaded_host(Limits {
        max_response_bytes: 1 << 20,
        ..test_limits()
    })
    .await;
    let integration = attack("huge-response")
        .setting("target", format!("{}/huge", server.url))
        .grant_origin(&server.url);
    let err = host.check(&integration).await.unwrap_err();
    assert!(
        matches!(&err, CallError::Plugin(PluginError::InvalidData(m)) if m.contains("larger than the host allows")),
        "{err:?}"
    );
    assert_still_serves(&host).await;
}

#[tokio::test]
async fn a_request_flood_is_capped_per_call() {
    let server = Server::start().await;
    let host = loaded_host(Limits {
        max_requests_per_call: 20,
        ..test_limits()
    })
    .await;
    let integration = attack("flood")
        .setting("target", format!("{}/ok", server.url))
        .grant_origin(&server.url);
    let report = host.check(&integration).await.unwrap().name;
    assert_eq!(report, "sent=20 refused=9980");
    assert_eq!(server.hits(), 20);
    assert_still_serves(&host).await;
}

#[tokio::test]
async fn a_slow_server_cannot_outlive_the_call() {
    let server = Server::start().await;
    let host = loaded_host(Limits {
        call_timeout: std::time::Duration::from_millis(500),
        ..test_limits()
    })
    .await;
    let integration = attack("request")
        .setting("target", format!("{}/slow", server.url))
        .grant_origin(&server.url);
    let started = std::time::Instant::now();
    let err = host.check(&integration).await.unwrap_err();
    assert_near_deadline(started.elapsed(), 500);
    // The request times out at the call's deadline: the plugin sees a timeout, or the call ends.
    assert!(
        matches!(
            &err,
            CallError::Timeout(_) | CallError::Plugin(PluginError::Transient(_))
        ),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_still_serves(&host).await;
}
