//! Failures in plain words, each kind with its own exit code (listed in `intake --help`), and
//! settings checked against the plugin's `info` before it runs.

mod common;

use std::process::{Command, Output};

fn intake(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_intake"));
    command
        .args(args)
        .env("INTAKE_CACHE_DIR", common::cache_dir());
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("run intake")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn help_documents_the_log_variable_the_exit_codes_and_one_default_deadline() {
    let out = intake(&["--help"], &[]);
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("INTAKE_LOG"), "{help}");
    assert!(
        help.contains("4  authentication: the processor refused the credentials"),
        "{help}"
    );
    // The library's default deadline is 10 s (intake_host::Limits): the CLI says the same.
    assert!(help.contains("[default: 10]"), "{help}");
}

fn stripe_check(settings: &[&str], env: &[(&str, &str)]) -> Output {
    let mut args = vec!["check", "--plugin", intake_test_artifacts::STRIPE];
    for s in settings {
        args.extend(["--setting", s]);
    }
    intake(&args, env)
}

#[test]
fn settings_outside_what_the_plugin_declares_exit_3_naming_the_key() {
    let key = [(
        "INTAKE_SECRET_STRIPE_TEST_SECRET_KEY",
        "sk_test_0123456789abcdef",
    )];
    let out = stripe_check(&["mode=sandbox"], &key);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "intake: configuration: setting `mode`: `sandbox` is not one of live, test\n"
    );
    let out = stripe_check(&["mode=test", "moed=test"], &key);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with(
            "intake: configuration: plugin `stripe` declares no setting `moed` (it has: mode, "
        ),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn refused_credentials_exit_4_and_a_missing_secret_exits_3() {
    use intake_emulators::winred::{Config, WinRedEmulator};
    let winred = WinRedEmulator::start(Config::new(7).federal("C00123456", 3))
        .await
        .unwrap();
    let url = winred.url();
    let run = move |token: Option<&'static str>| {
        let url = url.clone();
        tokio::task::spawn_blocking(move || {
            let base = format!("api_base={url}");
            let route = format!("api_token={url}");
            let args = [
                "check",
                "--plugin",
                intake_test_artifacts::WINRED,
                "--setting",
                "committee_fec_id=C00123456",
                "--setting",
                &base,
                "--grant",
                &url,
                "--route-secret",
                &route,
            ];
            let env: Vec<(&str, &str)> = token
                .map(|t| vec![("INTAKE_SECRET_WINRED_API_TOKEN", t)])
                .unwrap_or_default();
            intake(&args, &env)
        })
    };
    let out = run(Some("wr_not_a_real_token")).await.unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("intake: authentication: "),
        "{}",
        stderr(&out)
    );
    let out = run(None).await.unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("intake: configuration: "),
        "{}",
        stderr(&out)
    );
}
