//! The Python Stripe plugin (`plugins/python/stripe`, built by componentize-py) in the real
//! host against the Stripe emulator: the same host, limits and sandbox as a Rust guest.

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use intake_emulators::stripe::{Config, Dataset, Mode, StripeEmulator};
use intake_emulators::webhooks::signature_header;
use intake_host::types::{Donation, DonationKind, PluginError, Window};
use intake_host::{CallError, Host, HostConfig, Integration};

mod sandbox;
mod template;

const WEBHOOK_SECRET: &str = "whsec_python_e2e";

fn cache_dir() -> std::path::PathBuf {
    std::env::temp_dir().join("intake-test-cache")
}

/// Compiles `path` once for the whole binary (a Python component takes ~30 s in a debug
/// host), so the tests running in parallel then load it from the shared cache.
fn warm(path: &'static str) {
    static WARMED: OnceLock<std::sync::Mutex<Vec<&'static str>>> = OnceLock::new();
    let warmed = WARMED.get_or_init(Default::default);
    let mut done = warmed.lock().unwrap_or_else(|e| e.into_inner());
    if done.contains(&path) {
        return;
    }
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        runtime.block_on(async {
            let host = Host::new(HostConfig {
                cache_dir: Some(cache_dir()),
                ..HostConfig::default()
            })
            .expect("host");
            host.load_file(path)
                .await
                .expect("the Python component loads");
        });
    })
    .join()
    .expect("warming the cache");
    done.push(path);
}

pub async fn host_with(config: HostConfig, path: &'static str) -> Host {
    warm(path);
    let host = Host::new(HostConfig {
        cache_dir: Some(cache_dir()),
        ..config
    })
    .expect("host");
    host.load_file(path)
        .await
        .expect("the Python component loads");
    host
}

async fn host() -> Host {
    host_with(HostConfig::default(), intake_test_artifacts::PYTHON_STRIPE).await
}

fn integration(stripe: &StripeEmulator) -> Integration {
    Integration::new("stripe-python")
        .setting("mode", "test")
        .setting("api_base", stripe.url())
        .secret("test_secret_key", stripe.key(Mode::Test))
        .secret("webhook_secret", WEBHOOK_SECRET)
        .grant_origin(stripe.url())
        .route_secret("test_secret_key", stripe.url())
}

fn all_time() -> Window {
    Window {
        since: "2000-01-01T00:00:00Z".into(),
        until: None,
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// (amount in cents, currency, received at, donor email) by charge id.
type Facts = BTreeMap<String, (i64, String, String, Option<String>)>;

/// What the plugin promises, read from the emulator's ground truth: every succeeded,
/// captured charge is a contribution of the amount captured, at its creation time.
fn expected(truth: &Dataset) -> Facts {
    truth
        .charges
        .iter()
        .filter(|c| c.status == "succeeded" && c.captured)
        .map(|c| {
            let at = time_of(c.created);
            (
                c.id.clone(),
                (
                    c.amount_captured,
                    c.currency.to_uppercase(),
                    at,
                    c.billing_details.email.clone(),
                ),
            )
        })
        .collect()
}

/// Unix seconds as RFC 3339 UTC, through the e2e crate's own Stripe oracle's converter.
fn time_of(unix: i64) -> String {
    // Days to a civil date (Howard Hinnant), written apart from the plugin's Python datetime.
    let (days, secs) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3_600,
        secs % 3_600 / 60,
        secs % 60
    )
}

fn facts(donations: &[Donation]) -> Facts {
    let facts: Facts = donations
        .iter()
        .map(|d| {
            assert_eq!(d.kind, DonationKind::Contribution, "{}", d.id);
            (
                d.id.clone(),
                (
                    d.amount.minor_units,
                    d.amount.currency.clone(),
                    d.received_at.clone(),
                    d.donor.email.clone(),
                ),
            )
        })
        .collect();
    assert_eq!(facts.len(), donations.len(), "a donation came twice");
    facts
}

/// Every page from `start` on: each page's donations and the cursor each handed back.
async fn pass(
    host: &Host,
    integration: &Integration,
    start: Option<String>,
) -> (Vec<Vec<Donation>>, Vec<String>) {
    let (mut pages, mut cursors) = (Vec::new(), Vec::new());
    let mut cursor = start;
    for _ in 0..1_000 {
        let page = host
            .fetch(integration, &all_time(), cursor.as_deref())
            .await
            .expect("fetch");
        pages.push(page.donations);
        match page.next_cursor {
            Some(next) => {
                cursors.push(next.clone());
                cursor = Some(next);
            }
            None => return (pages, cursors),
        }
    }
    panic!("the pass never ended");
}

#[tokio::test]
async fn info_describes_the_python_plugin() {
    let host = host().await;
    let info = host.info("stripe-python").await.expect("info");
    assert_eq!(info.name, "Stripe (Python)");
    assert_eq!(
        info.outbound,
        vec!["https://api.stripe.com:443".to_string()]
    );
    let keys: Vec<&str> = info.settings.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "mode",
            "api_base",
            "test_secret_key",
            "live_secret_key",
            "webhook_secret"
        ]
    );
}

