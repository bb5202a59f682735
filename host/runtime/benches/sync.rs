//! A full sync through the real host: the built plugin, fresh sandbox per page, against the
//! emulator on loopback. This is what a CRM's daily pull costs. The figures include the
//! emulator building its responses in the same process.
//! Run: `cargo bench -p intake-host --bench sync`. Figures go in BENCHMARKS.md.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use intake_emulators::{stripe, winred};
use intake_host::types::Window;
use intake_host::{Host, HostConfig, Integration};

const DONATIONS: usize = 10_000;

/// Fetch every page of `window`; the number of donations and fee entries.
async fn full_pass(host: &Host, integration: &Integration, window: &Window) -> usize {
    let (mut entries, mut cursor) = (0, None::<String>);
    loop {
        let page = host
            .fetch(integration, window, cursor.as_deref())
            .await
            .expect("page");
        entries += page.donations.len() + page.fees.len();
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return entries,
        }
    }
}

fn sync(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let cache = tempfile::tempdir().unwrap();
    let host = Host::new(HostConfig {
        cache_dir: Some(cache.path().into()),
        ..HostConfig::default()
    })
    .unwrap();
    rt.block_on(host.load_file(intake_test_artifacts::STRIPE))
        .unwrap();
    rt.block_on(host.load_file(intake_test_artifacts::WINRED))
        .unwrap();
    let mut group = c.benchmark_group("sync");
    group.sample_size(10);

    let stripe = rt
        .block_on(stripe::StripeEmulator::start(stripe::Config::new(
            1, DONATIONS,
        )))
        .unwrap();
    let key = stripe.key(stripe::Mode::Test).to_string();
    let integration = Integration::new("stripe")
        .setting("mode", "test")
        .setting("api_base", stripe.url())
        .secret("test_secret_key", key)
        .grant_origin(stripe.url())
        .route_secret("test_secret_key", stripe.url());
    let window = Window {
        since: "2000-01-01T00:00:00Z".into(),
        until: None,
    };
    let entries = rt.block_on(full_pass(&host, &integration, &window));
    group.throughput(Throughput::Elements(entries as u64));
    group.bench_function(
        format!("stripe: full pass, {DONATIONS} charges ({entries} entries)"),
        |b| {
            b.to_async(&rt)
                .iter(|| full_pass(&host, &integration, &window));
        },
    );

    let winred = rt
        .block_on(winred::WinRedEmulator::start(
            winred::Config::new(1).federal("C00123456", DONATIONS),
        ))
        .unwrap();
    let committee = winred.committee(0).clone();
    let integration = Integration::new("winred")
        .setting("committee_level", "federal")
        .setting("committee_fec_id", "C00123456")
        .setting("api_base", winred.url())
        .secret("api_token", committee.token)
        .grant_origin(winred.url())
        .route_secret("api_token", winred.url());
    let (since, until) = winred.window();
    let window = Window {
        since,
        until: Some(until),
    };
    let entries = rt.block_on(full_pass(&host, &integration, &window));
    group.throughput(Throughput::Elements(entries as u64));
    group.bench_function(
        format!("winred: full pass, {DONATIONS} donations ({entries} entries)"),
        |b| {
            b.to_async(&rt)
                .iter(|| full_pass(&host, &integration, &window));
        },
    );
    group.finish();
}

criterion_group!(benches, sync);
criterion_main!(benches);
