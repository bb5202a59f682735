//! Config mistakes an operator makes, each caught before any plugin call with a message that
//! names the file, the line and the key.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use intake_engine::{Config, ConfigError, Engine, EngineError, SqliteStore};
use intake_host::{Host, HostConfig};

const GOOD: &str = r#"[store]
path = "intake.db"

[[integration]]
id = "winred-main"
plugin = "PLUGIN"
start_date = "2024-01-01"
fec_committee_id = "C00123456"
[integration.defaults]
bank_account = "Operating"
election_period = "P2026"
[integration.settings]
committee_level = "federal"
committee_fec_id = "C00123456"
[integration.secrets]
api_token = { env = "INTAKE_TEST_UNUSED_TOKEN" }
"#;

fn good() -> String {
    GOOD.replace("PLUGIN", intake_test_artifacts::WINRED)
}

fn write(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("intake.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Assert the error's place and words: "FILE:LINE: `KEY`: …MESSAGE…".
fn assert_names(error: &ConfigError, path: &Path, line: usize, key: &str, words: &str) {
    let shown = error.to_string();
    assert!(
        shown.starts_with(&format!("{}:{line}: ", path.display())),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("`{key}`")),
        "key `{key}` not in: {shown}"
    );
    assert!(shown.contains(words), "{words:?} not in: {shown}");
    assert_eq!(error.line(), Some(line), "{shown}");
}

fn replace_line(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from}");
    text.replacen(from, to, 1)
}

#[test]
fn the_example_config_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), intake_engine::config::EXAMPLE);
    let config = Config::load(&path).expect("the example parses");
    assert_eq!(config.integrations.len(), 2);
    assert_eq!(config.store_path, dir.path().join("intake.db"));
}

#[test]
fn shape_errors_name_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &str, usize, &str, &str)] = &[
        (
            "bank_account = \"Operating\"",
            "bank_acount = \"Operating\"",
            10,
            "bank_acount",
            "unknown field",
        ),
        (
            "start_date = \"2024-01-01\"",
            "start_date = \"01/02/2024\"",
            7,
            "integration[winred-main].start_date",
            "YYYY-MM-DD",
        ),
        (
            "fec_committee_id = \"C00123456\"\n[integration.defaults]",
            "fec_committee_id = \"123\"\n[integration.defaults]",
            8,
            "integration[winred-main].fec_committee_id",
            "C followed by 8 digits",
        ),
        (
            "election_period = \"P2026\"",
            "election_period = \"2026\"",
            11,
            "integration[winred-main].defaults.election_period",
            "e.g. P2026",
        ),
        (
            "api_token = { env = \"INTAKE_TEST_UNUSED_TOKEN\" }",
            "api_token = \"wr_live_pasted_in\"",
            16,
            "integration[winred-main].secrets.api_token",
            "written inline is refused",
        ),
        (
            "api_token = { env = \"INTAKE_TEST_UNUSED_TOKEN\" }",
            "api_token = { env = \"A\", file = \"b\" }",
            16,
            "integration[winred-main].secrets.api_token",
            "exactly one of",
        ),
        (
            "id = \"winred-main\"",
            "id = \"WinRed Main\"",
            5,
            "integration.id",
            "must be 1-64",
        ),
    ];
    for (from, to, line, key, words) in cases {
        let path = write(dir.path(), &replace_line(&good(), from, to));
        let error = Config::load(&path).expect_err(to);
        assert_names(&error, &path, *line, key, words);
    }
}

#[test]
fn a_repeated_integration_id_is_refused_at_its_second_place() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}\n{}",
        good(),
        good()
            .split("[[integration]]")
            .nth(1)
            .map(|s| format!("[[integration]]{s}"))
            .unwrap()
    );
    let path = write(dir.path(), &text);
    let error = Config::load(&path).unwrap_err();
    assert_names(
        &error,
        &path,
        19,
        "integration.id",
        "used by an earlier integration",
    );
}

