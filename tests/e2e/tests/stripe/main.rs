//! The built `stripe.wasm` in the real host against the Stripe emulator over loopback.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use intake_emulators::stripe::{self as emu, Config, Dataset, Fault, Mode, StripeEmulator};
use intake_host::types::{Donation, DonationKind, FeeEntry, PluginError, Window};
use intake_host::{CallError, Host, HostConfig, Integration};

const WEBHOOK_SECRET: &str = "whsec_e2e_current";

async fn host_with(config: HostConfig) -> Host {
    let mut config = config;
    config.cache_dir = Some(std::env::temp_dir().join("intake-test-cache"));
    let host = Host::new(config).expect("host");
    host.load_file(intake_test_artifacts::STRIPE)
        .await
        .expect("stripe.wasm loads");
    host
}

async fn host() -> Host {
    host_with(HostConfig::default()).await
}

fn integration(stripe: &StripeEmulator, mode: Mode) -> Integration {
    let (mode_name, key_setting) = match mode {
        Mode::Test => ("test", "test_secret_key"),
        Mode::Live => ("live", "live_secret_key"),
    };
    Integration::new("stripe")
        .setting("mode", mode_name)
        .setting("api_base", stripe.url())
        .secret(key_setting, stripe.key(mode))
        .secret("webhook_secret", WEBHOOK_SECRET)
        .grant_origin(stripe.url())
        .route_secret(key_setting, stripe.url())
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
        .unwrap()
        .as_secs() as i64
}

/// One pass: every page's donations and fees, and the cursor each page handed back.
struct Pass {
    donations: Vec<Donation>,
    /// Each page's donations.
    pages: Vec<Vec<Donation>>,
    fees: Vec<FeeEntry>,
    cursors: Vec<String>,
}

async fn fetch_from(
    host: &Host,
    integration: &Integration,
    window: &Window,
    start: Option<String>,
) -> Pass {
    let mut pass = Pass {
        donations: Vec::new(),
        pages: Vec::new(),
        fees: Vec::new(),
        cursors: Vec::new(),
    };
    let mut cursor = start;
    for _ in 0..10_000 {
        let page = host
            .fetch(integration, window, cursor.as_deref())
            .await
            .expect("fetch");
        pass.donations.extend(page.donations.iter().cloned());
        pass.pages.push(page.donations);
        pass.fees.extend(page.fees);
        match page.next_cursor {
            Some(next) => {
                pass.cursors.push(next.clone());
                cursor = Some(next);
            }
            None => return pass,
        }
    }
    panic!("the pass never ended");
}

fn ids(donations: &[Donation]) -> Vec<String> {
    donations.iter().map(|d| d.id.clone()).collect()
}

fn no_duplicates(donations: &[Donation]) -> BTreeSet<String> {
    let set: BTreeSet<String> = ids(donations).into_iter().collect();
    assert_eq!(set.len(), donations.len(), "a donation came twice");
    set
}

mod truth;

use truth::{expected, rfc3339};

fn assert_matches_truth(pass: &Pass, truth: &Dataset) {
    let got = no_duplicates(&pass.donations);
    let (want, want_fees) = expected(truth);
    let want_ids: BTreeSet<String> = want.keys().cloned().collect();
    assert_eq!(
        got.difference(&want_ids).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "fetched but not in the ground truth"
    );
    assert_eq!(
        want_ids.difference(&got).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "in the ground truth but not fetched"
    );
    for d in &pass.donations {
        assert_eq!(
            truth::sorted(d.clone()),
            truth::sorted(want[&d.id].clone()),
            "field by field: {}",
            d.id
        );
    }
    let fees: BTreeMap<String, FeeEntry> = pass
        .fees
        .iter()
        .map(|f| (f.id.clone(), f.clone()))
        .collect();
    assert_eq!(fees.len(), pass.fees.len(), "a fee entry came twice");
    assert_eq!(fees, want_fees);
}

mod connect;
mod events;
mod faults;
mod late;
mod sync;
