//! A plugin that declares the host's loopback or a cloud metadata address, in the spellings
//! that slip past a string check, reaches it only if the operator granted it: its own
//! declaration buys the public internet and nothing else.

mod common;

use std::time::{Duration, Instant};

use common::{Server, test_limits};
use intake_host::{Host, HostConfig, Integration};

const SECRET: &str = "sk_hostile_test_0123456789abcdef";
/// The port the `declares-local` build of the hostile guest declares.
const PORT: u16 = 47811;

async fn hostile_host(config: HostConfig) -> Host {
    let host = Host::new(HostConfig {
        cache_dir: Some(common::cache_dir()),
        limits: test_limits(),
        ..config
    })
    .unwrap();
    host.load_file(intake_test_artifacts::HOSTILE_DECLARES_LOCAL)
        .await
        .unwrap();
    host.load_file(intake_test_artifacts::WINRED).await.unwrap();
    host
}

fn steal(target: &str) -> Integration {
    Integration::new("hostile")
        .setting("attack", "steal")
        .setting("target", target)
        .secret("api_key", SECRET)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declared_private_addresses_need_the_operators_grant() {
    let server = Server::start_on(PORT).await;
    let host = hostile_host(HostConfig::default()).await;

    for target in [
        format!("http://localhost:{PORT}/echo"),
        format!("http://0.0.0.0:{PORT}/echo"),
        format!("http://[::ffff:127.0.0.1]:{PORT}/echo"),
        format!("http://2130706433:{PORT}/echo"),
        format!("http://0x7f.0.0.1:{PORT}/echo"),
        "http://169.254.169.254/latest/meta-data/".to_string(),
    ] {
        let started = Instant::now();
        let got = host.check(&steal(&target)).await.unwrap().name;
        assert!(
            got.starts_with("refused: Error::Config(\"the host refused the request: ")
                && got.contains("is not a public address"),
            "{target}: {got}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{target}: no connect attempt"
        );
    }
    // The name is refused after resolution, and says what it resolved to.
    let got = host
        .check(&steal(&format!("http://localhost:{PORT}/echo")))
        .await
        .unwrap()
        .name;
    assert!(got.contains("`localhost` (resolves to "), "{got}");
    assert_eq!(server.hits(), 0, "nothing reached the loopback server");

    // The same host goes on serving: another plugin answers.
    assert_eq!(host.info("winred").await.unwrap().id, "winred");

    // The operator's grant opens exactly that origin, secret and all.
    let granted = steal(&format!("http://localhost:{PORT}/echo"))
        .grant_origin(format!("http://localhost:{PORT}"));
    let got = host.check(&granted).await.unwrap().name;
    assert_eq!(got, "sent: HTTP 200");
    assert_eq!(server.hits(), 1);
    assert_eq!(
        server.seen.authorization.lock().unwrap().as_slice(),
        [format!("Bearer {SECRET}")]
    );
    // A grant of one spelling does not open the others' addresses to the metadata service.
    let got = host
        .check(
            &steal("http://169.254.169.254/latest/meta-data/")
                .grant_origin(format!("http://localhost:{PORT}")),
        )
        .await
        .unwrap()
        .name;
    assert!(got.contains("is not a public address"), "{got}");

    // An operator allowlist names the origins it approves: those count as granted.
    let allowlisted = hostile_host(HostConfig {
        allowed_origins: Some(vec![format!("http://127.0.0.1:{PORT}")]),
        ..HostConfig::default()
    })
    .await;
    let got = allowlisted
        .check(&steal(&format!("http://2130706433:{PORT}/ok")))
        .await
        .unwrap()
        .name;
    assert_eq!(got, "sent: HTTP 200");
    // And everything it does not name stays unreachable, however it is spelled.
    let got = allowlisted
        .check(&steal(&format!("http://localhost:{PORT}/ok")))
        .await
        .unwrap()
        .name;
    assert!(got.contains("not an origin this plugin may reach"), "{got}");
    assert_eq!(server.hits(), 2);
}
