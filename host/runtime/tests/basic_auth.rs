//! HTTP Basic built by the host (`{{basic:USER:KEY}}`) and checked by the host
//! (`verify-basic`), attacked by a real component: the plugin must never get the secret, in
//! any encoding, and the placeholder follows the same routes as `{{secret:KEY}}`.

mod common;

use axum::Router;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use common::{Server, loaded_host, test_limits};
use intake_host::Integration;

const SECRET: &str = "sk_hostile_test_0123456789abcdef";
/// base64("hostile:sk_hostile_test_0123456789abcdef"), computed with coreutils `base64`.
const CREDENTIAL: &str = "aG9zdGlsZTpza19ob3N0aWxlX3Rlc3RfMDEyMzQ1Njc4OWFiY2RlZg==";

fn attack(name: &str, target: &str, routed_to: &str) -> Integration {
    Integration::new("hostile")
        .setting("attack", name)
        .setting("target", target)
        .secret("api_key", SECRET)
        .grant_origin(target_origin(target))
        .route_secret("api_key", routed_to)
}

fn target_origin(target: &str) -> &str {
    let after_scheme = target.find("://").map_or(0, |i| i + 3);
    target[after_scheme..]
        .find('/')
        .map_or(target, |i| &target[..after_scheme + i])
}

/// A server that gives credentials back in the shapes a careless API might: the header as
/// received, the password decoded, and the credential inside JSON with `=` escaped.
async fn echo_server() -> String {
    fn auth(headers: &HeaderMap) -> String {
        headers
            .get("authorization")
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default()
    }
    async fn as_sent(headers: HeaderMap) -> Response {
        let got = auth(&headers);
        ([("x-echo", got.clone())], format!("[{got}]")).into_response()
    }
    async fn decoded(headers: HeaderMap) -> Response {
        use base64::Engine as _;
        let token = auth(&headers).trim_start_matches("Basic ").to_string();
        let plain = base64::engine::general_purpose::STANDARD
            .decode(token)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        ([("x-echo", plain.clone())], format!("[{plain}]")).into_response()
    }
    async fn json(headers: HeaderMap) -> Response {
        let escaped = auth(&headers).replace('=', "\\u003d");
        format!("{{\"auth\":\"{escaped}\"}}").into_response()
    }
    let router = Router::new()
        .route("/as-sent", get(as_sent))
        .route("/decoded", get(decoded))
        .route("/json", get(json));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_host_builds_basic_for_a_routed_origin_and_scrubs_every_echo() {
    let server = Server::start().await;
    let host = loaded_host(test_limits()).await;

    // What reached the server is the credential the host built.
    let to_ok = format!("{}/ok", server.url);
    let got = host
        .check(&attack("basic-echo", &to_ok, &server.url))
        .await
        .unwrap()
        .name;
    assert_eq!(got, "body=ok x-echo=");
    assert_eq!(
        *server.seen.authorization.lock().unwrap(),
        vec![format!("Basic {CREDENTIAL}")]
    );

    // Echoed back as sent, decoded to the raw password, or inside JSON with `=` escaped:
    // redacted every time.
    let echo = echo_server().await;
    let cases = [
        (
            "/as-sent",
            "body=[Basic [redacted]] x-echo=Basic [redacted]",
        ),
        (
            "/decoded",
            "body=[hostile:[redacted]] x-echo=hostile:[redacted]",
        ),
        (
            "/json",
            "body={\"auth\":\"Basic [redacted]\\u003d\\u003d\"} x-echo=",
        ),
    ];
    for (path, expected) in cases {
        let got = host
            .check(&attack("basic-echo", &format!("{echo}{path}"), &echo))
            .await
            .unwrap()
            .name;
        assert_eq!(got, expected, "{path}");
        assert!(!got.contains(SECRET) && !got.contains(&CREDENTIAL[..40]));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn basic_follows_the_secret_routes_and_stays_in_authorization() {
    let routed = Server::start().await;
    let other = Server::start().await;
    let host = loaded_host(test_limits()).await;
    let target = format!("{}/ok", other.url);
    let origin = other.url.trim_start_matches("http://");

    // Granted, but the secret is routed elsewhere: refused, nothing sent.
    let got = host
        .check(&attack("basic-echo", &target, &routed.url))
        .await
        .unwrap()
        .name;
    assert!(
        got.contains(&format!(
            "secret `api_key` may not be sent to http://{origin}"
        )),
        "{got}"
    );

    // Routed, but outside the Authorization header, in the body, in the URL, or without a
    // key: refused, each saying why.
    let refusals = [
        (
            "basic-elsewhere",
            "a Basic placeholder is filled only in the Authorization header, not in `x-api-key`",
        ),
        (
            "basic-in-body",
            "secrets are filled only in header values, not in the URL or body",
        ),
        (
            "basic-in-url",
            "secrets are filled only in header values, not in the URL or body",
        ),
        (
            "basic-no-key",
            "a Basic placeholder is `{{basic:USER:SECRET_KEY}}`: the key is missing",
        ),
    ];
    for (name, why) in refusals {
        let got = host
            .check(&attack(name, &target, &other.url))
            .await
            .unwrap()
            .name;
        assert!(
            got.starts_with("refused:") && got.contains(why),
            "{name}: {got}"
        );
    }
    // Basic and plain placeholders share one cap: five and four are nine, over eight.
    let got = host
        .check(&attack("basic-many", &target, &other.url))
        .await
        .unwrap()
        .name;
    assert!(
        got.contains("the request holds 9 secret placeholders; at most 8 are filled"),
        "{got}"
    );
    assert_eq!(other.hits(), 0, "nothing was sent");
    assert_eq!(routed.hits(), 0, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_basic_answers_then_stops_like_the_hmac_check() {
    let server = Server::start().await;
    let host = loaded_host(test_limits()).await;
    let verify = |authorization: &str| {
        attack("basic-verify", &server.url, &server.url).setting("padding", authorization)
    };

    let got = host
        .check(&verify(&format!("Basic {CREDENTIAL}")))
        .await
        .unwrap()
        .name;
    assert!(
        got.starts_with("first=Some(true) answered=8 refused="),
        "{got}"
    );
    assert!(
        got.contains(
            "verify-basic was called more times in this call than verifying one delivery needs"
        ),
        "{got}"
    );

    // base64("hostile:wrong")
    let got = host
        .check(&verify("Basic aG9zdGlsZTp3cm9uZw=="))
        .await
        .unwrap()
        .name;
    assert!(got.starts_with("first=Some(false) answered=8"), "{got}");
    let got = host.check(&verify("garbage")).await.unwrap().name;
    assert!(got.starts_with("first=Some(false)"), "{got}");
}

/// `verify-basic` is an addition to `secrets`: a component imports only the functions it
/// calls, so one built before it existed (importing `verify-hmac-sha256` alone, as the
/// Stripe plugin still does) links and runs in this host unchanged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_component_without_verify_basic_still_loads() {
    let bytes = std::fs::read(intake_test_artifacts::STRIPE).unwrap();
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"verify-hmac-sha256") && !has(b"verify-basic"));
    let host = common::host_with(test_limits());
    let info = host.load_file(intake_test_artifacts::STRIPE).await.unwrap();
    assert_eq!(info.id, "stripe");
}