async fn start(path: &Path) -> Result<Engine, EngineError> {
    let config = Config::load(path).expect("parses");
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    let host = Host::new(HostConfig {
        cache_dir: Some(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("intake-code-cache")),
        ..HostConfig::default()
    })
    .unwrap();
    Engine::start(host, store, config).await
}

fn config_error(result: Result<Engine, EngineError>) -> ConfigError {
    match result {
        Err(EngineError::Config(e)) => e,
        Err(other) => panic!("not a config error: {other}"),
        Ok(_) => panic!("accepted"),
    }
}

#[tokio::test]
async fn errors_against_the_plugin_name_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let undeclared = replace_line(
        &good(),
        "committee_level = \"federal\"",
        "commitee_level = \"federal\"",
    );
    let path = write(dir.path(), &undeclared);
    let error = config_error(start(&path).await);
    assert_names(
        &error,
        &path,
        13,
        "integration[winred-main].settings.commitee_level",
        "declares no setting `commitee_level`",
    );

    let bad_choice = replace_line(
        &good(),
        "committee_level = \"federal\"",
        "committee_level = \"county\"",
    );
    let path = write(dir.path(), &bad_choice);
    let error = config_error(start(&path).await);
    assert_names(
        &error,
        &path,
        13,
        "integration[winred-main].settings.committee_level",
        "not one of",
    );

    let secret_as_setting = replace_line(
        &good(),
        "committee_level = \"federal\"",
        "committee_level = \"federal\"\napi_token = \"x\"",
    );
    let path = write(dir.path(), &secret_as_setting);
    let error = Config::load(&path).unwrap_err();
    assert_names(
        &error,
        &path,
        17,
        "integration[winred-main].secrets.api_token",
        "both a setting and a secret",
    );

    let unset = replace_line(
        &good(),
        "INTAKE_TEST_UNUSED_TOKEN",
        "INTAKE_TEST_SURELY_UNSET_VARIABLE",
    );
    let path = write(dir.path(), &unset);
    let error = config_error(start(&path).await);
    assert_names(
        &error,
        &path,
        16,
        "integration[winred-main].secrets.api_token",
        "INTAKE_TEST_SURELY_UNSET_VARIABLE is not set",
    );

    let missing_plugin = replace_line(&good(), intake_test_artifacts::WINRED, "acme");
    let path = write(dir.path(), &missing_plugin);
    let error = config_error(start(&path).await);
    assert_names(
        &error,
        &path,
        6,
        "integration[winred-main].plugin",
        "no plugin `acme`",
    );
}

#[test]
fn a_shared_store_is_a_postgres_url_without_its_password() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "url = \"postgres://intake:hunter2@db.internal:5432/intake\"",
            "store.url",
            "move it to store.password",
        ),
        (
            "url = \"mysql://db.internal/intake\"",
            "store.url",
            "a shared store is a Postgres URL",
        ),
        (
            "url = \"postgres://intake@db.internal/intake\"\npassword = \"hunter2\"",
            "store.password",
            "a password written inline is refused",
        ),
    ];
    for (store, key, words) in cases {
        let text = replace_line(&good(), "path = \"intake.db\"", store);
        let path = write(dir.path(), &text);
        let error = Config::load(&path).unwrap_err();
        let line = if key == "store.password" { 3 } else { 2 };
        assert_names(&error, &path, line, key, words);
    }
    let both = replace_line(
        &good(),
        "path = \"intake.db\"",
        "path = \"intake.db\"\nurl = \"postgres://intake@db.internal/intake\"",
    );
    let path = write(dir.path(), &both);
    assert_names(
        &Config::load(&path).unwrap_err(),
        &path,
        2,
        "store.path",
        "not both",
    );

    let fine = replace_line(
        &good(),
        "path = \"intake.db\"",
        "url = \"postgres://intake@db.internal:5432/intake\"\npassword = { env = \"INTAKE_DB_PASSWORD\" }",
    );
    let config = Config::load(write(dir.path(), &fine)).unwrap();
    let shared = config.shared_store.expect("a shared store");
    assert_eq!(shared.url, "postgres://intake@db.internal:5432/intake");
    assert_eq!(
        shared.password,
        Some(intake_engine::config::SecretSource::Env(
            "INTAKE_DB_PASSWORD".into()
        ))
    );
}

