//! `parse-export` of a 50,000-row WinRed donations export, natively (the plugin's own code,
//! no sandbox): 45,000 contributions from 3,000 donors at four amounts, then 5,000 refunds and
//! chargebacks with no original-ID column, so every one is linked by donor and amount.
//! `cargo bench -p intake-plugin-winred --bench export`

use std::fmt::Write;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use intake_plugin_sdk::{Plugin, Settings};
use intake_plugin_winred::WinRed;

const CONTRIBUTIONS: usize = 45_000;
const REVERSALS: usize = 5_000;
const DONORS: usize = 3_000;
const AMOUNTS: [&str; 4] = ["10.00", "25.00", "50.00", "100.00"];

/// A deterministic export: donor `i % DONORS`, amount by `i % 4`; reversal `r` reverses
/// contribution `r * 9` (spread through the file), so it has a match.
fn export() -> Vec<u8> {
    let mut csv = String::from("Donation ID,Date,Amount,Fee,First Name,Last Name,Type\n");
    for i in 0..CONTRIBUTIONS {
        let (d, a) = (i % DONORS, AMOUNTS[i % AMOUNTS.len()]);
        let _ = writeln!(csv, "dn_{i},05/01/2024,{a},,Donor{d},Family{d},Donation");
    }
    for r in 0..REVERSALS {
        let i = r * 9;
        let (d, a) = (i % DONORS, AMOUNTS[i % AMOUNTS.len()]);
        let kind = if r % 5 == 0 { "Chargeback" } else { "Refund" };
        let _ = writeln!(csv, "rv_{r},05/02/2024,-{a},,Donor{d},Family{d},{kind}");
    }
    csv.into_bytes()
}

fn bench(c: &mut Criterion) {
    let settings = Settings::from([("committee_level", "state")]);
    let file = export();
    // The figure is only meaningful if the whole file is read and every reversal linked.
    let out = WinRed::parse_export(&settings, "donations-export.csv", &file).unwrap();
    assert_eq!(out.donations.len(), CONTRIBUTIONS + REVERSALS);
    assert!(out.rejected.is_empty(), "{:?}", out.rejected.first());
    assert!(
        out.donations[CONTRIBUTIONS..]
            .iter()
            .all(|d| d.reverses.is_some())
    );

    let mut group = c.benchmark_group("winred export");
    group.sample_size(10);
    group.bench_function("parse_export, 50,000 rows, 5,000 reversals linked", |b| {
        b.iter(|| WinRed::parse_export(&settings, "donations-export.csv", black_box(&file)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
