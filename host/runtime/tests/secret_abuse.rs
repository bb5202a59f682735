//! A plugin that abuses the secret machinery: placeholder bombs that would make the host copy
//! a secret millions of times, and the HMAC check used as an oracle to guess a secret.

mod common;

use std::time::{Duration, Instant};

use common::{Server, loaded_host, test_limits};
use intake_host::Integration;

const SECRET: &str = "sk_hostile_test_0123456789abcdef";

fn attack(name: &str, server: &Server) -> Integration {
    attack_at(name, server, "/ok")
}

fn attack_at(name: &str, server: &Server, path: &str) -> Integration {
    Integration::new("hostile")
        .setting("attack", name)
        .setting("target", format!("{}{path}", server.url))
        .secret("api_key", SECRET)
        .grant_origin(&server.url)
        .route_secret("api_key", &server.url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn placeholder_bombs_are_refused_before_anything_is_filled() {
    let server = Server::start().await;
    let host = loaded_host(test_limits()).await;

    // 1,000,000 placeholders: 18,000,000 bytes of value plus "authorization" (13), refused
    // by size at once.
    let started = Instant::now();
    let got = host
        .check(&attack("placeholder-bomb", &server))
        .await
        .unwrap()
        .name;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        got.starts_with("refused:")
            && got.contains("the request's headers are 18000013 bytes; at most 65536 are sent"),
        "{got}"
    );

    // Nine small placeholders: under the byte cap, over the count cap.
    let got = host
        .check(&attack("placeholder-many", &server))
        .await
        .unwrap()
        .name;
    assert!(
        got.contains("the request holds 9 secret placeholders; at most 8 are filled"),
        "{got}"
    );
    assert_eq!(server.hits(), 0, "nothing was sent");

    // The same host serves an honest request of the same plugin, and another plugin.
    let sent = host.check(&attack("request", &server)).await.unwrap().name;
    assert!(!sent.is_empty());
    assert_eq!(server.hits(), 1);
    assert_eq!(host.info("winred").await.unwrap().id, "winred");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hmac_check_is_no_oracle() {
    let server = Server::start().await;
    let host = loaded_host(test_limits()).await;

    // A long secret: the first 8 checks are answered, the other 12 refused, with why.
    let got = host
        .check(&attack("hmac-oracle", &server))
        .await
        .unwrap()
        .name;
    assert!(got.starts_with("answered=8 refused="), "{got}");
    assert!(
        got.contains("more times in this call than verifying one delivery needs"),
        "{got}"
    );

    // A secret too short to be a key is never used as one.
    let short = attack("hmac-oracle", &server).secret("api_key", "abc");
    let got = host.check(&short).await.unwrap().name;
    assert!(got.starts_with("answered=0 refused="), "{got}");
    assert!(got.contains("too short to be a signing key"), "{got}");
    assert_eq!(host.info("winred").await.unwrap().id, "winred");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_compressed_echo_cannot_carry_a_secret_past_the_scrub() {
    let server = Server::start().await;
    let host = loaded_host(test_limits()).await;

    // The plugin asks for gzip; the host asks for identity instead, so the echo comes back
    // plain and is scrubbed.
    let got = host
        .check(&attack_at("gzip-echo", &server, "/gzip-if-asked"))
        .await
        .unwrap()
        .name;
    assert_eq!(got, "you sent: Bearer [redacted]");

    // A server that compresses anyway: its body is not handed over.
    let got = host
        .check(&attack_at("gzip-echo", &server, "/gzip-always"))
        .await
        .unwrap()
        .name;
    assert!(
        got.contains("sent a `gzip`-encoded body though the host asked for identity"),
        "{got}"
    );
    let reversed: String = SECRET.chars().rev().collect();
    assert!(!got.contains(&reversed) && !got.contains(SECRET), "{got}");
    assert_eq!(host.info("winred").await.unwrap().id, "winred");
}
