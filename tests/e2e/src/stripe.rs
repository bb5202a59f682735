//! The Stripe part of the demo: the Stripe emulator on loopback with a small seeded account,
//! read through the built `stripe.wasm` in the real host, as a CRM would: check the account,
//! then fetch every page of the window and print the normalized donations.

use intake_cli::report;
use intake_emulators::stripe::{Config, Mode, StripeEmulator};
use intake_host::types::{DonationKind, Money, Window};
use intake_host::{Host, Integration};

pub async fn run(host: &Host) -> anyhow::Result<()> {
    let stripe = StripeEmulator::start(Config {
        seed: 66,
        test_charges: 50,
        live_charges: 8,
        end: None,
        span_days: 30,
        connected_accounts: Vec::new(),
    })
    .await?;
    let integration = Integration::new("stripe")
        .setting("mode", "test")
        .setting("api_base", stripe.url())
        .secret("test_secret_key", stripe.key(Mode::Test))
        .grant_origin(stripe.url())
        .route_secret("test_secret_key", stripe.url());

    let account = host.check(&integration).await?;
    println!(
        "Stripe emulator at {} — account {} \"{}\" ({} mode)",
        stripe.url(),
        account.id,
        account.name,
        if account.livemode { "live" } else { "test" }
    );

    let window = Window {
        since: "2000-01-01T00:00:00Z".into(),
        until: None,
    };
    let (mut donations, mut fees, mut pages) = (Vec::new(), Vec::new(), 0);
    let mut cursor: Option<String> = None;
    loop {
        let page = host.fetch(&integration, &window, cursor.as_deref()).await?;
        pages += 1;
        donations.extend(page.donations);
        fees.extend(page.fees);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    donations.sort_by(|a, b| a.received_at.cmp(&b.received_at).then(a.id.cmp(&b.id)));
    println!("{}", report::donations_table(&donations));

    let count = |kind: DonationKind| donations.iter().filter(|d| d.kind == kind).count();
    let net: i64 = donations.iter().map(|d| d.amount.minor_units).sum();
    let recurring = donations.iter().filter(|d| d.recurrence.is_some()).count();
    println!(
        "Stripe: {} entries ({} contributions, {} recurring; {} refunds; {} chargebacks; {} reversals) and {} fee entries in {} pages, {} requests to the emulator; {} net received",
        donations.len(),
        count(DonationKind::Contribution),
        recurring,
        count(DonationKind::Refund),
        count(DonationKind::Chargeback),
        count(DonationKind::ChargebackReversal),
        fees.len(),
        pages,
        stripe.request_count(),
        report::money(&Money {
            minor_units: net,
            currency: "USD".into()
        }),
    );
    Ok(())
}
