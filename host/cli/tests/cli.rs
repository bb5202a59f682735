//! The `intake` binary as an operator runs it.

mod common;

use std::process::{Command, Output};

fn intake(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_intake"))
        .args(args)
        .env("INTAKE_CACHE_DIR", common::cache_dir())
        .output()
        .expect("run intake")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn inspect_shows_settings_origins_and_where_each_secret_may_go() {
    let out = intake(&["plugin", "inspect", intake_test_artifacts::STRIPE]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    for expected in [
        "Stripe (stripe)",
        "https://api.stripe.com:443",
        "test_secret_key",
        "live_secret_key",
        "nowhere",
        "payouts",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn inspect_json_carries_winreds_organization_record() {
    let out = intake(&["plugin", "inspect", "--json", intake_test_artifacts::WINRED]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(info["id"], "winred");
    assert_eq!(info["organization"]["name"], "WinRed PAC");
    assert_eq!(info["organization"]["fec_id"], "C00694323");
    let secrets: Vec<&str> = info["settings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["secret"] == true)
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert!(
        secrets.contains(&"api_token") && secrets.contains(&"webhook_secret"),
        "{secrets:?}"
    );
    assert!(
        info["capabilities"]
            .as_array()
            .unwrap()
            .contains(&"fetch".into())
    );
}

#[test]
fn list_reports_each_file_and_fails_when_one_is_broken() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        intake_test_artifacts::WINRED,
        dir.path().join("winred.wasm"),
    )
    .unwrap();
    std::fs::write(dir.path().join("junk.wasm"), b"junk").unwrap();
    let out = intake(&["plugin", "list", dir.path().to_str().unwrap()]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(text.contains("junk.wasm\tNOT LOADED"), "{text}");
    assert!(text.contains("winred 0.1.0\tWinRed"), "{text}");
}

#[test]
fn inspect_of_a_non_plugin_exits_2_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.wasm");
    std::fs::write(&file, b"\0asm\x01\0\0\0").unwrap();
    let out = intake(&["plugin", "inspect", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("core WebAssembly module, not a component")
    );
}

/// `intake check` and `intake fetch` against the WinRed emulator, secrets from the environment:
/// the NDJSON it prints is exactly what the library fetches.
#[tokio::test]
async fn check_and_fetch_run_a_plugin_against_a_processor() {
    use intake_emulators::winred::{Config, WinRedEmulator};
    use intake_host::types::{Donation, Window};

    let winred = WinRedEmulator::start(Config::new(7).federal("C00123456", 30))
        .await
        .unwrap();
    let committee = winred.committee(0).clone();
    let (since, until) = winred.window();
    let url = winred.url();
    let flags: Vec<String> = [
        "--plugin",
        intake_test_artifacts::WINRED,
        "--setting",
        "committee_level=federal",
        "--setting",
        "committee_fec_id=C00123456",
        "--setting",
        &format!("api_base={url}"),
        "--grant",
        &url,
        "--route-secret",
        &format!("api_token={url}"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let run = |args: Vec<String>| {
        let token = committee.token.clone();
        tokio::task::spawn_blocking(move || {
            Command::new(env!("CARGO_BIN_EXE_intake"))
                .args(&args)
                .env("INTAKE_CACHE_DIR", common::cache_dir())
                .env("INTAKE_SECRET_WINRED_API_TOKEN", token)
                .output()
                .unwrap()
        })
    };

    let check = run([vec!["check".into()], flags.clone()].concat())
        .await
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(stdout(&check).contains("live"), "{}", stdout(&check));

    let fetch_args = [
        vec!["fetch".into()],
        flags,
        vec![
            "--since".into(),
            since.clone(),
            "--until".into(),
            until.clone(),
            "--format".into(),
            "ndjson".into(),
        ],
    ]
    .concat();
    let fetched = run(fetch_args).await.unwrap();
    assert!(
        fetched.status.success(),
        "{}",
        String::from_utf8_lossy(&fetched.stderr)
    );
    let printed: Vec<Donation> = stdout(&fetched)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one donation per line"))
        .collect();

    let host = common::host_with(common::test_limits());
    host.load_file(intake_test_artifacts::WINRED).await.unwrap();
    let integration = intake_host::Integration::new("winred")
        .setting("committee_level", "federal")
        .setting("committee_fec_id", "C00123456")
        .setting("api_base", &url)
        .secret("api_token", committee.token.as_str())
        .grant_origin(&url)
        .route_secret("api_token", &url);
    let window = Window {
        since,
        until: Some(until),
    };
    let (mut expected, mut cursor) = (Vec::new(), None::<String>);
    loop {
        let page = host
            .fetch(&integration, &window, cursor.as_deref())
            .await
            .unwrap();
        expected.extend(page.donations);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert!(expected.len() >= 30, "{}", expected.len());
    assert_eq!(printed, expected);

    // The token under an unscoped name (as another plugin's `api_token` would be) is not
    // this plugin's: the host has no such secret to fill, and says so; exit 1.
    let no_token = Command::new(env!("CARGO_BIN_EXE_intake"))
        .args([
            "check",
            "--plugin",
            intake_test_artifacts::WINRED,
            "--setting",
            "committee_fec_id=C00123456",
            "--setting",
            &format!("api_base={url}"),
            "--grant",
            &url,
            "--route-secret",
            &format!("api_token={url}"),
        ])
        .env("INTAKE_CACHE_DIR", common::cache_dir())
        .env("INTAKE_SECRET_API_TOKEN", committee.token.as_str())
        .env("INTAKE_SECRET_OTHER_API_TOKEN", committee.token.as_str())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&no_token.stderr);
    // A configuration error: exit 3.
    assert_eq!(no_token.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("this integration has no secret `api_token`"),
        "{stderr}"
    );
}

#[test]
fn an_allowlist_keeps_a_plugin_from_its_unapproved_declared_origins() {
    // Stripe declares https://api.stripe.com; the operator approved only another origin, so
    // the check is refused before anything leaves the machine, and the message says why.
    let out = Command::new(env!("CARGO_BIN_EXE_intake"))
        .args([
            "--allow-origin",
            "https://api.example.com",
            "check",
            "--plugin",
            intake_test_artifacts::STRIPE,
            "--setting",
            "mode=test",
        ])
        .env("INTAKE_CACHE_DIR", common::cache_dir())
        .env(
            "INTAKE_SECRET_STRIPE_TEST_SECRET_KEY",
            "sk_test_0123456789abcdef",
        )
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The host refused the integration as configured: exit 3.
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("https://api.stripe.com:443 is not an origin this plugin may reach"),
        "{stderr}"
    );

    // An allowlist entry that is not a bare origin is bad input: exit 2, named.
    let out = intake(&[
        "--allow-origin",
        "https://api.stripe.com/v1",
        "plugin",
        "inspect",
        intake_test_artifacts::STRIPE,
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("https://api.stripe.com/v1"), "{stderr}");
}

fn hostile_fetch(attack: &str, format: &str) -> Output {
    intake(&[
        "fetch",
        "--plugin",
        intake_test_artifacts::HOSTILE,
        "--setting",
        &format!("attack={attack}"),
        "--since",
        "2024-05-01",
        "--until",
        "2024-05-02",
        "--format",
        format,
    ])
}

#[test]
fn fetch_stops_on_a_cursor_the_plugin_repeats() {
    let out = hostile_fetch("cursor-cycle", "ndjson");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "the plugin returned the cursor a a second time (page 3): following it would repeat pages forever; stopping"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("next cursor: 'b'"), "{stderr}");
    // Three pages were printed before the loop was seen, one donation each.
    assert_eq!(stdout(&out).lines().count(), 3);
}

#[test]
fn a_cursor_the_operator_gave_is_not_offered_back_to_resume() {
    // The hostile guest returns an oversized cursor, which the host refuses: the error is
    // about the plugin's output, and the operator's own cursor is not echoed as a remedy.
    let out = intake(&[
        "fetch",
        "--plugin",
        intake_test_artifacts::HOSTILE,
        "--setting",
        "attack=long-cursor",
        "--since",
        "2024-05-01",
        "--cursor",
        "garbage",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The plugin's output broke the contract: invalid data, exit 6.
    assert_eq!(out.status.code(), Some(6), "{stderr}");
    assert!(!stderr.contains("resume with"), "{stderr}");
    assert!(stderr.contains("cursor"), "{stderr}");
}

#[test]
fn processor_text_is_escaped_in_the_table() {
    let out = hostile_fetch("terminal-escape", "table");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    assert!(
        !text.contains('\x1b'),
        "a raw escape reached the terminal:\n{text}"
    );
    assert!(text.contains("Lovelace\\u{1b}[2K\\u{d}Forged"), "{text}");
}

#[test]
fn a_closed_stdout_ends_the_output_without_a_panic() {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_intake"))
        .args(["config", "example"])
        .env("INTAKE_CACHE_DIR", common::cache_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader went away, as `| head -0` does
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}
