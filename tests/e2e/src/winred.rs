//! The WinRed part of the demo: the emulator of WinRed's partner API (as Intake models it)
//! on loopback, a small federal committee, and the built plugin in the real host.

use intake_cli::report;
use intake_emulators::winred::{Config, WinRedEmulator};
use intake_host::types::{DonationKind, Window};
use intake_host::{Host, Integration};

/// Picked for a demo that shows a refund, a chargeback and its fee.
const SEED: u64 = 3;

pub async fn run(host: &Host) -> anyhow::Result<()> {
    let winred = WinRedEmulator::start(Config::new(SEED).federal("C00123456", 40)).await?;
    let committee = winred.committee(0);
    println!(
        "WinRed emulator (Intake's model of the partner API) at {}",
        winred.url()
    );
    let integration = Integration::new("winred")
        .setting("committee_level", "federal")
        .setting(
            "committee_fec_id",
            committee.fec_id.clone().unwrap_or_default(),
        )
        .setting("api_base", winred.url())
        .secret("api_token", committee.token.as_str())
        .secret("webhook_secret", committee.webhook_secret.as_str())
        .grant_origin(winred.url())
        .route_secret("api_token", winred.url());

    let account = host.check(&integration).await?;
    println!("check: {} ({})", account.name, account.id);

    let (since, until) = winred.window();
    let window = Window {
        since,
        until: Some(until),
    };
    let (mut donations, mut fees, mut pages, mut cursor) =
        (Vec::new(), Vec::new(), 0, None::<String>);
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
    println!("{}", report::donations_table(&donations));
    let count = |k: DonationKind| donations.iter().filter(|d| d.kind == k).count();
    let total: i64 = donations.iter().map(|d| d.amount.minor_units).sum();
    println!(
        "WinRed: {} donations in {pages} page(s): {} contributions ({} recurring installments), {} refunds, {} chargebacks, {} reversals, {} chargeback fees; total {} (refunds and chargebacks negative); every one earmarked through WinRed PAC (C00694323) for {}",
        donations.len(),
        count(DonationKind::Contribution),
        donations.iter().filter(|d| d.recurrence.is_some()).count(),
        count(DonationKind::Refund),
        count(DonationKind::Chargeback),
        count(DonationKind::ChargebackReversal),
        fees.len(),
        report::money(&intake_host::types::Money {
            minor_units: total,
            currency: "USD".into()
        }),
        committee.fec_id.as_deref().unwrap_or("?"),
    );

    let payouts = host.fetch_payouts(&integration, &window, None).await?;
    if let Some(p) = payouts
        .payouts
        .iter()
        .max_by_key(|p| p.donation_ids.len() + p.fee_ids.len())
    {
        println!(
            "payout {} paid {}: gross {} − fees {} = net {}, settling {} donations and {} fees (the conduit check; each donation a split)",
            p.id,
            p.paid_at,
            report::money(&p.gross),
            report::money(&p.fees),
            report::money(&p.net),
            p.donation_ids.len(),
            p.fee_ids.len(),
        );
    }
    Ok(())
}
