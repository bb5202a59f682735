//! The demo's world: the Stripe and WinRed emulators on free loopback ports, and a directory
//! holding a config for them, the built plugins, each secret and the API token in a file of
//! its own (never inline), and a fresh store.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use intake_emulators::stripe::{self, StripeEmulator};
use intake_emulators::winred::{self, WinRedEmulator};
use rand::Rng as _;

/// The Stripe integration's id.
pub const STRIPE: &str = "stripe-main";
/// The WinRed integration's id.
pub const WINRED: &str = "winred-main";
/// The seeds and sizes of the emulated accounts (tests/demo.rs builds the same ones to know
/// what a sync should store).
pub const STRIPE_SEED: u64 = 11;
/// Test-mode charges in the Stripe account.
pub const STRIPE_CHARGES: usize = 300;
/// The WinRed seed.
pub const WINRED_SEED: u64 = 11;
/// Donations to the one federal WinRed committee.
pub const WINRED_DONATIONS: usize = 300;
/// The committee both accounts belong to.
pub const FEC_ID: &str = "C00123456";

/// The config file's name in the demo directory.
const CONFIG: &str = "intake.toml";
/// The API token's file: the queue page's sign-in and the curl commands read it.
const TOKEN: &str = "api-token";

/// The config's first line: how the demo knows a directory is its own.
const HEADER: &str = "# Written by `intake demo`";

/// Refuse a directory holding a config or store the demo did not write: its files there are
/// replaced on each run, and an operator's must never be.
pub fn check_dir(dir: &Path) -> Result<(), String> {
    let config = dir.join(CONFIG);
    match std::fs::read_to_string(&config) {
        Ok(text) if text.starts_with(HEADER) => Ok(()),
        Ok(_) => Err(format!(
            "{} was not written by `intake demo`; give the demo a directory of its own (--dir)",
            config.display()
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if dir.join("intake.db").exists() {
                Err(format!(
                    "{} holds a store (intake.db) the demo did not make; give the demo a \
                     directory of its own (--dir)",
                    dir.display()
                ))
            } else {
                Ok(())
            }
        }
        Err(e) => Err(format!("cannot read {}: {e}", config.display())),
    }
}

/// What the walkthrough and the printout need; the emulators stop when it is dropped.
pub struct Demo {
    /// The demo directory.
    pub dir: PathBuf,
    /// Its config file.
    pub config: PathBuf,
    /// The file holding the API token.
    pub token_file: PathBuf,
    /// The API token (read back by the walkthrough, which signs in as a CRM would).
    pub token: String,
    /// The Stripe account's emulator.
    pub stripe: StripeEmulator,
    /// Stripe's webhook signing secret (`whsec_…`), made up for this run.
    pub stripe_webhook_secret: String,
    /// The WinRed partner API's emulator (one federal committee, index 0).
    pub winred: WinRedEmulator,
}

/// Start the emulators and write the directory's files; files of an earlier demo there
/// (its store above all) are replaced, anything else is left alone.
pub async fn start(dir: &Path, listen: SocketAddr) -> anyhow::Result<Demo> {
    std::fs::create_dir_all(dir.join("plugins"))
        .with_context(|| format!("cannot create {}", dir.display()))?;
    let dir = dir
        .canonicalize()
        .with_context(|| format!("cannot read {}", dir.display()))?;
    for stale in ["intake.db", "intake.db-wal", "intake.db-shm"] {
        match std::fs::remove_file(dir.join(stale)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).context(format!("cannot remove the old {stale}")),
        }
    }
    for (from, name) in [
        (intake_test_artifacts::STRIPE, "stripe.wasm"),
        (intake_test_artifacts::WINRED, "winred.wasm"),
    ] {
        std::fs::copy(from, dir.join("plugins").join(name))
            .with_context(|| format!("cannot copy the built plugin {from}"))?;
    }

    let stripe = StripeEmulator::start(stripe::Config::new(STRIPE_SEED, STRIPE_CHARGES))
        .await
        .context("the Stripe emulator did not start")?;
    let winred =
        WinRedEmulator::start(winred::Config::new(WINRED_SEED).federal(FEC_ID, WINRED_DONATIONS))
            .await
            .context("the WinRed emulator did not start")?;

    let token = random_hex(32);
    let stripe_webhook_secret = format!("whsec_{}", random_hex(24));
    let committee = winred.committee(0);
    for (name, value) in [
        (TOKEN, token.as_str()),
        ("stripe-test.key", stripe.key(stripe::Mode::Test)),
        ("stripe-webhook.secret", stripe_webhook_secret.as_str()),
        ("winred.token", committee.token.as_str()),
        ("winred-webhook.secret", committee.webhook_secret.as_str()),
    ] {
        write_private(&dir.join(name), value)?;
    }
    let config = dir.join(CONFIG);
    std::fs::write(&config, config_text(&stripe.url(), &winred.url(), listen))
        .with_context(|| format!("cannot write {}", config.display()))?;
    Ok(Demo {
        token_file: dir.join(TOKEN),
        config,
        dir,
        token,
        stripe,
        stripe_webhook_secret,
        winred,
    })
}

/// `bytes` random bytes as hex.
fn random_hex(bytes: usize) -> String {
    let mut rng = rand::rng();
    (0..bytes)
        .map(|_| format!("{:02x}", rng.random::<u8>()))
        .collect()
}

/// Write a secret readable by its owner only.
fn write_private(path: &Path, value: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(value.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// The config: both integrations against the emulators (granted as extra origins, since
/// the plugins declare the real processors' addresses), every secret from a file.
fn config_text(stripe: &str, winred: &str, listen: SocketAddr) -> String {
    format!(
        r#"{HEADER}: two integrations against the local processor emulators.
# Paths are relative to this file; each secret and the API token are in files of their own.
[store]
path = "intake.db"

[plugins]
dir = "plugins"

[serve]
listen = "{listen}"
api_token = {{ file = "{TOKEN}" }}

[[integration]]
id = "{STRIPE}"
plugin = "stripe"
name = "Stripe: Jane Doe for Congress"
start_date = "2000-01-01"
fec_committee_id = "{FEC_ID}"
import = "auto"
[integration.defaults]
bank_account = "Operating"
election_period = "P2026"
category = "Individual contribution"
[integration.settings]
mode = "test"
api_base = "{stripe}"
[integration.secrets]
test_secret_key = {{ file = "stripe-test.key" }}
webhook_secret = {{ file = "stripe-webhook.secret" }}
[integration.grants]
origins = ["{stripe}"]
secret_routes = {{ test_secret_key = ["{stripe}"] }}

[[integration]]
id = "{WINRED}"
plugin = "winred"
name = "WinRed: Jane Doe for Congress"
start_date = "2000-01-01"
fec_committee_id = "{FEC_ID}"
import = "review"
[integration.defaults]
bank_account = "Operating"
election_period = "P2026"
category = "Earmarked contribution"
[integration.settings]
committee_level = "federal"
committee_fec_id = "{FEC_ID}"
api_base = "{winred}"
[integration.secrets]
api_token = {{ file = "winred.token" }}
webhook_secret = {{ file = "winred-webhook.secret" }}
[integration.grants]
origins = ["{winred}"]
secret_routes = {{ api_token = ["{winred}"] }}
"#
    )
}
