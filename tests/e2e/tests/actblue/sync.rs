//! An `actblue` integration synced by the engine from the emulator, configured as an
//! operator would: settings, the secret from a file, the API and download origins granted.

use std::sync::Arc;

use intake_emulators::actblue::{self as emu, ActBlueEmulator};
use intake_engine::{Config, Engine, NoProgress, SqliteStore, SyncOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_syncs_actblue_once_and_a_second_run_adds_nothing() {
    let e = ActBlueEmulator::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("actblue.secret"), emu::CLIENT_SECRET).unwrap();
    let (api, download) = (e.url(), e.download_url());
    let text = format!(
        r#"[store]
path = "intake.db"
[[integration]]
id = "actblue-main"
plugin = "{plugin}"
start_date = "2024-01-01"
import = "review"
[integration.settings]
client_uuid = "{uuid}"
api_base = "{api}"
[integration.secrets]
client_secret = {{ file = "actblue.secret" }}
[integration.grants]
origins = ["{api}", "{download}"]
secret_routes = {{ client_secret = ["{api}"] }}
"#,
        plugin = intake_test_artifacts::ACTBLUE,
        uuid = emu::CLIENT_UUID,
    );
    let path = dir.path().join("intake.toml");
    std::fs::write(&path, text).unwrap();
    let config = Config::load(&path).unwrap();
    let store = Arc::new(SqliteStore::open(&config.store_path).unwrap());
    let host = super::host().await;
    let engine = Engine::start(host, store, config).await.unwrap();

    let first = engine.sync(&SyncOptions::default(), &NoProgress).await;
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].status, "ok", "{:?}", first[0]);
    // The nine entries of the truth: seven paid line items, a refunded one and its refund.
    assert_eq!(
        first[0].counts.new,
        emu::data::truth().len() as u64,
        "{:?}",
        first[0]
    );

    let second = engine.sync(&SyncOptions::default(), &NoProgress).await;
    assert_eq!(second[0].status, "ok", "{:?}", second[0]);
    assert_eq!(second[0].counts.new, 0, "{:?}", second[0]);
}
