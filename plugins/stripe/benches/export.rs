//! `parse-export` of a Dashboard payments CSV of 1,000 and 50,000 rows (native), through the
//! plugin's own entry point. The figure is in BENCHMARKS.md ("Plugins").

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use intake_plugin_sdk::{Plugin, Settings};
use intake_plugin_stripe::Stripe;

/// `rows` paid rows, every tenth refunded in part, every fiftieth failed (rejected).
fn export(rows: usize) -> Vec<u8> {
    let mut csv = String::from(
        "id,Description,Created date (UTC),Amount,Amount Refunded,Currency,Captured,Fee,Mode,Status,Customer ID,Customer Email,Card Name,Card Address Line1,Card Address City,Card Address State,Card Address Country,Card Address Zip,employer (metadata),occupation (metadata)\n",
    );
    for i in 0..rows {
        let status = if i % 50 == 0 { "Failed" } else { "Paid" };
        let refunded = if i % 10 == 0 { "5.00" } else { "0.00" };
        csv.push_str(&format!(
            "ch_{i:024},Donation,2024-05-{:02} 13:{:02}:00,{}.{:02},{refunded},usd,true,1.09,Live,{status},cus_{i:014},donor{i}@example.com,\"Smith, Mary Ann\",{} Main St,Arlington,VA,US,22201,Acme Corp,Teacher\n",
            i % 28 + 1,
            i % 60,
            i % 500 + 5,
            i % 100,
            i % 9_000 + 1,
        ));
    }
    csv.into_bytes()
}

fn bench(c: &mut Criterion) {
    let settings = Settings::from([("mode", "live")]);
    let mut group = c.benchmark_group("stripe_parse_export");
    group.sample_size(10);
    for rows in [1_000, 50_000] {
        let file = export(rows);
        group.throughput(Throughput::Elements(rows as u64));
        group.bench_with_input(BenchmarkId::from_parameter(rows), &file, |b, file| {
            b.iter(|| {
                let import = Stripe::parse_export(&settings, "payments.csv", file).unwrap();
                assert_eq!(import.donations.len() + import.rejected.len(), rows);
                import
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