const COMMITTEE: &str = r#"[store]
path = "intake.db"

[committee]
fec_id = "C00123456"
name = "Jane Doe for Congress"
form = "F3"
street_1 = "1 Main St"
city = "Arlington"
state = "VA"
zip = "22201"
treasurer = { last = "Doe", first = "John" }
"#;

#[test]
fn the_committee_table_is_read_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::load(write(dir.path(), intake_engine::config::EXAMPLE)).unwrap();
    let committee = config.committee.expect("the example has a [committee]");
    assert_eq!(committee.fec_id, "C00123456");
    assert_eq!(committee.name, "Jane Doe for Congress");
    assert_eq!(committee.form, intake_engine::fec::CommitteeForm::F3);
    assert_eq!(
        (committee.street_1.as_str(), committee.street_2.as_deref()),
        ("1 Main St", None)
    );
    assert_eq!(
        (
            committee.city.as_str(),
            committee.state.as_str(),
            committee.zip.as_str()
        ),
        ("Arlington", "VA", "22201")
    );
    assert_eq!(
        (
            committee.treasurer.last.as_str(),
            committee.treasurer.first.as_str(),
            committee.treasurer.middle.as_deref()
        ),
        ("Doe", "John", None)
    );

    let pac = COMMITTEE
        .replace("form = \"F3\"", "form = \"F3X\"")
        .replace(
            "first = \"John\" }",
            "first = \"John\", middle = \"Q\", suffix = \"Jr.\" }",
        );
    let config = Config::load(write(dir.path(), &pac)).unwrap();
    let committee = config.committee.unwrap();
    assert_eq!(committee.form, intake_engine::fec::CommitteeForm::F3X);
    assert_eq!(committee.treasurer.middle.as_deref(), Some("Q"));
    assert_eq!(committee.treasurer.suffix.as_deref(), Some("Jr."));

    let none = Config::load(write(dir.path(), "[store]\npath = \"x.db\"\n")).unwrap();
    assert!(none.committee.is_none());
}

#[test]
fn committee_errors_name_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &str, usize, &str, &str)] = &[
        (
            "fec_id = \"C00123456\"",
            "fec_id = \"H00123456\"",
            5,
            "committee.fec_id",
            "`H00123456` is not an FEC committee id: C followed by 8 digits",
        ),
        (
            "fec_id = \"C00123456\"",
            "fec_id = \"C0012345\"",
            5,
            "committee.fec_id",
            "C followed by 8 digits",
        ),
        (
            "state = \"VA\"",
            "state = \"Virginia\"",
            10,
            "committee.state",
            "`Virginia` is not a US state code such as VA",
        ),
        (
            "state = \"VA\"",
            "state = \"XX\"",
            10,
            "committee.state",
            "not a US state code",
        ),
        (
            "form = \"F3\"",
            "form = \"F3P\"",
            7,
            "committee.form",
            "`F3P` is not a form: F3 (House/Senate campaign) or F3X (PAC, party)",
        ),
        (
            "zip = \"22201\"",
            "zip = \"2220\"",
            11,
            "committee.zip",
            "`2220` is not a ZIP",
        ),
        (
            "city = \"Arlington\"",
            "cty = \"Arlington\"",
            9,
            "cty",
            "unknown field `cty`",
        ),
    ];
    for (from, to, line, key, words) in cases {
        let path = write(dir.path(), &replace_line(COMMITTEE, from, to));
        let error = Config::load(&path).expect_err(to);
        assert_names(&error, &path, *line, key, words);
    }
    // Unknown keys inside the treasurer are refused too.
    let path = write(
        dir.path(),
        &replace_line(
            COMMITTEE,
            "first = \"John\" }",
            "first = \"John\", title = \"T\" }",
        ),
    );
    let error = Config::load(&path).expect_err("unknown treasurer key");
    assert!(
        error.to_string().contains("unknown field `title`"),
        "{error}"
    );
    assert_eq!(error.line(), Some(12), "{error}");
}

