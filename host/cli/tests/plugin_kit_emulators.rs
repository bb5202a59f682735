//! `intake plugin test` against the processors' emulators: Stripe, WinRed and ActBlue pass
//! the conformance kit through the real binary, the kit's server forwarding to each emulator.

mod common;

use std::process::{Command, Output};

async fn kit(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_intake"))
            .env("INTAKE_CACHE_DIR", common::cache_dir())
            .arg("plugin")
            .arg("test")
            .args(&args)
            .arg("--json")
            .output()
            .expect("run intake")
    })
    .await
    .expect("join")
}

/// The report, after asserting every check passed; `(name, detail)` per check.
fn passed(out: &Output) -> Vec<(String, String)> {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON report");
    assert_eq!(report["passed"], true, "{stdout}");
    eprintln!("{stdout}");
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            assert_eq!(c["outcome"], "pass", "{c}");
            (
                c["name"].as_str().unwrap_or_default().to_string(),
                c["detail"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn detail<'a>(rows: &'a [(String, String)], name: &str) -> &'a str {
    rows.iter()
        .find(|(n, _)| n == name)
        .map(|(_, d)| d.as_str())
        .unwrap_or_else(|| panic!("no check {name}: {rows:?}"))
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn stripe_passes_the_kit_against_its_emulator() {
    use intake_emulators::stripe::{Config, Mode, StripeEmulator};
    let stripe = StripeEmulator::start(Config::new(11, 30)).await.unwrap();
    let out = kit(strings(&[
        intake_test_artifacts::STRIPE,
        "--setting",
        &format!("api_base={}", stripe.url()),
        "--setting",
        "mode=test",
        "--secret",
        &format!("test_secret_key={}", stripe.key(Mode::Test)),
        "--secret",
        "webhook_secret=whsec_kit",
    ]))
    .await;
    let rows = passed(&out);
    assert_eq!(rows.len(), 14, "{rows:?}");
    // The emulator was seeded with 30 charges.
    assert_eq!(detail(&rows, "fetch"), "30 records in 1 pages");
    assert_eq!(detail(&rows, "429"), "rate-limited (7 s)");
    assert!(
        detail(&rows, "webhook").starts_with("bad signature refused"),
        "{rows:?}"
    );
}

#[tokio::test]
async fn winred_passes_the_kit_against_its_emulator() {
    use intake_emulators::winred::{Config, WinRedEmulator};
    let winred = WinRedEmulator::start(Config::new(7).federal("C00123456", 30))
        .await
        .unwrap();
    let token = winred.committee(0).token.clone();
    let (since, until) = winred.window();
    let out = kit(strings(&[
        intake_test_artifacts::WINRED,
        "--setting",
        &format!("api_base={}", winred.url()),
        "--setting",
        "committee_level=federal",
        "--setting",
        "committee_fec_id=C00123456",
        "--secret",
        &format!("api_token={token}"),
        "--secret",
        "webhook_secret=wr_whsec_kit",
        "--since",
        &since,
        "--until",
        &until,
    ]))
    .await;
    let rows = passed(&out);
    assert_eq!(rows.len(), 14, "{rows:?}");
    assert!(detail(&rows, "fetch").contains(" records in "), "{rows:?}");
    assert!(
        detail(&rows, "webhook").starts_with("bad signature refused"),
        "{rows:?}"
    );
}

#[tokio::test]
async fn actblue_passes_the_kit_against_its_emulator_resuming_from_every_cursor() {
    use intake_emulators::actblue::{self as emu, ActBlueEmulator};
    let actblue = ActBlueEmulator::start().await.unwrap();
    let out = kit(strings(&[
        intake_test_artifacts::ACTBLUE,
        "--setting",
        &format!("api_base={}", actblue.url()),
        "--setting",
        &format!("client_uuid={}", emu::CLIENT_UUID),
        // Small pages: many cursors to resume from.
        "--setting",
        "page_size=3",
        "--setting",
        "webhook_user=intake-hook",
        "--secret",
        &format!("client_secret={}", emu::CLIENT_SECRET),
        "--secret",
        "webhook_password=hook-pass-0123456789",
        "--grant",
        &actblue.download_url(),
        // May 2024 in New York.
        "--since",
        "2024-05-01T04:00:00Z",
        "--until",
        "2024-06-01T04:00:00Z",
    ]))
    .await;
    let rows = passed(&out);
    assert_eq!(rows.len(), 14, "{rows:?}");
    let resume = detail(&rows, "resume");
    assert!(resume.starts_with("the same records from "), "{resume}");
    assert!(
        !resume.starts_with("the same records from 1 of"),
        "{resume}"
    );
    assert!(
        detail(&rows, "foreign cursor").starts_with("refused: configuration: "),
        "{rows:?}"
    );
    // page_size=3: the window's records come over several pages.
    assert!(!detail(&rows, "fetch").ends_with(" in 1 pages"), "{rows:?}");
}
