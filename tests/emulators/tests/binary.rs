//! `intake-emulator` as a program: the two lines it prints, and `/_emulator/truth` served
//! over HTTP equal to the truth computed in-process for the same seed, size and end.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use intake_emulators::truth::TruthRow;
use intake_emulators::{stripe, winred};

/// A fixed end so both sides generate the same timestamps.
const END: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start the binary; its URL and the last word of its second line.
fn spawn(processor: &str, seed: u64, size: usize) -> (Killed, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_intake-emulator"))
        .args([processor, "--port", "0", "--seed", &seed.to_string()])
        .args(["--size", &size.to_string(), "--end", &END.to_string()])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start intake-emulator");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let url = lines.next().expect("a first line").expect("utf-8");
    let second = lines.next().expect("a second line").expect("utf-8");
    let credential = second
        .split_whitespace()
        .last()
        .unwrap_or_default()
        .to_string();
    (Killed(child), url, credential)
}

async fn served_truth(url: &str) -> Vec<TruthRow> {
    intake_emulators::truth::fetch(url)
        .await
        .expect("GET /_emulator/truth")
}

#[tokio::test]
async fn the_stripe_binary_prints_its_url_and_test_key_and_serves_the_truth() {
    let (_child, url, key) = spawn("stripe", 7, 60);
    assert!(url.starts_with("http://127.0.0.1:"), "first line: {url}");
    assert!(key.starts_with("sk_test_"), "credential: {key}");

    let local = stripe::StripeEmulator::start(stripe::Config {
        end: Some(END),
        ..stripe::Config::new(7, 60)
    })
    .await
    .unwrap();
    assert_eq!(
        key,
        local.key(stripe::Mode::Test),
        "the same seed, the same key"
    );
    let expected: Vec<TruthRow> = stripe::truth::rows(&local.ground_truth(stripe::Mode::Test))
        .into_values()
        .collect();
    let served = served_truth(&url).await;
    assert!(
        served.len() >= 60,
        "60 charges give at least 60 rows, got {}",
        served.len()
    );
    assert_eq!(served, expected);
    // Test-mode money, in USD, nothing after the end.
    for row in &served {
        assert!(!row.livemode, "{} is test money", row.id);
        assert_eq!(row.currency, "USD");
        assert!(
            row.received_at.as_str() <= "2026-01-01T00:00:00Z",
            "{}",
            row.received_at
        );
    }
    // The credential opens the served data.
    let listed = reqwest::Client::new() // the provider is installed by the fetch above
        .get(format!("{url}/v1/charges?limit=1"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), 200);
}

#[tokio::test]
async fn the_winred_binary_prints_its_url_and_token_and_serves_the_truth() {
    let (_child, url, token) = spawn("winred", 9, 40);
    assert!(url.starts_with("http://127.0.0.1:"), "first line: {url}");

    let local = winred::WinRedEmulator::start(winred::Config {
        end: Some(END),
        ..winred::Config::new(9).federal("C00123456", 40)
    })
    .await
    .unwrap();
    assert_eq!(token, local.committee(0).token);
    let expected = winred::truth::rows(&local.ground_truth(0));
    let served = served_truth(&url).await;
    assert!(
        served.len() >= 40,
        "40 donations give at least 40 rows, got {}",
        served.len()
    );
    assert_eq!(served, expected);
    let ids: std::collections::BTreeSet<_> = served.iter().map(|r| &r.id).collect();
    assert_eq!(ids.len(), served.len(), "each id once");
}

#[test]
fn a_bad_processor_is_refused_with_the_choices() {
    let out = Command::new(env!("CARGO_BIN_EXE_intake-emulator"))
        .args(["paypal", "--port", "0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("stripe") && stderr.contains("winred"),
        "{stderr}"
    );
}