#[test]
fn the_serve_table_is_read_and_its_mistakes_named() {
    let dir = tempfile::tempdir().unwrap();
    // No [serve]: loopback on 8750, and no token (the service refuses to start without one).
    let config = Config::load(write(dir.path(), &good())).unwrap();
    assert_eq!(config.serve.listen.to_string(), "127.0.0.1:8750");
    assert_eq!(config.serve.api_token, None);

    let with = |serve: &str| format!("[serve]\n{serve}\n{}", good());
    let config = Config::load(write(
        dir.path(),
        &with("listen = \"0.0.0.0:9000\"\napi_token = { file = \"secrets/token\" }"),
    ))
    .unwrap();
    assert_eq!(config.serve.listen.to_string(), "0.0.0.0:9000");
    assert_eq!(
        config.serve.api_token,
        Some(intake_engine::config::SecretSource::File(
            dir.path().join("secrets/token")
        ))
    );
    let config = Config::load(write(
        dir.path(),
        &with("api_token = { env = \"INTAKE_API_TOKEN\" }"),
    ))
    .unwrap();
    assert_eq!(
        config.serve.api_token,
        Some(intake_engine::config::SecretSource::Env(
            "INTAKE_API_TOKEN".into()
        ))
    );

    let cases = [
        (
            "api_token = \"hunter2\"",
            2,
            "serve.api_token",
            "a token written inline is refused",
        ),
        (
            "api_token = { env = \"A\", file = \"b\" }",
            2,
            "serve.api_token",
            "give exactly one of env = \"VAR\" or file = \"PATH\"",
        ),
        (
            "listen = \"localhost\"",
            2,
            "serve.listen",
            "`localhost` is not an address and port, e.g. 127.0.0.1:8750",
        ),
        ("\nport = 8750", 3, "port", "unknown field `port`"),
    ];
    for (serve, line, key, words) in cases {
        let path = write(dir.path(), &with(serve));
        let error = Config::load(&path).unwrap_err();
        assert_names(&error, &path, line, key, words);
    }
}

#[test]
fn schedule_and_timezone_default_to_0530_new_york_and_are_read_when_given() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::load(write(dir.path(), &good())).unwrap();
    let schedule = &config.integrations[0].schedule;
    assert_eq!(
        (schedule.pattern(), schedule.zone()),
        ("30 5 * * *", "America/New_York")
    );
    let text = replace_line(
        &good(),
        "start_date = \"2024-01-01\"\n",
        "start_date = \"2024-01-01\"\nschedule = \"0 6 * * 1-5\"\ntimezone = \"America/Chicago\"\n",
    );
    let config = Config::load(write(dir.path(), &text)).unwrap();
    let schedule = &config.integrations[0].schedule;
    assert_eq!(
        (schedule.pattern(), schedule.zone()),
        ("0 6 * * 1-5", "America/Chicago")
    );
}

#[test]
fn a_bad_schedule_or_timezone_names_its_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let text = replace_line(
        &good(),
        "start_date = \"2024-01-01\"\n",
        "start_date = \"2024-01-01\"\nschedule = \"30 5 * *\"\n",
    );
    let path = write(dir.path(), &text);
    let error = Config::load(&path).unwrap_err();
    assert_names(
        &error,
        &path,
        8,
        "integration[winred-main].schedule",
        "`30 5 * *` is not a cron expression",
    );
    let text = replace_line(
        &good(),
        "start_date = \"2024-01-01\"\n",
        "start_date = \"2024-01-01\"\ntimezone = \"Eastern\"\n",
    );
    let path = write(dir.path(), &text);
    let error = Config::load(&path).unwrap_err();
    assert_names(
        &error,
        &path,
        8,
        "integration[winred-main].timezone",
        "`Eastern` is not a known time zone",
    );
}
