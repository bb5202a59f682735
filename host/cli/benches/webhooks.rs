//! Webhook ingestion through the service's full path: HTTP into the `intake serve` router,
//! the Stripe plugin's signature check and parse in the sandbox, the SQLite store, the import
//! queue. Deliveries per second and p50/p99 latency at 1, 16 and 64 concurrent senders,
//! each delivery a distinct donation (every one a new row, the costly case).
//!
//! `cargo bench -p intake-cli --bench webhooks` (release). `INTAKE_BENCH_SECONDS` sets the
//! time per level (default 5).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use intake_cli::serve::{AppState, router::router};
use intake_emulators::stripe::{Config as StripeConfig, Mode, StripeEmulator, webhook};
use intake_emulators::webhooks::client;
use intake_engine::{Config, Engine};
use intake_host::{Host, HostConfig};

const SECRET: &str = "whsec_bench_signing_key_0123456789";

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(bench());
}

async fn bench() {
    let seconds: u64 = std::env::var("INTAKE_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let stripe = StripeEmulator::start(StripeConfig::new(9, 20))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("key"), stripe.key(Mode::Test)).unwrap();
    std::fs::write(dir.path().join("whsec"), SECRET).unwrap();
    std::fs::write(dir.path().join("token"), "bench").unwrap();
    let text = format!(
        r#"[store]
path = "intake.db"
[serve]
api_token = {{ file = "token" }}
[[integration]]
id = "stripe"
plugin = "{plugin}"
start_date = "2000-01-01"
[integration.settings]
mode = "test"
[integration.secrets]
test_secret_key = {{ file = "key" }}
webhook_secret = {{ file = "whsec" }}
"#,
        plugin = intake_test_artifacts::STRIPE,
    );
    let path = dir.path().join("intake.toml");
    std::fs::write(&path, text).unwrap();
    let config = Config::load(&path).unwrap();
    let backend = intake_engine::store::open(&config).unwrap();
    let host = Host::new(HostConfig {
        cache_dir: Some(
            std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("intake-code-cache"),
        ),
        ..HostConfig::default()
    })
    .unwrap();
    let engine = Engine::start(host.clone(), backend.clone(), config)
        .await
        .unwrap();
    let state = AppState::new(engine, backend, host, Arc::from("bench"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks/stripe", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router(state)).await });

    // One real event as the template; each delivery gets its own charge id.
    let charge = stripe
        .ground_truth(Mode::Test)
        .charges
        .into_iter()
        .find(|c| c.status == "succeeded" && c.captured)
        .unwrap();
    let template = stripe
        .event(Mode::Test, "charge.succeeded", &charge.id)
        .unwrap();
    let next = Arc::new(AtomicU64::new(0));

    println!("| senders | deliveries | deliveries/s | p50 | p99 |");
    println!("|---|---|---|---|---|");
    for senders in [1usize, 16, 64] {
        let until = Instant::now() + Duration::from_secs(seconds);
        let started = Instant::now();
        let tasks: Vec<_> = (0..senders)
            .map(|_| {
                let (url, template, next) = (url.clone(), template.clone(), next.clone());
                tokio::spawn(async move {
                    let http = client();
                    let mut latencies = Vec::new();
                    while Instant::now() < until {
                        let n = next.fetch_add(1, Ordering::Relaxed);
                        let mut event = template.clone();
                        event["id"] = format!("evt_bench_{n}").into();
                        event["data"]["object"]["id"] = format!("ch_bench_{n}").into();
                        let (headers, body) = webhook::delivery(&event, &[SECRET], now());
                        let mut request = http.post(&url).body(body);
                        for (k, v) in headers {
                            request = request.header(k, v);
                        }
                        let sent = Instant::now();
                        let response = request.send().await.unwrap();
                        let status = response.status().as_u16();
                        let text = response.text().await.unwrap_or_default();
                        assert_eq!(status, 200, "{text}");
                        latencies.push(sent.elapsed());
                    }
                    latencies
                })
            })
            .collect();
        let mut all = Vec::new();
        for task in tasks {
            all.extend(task.await.unwrap());
        }
        let wall = started.elapsed();
        all.sort();
        println!(
            "| {senders} | {} | {:.0} | {:.2} ms | {:.2} ms |",
            all.len(),
            all.len() as f64 / wall.as_secs_f64(),
            percentile(&all, 0.50).as_secs_f64() * 1e3,
            percentile(&all, 0.99).as_secs_f64() * 1e3,
        );
    }
}