#[tokio::test]
async fn check_opens_the_emulators_account() {
    let stripe = StripeEmulator::start(Config::new(7, 10)).await.unwrap();
    let host = host().await;
    let account = host.check(&integration(&stripe)).await.expect("check");
    assert_eq!(account.id, "acct_1Emulat0rC0mm1ttee");
    assert_eq!(account.name, "Friends of Jane Doe");
    assert!(!account.livemode);

    let wrong = integration(&stripe).secret("test_secret_key", "sk_test_wrong");
    let err = host.check(&wrong).await.unwrap_err();
    assert!(
        matches!(&err, CallError::Plugin(PluginError::Auth(m)) if m.contains("HTTP 401")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_full_fetch_equals_the_truth_and_resumes_from_every_cursor() {
    // 250 charges: three pages of 100.
    let stripe = StripeEmulator::start(Config::new(11, 250)).await.unwrap();
    let host = host().await;
    let integration = integration(&stripe);
    let want = expected(&stripe.ground_truth(Mode::Test));
    assert!(
        want.len() > 150,
        "the dataset has failed charges but mostly good ones"
    );

    let (pages, cursors) = pass(&host, &integration, None).await;
    assert_eq!(facts(&pages.concat()), want);
    assert_eq!(cursors.len(), 2, "250 charges are three pages");

    // Resumed from each cursor: exactly the pages the first pass gave after it.
    for (i, cursor) in cursors.iter().enumerate() {
        let (rest, _) = pass(&host, &integration, Some(cursor.clone())).await;
        assert_eq!(
            facts(&rest.concat()),
            facts(&pages[i + 1..].concat()),
            "resumed from cursor {i}"
        );
    }

    let foreign = host
        .fetch(&integration, &all_time(), Some("{\"v\": 9}"))
        .await
        .unwrap_err();
    assert!(
        matches!(&foreign, CallError::Plugin(PluginError::Config(m)) if m.contains("not one this plugin gave")),
        "{foreign:?}"
    );
}

fn signed(body: &[u8], secret: &str) -> Vec<(String, String)> {
    vec![(
        "Stripe-Signature".to_string(),
        signature_header(&[secret], now(), body),
    )]
}

#[tokio::test]
async fn a_signed_webhook_is_read_and_a_bad_signature_refused() {
    let stripe = StripeEmulator::start(Config::new(5, 20)).await.unwrap();
    let host = host().await;
    let integration = integration(&stripe);
    let truth = stripe.ground_truth(Mode::Test);
    let charge = truth
        .charges
        .iter()
        .find(|c| c.status == "succeeded" && c.captured)
        .expect("a succeeded charge");
    let body = serde_json::to_vec(&serde_json::json!({
        "id": "evt_python_1",
        "object": "event",
        "type": "charge.succeeded",
        "data": {"object": charge},
    }))
    .unwrap();

    let donations = host
        .parse_webhook(&integration, &signed(&body, WEBHOOK_SECRET), &body)
        .await
        .expect("a signed delivery");
    let want: Facts = expected(&truth)
        .into_iter()
        .filter(|(id, _)| id == &charge.id)
        .collect();
    assert_eq!(facts(&donations), want);

    let forged = host
        .parse_webhook(&integration, &signed(&body, "whsec_guessed"), &body)
        .await
        .unwrap_err();
    assert!(
        matches!(&forged, CallError::Plugin(PluginError::Auth(m)) if m.contains("does not match webhook_secret")),
        "{forged:?}"
    );
    let unsigned = host
        .parse_webhook(&integration, &[], &body)
        .await
        .unwrap_err();
    assert!(
        matches!(&unsigned, CallError::Plugin(PluginError::Auth(m)) if m.contains("no Stripe-Signature")),
        "{unsigned:?}"
    );
}
