//! `intake plugin new`: the generated crate builds to a component, its own unit tests pass
//! natively, the host loads it, and it passes `intake plugin test` with its fixtures as is.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn intake(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_intake"))
        .current_dir(dir)
        .env("INTAKE_CACHE_DIR", common::cache_dir())
        .args(args)
        .output()
        .expect("run intake")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// cargo in `dir`, builds shared across runs under target/ (the SDK and its dependencies are
/// compiled once for both targets).
fn cargo(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO"))
        .current_dir(dir)
        .env(
            "CARGO_TARGET_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("plugin-kit-target"),
        )
        .env_remove("RUSTFLAGS")
        .args(args)
        .output()
        .expect("run cargo")
}

#[test]
fn a_new_rust_plugin_builds_tests_loads_and_passes_the_kit() {
    let parent = tempfile::tempdir().unwrap();
    let sdk = repo().join("plugins/sdk");
    let out = intake(
        parent.path(),
        &[
            "plugin",
            "new",
            "acme-pay",
            "--sdk-path",
            sdk.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("created ./acme-pay/Cargo.toml"), "{stdout}");
    let project = parent.path().join("acme-pay");
    for file in [
        "Cargo.toml",
        "README.md",
        "src/lib.rs",
        "src/tests.rs",
        "fixtures/exchanges.json",
    ] {
        assert!(project.join(file).is_file(), "{file} missing");
    }
    let manifest = std::fs::read_to_string(project.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"acme-pay\""), "{manifest}");
    assert!(
        manifest.contains("intake-plugin-sdk = { path = \""),
        "{manifest}"
    );
    // The same dependency versions as this repository's build, so the shared target dir
    // reuses its compiled crates.
    std::fs::copy(repo().join("Cargo.lock"), project.join("Cargo.lock")).unwrap();

    // Its unit tests, natively, over the SDK's test doubles.
    let out = cargo(&project, &["test", "--quiet"]);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("3 passed"),
        "{}",
        text(&out.stdout)
    );

    // The component, with the one command the README gives.
    let out = cargo(
        &project,
        &["build", "--release", "--target", "wasm32-wasip2"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let wasm = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("plugin-kit-target/wasm32-wasip2/release/acme_pay.wasm");
    assert!(wasm.is_file());

    let out = intake(
        &project,
        &["plugin", "inspect", "--json", wasm.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(info["id"], "acme-pay");
    assert_eq!(info["outbound"][0], "https://api.example.com:443");

    // The conformance kit passes the fresh template as is, with its fixtures.
    let fixtures = project.join("fixtures");
    let out = intake(
        &project,
        &[
            "plugin",
            "test",
            wasm.to_str().unwrap(),
            "--fixture",
            fixtures.to_str().unwrap(),
            "--json",
        ],
    );
    let report = text(&out.stdout);
    assert!(out.status.success(), "{report}{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["passed"], true);
    let detail = |name: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| {
                (
                    c["outcome"].as_str().unwrap().to_string(),
                    c["detail"].as_str().unwrap().to_string(),
                )
            })
            .unwrap()
    };
    // Three donations in the fixtures, over two pages.
    assert_eq!(
        detail("fetch"),
        ("pass".into(), "3 records in 2 pages".into())
    );
    assert_eq!(detail("check").1, "account Example Committee (acct_1)");
    assert_eq!(detail("429").1, "rate-limited (7 s)");
    assert_eq!(detail("webhook").1, "not declared; says unsupported");

    // A fixture that no longer answers `GET /v1/me` fails the check, saying which request
    // went unanswered, and the command exits 1 naming it.
    let exchanges = std::fs::read_to_string(fixtures.join("exchanges.json")).unwrap();
    std::fs::write(
        fixtures.join("exchanges.json"),
        exchanges.replace("\"/v1/me\"", "\"/v1/whoami\""),
    )
    .unwrap();
    let out = intake(
        &project,
        &[
            "plugin",
            "test",
            wasm.to_str().unwrap(),
            "--fixture",
            fixtures.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let table = text(&out.stdout);
    assert!(
        table.contains("[no recorded exchange for: GET /v1/me]"),
        "{table}"
    );
    assert_eq!(
        text(&out.stderr),
        "intake: 1 of 14 checks failed: check\n",
        "{table}"
    );

    // A paging bug (the second page answers like the first) is caught, not looped on.
    std::fs::write(
        fixtures.join("exchanges.json"),
        exchanges.replace("\"starting_after\": \"d_2\"", "\"starting_after\": \"d_9\""),
    )
    .unwrap();
    let out = intake(
        &project,
        &[
            "plugin",
            "test",
            wasm.to_str().unwrap(),
            "--fixture",
            fixtures.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("a second time: paging would never end"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(text(&out.stderr), "intake: 1 of 10 checks failed: fetch\n");
}

#[test]
fn a_python_project_is_written_and_a_bad_name_refused_in_plain_words() {
    let parent = tempfile::tempdir().unwrap();
    let out = intake(
        parent.path(),
        &["plugin", "new", "acme", "--lang", "python"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let app = std::fs::read_to_string(parent.path().join("acme/app.py")).unwrap();
    assert!(app.contains("The `acme` plugin"), "{app}");
    assert!(parent.path().join("acme/requirements.txt").is_file());
    std::fs::remove_dir_all(parent.path().join("acme")).unwrap();
    let out = intake(parent.path(), &["plugin", "new", "Acme_Pay"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("`Acme_Pay` is not a plugin name"),
        "{}",
        text(&out.stderr)
    );
    assert!(std::fs::read_dir(parent.path()).unwrap().next().is_none());
}
